"""Reader of Tweede Kamer OData ``Zaak`` records (Soort "Schriftelijke vragen").

Takes the bundled JSON Lines file (one Zaak a line, actor names flattened per role, as in
``data/tk-odata/zaken-schriftelijke-vragen.jsonl.gz``) and OData JSON pages
(``{"value": [...], "@odata.nextLink": ...}``, actors expanded as ``ZaakActor``).
Bad input never stops the run: every line yields either a record or a located ParseError.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ingest.errors import ParseError
from ingest.records import SourceRef, ZaakRecord

SOORT = "Schriftelijke vragen"

# ZaakActor.Relatie -> the flattened field of the bundled file
_ROLE_FIELDS = {
    "Indiener": "Indiener",
    "Medeindiener": "Medeindiener",
    "Gericht aan": "GerichtAan",
    "Voortouwcommissie": "Voortouwcommissie",
}


def _parse_date(value: Any, field: str, src: SourceRef) -> dt.date:
    if not isinstance(value, str) or not value:
        raise ParseError(src.file, src.line, f"field {field!r} is missing or not a string: {value!r}")
    try:
        return dt.datetime.fromisoformat(value).date()
    except ValueError:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            raise ParseError(src.file, src.line, f"field {field!r} is not a date: {value!r}") from None


def _parse_datetime(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def _names(obj: Mapping[str, Any], field: str, src: SourceRef) -> tuple[str, ...]:
    value = obj.get(field) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ParseError(src.file, src.line, f"field {field!r} is not a list of names: {value!r}")
    return tuple(" ".join(v.split()) for v in value if v.strip())


def _actor_name(actor: Mapping[str, Any]) -> str | None:
    """An expanded ZaakActor as the flattened name: 'Roepnaam Achternaam (Voorletters)'."""
    persoon = actor.get("Persoon") or {}
    if persoon:
        roepnaam = persoon.get("Roepnaam") or ""
        tussen = persoon.get("Tussenvoegsel") or ""
        achternaam = persoon.get("Achternaam") or ""
        initialen = persoon.get("Initialen") or ""
        name = " ".join(p for p in (roepnaam, tussen, achternaam) if p)
        if name:
            return f"{name} ({initialen})" if initialen else name
    return actor.get("ActorNaam")


def _flatten_actors(obj: Mapping[str, Any]) -> dict[str, Any]:
    """OData pages carry ``ZaakActor``; fold them into the flattened per-role fields."""
    actors = obj.get("ZaakActor")
    if not isinstance(actors, list):
        return dict(obj)
    flat = dict(obj)
    for field in _ROLE_FIELDS.values():
        flat.setdefault(field, [])
    for actor in actors:
        if not isinstance(actor, Mapping) or actor.get("Verwijderd"):
            continue
        field = _ROLE_FIELDS.get(actor.get("Relatie", ""))
        name = _actor_name(actor)
        if field and name:
            flat[field] = [*flat[field], name]
    return flat


def parse_zaak(obj: Any, src: SourceRef) -> ZaakRecord:
    """One Zaak object as a record; raises ParseError naming the file and line."""
    if not isinstance(obj, Mapping):
        raise ParseError(src.file, src.line, f"expected a JSON object, got {type(obj).__name__}")
    obj = _flatten_actors(obj)
    soort = obj.get("Soort")
    if soort != SOORT:
        raise ParseError(src.file, src.line, f"unknown Soort {soort!r} (expected {SOORT!r})")
    nummer = obj.get("Nummer")
    if not isinstance(nummer, str) or not nummer.strip():
        raise ParseError(src.file, src.line, f"field 'Nummer' is missing: {nummer!r}")
    zaak_id = obj.get("Id")
    if not isinstance(zaak_id, str) or not zaak_id:
        raise ParseError(src.file, src.line, f"field 'Id' is missing: {zaak_id!r}")
    onderwerp = obj.get("Onderwerp")
    onderwerp = " ".join(onderwerp.split()) if isinstance(onderwerp, str) and onderwerp.strip() else None
    afgedaan = obj.get("Afgedaan")
    return ZaakRecord(
        id=zaak_id,
        nummer=nummer.strip(),
        soort=soort,
        onderwerp=onderwerp,
        gestart_op=_parse_date(obj.get("GestartOp"), "GestartOp", src),
        vergaderjaar=obj.get("Vergaderjaar") or None,
        status=obj.get("Status") or None,
        afgedaan=afgedaan if isinstance(afgedaan, bool) else None,
        gewijzigd_op=_parse_datetime(obj.get("GewijzigdOp")),
        verwijderd=bool(obj.get("Verwijderd")),
        indieners=_names(obj, "Indiener", src),
        medeindieners=_names(obj, "Medeindiener", src),
        gericht_aan=_names(obj, "GerichtAan", src),
        voortouwcommissie=_names(obj, "Voortouwcommissie", src),
        source=src,
    )


def _open_text(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="strict")
    return path.open("r", encoding="utf-8")


def read_jsonl(path: Path, name: str | None = None) -> Iterator[ZaakRecord | ParseError]:
    """Every line of a JSON Lines file (optionally gzipped): a record or a located error.

    ``name`` is how the file is named in records and reports (default: the path as given).
    A truncated gzip stream ends the file with one error for the place it broke off.
    """
    label = name or str(path)
    line_no = 0
    try:
        with _open_text(path) as fh:
            for line_no, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                src = SourceRef(label, line_no)
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield ParseError(label, line_no, f"not valid JSON ({exc.msg} at column {exc.colno})")
                    continue
                try:
                    yield parse_zaak(obj, src)
                except ParseError as exc:
                    yield exc
    except (EOFError, OSError, UnicodeDecodeError) as exc:
        yield ParseError(label, line_no + 1, f"file is truncated or corrupt: {exc}")


def read_odata_page(page: Any, name: str) -> Iterator[ZaakRecord | ParseError]:
    """One OData JSON page (``{"value": [...]}``): each entry a record or a located error."""
    values = page.get("value") if isinstance(page, Mapping) else None
    if not isinstance(values, list):
        yield ParseError(name, None, "not an OData page: no 'value' list")
        return
    for i, obj in enumerate(values, start=1):
        try:
            yield parse_zaak(obj, SourceRef(name, i))
        except ParseError as exc:
            yield exc
