"""Fold the Tweede Kamer's own member records (OData/SyncFeed) into the reference data.

``kamergraph sync`` fetches Persoon, Fractie, FractieZetel and FractieZetelPersoon records from
the open-data API. :func:`overlay_tk_records` lays the latest version of each over the
:class:`ReferenceData` of the bundled lists (after :func:`ingest.infer.complete_reference`,
before :func:`ingest.map.map_reference`), so that members and fracties that appeared or changed
upstream reach the graph through the build's own mapping. Pure: records in, records out.

- **Persoon** updates the :class:`Person` with that ``tk_guid`` (Achternaam, Tussenvoegsel,
  Roepnaam, Voornamen, Initialen, Geboortedatum; an empty field keeps the bundled value; the model
  has no gender) or, when a FractieZetelPersoon refers to it (the API has every person it knows,
  the reference data members and office holders), adds a new Person keyed by its GUID.
- **Fractie** is matched to a bundled :class:`Fractie` by normalised name or short name
  (``NaamNL``, ``Afkorting`` against name, short name, other names and key); a bundled fractie is
  kept as it is. One that matches none is added, keyed ``slug(Afkorting or NaamNL)``.
- **FractieZetelPersoon** (its FractieZetel gives the Fractie) becomes a :class:`FractieMembership`
  ``Van``..``TotEnMet`` with ``Functie`` lower-cased (``Lid`` is no function: the member list gives
  one only for more than membership), keyed as the build keys list periods
  (``<person>-<YYYYMMDD>-<fractie>``). A bundled period of the same person and fractie that it
  overlaps, or that is a derived period with an unknown end ending the day before it starts (the
  period it continues), is merged into it instead of being duplicated: upstream's dates win (an
  open period that now ends), the start is the earliest, and the key stays the bundled one when the
  start is the same. The Kamer memberships of every touched person are recomputed
  (:func:`ingest.periods.kamer_memberships_of`).
- ``Verwijderd`` records add nothing, so the overlay (always recomputed from the bundled data and
  the latest record of each id) no longer has what they added.
- A record that cannot be used (unknown Persoon_Id, unknown or deleted FractieZetel or Fractie,
  ``Van`` after ``TotEnMet``, an unparseable date) gets a problem naming its source (the page URL
  and the entry's position) and the problem; the rest goes on. The problems are also added to
  ``ReferenceData.report``.

Every produced Person, FractieMembership and KamerMembership carries the :class:`SourceRef` of
the upstream record it came from.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ingest.records import Fractie, FractieMembership, Person, ReferenceData, SourceRef
from ingest.names import display_name, norm_name
from ingest.periods import OPEN_END, has_open_end, kamer_memberships_of, ymd
from ontology.namespaces import slug

PERSOON, FRACTIE, ZETEL, ZETELPERSOON = "Persoon", "Fractie", "FractieZetel", "FractieZetelPersoon"
TK_NAME = "Tweede Kamer OData"

Record = Mapping[str, Any]
SourceOf = Callable[[str, str], SourceRef] | Mapping[tuple[str, str], SourceRef]


@dataclass
class RecordFate:
    """What the overlay did with one upstream record.

    ``status``: ``"added"`` (a new person, fractie or period), ``"updated"`` (changed a bundled one),
    ``"unchanged"`` (said what the bundled data says), ``"used"`` (a FractieZetel, used by its
    periods), ``"unused"`` (a FractieZetel no period refers to, a new Persoon without a fractie
    period: not a member), ``"deleted"``
    (``Verwijderd``: nothing added) or ``"unusable"`` (with ``problems``)."""

    entity: str
    id: str
    source: SourceRef
    status: str
    problems: list[str] = field(default_factory=list)
    produced: list[str] = field(default_factory=list)  # keys of what it added or changed


def _where(src: SourceRef) -> str:
    return f"{src.file}, entry {src.line}" if src.line is not None else src.file


def _text(rec: Record, name: str) -> str | None:
    v = rec.get(name)
    if v is None:
        return None
    v = str(v).strip()
    return v or None


def parse_tk_date(value: Any) -> dt.date | None:
    """An OData ``Edm.Date``/``Edm.DateTimeOffset`` (``2023-12-06``, ``2023-12-06T00:00:00+01:00``) as the
    date it names (the local date as written). None for null; ValueError when unreadable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")  # noqa: TRY004 (bad input, reported as a problem)
    s = value.strip()
    try:
        if "T" in s:
            return dt.datetime.fromisoformat(s).date()
        return dt.date.fromisoformat(s)
    except ValueError:
        raise ValueError(f"not a date: {value!r}") from None


