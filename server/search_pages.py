"""The search page and the faceted list of Kamervragen.

``install_search(app, endpoint, index_path)`` adds:

- ``/zoeken`` (and ``/search``): full-text search over the subjects and the question and answer
  texts (``q=``, ``page=``); results as question cards with a highlighted snippet; ``format=json``
  gives the same page of results as JSON.
- ``/kamervragen``: every Kamervraag, newest first, 50 a page, filtered by ``fractie``, ``lid``,
  ``post``, ``ministerie`` (keys: the last path segment of ``{base}id/{kind}/{key}``), ``jaar``,
  ``status`` (beantwoord | open | uitgesteld) and ``eu`` (the full IRI of an EU act); filters
  combine with AND, a parameter may repeat. Counts per facet value for the filtered set, each value
  a link that adds it; the selected filters shown and removable. ``format=csv`` or ``format=json``
  streams the whole filtered list (every row, not one page).

Both run on the SQLite index of :mod:`server.search` (only SQL per request). Errors: a parameter
that is empty or malformed is a 400, as an HTML page for browsers and in the one JSON error shape
(``{"error": {"status", "title", "detail"}}``) for ``format=json|csv`` or a JSON ``Accept``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from kamergraph.coverage import Coverage
from server.endpoint import Endpoint
from server.errors import error_body
from server.i18n import COUNT_NOTES, page_lang, pick, tr
from server.pages.eu_links import Coverage as EUCoverage
from server.pages.eu_links import coverage as eu_coverage
from server.render import render
from server.search import (
    KINDS,
    STATUSES,
    BadQuery,
    Card,
    FacetCount,
    Filter,
    IndexMissing,
    SearchIndex,
    SearchService,
    Value,
    parse_query,
)

log = logging.getLogger("kamergraph.server.search")

LIST_PER_PAGE = 50
SEARCH_PER_PAGE = 20
FACET_SHOWN = 8  # values shown per facet; the rest (up to FACET_MAX) behind "more"
FACET_MAX = 100
MAX_PAGE = 100_000
MAX_KEY = 300

FACET_TITLES: dict[str, tuple[str, str]] = {
    "fractie": ("Fractie", "Parliamentary party"),
    "lid": ("Kamerlid", "Member"),
    "post": ("Gericht aan", "Addressed to"),
    "ministerie": ("Ministerie", "Ministry"),
    "jaar": ("Jaar", "Year"),
    "status": ("Status", "Status"),
    "eu": ("Aangehaalde EU-wetgeving", "Cited EU legislation"),
}
STATUS_ALIASES = {"answered": "beantwoord", "postponed": "uitgesteld", "open": "open", "beantwoord": "beantwoord",
                  "uitgesteld": "uitgesteld"}
LIST_PARAMS = (*KINDS, "page", "format", "lang")
SEARCH_PARAMS = ("q", "page", "format", "lang")
_KEY = re.compile(r"^[^\s\x00-\x1f\x7f<>\"{}|\\^`]+$")
_IRI = re.compile(r"^https?://[^\s\x00-\x1f\x7f<>\"{}|\\^`]+$", re.IGNORECASE)


class PageError(Exception):
    """A request these pages cannot answer: its status and what is wrong, in Dutch and English."""

    def __init__(self, status: int, nl: str, en: str, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.nl = nl
        self.en = en
        self.headers = headers or {}
        super().__init__(en)

    def message(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl


# --------------------------------------------------------------------------- reading the request


def _wants(request: Request, formats: Sequence[str]) -> str:
    """html | csv | json: from format=, else from Accept (a browser's text/html wins)."""
    if formats:
        return formats[0].strip().lower()
    accept = (request.headers.get("accept") or "").lower()
    if not accept or "text/html" in accept or ("*/*" in accept and "json" not in accept and "csv" not in accept):
        return "html"
    if "application/json" in accept:
        return "json"
    if "text/csv" in accept:
        return "csv"
    return "html"


def _params(request: Request, allowed: Sequence[str]) -> list[tuple[str, str]]:
    items = list(request.query_params.multi_items())
    unknown = sorted({k for k, _ in items if k not in allowed})
    if unknown:
        raise PageError(400, f"Onbekende parameter: {', '.join(unknown)}. Deze pagina kent: {', '.join(allowed)}.",
                        f"Unknown parameter: {', '.join(unknown)}. This page takes: {', '.join(allowed)}.")
    for single in ("page", "format", "lang", "q"):
        values = [v for k, v in items if k == single]
        if len(values) > 1:
            raise PageError(400, f"{single} staat er {len(values)} keer; geef het één keer.",
                            f"{single} is given {len(values)} times; give it once.")
    return items


def _page(items: Sequence[tuple[str, str]]) -> int:
    raw = next((v for k, v in items if k == "page"), None)
    if raw is None:
        return 1
    if not raw.strip().isdigit() or not 1 <= int(raw.strip()) <= MAX_PAGE:
        raise PageError(400, f"page={raw!r}: geef een paginanummer van 1 tot {MAX_PAGE}.",
                        f"page={raw!r}: give a page number from 1 to {MAX_PAGE}.")
    return int(raw.strip())


def _format(request: Request, items: Sequence[tuple[str, str]], allowed: Sequence[str]) -> str:
    fmt = _wants(request, [v for k, v in items if k == "format"])
    if fmt not in allowed:
        raise PageError(400, f"format={fmt!r}: kies uit {', '.join(allowed)}.",
                        f"format={fmt!r}: choose one of {', '.join(allowed)}.")
    return fmt


def _filters(index: SearchIndex, items: Sequence[tuple[str, str]]) -> list[Filter]:
    """The filters of the request, in the order given (each value once). A malformed value is a
    :class:`PageError`; a well-formed value no Kamervraag has filters everything out."""
    out: dict[tuple[str, str], Filter] = {}
    unknown = 0
    for kind, raw in items:
        if kind not in KINDS:
            continue
        key = raw.strip()
        if not key:
            raise PageError(400, f"{kind}= is leeg: geef een waarde of laat de parameter weg.",
                            f"{kind}= is empty: give a value or leave the parameter out.")
        if len(key) > MAX_KEY:
            raise PageError(400, f"{kind}: de waarde is langer dan {MAX_KEY} tekens.",
                            f"{kind}: the value is longer than {MAX_KEY} characters.")
        if kind == "jaar" and not re.fullmatch(r"\d{4}", key):
            raise PageError(400, f"jaar={key!r}: geef een jaartal van vier cijfers, zoals jaar=2019.",
                            f"jaar={key!r}: give a four-digit year, like jaar=2019.")
        if kind == "status":
            if key.lower() not in STATUS_ALIASES:
                raise PageError(400, f"status={key!r}: kies uit {', '.join(STATUSES)}.",
                                f"status={key!r}: choose one of {', '.join(STATUSES)} (or answered, postponed).")
            key = STATUS_ALIASES[key.lower()]
        if kind == "eu" and not _IRI.match(key):
            raise PageError(400, f"eu={key!r}: geef het volledige IRI van een EU-handeling (ELI of CELLAR), zoals "
                                 "http://data.europa.eu/eli/reg/2021/821/oj.",
                            f"eu={key!r}: give the full IRI of an EU act (ELI or CELLAR), like "
                            "http://data.europa.eu/eli/reg/2021/821/oj.")
        if kind != "eu" and not _KEY.match(key):
            raise PageError(400, f"{kind}={key!r} is geen geldige sleutel: het laatste deel van het IRI van de bron, "
                                 "zoals fractie=groenlinks.",
                            f"{kind}={key!r} is not a valid key: the last segment of the resource's IRI, like "
                            "fractie=groenlinks.")
        if (kind, key) in out:
            continue
        value = index.value(kind, key)
        if value is None:  # nothing has it: a value of its own, which selects nothing
            unknown += 1
            value = Value(-unknown, kind, key, key if kind == "eu" else None, None, None, None, 0)
        out[(kind, key)] = Filter(kind, value)
    return list(out.values())


# --------------------------------------------------------------------------- links


def _url(path: str, params: Sequence[tuple[str, str]]) -> str:
    return path + ("?" + urlencode(list(params)) if params else "")


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: a gap
    href: str | None
    current: bool = False


def pager(path: str, params: Sequence[tuple[str, str]], page: int, pages: int) -> list[PageLink]:
    """Links to the first, the last and the pages around the current one, with gaps between."""
    keep = [(k, v) for k, v in params if k != "page"]
    wanted = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    out: list[PageLink] = []
    prev = 0
    for n in wanted:
        if n - prev > 1:
            out.append(PageLink(None, None))
        out.append(PageLink(n, _url(path, keep + ([("page", str(n))] if n > 1 else [])), n == page))
        prev = n
    return out


@dataclass
class FacetItem:
    label: str
    count: int
    href: str  # adds this value (or, when selected, removes it)
    selected: bool
    title: str | None = None
    incomplete: bool = False  # a year outside the complete period (kamergraph.coverage): marked in list.html


@dataclass
class FacetBox:
    kind: str
    title: str
    shown: list[FacetItem]
    more: list[FacetItem]
    left_out: int
    note: str = ""  # what the counts count, where it needs saying (EU links; possible addressees apart)


@dataclass
class Chip:
    kind_title: str
    label: str
    remove_href: str
    empty: bool  # no Kamervraag has this value


# --------------------------------------------------------------------------- the pages


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200,
            headers: dict[str, str] | None = None) -> Response:
    lang = context["lang"]
    ctx = {
        "tr": lambda nl, en: tr(lang, nl, en),
        "pick": lambda labels: pick(labels, lang),
        "nav": context.get("nav", ""),
        **context,
    }
    return render(request, name, ctx, status, headers)


