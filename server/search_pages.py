"""The search page and the one list of Kamervragen.

``install_search(app, endpoint, index_path)`` adds:

- ``/kamervragen``: THE list. Every Kamervraag, or those selected by a search text ``q`` (matched in the
  subjects, the question and answer texts and the names of who asked and who was addressed), the facets
  ``fractie``, ``lid``, ``post``, ``ministerie`` (keys: the last path segment of ``{base}id/{kind}/{key}``),
  ``jaar``, ``status`` (beantwoord | open | uitgesteld) and ``eu`` (the full IRI of an EU act), and a date
  range ``van``/``tot`` (ISO dates, both included). Values of one facet combine with OR (``jaar=2019&jaar=2020``:
  both years), facets with AND. ``sort=-datum`` (newest first; the default without ``q``) | ``datum`` |
  ``relevantie`` (the default with ``q``); 50 a page (``page=``). Above the results: the people and other
  entities the search text names (:mod:`server.search.entities`), with their number of questions, their page
  and the list filtered on them; a chart of the questions per month or year (:mod:`server.charts`); counts per
  facet value, each a link that adds it, the member facet narrowed by ``lidnaam``. ``format=csv|json|atom``
  gives the WHOLE filtered list (:mod:`server.search_formats`); the page's head links the Atom feed.
- ``/zoeken`` (and ``/search``): the search box, and with a search text (or any parameter of the list) the
  same list: one code path, :func:`list_page`.
- ``/zoeken/suggesties?q=``: the entities a (partly typed) text names, as JSON (the search box's suggestions).

All run on the SQLite index of :mod:`server.search` (only SQL per request). A parameter that is unknown,
repeated, empty or malformed is a 400 naming it (:mod:`server.search_params`), as an HTML page for browsers
and in the one JSON error shape (``{"error": {"status", "title", "detail"}}``) otherwise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from kamergraph.coverage import Coverage
from server.charts import bar_chart, periods_of
from server.endpoint import Endpoint
from server.errors import error_body
from server.i18n import COUNT_NOTES, fmt_int, page_lang, pick, tr
from server.pages.eu_links import Coverage as EUCoverage
from server.pages.eu_links import coverage as eu_coverage
from server.render import render
from server.search import KINDS, BadQuery, FacetCount, IndexMissing, ListPage, SearchIndex, SearchService, Value
from server.search.entities import ENTITY_KINDS, narrow, suggest
from server.search_cabinets import Cabinet, cabinets, named
from server.search_formats import stream_atom, stream_csv, stream_json
from server.search_params import (
    FORMATS,
    LIST_PARAMS,
    ListRequest,
    PageError,
    format_of,
    params,
    read_list,
    same,
    wants,
)

log = logging.getLogger("kamergraph.server.search")

LIST_PER_PAGE = 50
FACET_SHOWN = 8  # values shown per facet; the rest (up to FACET_MAX) behind "more"
FACET_MAX = 100
SUGGESTED = 6  # entities above a list
SUGGEST_MAX = 12  # entities in the search box's suggestions
NAMES_OFFERED = 300  # names in the empty search box's datalist

FACET_TITLES: dict[str, tuple[str, str]] = {
    "fractie": ("Fractie", "Parliamentary party"),
    "lid": ("Kamerlid", "Member"),
    "post": ("Gericht aan", "Addressed to"),
    "ministerie": ("Ministerie", "Ministry"),
    "jaar": ("Jaar", "Year"),
    "status": ("Status", "Status"),
    "eu": ("Aangehaalde EU-wetgeving", "Cited EU legislation"),
}
KIND_TITLES: dict[str, tuple[str, str]] = {
    "lid": ("Kamerlid", "Member"), "fractie": ("Fractie", "Parliamentary party"), "post": ("Ambt", "Post"),
    "ministerie": ("Ministerie", "Ministry"), "eu": ("EU-handeling", "EU act"),
}
SORT_TITLES = {"-datum": ("nieuwste eerst", "newest first"), "datum": ("oudste eerst", "oldest first"),
               "relevantie": ("beste treffers eerst", "best matches first")}


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
    narrowed: str | None = None  # the member facet: the text its values were narrowed by (lidnaam), or None


@dataclass
class Chip:
    kind_title: str
    label: str
    remove_href: str
    empty: bool  # no Kamervraag has this value


@dataclass
class Suggestion:
    """An entity the search text names: its name, kind, number of questions, page and the list filtered on it."""

    label: str
    kind: str
    kind_title: str
    count: int
    href: str | None
    list_href: str

    def as_json(self) -> dict[str, Any]:
        return {"label": self.label, "kind": self.kind, "count": self.count, "href": self.href,
                "list": self.list_href}


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


def suggestions(index: SearchIndex, text: str, lang: str, limit: int = SUGGESTED,
                cabinets: Sequence[Cabinet] = ()) -> list[Suggestion]:
    """The entities ``text`` names (:func:`server.search.entities.suggest`), each with its list link, and the
    cabinets it names (:mod:`server.search_cabinets`: the list of the questions submitted during their term)."""
    out = []
    lang_param = [("lang", "en")] if lang == "en" else []
    for v in suggest(index.names(), text, limit):
        out.append(Suggestion(v.label(lang), v.kind, tr(lang, *KIND_TITLES[v.kind]), v.total, v.href,
                              _url("/kamervragen", [(v.kind, v.key), *lang_param])))
    for c, n, href in named(list(cabinets), text, index)[:limit]:
        out.append(Suggestion(c.label, "kabinet", tr(lang, "Kabinet", "Cabinet"), n, href,
                              _url("/kamervragen", [("van", c.start or ""), *([("tot", c.end)] if c.end else []),
                                                    *lang_param])))
    return out[:limit]


async def search_page(request: Request, service: SearchService, endpoint: Endpoint | None = None) -> Response:
    """``/zoeken``: the search box; with a search text (or any parameter of the list), the list itself
    (:func:`list_page`, the same code)."""
    if any(k != "lang" for k in request.query_params.keys()):
        return await list_page(request, service, endpoint)
    lang = page_lang(request)
    try:
        index = await run_in_threadpool(_index, service)
    except PageError:  # the box works without its list of names
        index = None
    return _render(request, "search.html", {"lang": lang, "nav": "zoeken", "q": "", "result": None,
                                            "suggested": known_names(index, lang) if index is not None else []})


def known_names(index: SearchIndex, lang: str, limit: int = NAMES_OFFERED) -> list[Suggestion]:
    """The names the empty search box offers as one types (its datalist, without JavaScript): the entities
    asked or addressed most, every fractie and ministry among them."""
    found = sorted((v for v in index.values.values() if v.kind in ENTITY_KINDS and v.total
                    and not v.key.endswith("~mogelijk")),
                   key=lambda v: (v.kind not in ("fractie", "ministerie"), -v.total))[:limit]
    return [Suggestion(v.label(lang), v.kind, tr(lang, *KIND_TITLES[v.kind]), v.total, v.href,
                       _url("/kamervragen", [(v.kind, v.key), *([("lang", "en")] if lang == "en" else [])]))
            for v in found]


async def suggest_json(request: Request, service: SearchService, endpoint: Endpoint | None = None) -> Response:
    """``/zoeken/suggesties?q=``: the entities the text names, as JSON (for the search box's list)."""
    lang = page_lang(request)
    try:
        items = params(request, ("q", "lang"))
        q = next((v for k, v in items if k == "q"), "")
        index = await run_in_threadpool(_index, service)
    except PageError as exc:
        return _error(request, True, exc, lang)
    cabs = await cabinets(endpoint) if endpoint is not None else []
    found = suggestions(index, q[:200], lang, SUGGEST_MAX, cabs)
    return JSONResponse({"query": q, "items": [s.as_json() for s in found]},
                        headers={"Cache-Control": "public, max-age=300"})


def _facet_boxes(path: str, params: list[tuple[str, str]], facets: dict[str, list[FacetCount]],
                 lang: str, coverage: Coverage | None = None, eu: EUCoverage | None = None,
                 lidnaam: str = "") -> list[FacetBox]:
    """The facet boxes of the list: per kind its values with their counts, each a link that adds (or removes)
    it. The member box's values narrowed by ``lidnaam`` when given (all that match are shown). The EU box
    says what its counts count and what the links were found from (``eu``, when given); the boxes of posts
    and ministries, when they hold possible addressees ("… (mogelijk)"), that those are apart."""
    keep = [(k, v) for k, v in params if k not in ("page", "format", "lidnaam")]
    boxes = []
    for kind in KINDS:
        counts = facets.get(kind, [])
        narrowed = lidnaam if kind == "lid" and lidnaam else None
        if narrowed is not None:
            keys = {v.key for v in narrow([fc.value for fc in counts], narrowed)}
            counts = [fc for fc in counts if fc.selected or fc.value.key in keys]
        # links made only for the values shown or behind "more" (a common word's list has most values)
        selected = [_facet_item(path, keep, kind, fc, lang, coverage) for fc in counts if fc.selected]
        unselected = [fc for fc in counts if not fc.selected]
        rest = [_facet_item(path, keep, kind, fc, lang, coverage) for fc in unselected[:FACET_MAX + FACET_SHOWN]]
        shown_n = FACET_MAX if narrowed is not None else FACET_SHOWN
        shown = selected + rest[:shown_n]
        more = rest[shown_n:FACET_MAX + FACET_SHOWN]
        if not counts and narrowed is None:
            continue
        boxes.append(FacetBox(kind, tr(lang, *FACET_TITLES[kind]), shown, more,
                              max(0, len(unselected) - len(shown) + len(selected) - len(more)),
                              _facet_note(kind, facets, lang, eu), narrowed))
    return boxes


def _facet_item(path: str, keep: list[tuple[str, str]], kind: str, fc: FacetCount, lang: str,
                coverage: Coverage | None) -> FacetItem:
    v = fc.value
    if fc.selected:
        href = _url(path, [(k, x) for k, x in keep if not (k == kind and same(kind, x, v.key))])
    else:
        href = _url(path, [*keep, (kind, v.key)])
    incomplete = kind == "jaar" and coverage is not None and v.key.isdigit() and coverage.incomplete_year(int(v.key))
    return FacetItem(v.label(lang), fc.count, href, fc.selected, v.iri if kind == "eu" else None, incomplete)


def _facet_note(kind: str, facets: dict[str, list[FacetCount]], lang: str, eu: EUCoverage | None) -> str:
    """The line under a facet box saying what its counts count, or ""."""
    if kind == "eu" and eu is not None:
        return f"{tr(lang, *COUNT_NOTES['eu-counts'])} {eu.sentence(lang)}"
    if kind in ("post", "ministerie") and any(fc.value.key.endswith("~mogelijk") for fc in facets.get(kind, [])):
        return tr(lang, *COUNT_NOTES["facet-possibly"])
    return ""


def _file_name(req: ListRequest) -> str:
    parts = [f"-{f.kind}-{re.sub(r'[^A-Za-z0-9]+', '_', f.value.key)[-40:]}" for f in req.selection.filters]
    if req.q:
        parts.insert(0, "-q-" + re.sub(r"[^A-Za-z0-9]+", "_", req.q)[:40])
    parts += [f"-{k}-{v}" for k, v in (("van", req.selection.van), ("tot", req.selection.tot)) if v]
    return "kamervragen" + "".join(parts)


def _head(req: ListRequest, total: int, lang: str, cov: EUCoverage | None, eu: EUCoverage | None) -> dict[str, Any]:
    """The head of the JSON list: what was selected and how many."""
    sel = req.selection
    head: dict[str, Any] = {
        "query": req.q or None,
        "count": total,
        "total": total,
        "filters": [{"param": f.kind, "value": f.value.key, "label": f.value.label(lang), "iri": f.value.iri}
                    for f in sel.filters],
        "van": sel.van,
        "tot": sel.tot,
        "sort": req.sort,
    }
    if req.q and cov is not None:
        head["searched"] = {"cases": cov.cases, "texts": cov.texts, "found": _searched(cov, lang)}
    if eu is not None:  # a list filtered on EU acts depends on the links: how they were found
        head["eu_coverage"] = {"cases": eu.cases, "titles": eu.titles, "texts": eu.texts, "found": eu.sentence(lang)}
    return head


async def _export(request: Request, index: SearchIndex, req: ListRequest, lang: str,
                  endpoint: Endpoint | None) -> Response:
    """The whole filtered list as CSV, JSON or an Atom feed (streamed)."""
    sel = req.selection
    total = await run_in_threadpool(index.count, sel)
    headers = {"X-Total-Count": str(total)}
    if req.fmt != "atom":
        headers["Content-Disposition"] = f'attachment; filename="{_file_name(req)}.{req.fmt}"'
    eu = await eu_coverage(endpoint) if endpoint is not None and any(f.kind == "eu" for f in sel.filters) else None
    if eu is not None:
        headers["X-EU-Coverage"] = eu.sentence("en")
    if req.fmt == "csv":
        return StreamingResponse(stream_csv(index, sel, lang, req.sort), media_type="text/csv; charset=utf-8",
                                 headers=headers)
    if req.fmt == "atom":
        site = str(request.base_url)
        keep = [(k, v) for k, v in req.items if k not in ("page", "format", "sort", "lidnaam")]
        feed = {"id": site.rstrip("/") + _url(request.url.path, [*keep, ("format", "atom")]),
                "title": _title(req, lang), "site": site,
                "alternate": site.rstrip("/") + _url(request.url.path, keep),
                "built": _built(index)}
        feed["self"] = feed["id"]
        return StreamingResponse(stream_atom(index, sel, feed, lang), media_type="application/atom+xml; charset=utf-8",
                                 headers=headers)
    cov = await eu_coverage(endpoint) if endpoint is not None and req.q else None
    return StreamingResponse(stream_json(index, sel, _head(req, total, lang, cov, eu), lang, req.sort),
                             media_type="application/json", headers=headers)


def _built(index: SearchIndex) -> str:
    """When the index was built, as an RFC 3339 date-time (the meta table's ``+0000`` as ``+00:00``)."""
    built = index.meta.get("built", "1970-01-01T00:00:00+0000")
    return re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", built)


def _title(req: ListRequest, lang: str) -> str:
    """The list's title: Kamervragen, and what it is filtered on."""
    parts = [f"“{req.q}”"] if req.q else []
    parts += [f.value.label(lang) for f in req.selection.filters]
    sel = req.selection
    if sel.van or sel.tot:
        parts.append(f"{sel.van or '…'} – {sel.tot or '…'}")
    return "Kamervragen" + (" · " + ", ".join(parts) if parts else "")


def _chart(index: SearchIndex, req: ListRequest, lang: str, coverage: Coverage | None, total: int) -> Any:
    """The chart of the list's questions per month (a span up to three years) or per year, each period in
    the table a link to the list of that period; a line says how many of the ``total`` have no date."""
    unit, counts = periods_of(index.months(req.selection))
    if not counts:
        return ""
    keep = [(k, v) for k, v in req.items if k not in ("page", "format", "van", "tot", "jaar", "lidnaam")]
    hrefs = {}
    for period, _ in counts:
        if unit == "year":
            hrefs[period] = _url("/kamervragen", [*keep, ("jaar", period)])
        else:
            y, m = int(period[:4]), int(period[5:7])
            end = f"{y + (m == 12):04d}-{m % 12 + 1:02d}-01"
            last = dt.date.fromisoformat(end) - dt.timedelta(days=1)
            hrefs[period] = _url("/kamervragen", [*keep, ("van", f"{period}-01"), ("tot", last.isoformat())])
    marked = [p for p, _ in counts if unit == "year" and coverage is not None and coverage.incomplete_year(int(p))]
    undated = total - sum(n for _, n in counts)
    n, of = fmt_int(undated, lang), fmt_int(total, lang)
    note = tr(lang, f"{n} van de {of} Kamervragen hebben geen datum en staan niet in de grafiek.",
              f"{n} of the {of} Kamervragen have no date and are not charted.") if undated > 0 else None
    return bar_chart(counts, lang, ("Kamervragen per maand" if unit == "month" else "Kamervragen per jaar",
                                    "Questions per month" if unit == "month" else "Questions per year"),
                     unit=unit, hrefs=hrefs, marked=marked,
                     marked_note=tr(lang, "de gegevens van dit jaar zijn onvolledig.",
                                    "the records of this year are incomplete.") if marked else None,
                     note=note, chart_id="lijst-grafiek")


def _listed(index: SearchIndex, req: ListRequest, lang: str) -> tuple[ListPage, Coverage | None, Any]:
    """The list's page, the index's coverage and the chart (one trip to a worker thread); a page beyond the last
    is a :class:`PageError`."""
    result = index.list_page(req.selection, req.page, LIST_PER_PAGE, lang, None, req.sort)
    if req.page > result.pages and result.total:
        raise PageError(400, f"page={req.page}: er zijn maar {result.pages} pagina's.",
                        f"page={req.page}: there are only {result.pages} pages.")
    coverage = index.coverage()
    return result, coverage, _chart(index, req, lang, coverage, result.total)


async def list_page(request: Request, service: SearchService, endpoint: Endpoint | None = None) -> Response:
    """The list (``/kamervragen``, and ``/zoeken`` with a search text): a page of the selection with the
    entities the search text names, a chart and its facets, or the whole selection as CSV, JSON or Atom.
    Where the counts depend on EU links (the EU facet, an ``eu`` filter), what the links were found from is
    said with the store's numbers (:class:`server.pages.eu_links.Coverage`, asked from ``endpoint``)."""
    lang = page_lang(request)
    api = wants(request, request.query_params.getlist("format")) != "html"  # errors as JSON, too
    q = request.query_params.get("q", "")
    try:
        items = params(request, LIST_PARAMS)
        fmt = format_of(request, items, FORMATS)
        api = fmt != "html"
        index = await run_in_threadpool(_index, service)
        req = read_list(request, index, items, fmt)
        if api:
            return await _export(request, index, req, lang, endpoint)
        result, coverage, chart = await run_in_threadpool(_listed, index, req, lang)
    except BadQuery as exc:  # should not happen: terms are plain words
        return _error(request, api, PageError(400, f"q: {exc.nl}", f"q: {exc.en}"), lang, q, "kamervragen")
    except PageError as exc:
        return _error(request, api, exc, lang, q, nav="kamervragen")
    eu = await eu_coverage(endpoint) if endpoint is not None and (
        result.facets.get("eu") or any(f.kind == "eu" for f in req.selection.filters)) else None
    cov = await eu_coverage(endpoint) if endpoint is not None and req.q else None
    cabs = await cabinets(endpoint) if endpoint is not None and req.q else []
    context = _list_context(request, req, result, lang, coverage, eu, cov, chart, index)
    context["suggested"] = suggestions(index, req.q, lang, cabinets=cabs) if req.q else []
    return _render(request, "list.html", context)


def _list_context(request: Request, req: ListRequest, result: Any, lang: str, coverage: Coverage | None,
                  eu: EUCoverage | None, cov: EUCoverage | None, chart: Any, index: SearchIndex) -> dict[str, Any]:
    """What list.html shows."""
    path = request.url.path
    params = [(k, v) for k, v in req.items if k not in ("format", "lidnaam")]
    keep = [(k, v) for k, v in params if k != "page"]
    chips = [Chip(tr(lang, *FACET_TITLES[f.kind]), f.value.label(lang),
                  _url(path, [(k, v) for k, v in keep if not (k == f.kind and same(f.kind, v, f.value.key))]),
                  f.value.id < 0)
             for f in req.selection.filters]
    for name, label in (("q", ("Zoekterm", "Search text")), ("van", ("Vanaf", "From")), ("tot", ("Tot en met", "Up to"))):
        value = next((v for k, v in keep if k == name), None)
        if value:
            chips.append(Chip(tr(lang, *label), value, _url(path, [(k, v) for k, v in keep if k != name]), False))
    unsorted = [(k, v) for k, v in keep if k != "sort"]
    sorts = [(tr(lang, *SORT_TITLES[s]), _url(path, [*unsorted, *([("sort", s)] if s != "-datum" else [])]),
              s == req.sort) for s in SORT_TITLES if s != "relevantie" or req.q]
    return {
        "lang": lang,
        "nav": "kamervragen",
        "list_path": path,
        "q": req.q,
        "result": result,
        "chips": chips,
        "filtered": bool(req.selection.filters or req.selection.van or req.selection.tot),
        "sorts": sorts,
        "sort_title": tr(lang, *SORT_TITLES[req.sort]),
        "van": req.selection.van or "",
        "tot": req.selection.tot or "",
        "lidnaam": req.lidnaam,
        "hidden": [(k, v) for k, v in keep if k not in ("van", "tot")],
        "hidden_q": [(k, v) for k, v in keep if k != "q"],
        "hidden_lid": keep,
        "searched": _searched(cov, lang),
        "chart": chart,
        "clear_href": _url(path, [(k, v) for k, v in keep if k == "lang"]),
        "facets": _facet_boxes(path, params, result.facets, lang, coverage, eu, req.lidnaam),
        "eu_found": eu.sentence(lang) if eu is not None and any(f.kind == "eu" for f in req.selection.filters) else "",
        "pages": pager(path, [*params, *([("lidnaam", req.lidnaam)] if req.lidnaam else [])], req.page,
                       result.pages) if result.pages > 1 else [],
        "csv_href": _url(path, [*keep, ("format", "csv")]),
        "json_href": _url(path, [*keep, ("format", "json")]),
        "atom_href": _url("/kamervragen", [*[(k, v) for k, v in unsorted], ("format", "atom")]),
        "atom_title": _title(req, lang),
    }


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

    @app.get("/zoeken/suggesties", name="search_suggestions", include_in_schema=False)
    async def zoeken_suggesties(request: Request) -> Response:
        """The entities a (partly typed) search text names, as JSON."""
        return await suggest_json(request, service, endpoint)

    @app.get("/search", name="search_en", include_in_schema=False)
    async def search(request: Request) -> Response:
        return await search_page(request, service, endpoint)

    @app.get("/kamervragen", name="kamervragen", include_in_schema=False)
    async def kamervragen(request: Request) -> Response:
        """The one list of Kamervragen: searched, filtered, counted per facet; CSV, JSON and Atom of the whole list."""
        return await list_page(request, service, endpoint)

    return service