def _display(given: str | None, first_names: str | None, prefix: str, family: str) -> str:
    return display_name(given, first_names, prefix, family)


def _latest(records: Iterable[Record] | Mapping[str, Record]) -> dict[str, Record]:
    items = records.values() if isinstance(records, Mapping) else records
    out: dict[str, Record] = {}
    for r in items:
        if isinstance(r, Mapping) and isinstance(r.get("Id"), str):
            out[r["Id"]] = r
    return out


class _Overlay:
    """One run of :func:`overlay_tk_records`: the reference data as it changes, the fate of every
    record and the report lines, one method per kind of record."""

    def __init__(self, ref: ReferenceData, source: SourceOf) -> None:
        self.ref = ref
        self.source = source
        self.fates: dict[tuple[str, str], RecordFate] = {}
        self.report: list[str] = []
        self.persons = dict(ref.persons)
        self.by_guid = {p.tk_guid: k for k, p in self.persons.items() if p.tk_guid}
        self.candidates: dict[str, Person] = {}  # new persons, added when a fractie period refers to them
        self.fr_all = dict(ref.fracties)
        self.fr_index: dict[str, set[str]] = defaultdict(set)
        self.fractie_key: dict[str, str] = {}  # upstream Fractie Id -> fractie key
        self.zetel_fractie: dict[str, str] = {}  # zetel Id -> fractie key
        self.zetel_problem: dict[str, str] = {}
        self.fms = list(ref.fractie_memberships)
        self.touched: set[str] = set()

    def src_of(self, entity: str, rid: str) -> SourceRef:
        """Where the record ``(entity, rid)`` was read."""
        source = self.source
        return source(entity, rid) if callable(source) else source.get((entity, rid), SourceRef(f"{entity} {rid}"))

    def fate(self, entity: str, rid: str, status: str, problem: str | None = None) -> RecordFate:
        """Record what became of a record (a problem is also a report line)."""
        src = self.src_of(entity, rid)
        f = self.fates[(entity, rid)] = RecordFate(entity, rid, src, status)
        if problem:
            f.problems.append(f"{_where(src)}: {entity} {rid}: {problem}")
            self.report.append(f.problems[-1])
        return f

    # ------------------------------------------------------------------ Persoon

    def persoon(self, rid: str, rec: Record) -> None:
        """Update the person with this GUID, or keep a new one as a candidate member."""
        if rec.get("Verwijderd"):
            self.fate(PERSOON, rid, "deleted")
            return
        src = self.src_of(PERSOON, rid)
        try:
            birth = parse_tk_date(rec.get("Geboortedatum"))
        except ValueError as exc:
            self.fate(PERSOON, rid, "unusable", f"Geboortedatum: {exc}")
            return
        family, prefix = _text(rec, "Achternaam"), _text(rec, "Tussenvoegsel") or ""
        given, first, initials = _text(rec, "Roepnaam"), _text(rec, "Voornamen"), _text(rec, "Initialen")
        key = self.by_guid.get(rid)
        if key is None:
            if not family:
                self.fate(PERSOON, rid, "unusable", "no Achternaam: a new person needs a name")
                return
            if rid in self.persons:  # a key that is this GUID but without tk_guid cannot happen in the build; be safe
                self.fate(PERSOON, rid, "unusable", f"person key {rid} is taken by another person")
                return
            # added when a fractie period refers to it (the reference data holds members and office holders,
            # the API every person it knows)
            self.candidates[rid] = Person(
                key=rid, name=_display(given, first, prefix, family), family_name=family, prefix=prefix,
                given_name=given, first_names=first, initials=initials, birth_date=birth,
                birth_year=birth.year if birth else None, tk_guid=rid, sources=(src,))
            self.fate(PERSOON, rid, "unused")
            return
        old = self.persons[key]
        new_parts = {
            "family_name": family or old.family_name,
            "prefix": prefix if family else old.prefix,  # the Tussenvoegsel belongs with the Achternaam
            "given_name": given or old.given_name,
            "first_names": first or old.first_names,
            "initials": initials or old.initials,
            "birth_date": birth or old.birth_date,
            "birth_year": birth.year if birth else old.birth_year,
        }
        changed = any(getattr(old, k) != v for k, v in new_parts.items())
        if not changed:
            self.persons[key] = dataclasses.replace(old, sources=old.sources + (src,))
            self.fate(PERSOON, rid, "unchanged")
            return
        name_parts = ("family_name", "prefix", "given_name", "first_names")
        name = old.name
        if any(getattr(old, k) != new_parts[k] for k in name_parts):
            name = _display(new_parts["given_name"], new_parts["first_names"], new_parts["prefix"],
                            new_parts["family_name"])
        self.persons[key] = dataclasses.replace(old, name=name, sources=old.sources + (src,), **new_parts)
        self.fate(PERSOON, rid, "updated").produced.append(key)

    # ------------------------------------------------------------------ Fractie

    def index_fracties(self) -> None:
        """Index the bundled fracties by normalised name, short name, other names and key."""
        for f in self.fr_all.values():
            for n in (f.name, f.short_name or "", *f.alt_names, f.key):
                if norm_name(n):
                    self.fr_index[norm_name(n)].add(f.key)

    def fractie(self, rid: str, rec: Record) -> None:
        """Match an upstream Fractie to a bundled fractie, or add it."""
        if rec.get("Verwijderd"):
            self.fate(FRACTIE, rid, "deleted")
            return
        naam, afk = _text(rec, "NaamNL"), _text(rec, "Afkorting")
        if not naam and not afk:
            self.fate(FRACTIE, rid, "unusable", "neither NaamNL nor Afkorting")
            return
        fr_all = self.fr_all
        hits: set[str] = set()
        for n in (naam, afk):
            if n:
                hits |= self.fr_index.get(norm_name(n), set())
        if len(hits) > 1 and afk:
            by_short = {k for k in hits if fr_all[k].short_name and norm_name(fr_all[k].short_name) == norm_name(afk)}
            hits = by_short or hits
        if hits:
            k = min(hits)
            if len(hits) > 1:
                self.report.append(f"{_where(self.src_of(FRACTIE, rid))}: Fractie {rid} ({naam or afk}) matches "
                                   f"fracties {sorted(hits)}; {k} used")
            self.fractie_key[rid] = k
            self.fate(FRACTIE, rid, "unchanged")
            return
        k = slug(afk or naam)  # type: ignore[arg-type]
        base, i = k, 2
        while k in fr_all:
            k, i = f"{base}-{i}", i + 1
        # (NaamEN is not kept: the fractie's other names are Dutch labels)
        fr_all[k] = Fractie(key=k, name=naam or afk, short_name=afk)  # type: ignore[arg-type]
        self.fr_index[norm_name(naam or afk)].add(k)  # type: ignore[arg-type]
        self.fractie_key[rid] = k
        self.fate(FRACTIE, rid, "added").produced.append(k)

    # ------------------------------------------------------------------ FractieZetel

    def zetel(self, rid: str, rec: Record, fr_latest: dict[str, Record]) -> None:
        """Note the fractie of a FractieZetel, or why its periods cannot be used."""
        if rec.get("Verwijderd"):
            self.fate(ZETEL, rid, "deleted")
            self.zetel_problem[rid] = f"its FractieZetel {rid} is deleted upstream"
            return
        fid = _text(rec, "Fractie_Id")
        if not fid:
            self.zetel_problem[rid] = f"its FractieZetel {rid} has no Fractie_Id"
            self.fate(ZETEL, rid, "unusable", "no Fractie_Id")
        elif fid in self.fractie_key:
            self.zetel_fractie[rid] = self.fractie_key[fid]
            self.fate(ZETEL, rid, "unused")
        else:
            why = ("deleted upstream" if fr_latest.get(fid, {}).get("Verwijderd") else
                   "not usable" if fid in fr_latest else "not among the Fractie records")
            self.zetel_problem[rid] = f"the Fractie {fid} of its FractieZetel {rid} is {why}"
            self.fate(ZETEL, rid, "unusable", f"Fractie_Id {fid} is {why}")

    # ------------------------------------------------------------------ FractieZetelPersoon

    def usable_period(self, rid: str, rec: Record) -> tuple[str, str, dt.date, dt.date | None] | None:
        """FractieZetel_Id, Persoon_Id, start and end of a FractieZetelPersoon, or None (its fate
        recorded) when it cannot be used."""
        zid, pid = _text(rec, "FractieZetel_Id"), _text(rec, "Persoon_Id")
        if not zid:
            self.fate(ZETELPERSOON, rid, "unusable", "no FractieZetel_Id")
            return None
        if zid not in self.zetel_fractie:
            self.fate(ZETELPERSOON, rid, "unusable", self.zetel_problem.get(
                zid, f"unknown FractieZetel_Id {zid} (not among the FractieZetel records)"))
            return None
        if not pid or (pid not in self.by_guid and pid not in self.candidates):
            self.fate(ZETELPERSOON, rid, "unusable", f"unknown Persoon_Id {pid} (no person with this TK GUID in the "
                                                      "reference lists or the Persoon records)")
            return None
        try:
            start = parse_tk_date(rec.get("Van"))
            end = parse_tk_date(rec.get("TotEnMet"))
        except ValueError as exc:
            self.fate(ZETELPERSOON, rid, "unusable", f"Van/TotEnMet: {exc}")
            return None
        if start is None:
            self.fate(ZETELPERSOON, rid, "unusable", "no Van (start date)")
            return None
        if end is not None and end < start:
            self.fate(ZETELPERSOON, rid, "unusable", f"Van {start} is after TotEnMet {end}")
            return None
        return zid, pid, start, end

    def merged_period(self, rid: str, pk: str, fk: str, start: dt.date, end: dt.date | None, function: str | None,
                      src: SourceRef) -> tuple[FractieMembership, list[FractieMembership]]:
        """The period of a FractieZetelPersoon merged with the bundled periods of the same person and
        fractie it overlaps or continues, and those periods."""
        one = dt.timedelta(days=1)
        fms = self.fms
        up_end = end or dt.date.max
        merged = [f for f in fms if f.person_key == pk and f.fractie_key == fk and (
            (f.start <= up_end and start <= (f.end or dt.date.max))  # overlaps
            or (has_open_end(f) and f.end is not None and f.end + one == start))]  # the derived period it continues
        new_start = min([start] + [f.start for f in merged])
        derivation = None
        before = [f for f in merged if f.start < start and f.derivation]
        if before:
            d = "; ".join(f.derivation.replace(f", {OPEN_END}", "").replace(OPEN_END, "") for f in before)  # type: ignore[union-attr]
            derivation = f"{d}; voortgezet van {start} tot {end or 'heden'} volgens {TK_NAME} (FractieZetelPersoon {rid})"
        same_start = [f for f in merged if f.start == new_start]
        key = same_start[0].key if same_start else f"{pk}-{ymd(new_start)}-{fk}"
        taken = {f.key for f in fms} - {f.key for f in merged}
        base, i = key, 2
        while key in taken:
            key, i = f"{base}-{i}", i + 1
        return FractieMembership(key, pk, fk, new_start, end, function, src, derivation), merged

    def zetelpersoon(self, rid: str, rec: Record) -> None:
        """Fold a FractieZetelPersoon in as a fractie period (adding its person when new)."""
        if rec.get("Verwijderd"):
            self.fate(ZETELPERSOON, rid, "deleted")
            return
        src = self.src_of(ZETELPERSOON, rid)
        usable = self.usable_period(rid, rec)
        if usable is None:
            return
        zid, pid, start, end = usable
        if pid not in self.by_guid:  # a new member
            self.persons[pid] = self.candidates.pop(pid)
            self.by_guid[pid] = pid
            f_p = self.fates[(PERSOON, pid)]
            f_p.status = "added"
            f_p.produced.append(pid)
        pk, fk = self.by_guid[pid], self.zetel_fractie[zid]
        self.fates[(ZETEL, zid)].status = "used"
        function = _text(rec, "Functie")
        function = function.lower() if function else None
        if function == "lid":  # the member list gives a function only when it is more than membership
            function = None
        new, merged = self.merged_period(rid, pk, fk, start, end, function, src)
        if len(merged) == 1 and merged[0] == dataclasses.replace(new, source=merged[0].source):
            self.fate(ZETELPERSOON, rid, "unchanged")
            return
        gone = {id(f) for f in merged}
        self.fms = [f for f in self.fms if id(f) not in gone] + [new]
        self.touched.add(pk)
        self.fate(ZETELPERSOON, rid, "updated" if merged else "added").produced.append(new.key)

    # ------------------------------------------------------------------ result

    def result(self) -> ReferenceData:
        """The reference data with the Kamer memberships of the touched persons recomputed and a
        report line counting what was folded in."""
        touched = self.touched
        kms = [k for k in self.ref.kamer_memberships if k.person_key not in touched]
        if touched:
            by_person: dict[str, list[FractieMembership]] = defaultdict(list)
            for f in self.fms:
                if f.person_key in touched:
                    by_person[f.person_key].append(f)
            for pk in sorted(touched):
                kms.extend(kamer_memberships_of(pk, by_person[pk]))
        fates = self.fates
        n_used = sum(1 for f in fates.values() if f.status in ("added", "updated"))
        self.report.append(f"{TK_NAME}: {n_used} member records folded in, "
                           f"{sum(1 for f in fates.values() if f.status == 'unusable')} unusable")
        return dataclasses.replace(
            self.ref, persons=self.persons, fracties=self.fr_all, fractie_memberships=tuple(self.fms),
            kamer_memberships=tuple(kms), report=self.ref.report + tuple(self.report))