def _error(request: Request, api: bool, exc: PageError, lang: str, q: str = "", nav: str = "zoeken") -> Response:
    if api:
        return JSONResponse(error_body(exc.status, exc.en), status_code=exc.status, headers=exc.headers)
    return _render(request, "search_error.html", {"lang": lang, "status": exc.status, "message": exc.message(lang),
                                                  "q": q, "nav": nav}, exc.status, exc.headers)


def _index(service: SearchService) -> SearchIndex:
    try:
        return service.get()
    except IndexMissing as exc:
        raise PageError(503, f"De zoekindex is (nog) niet beschikbaar: {exc}",
                        f"The search index is not available (yet): {exc}", {"Retry-After": "10"}) from None


def _searched(cov: EUCoverage | None, lang: str) -> str:
    """What a full-text search read, with the store's numbers (every subject; the texts of the cases whose
    text is in the graph), or "" without a store to count in."""
    if cov is None:
        return ""
    n, m = (f"{x:,}" if lang == "en" else f"{x:,}".replace(",", ".") for x in (cov.cases, cov.texts))
    return tr(lang, *COUNT_NOTES["search-texts"]).format(n=n, m=m)


async def search_page(request: Request, service: SearchService, endpoint: Endpoint | None = None) -> Response:
    """``/zoeken``: the form, or a page of results (HTML or JSON) saying what the search read (the subjects of
    every Kamervraag, the texts of those whose text is in the graph: counted from ``endpoint``)."""
    lang = page_lang(request)
    api = _wants(request, request.query_params.getlist("format")) != "html"  # errors as JSON, too
    q = ""
    try:
        items = _params(request, SEARCH_PARAMS)
        fmt = _format(request, items, ("html", "json"))
        api = fmt == "json"
        q_values = [v for k, v in items if k == "q"]
        q = q_values[0] if q_values else ""
        page = _page(items)
        if not q_values:
            if api:
                raise PageError(400, "Geef een zoekterm (q=…).", "Give a search text (q=…).")
            return _render(request, "search.html", {"lang": lang, "nav": "zoeken", "q": "", "result": None,
                                                    "pages": [], "json_href": None})
        query = parse_query(q)
        index = await run_in_threadpool(_index, service)
        result = await run_in_threadpool(index.search, query, page, SEARCH_PER_PAGE, lang)
        if page > result.pages and result.total:
            raise PageError(400, f"page={page}: er zijn maar {result.pages} pagina's.",
                            f"page={page}: there are only {result.pages} pages.")
    except BadQuery as exc:
        return _error(request, api, PageError(400, exc.nl, exc.en), lang, q)
    except PageError as exc:
        return _error(request, api, exc, lang, q)
    params = [(k, v) for k, v in items if k in ("q", "lang")]
    cov = await eu_coverage(endpoint) if endpoint is not None else None
    if api:
        return JSONResponse({
            "query": q,
            **({"searched": {"cases": cov.cases, "texts": cov.texts, "found": _searched(cov, lang)}} if cov else {}),
            "total": result.total,
            "page": result.page,
            "pages": result.pages,
            "per_page": result.per_page,
            "items": [c.as_json(lang) for c in result.cards],
        })
    return _render(request, "search.html", {
        "lang": lang,
        "nav": "zoeken",
        "q": q,
        "result": result,
        "searched": _searched(cov, lang),
        "pages": pager(request.url.path, params, page, result.pages) if result.pages > 1 else [],
        "json_href": _url(request.url.path, [*params, *([("page", str(page))] if page > 1 else []),
                                             ("format", "json")]),
    })


