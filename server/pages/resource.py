"""Dereferencing: an IRI of the dataset (or any IRI the graph mentions) answered with its page or its
RDF description, by content negotiation, a format suffix or ``?format=``; the ``Link`` and ``Vary``
headers; errors as a page for browsers and as JSON for everyone else. The page of a resource is drawn
by the builder of its class (:data:`BUILDERS`); any other resource gets the generic page.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import Response
from pyoxigraph import NamedNode

from ontology.namespaces import CITO, ELI, KG
from server import describe as D
from server.headers import header_uri
from server.i18n import inverse_label, page_lang, term_label, tr
from server.overview_holder import OverviewHolder
from server.pages.base import (
    FORMAT_LABELS, FORMAT_NAMES, HTML, BacklinkView, Linker, NotAcceptable, PageContext, json_error, negotiate,
    pager, property_rows, query_int, url_with,
)
from server.pages.documents import eu_page, kamerstuk_page
from server.pages.government import government_page
from server.pages.kamervraag import kamervraag_page, vraag_page
from server.pages.people import fractie_page, persoon_page
from server.pages.validation import record_findings
from server.render import PageError, render

if TYPE_CHECKING:
    from server.endpoint import Endpoint

BACKLINK_PAGE_SIZE = 50


def negotiated_error(request: Request, status: int, message: str, fmt_param: str | None = None,
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
    """The IRI ``{base}{kind}{path}`` (``kind`` is ``id/`` or ``graph/``), a format suffix on ``path`` naming a
    format: its page or its RDF description."""
    base = endpoint.settings.base
    suffix_fmt = None
    m = re.match(r"^(.+)\.(ttl|jsonld|nt|rdf)$", path)
    if m:
        path, suffix_fmt = m.group(1), D.SUFFIXES[m.group(2)]
    if not path:
        return negotiated_error(request, 404, f"no such page: {request.url.path}")
    iri = base + kind + path
    try:
        iri = NamedNode(iri).value
    except ValueError:
        return negotiated_error(request, 404, f"not an IRI of this dataset: {iri!r}")
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
                return negotiated_error(request, 404, f"nothing is known about <{iri}>", fmt_param, headers)
        media, suffix, _ = D.RDF_FORMATS[fmt]
        body = D.serialize_graph(graph.triples, fmt, first=iri)
        if media.startswith("text/") or media == "application/n-triples":
            media += "; charset=utf-8"
        location = f"{self_path}.{suffix}" if D.local_path(iri, base) else f"{self_path}&format={suffix}"
        headers["Content-Location"] = header_uri(location)
        return Response(body, media_type=media, headers=headers)
    except PageError as exc:
        return negotiated_error(request, exc.status, exc.message, fmt_param, {**headers, **exc.headers})


# --------------------------------------------------------------------------- the page of a resource


async def backlink_views(request: Request, endpoint: Endpoint, iri: str, L: Linker,
                         groups: list[D.BacklinkGroup]) -> list[BacklinkView]:
    """The backlinks of a page: per predicate the count and the first links; the chosen one (``bl=``) paged."""
    chosen = request.query_params.get("bl")
    page_no = query_int(request, "blp")
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
                view.more_href = url_with(request, {"bl": g.predicate, "blp": None}, "verwijzingen")
        views.append(view)
    return views


def _backlink_text(b: D.Backlink, L: Linker) -> str:
    """A backlink's subject by its label, except where our IRI says more (a publication's id, "…, vraag 6")."""
    kind = D.kind_of(b.subject, L.base)
    if kind is not None and (kind[0] in ("kamerstuk", "dossier", "publicatie") or
                             (kind[0] == "kamervraag" and "/" in kind[1])):
        return L.text(b.subject)
    return b.label or L.text(b.subject)


async def generic_page(ctx: PageContext) -> tuple[str, dict[str, Any]]:
    """Any other resource: every property, its parts, the wholes it is part of, what points at it."""
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


CLASS_PAGES = [
    (KG + "Kamervraag", "kamervraag"), (KG + "Vraag", "vraag"), (KG + "Antwoord", "antwoord"),
    (KG + "Persoon", "persoon"), (KG + "Fractie", "fractie"), (KG + "Post", "post"),
    (KG + "Ministerie", "ministerie"), (KG + "Kabinet", "kabinet"), (KG + "EUVoorstel", "eu"),
    (KG + "EUProcedure", "eu"), (ELI + "LegalResource", "eu"), (KG + "Kamerstuk", "kamerstuk"),
    (KG + "Kamerstukdossier", "dossier"),
]


def page_class(types: Sequence[str]) -> str:
    """The kind of page for a resource of these types (the first of :data:`CLASS_PAGES` it has)."""
    for cls, name in CLASS_PAGES:
        if cls in types:
            return name
    return "generic"


BUILDERS: dict[str, Callable[[PageContext], Any]] = {
    "kamervraag": kamervraag_page, "vraag": vraag_page, "antwoord": vraag_page, "persoon": persoon_page,
    "fractie": fractie_page, "post": government_page, "ministerie": government_page, "kabinet": government_page,
    "eu": eu_page, "kamerstuk": kamerstuk_page, "dossier": kamerstuk_page, "generic": generic_page,
}


async def page(request: Request, endpoint: Endpoint, holder: OverviewHolder, iri: str, self_path: str,
               headers: dict[str, str]) -> Response:
    """The page of ``iri``: drawn by the builder of its class, with its types, formats and backlinks around it."""
    lang = page_lang(request)
    base = endpoint.settings.base
    graph, groups = await asyncio.gather(D.describe(endpoint, iri), D.backlinks(endpoint, iri))
    if not len(graph) and not groups:
        return negotiated_error(request, 404, tr(lang, f"Over <{iri}> is niets bekend in deze dataset.",
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
        "validation": await record_findings(endpoint, iri, L) if D.local_path(iri, base) else None,
        **data,
    }
    return render(request, template, context, 200, headers)