def overlay_tk_records(
    ref: ReferenceData,
    personen: Iterable[Record] | Mapping[str, Record],
    fracties: Iterable[Record] | Mapping[str, Record],
    zetels: Iterable[Record] | Mapping[str, Record],
    zetelpersonen: Iterable[Record] | Mapping[str, Record],
    source: SourceOf,
) -> tuple[ReferenceData, dict[tuple[str, str], RecordFate]]:
    """``ref`` with the latest upstream records folded in (see the module text), and per (entity, Id)
    what became of the record: Persoon, Fractie, FractieZetel, FractieZetelPersoon records in turn,
    then the Kamer memberships of the persons touched.

    ``source(entity, id)`` (or ``source[(entity, id)]``) is where that record was read."""
    run = _Overlay(ref, source)
    for rid, rec in sorted(_latest(personen).items()):
        run.persoon(rid, rec)
    run.index_fracties()
    for rid, rec in sorted(_latest(fracties).items()):
        run.fractie(rid, rec)
    fr_latest = _latest(fracties)
    for rid, rec in sorted(_latest(zetels).items()):
        run.zetel(rid, rec, fr_latest)
    for rid, rec in sorted(_latest(zetelpersonen).items(), key=lambda kv: (str(kv[1].get("Van")), kv[0])):
        run.zetelpersoon(rid, rec)
    return run.result(), run.fates


