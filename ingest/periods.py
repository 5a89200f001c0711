"""Periods of Kamer membership, shared by the reference steps, the resolver and the inference.

What a derived period says about itself (``OK_FILL_PREFIX``, ``INFERRED_PREFIX``, ``OPEN_END``),
the election eves derived from the member list, the fractie a member sits in after an eve, the
Kamer memberships over a person's fractie periods, and the rank of the kinds of post. Used by
:mod:`ingest.reference`, :mod:`ingest.resolve`, :mod:`ingest.infer` and
:mod:`ingest.tk_reference`; imports none of them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ingest.records import FractieMembership, KamerMembership

# the order in which the resolver picks one of several posts a person holds on a day
KIND_RANK = {
    "minister-president": 0,
    "minister": 1,
    "minister zonder portefeuille": 2,
    "staatssecretaris": 3,
    "viceminister-president": 4,
}


def ymd(d: dt.date) -> str:
    """A date as it appears in keys: ``20171026``."""
    return d.strftime("%Y%m%d")


OK_FILL_PREFIX = "aangevuld uit OpenKamer"
INFERRED_PREFIX = "afgeleid"
OPEN_END = "werkelijk einde onbekend"  # in a derivation: the end is the last date known, not a real end
OPEN_START = "werkelijk begin onbekend"  # in a derivation: the start is the first date known, not a real start
MIN_EVE_ROWS = 50  # an election eve: at least this many list periods end that day and start the next
KAMER_SEATS = 150  # seats of the Tweede Kamer (since 1956)
# the longest gap between two questions one inferred period of unknown start spans: 16 weeks, the length
# of a leave and of the temporary seat of its replacement (Van den Hil sat for Rajkowski from 2023-12-12 to
# 2024-03-28 and again from 2024-07-04; her questions of 2024-03-27 and 2024-08-12 are two periods)
MAX_EVIDENCE_GAP = dt.timedelta(weeks=16)


def is_listed(fm: FractieMembership) -> bool:
    """A period of the member list itself (not filled from OpenKamer, not inferred)."""
    return fm.derivation is None


def has_open_end(fm: FractieMembership) -> bool:
    """A derived period whose end is only the last date known (the real end is unknown)."""
    return fm.end is not None and fm.derivation is not None and OPEN_END in fm.derivation


def election_eves(fms: "list[FractieMembership] | tuple[FractieMembership, ...]") -> tuple[dt.date, ...]:
    """Days before the installation of a new Kamer, derived from the member list: days on which at
    least MIN_EVE_ROWS listed periods end while at least MIN_EVE_ROWS start on the next day
    (2006-11-29, 2010-06-16, 2012-09-19, 2017-03-22, 2021-03-30, 2023-12-05, ...)."""
    ends: dict[dt.date, int] = defaultdict(int)
    starts: dict[dt.date, int] = defaultdict(int)
    for f in fms:
        if not is_listed(f):
            continue
        starts[f.start] += 1
        if f.end is not None:
            ends[f.end] += 1
    one = dt.timedelta(days=1)
    return tuple(sorted(d for d, n in ends.items() if n >= MIN_EVE_ROWS and starts.get(d + one, 0) >= MIN_EVE_ROWS))


def list_cutoff(fms: "list[FractieMembership] | tuple[FractieMembership, ...]") -> dt.date | None:
    """The member list's own last date: the latest start or end of a listed period (2023-12-11 in the
    bundled list). After it the list records nothing: an open period there is open because the list
    stops, and a return from leave or a replacement after it has no row. Only the bundled list's own rows
    count: member records a sync brings (:mod:`ingest.tk_reference`) are single updates, not a whole list."""
    from ingest.sources.reference import MEMBER_PERIODS

    days = [d for f in fms if is_listed(f) and (f.source is None or f.source.file == MEMBER_PERIODS)
            for d in (f.start, f.end) if d is not None]
    return max(days) if days else None


def evidence_runs(dates: "list[dt.date]", gap: dt.timedelta = MAX_EVIDENCE_GAP) -> list[tuple[dt.date, dt.date]]:
    """The dates split where two consecutive ones are more than ``gap`` apart: (first, last) per run."""
    runs: list[tuple[dt.date, dt.date]] = []
    for d in sorted(set(dates)):
        if runs and d - runs[-1][1] <= gap:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def installed_eves(fms: "list[FractieMembership] | tuple[FractieMembership, ...]",
                   eves: "tuple[dt.date, ...]") -> frozenset[dt.date]:
    """The election eves after which the list has a row for every seat (``KAMER_SEATS`` listed periods
    start the next day): the list records the whole new Kamer as installed, re-elected members
    included (2023-12-06: 150 rows, 69 of them of members who sat on 2023-12-05). A member whose
    period ended on such an eve without a row from the next day was not in the new Kamer then (the
    2017 and 2021 installations have 93 and 99 rows: the re-elected lack them)."""
    starts: dict[dt.date, int] = defaultdict(int)
    for f in fms:
        if is_listed(f):
            starts[f.start] += 1
    one = dt.timedelta(days=1)
    return frozenset(e for e in eves if starts.get(e + one, 0) >= KAMER_SEATS)


def fractie_after_eve(fractie_key: str, eve: dt.date, fms: "list[FractieMembership] | tuple[FractieMembership, ...]"
                      ) -> tuple[str | None, str]:
    """The fractie a re-elected member of ``fractie_key`` (period ending on ``eve``) sits in from eve+1.

    The list records changes as rows, so no row means no change: the same fractie, and without a
    note when the list has that fractie again after the eve. When it has not, but members of that
    fractie have rows from eve+1 in one other fractie, the fractie went on under that name (Groep
    Kuzu/Öztürk -> DENK in 2017); in several other fracties: unknown, (None, why)."""
    day = eve + dt.timedelta(days=1)
    listed = [f for f in fms if is_listed(f)]
    if any(f.fractie_key == fractie_key and (f.start > eve or f.end is None or f.end >= day) for f in listed):
        return fractie_key, ""
    members = {f.person_key for f in listed if f.fractie_key == fractie_key and f.end == eve}
    moved = [f for f in listed if f.person_key in members and f.start == day]
    nxt = {f.fractie_key for f in moved}
    if len(nxt) == 1:
        g = nxt.pop()
        return g, (f"fractie {fractie_key} komt na {eve} niet meer voor in de ledenlijst; de "
                   f"{len({f.person_key for f in moved})} leden ervan met een rij vanaf {day} zitten in {g}: "
                   f"voortgezet als {g}")
    if nxt:
        return None, (f"fractie {fractie_key} komt na {eve} niet meer voor in de ledenlijst en haar leden met een rij "
                      f"vanaf {day} zitten in verschillende fracties ({', '.join(sorted(nxt))})")
    return fractie_key, (f"fractie {fractie_key} heeft na {eve} geen rij in de ledenlijst en geen opvolger; "
                         f"ongewijzigd aangenomen (de lijst legt wijzigingen als rijen vast)")


def kamer_memberships_of(pk: str, fms: "list[FractieMembership]") -> list[KamerMembership]:
    """One KamerMembership per run of fractie periods of one person that touch (the next starting at
    most a day after the previous ends); a run with a derived part gets a derivation text."""
    out: list[KamerMembership] = []
    lst = sorted(fms, key=lambda f: (f.start, f.end or dt.date.max))
    run: list[FractieMembership] = []
    ce: dt.date | None = None

    def flush() -> None:
        if not run:
            return
        cs = run[0].start
        derived = [f for f in run if f.derivation]
        deriv = None
        if derived:
            n_list = len(run) - len(derived)
            parts = "; ".join(f"{f.start}..{f.end or ''} ({f.derivation.split(':', 1)[0]})" for f in derived)
            deriv = (f"samengesteld uit {len(run)} fractieperiodes, {n_list} uit de ledenlijst en {len(derived)} "
                     f"aangevuld of afgeleid: {parts}")
            if OPEN_START in (run[0].derivation or ""):
                deriv += f"; begin {cs} is de eerst bekende datum, {OPEN_START}"
            if ce is not None and run[-1].end == ce and has_open_end(run[-1]):
                deriv += f"; einde {ce} is de laatst bekende datum, {OPEN_END}"
        out.append(KamerMembership(f"{pk}-tk-{ymd(cs)}", pk, cs, ce, run[0].source, deriv))

    for f in lst:
        if run and (ce is None or f.start <= ce + dt.timedelta(days=1)):
            if ce is not None and (f.end is None or f.end > ce):
                ce = f.end
            run.append(f)
            continue
        flush()
        run, ce = [f], f.end
    flush()
    return out
