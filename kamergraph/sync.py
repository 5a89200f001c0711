"""`kamergraph sync`: keep the graph current from the Tweede Kamer open-data API and the official publications.

Two phases, each safe to interrupt anywhere:

1. **Fetch.** For every entity (Zaak of Soort "Schriftelijke vragen" with its ZaakActor; the
   question, answer and postponement Documents with their DocumentActor; Persoon, Fractie,
   FractieZetel, FractieZetelPersoon (on OData with its seat, fractie and person expanded);
   Kamerstukdossier) the changes since the cursor are read from the OData v4 API (``GewijzigdOp
   gt …``, ordered by ``GewijzigdOp``, following ``@odata.nextLink``) or from the SyncFeed
   (following the skiptoken). On OData the changed ZaakActors are read as well, since a changed
   actor does not change its Zaak's ``GewijzigdOp``: the Zaken of those not already shown (with
   that version of the actor) by a Zaak fetched in this run are fetched by id with their actors
   and stored as Zaak lines with the ZaakActor page. Each page's entities are
   appended to the records mirror (``{state}/records.jsonl``, beside the store) and only then is
   the cursor (the page's next link, the last ``GewijzigdOp`` seen) written to the state file: an
   interruption costs at most one page, fetched again (the mirror's later line wins, so a page
   stored twice is no duplicate). For each new question or answer Document the publication text
   is fetched from officielebekendmakingen.nl (XML where offered, else the PDF, as text) into
   ``{state}/texts/``. Rate limits (429 + Retry-After), server errors and dropped connections are
   retried with back-off; a page that cannot be read stops that entity's feed cleanly (its cursor
   stays before the page) and is reported.
2. **Apply.** The current records are the build's (the bundled OData file) overlaid with the
   mirror (later wins, ``Verwijderd`` removes). They go through the build's own stages (reference
   completion, resolve, map, the text ingest). The latest Persoon, Fractie, FractieZetel and
   FractieZetelPersoon records are folded into the completed reference data before it is mapped
   and used to resolve (:func:`ingest.tk_reference.overlay_tk_records`: persons by TK GUID,
   fracties by name, periods merged with the bundled period they continue, Kamer memberships
   recomputed); each Kamerstukdossier becomes its own graph with its title
   (:func:`ingest.tk_reference.map_kamerstukdossier`). Every named graph whose statements differ from
   what was last stored (a SHA-1 per graph in ``{state}/graphs.json``) is validated with the
   shapes (together with the reference graphs, as in ``build``) and replaces its graph, one
   transaction per graph; a graph that violates a shape is not loaded (its earlier version stays)
   and is reported; the graphs of deleted records leave the store. So the store after a sync
   equals a full build from the same records, and applying twice changes nothing.

The run report lists every fetched record and its fate: a Zaak, ZaakActor, member record or
dossier the fate of the graph it changed (``loaded``, ``unchanged``, ``rejected``, ``deleted``), a
member record that cannot be used ``unusable`` with its problems (naming the page URL and entry),
a Persoon no period refers to (not a member) ``unused``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.utils
import hashlib
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ingest.errors import ParseError
from ingest.records import SourceRef, ZaakRecord
from ingest.sources.odata import SOORT as ZAAK_SOORT, parse_zaak, read_jsonl
from ingest.sources.tk_api import Page, join_zaak_actors, parse_odata_page, parse_syncfeed

ENTITIES = ("Zaak", "ZaakActor", "Document", "Persoon", "Fractie", "FractieZetel", "FractieZetelPersoon",
            "Kamerstukdossier")
TK_REFERENCE_ENTITIES = ("Persoon", "Fractie", "FractieZetel", "FractieZetelPersoon")
SYNCFEED_ENTITIES = ("Zaak", "ZaakActor", "Document", "DocumentActor", "Persoon", "Fractie", "FractieZetel",
                     "FractieZetelPersoon", "Kamerstukdossier")
DOCUMENT_SOORTEN = (
    "Schriftelijke vragen",
    "Antwoord schriftelijke vragen",
    "Antwoord schriftelijke vragen (nader)",
    "Mededeling (uitstel antwoord)",
)
QUESTION_SOORT = "Schriftelijke vragen"
ANSWER_SOORTEN = ("Antwoord schriftelijke vragen", "Antwoord schriftelijke vragen (nader)")
_EXPAND = {
    "Zaak": "ZaakActor($expand=Persoon)",
    "Document": "DocumentActor,Zaak($select=Id,Nummer)",
    # the seat and its fractie, and the person, come with each period: they need not have changed themselves
    "FractieZetel": "Fractie",
    "FractieZetelPersoon": "FractieZetel($expand=Fractie),Persoon",
}
ZAAK_BATCH = 20  # Zaken asked for at once by id (their ZaakActor changed, not the Zaak)
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_OB_BLOCKS = {"al", "nr", "titel", "tussenkop", "kop", "li", "tbl", "row", "entry", "noot", "vraag", "antwoord",
              "opschrift", "ondertekening", "aanhef", "slotformulering", "tekstregel", "p"}


class SyncError(Exception):
    """A sync that cannot go on (names the URL or file and the problem)."""


class HttpFailure(SyncError):
    def __init__(self, url: str, problem: str) -> None:
        self.url, self.problem = url, problem
        super().__init__(f"{url}: {problem}")


class Interrupted(BaseException):
    """Raised by a test's checkpoint hook to stop a sync at a given step, like a killed process."""


# --------------------------------------------------------------------------- options, report


@dataclass
class SyncOptions:
    odata_url: str = "https://gegevensmagazijn.tweedekamer.nl/OData/v4/2.0/"
    syncfeed_url: str = "https://gegevensmagazijn.tweedekamer.nl/SyncFeed/2.0/"
    ob_url: str = "https://zoek.officielebekendmakingen.nl/"
    source: str = "odata"  # odata | syncfeed
    page_size: int = 250
    retries: int = 6
    backoff: float = 1.0
    backoff_max: float = 60.0
    min_interval: float = 0.25
    fetch_texts: bool = True
    entities: tuple[str, ...] = ENTITIES
    write_batch: int = 500

    @classmethod
    def from_settings(cls, settings: Any) -> SyncOptions:
        return cls(
            odata_url=settings.tk_odata_url,
            syncfeed_url=settings.tk_syncfeed_url,
            ob_url=settings.ob_url,
            source=settings.sync_source,
            page_size=settings.sync_page_size,
            retries=settings.sync_retries,
            backoff=settings.sync_backoff,
            backoff_max=settings.sync_backoff_max,
            min_interval=1.0 / settings.sync_rate if settings.sync_rate > 0 else 0.0,
        )