def _facet_boxes(path: str, params: list[tuple[str, str]], facets: dict[str, list[FacetCount]],
                 lang: str, coverage: Coverage | None = None, eu: EUCoverage | None = None) -> list[FacetBox]:
    """The facet boxes of the list: per kind its values with their counts, each a link that adds (or removes)
    it. The EU box says what its counts count and what the links were found from (``eu``, when given); the
    boxes of posts and ministries, when they hold possible addressees ("… (mogelijk)"), that those are apart."""
    keep = [(k, v) for k, v in params if k not in ("page", "format")]
    boxes = []
    for kind in KINDS:
        items: list[FacetItem] = []
        for fc in facets.get(kind, []):
            v = fc.value
            if fc.selected:
                href = _url(path, [(k, x) for k, x in keep if not (k == kind and _same(kind, x, v.key))])
            else:
                href = _url(path, [*keep, (kind, v.key)])
            label = v.label(lang)
            title = v.iri if kind == "eu" else None
            incomplete = kind == "jaar" and coverage is not None and v.key.isdigit() and coverage.incomplete_year(int(v.key))
            items.append(FacetItem(label, fc.count, href, fc.selected, title, incomplete))
        selected = [i for i in items if i.selected]
        rest = [i for i in items if not i.selected]
        shown = selected + rest[:FACET_SHOWN]
        more = rest[FACET_SHOWN:FACET_MAX + FACET_SHOWN]
        if not items:
            continue
        boxes.append(FacetBox(kind, tr(lang, *FACET_TITLES[kind]), shown, more,
                              max(0, len(rest) - FACET_SHOWN - len(more)), _facet_note(kind, facets, lang, eu)))
    return boxes


