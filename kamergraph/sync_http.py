"""`kamergraph sync`'s requests upstream: the fetcher (pacing, retries, back-off), the OData and SyncFeed
URLs, and the publication texts of officielebekendmakingen.nl (their ids, and their XML or PDF as text)."""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import httpx

from ingest.errors import ParseError
from ingest.bnc import DOSSIER as BNC_DOSSIER
from ingest.sources.odata import SOORT as ZAAK_SOORT
from kamergraph.sync_state import (
    ANSWER_SOORTEN,
    DOCUMENT_SOORTEN,
    QUESTION_SOORT,
    HttpFailure,
    SyncError,
    SyncOptions,
    SyncReport,
)

_EXPAND = {
    "Zaak": "ZaakActor($expand=Persoon)",
    # the dossier tells a BNC fiche (dossier 22112) from the other Documents (ingest.bnc.fiche_of_document)
    "Document": "DocumentActor,Zaak($select=Id,Nummer),Kamerstukdossier($select=Id,Nummer)",
    # the seat and its fractie, and the person, come with each period: they need not have changed themselves
    "FractieZetel": "Fractie",
    "FractieZetelPersoon": "FractieZetel($expand=Fractie),Persoon",
}
_OB_BLOCKS = {"al", "nr", "titel", "tussenkop", "kop", "li", "tbl", "row", "entry", "noot", "vraag", "antwoord",
              "opschrift", "ondertekening", "aanhef", "slotformulering", "tekstregel", "p"}


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
        # the question and answer Documents, and every Kamerstuk of the BNC dossier (its fiches assess the
        # Commission's proposals: ingest.bnc; the filter's form is the one tkapi uses for a dossier)
        soorten = " or ".join(f"Soort eq '{s}'" for s in DOCUMENT_SOORTEN)
        filters.append(f"({soorten} or Kamerstukdossier/any(d: d/Nummer eq {BNC_DOSSIER}))")
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
