"""Recorded upstream answers for `kamergraph sync`, built from the real records in data/.

The bundled OData file has the ZaakActor names flattened per role (``"Indiener": ["Paulus Jansen
(P.F.C.)"]``); the API gives ``ZaakActor`` entities with the ``Persoon`` expanded. ``to_odata``
turns a bundled line back into that shape (``Roepnaam`` the first word, ``Achternaam`` the rest,
``Initialen`` in brackets; names without initials stay ``ActorNaam`` only), so that
``ingest.sources.odata.parse_zaak`` yields the same record from both. ``odata_pages`` and
``syncfeed_pages`` cut a list of entities into the API's pages (``value`` + ``@odata.nextLink``;
Atom entries with tkData content and ``<link rel="next">``). ``Replay`` is an httpx transport that
answers from such recordings and can be told to fail (429, a dropped connection, a cut-off body).
"""

from __future__ import annotations

import copy
import gzip
import json
import re
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import httpx

from kamergraph.inputs import ODATA_FILE
from kamergraph.sync import SyncOptions, odata_first_url, syncfeed_first_url

ROLES = {"Indiener": "Indiener", "Medeindiener": "Medeindiener", "GerichtAan": "Gericht aan",
         "Voortouwcommissie": "Voortouwcommissie"}
FLAT = ("GerichtAan", "Indiener", "Medeindiener", "Rapporteur", "Volgcommissie", "Voortouwcommissie",
        "ActorZonderRelatie")
_NAME = re.compile(r"^(?P<name>.*\S)\s+\((?P<init>[^()]*)\)$")
TK = "http://www.tweedekamer.nl/xsd/tkData/v1-0"


def bundled_lines(data_dir: Path) -> list[dict[str, Any]]:
    with gzip.open(data_dir / ODATA_FILE, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "kamergraph-test:" + "/".join(parts)))


def persoon_of(name: str) -> dict[str, Any] | None:
    m = _NAME.match(name)
    if not m or " " not in m["name"]:
        return None
    roepnaam, achternaam = m["name"].split(" ", 1)
    return {"Id": _uuid("persoon", name), "Roepnaam": roepnaam, "Tussenvoegsel": None, "Achternaam": achternaam,
            "Initialen": m["init"], "GewijzigdOp": "2024-01-01T00:00:00+01:00", "Verwijderd": False}


def to_odata(line: dict[str, Any]) -> dict[str, Any]:
    """A bundled line as the OData API gives the Zaak: ``$expand=ZaakActor($expand=Persoon)``."""
    z = {k: v for k, v in line.items() if k not in FLAT}
    actors = []
    for field, relatie in ROLES.items():
        for i, name in enumerate(line.get(field) or []):
            p = persoon_of(name)
            actors.append({
                "Id": _uuid("zaakactor", line["Id"], field, str(i)),
                "Zaak_Id": line["Id"],
                "ActorNaam": f"{p['Initialen']} {p['Achternaam']}" if p else name,
                "ActorFractie": None,
                "ActorAfkorting": None,
                "Functie": None,
                "Relatie": relatie,
                "SidActor": None,
                "Persoon_Id": p["Id"] if p else None,
                "Fractie_Id": None,
                "Commissie_Id": None,
                "GewijzigdOp": line.get("GewijzigdOp"),
                "ApiGewijzigdOp": line.get("ApiGewijzigdOp"),
                "Verwijderd": False,
                "Persoon": p,
            })
    z["ZaakActor"] = actors
    return z


def changed(line: dict[str, Any], when: str, **fields: Any) -> dict[str, Any]:
    out = copy.deepcopy(line)
    out.update(fields)
    out["GewijzigdOp"] = when
    return out


def deleted(line: dict[str, Any], when: str) -> dict[str, Any]:
    """A deleted Zaak as the API gives it: the record with ``Verwijderd: true``."""
    return changed(line, when, Verwijderd=True)