@dataclass
class SyncOutcome:
    entity: str
    id: str | None
    source: str
    status: str
    graph: str | None = None
    zaak: str | None = None
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"entity": self.entity, "id": self.id, "source": self.source, "status": self.status}
        for k in ("graph", "zaak"):
            if getattr(self, k):
                d[k] = getattr(self, k)
        if self.problems:
            d["problems"] = self.problems
        return d


@dataclass
class SyncReport:
    started: str
    dry_run: bool = False
    source: str = "odata"
    requests: int = 0
    retries: list[str] = field(default_factory=list)
    waited_s: float = 0.0
    pages: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    records: list[SyncOutcome] = field(default_factory=list)
    graphs: dict[str, int] = field(default_factory=dict)
    graph_fates: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    cursors: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return dict(Counter(r.status for r in self.records))

    def as_dict(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "dry_run": self.dry_run,
            "source": self.source,
            "requests": self.requests,
            "pages": self.pages,
            "retries": self.retries,
            "waited_s": round(self.waited_s, 3),
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
            "errors": self.errors,
            "notes": self.notes,
            "counts": self.counts(),
            "graphs": self.graphs,
            "cursors": self.cursors,
            "records": [r.as_dict() for r in self.records],
            "graph_fates": self.graph_fates,
        }

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.as_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)


