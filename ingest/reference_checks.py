"""The consistency rules of :func:`ingest.reference.load_reference`: steps that check the reference data.

Each rule is a step that reads the finished periods or holdings and adds only report lines: one
line per finding, opening with the source row(s) (``file:line``) and the rule's name in brackets,
and one summary line ``check <rule>: <n> findings``. The rules run after the corrections register
(:mod:`ingest.reference_corrections`), so corrected data is checked too. A finding that a source
proves wrong is fixed in ``data/reference/corrections.csv``; the others stay reported (see
``data/reference/README.md``).

Periods: a fractie membership's end is its last day. Holdings: the end is the handover day (the
successor starts on it), so two holdings touching on one day do not overlap.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from ingest.records import FractieMembership, PostHolding
from ingest.reference_state import ReferenceState

_MAX = dt.date.max


def _finding(state: ReferenceState, rule: str, where: Iterable[object], text: str) -> None:
    """Add one finding of ``rule``: the source rows, the rule and what is wrong."""
    rows = " / ".join(str(w) for w in where if w is not None) or "(no source row)"
    state.report.append(f"{rows}: [{rule}] {text}")


def _summary(state: ReferenceState, rule: str, n: int) -> None:
    state.report.append(f"check {rule}: {n} findings")


def _by(items: Iterable, attr: str) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for x in items:
        out[getattr(x, attr)].append(x)
    return out


def check_fractie_overlaps(state: ReferenceState) -> None:
    """Reads the fractie memberships (``fms``); reports every two of one person that share more
    than one day (rule ``fractie-overlap``): a member belongs to one fractie at a time. The member
    list ends a period on the day the next one starts when a member changes fractie (Klein,
    Kuzu, Krol in 2014), so a shared first/last day is its convention, not a finding."""
    n = 0
    for pk, fms in _by(state.fms, "person_key").items():
        fms = sorted(fms, key=lambda f: f.start)
        for i, a in enumerate(fms):
            for b in fms[i + 1:]:
                if b.start >= (a.end or _MAX):
                    break
                n += 1
                _finding(state, "fractie-overlap", (a.source, b.source),
                         f"{state.persons[pk].name if pk in state.persons else pk}: {a.fractie_key} "
                         f"{a.start}..{a.end or ''} overlaps {b.fractie_key} {b.start}..{b.end or ''}")
    _summary(state, "fractie-overlap", n)


def check_fractie_in_kamer(state: ReferenceState) -> None:
    """Reads the fractie and Kamer memberships (``fms``, ``kms``); reports a fractie membership not
    inside one Kamer membership of its person (rule ``fractie-outside-kamer``)."""
    kms = _by(state.kms, "person_key")
    n = 0
    for fm in state.fms:
        end = fm.end or _MAX
        if not any(k.start <= fm.start and end <= (k.end or _MAX) for k in kms.get(fm.person_key, ())):
            n += 1
            _finding(state, "fractie-outside-kamer", (fm.source,),
                     f"fractie membership {fm.key} {fm.start}..{fm.end or ''} is in no Kamer membership")
    _summary(state, "fractie-outside-kamer", n)


def _overlap(a: PostHolding, b: PostHolding) -> bool:
    """Whether two holdings share a day (the end is the handover day, shared with the successor)."""
    return a.start < (b.end or _MAX) and b.start < (a.end or _MAX)


# posts with one holder at a time: a minister of a ministry, a minister for a portfolio and the
# minister-president (a ministry has several staatssecretarissen, a cabinet several vice-premiers)
SINGLE_HOLDER_KINDS = frozenset({"minister", "minister-president", "minister zonder portefeuille"})


def _single_holder(state: ReferenceState, post_key: str) -> bool:
    post = state.posts.get(post_key)
    if post is None or post.kind not in SINGLE_HOLDER_KINDS:
        return False
    return post.kind != "minister zonder portefeuille" or post.portfolio is not None


def check_post_holders(state: ReferenceState) -> None:
    """Reads the posts and holdings; reports two non-acting holdings of one single-holder post
    (``SINGLE_HOLDER_KINDS``; a "minister voor ..." only with its portfolio) that share a day (rule
    ``post-two-holders``): one post has one holder, an acting one aside."""
    n = 0
    held = (h for h in state.holdings if not h.acting and _single_holder(state, h.post_key))
    for _post, hs in _by(held, "post_key").items():
        hs.sort(key=lambda h: h.start)
        for i, a in enumerate(hs):
            for b in hs[i + 1:]:
                if b.start >= (a.end or _MAX):
                    break
                n += 1
                _finding(state, "post-two-holders", (a.source, b.source),
                         f"{a.post_key}: {a.person_key} {a.start}..{a.end or ''} and {b.person_key} "
                         f"{b.start}..{b.end or ''} both hold it (neither acting)")
    _summary(state, "post-two-holders", n)


def check_holdings_in_cabinet(state: ReferenceState) -> None:
    """Reads the holdings and cabinets; reports a holding that starts before its cabinet or runs past
    its end (rule ``holding-outside-cabinet``). A cabinet's end is the day its successor is sworn in:
    a demissionary cabinet stays in office until then, and so do its members (their holdings end on
    that day, not on the resignation of the cabinet)."""
    n = 0
    for h in state.holdings:
        cab = state.cabinets.get(h.cabinet_key or "")
        if cab is None:
            continue
        late = cab.end is not None and (h.end is None or h.end > cab.end)
        if h.start < cab.start or late:
            n += 1
            _finding(state, "holding-outside-cabinet", (h.source,),
                     f"{h.post_key} held by {h.person_key} {h.start}..{h.end or ''} outside {cab.key} "
                     f"{cab.start}..{cab.end or ''}")
    _summary(state, "holding-outside-cabinet", n)


def check_person_posts(state: ReferenceState) -> None:
    """Reads the holdings; reports two holdings of one post by one person that share a day (rule
    ``holding-overlap``): a duplicate, or a term the sources split wrongly."""
    n = 0
    for _key, hs in _by(state.holdings, "person_key").items():
        for _post, same in _by(hs, "post_key").items():
            same.sort(key=lambda h: h.start)
            for a, b in zip(same, same[1:]):
                if _overlap(a, b):
                    n += 1
                    _finding(state, "holding-overlap", (a.source, b.source),
                             f"{a.person_key} holds {a.post_key} twice: {a.start}..{a.end or ''} and "
                             f"{b.start}..{b.end or ''}")
    _summary(state, "holding-overlap", n)


def _age_on(state: ReferenceState, pk: str, day: dt.date) -> int | None:
    p = state.persons.get(pk)
    if p is None or p.birth_date is None:
        return None
    return day.year - p.birth_date.year - ((day.month, day.day) < (p.birth_date.month, p.birth_date.day))


def check_ages(state: ReferenceState) -> None:
    """Reads the persons, fractie memberships and holdings; reports a period that starts before its
    person's 18th birthday (rule ``under-age``: members and ministers must be adults)."""
    n = 0
    periods: list[FractieMembership | PostHolding] = [*state.fms, *state.holdings]
    for p in periods:
        age = _age_on(state, p.person_key, p.start)
        if age is not None and age < 18:
            n += 1
            _finding(state, "under-age", (p.source,), f"{p.key} starts {p.start}, at age {age}")
    _summary(state, "under-age", n)




