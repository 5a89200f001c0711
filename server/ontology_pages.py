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

The examples are one query through the endpoint (:meth:`server.app.Endpoint.run`): a ``LIMIT 1``
sub-select per term, each an index look-up (about 10 ms in all on the full store). Which outside terms
the data uses takes a scan of the whole store (about 2 s on the full corpus): for the embedded store it
runs in a process of its own on the store opened read-only, as the pages' overview does, so it never
takes one of the endpoint's query workers. Both are kept until the store's generation changes.
``/def/context.jsonld`` is not served here.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from pyoxigraph import Literal, NamedNode, RdfFormat, parse, serialize

from ontology.diagram import diagram_svg
from ontology.namespaces import KG, PREFIXES, RDF, SH, XSD, Iris, T
from ontology.vocabulary import ONTOLOGY_FILE, Term, Vocabulary, load as load_vocabulary
from server import describe as D
from server.endpoint import run_rows
from server.headers import header_uri
from server.i18n import install as install_i18n, page_lang, term_label, tr
from server.isolated import run_isolated
from server.pages.base import FORMAT_LABELS, FORMAT_NAMES, HTML, NotAcceptable, json_error, negotiate
from server.render import PageError, render, templates
from shapes.listing import SHAPES_FILE, load as load_shapes
from store import generation as store_generation
from store.pool import Job

if TYPE_CHECKING:
    from server.endpoint import Endpoint

log = logging.getLogger("kamergraph.server.ontology")

ONTOLOGY_PATH = "/def"
SHAPES_PATH = "/def/shapes"
DIAGRAM_PATH = "/def/diagram.svg"
REMOTE_TTL = 600.0
#: Suffixes of the documents: ``/def.ttl`` … (``html``: the page).
SUFFIX_FORMATS = {**D.SUFFIXES, "html": HTML}
#: Outside namespaces whose terms are listed as reused vocabulary (the project's, less its own and SHACL).
REUSED_NAMESPACES = {p: ns for p, ns in PREFIXES.items() if p not in ("kg", "sh", "xsd", "wd", "tk")}
LABEL_PATH = f"(<{T.label}>|<{T.pref_label}>|<{T.name}>|<{T.title}>)"
KIND_TITLES = {
    "class": ("Klassen", "Classes"), "object": ("Objecteigenschappen", "Object properties"),
    "datatype": ("Gegevenseigenschappen", "Datatype properties"),
    "annotation": ("Annotatie-eigenschappen", "Annotation properties"),
    "property": ("Overige eigenschappen", "Other properties"), "individual": ("Individuen", "Individuals"),
}
KIND_NAMES = {
    "class": ("klasse", "class"), "object": ("objecteigenschap", "object property"),
    "datatype": ("gegevenseigenschap", "datatype property"),
    "annotation": ("annotatie-eigenschap", "annotation property"),
    "property": ("eigenschap", "property"), "individual": ("individu", "individual"),
}


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


# --------------------------------------------------------------------------- examples from the store


@dataclass(frozen=True)
class Node:
    """An example's subject or object as the page shows it."""

    text: str
    href: str | None = None
    lang: str | None = None
    datatype: str | None = None
    literal: bool = False


@dataclass(frozen=True)
class Example:
    subject: Node
    predicate: str | None = None  # the predicate's IRI (a triple), None (an instance)
    object: Node | None = None


@dataclass
class Examples:
    """Per term IRI its example; and the outside terms found in the data, with theirs."""

    terms: dict[str, Example] = field(default_factory=dict)
    reused: dict[str, tuple[str, Example]] = field(default_factory=dict)  # IRI -> (class | property, example)
    ok: bool = True
    outside_ready: bool = True  # the scan for the outside terms is done


def used_queries(ontology_graph: str) -> list[str]:
    """Every predicate, and every class with an instance, of the data graphs (not the ontology's own):
    rows of (predicate, None) and (None, class)."""
    data = f"FILTER (?g != <{ontology_graph}>)"
    return [f"SELECT DISTINCT ?p ?c WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {data} }}",
            f"SELECT DISTINCT ?p ?c WHERE {{ GRAPH ?g {{ ?s a ?c }} {data} }}"]


