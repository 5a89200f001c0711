"""What every page of the browsable graph shares: the formats a resource is offered in and their
negotiation, the view models the templates draw (links, literals, property rows, pagers), the
:class:`Linker` that names resources, the query-parameter helpers and the :class:`PageContext` a
page's builder reads.

Each kind of page is a module of its own beside this one (:mod:`server.pages.kamervraag`,
:mod:`server.pages.people`, :mod:`server.pages.government`, :mod:`server.pages.documents`,
:mod:`server.pages.home`); :mod:`server.pages.resource` dereferences an IRI to the right one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import Request
from markupsafe import Markup
from pyoxigraph import BlankNode, Literal, NamedNode
from starlette.concurrency import run_in_threadpool

from ontology.namespaces import KG, RDF, T, XSD
from server import describe as D
from server.charts import bar_chart, period_label, periods_of
from server.errors import error_response
from server.i18n import STANDARD_LABELS, fmt_date, fmt_int, term_label, tr
from server.negotiation import best_of
from server.overview import Overview
from server.overview_holder import OverviewHolder

if TYPE_CHECKING:
    from server.endpoint import Endpoint

HTML = "html"


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
    """None of the media types an ``Accept`` header accepts is offered (406)."""


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
    incomplete: bool = False  # a year outside the complete period (kamergraph.coverage): marked on the chart


#: The smallest base a statistic over a list (a median, a percentile, a share) is shown for: from fewer
#: values a figure is not shown at all, a sentence says the base is too small (a median of 6 answer times
#: says nothing about a cabinet's 4,475 questions). Every figure shown says its base ("n = 612 van 4.475").
MIN_BASE = 30


@dataclass(frozen=True, slots=True)
class Base:
    """The base of a statistic: it is measured on ``n`` of the ``of`` items of a list."""

    n: int
    of: int

    @property
    def enough(self) -> bool:
        """Whether the statistic may be shown as a figure (``n`` at least :data:`MIN_BASE`, and never 0)."""
        return self.n >= max(MIN_BASE, 1)

    def text(self, lang: str) -> str:
        """"n = 6 van 4.475" / "n = 6 of 4,475"."""
        return f"n = {fmt_int(self.n, lang)} {'of' if lang == 'en' else 'van'} {fmt_int(self.of, lang)}"

    def too_small(self, lang: str) -> str:
        """Why the figure is not shown: "gemeten aan maar 6 van de 4.475 vragen; een getal wordt getoond vanaf 30"."""
        if lang == "en":
            return (f"measured on only {fmt_int(self.n, 'en')} of {fmt_int(self.of, 'en')} questions; a figure is "
                    f"shown from {MIN_BASE} on")
        return (f"gemeten aan maar {fmt_int(self.n, 'nl')} van de {fmt_int(self.of, 'nl')} vragen; een getal wordt "
                f"getoond vanaf {MIN_BASE}")


def questions_chart(ov: Overview, lang: str, kind: str, key: str, years: Iterable[YearBar] = (),
                    chart_id: str = "vragen-grafiek") -> Markup:
    """The bar chart of a list's questions (the overview's ``kind`` ``key``) per year, or per month when they
    span at most :data:`server.charts.MONTHS_UP_TO` months: one pass over the list (:meth:`Overview.months`).
    The years link to the list's year filter (``years``, the bars of :func:`server.pages.lists.question_list`);
    periods outside the months the records are complete for are marked."""
    unit, counts = periods_of(ov.months(kind, key))
    cov = ov.coverage
    if unit == "year":
        hrefs = {str(b.year): b.href for b in years}
        marked = {p for p, _ in counts if ov.incomplete_year(int(p))}
        title = ("Kamervragen per jaar", "Questions per year")
    else:
        hrefs = {}
        marked = {p for p, _ in counts if cov is not None and not cov.complete_from <= p <= cov.complete_to}
        title = ("Kamervragen per maand", "Questions per month")
    note = (tr(lang, "onvolledig: de gegevens zijn volledig van {a} tot en met {b}",
               "incomplete: the records are complete from {a} to {b}").format(
        a=period_label(cov.complete_from, lang), b=period_label(cov.complete_to, lang)) if cov is not None else "")
    return bar_chart(counts, lang, title, unit=unit, hrefs=hrefs, marked=marked, marked_note=note, chart_id=chart_id)


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
    """A literal as a page shows it: dates in the page's language, the datatype named when it says more."""
    if isinstance(term, Literal):
        dtype = term.datatype.value if term.datatype else None
        if dtype == XSD + "date":
            return Value(fmt_date(term.value, lang), datatype="xsd:date")
        if dtype in (XSD + "gYear", XSD + "gYearMonth"):  # a year as a year ("2019"), a month as "maart 2019"
            return Value(period_label(term.value, lang))
        if dtype in (XSD + "string", RDF + "langString", None):
            dtype = None
        elif dtype.startswith(XSD):
            dtype = "xsd:" + dtype[len(XSD):]
        return Value(term.value, lang=term.language or None, datatype=dtype, long=len(term.value) > 300)
    return Value(str(term))


# --------------------------------------------------------------------------- the installation


# --------------------------------------------------------------------------- pages: common parts


def query_int(request: Request, name: str, default: int = 1, lo: int = 1, hi: int = 100_000) -> int:
    """The whole number in query parameter ``name``, kept within ``lo``–``hi`` (``default`` when it is none)."""
    try:
        return max(lo, min(hi, int(request.query_params.get(name, default))))
    except ValueError:
        return default


def url_with(request: Request, updates: dict[str, Any], anchor: str = "") -> str:
    """This page's URL with some parameters changed (None removes one)."""
    items = [(k, v) for k, v in request.query_params.multi_items() if k not in updates and k != "lang"]
    items += [(k, str(v)) for k, v in updates.items() if v is not None]
    return request.url.path + (f"?{urlencode(items)}" if items else "") + (f"#{anchor}" if anchor else "")


def pager(request: Request, param: str, number: int, pages: int, total: int, anchor: str) -> Pager | None:
    """The links of page ``number`` of ``pages`` (query parameter ``param``); none for a single page."""
    if pages <= 1:
        return None
    return Pager(
        number, pages, total,
        url_with(request, {param: number - 1 if number > 2 else None}, anchor) if number > 1 else None,
        url_with(request, {param: number + 1}, anchor) if number < pages else None,
        url_with(request, {param: None}, anchor) if number > 2 else None,
        url_with(request, {param: pages}, anchor) if number < pages - 1 else None,
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


@dataclass
class PageContext:
    """What a page's builder reads: the request, the resource, its description and backlinks, the overview."""

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
        """The overview (waiting for it to be built), which the linker then also uses for labels."""
        ov = await run_in_threadpool(self.holder.get)
        self.linker.overview = ov
        return ov


def tail_number(iri: str) -> int | None:
    """The number an IRI ends in (``…/antwoord/3`` -> 3; ``…/antwoord/3-2``, the second answer a text prints
    under number 3, -> 3), if it ends in one."""
    m = re.search(r"/(\d+)(?:-\d+)?$", iri)
    return int(m.group(1)) if m else None
