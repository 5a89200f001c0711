"""Complete the member periods with the memberships that written questions prove.

The Tweede Kamer's member-period list (``reference/tk-kamerleden-perioden.json``) has no rows for
sitting members who were re-elected at the 2017 and 2021 elections (Renske Leijten's last row ends
2017-03-22), while it does record new members (rows from the installation day), fractie changes
and returns from leave as rows. OpenKamer fills part of the 2017 gap, up to its fixture date
2019-12-08 only.

Evidence: only sitting members can submit written questions, so a person recorded by the Tweede
Kamer's OData as Indiener/Medeindiener of a Zaak started on D was a member on D.

Two passes (:func:`complete_reference`):

1. every asker name of every (not deleted) Zaak is resolved with the given reference; the names
   that find no person are the open cases;
2. per Kamer (the days after an election eve up to the next eve, the eves derived from the list by
   :func:`ingest.periods.election_eves`), in date order: for an open case (name, D) the
   candidates are the persons matching the surname (as the resolver's index) who qualify by
   :func:`ingest.resolve.reelection_basis` (their latest period ended on the eve E opening D's
   Kamer, or is a derived period with an unknown end in this or the previous Kamer, and no period
   starts in (E, D]). The candidates sitting on D (per the reference) are added, and the resolver's
   normal narrowing (initials, roepnaam) runs over both; only when exactly one person is left and
   it is a qualifying one, (name, D) is evidence for that person. Anything else stays unresolved.

Per person and Kamer with evidence, dated d1..dn:

- the period continued ended on the eve E: a new fractie period from E+1 (a re-elected sitting
  member is installed with the new Kamer; the list gives rows to members who were not sitting) in
  the same fractie (the list records changes as rows; if the list has no such fractie after E, see
  :func:`ingest.periods.fractie_after_eve`) until dn, the last date the evidence shows;
- the period continued is a derived one with an unknown end in this Kamer: it is extended to dn;
- it is such a period in the previous Kamer: evidence in both Kamers without a row on E+1 means a
  sitting member re-elected, so it runs to E, and a new period starts on E+1 as above.

The end dn is the last date evidence shows, not a real end: the derivation says so. A later list
row of the same person in the same Kamer is not bridged (such rows also mark returns from leave:
Ouwehand 2018-10-11, Omtzigt 2021-09-15). Every derived period has a ``derivation`` text and a line
in ``ReferenceData.report``; Kamer memberships are rebuilt over listed and derived periods.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from ingest.askers_unlisted import PrintedFractie, unlisted_members
from ingest.name_use import names_as_used
from ingest.records import FractieMembership, KamerMembership, ReferenceData, ZaakRecord
from ingest.periods import (
    INFERRED_PREFIX,
    OPEN_END,
    MAX_EVIDENCE_GAP,
    OPEN_START,
    evidence_runs,
    fractie_after_eve,
    installed_eves,
    is_listed,
    kamer_memberships_of,
    list_cutoff,
    ymd,
)
from ingest.resolve import Resolver, _on, reelection_basis, term_of

ODATA_NAME = "Tweede Kamer OData"


@dataclasses.dataclass
class _Evidence:
    dates: list[dt.date] = dataclasses.field(default_factory=list)
    zaken: list[ZaakRecord] = dataclasses.field(default_factory=list)
    names: set[str] = dataclasses.field(default_factory=set)


def _evidence_text(ev: _Evidence) -> str:
    first, last = min(ev.dates), max(ev.dates)
    nums = sorted({z.nummer for z in ev.zaken})
    ex = ", ".join(nums[:3]) + (", ..." if len(nums) > 3 else "")
    return (f"lid blijkt uit {len(nums)} schriftelijke vragen {first}..{last} ({ODATA_NAME}, Indiener/Medeindiener; "
            f"o.a. {ex})")


def _open_cases(base: Resolver, zaken: Iterable[ZaakRecord]) -> dict[tuple[str, dt.date], list[ZaakRecord]]:
    """Pass 1: every (asker name, date) of the not deleted ``zaken`` that ``base`` resolves to no
    person, with the Zaken naming it."""
    open_cases: dict[tuple[str, dt.date], list[ZaakRecord]] = defaultdict(list)
    seen: dict[tuple[str, dt.date], bool] = {}
    for z in zaken:
        if z.verwijderd:
            continue
        on = z.gestart_op
        for role, names in (("indiener", z.indieners), ("medeindiener", z.medeindieners)):
            for n in names:
                key = (n, on)
                ok = seen.get(key)
                if ok is None:
                    ok = seen[key] = base.resolve_asker(n, role, 1, on).person_key is not None  # type: ignore[arg-type]
                if not ok:
                    open_cases[key].append(z)
    return open_cases


class _Inference:
    """Pass 2 (see the module text): the periods per person as they grow, what was added or
    replaced, and the report lines."""

    def __init__(self, base: Resolver, open_cases: dict[tuple[str, dt.date], list[ZaakRecord]]) -> None:
        self.base = base
        self.eves = base.eves
        self.open_cases = open_cases
        self.report: list[str] = []
        self.state: dict[str, list[FractieMembership]] = {k: list(v) for k, v in base.fms.items()}
        self.replaced: dict[str, FractieMembership] = {}  # key -> new version of an existing period
        self.added: list[FractieMembership] = []
        self.touched: set[str] = set()
        self.not_inferred: dict[tuple[str, int], list[dt.date]] = defaultdict(list)
        self.not_inferred_why: dict[tuple[str, int], str] = {}
        self.cutoff = list_cutoff(base.ref.fractie_memberships)
        self.installed = installed_eves(base.ref.fractie_memberships, self.eves)
        self.returns: set[tuple[str, str]] = set()  # (person, basis key): a return after the list's cut-off

    def basis_of(self, k: str, on: dt.date) -> tuple[FractieMembership, bool] | None:
        """The period an inferred membership of ``k`` on ``on`` continues, and whether it is a return
        after the list's cut-off (else a re-election, see :func:`ingest.resolve.reelection_basis`).

        A listed period ending on an eve after which the list has every seat (``installed_eves``) is no
        re-election: the member was not installed. A person with no period on a date after the list's
        cut-off whose latest period is listed and ended in this Kamer (on its eve included) returns:
        from leave (Rajkowski, leave from 2023-12-08) or as a replacement (De Groot for Rooderkerk
        from 2023-12-12), on a day the list does not have."""
        fms = self.state.get(k, [])
        b = reelection_basis(fms, on, self.eves)
        if b is not None and not (is_listed(b) and b.end in self.installed):
            return b, False
        i = term_of(self.eves, on)
        if self.cutoff is None or on <= self.cutoff or i < 0:
            return None
        prior = [f for f in fms if f.start <= on]
        if not prior or any(f.end is None or f.end >= on for f in prior):
            return None
        last = max(prior, key=lambda f: (f.start, f.end or dt.date.max))
        if is_listed(last) and last.end is not None and last.end >= self.eves[i]:
            return last, True
        return None

    def put(self, fm: FractieMembership, *, new: bool) -> None:
        """Add a new period, or a new version of an existing one (by key), to its person's periods."""
        lst = self.state.setdefault(fm.person_key, [])
        if not new:
            lst[:] = [x for x in lst if x.key != fm.key]
            if any(a.key == fm.key for a in self.added):
                self.added[:] = [fm if a.key == fm.key else a for a in self.added]
            else:
                self.replaced[fm.key] = fm
        else:
            self.added.append(fm)
        lst.append(fm)
        lst.sort(key=lambda f: f.start)
        self.touched.add(fm.person_key)

    def evidence_in(self, i: int, cases: list[tuple[str, dt.date]]) -> dict[tuple[str, str], _Evidence]:
        """The evidence the open cases of Kamer ``i`` give, per (person, key of the period it
        continues); a case that does not narrow to one qualifying person is noted as not inferred."""
        base = self.base
        evidence: dict[tuple[str, str], _Evidence] = {}  # (person, basis key) -> evidence
        for name, on in sorted(cases, key=lambda x: (x[1], x[0])):
            parsed = base._parsed(name)
            cands = base._candidates(parsed)
            if not cands:
                continue
            bases = {k: b for k in cands if (b := self.basis_of(k, on)) is not None}
            qual = {k: b[0] for k, b in bases.items()}
            if not qual:
                continue
            sitting = {k for k in cands if any(_on(f.start, f.end, on) for f in self.state.get(k, ()))}
            left, _ev, why = base._narrow(parsed, {k: cands[k] for k in set(qual) | sitting})
            if why or len(left) != 1 or left[0] not in qual:
                self.not_inferred[(name, i)].append(on)
                who = ", ".join(sorted(base.ref.persons[k].name for k in (left or qual)))
                self.not_inferred_why[(name, i)] = why or f"{len(left)} candidates left ({who})"
                continue
            pk = left[0]
            ev = evidence.setdefault((pk, qual[pk].key), _Evidence())
            if bases[pk][1]:
                self.returns.add((pk, qual[pk].key))
            ev.dates.append(on)
            ev.zaken.extend(self.open_cases[(name, on)])
            ev.names.add(name)
        return evidence

    def close_previous(self, who: str, pk: str, basis: FractieMembership, e: dt.date) -> FractieMembership:
        """A derived period with an unknown end in the previous Kamer: it runs to the eve ``e``."""
        one = dt.timedelta(days=1)
        deriv = (f"{basis.derivation}; verlengd ({INFERRED_PREFIX}) tot verkiezingsvooravond {e}: lid ook in "
                 f"de volgende Kamer zonder rij vanaf {e + one} in de ledenlijst, dus zittend lid herkozen")
        self.report.append(f"{INFERRED_PREFIX}: {who} ({pk}) {basis.fractie_key} period {basis.start}.. extended "
                           f"from {basis.end} to the eve {e} (member again after the election, no list row)")
        basis = dataclasses.replace(basis, end=e, derivation=deriv)
        self.put(basis, new=False)
        return basis

    def apply(self, i: int, pk: str, basis_key: str, ev: _Evidence) -> None:
        """The evidence of one person in Kamer ``i``: extend the period it continues in this Kamer,
        or start a new one the day after the eve (closing a period left open in the previous Kamer)."""
        base = self.base
        e = self.eves[i]
        e_next = self.eves[i + 1] if i + 1 < len(self.eves) else None
        one = dt.timedelta(days=1)
        basis = next(f for f in self.state[pk] if f.key == basis_key)
        if (pk, basis_key) in self.returns:
            self.apply_return(e, pk, basis, ev)
            return
        last = max(ev.dates)
        first_z = min(ev.zaken, key=lambda z: (z.gestart_op, z.nummer))
        who = base.ref.persons[pk].name
        etext = _evidence_text(ev)
        if not (basis.end is not None and e < basis.end) and last == e + one:
            # the Kamer registers on its first day questions submitted before, by members of the Kamer that ended
            # on the eve: 2017Z03962 of 2017-03-23 is Albert de Vries's, who was not re-elected
            self.report.append(f"{INFERRED_PREFIX}: {who} ({pk}) not inferred re-elected: {etext}, only on the first "
                               f"day of the Kamer ({e + one}), which also registers questions of members up to the "
                               f"eve {e}")
            return
        if basis.end is not None and e < basis.end:
            # a derived period with an unknown end in this Kamer: extend it
            new_end = last
            deriv = (f"{basis.derivation}; verlengd ({INFERRED_PREFIX}) tot {new_end}: {etext}; "
                     f"einde = laatste vraag, {OPEN_END}")
            self.put(dataclasses.replace(basis, end=new_end, derivation=deriv), new=False)
            self.report.append(f"{INFERRED_PREFIX}: {who} ({pk}) {basis.fractie_key} period {basis.start}.. extended "
                               f"from {basis.end} to {new_end}: {etext}")
            return
        if basis.end != e:
            basis = self.close_previous(who, pk, basis, e)
        fk, fr_note = fractie_after_eve(basis.fractie_key, e, base.ref.fractie_memberships)
        if fk is None:
            self.report.append(f"{INFERRED_PREFIX}: {who} ({pk}) member {e + one}..{last} by evidence, but not "
                               f"inferred: {fr_note}")
            return
        start = e + one
        end = last
        if e_next is not None:
            end = min(end, e_next)
        later = [f for f in self.state[pk] if f.start > end]
        k = f"{pk}-{ymd(start)}-{fk}"
        src = basis.source
        deriv = (f"{INFERRED_PREFIX}: herkozen lid zonder rij in de ledenlijst; {etext}; begin = dag na "
                 f"verkiezingsvooravond {e}; "
                 + (f"fractie ongewijzigd sinds vorige periode ({basis.key}, {src})" if not fr_note else fr_note)
                 + f"; einde = laatste vraag, {OPEN_END}")
        if later:
            nxt = min(later, key=lambda f: f.start)
            deriv += f"; volgende periode {nxt.start} ({nxt.fractie_key}), tussenliggende dagen niet ingevuld"
        fm = FractieMembership(k, pk, fk, start, end, None, first_z.source, deriv)
        self.put(fm, new=True)
        self.report.append(f"{INFERRED_PREFIX}: {who} ({pk}) {fk} {start}..{end}: {etext}"
                           + (f"; {fr_note}" if fr_note else ""))

    def apply_return(self, e: dt.date, pk: str, basis: FractieMembership, ev: _Evidence) -> None:
        """The evidence of a person returning after the list's cut-off: a new period from the first to the
        last question of each run of questions at most ``MAX_EVIDENCE_GAP`` apart (both only the dates
        known), in the fractie of the period before (a member back from leave takes up the seat; a
        replacement takes a seat of the own party's list), or the fractie it went on as after the eve
        ``e`` (:func:`ingest.periods.fractie_after_eve`)."""
        base = self.base
        who = base.ref.persons[pk].name
        fk, fr_note = basis.fractie_key, ""
        if basis.end == e:
            fk, fr_note = fractie_after_eve(basis.fractie_key, e, base.ref.fractie_memberships)
        if fk is None:
            self.report.append(f"{INFERRED_PREFIX}: {who} ({pk}) member {min(ev.dates)}..{max(ev.dates)} by "
                               f"evidence, but not inferred: {fr_note}")
            return
        for start, end in evidence_runs(ev.dates):
            run = _Evidence([d for d in ev.dates if start <= d <= end],
                            [z for z in ev.zaken if start <= z.gestart_op <= end], ev.names)
            first_z = min(run.zaken, key=lambda z: (z.gestart_op, z.nummer))
            etext = _evidence_text(run)
            deriv = (f"{INFERRED_PREFIX}: lid na het einde van de ledenlijst ({self.cutoff}) zonder rij, vorige "
                     f"periode tot {basis.end} ({basis.key}, {basis.source}): terug na verlof of als opvolger; "
                     f"{etext}; begin = eerste vraag, {OPEN_START}; "
                     + ("fractie als in de vorige periode" if not fr_note else fr_note)
                     + f"; einde = laatste vraag, {OPEN_END}"
                     + (f"; vragen meer dan {MAX_EVIDENCE_GAP.days} dagen uiteen zijn aparte periodes"
                        if len(ev.dates) > len(run.dates) else ""))
            fm = FractieMembership(f"{pk}-{ymd(start)}-{fk}", pk, fk, start, end, None, first_z.source, deriv)
            self.put(fm, new=True)
            self.report.append(f"{INFERRED_PREFIX}: {who} ({pk}) {fk} {start}..{end} (return after the list's "
                               f"cut-off {self.cutoff}; start and end unknown): {etext}")

    def cutoff_summary(self) -> None:
        """A report line per eve after which the list has every seat: how many listed periods end on it,
        how many of those members go on with a row from the next day, how many leave the Kamer there
        (a real end), and how many of those come back after the list's cut-off by evidence."""
        listed = [f for f in self.base.ref.fractie_memberships if is_listed(f)]
        one = dt.timedelta(days=1)
        for e in sorted(self.installed):
            ending = [f for f in listed if f.end == e]
            on_next = {f.person_key for f in listed if f.start == e + one}
            go_on = [f for f in ending if f.person_key in on_next]
            back = {pk for pk, key in self.returns if any(f.key == key and f.end == e for f in ending)}
            self.report.append(
                f"{INFERRED_PREFIX}: eve {e}: {len(ending)} listed periods end on it; {len(go_on)} members go on with a "
                f"row from {e + one} (the list has every seat then); {len(ending) - len(go_on)} leave the Kamer "
                f"(a real end), {len(back)} of them back later by evidence; list cut-off {self.cutoff}")

    def summary(self) -> None:
        """The report lines of the cases not inferred and the counts of what was."""
        for (name, i), dates in sorted(self.not_inferred.items()):
            self.report.append(f"{INFERRED_PREFIX}: not inferred for {name!r} on {len(dates)} date(s) "
                               f"{min(dates)}..{max(dates)}: {self.not_inferred_why[(name, i)]}")
        self.report.append(f"{INFERRED_PREFIX}: {len(self.added)} periods inferred and {len(self.replaced)} derived "
                           f"periods extended from the askers of {ODATA_NAME} Zaken")


