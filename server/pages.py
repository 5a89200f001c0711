"""The browsable graph: a page and an RDF document for every resource, and the home page.

``install_pages(app, endpoint)`` adds:

- ``/``: the home page (what the dataset is, counts, a search box, entry points);
- ``/id/{kind}/{key…}``: every IRI the project mints, ``{base}id/{kind}/{key}``, dereferences here.
  The convention is **200 with content negotiation at the IRI itself**: a browser gets the HTML
  page, ``Accept: text/turtle``, ``application/ld+json``, ``application/n-triples`` or
  ``application/rdf+xml`` get the resource's description (:mod:`server.describe`) in that format,
  and ``{path}.ttl``, ``.jsonld``, ``.nt``, ``.rdf`` name a format explicitly (as does
  ``?format=turtle|jsonld|ntriples|rdfxml|html``). Every answer says ``Vary: Accept`` and lists the
  other formats in ``Link: <…>; rel="alternate"; type="…"`` headers, with the IRI as
  ``rel="canonical"``; pages link them in ``<head>`` too. ``*/*`` and no ``Accept`` get the page.
- ``/graph/{kind}/{key…}``: the named graphs' IRIs (``{base}graph/…``), the same way: what the graph
  record says about itself (its source file and line);
- ``/resource?iri=…``: any other IRI the graph mentions (EU acts by ELI or CELLAR IRI, cited news
  articles, officielebekendmakingen.nl pages, Wikidata items, the vocabulary), the same way with
  ``&format=…`` for the formats; one of our own IRIs is redirected (301) to its path.

An IRI that is in no triple gets 404 — an HTML page for browsers, the JSON error shape otherwise.

Each class has a page drawn for what its reader wants (a Kamervraag: its questions with their answers
beside them; a Persoon: memberships and questions by year; …); any other resource gets the generic
page (types, every property, every backlink). Every page has the backlinks with counts and paging,
the attribution of the data, and links to its RDF.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from pyoxigraph import BlankNode, Literal, NamedNode
from starlette.concurrency import run_in_threadpool

from ontology.namespaces import CITO, DCTERMS, ELI, FOAF, KG, ORG, OWL, PROV, RDF, SCHEMA, SKOS, T, XSD
from server import describe as D
from server.editor import PageError, render, templates
from server.errors import error_response
from server.headers import header_uri
from server.i18n import STANDARD_LABELS, LangCookie, install as install_i18n, inverse_label, page_lang, term_label, tr
from server.negotiation import best_of
from server.overview import Case, Overview, OverviewHolder

if TYPE_CHECKING:
    from server.app import Endpoint

log = logging.getLogger("kamergraph.server.pages")

HTML = "html"
PAGE_SIZE = 20
BACKLINK_PAGE_SIZE = 50
MEMBER_PAGE_SIZE = 50
DUAL_USE = "http://data.europa.eu/eli/reg/2009/428/oj"

#: What each negotiable media type gives (``html`` is the page).
MEDIA: list[tuple[str, str]] = [
    ("text/html", HTML),
    ("application/xhtml+xml", HTML),
    ("text/turtle", "turtle"),
    ("application/ld+json", "jsonld"),
    ("application/n-triples", "ntriples"),
    ("application/rdf+xml", "rdfxml"),
    ("application/x-turtle", "turtle"),
    ("application/json", "jsonld"),
    ("application/xml", "rdfxml"),
    ("text/xml", "rdfxml"),
]
FORMAT_NAMES = {
    "html": HTML, "turtle": "turtle", "ttl": "turtle", "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld",
    "ntriples": "ntriples", "nt": "ntriples", "n-triples": "ntriples", "rdfxml": "rdfxml", "rdf": "rdfxml",
    "xml": "rdfxml", "rdf+xml": "rdfxml",
}
FORMAT_LABELS = {"turtle": "Turtle", "jsonld": "JSON-LD", "ntriples": "N-Triples", "rdfxml": "RDF/XML"}


class NotAcceptable(Exception):
    pass


def negotiate(accept: str | None) -> str:
    """The format for an ``Accept`` header: ``html`` or an RDF format name (ties go to the page)."""
    fmt = best_of(MEDIA, accept)
    if fmt is None:
        raise NotAcceptable(f"none of the accepted media types ({accept}) is offered; offered: "
                            + ", ".join(m for m, _ in MEDIA[:6]))
    return fmt


FACET_KINDS = {"fractie": "fractie", "lid": "persoon", "post": "post", "ministerie": "ministerie"}


def list_href(base: str, **filters: str) -> str:
    """The list of Kamervragen (``/kamervragen``) filtered on resources: ``fractie``, ``lid``, ``post`` and
    ``ministerie`` take the key of the resource's IRI (``{base}id/{kind}/{key}``), ``eu`` the full IRI."""
    items = []
    for facet, iri in filters.items():
        kind = FACET_KINDS.get(facet)
        prefix = f"{base}id/{kind}/" if kind else None
        items.append((facet, iri[len(prefix):] if prefix and iri.startswith(prefix) else iri))
    return "/kamervragen?" + urlencode(items)


json_error = error_response  # the one JSON error shape (server.errors)


# --------------------------------------------------------------------------- view models


@dataclass(frozen=True, slots=True)
class Ref:
    """A link to a resource as a page shows it."""

    iri: str
    text: str
    href: str | None = None  # the resource's page here
    out: str | None = None  # the resource itself on the web, for outside http(s) IRIs
    lang: str | None = None  # the language of ``text`` when it is a label in another language


@dataclass(frozen=True, slots=True)
class Value:
    """A literal as a page shows it."""

    text: str
    lang: str | None = None
    datatype: str | None = None
    long: bool = False


@dataclass
class PropertyRow:
    predicate: Ref
    values: list[Ref | Value]


@dataclass
class BacklinkView:
    predicate: Ref
    label: str
    count: int
    items: list[Ref]
    more_href: str | None = None
    pager: Pager | None = None


@dataclass
class Pager:
    """Links to the other pages of a paged list."""

    number: int
    pages: int
    total: int
    prev_href: str | None
    next_href: str | None
    first_href: str | None = None
    last_href: str | None = None


@dataclass
class YearBar:
    year: int
    count: int
    width: float  # percent of the largest year
    href: str
    current: bool


@dataclass
class QuestionItem:
    """One Kamervraag in a list."""

    ref: Ref
    zaak: str
    date: str
    title: str
    status: str
    note: list[Ref] = field(default_factory=list)  # askers (with fractie) or posts
    note_text: str = ""


class Linker:
    """Makes Refs for one page: labels from the description, else the overview, else the IRI."""

    def __init__(self, base: str, lang: str, graph: D.Graph | None = None, overview: Overview | None = None) -> None:
        self.base = base
        self.lang = lang
        self.graph = graph
        self.overview = overview

    def text(self, iri: str) -> str:
        kind = D.kind_of(iri, self.base)
        if kind is not None:
            k, key = kind
            if k in ("kamerstuk", "dossier") or (k == "kamervraag" and "/" in key):
                return D.iri_label(iri, self.base, self.lang)  # "Kamerstuk 22112, nr. 2686", "…, vraag 6"
            if k == "publicatie":
                return (self.graph.literal(iri, T.publicatie_id) if self.graph is not None else None) or key
        label = None
        if self.graph is not None:
            label = self.graph.label(iri, self.lang)
            if label is None and iri in self.graph:
                label = self.graph.literal(iri, T.identifier) or self.graph.literal(iri, T.publicatie_id)
        if label is None and self.overview is not None:
            label = self.overview.label(iri, self.lang)
            if label is None:
                case = self.overview.case(iri)
                if case is not None and case.title:
                    label = case.title
        if label is None and (iri.startswith(KG) or iri in STANDARD_LABELS):
            label = term_label(iri, self.lang)
        return label or D.iri_label(iri, self.base, self.lang)

    def ref(self, iri: str, text: str | None = None) -> Ref:
        if iri.startswith("_:"):
            return Ref(iri, text or iri)
        local = D.local_path(iri, self.base)
        return Ref(iri, text or self.text(iri), href=local or D.resource_href(iri, self.base),
                   out=None if local else D.external_href(iri))


