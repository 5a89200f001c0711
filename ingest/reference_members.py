"""The membership steps of :func:`ingest.reference.load_reference`: fracties and periods.

Every member-list period becomes a :class:`FractieMembership` keyed
``<person key>-<YYYYMMDD>-<fractie slug>``; gaps of the list that OpenKamer shows are filled with
derived periods; consecutive periods of one person (the next starting at most one day after the
previous ends) form one :class:`KamerMembership` keyed ``<person key>-tk-<YYYYMMDD>``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ingest.names import norm_name
from ingest.periods import OK_FILL_PREFIX, OPEN_END, election_eves, fractie_after_eve, kamer_memberships_of, ymd
from ingest.records import Fractie, FractieMembership
from ingest.reference_state import ReferenceState
from ingest.sources import reference as src
from ontology.namespaces import slug

# Full names of fracties not in the OpenKamer party list (ended 2019), and the list's short labels
# whose OpenKamer party has another short name. Each entry is the party's own name.
FRACTIE_NAMES: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    # list label: (name, abbreviation, alternate names)
    "GroenLinks": ("GroenLinks", "GL", ()),
    "GL-PvdA": ("GroenLinks-PvdA", "GL-PvdA", ("GroenLinks/PvdA", "GL/PvdA")),
    "NSC": ("Nieuw Sociaal Contract", "NSC", ()),
    "PvdD": ("Partij voor de Dieren", "PvdD", ()),
    "ChristenUnie": ("ChristenUnie", "CU", ()),
    "BBB": ("BoerBurgerBeweging", "BBB", ()),
    "FVD": ("Forum voor Democratie", "FVD", ("FvD",)),
    "JA21": ("JA21", "JA21", ()),
    "Volt": ("Volt", "Volt", ()),
    "BIJ1": ("BIJ1", "BIJ1", ()),
    "DENK": ("DENK", "DENK", ()),
    "50PLUS": ("50PLUS", "50PLUS", ()),
    "SP": ("Socialistische Partij", "SP", ()),
    "VVD": ("Volkspartij voor Vrijheid en Democratie", "VVD", ()),
    "PvdA": ("Partij van de Arbeid", "PvdA", ()),
    "CDA": ("Christen-Democratisch Appèl", "CDA", ()),
    "D66": ("Democraten 66", "D66", ()),
    "PVV": ("Partij voor de Vrijheid", "PVV", ()),
    "SGP": ("Staatkundig Gereformeerde Partij", "SGP", ()),
    "LPF": ("Lijst Pim Fortuyn", "LPF", ()),
    "vKA": ("Van Kooten-Arissen", "vKA", ()),
}


def name_fracties(state: ReferenceState) -> None:
    """Reads the OpenKamer parties (``ok_parties``) and the fractie labels of the member list; adds
    one :class:`Fractie` per label (``fracties``), named by ``FRACTIE_NAMES`` and with the Wikidata
    id and other names of the OpenKamer parties of that name or short name."""
    state.ok_parties = list(src.read_openkamer_parties(state.data_dir))
    fracties = state.fracties
    for label in sorted({r.fractie for r in state.periods}):
        name, short, alts = FRACTIE_NAMES.get(label, (label, None, ()))
        wd = None
        for op in state.ok_parties:
            if norm_name(op.name) in {norm_name(label), norm_name(name)} or (
                op.short_name and norm_name(op.short_name) in {norm_name(label), norm_name(short or "")}
                and op.short_name != op.name
            ):
                wd = op.wikidata or wd
                if norm_name(op.name) != norm_name(name):
                    alts = tuple(dict.fromkeys(alts + (op.name,)))
        alt = tuple(a for a in dict.fromkeys(alts + ((label,) if label not in (name, short) else ())) if a)
        k = slug(label)
        if k in fracties:
            state.report.append(f"fractie labels {fracties[k].name!r} and {label!r} share key {k}")
            continue
        fracties[k] = Fractie(key=k, name=name, short_name=short, alt_names=alt, wikidata=wd)


def list_memberships(state: ReferenceState) -> None:
    """Reads the member-list rows per person; adds a :class:`FractieMembership` per row (``fms``,
    ``fm_keys``), dropping a row that ends before it starts and reporting overlapping rows."""
    report = state.report
    for pid, rows in state.by_pid.items():
        pk = state.person_key[id(state.pid_person[pid])]
        good = []
        for r in rows:
            if r.end is not None and r.end < r.start:
                report.append(f"{r.source}: period of {pk} ends ({r.end}) before it starts ({r.start}); dropped")
                continue
            good.append(r)
        good.sort(key=lambda r: (r.start, r.end or dt.date.max))
        for a, b in zip(good, good[1:]):
            if a.end is None or b.start < a.end:
                report.append(f"{b.source}: period of {pk} from {b.start} overlaps the one of {a.start}-{a.end} ({a.source})")
        for r in good:
            k = f"{pk}-{ymd(r.start)}-{slug(r.fractie)}"
            if k in state.fm_keys:
                i = 2
                while f"{k}-{i}" in state.fm_keys:
                    i += 1
                k = f"{k}-{i}"
            state.fm_keys.add(k)
            state.fms.append(FractieMembership(k, pk, slug(r.fractie), r.start, r.end,
                                               r.function.lower() if r.function else None, r.source))


def find_election_eves(state: ReferenceState) -> None:
    """Reads the list periods; adds the election eves they show (``eves``, see
    :func:`ingest.periods.election_eves`)."""
    state.eves = election_eves(state.fms)


def _openkamer_party_labels(state: ReferenceState) -> dict[int, set[str]]:
    """Reads OpenKamer's party memberships: the normalised names and short names of the parties of
    each OpenKamer person pk."""
    ok_party_label: dict[int, set[str]] = defaultdict(set)
    party_by_pk = {op_.pk: op_ for op_ in state.ok_parties}
    for pm in src.read_openkamer_party_members(state.data_dir):
        op_ = party_by_pk.get(pm.party)
        if op_:
            ok_party_label[pm.person].update(x for x in {norm_name(op_.name), norm_name(op_.short_name or "")} if x)
    return ok_party_label


class _GapFiller:
    """Fills the member-list gaps of one run of :func:`fill_gaps_from_openkamer` (see there)."""

    def __init__(self, state: ReferenceState) -> None:
        self.state = state
        self.eve_set = set(state.eves)
        self.labels = _openkamer_party_labels(state)
        self.by_person: dict[str, list[FractieMembership]] = defaultdict(list)
        for fm in state.fms:
            self.by_person[fm.person_key].append(fm)
        self.filled = 0

    def gap_of(self, pk: str, om: src.OkParliamentMemberRow) -> tuple[FractieMembership, dt.date, dt.date] | None:
        """The list period an OpenKamer membership continues and the days of the gap after it, or
        None (no such period, no gap, or OpenKamer's dates are year-precise only)."""
        one = dt.timedelta(days=1)
        mine = sorted(self.by_person.get(pk, ()), key=lambda f: f.start)
        if not mine:
            return None
        if (om.joined.month, om.joined.day) == (1, 1) or (om.left and (om.left.month, om.left.day) == (1, 1)):
            self.state.report.append(f"{om.source}: openkamer membership of {pk} {om.joined}..{om.left or ''} is "
                                     f"year-precise only (1 January); not used to fill the member list")
            return None
        if om.left is None:
            o_end = src.OK_FIXTURE_DATE
        else:
            o_end = om.left if om.left in self.eve_set else om.left - one
        # the list period this OpenKamer period continues
        base = [f for f in mine if f.start <= o_end and f.end is not None and om.joined <= f.end + one
                and f.end < o_end]
        if not base:
            return None
        prev = max(base, key=lambda f: f.end)  # type: ignore[arg-type,return-value]
        gap_start = prev.end + one  # type: ignore[operator]
        if any(f.start <= gap_start and (f.end is None or gap_start <= f.end) for f in mine):
            return None  # no gap: another list period runs on (Kuzu: PvdA, then Groep Kuzu/Öztürk)
        later = [f for f in mine if f.start >= gap_start]
        gap_end = min([o_end] + [f.start - one for f in later])
        if gap_end < gap_start:
            return None
        return prev, gap_start, gap_end

    def fractie_of(self, om: src.OkParliamentMemberRow, pk: str, prev: FractieMembership, gap_start: dt.date,
                   gap_end: dt.date) -> tuple[str | None, str]:
        """The fractie of the fill and a note on it (None: not filled, reported): the fractie of the
        period continued, when OpenKamer's parties agree, as it goes on after an election eve."""
        report = self.state.report
        fr = self.state.fracties.get(prev.fractie_key)
        labels = self.labels.get(om.person, set())
        names = {norm_name(x) for x in ((fr.name, fr.short_name or "", *fr.alt_names) if fr else ())} | {norm_name(prev.fractie_key)}
        if labels and not (labels & names):
            report.append(f"{om.source}: gap of {pk} {gap_start}..{gap_end} not filled: openkamer party "
                          f"{sorted(labels)} differs from list fractie {prev.fractie_key}")
            return None, ""
        if prev.end in self.eve_set:
            fk, fr_note = fractie_after_eve(prev.fractie_key, prev.end, self.state.fms)  # type: ignore[arg-type]
            if fk is None:
                report.append(f"{om.source}: gap of {pk} {gap_start}..{gap_end} not filled: {fr_note}")
            return fk, fr_note
        return prev.fractie_key, ""

    def fill(self, om: src.OkParliamentMemberRow) -> None:
        """Fill the gap an OpenKamer Tweede Kamer membership shows, if any."""
        state = self.state
        pk = state.person_key[id(state.ok_person[om.person])]
        gap = self.gap_of(pk, om)
        if gap is None:
            return
        prev, gap_start, gap_end = gap
        fractie_key, fr_note = self.fractie_of(om, pk, prev, gap_start, gap_end)
        if fractie_key is None:
            return
        k = f"{pk}-{ymd(gap_start)}-{fractie_key}"
        if k in state.fm_keys:
            return
        state.fm_keys.add(k)
        is_open = om.left is None and gap_end == src.OK_FIXTURE_DATE
        deriv = (f"{OK_FILL_PREFIX}: ontbrekende periode in de ledenlijst; OpenKamer ({om.source}) heeft het "
                 f"Tweede Kamerlidmaatschap {om.joined}..{om.left or 'open'}; "
                 + (f"fractie ongewijzigd sinds de vorige periode ({prev.source})" if not fr_note else fr_note))
        if is_open:
            deriv += f"; einde {gap_end} is de datum van de OpenKamer-gegevens, {OPEN_END}"
        new = FractieMembership(k, pk, fractie_key, gap_start, gap_end, None, om.source, deriv)
        state.fms.append(new)
        self.by_person[pk].append(new)
        self.filled += 1
        note = " (open in openkamer: end is the fixture date, real end unknown)" if is_open else ""
        state.report.append(f"{om.source}: member-list gap of {state.persons[pk].name} filled {gap_start}..{gap_end} "
                            f"as {fractie_key} (continues {prev.source}){' ' + fr_note if fr_note else ''}{note}")


def fill_gaps_from_openkamer(state: ReferenceState) -> None:
    """Reads OpenKamer's Tweede Kamer memberships and party memberships; adds a derived
    :class:`FractieMembership` for each gap of the member list they show (``fms``).

    The member list lacks periods of some re-elected members (e.g. Leijten, Karabulut after
    2017-03-22). An OpenKamer Tweede Kamer membership that continues a list period beyond its end
    fills the gap, with the fractie of that list period, when OpenKamer's party memberships of the
    person agree with that fractie (or give none). Soundness rules (each reported when it bites):

    - OpenKamer's ``left`` is the day after the last day, except when it is an election eve (then
      it is the last day: every member sits until the eve);
    - a period with a 1 January date is year-precise only (1959-01-01..1987-01-01) and not used;
    - a fill never overlaps a list period (Kuzu's PvdA period is followed on 2014-11-13 by
      Groep Kuzu/Öztürk, so OpenKamer's 2014-11-14.. is no gap);
    - a fill across an election eve keeps the fractie only if the list still has it afterwards
      (see :func:`ingest.periods.fractie_after_eve`);
    - an open OpenKamer end means "still a member on the fixture date": the fill ends on that date
      and its derivation says the real end is unknown (``complete_reference`` may extend it).
    """
    filler = _GapFiller(state)
    for om in src.read_openkamer_parliament_members(state.data_dir):
        if om.parliament != 1 or om.joined is None or om.person not in state.ok_person:
            continue
        filler.fill(om)
    state.report.append(f"openkamer: {filler.filled} gaps of the member list filled")


def join_kamer_memberships(state: ReferenceState) -> None:
    """Reads all fractie periods, listed and filled; adds the Kamer memberships over each person's
    runs of touching periods (``kms``, see :func:`ingest.periods.kamer_memberships_of`)."""
    by_person: dict[str, list[FractieMembership]] = defaultdict(list)
    for fm in state.fms:
        by_person[fm.person_key].append(fm)
    for pk, lst in by_person.items():
        state.kms.extend(kamer_memberships_of(pk, lst))