def complete_reference(ref: ReferenceData, zaken: Iterable[ZaakRecord], printed: Iterable[PrintedFractie] = (),
                       ) -> ReferenceData:
    """``ref`` plus the fractie and Kamer periods inferred from the askers of ``zaken``: the open
    cases (pass 1), then per Kamer in order the evidence they give and what it adds (pass 2); Kamer
    memberships rebuilt for every person touched; then the askers in no list as persons with an
    inferred Kamer membership (:mod:`ingest.askers_unlisted`; a fractie only as ``printed`` in a
    published text). Call it before :class:`ingest.resolve.Resolver`."""
    zaken = list(zaken)
    base = Resolver(ref)
    open_cases = _open_cases(base, zaken)
    by_term: dict[int, list[tuple[str, dt.date]]] = defaultdict(list)
    for (n, on) in open_cases:
        i = term_of(base.eves, on)
        if i >= 0:
            by_term[i].append((n, on))
    inf = _Inference(base, open_cases)
    for i in sorted(by_term):
        for (pk, basis_key), ev in sorted(inf.evidence_in(i, by_term[i]).items()):
            inf.apply(i, pk, basis_key, ev)
    inf.summary()
    inf.cutoff_summary()
    fms = tuple(inf.replaced.get(f.key, f) for f in ref.fractie_memberships) + tuple(inf.added)
    kms: list[KamerMembership] = [km for km in ref.kamer_memberships if km.person_key not in inf.touched]
    for pk in sorted(inf.touched):
        kms.extend(kamer_memberships_of(pk, inf.state[pk]))
    persons, u_kms, u_fms, u_report = unlisted_members(base, open_cases, printed)
    done = dataclasses.replace(ref, persons={**ref.persons, **persons}, fractie_memberships=fms + tuple(u_fms),
                               kamer_memberships=tuple(kms) + tuple(u_kms),
                               report=tuple(ref.report) + tuple(inf.report) + tuple(u_report))
    return names_as_used(done, zaken)


infer_memberships = complete_reference

__all__ = ["complete_reference", "infer_memberships"]