def _facet_note(kind: str, facets: dict[str, list[FacetCount]], lang: str, eu: EUCoverage | None) -> str:
    """The line under a facet box saying what its counts count, or ""."""
    if kind == "eu" and eu is not None:
        return f"{tr(lang, *COUNT_NOTES['eu-counts'])} {eu.sentence(lang)}"
    if kind in ("post", "ministerie") and any(fc.value.key.endswith("~mogelijk") for fc in facets.get(kind, [])):
        return tr(lang, *COUNT_NOTES["facet-possibly"])
    return ""


def _same(kind: str, raw: str, key: str) -> bool:
    raw = raw.strip()
    if kind == "status":
        return STATUS_ALIASES.get(raw.lower()) == key
    return raw == key


CSV_COLUMNS = ("zaak", "datum", "onderwerp", "status", "vragenstellers", "fracties", "gericht_aan", "ministeries",
               "eu_handelingen", "iri")


def _csv_row(card: Card, lang: str) -> list[str]:
    ministries: list[str] = []
    for d in card.addressees:
        for m in d.ministries:
            if m.label(lang) not in ministries:
                ministries.append(m.label(lang))
    fracties: list[str] = []
    for a in card.askers:
        if a.fractie is not None and a.fractie.label(lang) not in fracties:
            fracties.append(a.fractie.label(lang))
    return [
        card.zaak,
        card.date or "",
        card.subject or "",
        card.status,
        "; ".join(a.name + (f" ({a.fractie.label(lang)})" if a.fractie else "") for a in card.askers),
        "; ".join(fracties),
        "; ".join(d.label + (f" ({d.holder})" if d.holder else "") for d in card.addressees),
        "; ".join(ministries),
        "; ".join(e.iri or "" for e in card.eu),
        card.iri,
    ]