def odata_pages(options: SyncOptions, entity: str, since: str | None, entries: list[dict[str, Any]],
                page_size: int) -> list[tuple[str, bytes]]:
    """The pages of an entity's changes: (URL, JSON body), chained by ``@odata.nextLink``."""
    first = odata_first_url(options, entity, since)
    urls = [first] + [f"{first}&$skip={i}" for i in range(page_size, len(entries), page_size)]
    pages = []
    for n, url in enumerate(urls):
        body: dict[str, Any] = {"@odata.context": f"{options.odata_url}$metadata#{entity}",
                                "value": entries[n * page_size:(n + 1) * page_size]}
        if n + 1 < len(urls):
            body["@odata.nextLink"] = urls[n + 1]
        pages.append((url, json.dumps(body, ensure_ascii=False).encode("utf-8")))
    if not entries:
        pages = [(first, json.dumps({"@odata.context": f"{options.odata_url}$metadata#{entity}", "value": []}).encode())]
    return pages


# --------------------------------------------------------------------------- SyncFeed XML

_ZAAK_FIELDS = ("Nummer", "Soort", "Onderwerp", "GestartOp", "Organisatie", "Titel", "Citeertitel", "Alias",
                "Grondslagvoorhang", "Termijn", "Vergaderjaar", "Volgnummer", "Status", "HuidigeBehandelstatus",
                "Afgedaan", "GrootProject", "Kabinetsappreciatie")
_ACTOR_REFS = ("Zaak", "Persoon", "Fractie", "Commissie")
_ACTOR_FIELDS = ("ActorNaam", "ActorFractie", "ActorAfkorting", "Functie", "Relatie", "SidActor")
_PERSOON_FIELDS = ("Nummer", "Titels", "Initialen", "Tussenvoegsel", "Achternaam", "Voornamen", "Roepnaam")
_DOCUMENT_REFS = ("Zaak",)
_DOCUMENT_FIELDS = ("Soort", "DocumentNummer", "Titel", "Onderwerp", "Datum", "Volgnummer", "Vergaderjaar", "Kamer",
                    "Citeertitel", "Alias", "DatumRegistratie", "DatumOntvangst", "Aanhangselnummer", "KenmerkAfzender",
                    "Organisatie")