def value(term: Any, lang: str) -> Value:
    from server.i18n import fmt_date

    if isinstance(term, Literal):
        dtype = term.datatype.value if term.datatype else None
        if dtype == XSD + "date":
            return Value(fmt_date(term.value, lang), datatype="xsd:date")
        if dtype in (XSD + "string", RDF + "langString", None):
            dtype = None
        elif dtype.startswith(XSD):
            dtype = "xsd:" + dtype[len(XSD):]
        return Value(term.value, lang=term.language or None, datatype=dtype, long=len(term.value) > 300)
    return Value(str(term))


# --------------------------------------------------------------------------- the installation


def install_pages(app: FastAPI, endpoint: Endpoint) -> None:
    """Add the home page, the resource pages (``/id/…``, ``/graph/…``, ``/resource``) and the language cookie."""
    install_i18n(templates.env)
    holder = OverviewHolder(endpoint)
    app.state.overview = holder
    app.add_middleware(LangCookie)
    base = endpoint.settings.base

    @app.get("/", name="home", include_in_schema=False)
    async def home(request: Request) -> Response:
        """The home page: what the dataset is, counts, a search box and entry points."""
        holder.start()
        return await home_page(request, endpoint, holder)

    @app.get("/id/{path:path}", name="resource_id", include_in_schema=False)
    async def resource_id(path: str, request: Request) -> Response:
        """A data IRI ``{base}id/{path}``: its page or its RDF description (content negotiation, suffixes)."""
        holder.start()  # the overview, for the pages that list questions: built once, in the background
        return await resource(request, endpoint, holder, "id/", path)

    @app.get("/graph/{path:path}", name="resource_graph", include_in_schema=False)
    async def resource_graph(path: str, request: Request) -> Response:
        """A named graph's IRI ``{base}graph/{path}``: what its record says about itself."""
        return await resource(request, endpoint, holder, "graph/", path)

    @app.get("/resource", name="resource_any", include_in_schema=False)
    async def resource_any(request: Request) -> Response:
        """Any IRI the graph mentions (``?iri=…``), the same way as ``/id/…`` (``&format=…`` for a format)."""
        iri = request.query_params.get("iri", "").strip()
        fmt_param = request.query_params.get("format")
        if not iri:
            return _error(request, 400, tr(page_lang(request), "geef een IRI: /resource?iri=…",
                                           "give an IRI: /resource?iri=…"), fmt_param)
        local = D.local_path(iri, base)
        if local is not None:  # one of ours: its own path
            kept = [(k, v) for k, v in request.query_params.multi_items() if k != "iri"]
            return RedirectResponse(header_uri(local) + (f"?{urlencode(kept)}" if kept else ""), status_code=301)
        try:
            node = NamedNode(iri)
        except ValueError:
            return _error(request, 400, f"not an IRI: {iri!r}", fmt_param)
        return await answer(request, endpoint, holder, node.value, suffix_fmt=None,
                            self_path="/resource?" + urlencode([("iri", iri)]))


def _error(request: Request, status: int, message: str, fmt_param: str | None = None,
           headers: dict[str, str] | None = None) -> Response:
    """An error as a page for browsers, in the JSON error shape for everyone else."""
    try:
        wants_html = (FORMAT_NAMES.get((fmt_param or "").lower()) == HTML) if fmt_param else \
            negotiate(request.headers.get("accept")) == HTML
    except NotAcceptable:
        wants_html = False
    if wants_html:
        lang = page_lang(request)
        return render(request, "page_notfound.html", {"lang": lang, "nav": "", "status": status, "message": message},
                      status, {"Vary": "Accept", **(headers or {})})
    return json_error(status, message, {"Vary": "Accept", **(headers or {})})


async def resource(request: Request, endpoint: Endpoint, holder: OverviewHolder, kind: str, path: str) -> Response:
    base = endpoint.settings.base
    suffix_fmt = None
    m = re.match(r"^(.+)\.(ttl|jsonld|nt|rdf)$", path)
    if m:
        path, suffix_fmt = m.group(1), D.SUFFIXES[m.group(2)]
    if not path:
        return _error(request, 404, f"no such page: {request.url.path}")
    iri = base + kind + path
    try:
        iri = NamedNode(iri).value
    except ValueError:
        return _error(request, 404, f"not an IRI of this dataset: {iri!r}")
    return await answer(request, endpoint, holder, iri, suffix_fmt=suffix_fmt, self_path="/" + kind + path)


def alternates(iri: str, base: str, self_path: str) -> list[tuple[str, str, str]]:
    """(format name, URL, media type) of each RDF variant of a resource."""
    out = []
    for name, (media, suffix, _) in D.RDF_FORMATS.items():
        href = f"{self_path}.{suffix}" if D.local_path(iri, base) else f"{self_path}&format={suffix}"
        out.append((name, href, media))
    return out


def link_header(iri: str, base: str, self_path: str) -> str:
    """The ``Link`` header of a resource's answers: its IRI as canonical, its other formats as
    alternates (IRIs and paths as ASCII URIs: a header is Latin-1 at most)."""
    parts = [f'<{header_uri(iri)}>; rel="canonical"']
    page = self_path if D.local_path(iri, base) else f"{self_path}&format=html"
    parts.append(f'<{header_uri(page)}>; rel="alternate"; type="text/html"')
    for _, href, media in alternates(iri, base, self_path):
        parts.append(f'<{header_uri(href)}>; rel="alternate"; type="{media}"')
    return ", ".join(parts)


async def answer(request: Request, endpoint: Endpoint, holder: OverviewHolder, iri: str, *, suffix_fmt: str | None,
                 self_path: str) -> Response:
    """The page or the RDF description of ``iri``."""
    base = endpoint.settings.base
    fmt_param = request.query_params.get("format") or suffix_fmt  # an error follows an explicit format too
    try:
        if suffix_fmt:
            fmt = suffix_fmt
        elif fmt_param:
            fmt = FORMAT_NAMES.get(fmt_param.strip().lower(), "")
            if not fmt:
                return json_error(400, f"unknown format {fmt_param!r}; one of html, turtle, jsonld, ntriples, rdfxml")
        else:
            fmt = negotiate(request.headers.get("accept"))
    except NotAcceptable as exc:
        return json_error(406, str(exc), {"Vary": "Accept"})
    headers = {"Vary": "Accept", "Link": link_header(iri, base, self_path)}
    try:
        if fmt == HTML:
            return await page(request, endpoint, holder, iri, self_path, headers)
        graph = await D.describe(endpoint, iri)
        if not len(graph):
            groups = await D.backlinks(endpoint, iri)
            if not groups:
                return _error(request, 404, f"nothing is known about <{iri}>", fmt_param, headers)
        media, suffix, _ = D.RDF_FORMATS[fmt]
        body = D.serialize_graph(graph.triples, fmt, first=iri)
        if media.startswith("text/") or media == "application/n-triples":
            media += "; charset=utf-8"
        location = f"{self_path}.{suffix}" if D.local_path(iri, base) else f"{self_path}&format={suffix}"
        headers["Content-Location"] = header_uri(location)
        return Response(body, media_type=media, headers=headers)
    except PageError as exc:
        return _error(request, exc.status, exc.message, fmt_param, {**headers, **exc.headers})