# --------------------------------------------------------------------------- Kamerstukdossier

DOSSIER_SOURCE_KIND = "odata-kamerstukdossier"


def kamerstukdossier_key(rec: Record) -> str:
    """The dossier number as the text ingest writes it (``22112``, ``36200-VII``): ``Nummer`` and, when given,
    ``-Toevoeging``. ValueError when the record has no usable number."""
    nummer = rec.get("Nummer")
    if isinstance(nummer, bool) or nummer is None or not str(nummer).strip().isdigit():
        raise ValueError(f"Nummer {nummer!r} is not a dossier number")
    toevoeging = _text(rec, "Toevoeging")
    return str(int(str(nummer).strip())) + (f"-{toevoeging.replace(' ', '')}" if toevoeging else "")


def map_kamerstukdossier(rec: Record, src: SourceRef, iris: Any) -> Any:
    """An upstream Kamerstukdossier as its own record graph (``graph/dossier/{number}``): the dossier as the text
    ingest describes a cited one (``kg:Kamerstukdossier``, ``kg:dossiernummer``) with its title (``dct:title``,
    Dutch). ``Afgesloten`` is not mapped: the ontology has no term for a closed dossier (``kg:afgedaan`` is a
    Kamervraag's). ValueError when the record has no usable number."""
    from ingest.map import GraphBuilder, lit, node, v
    from ontology.namespaces import T

    key = kamerstukdossier_key(rec)
    b = GraphBuilder(iris.graph("dossier", key))
    d = node(iris.dossier(key))
    b.add(d, T.type, v(T.Kamerstukdossier))
    b.add(d, T.dossiernummer, lit(key))
    titel = _text(rec, "Titel")
    b.opt(d, T.title, lit(titel, "nl") if titel else None)
    b.provenance(iris.source_record(DOSSIER_SOURCE_KIND, str(rec.get("Id"))), src)
    return b.graph()


__all__ = ["DOSSIER_SOURCE_KIND", "RecordFate", "kamerstukdossier_key", "map_kamerstukdossier", "overlay_tk_records",
           "parse_tk_date"]
