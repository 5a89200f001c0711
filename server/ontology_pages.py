"""The ontology and the shapes, served at their namespace: ``/def`` and ``/def/shapes``.

``install_ontology(app, endpoint)`` adds:

- ``/def``: the ontology (``ontology/kamergraph.ttl``, namespace ``https://w3id.org/kamergraph/def#``;
  w3id.org redirects ``https://w3id.org/kamergraph/def`` here). Content negotiation as for the
  resource pages (:func:`server.pages.base.negotiate`): a browser gets the documentation page, ``Accept:
  text/turtle`` the file itself, ``application/ld+json``, ``application/rdf+xml`` and
  ``application/n-triples`` the same graph in those formats; ``/def.ttl``, ``.jsonld``, ``.rdf``,
  ``.nt`` (and ``.html``) or ``?format=`` name one. Every answer says ``Vary: Accept`` and lists the
  others in ``Link: <…>; rel="alternate"`` headers, with the ontology IRI as ``rel="canonical"``.
- The page is drawn from the OWL file: every class, object, datatype and annotation property and
  individual of the kg namespace with its labels (nl, en), definitions, notes, domain, range and
  alignments, each under an anchor named after the term (``/def#Kamervraag``, so that the term IRI
  ``https://w3id.org/kamergraph/def#Kamervraag`` lands on it), with one example from the store (an
  instance of a class, a triple of a property, linked to its entity page); then the outside terms the
  data reuses (DCTERMS, ORG, PROV, ELI …), as found in the store's data graphs, each with an example; and the
  class diagram (:mod:`ontology.diagram`), inline and at ``/def/diagram.svg``.
- ``/def/shapes``: the SHACL shapes (``shapes/kamergraph.shapes.ttl``), negotiated the same way
  (``/def/shapes.ttl`` …), as a page listing every shape: its targets, property shapes with
  cardinality, constraints and messages, and its SPARQL rules.

The examples from the store and the outside terms the data reuses are :mod:`server.ontology_examples`
(one query through the endpoint; a whole-store scan in a process of its own, as the pages' overview
does), kept until the store's generation changes; the page's view of the terms is
:mod:`server.ontology_terms`.
``/def/context.jsonld`` is not served here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from pyoxigraph import RdfFormat, parse, serialize

from ontology.diagram import diagram_svg
from ontology.namespaces import KG, SH
from ontology.vocabulary import ONTOLOGY_FILE, load as load_vocabulary
from server import describe as D
from server.headers import header_uri
from server.i18n import install as install_i18n, page_lang, tr
from server.ontology_examples import ExampleCache
from server.ontology_terms import ordered, reused_groups, term_views
from server.pages.base import FORMAT_LABELS, FORMAT_NAMES, HTML, NotAcceptable, json_error, negotiate
from server.render import render, templates
from shapes.listing import SHAPES_FILE, load as load_shapes

if TYPE_CHECKING:
    from server.endpoint import Endpoint

ONTOLOGY_PATH = "/def"
SHAPES_PATH = "/def/shapes"
DIAGRAM_PATH = "/def/diagram.svg"
#: Suffixes of the documents: ``/def.ttl`` … (``html``: the page).
SUFFIX_FORMATS = {**D.SUFFIXES, "html": HTML}


# --------------------------------------------------------------------------- the documents


@dataclass(frozen=True)
class Document:
    """One RDF file served in every format: the file itself as Turtle, the others serialised from it."""

    path: Path
    self_path: str  # /def, /def/shapes
    iri: str  # the canonical IRI

    def body(self, fmt: str) -> bytes:
        mtime = self.path.stat().st_mtime_ns
        return _body(str(self.path), mtime, fmt)

    def link_header(self) -> str:
        parts = [f'<{header_uri(self.iri)}>; rel="canonical"',
                 f'<{header_uri(self.self_path)}>; rel="alternate"; type="text/html"']
        for _, href, media in self.alternates():
            parts.append(f'<{header_uri(href)}>; rel="alternate"; type="{media}"')
        return ", ".join(parts)

    def alternates(self) -> list[tuple[str, str, str]]:
        """(label, URL, media type) of each RDF format."""
        return [(FORMAT_LABELS[name], f"{self.self_path}.{suffix}", media)
                for name, (media, suffix, _) in D.RDF_FORMATS.items()]


@lru_cache(maxsize=16)
def _body(path: str, mtime_ns: int, fmt: str) -> bytes:
    data = Path(path).read_bytes()
    if fmt == "turtle":
        return data  # the file as it is, with its comments and layout
    triples = [q.triple for q in parse(data, format=RdfFormat.TURTLE, base_iri=None)]
    rdf_format = D.RDF_FORMATS[fmt][2]
    prefixes = {**D.SERIALIZE_PREFIXES, "kgsh": "https://w3id.org/kamergraph/shapes#",
                "vann": "http://purl.org/vocab/vann/", "doco": "http://purl.org/spar/doco/",
                "oa": "http://www.w3.org/ns/oa#", "tkm": "https://opendata.tweedekamer.nl/documentatie/", "sh": SH}
    if rdf_format not in (RdfFormat.TURTLE, RdfFormat.RDF_XML):
        prefixes = None  # type: ignore[assignment]
    elif rdf_format == RdfFormat.RDF_XML:
        prefixes = {k: v for k, v in prefixes.items() if v[-1] in "#/"}
    return serialize(triples, format=rdf_format, prefixes=prefixes) or b""


def chosen_format(request: Request, suffix: str | None) -> str | Response:
    """The format a request asks for (suffix, then ``format=``, then ``Accept``), or the error response."""
    if suffix is not None:
        fmt = SUFFIX_FORMATS.get(suffix)
        if fmt is None:
            return json_error(404, f"no such document: {request.url.path}; the suffixes are "
                                   + ", ".join(f".{s}" for s in SUFFIX_FORMATS))
        return fmt
    fmt_param = request.query_params.get("format")
    if fmt_param:
        fmt = FORMAT_NAMES.get(fmt_param.strip().lower(), "")
        if not fmt:
            return json_error(400, f"unknown format {fmt_param!r}; one of html, turtle, jsonld, ntriples, rdfxml",
                              {"Vary": "Accept"})
        return fmt
    try:
        return negotiate(request.headers.get("accept"))
    except NotAcceptable as exc:
        return json_error(406, str(exc), {"Vary": "Accept"})


def rdf_response(doc: Document, fmt: str, headers: dict[str, str]) -> Response:
    media, suffix, _ = D.RDF_FORMATS[fmt]
    if media.startswith("text/") or media == "application/n-triples":
        media += "; charset=utf-8"
    return Response(doc.body(fmt), media_type=media,
                    headers={**headers, "Content-Location": header_uri(f"{doc.self_path}.{suffix}")})


# --------------------------------------------------------------------------- the installation


def install_ontology(app: FastAPI, endpoint: Endpoint, ontology_file: Path = ONTOLOGY_FILE,
                     shapes_file: Path = SHAPES_FILE) -> None:
    """Add ``/def`` (and ``/def.{ttl,jsonld,rdf,nt,html}``), ``/def/shapes`` (the same suffixes) and
    ``/def/diagram.svg``. The files are read now, so that a broken file stops the start with its name."""
    install_i18n(templates.env)
    vocab = load_vocabulary(ontology_file)
    load_shapes(shapes_file)
    ontology = Document(ontology_file, ONTOLOGY_PATH, vocab.iri)
    shapes_doc = Document(shapes_file, SHAPES_PATH,
                          load_shapes(shapes_file).iri or "https://w3id.org/kamergraph/shapes")
    cache = ExampleCache(endpoint, ontology_file)
    app.state.ontology_examples = cache
    _install_ontology_routes(app, endpoint, cache, ontology)
    _install_shapes_routes(app, shapes_doc)
    _install_diagram_route(app, ontology_file)


def _install_ontology_routes(app: FastAPI, endpoint: Endpoint, cache: ExampleCache, ontology: Document) -> None:
    """``/def``, ``/def.{suffix}`` and ``/def/`` (a redirect to ``/def``)."""

    async def ontology_answer(request: Request, suffix: str | None) -> Response:
        fmt = chosen_format(request, suffix)
        if isinstance(fmt, Response):
            return fmt
        headers = {"Vary": "Accept", "Link": ontology.link_header()}
        if fmt != HTML:
            return rdf_response(ontology, fmt, headers)
        return await ontology_page(request, endpoint, cache, ontology, headers)

    @app.get(ONTOLOGY_PATH, name="ontology", include_in_schema=False)
    async def ontology_route(request: Request) -> Response:
        """The ontology: its documentation page, or the OWL file in an RDF format (content negotiation)."""
        return await ontology_answer(request, None)

    @app.get(ONTOLOGY_PATH + ".{suffix}", name="ontology_format", include_in_schema=False)
    async def ontology_format_route(suffix: str, request: Request) -> Response:
        return await ontology_answer(request, suffix)

    @app.get(ONTOLOGY_PATH + "/", include_in_schema=False)
    async def ontology_slash(request: Request) -> Response:
        return RedirectResponse(ONTOLOGY_PATH + (f"?{request.url.query}" if request.url.query else ""), 301)


def _install_shapes_routes(app: FastAPI, shapes_doc: Document) -> None:
    """``/def/shapes`` and ``/def/shapes.{suffix}``."""

    async def shapes_answer(request: Request, suffix: str | None) -> Response:
        fmt = chosen_format(request, suffix)
        if isinstance(fmt, Response):
            return fmt
        headers = {"Vary": "Accept", "Link": shapes_doc.link_header()}
        if fmt != HTML:
            return rdf_response(shapes_doc, fmt, headers)
        return shapes_page(request, shapes_doc, headers)

    @app.get(SHAPES_PATH, name="shapes", include_in_schema=False)
    async def shapes_route(request: Request) -> Response:
        """The SHACL shapes: their page, or the shapes file in an RDF format (content negotiation)."""
        return await shapes_answer(request, None)

    @app.get(SHAPES_PATH + ".{suffix}", name="shapes_format", include_in_schema=False)
    async def shapes_format_route(suffix: str, request: Request) -> Response:
        return await shapes_answer(request, suffix)


def _install_diagram_route(app: FastAPI, ontology_file: Path) -> None:
    """``/def/diagram.svg``."""

    @app.get(DIAGRAM_PATH, name="ontology_diagram", include_in_schema=False)
    async def diagram_route(request: Request) -> Response:
        """The class diagram as an SVG image (``?lang=en`` for English titles)."""
        lang = page_lang(request)
        svg = diagram(ontology_file, lang)
        return Response('<?xml version="1.0" encoding="UTF-8"?>\n' + svg, media_type="image/svg+xml",
                        headers={"X-Content-Type-Options": "nosniff", "Vary": "Cookie",
                                 "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


def diagram(path: Path, lang: str) -> str:
    return _diagram(str(path), path.stat().st_mtime_ns, lang)


@lru_cache(maxsize=8)
def _diagram(path: str, mtime_ns: int, lang: str) -> str:
    vocab = load_vocabulary(path)

    def describe(iri: str) -> str:
        t = vocab.get(iri)
        if t is None:
            return iri
        return f"{t.curie} — {t.label(lang)}: {t.definition(lang) or ''}".strip()

    title = tr(lang, "kamergraph: klassen en hun relaties", "kamergraph: classes and their relations")
    return diagram_svg(vocab, title,
                       href=lambda iri: f"{ONTOLOGY_PATH}#{iri[len(KG):]}" if iri.startswith(KG) else None,
                       describe=describe)


async def ontology_page(request: Request, endpoint: Endpoint, cache: ExampleCache, doc: Document,
                        headers: dict[str, str]) -> Response:
    lang = page_lang(request)
    vocab = load_vocabulary(doc.path)
    examples = await cache.get(lang)
    sections = term_views(vocab, examples, lang)
    context = {
        "lang": lang, "nav": "def", "vocab": vocab, "title": vocab.title(lang),
        "description": vocab.description(lang), "notes": ordered(vocab.comments, lang),
        "sections": sections, "reused": reused_groups(vocab, examples, lang), "examples_ok": examples.ok,
        "reused_ready": examples.outside_ready,
        "alternates": doc.alternates(), "diagram": Markup(diagram(doc.path, lang)), "diagram_path": DIAGRAM_PATH,
        "shapes_path": SHAPES_PATH, "counts": {s.id: len(s.terms) for s in sections},
        "license": vocab.license, "base": endpoint.settings.base,
    }
    return render(request, "ontology.html", context, 200, headers)


@dataclass
class ShapeLink:
    text: str
    href: str | None
    title: str


def shapes_page(request: Request, doc: Document, headers: dict[str, str]) -> Response:
    lang = page_lang(request)
    shapes = load_shapes(doc.path)
    anchors = {n.iri: n.id for n in shapes.node_shapes}
    anchors.update({m.iri: m.id for m in shapes.member_shapes if m.iri})

    def link(iri: str) -> ShapeLink:
        if iri in anchors:
            return ShapeLink(shapes.curie(iri), f"#{anchors[iri]}", iri)
        if iri.startswith(KG):
            return ShapeLink(shapes.curie(iri), f"{ONTOLOGY_PATH}#{iri[len(KG):]}", iri)
        return ShapeLink(shapes.curie(iri), D.external_href(iri), iri)

    context = {
        "lang": lang, "nav": "def", "shapes": shapes, "link": link, "alternates": doc.alternates(),
        "title": tr(lang, "SHACL-shapes van kamergraph", "kamergraph SHACL shapes"),
        "ontology_path": ONTOLOGY_PATH, "counts": (len(shapes.node_shapes),
                                                   sum(len(n.properties) for n in shapes.node_shapes)),
    }
    return render(request, "shapes.html", context, 200, headers)