# --------------------------------------------------------------------------- pages: common parts


def _int(request: Request, name: str, default: int = 1, lo: int = 1, hi: int = 100_000) -> int:
    try:
        return max(lo, min(hi, int(request.query_params.get(name, default))))
    except ValueError:
        return default


def _url(request: Request, updates: dict[str, Any], anchor: str = "") -> str:
    """This page's URL with some parameters changed (None removes one)."""
    items = [(k, v) for k, v in request.query_params.multi_items() if k not in updates and k != "lang"]
    items += [(k, str(v)) for k, v in updates.items() if v is not None]
    return request.url.path + (f"?{urlencode(items)}" if items else "") + (f"#{anchor}" if anchor else "")


def pager(request: Request, param: str, number: int, pages: int, total: int, anchor: str) -> Pager | None:
    if pages <= 1:
        return None
    return Pager(
        number, pages, total,
        _url(request, {param: number - 1 if number > 2 else None}, anchor) if number > 1 else None,
        _url(request, {param: number + 1}, anchor) if number < pages else None,
        _url(request, {param: None}, anchor) if number > 2 else None,
        _url(request, {param: pages}, anchor) if number < pages - 1 else None,
    )


PREFERRED_ORDER = [T.title, T.label, T.pref_label, T.name, T.identifier, KG + "zaaknummer", T.date_submitted,
                   KG + "vergaderjaar", T.start_date, T.end_date, T.date]
HIDDEN_IN_TABLE = {T.type}


def property_rows(g: D.Graph, r: str, L: Linker, skip: Iterable[str] = ()) -> list[PropertyRow]:
    """Every property of ``r`` in the description, values sorted, the usual ones first."""
    skip_set = set(skip) | HIDDEN_IN_TABLE
    props = [p for p in g.properties(r) if p not in skip_set]
    order = {p: i for i, p in enumerate(PREFERRED_ORDER)}
    props.sort(key=lambda p: (order.get(p, len(order)), term_label(p, L.lang).lower()))
    rows = []
    for p in props:
        values: list[Ref | Value] = []
        objs = g.objects(r, p)
        iris = sorted({o.value for o in objs if isinstance(o, NamedNode)}, key=lambda i: L.text(i).lower())
        values += [L.ref(i) for i in iris]
        values += [L.ref("_:" + o.value) for o in objs if isinstance(o, BlankNode)]
        seen = set()
        for o in objs:
            if isinstance(o, Literal) and (o.value, o.language) not in seen:
                seen.add((o.value, o.language))
                values.append(value(o, L.lang))
        rows.append(PropertyRow(L.ref(p, term_label(p, L.lang)), values))
    return rows


