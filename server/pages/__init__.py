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

The package has one module per kind of page over a shared base (:mod:`server.pages.base`: formats,
negotiation, view models, the linker): :mod:`~server.pages.kamervraag` (a Kamervraag, a question or an
answer), :mod:`~server.pages.people` (persons, fracties), :mod:`~server.pages.government` (posts,
ministries, cabinets), :mod:`~server.pages.documents` (EU acts, Kamerstukken), :mod:`~server.pages.home`,
with the question lists they share in :mod:`~server.pages.lists`; :mod:`~server.pages.resource`
dereferences an IRI to its page or its RDF. This module only installs the routes.
"""


from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from pyoxigraph import NamedNode

from server import describe as D
from server.headers import header_uri
from server.i18n import LangCookie, install as install_i18n, page_lang, tr
from server.overview_holder import OverviewHolder
from server.pages.home import home_page
from server.pages.resource import answer, negotiated_error, resource
from server.render import templates

if TYPE_CHECKING:
    from server.endpoint import Endpoint

__all__ = ["install_pages"]


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
            return negotiated_error(request, 400, tr(page_lang(request), "geef een IRI: /resource?iri=…",
                                                     "give an IRI: /resource?iri=…"), fmt_param)
        local = D.local_path(iri, base)
        if local is not None:  # one of ours: its own path
            kept = [(k, v) for k, v in request.query_params.multi_items() if k != "iri"]
            return RedirectResponse(header_uri(local) + (f"?{urlencode(kept)}" if kept else ""), status_code=301)
        try:
            node = NamedNode(iri)
        except ValueError:
            return negotiated_error(request, 400, f"not an IRI: {iri!r}", fmt_param)
        return await answer(request, endpoint, holder, node.value, suffix_fmt=None,
                            self_path="/resource?" + urlencode([("iri", iri)]))
