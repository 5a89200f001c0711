"""Readers of the raw reference files: pure functions yielding plain rows with their SourceRef.

Files (paths relative to the data folder):

- ``reference/tk-kamerleden-perioden.json``: Tweede Kamer membership periods (a JSON list; the
  place of a row is its 1-based index in the list);
- ``reference/openkamer/{person,parliament,government}.json``: Django fixtures (1-based index of
  the fixture object);
- ``reference/cabinets/{bewindspersonen,ministries}.csv``: CSV (the place is the 1-based line
  of the file where the row starts; the header is line 1).

A row that cannot be read raises :class:`ingest.errors.ParseError` naming file and place. Small
defects that do not make a row unusable (a missing day of month in an 1815 record, first names
given as a number) are kept on the row in ``problems`` for the merge to report.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import ParseError
from ingest.records import SourceRef

MEMBER_PERIODS = "reference/tk-kamerleden-perioden.json"
OK_PERSONS = "reference/openkamer/person.json"
OK_PARLIAMENT = "reference/openkamer/parliament.json"
OK_GOVERNMENT = "reference/openkamer/government.json"
CAB_HOLDINGS = "reference/cabinets/bewindspersonen.csv"
CAB_MINISTRIES = "reference/cabinets/ministries.csv"


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True, slots=True)
class MemberPeriodRow:
    persoon_id: str
    surname: str  # without prefix: "Ojik"
    first_names: str | None  # "Abraham"
    gender: str | None
    birth_year: int | None
    fractie: str
    function: str | None
    start: dt.date
    end: dt.date | None
    remark: str | None
    source: SourceRef
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OkPersonRow:
    pk: int
    forename: str
    surname: str
    prefix: str
    initials: str | None
    birth_date: dt.date | None
    tk_id: str | None
    wikidata: str | None
    parlement_com_id: str | None
    source: SourceRef


@dataclass(frozen=True, slots=True)
class OkPartyRow:
    pk: int
    name: str
    short_name: str | None
    wikidata: str | None
    source: SourceRef


@dataclass(frozen=True, slots=True)
class OkGovernmentRow:
    pk: int
    name: str  # "Kabinet-Rutte III"
    start: dt.date
    end: dt.date | None
    wikidata: str | None
    source: SourceRef


@dataclass(frozen=True, slots=True)
class OkMinistryRow:
    pk: int
    name: str  # lower case: "buitenlandse zaken"
    government: int
    source: SourceRef


@dataclass(frozen=True, slots=True)
class OkPositionRow:
    pk: int
    position: str  # PMI, DPM, MIN, MWP, SOS
    ministry: int | None
    government: int
    extra_info: str
    source: SourceRef


@dataclass(frozen=True, slots=True)
class OkMemberRow:
    pk: int
    person: int
    position: int
    start: dt.date
    end: dt.date | None
    source: SourceRef


@dataclass(frozen=True, slots=True)
class HoldingRow:
    cabinet: str  # "Rutte III"
    post_title: str
    ministry_name: str | None
    person_name: str
    person_wikidata: str | None
    start: dt.date
    end: dt.date | None
    acting: bool
    post_kind: str
    ministry_tooi: str | None  # "mnre1013"
    party: str | None
    person_name_source: str  # "Drs. K.H. (Kajsa) Ollongren"
    notes: str | None
    source: SourceRef


@dataclass(frozen=True, slots=True)
class MinistryRow:
    name: str
    abbreviation: str | None
    tooi_iri: str
    tooi_code: str  # "mnre1013"
    valid_from: dt.date | None
    valid_to: dt.date | None
    kind: str
    events: tuple[str, ...]
    wikidata: str | None
    source: SourceRef


# --------------------------------------------------------------------------- helpers


def _date(value: object, file: str, line: int, field: str, *, required: bool) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise ParseError(file, line, f"missing {field}")
        return None
    if not isinstance(value, str):
        raise ParseError(file, line, f"{field} is not a date: {value!r}")
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as exc:
        raise ParseError(file, line, f"{field} is not a date: {value!r}") from exc


def _opt(value: object) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def _load_json_list(data_dir: Path, rel: str) -> list:
    path = data_dir / rel
    try:
        with path.open(encoding="utf-8") as fh:
            data = json.load(fh)
    except json.JSONDecodeError as exc:
        raise ParseError(rel, exc.lineno, f"invalid JSON: {exc.msg}") from exc
    if not isinstance(data, list):
        raise ParseError(rel, None, "expected a JSON list")
    return data


def _int_or_none(v: object) -> int | None:
    if isinstance(v, int):
        return v
    if isinstance(v, str) and v.strip().isdigit():
        return int(v)
    return None


# --------------------------------------------------------------------------- member periods


def _member_start(obj: dict, rel: str, i: int, problems: list[str]) -> dt.date:
    """The start of a member-list row (a missing day is day 1, noted in ``problems``)."""
    by, bm, bd = (_int_or_none(obj.get(k)) for k in ("Beginjaar", "Beginmaand", "Begindag"))
    if by is None or bm is None:
        raise ParseError(rel, i, "begin year or month missing")
    if bd is None:
        problems.append("begin day missing; taken as day 1")
        bd = 1
    try:
        return dt.date(by, bm, bd)
    except ValueError as exc:
        raise ParseError(rel, i, f"invalid begin date {by}-{bm}-{bd}") from exc


def _member_end(obj: dict, rel: str, i: int) -> dt.date | None:
    """The end of a member-list row, None when it is open."""
    ey, em, ed = (_int_or_none(obj.get(k)) for k in ("Eindjaar", "Eindmaand", "Einddag"))
    end: dt.date | None = None
    if ey is not None:
        if em is None or ed is None:
            raise ParseError(rel, i, "end date incomplete")
        try:
            end = dt.date(ey, em, ed)
        except ValueError as exc:
            raise ParseError(rel, i, f"invalid end date {ey}-{em}-{ed}") from exc
    elif any(obj.get(k) not in (None, "") for k in ("Eindmaand", "Einddag")):
        raise ParseError(rel, i, "end date incomplete")
    return end


def read_member_periods(data_dir: Path) -> Iterator[MemberPeriodRow]:
    """The Tweede Kamer membership periods, one row per period."""
    rel = MEMBER_PERIODS
    for i, obj in enumerate(_load_json_list(data_dir, rel), start=1):
        if not isinstance(obj, dict):
            raise ParseError(rel, i, "record is not an object")
        problems: list[str] = []
        pid = obj.get("Persoon_id")
        if not isinstance(pid, int) and not (isinstance(pid, str) and pid.isdigit()):
            raise ParseError(rel, i, f"Persoon_id missing or not a number: {pid!r}")
        surname = obj.get("Naam (Uit personen))")
        if not isinstance(surname, str) or not surname.strip():
            raise ParseError(rel, i, "surname (Naam) missing")
        fractie = obj.get("Fractie")
        if not isinstance(fractie, str) or not fractie.strip():
            raise ParseError(rel, i, "Fractie missing")
        start = _member_start(obj, rel, i, problems)
        end = _member_end(obj, rel, i)
        first = obj.get("Voornamen")
        if isinstance(first, str):
            first_names = first.strip() or None
        else:
            if first not in (None, ""):
                problems.append(f"Voornamen is not text ({first!r}); ignored")
            first_names = None
        gy = obj.get("Geboortejaar")
        yield MemberPeriodRow(
            persoon_id=str(pid),
            surname=surname.strip(),
            first_names=first_names,
            gender=_opt(obj.get("Geslacht")),
            birth_year=gy if isinstance(gy, int) else None,
            fractie=fractie.strip(),
            function=_opt(obj.get("Functie")),
            start=start,
            end=end,
            remark=_opt(obj.get("Opmerking")),
            source=SourceRef(rel, i),
            problems=tuple(problems),
        )


# --------------------------------------------------------------------------- openkamer


def _fixtures(data_dir: Path, rel: str, model: str) -> Iterator[tuple[int, int, dict]]:
    for i, obj in enumerate(_load_json_list(data_dir, rel), start=1):
        if not isinstance(obj, dict) or "model" not in obj:
            raise ParseError(rel, i, "not a Django fixture object")
        if obj["model"] != model:
            continue
        fields = obj.get("fields")
        pk = obj.get("pk")
        if not isinstance(fields, dict) or not isinstance(pk, int):
            raise ParseError(rel, i, f"{model}: missing pk or fields")
        yield i, pk, fields


def read_openkamer_persons(data_dir: Path) -> Iterator[OkPersonRow]:
    rel = OK_PERSONS
    for i, pk, f in _fixtures(data_dir, rel, "person.person"):
        surname = _opt(f.get("surname"))
        if not surname:
            if not any(_opt(f.get(k)) for k in ("forename", "tk_id", "wikidata_id", "parlement_and_politiek_id")):
                continue  # the fixture's empty placeholder person ("unknown"), referenced by nothing we read
            raise ParseError(rel, i, "person without surname")
        yield OkPersonRow(
            pk=pk,
            forename=(f.get("forename") or "").strip(),
            surname=surname,
            prefix=(f.get("surname_prefix") or "").strip(),
            initials=_opt(f.get("initials")),
            birth_date=_date(f.get("birthdate"), rel, i, "birthdate", required=False),
            tk_id=_opt(f.get("tk_id")),
            wikidata=_opt(f.get("wikidata_id")),
            parlement_com_id=_opt(f.get("parlement_and_politiek_id")),
            source=SourceRef(rel, i),
        )


def read_openkamer_parties(data_dir: Path) -> Iterator[OkPartyRow]:
    rel = OK_PARLIAMENT
    for i, pk, f in _fixtures(data_dir, rel, "parliament.politicalparty"):
        name = _opt(f.get("name"))
        if not name:
            raise ParseError(rel, i, "party without name")
        yield OkPartyRow(pk, name, _opt(f.get("name_short")), _opt(f.get("wikidata_id")), SourceRef(rel, i))


def read_openkamer_governments(data_dir: Path) -> Iterator[OkGovernmentRow]:
    rel = OK_GOVERNMENT
    for i, pk, f in _fixtures(data_dir, rel, "government.government"):
        name = _opt(f.get("name"))
        if not name:
            raise ParseError(rel, i, "government without name")
        yield OkGovernmentRow(
            pk,
            name,
            _date(f.get("date_formed"), rel, i, "date_formed", required=True),  # type: ignore[arg-type]
            _date(f.get("date_dissolved"), rel, i, "date_dissolved", required=False),
            _opt(f.get("wikidata_id")),
            SourceRef(rel, i),
        )


def read_openkamer_ministries(data_dir: Path) -> Iterator[OkMinistryRow]:
    rel = OK_GOVERNMENT
    for i, pk, f in _fixtures(data_dir, rel, "government.ministry"):
        name, gov = _opt(f.get("name")), f.get("government")
        if not name or not isinstance(gov, int):
            raise ParseError(rel, i, "ministry without name or government")
        yield OkMinistryRow(pk, name, gov, SourceRef(rel, i))


def read_openkamer_positions(data_dir: Path) -> Iterator[OkPositionRow]:
    rel = OK_GOVERNMENT
    for i, pk, f in _fixtures(data_dir, rel, "government.governmentposition"):
        pos, gov = _opt(f.get("position")), f.get("government")
        if pos not in {"PMI", "DPM", "MIN", "MWP", "SOS"} or not isinstance(gov, int):
            raise ParseError(rel, i, f"unknown position {pos!r} or no government")
        mini = f.get("ministry")
        yield OkPositionRow(pk, pos, mini if isinstance(mini, int) else None, gov,
                            (f.get("extra_info") or "").strip(), SourceRef(rel, i))


def read_openkamer_members(data_dir: Path) -> Iterator[OkMemberRow]:
    rel = OK_GOVERNMENT
    for i, pk, f in _fixtures(data_dir, rel, "government.governmentmember"):
        person, position = f.get("person"), f.get("position")
        if not isinstance(person, int) or not isinstance(position, int):
            raise ParseError(rel, i, "government member without person or position")
        yield OkMemberRow(
            pk,
            person,
            position,
            _date(f.get("start_date"), rel, i, "start_date", required=True),  # type: ignore[arg-type]
            _date(f.get("end_date"), rel, i, "end_date", required=False),
            SourceRef(rel, i),
        )


# --------------------------------------------------------------------------- cabinets CSV


def _csv_rows(data_dir: Path, rel: str, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    with (data_dir / rel).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise ParseError(rel, 1, f"missing columns: {', '.join(missing)}")
        line = 2  # where the next row starts
        for row in reader:
            start_line = line
            line = reader.line_num + 1
            if None in row or any(v is None for v in row.values()):
                raise ParseError(rel, start_line, "wrong number of fields")
            yield start_line, row


def read_cabinet_holdings(data_dir: Path) -> Iterator[HoldingRow]:
    rel = CAB_HOLDINGS
    cols = ("cabinet", "post_title_nl", "ministry_nl", "person_name", "person_wikidata", "start", "end",
            "acting", "post_kind", "ministry_tooi", "party", "person_name_source", "notes")
    for line, r in _csv_rows(data_dir, rel, cols):
        for c in ("cabinet", "post_title_nl", "person_name", "post_kind"):
            if not r[c].strip():
                raise ParseError(rel, line, f"empty {c}")
        if r["acting"] not in ("yes", "no"):
            raise ParseError(rel, line, f"acting is neither yes nor no: {r['acting']!r}")
        yield HoldingRow(
            cabinet=r["cabinet"].strip(),
            post_title=r["post_title_nl"].strip(),
            ministry_name=_opt(r["ministry_nl"]),
            person_name=r["person_name"].strip(),
            person_wikidata=_opt(r["person_wikidata"]),
            start=_date(r["start"], rel, line, "start", required=True),  # type: ignore[arg-type]
            end=_date(r["end"], rel, line, "end", required=False),
            acting=r["acting"] == "yes",
            post_kind=r["post_kind"].strip(),
            ministry_tooi=_opt(r["ministry_tooi"]),
            party=_opt(r["party"]),
            person_name_source=(r["person_name_source"] or r["person_name"]).strip(),
            notes=_opt(r["notes"]),
            source=SourceRef(rel, line),
        )


def read_ministries(data_dir: Path) -> Iterator[MinistryRow]:
    rel = CAB_MINISTRIES
    cols = ("name_nl", "abbreviation", "tooi_id", "valid_from", "valid_to", "kind", "events", "wikidata")
    for line, r in _csv_rows(data_dir, rel, cols):
        tooi = r["tooi_id"].strip()
        code = tooi.rsplit("/", 1)[-1]
        if not tooi.startswith("https://identifier.overheid.nl/tooi/id/ministerie/") or not code.startswith("mnre"):
            raise ParseError(rel, line, f"not a TOOI ministry id: {tooi!r}")
        if not r["name_nl"].strip():
            raise ParseError(rel, line, "empty name_nl")
        yield MinistryRow(
            name=r["name_nl"].strip(),
            abbreviation=_opt(r["abbreviation"]),
            tooi_iri=tooi,
            tooi_code=code,
            valid_from=_date(r["valid_from"], rel, line, "valid_from", required=False),
            valid_to=_date(r["valid_to"], rel, line, "valid_to", required=False),
            kind=r["kind"].strip(),
            events=tuple(e.strip() for e in r["events"].split(";") if e.strip()),
            wikidata=_opt(r["wikidata"]),
            source=SourceRef(rel, line),
        )


@dataclass(frozen=True, slots=True)
class OkParliamentMemberRow:
    pk: int
    person: int
    parliament: int
    joined: dt.date | None
    left: dt.date | None
    source: SourceRef


@dataclass(frozen=True, slots=True)
class OkPartyMemberRow:
    pk: int
    person: int
    party: int
    joined: dt.date | None
    left: dt.date | None
    source: SourceRef


OK_FIXTURE_DATE = dt.date(2019, 12, 8)  # datetime_updated of the OpenKamer fixtures: what they know ends here


def read_openkamer_parliament_members(data_dir: Path) -> Iterator[OkParliamentMemberRow]:
    rel = OK_PARLIAMENT
    for i, pk, f in _fixtures(data_dir, rel, "parliament.parliamentmember"):
        person, parl = f.get("person"), f.get("parliament")
        if not isinstance(person, int) or not isinstance(parl, int):
            raise ParseError(rel, i, "parliament member without person or parliament")
        yield OkParliamentMemberRow(pk, person, parl, _date(f.get("joined"), rel, i, "joined", required=False),
                                    _date(f.get("left"), rel, i, "left", required=False), SourceRef(rel, i))


def read_openkamer_party_members(data_dir: Path) -> Iterator[OkPartyMemberRow]:
    rel = OK_PARLIAMENT
    for i, pk, f in _fixtures(data_dir, rel, "parliament.partymember"):
        person, party = f.get("person"), f.get("party")
        if not isinstance(person, int) or not isinstance(party, int):
            raise ParseError(rel, i, "party member without person or party")
        yield OkPartyMemberRow(pk, person, party, _date(f.get("joined"), rel, i, "joined", required=False),
                               _date(f.get("left"), rel, i, "left", required=False), SourceRef(rel, i))