def outside_terms(rows: list[tuple[Any, ...]]) -> tuple[list[str], list[str]]:
    """(classes, properties) among the rows of :func:`used_queries` that are in the reused namespaces."""
    spaces = tuple(REUSED_NAMESPACES.values())
    classes, props = set(), set()
    for p, c in rows:
        for term, into in ((p, props), (c, classes)):
            if isinstance(term, NamedNode) and term.value.startswith(spaces) and not term.value.startswith(KG):
                into.add(term.value)
    return sorted(classes), sorted(props)


def used_in_store(path: str, ontology_graph: str) -> list[tuple[Any, ...]]:
    """:func:`used_queries` on the embedded store at ``path``, opened read-only here: a whole-store scan
    (2–4 s on the full corpus), so it runs in a process of its own, as the pages' overview does, never
    in the endpoint's query workers."""
    from pyoxigraph import Store

    store = Store.read_only(path)
    return [(sol["p"], sol["c"]) for text in used_queries(ontology_graph) for sol in store.query(text)]


def examples_query(vocab: Vocabulary, outside_classes: list[str], outside_props: list[str], ontology_graph: str) -> str:
    """One SELECT of ``LIMIT 1`` sub-selects: an instance per kg class, a triple per kg property, a use
    of each individual, and an instance or a triple of each outside term the data uses (outside the
    ontology's graph). The IRIs in the text are vocabulary terms, never request values."""
    lab = f"OPTIONAL {{ ?s {LABEL_PATH} ?sl }} OPTIONAL {{ ?o {LABEL_PATH} ?ol }}"
    data = f"FILTER (?g != <{ontology_graph}>)"
    branches = []
    for t in vocab.terms:
        if t.kind == "class":
            branches.append(f'{{ SELECT ?t ?k ?s ?sl WHERE {{ ?s a <{t.iri}> FILTER (isIRI(?s)) '
                            f'OPTIONAL {{ ?s {LABEL_PATH} ?sl }} BIND (<{t.iri}> AS ?t) BIND ("class" AS ?k) }} '
                            'LIMIT 1 }')
        elif t.kind == "individual":
            branches.append(f'{{ SELECT ?t ?k ?s ?p ?o ?sl WHERE {{ GRAPH ?g {{ ?s ?p <{t.iri}> }} {data} '
                            f'BIND (<{t.iri}> AS ?o) OPTIONAL {{ ?s {LABEL_PATH} ?sl }} BIND (<{t.iri}> AS ?t) '
                            f'BIND ("use" AS ?k) }} LIMIT 1 }}')
        else:
            branches.append(f'{{ SELECT ?t ?k ?s ?o ?sl ?ol WHERE {{ ?s <{t.iri}> ?o FILTER (isIRI(?s)) {lab} '
                            f'BIND (<{t.iri}> AS ?t) BIND ("property" AS ?k) }} LIMIT 1 }}')
    for c in outside_classes:
        branches.append(f'{{ SELECT ?t ?k ?s ?sl WHERE {{ GRAPH ?g {{ ?s a <{c}> }} {data} '
                        f'OPTIONAL {{ ?s {LABEL_PATH} ?sl }} BIND (<{c}> AS ?t) BIND ("outside-class" AS ?k) }} '
                        'LIMIT 1 }')
    for p in outside_props:
        branches.append(f'{{ SELECT ?t ?k ?s ?o ?sl ?ol WHERE {{ GRAPH ?g {{ ?s <{p}> ?o }} {data} {lab} '
                        f'BIND (<{p}> AS ?t) BIND ("outside-property" AS ?k) }} LIMIT 1 }}')
    return "SELECT ?t ?k ?s ?p ?o ?sl ?ol WHERE {\n  " + "\n  UNION ".join(branches) + "\n}\n"