def _stream_csv(index: SearchIndex, filters: list[Filter], lang: str) -> Iterator[bytes]:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    n = 0
    for card in index.export(filters, lang):
        w.writerow(_csv_row(card, lang))
        n += 1
        if n % 500 == 0:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("utf-8")


def _stream_json(index: SearchIndex, filters: list[Filter], total: int, lang: str,
                 eu: EUCoverage | None = None) -> Iterator[bytes]:
    head: dict[str, Any] = {
        "count": total,
        "filters": [{"param": f.kind, "value": f.value.key, "label": f.value.label(lang), "iri": f.value.iri}
                    for f in filters],
    }
    if eu is not None:  # a list filtered on EU acts depends on the links: how they were found
        head["eu_coverage"] = {"cases": eu.cases, "titles": eu.titles, "texts": eu.texts, "found": eu.sentence(lang)}
    yield (json.dumps(head, ensure_ascii=False)[:-1] + ', "items": [').encode("utf-8")
    chunk: list[str] = []
    first = True
    for card in index.export(filters, lang):
        chunk.append(("" if first else ",") + json.dumps(card.as_json(lang), ensure_ascii=False))
        first = False
        if len(chunk) >= 500:
            yield "\n".join(chunk).encode("utf-8")
            chunk = []
    chunk.append("]}\n")
    yield "\n".join(chunk).encode("utf-8")


async def list_page(request: Request, service: SearchService, endpoint: Endpoint | None = None) -> Response:
    """``/kamervragen``: a page of the filtered list with its facets, or the whole list as CSV or JSON. Where
    the counts depend on EU links (the EU facet, an ``eu`` filter), what the links were found from is said with
    the store's numbers (:class:`server.pages.eu_links.Coverage`, asked from ``endpoint``)."""
    lang = page_lang(request)
    api = _wants(request, request.query_params.getlist("format")) != "html"  # errors as JSON, too
    try:
        items = _params(request, LIST_PARAMS)
        fmt = _format(request, items, ("html", "csv", "json"))
        api = fmt != "html"
        page = _page(items)
        index = await run_in_threadpool(_index, service)
        filters = _filters(index, items)
        if api:
            total = await run_in_threadpool(index.count, filters)
            name = "kamervragen" + "".join(f"-{f.kind}-{re.sub(r'[^A-Za-z0-9]+', '_', f.value.key)[-40:]}"
                                           for f in filters)
            headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"', "X-Total-Count": str(total)}
            eu = await eu_coverage(endpoint) if endpoint is not None and any(f.kind == "eu" for f in filters) else None
            if eu is not None:
                headers["X-EU-Coverage"] = eu.sentence("en")
            if fmt == "csv":
                return StreamingResponse(_stream_csv(index, filters, lang), media_type="text/csv; charset=utf-8",
                                         headers=headers)
            return StreamingResponse(_stream_json(index, filters, total, lang, eu), media_type="application/json",
                                     headers=headers)
        result = await run_in_threadpool(index.list_page, filters, page, LIST_PER_PAGE, lang)
        coverage = await run_in_threadpool(index.coverage)
        eu = await eu_coverage(endpoint) if endpoint is not None and (
            result.facets.get("eu") or any(f.kind == "eu" for f in filters)) else None
        if page > result.pages and result.total:
            raise PageError(400, f"page={page}: er zijn maar {result.pages} pagina's.",
                            f"page={page}: there are only {result.pages} pages.")
    except PageError as exc:
        return _error(request, api, exc, lang, nav="kamervragen")
    path = request.url.path
    params = [(k, v) for k, v in items if k != "format"]
    keep = [(k, v) for k, v in params if k != "page"]
    chips = [Chip(tr(lang, *FACET_TITLES[f.kind]), f.value.label(lang),
                  _url(path, [(k, v) for k, v in keep if not (k == f.kind and _same(f.kind, v, f.value.key))]),
                  f.value.id < 0)
             for f in filters]
    return _render(request, "list.html", {
        "lang": lang,
        "nav": "kamervragen",
        "result": result,
        "chips": chips,
        "clear_href": _url(path, [(k, v) for k, v in keep if k == "lang"]),
        "facets": _facet_boxes(path, params, result.facets, lang, coverage, eu),
        "eu_found": eu.sentence(lang) if eu is not None and any(f.kind == "eu" for f in filters) else "",
        "pages": pager(path, params, page, result.pages) if result.pages > 1 else [],
        "csv_href": _url(path, [*keep, ("format", "csv")]),
        "json_href": _url(path, [*keep, ("format", "json")]),
    })


