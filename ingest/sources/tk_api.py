"""Reader of the Tweede Kamer open-data API's answers: OData v4 JSON pages and SyncFeed (Atom) XML.

Both become plain OData-shaped objects (``{"Id": …, "GewijzigdOp": …, "Verwijderd": …, …}``, the
field names of the live ``$metadata``), one per entity, which :mod:`ingest.sources.odata` parses
into records exactly as it parses the bundled file (``parse_zaak``). SyncFeed entities carry their
relations as ``{Relatie}_Id`` fields (``Zaak_Id``, ``Persoon_Id`` …), as OData does.

Bad input raises :class:`ingest.errors.ParseError` naming the URL, the line and the position.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ingest.errors import ParseError

ATOM = "http://www.w3.org/2005/Atom"
TK = "http://www.tweedekamer.nl/xsd/tkData/v1-0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

# SyncFeed element names -> OData entity names (those the sync reads; others keep a capital first letter)
ENTITIES = {
    "zaak": "Zaak",
    "zaakActor": "ZaakActor",
    "document": "Document",
    "documentActor": "DocumentActor",
    "persoon": "Persoon",
    "fractie": "Fractie",
    "fractieZetel": "FractieZetel",
    "fractieZetelPersoon": "FractieZetelPersoon",
    "kamerstukdossier": "Kamerstukdossier",
}
_BOOL_FIELDS = {"Afgedaan", "GrootProject", "Afgesloten"}
_INT_FIELDS = {"Volgnummer", "Aanhangselnummer", "HoogsteVolgnummer", "Gewicht", "AantalZetels", "AantalStemmen"}


@dataclass(frozen=True)
class Page:
    """One answer of the API: its entities (entity name, object, 1-based position) and the next link."""

    url: str
    entries: tuple[tuple[str, dict[str, Any], int], ...]
    next_link: str | None


def parse_odata_page(body: bytes | str, url: str, entity: str) -> Page:
    """An OData JSON page (``{"@odata.context": …, "value": [...], "@odata.nextLink": …}``)."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
    except UnicodeDecodeError as exc:
        raise ParseError(url, None, f"the answer is not UTF-8 (byte {exc.start})") from None
    try:
        page = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(
            url, exc.lineno, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno} (character {exc.pos})"
        ) from None
    if not isinstance(page, Mapping):
        raise ParseError(url, None, f"not an OData page: a JSON {type(page).__name__}, not an object")
    values = page.get("value")
    if not isinstance(values, list):
        raise ParseError(url, None, "not an OData page: no 'value' list")
    next_link = page.get("@odata.nextLink")
    if next_link is not None and not isinstance(next_link, str):
        raise ParseError(url, None, f"'@odata.nextLink' is not a string: {next_link!r}")
    entries = []
    for i, obj in enumerate(values, start=1):
        if not isinstance(obj, Mapping):
            raise ParseError(url, None, f"entry {i} of 'value' is a JSON {type(obj).__name__}, not an object")
        entries.append((entity, dict(obj), i))
    return Page(url, tuple(entries), next_link)


def _field_name(local: str) -> str:
    return local[:1].upper() + local[1:]


def _value(el: Any, name: str) -> Any:
    if el.get(f"{{{XSI}}}nil") == "true":
        return None
    text = el.text or ""
    if name in _BOOL_FIELDS:
        return text.strip() == "true"
    if name in _INT_FIELDS:
        try:
            return int(text.strip())
        except ValueError:
            return text
    return text


def entity_of_xml(el: Any) -> tuple[str, dict[str, Any]]:
    """A tkData element (``<zaak id=… tk:verwijderd=… tk:bijgewerkt=…>``) as an OData-shaped object."""
    local = el.tag.split("}", 1)[-1]
    entity = ENTITIES.get(local, _field_name(local))
    obj: dict[str, Any] = {
        "Id": el.get("id"),
        "GewijzigdOp": el.get(f"{{{TK}}}bijgewerkt"),
        "Verwijderd": el.get(f"{{{TK}}}verwijderd") == "true",
    }
    for child in el:
        if not isinstance(child.tag, str):
            continue
        name = _field_name(child.tag.split("}", 1)[-1])
        if child.get("ref") is not None:  # a relation; of a repeated one (a Document's zaak) the first
            obj.setdefault(f"{name}_Id", child.get("ref"))
        else:
            obj[name] = _value(child, name)
    return entity, obj


def parse_syncfeed(body: bytes, url: str) -> Page:
    """A SyncFeed answer (an Atom feed, each entry's content one tkData entity).

    The feed's ``<link rel="next">`` (with its skiptoken) is the next link; deleted entities come
    with ``tk:verwijderd="true"``.
    """
    from lxml import etree

    try:
        root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (None, None)
        raise ParseError(url, line, f"not well-formed XML: {exc.msg} (line {line}, column {col})") from None
    if root.tag != f"{{{ATOM}}}feed":
        raise ParseError(url, root.sourceline, f"not a SyncFeed: the root element is {root.tag}, not an Atom feed")
    next_link = None
    for link in root.findall(f"{{{ATOM}}}link"):
        if link.get("rel") == "next":
            next_link = link.get("href")
    entries = []
    for i, entry in enumerate(root.findall(f"{{{ATOM}}}entry"), start=1):
        content = entry.find(f"{{{ATOM}}}content")
        items = [c for c in content if isinstance(c.tag, str)] if content is not None else []
        if len(items) != 1 or not items[0].tag.startswith(f"{{{TK}}}"):
            raise ParseError(url, entry.sourceline, f"entry {i} has no single tkData entity in its content")
        entity, obj = entity_of_xml(items[0])
        if not obj["Id"]:
            raise ParseError(url, items[0].sourceline, f"entry {i}: the {entity} has no id attribute")
        entries.append((entity, obj, i))
    return Page(url, tuple(entries), next_link)


def join_zaak_actors(
    zaak: Mapping[str, Any], actors: list[Mapping[str, Any]], personen: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """A Zaak with its ZaakActor entities expanded (and their Persoon), as the OData ``$expand`` gives it:
    for SyncFeed entities, which come one by one and link by id."""
    out = dict(zaak)
    expanded = []
    for a in actors:
        a = dict(a)
        pid = a.get("Persoon_Id")
        if pid and pid in personen and not personen[pid].get("Verwijderd"):
            a["Persoon"] = dict(personen[pid])
        expanded.append(a)
    out["ZaakActor"] = expanded
    return out


__all__ = ["ATOM", "ENTITIES", "Page", "TK", "entity_of_xml", "join_zaak_actors", "parse_odata_page", "parse_syncfeed"]