async def backlink_views(request: Request, endpoint: Endpoint, iri: str, L: Linker,
                         groups: list[D.BacklinkGroup]) -> list[BacklinkView]:
    """The backlinks of a page: per predicate the count and the first links; the chosen one (``bl=``) paged."""
    chosen = request.query_params.get("bl")
    page_no = _int(request, "blp")
    views = []
    for g in groups:
        view = BacklinkView(L.ref(g.predicate, term_label(g.predicate, L.lang)),
                            inverse_label(g.predicate, L.lang), g.count, [])
        if chosen == g.predicate and g.count > 10:
            pages = max(1, -(-g.count // BACKLINK_PAGE_SIZE))
            page_no = min(page_no, pages)
            items = await D.backlink_page(endpoint, iri, g.predicate, (page_no - 1) * BACKLINK_PAGE_SIZE,
                                          BACKLINK_PAGE_SIZE)
            view.items = [L.ref(b.subject, _backlink_text(b, L)) for b in items]
            view.pager = pager(request, "blp", page_no, pages, g.count, "verwijzingen")
        else:
            view.items = [L.ref(b.subject, _backlink_text(b, L)) for b in g.items[:10]]
            if g.count > len(view.items):
                view.more_href = _url(request, {"bl": g.predicate, "blp": None}, "verwijzingen")
        views.append(view)
    return views


def _backlink_text(b: D.Backlink, L: Linker) -> str:
    """A backlink's subject by its label, except where our IRI says more (a publication's id, "…, vraag 6")."""
    kind = D.kind_of(b.subject, L.base)
    if kind is not None and (kind[0] in ("kamerstuk", "dossier", "publicatie") or
                             (kind[0] == "kamervraag" and "/" in kind[1])):
        return L.text(b.subject)
    return b.label or L.text(b.subject)




CLASS_PAGES = [
    (KG + "Kamervraag", "kamervraag"), (KG + "Vraag", "vraag"), (KG + "Antwoord", "antwoord"),
    (KG + "Persoon", "persoon"), (KG + "Fractie", "fractie"), (KG + "Post", "post"),
    (KG + "Ministerie", "ministerie"), (KG + "Kabinet", "kabinet"), (KG + "EUVoorstel", "eu"),
    (KG + "EUProcedure", "eu"), (ELI + "LegalResource", "eu"), (KG + "Kamerstuk", "kamerstuk"),
    (KG + "Kamerstukdossier", "dossier"),
]


def page_class(types: Sequence[str]) -> str:
    for cls, name in CLASS_PAGES:
        if cls in types:
            return name
    return "generic"


@dataclass
class PageContext:
    request: Request
    endpoint: Endpoint
    holder: OverviewHolder
    iri: str
    self_path: str
    lang: str
    graph: D.Graph
    groups: list[D.BacklinkGroup]
    linker: Linker

    @property
    def base(self) -> str:
        return self.endpoint.settings.base

    async def overview(self) -> Overview:
        ov = await run_in_threadpool(self.holder.get)
        self.linker.overview = ov
        return ov


async def page(request: Request, endpoint: Endpoint, holder: OverviewHolder, iri: str, self_path: str,
               headers: dict[str, str]) -> Response:
    lang = page_lang(request)
    base = endpoint.settings.base
    graph, groups = await asyncio.gather(D.describe(endpoint, iri), D.backlinks(endpoint, iri))
    if not len(graph) and not groups:
        return _error(request, 404, tr(lang, f"Over <{iri}> is niets bekend in deze dataset.",
                                       f"Nothing is known about <{iri}> in this dataset."), HTML, headers)
    L = Linker(base, lang, graph, holder.peek())
    ctx = PageContext(request, endpoint, holder, iri, self_path, lang, graph, groups, L)
    types = graph.types(iri)
    cls = page_class(types)
    builder = BUILDERS.get(cls, generic_page)
    template, data = await builder(ctx)
    title = data.pop("title", None) or L.text(iri)
    context = {
        "lang": lang, "nav": "", "iri": iri, "title": title, "page_class": cls,
        "types": [L.ref(t, term_label(t, lang)) for t in types],
        "alternates": [(FORMAT_LABELS[n], href, media) for n, href, media in alternates(iri, base, self_path)],
        "out": None if D.local_path(iri, base) else D.external_href(iri),
        "backlinks": await backlink_views(request, endpoint, iri, L, groups),
        "backlink_total": sum(g.count for g in groups),
        "local": lambda x: D.resource_href(x, base),
        **data,
    }
    return render(request, template, context, 200, headers)


# --------------------------------------------------------------------------- question lists


def question_items(cases: Iterable[Case], L: Linker, ov: Overview, with_askers: bool = True) -> list[QuestionItem]:
    out = []
    for c in cases:
        note: list[Ref] = []
        if with_askers:
            for person, fractie, _role in c.askers[:3]:
                text = ov.label(person, L.lang) or D.iri_label(person, L.base, L.lang)
                if fractie:
                    text += f" ({ov.label(fractie, L.lang) or D.iri_label(fractie, L.base, L.lang)})"
                note.append(L.ref(person, text))
        else:
            for post in c.posts[:3]:
                note.append(L.ref(post, ov.label(post, L.lang) or D.iri_label(post, L.base, L.lang)))
        out.append(QuestionItem(L.ref(c.iri, c.title or c.zaak), c.zaak, c.date, c.title, c.status, note))
    return out


@dataclass
class QuestionList:
    """A paged list of questions with a bar per year (the year links filter the list)."""

    id: str
    heading: str
    total: int
    years: list[YearBar]
    year: int | None
    items: list[QuestionItem]
    pager: Pager | None
    all_href: str | None  # the faceted list with this filter
    clear_year_href: str | None


def question_list(request: Request, ov: Overview, L: Linker, list_id: str, heading: str, kind: str, key: str,
                  facet: str | None, with_askers: bool = True) -> QuestionList:
    year_param, page_param = f"{list_id}_jaar", f"{list_id}_p"
    years = ov.years(kind, key)
    year = _int(request, year_param, 0, 0, 3000) or None
    if year is not None and year not in {y for y, _ in years}:
        year = None
    number = _int(request, page_param)
    total_all = ov.count(kind, key)
    first = ov.page(kind, key, year=year, offset=0, limit=PAGE_SIZE)
    pages = max(1, -(-first.total // PAGE_SIZE))
    number = min(number, pages)
    pg = ov.page(kind, key, year=year, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE) if number > 1 else first
    top = max((n for _, n in years), default=1)
    bars = [YearBar(y, n, round(100 * n / top, 1), _url(request, {year_param: y, page_param: None}, list_id), y == year)
            for y, n in years]
    return QuestionList(
        list_id, heading, total_all, bars, year, question_items(pg.items, L, ov, with_askers),
        pager(request, page_param, number, pages, pg.total, list_id),
        list_href(L.base, **{facet: key}) if facet else None,
        _url(request, {year_param: None, page_param: None}, list_id) if year else None,
    )


def _days(a: str, b: str) -> int | None:
    try:
        return (dt.date.fromisoformat(b[:10]) - dt.date.fromisoformat(a[:10])).days
    except ValueError:
        return None


@dataclass
class AnswerTimes:
    total: int
    status: dict[str, int]
    measured: int
    median: float | None
    p90: float | None


def answer_times(ov: Overview, kind: str, key: str) -> AnswerTimes:
    days = ov.answer_days(kind, key)
    p90 = days[min(len(days) - 1, int(round(0.9 * (len(days) - 1))))] if days else None
    return AnswerTimes(ov.count(kind, key), ov.status_counts(kind, key), len(days),
                       statistics.median(days) if days else None, p90)


# --------------------------------------------------------------------------- Kamervraag, Vraag, Antwoord


@dataclass
class CitationView:
    cited: Ref | None
    kind: str  # kamerstuk | eu | url | brief | other
    fragment: str | None
    method: str | None
    span: str | None
    date: str | None
    iri: str


@dataclass
class FootnoteView:
    number: int | None
    text: str
    iri: str
    cites: list[Ref]
    citations: list[CitationView]

    @property
    def text_is_link(self) -> bool:
        """The footnote is just the address it cites (then the citation's link says it all)."""
        flat = "".join(self.text.split())
        return any(flat == "".join(c.iri.split()) for c in self.cites)


@dataclass
class QuestionView:
    iri: str
    number: int | None
    text: str
    raw: str | None
    span: str | None
    footnotes: list[FootnoteView]
    citations: list[CitationView]
    answers: list[str]


@dataclass
class AnswerView:
    iri: str
    number: int | None
    text: str
    raw: str | None
    span: str | None
    questions: list[int]
    question_iris: list[str]
    citations: list[CitationView]


@dataclass
class Block:
    """Questions shown together, with the answer they share beside them (shown once)."""

    questions: list[QuestionView]
    answer: AnswerView | None
    answer_elsewhere: list[AnswerView]  # an answer to these questions already shown with an earlier block


def _tail_number(iri: str) -> int | None:
    m = re.search(r"/(\d+)$", iri)
    return int(m.group(1)) if m else None


def _span(g: D.Graph, x: str) -> str | None:
    b, e = g.number(x, KG + "beginpositie"), g.number(x, KG + "eindpositie")
    return f"{b}–{e}" if b is not None and e is not None else None


def citation_kind(g: D.Graph, cited: str | None, method: str | None) -> str:
    if cited is None:
        return "brief" if method and method.startswith("brief") else "other"
    types = g.types(cited)
    if KG + "Kamerstuk" in types or "/id/kamerstuk/" in cited:
        return "kamerstuk"
    if {ELI + "LegalResource", KG + "EUVoorstel", KG + "EUProcedure"} & set(types) or \
            cited.startswith(("http://data.europa.eu/eli/", "http://publications.europa.eu/resource/")):
        return "eu"
    if KG + "Publicatie" in types:
        return "publicatie"
    return "url"


def citations_of(g: D.Graph, x: str, L: Linker) -> list[CitationView]:
    out = []
    for c in g.subjects(CITO + "hasCitingEntity", x):
        cited = (g.iris(c, CITO + "hasCitedEntity") or [None])[0]
        method = g.literal(c, KG + "resolutiemethode")
        out.append(CitationView(L.ref(cited) if cited else None, citation_kind(g, cited, method),
                                g.literal(c, KG + "tekstfragment"), method, _span(g, c),
                                g.literal(c, T.date), c))
    # cito:cites without a reified citation
    reified = {c.cited.iri for c in out if c.cited}
    for cited in g.iris(x, CITO + "cites"):
        if cited not in reified:
            out.append(CitationView(L.ref(cited), citation_kind(g, cited, None), None, None, None, None, x))
    out.sort(key=lambda c: (int(c.span.split("–")[0]) if c.span else 10**9, c.iri))
    return out


def footnotes_of(g: D.Graph, v: str, L: Linker) -> list[FootnoteView]:
    out = []
    for f in g.iris(v, KG + "voetnoot"):
        out.append(FootnoteView(g.number(f, KG + "voetnootnummer"), g.literal(f, T.text, L.lang) or "", f,
                                [L.ref(c) for c in g.iris(f, CITO + "cites")], citations_of(g, f, L)))
    return sorted(out, key=lambda f: (f.number or 0, f.iri))


def question_view(g: D.Graph, v: str, L: Linker) -> QuestionView:
    return QuestionView(v, g.number(v, T.vraagnummer), g.literal(v, T.text, L.lang) or "",
                        g.literal(v, KG + "ruweTekst"), _span(g, v), footnotes_of(g, v, L), citations_of(g, v, L),
                        g.subjects(KG + "beantwoordt", v))


def answer_view(g: D.Graph, a: str, L: Linker) -> AnswerView:
    qs = g.iris(a, KG + "beantwoordt")
    nums = sorted(n for n in (g.number(q, T.vraagnummer) or _tail_number(q) for q in qs) if n is not None)
    return AnswerView(a, _tail_number(a), g.literal(a, T.text, L.lang) or "", g.literal(a, KG + "ruweTekst"),
                      _span(g, a), nums, qs, citations_of(g, a, L))


def blocks_of(questions: list[QuestionView], answers: dict[str, AnswerView]) -> list[Block]:
    """Consecutive questions sharing an answer form one block, so that a grouped answer is shown once."""
    blocks: list[Block] = []
    shown: set[str] = set()
    for q in questions:
        key = tuple(sorted(q.answers))
        if blocks and key and tuple(sorted(blocks[-1].questions[-1].answers)) == key:
            blocks[-1].questions.append(q)
            continue
        first_new = next((answers[a] for a in q.answers if a in answers and a not in shown), None)
        elsewhere = [answers[a] for a in q.answers if a in answers and a in shown]
        if first_new is not None:
            shown.add(first_new.iri)
        blocks.append(Block([q], first_new, elsewhere))
    return blocks


@dataclass
class Asker:
    position: int
    person: Ref | None
    role: str
    fractie: Ref | None
    name_in_source: str | None
    method: str | None
    unresolved: str | None
    memberships: list[Ref]
    iri: str


@dataclass
class Addressee:
    position: int
    post: Ref | None
    person: Ref | None
    term: Ref | None
    name_in_source: str | None
    method: str | None
    unresolved: str | None
    iri: str


@dataclass
class PublicationView:
    ref: Ref
    pub_id: str
    kind: str | None
    title: str | None
    date: str | None
    received: str | None
    page: str | None
    answered_by: Ref | None
    from_post: Ref | None
    on_behalf: list[Ref]
    confidence: str | None


@dataclass
class Status:
    code: str  # answered | postponed | done | open | unknown
    date: str | None = None
    days: int | None = None
    by: Ref | None = None

    @property
    def badge(self) -> str:
        """The status as the list of Kamervragen names it (closed cases count as answered there)."""
        return {"answered": "beantwoord", "done": "beantwoord", "postponed": "uitgesteld", "open": "open"}.get(
            self.code, "onbekend")


def publications_of(g: D.Graph, r: str, L: Linker) -> list[PublicationView]:
    out = []
    pubs = set(g.iris(r, KG + "publicatie")) | set(g.subjects(KG + "betreft", r))
    for p in sorted(pubs):
        pid = g.literal(p, KG + "publicatieId") or D.iri_label(p, L.base, L.lang)
        out.append(PublicationView(
            L.ref(p, pid), pid, g.literal(p, KG + "publicatiesoort"), g.literal(p, T.title, L.lang),
            g.literal(p, T.date_submitted), g.literal(p, KG + "ontvangenOp"),
            next((D.external_href(x) for x in g.iris(p, FOAF + "page") if D.external_href(x)), None),
            next((L.ref(x) for x in g.iris(p, KG + "antwoordDoor")), None),
            next((L.ref(x) for x in g.iris(p, KG + "antwoordVanuitPost")), None),
            [L.ref(x) for x in g.iris(p, KG + "medeNamens")], g.literal(p, KG + "zekerheid")))
    order = {"vragen": 0, "antwoord": 1, "uitstel": 2}
    return sorted(out, key=lambda p: (order.get(p.kind or "", 3), p.received or "", p.pub_id))


def status_of(g: D.Graph, r: str, pubs: list[PublicationView], submitted: str | None) -> Status:
    answers = [p for p in pubs if p.kind == "antwoord"]
    if answers:
        dated = sorted((p for p in answers if p.received), key=lambda p: p.received or "")
        first = dated[0] if dated else answers[0]
        return Status("answered", first.received, _days(submitted, first.received) if submitted and first.received
                      else None, first.answered_by)
    if g.iris(r, KG + "heeftAntwoord"):
        return Status("answered")
    postponed = [p for p in pubs if p.kind == "uitstel"]
    if postponed:
        return Status("postponed", postponed[0].received)
    done = g.flag(r, KG + "afgedaan")
    if done:
        return Status("done")
    if done is False and submitted:
        return Status("open", submitted, _days(submitted, dt.date.today().isoformat()))
    return Status("unknown")


async def kamervraag_page(ctx: PageContext) -> tuple[str, dict[str, Any]]:
    g, r, L = ctx.graph, ctx.iri, ctx.linker
    submitted = g.literal(r, T.date_submitted)
    askers = []
    for vs in g.iris(r, KG + "vraagstelling"):
        role_iri = (g.iris(vs, KG + "rol") or [None])[0]
        role = "indiener" if role_iri == KG + "RolIndiener" else "medeindiener" if role_iri else ""
        person = (g.iris(vs, KG + "persoon") or [None])[0]
        fractie = (g.iris(vs, KG + "fractie") or [None])[0]
        askers.append(Asker(
            g.number(vs, SCHEMA + "position") or 99, L.ref(person) if person else None, role,
            L.ref(fractie) if fractie else None, g.literal(vs, KG + "naamInBron"), g.literal(vs, KG + "resolutiemethode"),
            g.literal(vs, KG + "onopgelost"),
            [L.ref(m) for m in g.iris(vs, KG + "kamerlidmaatschap") + g.iris(vs, KG + "fractielidmaatschap")], vs))
    askers.sort(key=lambda a: (a.position, a.iri))
    addressed = []
    for a in g.iris(r, KG + "adressering"):
        post = (g.iris(a, KG + "post") or [None])[0]
        person = (g.iris(a, KG + "persoon") or [None])[0]
        term = (g.iris(a, KG + "ambtsperiode") or [None])[0]
        addressed.append(Addressee(
            g.number(a, SCHEMA + "position") or 99, L.ref(post) if post else None, L.ref(person) if person else None,
            L.ref(term, tr(L.lang, "ambtsperiode", "term of office")) if term else None,
            g.literal(a, KG + "naamInBron"), g.literal(a, KG + "resolutiemethode"), g.literal(a, KG + "onopgelost"), a))
    addressed.sort(key=lambda a: (a.position, a.iri))
    # posts and persons addressed without a qualified Adressering
    listed_posts = {a.post.iri for a in addressed if a.post}
    extra_posts = [L.ref(p) for p in g.iris(r, KG + "gerichtAan") if p not in listed_posts]
    questions = sorted((question_view(g, v, L) for v in g.iris(r, KG + "heeftVraag")),
                       key=lambda q: (q.number or 0, q.iri))
    answers = {a: answer_view(g, a, L) for a in g.iris(r, KG + "heeftAntwoord")}
    for q in questions:  # answers of a question reached from the question (a published answer to it)
        for a in q.answers:
            if a not in answers:
                answers[a] = answer_view(g, a, L)
    blocks = blocks_of(questions, answers)
    unplaced = [a for a in answers.values() if not any(b.answer is a for b in blocks)
                and not any(a in b.answer_elsewhere for b in blocks)]
    pubs = publications_of(g, r, L)
    status = status_of(g, r, pubs, submitted)
    cited: dict[str, list[Ref]] = {}
    seen: set[tuple[str, str]] = set()
    for q in questions:
        for c in [*q.citations, *(c for f in q.footnotes for c in f.citations)]:
            if c.cited and (c.kind, c.cited.iri) not in seen:
                seen.add((c.kind, c.cited.iri))
                cited.setdefault(c.kind, []).append(c.cited)
    for a in answers.values():
        for c in a.citations:
            if c.cited and (c.kind, c.cited.iri) not in seen:
                seen.add((c.kind, c.cited.iri))
                cited.setdefault(c.kind, []).append(c.cited)
    graphs = sorted(s for s in g.out if g.literal(s, KG + "bronbestand"))
    provenance = [(L.ref(x), g.literal(x, KG + "bronbestand"), g.literal(x, KG + "bronregel"),
                   g.literal(x, T.modified)) for x in graphs]
    eu_cited = cited.get("eu", [])
    return "page_kamervraag.html", {
        "title": g.literal(r, T.title, L.lang) or g.literal(r, KG + "zaaknummer") or L.text(r),
        "zaak": g.literal(r, KG + "zaaknummer") or g.literal(r, T.identifier),
        "submitted": submitted, "vergaderjaar": g.literal(r, KG + "vergaderjaar"),
        "tk_status": g.literal(r, KG + "status"), "committee": g.literal(r, KG + "voortouwcommissie"),
        "modified": g.literal(r, T.modified), "askers": askers, "addressed": addressed, "extra_posts": extra_posts,
        "blocks": blocks, "unplaced_answers": unplaced, "n_questions": len(questions), "n_answers": len(answers),
        "publications": pubs, "status": status, "cited": cited, "graph_provenance": provenance,
        "eu_links": [(c, list_href(L.base, eu=c.iri)) for c in eu_cited],
    }


async def vraag_page(ctx: PageContext) -> tuple[str, dict[str, Any]]:
    g, r, L = ctx.graph, ctx.iri, ctx.linker
    is_answer = KG + "Antwoord" in g.types(r)
    sibs = await D.siblings(ctx.endpoint, r)
    kv = (g.subjects(KG + "heeftAntwoord" if is_answer else KG + "heeftVraag", r) or [None])[0]
    context: dict[str, Any] = {
        "kv": L.ref(kv) if kv else None,
        "kv_title": g.literal(kv, T.title, L.lang) if kv else None,
        "kv_zaak": g.literal(kv, T.identifier) if kv else None,
        "is_answer": is_answer, "siblings": [(n, L.ref(v, str(n)), v == r) for n, v in sibs],
        "sources": [L.ref(p) for p in g.iris(r, PROV + "wasDerivedFrom")],
    }
    if is_answer:
        a = answer_view(g, r, L)
        context.update(answer=a, question=None, title=tr(
            L.lang, "Antwoord op vraag " if len(a.questions) == 1 else "Antwoord op de vragen ",
            "Answer to question " if len(a.questions) == 1 else "Answer to questions ")
            + ", ".join(map(str, a.questions)) if a.questions else L.text(r),
            answered=[L.ref(q, tr(L.lang, f"vraag {n}", f"question {n}")) for n, q in
                      sorted(((g.number(q, T.vraagnummer) or _tail_number(q) or 0), q) for q in a.question_iris)])
    else:
        q = question_view(g, r, L)
        ans = [answer_view(g, a, L) for a in q.answers]
        n = q.number
        numbers = [n2 for n2, _, _ in context["siblings"]]
        prev_q = next((ref for n2, ref, _ in reversed(context["siblings"]) if n is not None and n2 < n), None)
        next_q = next((ref for n2, ref, _ in context["siblings"] if n is not None and n2 > n), None)
        context.update(question=q, answers=ans, answer=None, prev_q=prev_q, next_q=next_q, numbers=numbers,
                       title=tr(L.lang, f"Vraag {n}", f"Question {n}") if n is not None else L.text(r))
    return "page_vraag.html", context


# --------------------------------------------------------------------------- Persoon, Fractie


@dataclass
class TimelineRow:
    label: Ref
    kind: str
    start: str
    end: str
    left: float
    width: float
    detail: str = ""
    iri: str = ""


def timeline(rows: list[tuple[Ref, str, str, str, str, str]]) -> tuple[list[TimelineRow], int | None, int | None]:
    """Bars on a common time axis: (label, kind, start, end, detail, iri) -> positioned rows, first and last year."""
    if not rows:
        return [], None, None
    today = dt.date.today().isoformat()
    starts = [r[2] for r in rows if r[2]]
    ends = [r[3] or today for r in rows]
    lo = min(starts or [today])[:4]
    hi = max(ends)[:4]
    y0, y1 = int(lo), int(hi) + 1
    span = max(1, y1 - y0)

    def pos(d: str) -> float:
        try:
            x = dt.date.fromisoformat(d[:10])
        except ValueError:
            return 0.0
        return ((x.year - y0) + (x.timetuple().tm_yday - 1) / 366) / span * 100

    out = []
    for label, kind, start, end, detail, iri in rows:
        left = pos(start) if start else 0.0
        right = pos(end or today)
        out.append(TimelineRow(label, kind, start, end, round(left, 2), round(max(0.6, right - left), 2), detail, iri))
    return out, y0, y1


async def persoon_page(ctx: PageContext) -> tuple[str, dict[str, Any]]:
    g, r, L = ctx.graph, ctx.iri, ctx.linker
    ov = await ctx.overview()
    rows = []
    for m in ov.memberships_of.get(r, []):
        label = L.ref(m.org, ov.label(m.org, L.lang) or L.text(m.org))
        rows.append((label, m.kind, m.start, m.end, "", m.iri))
    rows.sort(key=lambda x: (0 if x[1] == "kamer" else 1, x[2]))
    bars, y0, y1 = timeline(rows)
    terms = []
    for t in ov.terms_of_person.get(r, []):
        terms.append((L.ref(t.post, ov.label(t.post, L.lang) or L.text(t.post)),
                      L.ref(t.cabinet, ov.label(t.cabinet, L.lang) or L.text(t.cabinet)) if t.cabinet else None,
                      t.start, t.end, t.acting, L.ref(t.iri, tr(L.lang, "ambtsperiode", "term"))))
    asked = question_list(ctx.request, ov, L, "gesteld", tr(L.lang, "Gestelde Kamervragen", "Questions asked"),
                          "asker", r, "lid", with_askers=True)
    received = question_list(ctx.request, ov, L, "ontvangen",
                             tr(L.lang, "Ontvangen Kamervragen (als bewindspersoon)", "Questions received (as minister)"),
                             "addressee", r, None, with_askers=True) if ov.count("addressee", r) else None
    wikidata = [x for x in g.iris(r, OWL + "sameAs") if x.startswith("http://www.wikidata.org/entity/")]
    facts = property_rows(g, r, L, skip=[T.label, T.name])
    return "page_persoon.html", {
        "title": g.literal(r, T.name) or L.text(r), "facts": facts, "timeline": bars, "y0": y0, "y1": y1,
        "terms": terms, "asked": asked, "received": received,
        "wikidata": [(w, "https://www.wikidata.org/wiki/" + w.rsplit("/", 1)[1]) for w in wikidata],
    }


async def fractie_page(ctx: PageContext) -> tuple[str, dict[str, Any]]:
    g, r, L = ctx.graph, ctx.iri, ctx.linker
    ov = await ctx.overview()
    members = ov.members_of.get(r, [])
    number = _int(ctx.request, "leden_p")
    pages = max(1, -(-len(members) // MEMBER_PAGE_SIZE))
    number = min(number, pages)
    shown = members[(number - 1) * MEMBER_PAGE_SIZE:number * MEMBER_PAGE_SIZE]
    today = dt.date.today().isoformat()
    current = sum(1 for m in members if not m.end or m.end >= today)
    bars, y0, y1 = timeline([(L.ref(m.person), "fractie", m.start, m.end, "", m.iri) for m in shown])
    member_rows = [(L.ref(m.person, ov.label(m.person, L.lang) or L.text(m.person)), m.start, m.end,
                    L.ref(m.iri, tr(L.lang, "lidmaatschap", "membership")), bar) for m, bar in zip(shown, bars)]
    top = ov.top("fractie", r, "ministerie", 10)
    questions = question_list(ctx.request, ov, L, "vragen", tr(L.lang, "Kamervragen van de fractie", "Questions of the group"),
                              "fractie", r, "fractie", with_askers=True)
    top_max = max((n for _, n in top), default=1)
    ministries = [(L.ref(m, ov.label(m, L.lang) or L.text(m)), n, round(100 * n / top_max, 1),
                   list_href(L.base, fractie=r, ministerie=m)) for m, n in top]
    return "page_fractie.html", {
        "title": g.label(r, L.lang) or L.text(r), "facts": property_rows(g, r, L, skip=[T.label, T.pref_label]),
        "n_members": len(members), "n_current": current, "members": member_rows, "members_y0": y0, "members_y1": y1,
        "members_pager": pager(ctx.request, "leden_p", number, pages, len(members), "leden"),
        "ministries": ministries, "questions": questions,
    }


# --------------------------------------------------------------------------- Post, Ministerie, Kabinet


def _terms_rows(terms: Iterable[Any], L: Linker, ov: Overview, show: str) -> list[tuple[Any, ...]]:
    rows = []
    for t in terms:
        who = L.ref(t.person, ov.label(t.person, L.lang) or L.text(t.person))
        what = L.ref(t.post, ov.label(t.post, L.lang) or L.text(t.post))
        cab = L.ref(t.cabinet, ov.label(t.cabinet, L.lang) or L.text(t.cabinet)) if t.cabinet else None
        rows.append((who, what, cab, t.start, t.end, t.acting, L.ref(t.iri, tr(L.lang, "ambtsperiode", "term"))))
    return rows


async def government_page(ctx: PageContext) -> tuple[str, dict[str, Any]]:
    """Post, Ministerie and Kabinet: holders over time, questions received, answer times."""
    g, r, L = ctx.graph, ctx.iri, ctx.linker
    ov = await ctx.overview()
    types = g.types(r)
    if KG + "Post" in types:
        kind, facet, which = "post", "post", "post"
        terms = ov.terms_of_post.get(r, [])
        posts: list[Ref] = []
    elif KG + "Ministerie" in types:
        kind, facet, which = "ministerie", "ministerie", "ministerie"
        post_iris = ov.posts_of_ministry.get(r, [])
        posts = sorted((L.ref(p, ov.label(p, L.lang) or L.text(p)) for p in post_iris), key=lambda x: x.text.lower())
        terms = sorted((t for p in post_iris for t in ov.terms_of_post.get(p, [])),
                       key=lambda t: (t.start, t.end, t.iri), reverse=True)
    else:
        kind, facet, which = "kabinet", None, "kabinet"
        terms = sorted(ov.terms_of_cabinet.get(r, []),
                       key=lambda t: ((ov.label(t.post, L.lang) or t.post).lower(), t.start))
        posts = []
    questions = question_list(ctx.request, ov, L, "vragen",
                              tr(L.lang, "Ontvangen Kamervragen", "Questions received"), kind, r, facet,
                              with_askers=True)
    times = answer_times(ov, kind, r)
    by_fractie = ov.top(kind, r, "fractie", 10)
    fr_max = max((n for _, n in by_fractie), default=1)
    fracties = [(L.ref(f, ov.label(f, L.lang) or L.text(f)), n, round(100 * n / fr_max, 1)) for f, n in by_fractie]
    ministries = []
    if kind == "kabinet":
        top = ov.top(kind, r, "ministerie", 12)
        m_max = max((n for _, n in top), default=1)
        ministries = [(L.ref(m, ov.label(m, L.lang) or L.text(m)), n, round(100 * n / m_max, 1)) for m, n in top]
    ministry = [L.ref(m) for m in g.iris(r, ORG + "postIn")]
    return "page_government.html", {
        "title": g.label(r, L.lang) or L.text(r), "which": which,
        "facts": property_rows(g, r, L, skip=[T.label, T.pref_label]),
        "ministry": ministry, "posts": posts, "terms": _terms_rows(terms, L, ov, which), "questions": questions,
        "times": times, "fracties": fracties, "ministries": ministries,
        "replaces": [L.ref(x) for x in g.iris(r, DCTERMS + "replaces")],
        "replaced_by": [L.ref(x) for x in g.iris(r, DCTERMS + "isReplacedBy")],
    }


# --------------------------------------------------------------------------- EU acts, Kamerstukken


@dataclass
class Relation:
    source: Ref
    predicate: str
    label: str
    target: Ref


EU_ORDER = {KG + "EUVoorstel": 0, KG + "EUProcedure": 1, ELI + "LegalResource": 2}
EU_RELATION_LABELS = {
    KG + "procedure": ("opende procedure", "opened procedure"),
    KG + "herziet": ("stelt herziening voor van", "proposes to revise"),
    KG + "leiddeTot": ("leidde tot", "resulted in"),
    ELI + "repeals": ("trekt in", "repeals"),
    ELI + "amends": ("wijzigt", "amends"),
}


async def eu_page(ctx: PageContext) -> tuple[str, dict[str, Any]]:
    g, r, L = ctx.graph, ctx.iri, ctx.linker
    ov_task = asyncio.ensure_future(ctx.overview())
    relations, citing = await asyncio.gather(D.eu_relations(ctx.endpoint), D.cited_by(ctx.endpoint, r))
    ov = await ov_task
    family = {r}
    changed = True
    while changed:  # the connected family: proposal -> procedure -> act -> repealed act, both ways
        changed = False
        for x, _p, y in relations:
            if (x in family) != (y in family):
                family.update((x, y))
                changed = True
    entries = {e.iri: e for e in ov.eu}

    def eu_ref(x: str) -> Ref:
        text = ov.label(x, L.lang) or L.text(x)
        ident = entries[x].identifier if x in entries else ""
        return L.ref(x, f"{text} ({ident})" if ident and ident not in text else text)

    rels = [Relation(eu_ref(x), p, tr(L.lang, *EU_RELATION_LABELS.get(p, (p, p))), eu_ref(y))
            for x, p, y in relations if x in family]
    order = {p: i for i, p in enumerate([KG + "procedure", KG + "leiddeTot", KG + "herziet", ELI + "repeals",
                                         ELI + "amends"])}
    rels.sort(key=lambda rel: (order.get(rel.predicate, 9), rel.source.text))
    members = sorted(family, key=lambda x: (entries[x].date if x in entries else "", x))
    family_rows = [(L.ref(x, ov.label(x, L.lang) or L.text(x)), entries[x].identifier if x in entries else "",
                    entries[x].date if x in entries else "", entries[x].citations if x in entries else 0, x == r)
                   for x in members]
    celex = g.literal(r, KG + "celex")
    identifier = g.literal(r, T.identifier)
    types = g.types(r)
    kind = "voorstel" if KG + "EUVoorstel" in types else "procedure" if KG + "EUProcedure" in types else "handeling"
    eurlex = None
    if celex:
        eurlex = f"https://eur-lex.europa.eu/legal-content/NL/TXT/?uri=CELEX:{quote(celex)}"
    elif kind == "procedure" and identifier:
        m = re.match(r"^(\d{4})/(\d{4})\((\w+)\)$", identifier)
        if m:
            eurlex = f"https://eur-lex.europa.eu/procedure/NL/{m.group(1)}_{int(m.group(2))}"
    items = [(c, L.ref(c.kv, f"{c.zaak or D.iri_label(c.kv, L.base, L.lang)}"), L.ref(c.citing,
              (tr(L.lang, f"vraag {c.number}", f"question {c.number}") if c.kind == "vraag" else
               tr(L.lang, f"voetnoot bij vraag {c.number}", f"footnote at question {c.number}") if c.kind == "voetnoot"
               else tr(L.lang, "antwoord", "answer") + (f" {_tail_number(c.citing)}" if _tail_number(c.citing) else ""))))
             for c in citing]
    return "page_eu.html", {
        "title": g.literal(r, T.label, L.lang) or g.label(r, L.lang) or L.text(r),
        "full_title": g.literal(r, T.pref_label, L.lang), "kind": kind, "celex": celex, "identifier": identifier,
        "eli": r if r.startswith("http://data.europa.eu/eli/") else None,
        "cellar": r if r.startswith("http://publications.europa.eu/resource/") else None,
        "act_date": g.literal(r, T.date), "eurlex": eurlex, "relations": rels, "family": family_rows,
        "citing": items, "alt_labels": g.literals(r, SKOS + "altLabel"),
        "dual_use": DUAL_USE in family,
        "dual_use_href": "/queries/dual-use?" + urlencode({"act": r}),
        "list_href": list_href(L.base, eu=r),
        "facts": property_rows(g, r, L, skip=[T.label, T.pref_label, SKOS + "altLabel"]),
    }


async def kamerstuk_page(ctx: PageContext) -> tuple[str, dict[str, Any]]:
    g, r, L = ctx.graph, ctx.iri, ctx.linker
    citing = await D.cited_by(ctx.endpoint, r)
    is_dossier = KG + "Kamerstukdossier" in g.types(r)
    items = [(c, L.ref(c.kv, c.zaak or D.iri_label(c.kv, L.base, L.lang)), L.ref(
        c.citing, tr(L.lang, f"vraag {c.number}", f"question {c.number}") if c.kind == "vraag" else
        tr(L.lang, f"voetnoot bij vraag {c.number}", f"footnote at question {c.number}") if c.kind == "voetnoot" else
        tr(L.lang, "antwoord", "answer"))) for c in citing]
    pages = [D.external_href(x) for x in g.iris(r, FOAF + "page") if D.external_href(x)]
    pid = g.literal(r, KG + "publicatieId")
    title = g.label(r, L.lang)
    if not title:
        dossier = g.literal(r, KG + "dossiernummer")
        if is_dossier and dossier:
            title = tr(L.lang, f"Kamerstukdossier {dossier}", f"Parliamentary dossier {dossier}")
        else:
            title = D.iri_label(r, L.base, L.lang)
    return "page_kamerstuk.html", {
        "title": title, "is_dossier": is_dossier, "pid": pid, "pages": pages, "citing": items,
        "dossier": [L.ref(x) for x in g.iris(r, KG + "dossier")],
        "facts": property_rows(g, r, L),
    }


async def generic_page(ctx: PageContext) -> tuple[str, dict[str, Any]]:
    g, r, L = ctx.graph, ctx.iri, ctx.linker
    parts = sorted(s for s in g.out if s != r and s.startswith(r + "/"))
    wholes = sorted({s for p in D.WHOLE_IRIS for s in g.subjects(p, r)})
    pointers = [(p, sorted(g.subjects(p, r))) for p in D.POINTER_IRIS if g.subjects(p, r)]
    citing: list[Any] = []
    if any(p in (CITO + "cites", CITO + "hasCitedEntity") for p, _ in pointers):
        citing = [(c, L.ref(c.kv, c.zaak or D.iri_label(c.kv, L.base, L.lang)), L.ref(c.citing))
                  for c in await D.cited_by(ctx.endpoint, r)]
    return "page_generic.html", {
        "title": g.label(r, L.lang) or L.text(r),
        "facts": property_rows(g, r, L),
        "parts": [(L.ref(p), property_rows(g, p, L)) for p in parts[:200]],
        "wholes": [L.ref(w) for w in wholes],
        "pointers": [(L.ref(p, term_label(p, L.lang)), inverse_label(p, L.lang), [L.ref(s) for s in subs])
                     for p, subs in pointers],
        "citing": citing,
    }


BUILDERS: dict[str, Callable[[PageContext], Any]] = {
    "kamervraag": kamervraag_page, "vraag": vraag_page, "antwoord": vraag_page, "persoon": persoon_page,
    "fractie": fractie_page, "post": government_page, "ministerie": government_page, "kabinet": government_page,
    "eu": eu_page, "kamerstuk": kamerstuk_page, "dossier": kamerstuk_page, "generic": generic_page,
}


# --------------------------------------------------------------------------- the home page


async def home_page(request: Request, endpoint: Endpoint, holder: OverviewHolder) -> Response:
    lang = page_lang(request)
    base = endpoint.settings.base
    try:
        ov = await run_in_threadpool(holder.get)
    except (TimeoutError, RuntimeError) as exc:
        return render(request, "page_notfound.html", {"lang": lang, "nav": "home", "status": 503,
                                                      "message": str(exc)}, 503, {"Retry-After": "10"})
    L = Linker(base, lang, None, ov)
    counts = ov.class_counts
    stats = [(tr(lang, nl, en), counts.get(cls, 0)) for cls, nl, en in [
        (KG + "Kamervraag", "Kamervragen", "question sets"), (KG + "Vraag", "vragen met tekst", "questions with text"),
        (KG + "Antwoord", "antwoorden met tekst", "answers with text"), (KG + "Persoon", "personen", "persons"),
        (KG + "Fractie", "fracties", "party groups"), (KG + "Post", "posten", "posts"),
        (KG + "Ministerie", "ministeries", "ministries"), (KG + "Kabinet", "kabinetten", "cabinets"),
        (KG + "Citatie", "citaties", "citations"), (ELI + "LegalResource", "EU-rechtshandelingen", "EU legal acts"),
    ]]
    first_year, last_year = ov.year_range()
    fracties = [(f, n) for f, n in ov.counted("fractie", "fractie") if n][:16]
    ministries = [(m, n) for m, n in ov.counted("ministerie", "ministerie") if n][:14]
    eu = [e for e in ov.eu if e.citations][:12]
    return render(request, "home.html", {
        "lang": lang, "nav": "home", "stats": stats, "first_year": first_year,
        "last_year": last_year, "n_cases": len(ov.cases),
        "fracties": [(L.ref(f, ov.label(f, lang) or L.text(f)), n, list_href(base, fractie=f))
                     for f, n in fracties],
        "ministries": [(L.ref(m, ov.label(m, lang) or L.text(m)), n) for m, n in ministries],
        "eu": [(L.ref(e.iri, ov.label(e.iri, lang) or L.text(e.iri)), e.identifier, e.citations) for e in eu],
        "latest": question_items(ov.latest(10), L, ov, True),
        "founding": L.ref(base + "id/kamervraag/2019Z15231") if ov.case(base + "id/kamervraag/2019Z15231") else None,
    }, 200, {"Vary": "Cookie"})