# --------------------------------------------------------------------------- installing


def index_path_for(location: str | os.PathLike[str], remote: bool) -> Path:
    """Where the index of a store lives: beside an embedded store (``var/store.search.sqlite``);
    for a remote store ``var/search.sqlite``. When that folder cannot be written (a store on a
    read-only mount), the index goes to a folder of its own under the system's temporary folder,
    named after the store, and the log says so."""
    path = Path("var/search.sqlite") if remote else Path(str(location) + ".search.sqlite")
    folder = path.parent if str(path.parent) else Path(".")
    if os.access(folder, os.W_OK) or (not folder.exists() and remote):
        return path
    digest = hashlib.sha256(str(Path(location).resolve() if not remote else location).encode()).hexdigest()[:16]
    folder_of_user = Path(tempfile.gettempdir()) / f"kamergraph-search-{os.getuid()}"
    folder_of_user.mkdir(mode=0o700, exist_ok=True)
    info = folder_of_user.lstat()
    if folder_of_user.is_symlink() or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(13, "the search index's fallback folder is not this user's own (mode 0700)",
                              str(folder_of_user))
    fallback = folder_of_user / f"{digest}.search.sqlite"
    log.warning("the folder of the store (%s) cannot be written: the search index is kept in %s", folder, fallback)
    return fallback


def install_search(app: FastAPI, endpoint: Endpoint, index_path: str | os.PathLike[str]) -> SearchService:
    """Add ``/zoeken``, ``/search`` and ``/kamervragen`` to ``app``. The index at ``index_path``
    is checked when the app starts and built (in a thread) when it is missing or stale; requests
    wait for a first build. Returns the :class:`SearchService` (also ``app.state.search``)."""
    service = SearchService(index_path, endpoint.settings.base,
                            store_path=endpoint.store_path if endpoint.remote is None else None,
                            store=endpoint.remote)
    app.state.search = service
    original = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> Any:
        async with original(a) as state:
            service.start()  # check (and if need be build) the index in the background
            yield state

    app.router.lifespan_context = lifespan

    @app.get("/zoeken", name="search", include_in_schema=False)
    async def zoeken(request: Request) -> Response:
        """Full-text search over the Kamervragen: question cards with highlighted snippets."""
        return await search_page(request, service, endpoint)

    @app.get("/search", name="search_en", include_in_schema=False)
    async def search(request: Request) -> Response:
        return await search_page(request, service, endpoint)

    @app.get("/kamervragen", name="kamervragen", include_in_schema=False)
    async def kamervragen(request: Request) -> Response:
        """The Kamervragen, filtered and counted per facet; CSV/JSON export of the whole list."""
        return await list_page(request, service, endpoint)

    return service