def _el(name: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    tag = name[:1].lower() + name[1:]
    return f"<{tag}>{escape(str(value))}</{tag}>"


def tk_element(entity: str, obj: dict[str, Any]) -> str:
    """One entity as the SyncFeed's tkData element (fields in the XSD's order)."""
    if entity == "Zaak":
        tag, refs, fields = "zaak", (), _ZAAK_FIELDS
    elif entity == "ZaakActor":
        tag, refs, fields = "zaakActor", _ACTOR_REFS, _ACTOR_FIELDS
    elif entity == "Persoon":
        tag, refs, fields = "persoon", (), _PERSOON_FIELDS
    elif entity == "Document":
        tag, refs, fields = "document", _DOCUMENT_REFS, _DOCUMENT_FIELDS
    else:
        raise ValueError(entity)
    body = "".join(f'<{r[:1].lower() + r[1:]} ref="{obj[r + "_Id"]}"/>' for r in refs if obj.get(r + "_Id"))
    body += "".join(_el(f, obj.get(f)) for f in fields)
    verwijderd = "true" if obj.get("Verwijderd") else "false"
    return (f'<{tag} xmlns="{TK}" xmlns:tk="{TK}" id="{obj["Id"]}" tk:bijgewerkt={quoteattr(obj["GewijzigdOp"])} '
            f'tk:verwijderd="{verwijderd}">{body}</{tag}>')


def syncfeed_pages(options: SyncOptions, entity: str, entries: list[tuple[str, dict[str, Any]]],
                   page_size: int) -> list[tuple[str, bytes]]:
    """The SyncFeed pages of one category: Atom feeds chained by ``<link rel="next">`` (skiptokens)."""
    first = syncfeed_first_url(options, entity)
    n_pages = max(1, -(-len(entries) // page_size))
    urls = [first] + [f"{first}&skiptoken={1000 + i}" for i in range(1, n_pages)]
    pages = []
    for n, url in enumerate(urls):
        chunk = entries[n * page_size:(n + 1) * page_size]
        items = "".join(
            f"<entry><title>{obj['Id']}</title><id>{options.syncfeed_url}Entiteiten/{obj['Id']}</id>"
            f"<author><name>Tweede Kamer der Staten-Generaal</name></author><updated>{escape(obj['GewijzigdOp'])}</updated>"
            f'<category term="{ent[:1].lower() + ent[1:]}"/>'
            f'<content type="application/xml">{tk_element(ent, obj)}</content></entry>'
            for ent, obj in chunk
        )
        nxt = f'<link rel="next" href={quoteattr(urls[n + 1])}/>' if n + 1 < len(urls) else ""
        xml = (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
               f"<title>Tweede Kamer SyncFeed</title><id>{escape(url)}</id><updated>2024-11-01T00:00:00Z</updated>"
               f'<link rel="self" href={quoteattr(url)}/>{nxt}{items}</feed>')
        pages.append((url, xml.encode("utf-8")))
    return pages


def syncfeed_entities(lines: Iterable[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """Zaken as the SyncFeed sends them: each Zaak, then its ZaakActors and their Personen, one by one."""
    out: list[tuple[str, dict[str, Any]]] = []
    for line in lines:
        od = to_odata(line)
        actors = od.pop("ZaakActor")
        out.append(("Zaak", od))
        for a in actors:
            p = a.pop("Persoon")
            if p:
                out.append(("Persoon", p))
            out.append(("ZaakActor", a))
    return out


# --------------------------------------------------------------------------- replaying transport


class Replay(httpx.BaseTransport):
    """Answers GETs from recorded (URL -> body) pages; any other OData/SyncFeed URL gets an empty page,
    any other URL a 404. ``faults`` maps a URL to a list of faults used up one per request:
    ``("429", seconds)``, ``("drop", None)`` (the connection drops after half the body: RemoteProtocolError),
    ``("read", None)`` (ReadError before any byte), ``("body", bytes)`` (that body instead, e.g. cut-off JSON),
    ``("500", None)``."""

    def __init__(self, pages: dict[str, bytes], options: SyncOptions, faults: dict[str, list[tuple[str, Any]]] | None = None,
                 content_types: dict[str, str] | None = None, on_request: Callable[[str], None] | None = None) -> None:
        self.pages, self.options = dict(pages), options
        self.faults = {k: list(v) for k, v in (faults or {}).items()}
        self.content_types = content_types or {}
        self.on_request = on_request
        self.requests: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.requests.append(url)
        if self.on_request:
            self.on_request(url)
        fault = self.faults.get(url, [])
        if fault:
            kind, arg = fault.pop(0)
            if kind == "429":
                return httpx.Response(429, headers={"Retry-After": str(arg)}, text="Too Many Requests")
            if kind == "500":
                return httpx.Response(500, text="Internal Server Error")
            if kind == "read":
                raise httpx.ReadError("connection reset by peer", request=request)
            if kind == "drop":
                body = self.pages[url]

                class Dropped(httpx.SyncByteStream):
                    def __iter__(self):
                        yield body[: len(body) // 2]
                        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")

                return httpx.Response(200, headers={"Content-Type": "application/json"}, stream=Dropped())
            if kind == "body":
                return httpx.Response(200, headers={"Content-Type": "application/json"}, content=arg)
        if url in self.pages:
            ctype = self.content_types.get(url, "application/atom+xml" if "/SyncFeed/" in url else "application/json")
            return httpx.Response(200, headers={"Content-Type": ctype}, content=self.pages[url])
        if url.startswith(self.options.odata_url):
            entity = request.url.path.rsplit("/", 1)[-1]
            return httpx.Response(200, json={"@odata.context": f"{self.options.odata_url}$metadata#{entity}", "value": []})
        if url.startswith(self.options.syncfeed_url):
            return httpx.Response(200, headers={"Content-Type": "application/atom+xml"}, content=(
                '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Tweede Kamer '
                f"SyncFeed</title><id>{escape(url)}</id><updated>2024-11-01T00:00:00Z</updated></feed>").encode())
        return httpx.Response(404, text="Not Found")


def write_jsonl(path: Path, lines: Iterable[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path


def final_state(base: list[dict[str, Any]], feed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records after the feed: the base overlaid (later wins, same place), new ones appended, deleted dropped."""
    by_id: dict[str, dict[str, Any]] = {b["Id"]: b for b in base}
    for rec in feed:
        if rec.get("Verwijderd"):
            by_id.pop(rec["Id"], None)
        else:
            by_id[rec["Id"]] = rec
    return list(by_id.values())


def built_store(name: str, data_dir: Path, odata_file: Path, dest: Path, base: str) -> Any:
    """A new store at ``dest`` as ``build`` makes it of ``odata_file`` with ``data_dir`` (and its report),
    through the tests' build cache (:mod:`tests.support.build_cache`), whose key covers the bundled data,
    the code and the versions; the name adds the records and the IRI base, and a data folder other than
    the bundled one (a changed copy) by its files."""
    import hashlib

    from tests.support.build_cache import ROOT, cached_store, digest_of

    inputs = [odata_file] if data_dir.resolve() == (ROOT / "data").resolve() else [odata_file, data_dir]
    key = f"{name}-{digest_of(*inputs)}-{hashlib.sha256(base.encode()).hexdigest()[:8]}"

    def recipe(path: Path) -> Any:
        from kamergraph.build import build
        from ontology.namespaces import Iris
        from store.embedded import EmbeddedStore

        store = EmbeddedStore(path)
        try:
            return build(store, data_dir, Iris(base), odata_file=odata_file)
        finally:
            store.close()

    return cached_store(key, recipe, dest)


def store_quads(path_or_store: Any, ignore: Iterable[str] = (), prefix: str | None = None) -> set:
    """The store's quads as a set (predicates in ``ignore`` left out; with ``prefix``, only those of the named
    graphs whose IRI starts with it, read graph by graph); no blank nodes are expected."""
    from pyoxigraph import BlankNode, NamedNode

    from store.embedded import EmbeddedStore

    own = not isinstance(path_or_store, EmbeddedStore)
    store = EmbeddedStore(path_or_store) if own else path_or_store
    skip = {NamedNode(p) for p in ignore}
    try:
        if prefix is None:
            quads = set(store.ox.quads_for_pattern(None, None, None, None))
        else:
            quads = {q for g in store.ox.named_graphs() if isinstance(g, NamedNode) and g.value.startswith(prefix)
                     for q in store.ox.quads_for_pattern(None, None, None, g)}
    finally:
        if own:
            store.close()
    blank = [q for q in quads if isinstance(q.subject, BlankNode) or isinstance(q.object, BlankNode)]
    assert not blank, blank[:3]
    return {q for q in quads if q.predicate not in skip}


# --------------------------------------------------------------------------- members (Persoon, Fractie, FractieZetel, FractieZetelPersoon)


MEMBER_PERIODS = "reference/tk-kamerleden-perioden.json"
OK_PERSONS = "reference/openkamer/person.json"


def data_without_member(data_dir: Path, out: Path, ledenlijst_id: int, tk_guid: str) -> Path:
    """The data folder (links to the real files) as it was before a member came: without their rows in the
    member-period list and without them in the OpenKamer persons. Returns the new folder."""
    out.mkdir(parents=True)
    for item in data_dir.iterdir():
        if item.name != "reference":
            (out / item.name).symlink_to(item)
    ref_out = out / "reference"
    for item in (data_dir / "reference").rglob("*"):
        rel = item.relative_to(data_dir / "reference")
        if item.is_dir():
            (ref_out / rel).mkdir(parents=True, exist_ok=True)
            continue
        (ref_out / rel).parent.mkdir(parents=True, exist_ok=True)
        path = f"reference/{rel.as_posix()}"
        if path == MEMBER_PERIODS:
            rows = json.loads(item.read_text(encoding="utf-8"))
            kept = [r for r in rows if r.get("Persoon_id") != ledenlijst_id]
            assert len(kept) < len(rows), f"no rows of {ledenlijst_id} in {path}"
            (ref_out / rel).write_text(json.dumps(kept, ensure_ascii=False, indent=2), encoding="utf-8")
        elif path == OK_PERSONS:
            rows = json.loads(item.read_text(encoding="utf-8"))
            kept = [r for r in rows if r.get("fields", {}).get("tk_id") != tk_guid]
            assert len(kept) == len(rows) - 1, f"{tk_guid} is not one person of {path}"
            (ref_out / rel).write_text(json.dumps(kept, ensure_ascii=False, indent=2), encoding="utf-8")
        else:
            (ref_out / rel).symlink_to(item)
    return out


def member_rows(data_dir: Path, ledenlijst_id: int) -> list[dict[str, Any]]:
    rows = json.loads((data_dir / MEMBER_PERIODS).read_text(encoding="utf-8"))
    return [r for r in rows if r.get("Persoon_id") == ledenlijst_id]


def openkamer_person(data_dir: Path, tk_guid: str) -> dict[str, Any]:
    rows = json.loads((data_dir / OK_PERSONS).read_text(encoding="utf-8"))
    [row] = [r["fields"] for r in rows if r.get("fields", {}).get("tk_id") == tk_guid]
    return row


def _odata_date(y: Any, m: Any, d: Any) -> str | None:
    if y in ("", None):
        return None
    # the API gives dates as DateTimeOffset at Dutch midnight
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}T00:00:00+01:00"


def persoon_record(data_dir: Path, tk_guid: str, when: str, **fields: Any) -> dict[str, Any]:
    """A Persoon as the API gives it, from the real OpenKamer person and member-list rows with this GUID."""
    ok = openkamer_person(data_dir, tk_guid)
    rec = {"Id": tk_guid, "Nummer": None, "Titels": None, "Initialen": ok["initials"],
           "Tussenvoegsel": ok["surname_prefix"] or None, "Achternaam": ok["surname"], "Voornamen": None,
           "Roepnaam": ok["forename"], "Geslacht": None, "Functie": "Tweede Kamerlid",
           "Geboortedatum": f"{ok['birthdate']}T00:00:00+01:00" if ok.get("birthdate") else None,
           "GewijzigdOp": when, "ApiGewijzigdOp": when, "Verwijderd": False}
    rec.update(fields)
    return rec


def fractie_record(fractie_id: str, naam: str, afkorting: str, when: str) -> dict[str, Any]:
    return {"Id": fractie_id, "Nummer": None, "Afkorting": afkorting, "NaamNL": naam, "NaamEN": None,
            "AantalZetels": None, "AantalStemmen": None, "DatumActief": None, "DatumInactief": None,
            "GewijzigdOp": when, "ApiGewijzigdOp": when, "Verwijderd": False}


def zetel_record(zetel_id: str, fractie_id: str, when: str, **fields: Any) -> dict[str, Any]:
    rec = {"Id": zetel_id, "Gewicht": 1, "Fractie_Id": fractie_id, "GewijzigdOp": when, "ApiGewijzigdOp": when,
           "Verwijderd": False}
    rec.update(fields)
    return rec


def zetelpersoon_record(row: dict[str, Any], zetel_id: str, tk_guid: str, when: str, **fields: Any) -> dict[str, Any]:
    """A FractieZetelPersoon of a real member-list row: Van/TotEnMet its dates, Functie its function or Lid."""
    rec = {"Id": _uuid("fractiezetelpersoon", tk_guid, str(row["Beginjaar"]), str(row["Beginmaand"]),
                       str(row["Begindag"]), row["Fractie"]),
           "FractieZetel_Id": zetel_id, "Persoon_Id": tk_guid, "Functie": row.get("Functie") or "Lid",
           "Van": _odata_date(row["Beginjaar"], row["Beginmaand"], row["Begindag"]),
           "TotEnMet": _odata_date(row["Eindjaar"], row["Eindmaand"], row["Einddag"]),
           "GewijzigdOp": when, "ApiGewijzigdOp": when, "Verwijderd": False}
    rec.update(fields)
    return rec


def new_uuid(*parts: str) -> str:
    return _uuid(*parts)