def _node(term: Any, label: Any, base: str, lang: str) -> Node:
    if isinstance(term, NamedNode):
        text = label.value if isinstance(label, Literal) and label.value else None
        kind = D.kind_of(term.value, base)
        ours_says_more = kind is not None and (kind[0] in ("kamerstuk", "dossier") or
                                               (kind[0] == "kamervraag" and "/" in kind[1]))
        if text is None or ours_says_more:  # "Kamerstuk 22112, nr. 2686", "Kamervraag …, vraag 6"
            text = D.iri_label(term.value, base, lang)
        if term.value.startswith(KG):
            return Node("kg:" + term.value[len(KG):], "/def#" + term.value[len(KG):])
        return Node(text, D.resource_href(term.value, base))
    if isinstance(term, Literal):
        dtype = term.datatype.value if term.datatype else None
        shown = None if dtype in (XSD + "string", RDF + "langString", None) else "xsd:" + dtype[len(XSD):] \
            if dtype.startswith(XSD) else dtype
        value = term.value if len(term.value) <= 200 else term.value[:200] + "…"
        return Node(value, lang=term.language or None, datatype=shown, literal=True)
    return Node(str(term))


class ExampleCache:
    """The examples of the current store generation, asked again when the store changes.

    The outside terms the data uses come from a scan of the whole store, started in the background by
    the first request of a generation (:meth:`start_scan`); until it is done the page has the kg terms'
    examples and says that the list of reused terms is being made, and the next request after it has it.
    """

    def __init__(self, endpoint: Endpoint, vocab_file: Path) -> None:
        self.endpoint = endpoint
        self.vocab_file = vocab_file
        self._rows: list[tuple[Any, ...]] | None = None
        self._key: Any = None
        self._lock = asyncio.Lock()
        self._outside: tuple[list[str], list[str]] | None = None  # (classes, properties) of _outside_gen
        self._outside_gen: Any = None
        self._scanning: threading.Thread | None = None
        self._scan_lock = threading.Lock()
        self._scanned = threading.Event()

    def generation(self) -> Any:
        path = getattr(self.endpoint, "store_path", None)
        if path is not None:
            return store_generation.current(path)
        return int(time.monotonic() // REMOTE_TTL)

    def outside(self, gen: Any) -> tuple[list[str], list[str]] | None:
        """The outside terms of generation ``gen``, if its scan is done (else the scan is started)."""
        with self._scan_lock:
            if self._outside is not None and self._outside_gen == gen:
                return self._outside
            if self._scanning is None:
                self._scanned.clear()
                self._scanning = threading.Thread(target=self._scan, args=(gen,), daemon=True,
                                                  name="kamergraph-ontology-scan")
                self._scanning.start()
            return None

    def wait_for_scan(self, timeout: float = 120.0) -> bool:
        """Wait until the scan started last is done (for tests and benchmarks)."""
        return self._scanned.wait(timeout)

    def _scan(self, gen: Any) -> None:
        try:
            found = outside_terms(self._used(Iris(self.endpoint.settings.base).ontology_graph()))
            with self._scan_lock:
                self._outside, self._outside_gen = found, gen
        except Exception as exc:  # noqa: BLE001 - the page goes on without the list; tried again next time
            log.warning("the outside terms could not be read from the store: %s", exc)
        finally:
            with self._scan_lock:
                self._scanning = None
            self._scanned.set()

    async def rows(self) -> tuple[list[tuple[Any, ...]] | None, bool]:
        """(the rows of the examples query or None, whether the outside terms are among them)."""
        gen = self.generation()
        outside = self.outside(gen)
        key = (gen, self.vocab_file.stat().st_mtime_ns, outside is not None)
        if self._rows is not None and self._key == key:
            return self._rows, key[2]
        async with self._lock:
            if self._rows is not None and self._key == key:
                return self._rows, key[2]
            vocab = load_vocabulary(self.vocab_file)
            graph = Iris(self.endpoint.settings.base).ontology_graph()
            classes, props = outside or ([], [])
            try:
                answer = await run_rows(self.endpoint, Job(examples_query(vocab, classes, props, graph),
                                                           output="rows", row_limit=None))
            except PageError as exc:  # the page is still drawn, without examples; asked again next time
                log.warning("the ontology page's examples could not be read from the store: %s", exc.message)
                return None, False
            assert answer.result is not None
            self._rows = [tuple(r) for r in answer.result.rows]
            self._key = key
            return self._rows, key[2]

    def _used(self, ontology_graph: str) -> list[tuple[Any, ...]]:
        """The rows of :func:`used_queries`: for the embedded store in a process of its own (a whole-store
        scan, kept out of the endpoint's workers), for a remote store through the endpoint."""
        path = getattr(self.endpoint, "store_path", None)
        if path is None:
            rows: list[tuple[Any, ...]] = []
            for text in used_queries(ontology_graph):
                answer = self.endpoint.run(Job(text, output="rows", row_limit=None))
                assert answer.result is not None
                rows += [tuple(r) for r in answer.result.rows]
            return rows
        return run_isolated(used_in_store, str(path), ontology_graph, owner=self.endpoint)

    async def get(self, lang: str) -> Examples:
        rows, with_outside = await self.rows()
        if rows is None:
            return Examples(ok=False)
        base = self.endpoint.settings.base
        out = Examples(outside_ready=with_outside)
        for t, k, s, p, o, sl, ol in rows:
            if t is None or s is None:
                continue
            subject = _node(s, sl, base, lang)
            if k.value == "class":
                out.terms.setdefault(t.value, Example(subject))
            elif k.value == "use":
                out.terms.setdefault(t.value, Example(subject, p.value if p is not None else None,
                                                      _node(o, None, base, lang)))
            elif k.value == "property":
                out.terms.setdefault(t.value, Example(subject, t.value, _node(o, ol, base, lang)))
            elif k.value == "outside-class":
                out.reused.setdefault(t.value, ("class", Example(subject)))
            elif k.value == "outside-property" and o is not None:
                out.reused.setdefault(t.value, ("property", Example(subject, t.value, _node(o, ol, base, lang))))
        return out


# --------------------------------------------------------------------------- the page's view of the terms


@dataclass(frozen=True)
class TermRef:
    text: str  # kg:Kamervraag, prov:Entity
    href: str | None
    title: str  # the full IRI
    outside: bool


@dataclass
class TermView:
    id: str
    iri: str
    curie: str
    kind: str
    kind_name: str
    label: str
    labels: list[tuple[str, str]]  # (lang, label), the page's language first
    definitions: list[tuple[str, str]]
    comments: list[tuple[str, str]]
    domain: list[TermRef]
    range: list[TermRef]
    alignments: list[tuple[TermRef, TermRef]]  # (predicate, target)
    subterms: list[TermRef]
    domain_of: list[TermRef]
    range_of: list[TermRef]
    one_of: list[TermRef]
    types: list[TermRef]
    notations: list[str]
    example: Example | None
    example_predicate: TermRef | None


@dataclass
class Section:
    id: str
    title: str
    terms: list[TermView]


@dataclass
class ReusedTerm:
    ref: TermRef
    label: str
    kind: str  # class | property
    example: Example
    example_predicate: TermRef | None
    aligned: list[TermRef]  # kg terms that are aligned to it


@dataclass
class ReusedGroup:
    prefix: str
    namespace: str
    terms: list[ReusedTerm]


def _ordered(values: dict[str, str], lang: str) -> list[tuple[str, str]]:
    keys = sorted(values, key=lambda k: (k != lang, k != "nl", k))
    return [(k, values[k]) for k in keys]


def term_ref(vocab: Vocabulary, iri: str) -> TermRef:
    if iri.startswith(KG):
        local = iri[len(KG):]
        return TermRef("kg:" + local, f"#{local}", iri, False)
    return TermRef(vocab.curie(iri), D.external_href(iri), iri, True)


def term_views(vocab: Vocabulary, examples: Examples, lang: str) -> list[Section]:
    sections = []
    for kind, (nl, en) in KIND_TITLES.items():
        terms = vocab.of_kind(kind)
        if not terms:
            continue
        views = [_view(vocab, t, examples, lang) for t in terms]
        sections.append(Section(f"h-{kind}", tr(lang, nl, en), views))
    return sections


def _view(vocab: Vocabulary, t: Term, examples: Examples, lang: str) -> TermView:
    ref = lambda iri: term_ref(vocab, iri)  # noqa: E731
    subs = vocab.subclasses(t.iri)
    example = examples.terms.get(t.iri)
    return TermView(
        id=t.local, iri=t.iri, curie=t.curie, kind=t.kind, kind_name=tr(lang, *KIND_NAMES[t.kind]),
        label=t.label(lang), labels=_ordered(t.labels, lang), definitions=_ordered(t.definitions, lang),
        comments=_ordered(t.comments, lang), domain=[ref(i) for i in t.domain], range=[ref(i) for i in t.range],
        alignments=[(ref(p), ref(o)) for p, o in t.alignments], subterms=[ref(s.iri) for s in subs],
        domain_of=[ref(p.iri) for p in vocab.with_domain(t.iri)] if t.is_class else [],
        range_of=[ref(p.iri) for p in vocab.with_range(t.iri)] if t.is_class else [],
        one_of=[ref(i) for i in t.one_of], types=[ref(i) for i in t.types], notations=t.notations,
        example=example, example_predicate=ref(example.predicate) if example and example.predicate else None,
    )


def reused_groups(vocab: Vocabulary, examples: Examples, lang: str) -> list[ReusedGroup]:
    aligned: dict[str, list[str]] = {}
    for t in vocab.terms:
        for _, target in t.alignments:
            aligned.setdefault(target, []).append(t.iri)
        for x in t.domain + t.range:
            if not x.startswith(KG):
                aligned.setdefault(x, []).append(t.iri)
    groups: dict[str, ReusedGroup] = {}
    for iri, (kind, example) in sorted(examples.reused.items()):
        prefix, ns = max(((p, n) for p, n in REUSED_NAMESPACES.items() if iri.startswith(n)), key=lambda x: len(x[1]))
        group = groups.setdefault(prefix, ReusedGroup(prefix, ns, []))
        group.terms.append(ReusedTerm(
            term_ref(vocab, iri), term_label(iri, lang), kind, example,
            term_ref(vocab, example.predicate) if example.predicate else None,
            [term_ref(vocab, k) for k in sorted(set(aligned.get(iri, [])))]))
    return [groups[p] for p in sorted(groups)]


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

    async def ontology_answer(request: Request, suffix: str | None) -> Response:
        fmt = chosen_format(request, suffix)
        if isinstance(fmt, Response):
            return fmt
        headers = {"Vary": "Accept", "Link": ontology.link_header()}
        if fmt != HTML:
            return rdf_response(ontology, fmt, headers)
        return await ontology_page(request, endpoint, cache, ontology, headers)

    async def shapes_answer(request: Request, suffix: str | None) -> Response:
        fmt = chosen_format(request, suffix)
        if isinstance(fmt, Response):
            return fmt
        headers = {"Vary": "Accept", "Link": shapes_doc.link_header()}
        if fmt != HTML:
            return rdf_response(shapes_doc, fmt, headers)
        return shapes_page(request, shapes_doc, headers)

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

    @app.get(SHAPES_PATH, name="shapes", include_in_schema=False)
    async def shapes_route(request: Request) -> Response:
        """The SHACL shapes: their page, or the shapes file in an RDF format (content negotiation)."""
        return await shapes_answer(request, None)

    @app.get(SHAPES_PATH + ".{suffix}", name="shapes_format", include_in_schema=False)
    async def shapes_format_route(suffix: str, request: Request) -> Response:
        return await shapes_answer(request, suffix)

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
        "description": vocab.description(lang), "notes": _ordered(vocab.comments, lang),
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