def _sits_outside_caretaker(state: ReferenceState, h: PostHolding, start: dt.date, end: dt.date) -> bool:
    """Whether the days ``start..end`` (a Kamer seat during holding ``h``) fall outside the span in
    which its cabinet is demissionary after an election: from the first sitting of the new Kamer
    (the day after an election eve) within the cabinet to the cabinet's end (Grondwet art. 57(3))."""
    cab = state.cabinets.get(h.cabinet_key or "")
    cab_end = (cab.end if cab else None) or h.end or _MAX
    cab_start = cab.start if cab else h.start
    eves = [e for e in state.eves if cab_start <= e < cab_end]
    caretaker_from = (max(eves) + dt.timedelta(days=1)) if eves else cab_end
    return start < caretaker_from


def check_seat_and_post(state: ReferenceState) -> None:
    """Reads the holdings, fractie memberships (the seats, row by row), cabinets and election eves;
    reports a non-acting holding during which its holder sits in the Kamer for more than its first and last day, outside
    the demissionary span after an election (rule ``seat-and-post``: the Grondwet (art. 57) bars
    a minister or staatssecretaris from the Kamer, except a demissionary one elected to it). A seat
    still open in the member list is known only up to the list's last date."""
    seats = _by(state.fms, "person_key")
    cutoff = max((max(r.start, r.end or r.start) for r in state.periods), default=_MAX)
    n = 0
    for h in state.holdings:
        h_end = h.end or _MAX
        for k in seats.get(h.person_key, ()):
            start, end = max(h.start + dt.timedelta(days=1), k.start), min(h_end - dt.timedelta(days=1), k.end or cutoff)
            if start <= end and not h.acting and _sits_outside_caretaker(state, h, start, end):
                n += 1
                _finding(state, "seat-and-post", (h.source, k.source),
                         f"{h.person_key} holds {h.post_key} {h.start}..{h.end or ''} and sits in the Kamer "
                         f"{k.start}..{k.end or ''} ({start}..{end} outside a demissionary span)")
    _summary(state, "seat-and-post", n)