# --------------------------------------------------------------------------- state and mirror


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class SyncState:
    """The cursor per entity and how far the mirror has been applied (``{store}.sync.json``), and the
    folder of the same name without ``.json``: the records mirror, the fetched texts, the graph hashes."""

    VERSION = 1

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.dir = self.path.with_suffix("") if self.path.suffix == ".json" else self.path.with_name(self.path.name + ".d")
        self.cursors: dict[str, dict[str, Any]] = {}
        self.applied_lines = 0
        self.pending_texts: dict[str, dict[str, Any]] = {}
        self.source: str | None = None
        self.describe_pending = False
        self.store_quads: int | None = None  # the store's size when the last sync ended
        if self.path.exists():
            try:
                d = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise SyncError(f"{self.path}: the sync state cannot be read: {exc}") from None
            if not isinstance(d, dict) or d.get("version") != self.VERSION:
                raise SyncError(f"{self.path}: not a kamergraph sync state (version {self.VERSION})")
            self.cursors = d.get("cursors") or {}
            self.applied_lines = int(d.get("applied_lines") or 0)
            self.pending_texts = d.get("pending_texts") or {}
            self.source = d.get("source")
            self.describe_pending = bool(d.get("describe_pending"))
            self.store_quads = d.get("store_quads")

    @property
    def mirror_path(self) -> Path:
        return self.dir / "records.jsonl"

    @property
    def texts_dir(self) -> Path:
        return self.dir / "texts"

    @property
    def hashes_path(self) -> Path:
        return self.dir / "graphs.json"

    def save(self) -> None:
        _write_atomic(self.path, json.dumps({
            "version": self.VERSION,
            "source": self.source,
            "cursors": self.cursors,
            "applied_lines": self.applied_lines,
            "pending_texts": self.pending_texts,
            "describe_pending": self.describe_pending,
            "store_quads": self.store_quads,
        }, ensure_ascii=False, indent=1) + "\n")

    # -- the records mirror: one line per fetched entity {"entity", "source", "pos", "record"}
    def read_mirror(self) -> list[dict[str, Any]]:
        if not self.mirror_path.exists():
            return []
        lines = []
        with self.mirror_path.open("r", encoding="utf-8") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.endswith("\n"):
                    break  # a line cut off by an interruption: its page is fetched again
                try:
                    lines.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise SyncError(f"{self.mirror_path}:{n}: broken mirror line ({exc.msg})") from None
        return lines

    def append_mirror(self, lines: list[dict[str, Any]]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.mirror_path
        if path.exists():  # drop a line cut off by an earlier interruption
            data = path.read_bytes()
            if data and not data.endswith(b"\n"):
                with path.open("r+b") as fh:
                    fh.truncate(data.rfind(b"\n") + 1)
        text = "".join(json.dumps(x, ensure_ascii=False, sort_keys=True) + "\n" for x in lines)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())

    def read_hashes(self) -> dict[str, str] | None:
        if not self.hashes_path.exists():
            return None
        try:
            return json.loads(self.hashes_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise SyncError(f"{self.hashes_path}: cannot be read: {exc}") from None

    def write_hashes(self, hashes: Mapping[str, str]) -> None:
        _write_atomic(self.hashes_path, json.dumps(dict(sorted(hashes.items())), indent=0) + "\n")


# --------------------------------------------------------------------------- HTTP


def retry_after_seconds(value: str | None, now: dt.datetime) -> float | None:
    """``Retry-After`` as seconds: a number of seconds or an HTTP date (RFC 9110, 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


class Fetcher:
    """GET with pacing (at most one request per ``min_interval``), retries and back-off.

    Retried: 429 (waiting as long as ``Retry-After`` says), 500/502/503/504, and transport errors
    (refused or dropped connections, a body cut off mid-page, time-outs). The wait doubles from
    ``backoff`` up to ``backoff_max``; after ``retries`` retries the request fails with HttpFailure.
    """

    def __init__(self, client: httpx.Client, options: SyncOptions, report: SyncReport, *,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
                 checkpoint: Callable[[str], None] = lambda _s: None) -> None:
        self.client, self.options, self.report = client, options, report
        self.sleep, self.clock, self.now, self.checkpoint = sleep, clock, now, checkpoint
        self._last: float | None = None

    def _pace(self) -> None:
        if self._last is not None and self.options.min_interval > 0:
            wait = self.options.min_interval - (self.clock() - self._last)
            if wait > 0:
                self.sleep(wait)
        self._last = self.clock()

    def get(self, url: str, accept: str) -> httpx.Response:
        attempt = 0
        while True:
            self._pace()
            self.report.requests += 1
            wait: float | None = None
            try:
                resp = self.client.get(url, headers={"Accept": accept})
            except httpx.TransportError as exc:
                reason = f"{type(exc).__name__}: {exc}"
            else:
                if resp.status_code == 429 or resp.status_code in (500, 502, 503, 504):
                    reason = f"HTTP {resp.status_code}"
                    wait = retry_after_seconds(resp.headers.get("Retry-After"), self.now())
                else:
                    return resp
            attempt += 1
            if attempt > self.options.retries:
                raise HttpFailure(url, f"{reason}; gave up after {attempt} attempts")
            delay = wait if wait is not None else min(self.options.backoff_max, self.options.backoff * 2 ** (attempt - 1))
            self.report.retries.append(f"{url}: {reason}; retry {attempt} after {delay:g} s")
            self.report.waited_s += delay
            self.sleep(delay)


# --------------------------------------------------------------------------- upstream requests


def _odata_datetime(value: str) -> str:
    """A date or date-time as an OData DateTimeOffset literal (UTC)."""
    try:
        d = dt.datetime.fromisoformat(value)
    except ValueError:
        raise SyncError(f"not a date or date-time: {value!r}") from None
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.UTC)
    return d.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def odata_first_url(options: SyncOptions, entity: str, since: str | None) -> str:
    """The first page of an entity's changes since ``since`` (all of them when None)."""
    filters = []
    if entity == "Zaak":
        filters.append(f"Soort eq '{ZAAK_SOORT}'")
    elif entity == "ZaakActor":
        filters.append(f"Zaak/Soort eq '{ZAAK_SOORT}'")
    elif entity == "Document":
        filters.append("(" + " or ".join(f"Soort eq '{s}'" for s in DOCUMENT_SOORTEN) + ")")
    if since:
        filters.append(f"GewijzigdOp gt {_odata_datetime(since)}")
    params: dict[str, str] = {"$orderby": "GewijzigdOp,Id", "$top": str(options.page_size)}
    if filters:
        params["$filter"] = " and ".join(filters)
    if entity in _EXPAND:
        params["$expand"] = _EXPAND[entity]
    return str(httpx.URL(options.odata_url.rstrip("/") + "/" + entity, params=params))


def odata_zaken_url(options: SyncOptions, ids: Iterable[str]) -> str:
    """The Zaken with these ids (GUIDs), with their actors, as the Zaak feed gives them."""
    ids = list(ids)
    match = " or ".join(f"Id eq {i}" for i in ids)
    params = {"$filter": f"({match}) and Soort eq '{ZAAK_SOORT}'", "$expand": _EXPAND["Zaak"],
              "$orderby": "Id", "$top": str(len(ids))}
    return str(httpx.URL(options.odata_url.rstrip("/") + "/Zaak", params=params))


def syncfeed_first_url(options: SyncOptions, entity: str) -> str:
    return str(httpx.URL(options.syncfeed_url.rstrip("/") + "/Feed", params={"category": entity}))


def publication_id(doc: Mapping[str, Any]) -> str | None:
    """The officielebekendmakingen id of a question or answer Document.

    Questions: ``kv-tk-{Zaak.Nummer}``. Answers: ``ah-tk-{vergaderjaar without dash}-{n}``, n being the
    last four digits of ``Aanhangselnummer`` (``242501244`` -> 1244) without leading zeros.
    """
    soort = doc.get("Soort")
    if soort == QUESTION_SOORT:
        zaken = doc.get("Zaak") or []
        if isinstance(zaken, Mapping):
            zaken = [zaken]
        for z in zaken:
            if isinstance(z, Mapping) and isinstance(z.get("Nummer"), str) and z["Nummer"].strip():
                return f"kv-tk-{z['Nummer'].strip()}"
        return None
    if soort in ANSWER_SOORTEN:
        nummer = str(doc.get("Aanhangselnummer") or "").strip()
        vj = str(doc.get("Vergaderjaar") or "").strip()
        if not nummer.isdigit() or len(vj) != 9 or vj[4] != "-":
            return None
        return f"ah-tk-{vj.replace('-', '')}-{int(nummer[-4:])}"
    return None


def xml_publication_text(body: bytes, url: str) -> str:
    """The text of an officielebekendmakingen XML publication: one line per block element."""
    from lxml import etree

    try:
        root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise ParseError(url, exc.position[0] if exc.position else None, f"not well-formed XML: {exc.msg}") from None
    lines: list[str] = []

    def walk(el: Any) -> None:
        local = el.tag.split("}", 1)[-1] if isinstance(el.tag, str) else ""
        if local in _OB_BLOCKS and not any(isinstance(c.tag, str) and c.tag.split("}", 1)[-1] in _OB_BLOCKS for c in el):
            text = " ".join("".join(el.itertext()).split())
            if text:
                lines.append(text)
            return
        for c in el:
            if isinstance(c.tag, str):
                walk(c)

    walk(root)
    if not lines:
        raise ParseError(url, None, "the XML publication has no text")
    return "\n".join(lines) + "\n"


def pdf_publication_text(body: bytes, url: str) -> str:
    """The text of a PDF publication (pypdf), page after page."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(body))
        pages = [p.extract_text() or "" for p in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ParseError(url, None, f"not a readable PDF: {exc}") from None
    text = "\n".join(pages).strip()
    if not text:
        raise ParseError(url, None, "the PDF has no text layer")
    return text + "\n"


# --------------------------------------------------------------------------- the sync


class _Sync:
    def __init__(self, store: Any, data_dir: Path, iris: Any, client: httpx.Client, state: SyncState,
                 options: SyncOptions, report: SyncReport, *, dry_run: bool, base_file: Path | None,
                 dumps_dir: Path | None, fetcher: Fetcher, checkpoint: Callable[[str], None],
                 log: Callable[[str], None]) -> None:
        from kamergraph.inputs import ODATA_FILE

        self.store, self.data_dir, self.iris, self.client, self.state = store, data_dir, iris, client, state
        self.options, self.report, self.dry_run, self.fetcher = options, report, dry_run, fetcher
        self.checkpoint, self.log, self.dumps_dir = checkpoint, log, dumps_dir
        self.base_file = base_file or data_dir / ODATA_FILE
        self.base_name = f"data/{ODATA_FILE}" if base_file is None else str(base_file)
        self.memory_lines: list[dict[str, Any]] = []  # a dry run's pages (never written)
        self.fetched_texts: dict[str, str] = {}  # publication id -> text (dry run: kept in memory)
        self._base: list[ZaakRecord] | None = None
        self._nummers: dict[str, str] | None = None  # Zaak id -> number (for SyncFeed Documents)
        self._pending_before = set(state.pending_texts)  # texts not found in earlier runs: asked for again
        self._run_actors: dict[str, dict[str, str]] = {}  # Zaak id -> {ZaakActor id: GewijzigdOp}, fetched this run
        self._tk_fates: dict[tuple[str, str], Any] = {}  # (entity, Id) -> RecordFate of the member records

    # -- base records
    def base_records(self) -> list[ZaakRecord]:
        if self._base is None:
            self._base = [z for z in read_jsonl(self.base_file, self.base_name) if isinstance(z, ZaakRecord)]
        return self._base

    def default_since(self) -> str | None:
        times = [z.gewijzigd_op for z in self.base_records() if z.gewijzigd_op is not None]
        return max(times).isoformat() if times else None

    # -- fetch
    def fetch(self, since: str | None) -> None:
        src = self.options.source
        entities = self.options.entities if src == "odata" else tuple(
            e for e in SYNCFEED_ENTITIES if e in self.options.entities or e in ("ZaakActor", "DocumentActor"))
        if since is not None and not self.dry_run:  # an explicit start is the cursor from now on (also if interrupted)
            for entity in entities:
                self.state.cursors[entity] = {"since": since, "next": None}
            self.state.source = src
            self.state.save()
        for entity in entities:
            cur = {"since": since, "next": None} if since is not None else dict(self.state.cursors.get(entity) or {})
            if src == "odata":
                start = cur.get("since") or self.default_since()
                url = cur.get("next") or odata_first_url(self.options, entity, start)
            else:
                url = cur.get("next") or syncfeed_first_url(self.options, entity)
            try:
                self._follow(entity, url, cur)
            except (HttpFailure, ParseError) as exc:
                self.report.errors.append(f"{entity}: {exc}; this feed stopped here and resumes from this page next time")
                self.log(f"sync: {entity}: {exc}")
        if self.options.fetch_texts and not self.dry_run:
            self._retry_pending_texts()

    def _follow(self, entity: str, url: str | None, cur: dict[str, Any]) -> None:
        while url:
            accept = "application/json" if self.options.source == "odata" else "application/atom+xml"
            resp = self.fetcher.get(url, accept)
            if resp.status_code != 200:
                raise HttpFailure(url, f"HTTP {resp.status_code}: {resp.text[:200]!r}")
            page: Page = (parse_odata_page(resp.content, url, entity) if self.options.source == "odata"
                          else parse_syncfeed(resp.content, url))
            self.report.pages += 1
            self.checkpoint(f"page {url}")
            lines = [{"entity": e, "source": page.url, "pos": pos, "record": rec} for e, rec, pos in page.entries]
            if self.options.source == "odata" and entity == "ZaakActor":
                lines += self._zaken_of_actors(lines)
            for line in lines:
                self._note_zaak(line)
                self._note_actors(line)
                if line["entity"] == "Document" and self.options.fetch_texts:
                    self._document_text(line)
            if self.dry_run:
                self.memory_lines.extend(lines)
            else:
                self.state.append_mirror(lines)
                self.checkpoint(f"stored {url}")
            seen = [str(rec.get("GewijzigdOp")) for _e, rec, _p in page.entries if rec.get("GewijzigdOp")]
            newest = max([cur.get("since") or "", *seen], key=_sort_time) or None
            if self.options.source == "odata":
                cur = {"since": newest, "next": page.next_link}
            else:  # the SyncFeed's last next link is where the next sync starts
                cur = {"since": newest, "next": page.next_link or cur.get("next") or url, "done": page.next_link is None}
            self.state.cursors[entity] = cur
            self.state.source = self.options.source
            if not self.dry_run:
                self.state.save()
                self.checkpoint(f"cursor {url}")
            if self.options.source == "syncfeed" and page.next_link is None:
                break
            url = page.next_link

    # -- ZaakActor changes (OData): a changed actor does not change its Zaak's GewijzigdOp
    def _note_actors(self, line: Mapping[str, Any]) -> None:
        """Remember the actor versions of a Zaak fetched in this run (with its actors expanded)."""
        rec = line["record"]
        if line["entity"] == "Zaak" and isinstance(rec.get("ZaakActor"), list) and isinstance(rec.get("Id"), str):
            self._run_actors[rec["Id"]] = {str(a.get("Id")): str(a.get("GewijzigdOp")) for a in rec["ZaakActor"]
                                           if isinstance(a, Mapping)}

    def _zaken_of_actors(self, actor_lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The Zaken (with their actors) of the changed ZaakActors on a page whose change the Zaken fetched
        in this run do not already show; mirrored as Zaak lines, so the next apply re-derives them."""
        want: list[str] = []
        for line in actor_lines:
            a = line["record"]
            zid = a.get("Zaak_Id")
            if not isinstance(zid, str) or not _GUID.match(zid) or zid in want:
                continue
            seen = self._run_actors.get(zid)
            if seen is not None and (seen.get(str(a.get("Id"))) == str(a.get("GewijzigdOp"))
                                     or (a.get("Verwijderd") and str(a.get("Id")) not in seen)):
                continue  # the Zaak as fetched in this run already has this version of the actor
            want.append(zid)
        out: list[dict[str, Any]] = []
        for i in range(0, len(want), ZAAK_BATCH):
            url: str | None = odata_zaken_url(self.options, want[i:i + ZAAK_BATCH])
            while url:
                resp = self.fetcher.get(url, "application/json")
                if resp.status_code != 200:
                    raise HttpFailure(url, f"HTTP {resp.status_code}: {resp.text[:200]!r}")
                page = parse_odata_page(resp.content, url, "Zaak")
                self.checkpoint(f"zaken {url}")
                out += [{"entity": e, "source": page.url, "pos": pos, "record": rec, "via": "ZaakActor"}
                        for e, rec, pos in page.entries]
                url = page.next_link
        return out

    # -- publication texts
    def _with_zaak_nummer(self, doc: Mapping[str, Any]) -> Mapping[str, Any]:
        """A SyncFeed Document links its Zaak by id only (``Zaak_Id``): add the Zaak's number, as OData's
        ``$expand=Zaak($select=Id,Nummer)`` gives it, from the base records and the Zaken fetched so far."""
        if doc.get("Zaak") or not doc.get("Zaak_Id"):
            return doc
        if self._nummers is None:
            self._nummers = {z.id: z.nummer for z in self.base_records()}
            for line in self.state.read_mirror():
                self._note_zaak(line)
        nummer = self._nummers.get(doc["Zaak_Id"])
        return {**doc, "Zaak": [{"Id": doc["Zaak_Id"], "Nummer": nummer}]} if nummer else doc

    def _note_zaak(self, line: Mapping[str, Any]) -> None:
        rec = line["record"]
        if self._nummers is not None and line["entity"] == "Zaak" and isinstance(rec.get("Nummer"), str):
            self._nummers[str(rec.get("Id"))] = rec["Nummer"]

    def _document_text(self, line: dict[str, Any]) -> None:
        doc = line["record"]
        if doc.get("Verwijderd") or doc.get("Soort") not in (QUESTION_SOORT, *ANSWER_SOORTEN):
            return
        pid = publication_id(self._with_zaak_nummer(doc))
        line["publication"] = pid
        if pid is None:
            return
        if (self.state.texts_dir / f"{pid}.txt").exists() or pid in self.fetched_texts:
            return
        self._fetch_text(pid, line["source"], line["pos"])

    def _fetch_text(self, pid: str, source: str, pos: int) -> bool:
        base = self.options.ob_url.rstrip("/") + "/"
        problems = []
        for suffix, reader in ((".xml", xml_publication_text), (".pdf", pdf_publication_text)):
            url = base + pid + suffix
            try:
                resp = self.fetcher.get(url, "application/xml" if suffix == ".xml" else "application/pdf")
            except HttpFailure as exc:
                problems.append(str(exc))
                continue
            if resp.status_code != 200:
                problems.append(f"{url}: HTTP {resp.status_code}")
                continue
            try:
                text = reader(resp.content, url)
            except ParseError as exc:
                problems.append(str(exc))
                continue
            self.fetched_texts[pid] = text
            if not self.dry_run:
                _write_atomic(self.state.texts_dir / f"{pid}.txt", text)
                self.state.pending_texts.pop(pid, None)
            return True
        if not self.dry_run:
            self.state.pending_texts[pid] = {"source": source, "pos": pos, "problems": problems}
        return False

    def _retry_pending_texts(self) -> None:
        for pid, info in list(self.state.pending_texts.items()):
            if pid not in self._pending_before:  # asked for in this run already
                continue
            if not self._fetch_text(pid, info.get("source", ""), info.get("pos", 0)):
                self.report.records.append(SyncOutcome("Document", None, f"{info.get('source')}#{info.get('pos')}",
                                                       "text unavailable", problems=self.state.pending_texts[pid]["problems"]))
        self.state.save()

    # -- apply
    def current_records(self, lines: list[dict[str, Any]]) -> tuple[list[ZaakRecord], dict[int, SyncOutcome], list[str]]:
        """The records as they stand after ``lines``: the base overlaid with the mirror.

        The latest Persoon, Fractie, FractieZetel and FractieZetelPersoon records (with the places they
        were read) are kept in ``self.tk_records`` and ``self.tk_sources``, the latest Kamerstukdossier records
        in ``self.dossiers``, for :meth:`derive`."""
        final: dict[str, ZaakRecord] = {z.id: z for z in self.base_records()}
        deleted_graphs: list[str] = []
        outcomes: dict[int, SyncOutcome] = {}
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        where: dict[tuple[str, str], SourceRef] = {}
        for line in lines:
            rec = line["record"]
            ent = line["entity"]
            if ent in ("FractieZetel", "FractieZetelPersoon"):
                # expanded with the period (OData): its seat, the seat's fractie and the person, unless read themselves
                nested = [("FractieZetel", rec.get("FractieZetel")), ("Persoon", rec.get("Persoon")),
                          ("Fractie", rec.get("Fractie"))]
                if isinstance(rec.get("FractieZetel"), Mapping):
                    nested.append(("Fractie", rec["FractieZetel"].get("Fractie")))
                for n_ent, n_rec in nested:
                    if isinstance(n_rec, Mapping) and isinstance(n_rec.get("Id"), str):
                        k = (n_ent, n_rec["Id"])
                        if k not in latest or _sort_time(str(n_rec.get("GewijzigdOp") or "")) > _sort_time(
                                str(latest[k].get("GewijzigdOp") or "")):
                            latest[k] = {f: v for f, v in n_rec.items() if not isinstance(v, (Mapping, list))}
                            where[k] = SourceRef(line["source"], line["pos"])
            latest[(ent, str(rec.get("Id")))] = rec
            where[(ent, str(rec.get("Id")))] = SourceRef(line["source"], line["pos"])
        self.tk_records = {
            ent: {k[1]: v for k, v in latest.items() if k[0] == ent} for ent in TK_REFERENCE_ENTITIES}
        self.tk_sources = {k: v for k, v in where.items() if k[0] in TK_REFERENCE_ENTITIES}
        self.dossiers = [(rec, where[k]) for k, rec in latest.items() if k[0] == "Kamerstukdossier"
                         and not rec.get("Verwijderd")]
        dossier_keys: dict[str, str] = {}  # Id -> number, of any version (a deleted one may come without it)
        personen = {k[1]: v for k, v in latest.items() if k[0] == "Persoon"}
        actors: dict[str, list[dict[str, Any]]] = {}
        for (ent, _id), rec in latest.items():
            if ent == "ZaakActor" and rec.get("Zaak_Id"):
                actors.setdefault(rec["Zaak_Id"], []).append(rec)
        for i, line in enumerate(lines):
            ent, rec = line["entity"], line["record"]
            src = f"{line['source']}#{line['pos']}"
            rid = rec.get("Id") if isinstance(rec.get("Id"), str) else None
            if ent in TK_REFERENCE_ENTITIES:
                graph = self.iris.reference_graph(
                    {"Persoon": "personen", "Fractie": "fracties"}.get(ent, "lidmaatschappen"))
                outcomes[i] = SyncOutcome(ent, rid, src, "deleted" if rec.get("Verwijderd") else "pending", graph=graph)
                continue
            if ent == "ZaakActor":
                outcomes[i] = SyncOutcome(ent, rid, src, "pending")  # its Zaak's fate, below
                continue
            if ent == "Kamerstukdossier":
                from ingest.tk_reference import kamerstukdossier_key

                try:
                    dossier_keys[str(rid)] = kamerstukdossier_key(rec)
                except ValueError as exc:
                    if not rec.get("Verwijderd"):
                        outcomes[i] = SyncOutcome(ent, rid, src, "unusable", problems=[
                            f"{line['source']}, entry {line['pos']}: Kamerstukdossier {rid}: {exc}"])
                        continue
                dkey = dossier_keys.get(str(rid))
                graph = self.iris.graph("dossier", dkey) if dkey else None
                if rec.get("Verwijderd"):
                    outcomes[i] = SyncOutcome(ent, rid, src, "deleted", graph=graph)
                    if graph:
                        deleted_graphs.append(graph)
                else:
                    outcomes[i] = SyncOutcome(ent, rid, src, "pending", graph=graph)
                continue
            if ent != "Zaak":
                out = SyncOutcome(ent, rid, src, "mirrored")
                if ent == "Document" and rec.get("Verwijderd"):
                    out.status = "deleted (mirrored)"
                elif ent == "Document" and rec.get("Soort") in (QUESTION_SOORT, *ANSWER_SOORTEN):
                    pid = line.get("publication") or publication_id(self._with_zaak_nummer(rec))
                    if pid is None:
                        out.status = "no publication id"
                        out.problems.append("no Zaak number (question) or Aanhangselnummer and Vergaderjaar (answer)")
                    elif (self.state.texts_dir / f"{pid}.txt").exists() or pid in self.fetched_texts:
                        out.status = "text fetched"
                        out.graph = self.iris.graph("publicatie", pid)
                    elif self.options.fetch_texts:
                        out.status = "text unavailable"
                        out.problems += self.state.pending_texts.get(pid, {}).get("problems", [])
                    else:
                        out.status = "mirrored (texts not fetched)"
                outcomes[i] = out
                continue
            if rec.get("Verwijderd"):
                old = final.pop(rid, None) if rid else None
                nummer = rec.get("Nummer") or (old.nummer if old else None)
                graph = self.iris.zaak_graph(nummer) if nummer else None
                if graph:
                    deleted_graphs.append(graph)
                outcomes[i] = SyncOutcome(ent, rid, src, "deleted", graph=graph, zaak=nummer)
                continue
            if rec.get("Soort") != ZAAK_SOORT:
                outcomes[i] = SyncOutcome(ent, rid, src, "skipped", problems=[f"Soort {rec.get('Soort')!r}"])
                continue
            obj = rec if "ZaakActor" in rec or rid not in actors else join_zaak_actors(rec, actors[rid], personen)
            try:
                z = parse_zaak(obj, SourceRef(line["source"], line["pos"]))
            except ParseError as exc:
                outcomes[i] = SyncOutcome(ent, rid, src, "unparseable", problems=[exc.problem])
                continue
            final[z.id] = z
            outcomes[i] = SyncOutcome(ent, z.id, src, "pending", graph=self.iris.zaak_graph(z.nummer), zaak=z.nummer)
        for i, out in outcomes.items():
            if out.entity != "ZaakActor":
                continue
            zid = lines[i]["record"].get("Zaak_Id")
            z = final.get(zid) if isinstance(zid, str) else None
            if z is None:
                out.status = "skipped"
                out.problems.append(f"its Zaak {zid} is not a current Zaak of Soort {ZAAK_SOORT!r}")
            else:
                out.graph, out.zaak = self.iris.zaak_graph(z.nummer), z.nummer
        # a record that comes again later in the run: the later version is the one applied
        last_index: dict[tuple[str, str | None], int] = {}
        for i, out in outcomes.items():
            last_index[(out.entity, out.id)] = i
        for i, out in outcomes.items():
            if out.id is not None and last_index[(out.entity, out.id)] != i:
                out.status = "superseded"
        live_graphs = {self.iris.zaak_graph(z.nummer) for z in final.values()}
        return list(final.values()), outcomes, [g for g in deleted_graphs if g not in live_graphs]

    def text_files(self) -> list[Path]:
        from kamergraph.texts import bundled_text_files

        files = bundled_text_files(self.data_dir)
        if self.state.texts_dir.exists():
            files += sorted(self.state.texts_dir.glob("*.txt"))
        if self.dry_run and self.fetched_texts:
            import tempfile

            tmp = Path(tempfile.mkdtemp(prefix="kamergraph-sync-dry-"))
            for pid, text in self.fetched_texts.items():
                (tmp / f"{pid}.txt").write_text(text, encoding="utf-8")
                files.append(tmp / f"{pid}.txt")
        return files

    def derive(self, zaken: list[ZaakRecord], texts: list[Path], tk_records: Mapping[str, Mapping[str, Any]] | None = None,
               tk_sources: Mapping[tuple[str, str], SourceRef] | None = None,
               dossiers: Iterable[tuple[Mapping[str, Any], SourceRef]] = ()
               ) -> tuple[dict[str, Any], set[str], dict[str, list[str]]]:
        """Every graph the build would make of these records: {iri: MappedGraph}, the record graphs
        (validated before loading) and, per text graph, the case graphs it must be validated with.

        ``tk_records`` (entity -> Id -> the latest Persoon, Fractie, FractieZetel, FractieZetelPersoon
        record) are folded into the reference data after its completion
        (:func:`ingest.tk_reference.overlay_tk_records`); what became of each is left in ``self._tk_fates``.
        ``dossiers`` (the latest Kamerstukdossier records, not deleted, and where each was read) become
        record graphs of their own (:func:`ingest.tk_reference.map_kamerstukdossier`)."""
        from ingest.citations import default_register
        from ingest.map import map_kamervraag, map_reference
        from ingest.map_text import map_eu_register
        from ingest.infer import complete_reference
        from ingest.reference import load_reference
        from ingest.resolve import Resolver
        from ingest.resolve_text import TextResolver
        from ingest.sources.koop import read_publication_ids
        from kamergraph.inputs import KOOP_FILE, ontology_graph
        from kamergraph.texts import process_texts

        ref = complete_reference(_cached("reference", self.data_dir, lambda: load_reference(self.data_dir),
                                         self.data_dir / "reference"), zaken)
        if tk_records and any(tk_records.values()):
            from ingest.tk_reference import overlay_tk_records

            ref, self._tk_fates = overlay_tk_records(
                ref, tk_records.get("Persoon", {}), tk_records.get("Fractie", {}), tk_records.get("FractieZetel", {}),
                tk_records.get("FractieZetelPersoon", {}), dict(tk_sources or {}))
        resolver = Resolver(ref)
        koop = self.data_dir / KOOP_FILE
        pub_ids = _cached("koop", koop, lambda: read_publication_ids(koop))
        graphs: dict[str, Any] = {}
        for g in (ontology_graph(self.iris), *map_reference(ref, self.iris), map_eu_register(default_register(), self.iris)):
            graphs[g.iri] = g
        records: set[str] = set()
        for z in zaken:
            mg = map_kamervraag(resolver.resolve(z, pub_ids), self.iris)
            graphs[mg.iri] = mg
            records.add(mg.iri)
        companions: dict[str, list[str]] = {}
        if dossiers:
            from ingest.tk_reference import map_kamerstukdossier

            for rec, src in dossiers:
                try:
                    mg = map_kamerstukdossier(rec, src, self.iris)
                except ValueError:
                    continue  # reported as unusable by current_records
                graphs[mg.iri] = mg
                records.add(mg.iri)
        for t in process_texts(texts, self.data_dir, TextResolver(ref, resolver, zaken), pub_ids, self.iris):
            if t.graph is None:
                continue
            graphs[t.graph.iri] = t.graph
            records.add(t.graph.iri)
            companions[t.graph.iri] = [self.iris.zaak_graph(t.resolved.kamervraag)] if t.resolved and t.resolved.kamervraag else []
        # a text graph is validated with its case and with the other texts (an answer may be what types its case)
        texts_all = list(companions)
        for g in texts_all:
            companions[g] = companions[g] + texts_all
        return graphs, records, companions

    def apply(self) -> None:
        from pyoxigraph import RdfFormat, Store as OxStore

        from shapes.validate import FastValidator

        timings = self.report.timings
        t0 = time.perf_counter()
        mirror = self.state.read_mirror()
        all_lines = mirror + self.memory_lines
        pending_from = min(self.state.applied_lines, len(mirror))
        zaken, outcomes, _deleted = self.current_records(all_lines)
        pending = [outcomes[i] for i in range(pending_from, len(all_lines)) if i in outcomes]
        timings["read"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        hashes = self.state.read_hashes()
        if hashes is not None and self.state.store_quads is not None and len(self.store) != self.state.store_quads:
            # the store is not as the last sync left it (a build since, or a run stopped mid-write): compare afresh
            self.report.notes.append(
                f"the store has {len(self.store):,} quads, not the {self.state.store_quads:,} the last sync left "
                "(a build since, or a sync stopped while writing): its graphs are compared with the records afresh")
            hashes = None
        if hashes is None:  # the first sync: what the build stored, derived from the same base
            base_graphs, _r, _c = self.derive(self.base_records(), self.text_files_base())
            present = set(self.store.named_graphs())
            hashes = {g: _sha(m.nquads) for g, m in base_graphs.items() if g in present}
            del base_graphs
            if not self.dry_run:
                self.state.write_hashes(hashes)
                self.checkpoint("hashes")
        graphs, record_graphs, companions = self.derive(zaken, self.text_files(), self.tk_records, self.tk_sources,
                                                        self.dossiers)
        tk_status = {"added": "pending", "updated": "pending", "used": "pending", "unchanged": "unchanged",
                     "unused": "unused", "unusable": "unusable"}
        for out in pending:
            f = self._tk_fates.get((out.entity, out.id or "")) if out.entity in TK_REFERENCE_ENTITIES else None
            if f is None or out.status != "pending":
                continue
            out.status = tk_status.get(f.status, out.status)
            out.problems += f.problems
            if out.status == "unusable":
                out.graph = None
            elif f.status == "unused" and out.entity == "Persoon":
                out.problems.append("a person no fractie period refers to: not a member, not added")
        timings["derive"] = time.perf_counter() - t0

        changed = [g for g, m in graphs.items() if hashes.get(g) != _sha(m.nquads)]
        removed = sorted(g for g in hashes if g not in graphs)
        to_check = [g for g in changed if g in record_graphs]

        t0 = time.perf_counter()
        rejected: dict[str, list[str]] = {}
        if to_check:
            staging = OxStore()
            context = [g for g in graphs if g not in record_graphs]
            need = set(context) | set(to_check) | {c for g in to_check for c in companions.get(g, ()) if c in graphs}
            staging.bulk_load("".join(graphs[g].nquads for g in need).encode("utf-8"), format=RdfFormat.N_QUADS)
            result = FastValidator().validate_store(staging, graphs=to_check)
            del staging
            for r in result.results:
                if r.severity == "Violation" and r.graph in graphs:
                    rejected.setdefault(r.graph, []).append(
                        f"{r.message} (focus {r.focus_node}, path {r.path}, shape {r.source_shape})")
        timings["validate"] = time.perf_counter() - t0

        fate: dict[str, str] = {}
        for g in changed:
            fate[g] = "rejected" if g in rejected else ("would load" if self.dry_run else "loaded")
        for g in removed:
            fate[g] = "would delete" if self.dry_run else "deleted"
        for out in pending:
            if out.entity == "Document" and out.status == "text fetched" and out.graph in fate:
                out.status = "text fetched, " + fate[out.graph]
                out.problems += rejected.get(out.graph, [])
                continue
            if out.status != "pending":
                continue
            if out.graph in fate:
                out.status = fate[out.graph]
                out.problems += rejected.get(out.graph, [])
            else:
                out.status = "unchanged"
        for out in pending:
            if out.status == "deleted" and out.graph not in fate:
                out.status = "deleted (already absent)"
            elif out.status == "deleted" and self.dry_run:
                out.status = "would delete"
        self.report.records.extend(pending)
        seen = {o.graph for o in pending}
        self.report.graph_fates = [{"graph": g, "status": s, **({"problems": rejected[g]} if g in rejected else {})}
                                   for g, s in sorted(fate.items()) if g not in seen]
        self.report.graphs = {
            "changed": len(changed) - len(rejected), "removed": len(removed), "rejected": len(rejected),
            "unchanged": len(graphs) - len(changed),
        }
        if self.dry_run:
            return

        t0 = time.perf_counter()
        if (changed or removed) and not self.state.describe_pending:
            # the dataset description is recomputed after the writes, also when a run stopped in between
            self.state.describe_pending = True
            self.state.save()
        replace_graphs(self.store, [], removed)
        for g in removed:
            hashes.pop(g, None)
        self.state.write_hashes(hashes)
        self.checkpoint("removed")
        to_write = [g for g in changed if g not in rejected]
        batch = max(1, self.options.write_batch)
        for i in range(0, len(to_write), batch):
            part = to_write[i:i + batch]
            replace_graphs(self.store, [(g, graphs[g].nquads) for g in part])
            for g in part:
                hashes[g] = _sha(graphs[g].nquads)
            self.state.write_hashes(hashes)
            self.checkpoint(f"written {i + batch}")
        if self.state.describe_pending:
            from kamergraph.dataset import load_description

            load_description(self.store, self.iris, self.dumps_dir)
            self.checkpoint("described")
            self.state.describe_pending = False
        self.state.applied_lines = len(mirror)
        self.state.store_quads = len(self.store)
        self.state.save()
        timings["write"] = time.perf_counter() - t0

    def text_files_base(self) -> list[Path]:
        from kamergraph.texts import bundled_text_files

        return bundled_text_files(self.data_dir)


_CACHE: dict[tuple[str, str, int, int], Any] = {}


def _cached(kind: str, path: Path, load: Callable[[], Any], watch: Path | None = None) -> Any:
    """``load()`` once per process while ``watch`` (default ``path``) is unchanged (the reference lists and
    publication ids are read once for the base and once for the current records)."""
    st = (watch or path).stat()
    key = (kind, str(path.resolve()), st.st_mtime_ns, st.st_size)
    if key not in _CACHE:
        _CACHE[key] = load()
    return _CACHE[key]


def replace_graphs(store: Any, replace: list[tuple[str, str]], remove: Iterable[str] = ()) -> None:
    """Replace (and remove) named graphs: on the embedded store in one transaction (one SPARQL update,
    one flush), elsewhere one transaction per graph."""
    from pyoxigraph import RdfFormat, parse, serialize

    from store.embedded import EmbeddedStore

    remove = list(remove)
    if not isinstance(store, EmbeddedStore):
        for g in remove:
            store.remove_graph(g)
        for g, nquads in replace:
            store.replace_graph(g, nquads)
        return
    parts = [f"DROP SILENT GRAPH <{g}>" for g in remove]
    for g, nquads in replace:
        triples = [q.triple for q in parse(nquads, format=RdfFormat.N_QUADS)] if nquads else []
        parts.append(f"DROP SILENT GRAPH <{g}>")
        if triples:
            body = serialize(triples, format=RdfFormat.N_TRIPLES).decode("utf-8")
            parts.append(f"INSERT DATA {{ GRAPH <{g}> {{\n{body}}} }}")
    if not parts:
        return
    from store import generation
    from store.base import StoreError

    if store.path is not None:  # a sync stopped before the bump below is bumped by the next command's recovery
        generation.pending(store.path)
    try:
        store.ox.update(" ;\n".join(parts))
    except (OSError, ValueError, SyntaxError) as exc:
        raise StoreError(f"cannot replace {len(replace)} graphs: {exc}") from None
    if store.path is not None:
        store.flush()
        generation.crash_point("write-before-bump")
        generation.bump(store.path)


def _sha(nquads: str) -> str:
    """A graph's fingerprint: of its N-Quads lines in sorted order (a graph is a set of statements)."""
    return hashlib.sha1("".join(sorted(nquads.splitlines(keepends=True))).encode("utf-8")).hexdigest()


def _sort_time(value: str) -> tuple[int, str]:
    if not value:
        return (0, "")
    try:
        d = dt.datetime.fromisoformat(value)
        if d.tzinfo is None:
            d = d.replace(tzinfo=dt.UTC)
        return (1, d.astimezone(dt.UTC).isoformat())
    except ValueError:
        return (1, value)


def sync(
    store: Any,
    data_dir: Path,
    iris: Any,
    client: httpx.Client,
    *,
    state_path: Path,
    options: SyncOptions | None = None,
    since: str | None = None,
    dry_run: bool = False,
    base_file: Path | None = None,
    dumps_dir: Path | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    checkpoint: Callable[[str], None] = lambda _s: None,
    log: Callable[[str], None] = lambda _m: None,
) -> SyncReport:
    """Fetch the upstream changes since the last sync (or ``since``) and apply them to ``store``.

    ``client`` is the HTTP client (tests give it a replaying transport); ``base_file`` the OData
    JSON Lines file the store was built from (default: the bundled one); ``sleep``/``clock``/``now``
    the time functions of the back-off; ``checkpoint(step)`` is called at every step (tests stop the
    run there). Returns the run's report; nothing is written in a dry run.
    """
    options = options or SyncOptions()
    report = SyncReport(started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), dry_run=dry_run,
                        source=options.source)
    state = SyncState(state_path)
    if state.source and state.source != options.source and since is None:
        raise SyncError(f"{state_path}: the cursors are of the {state.source} source, not {options.source}; "
                        "give --since to start the other source afresh")
    fetcher = Fetcher(client, options, report, sleep=sleep, clock=clock, now=now, checkpoint=checkpoint)
    run = _Sync(store, Path(data_dir), iris, client, state, options, report, dry_run=dry_run, base_file=base_file,
                dumps_dir=dumps_dir, fetcher=fetcher, checkpoint=checkpoint, log=log)
    t0 = time.perf_counter()
    run.fetch(since)
    report.timings["fetch"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    run.apply()
    report.timings["apply"] = time.perf_counter() - t0
    report.cursors = state.cursors
    return report


# --------------------------------------------------------------------------- the command


def add_sync_parser(sub: Any, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    s = sub.add_parser("sync", parents=[common], help="fetch what changed upstream (TK open data, official "
                       "publications) and apply it to the store")
    s.add_argument("--since", help="fetch the changes since this date or date-time (ISO 8601) instead of since "
                   "the last sync")
    s.add_argument("--dry-run", action="store_true", help="fetch and report what would change; write nothing "
                   "(neither the store nor the sync state)")
    s.add_argument("--source", choices=("odata", "syncfeed"), help="the OData v4 API or the SyncFeed "
                   "(default: KAMERGRAPH_SYNC_SOURCE)")
    s.add_argument("--state", help="the sync state file (default: KAMERGRAPH_SYNC_STATE or {store}.sync.json)")
    s.add_argument("--no-texts", action="store_true", help="do not fetch the publication texts")
    s.add_argument("--data-dir", help="the data folder (default: the bundled data/)")
    s.add_argument("--odata", help="the OData JSON Lines file the store was built from (default: the bundled one)")
    s.add_argument("--report", help="where to write the run report (JSON; default: KAMERGRAPH_SYNC_REPORT)")
    s.set_defaults(func=cmd_sync)
    return s


def state_path_for(store_location: str, settings: Any, explicit: str | None = None) -> Path:
    if explicit:
        return Path(explicit)
    if getattr(settings, "sync_state", None):
        return Path(settings.sync_state)
    if "://" in store_location:
        raise SyncError("a remote store needs KAMERGRAPH_SYNC_STATE (or --state): where the sync state is kept")
    return Path(store_location.rstrip("/") + ".sync.json")


def cmd_sync(args: argparse.Namespace, settings: Any, client: httpx.Client | None = None) -> int:
    from ontology.namespaces import Iris
    from store import open_store

    location = args.store or settings.store
    options = SyncOptions.from_settings(settings)
    if args.source:
        options.source = args.source
    if args.no_texts:
        options.fetch_texts = False
    try:
        state_path = state_path_for(location, settings, args.state)
    except SyncError as exc:
        print(f"sync: {exc}", file=sys.stderr)
        return 2
    own = client is None
    client = client or httpx.Client(timeout=settings.sync_timeout, follow_redirects=True,
                                    headers={"User-Agent": "kamergraph-sync"})
    t0 = time.perf_counter()
    try:
        with open_store(location, settings) as store:
            report = sync(
                store, Path(args.data_dir or settings.data_dir), Iris(settings.base), client,
                state_path=state_path, options=options, since=args.since, dry_run=args.dry_run,
                base_file=Path(args.odata) if args.odata else None, dumps_dir=Path(settings.dumps_dir),
                log=lambda m: print(m, file=sys.stderr),
            )
    except SyncError as exc:
        print(f"sync: {exc}", file=sys.stderr)
        return 2
    finally:
        if own:
            client.close()
    report.timings["total"] = time.perf_counter() - t0
    report_path = Path(args.report or settings.sync_report)
    report.write(report_path)
    counts = report.counts()
    print(f"{'dry run: ' if args.dry_run else ''}synced in {report.timings['total']:.1f} s: {report.requests} requests, "
          f"{report.pages} pages, {len(report.records)} records: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
    g = report.graphs
    print(f"  graphs: {g.get('changed', 0):,} {'to write' if args.dry_run else 'written'}, {g.get('removed', 0):,} "
          f"removed, {g.get('rejected', 0):,} rejected, {g.get('unchanged', 0):,} unchanged")
    if report.retries:
        print(f"  retries: {len(report.retries)} (waited {report.waited_s:.1f} s)")
    for r in report.records:
        if r.status in ("rejected", "unparseable", "unusable", "text unavailable"):
            print(f"  {r.status}: {r.source}: {'; '.join(r.problems)}", file=sys.stderr)
    for e in report.errors:
        print(f"  error: {e}", file=sys.stderr)
    print(f"  report: {report_path}")
    return 1 if report.errors else 0


__all__ = [
    "ENTITIES", "Fetcher", "HttpFailure", "Interrupted", "SyncError", "SyncOptions", "SyncOutcome", "SyncReport",
    "SyncState", "add_sync_parser", "cmd_sync", "odata_first_url", "odata_zaken_url", "pdf_publication_text", "publication_id",
    "retry_after_seconds", "sync", "xml_publication_text",
]
