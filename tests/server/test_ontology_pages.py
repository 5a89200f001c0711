"""The ontology at /def and the shapes at /def/shapes, on the small real store.

The page lists every term rdflib finds in ontology/kamergraph.ttl, each under its local name with
its labels and definitions in both languages; every RDF format (by Accept, suffix or format=) is a
graph isomorphic to the file; the examples are real triples of the store (checked with SPARQL on
the store itself) and are asked again when the store's generation changes; the reused vocabulary
is exactly the outside terms the data graphs use; the shapes page lists every shape; the diagram
is well-formed SVG with every class.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, Store
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_FILE = ROOT / "ontology" / "kamergraph.ttl"
SHAPES_FILE = ROOT / "shapes" / "kamergraph.shapes.ttl"
KG = "https://w3id.org/kamergraph/def#"
BASE = "https://kamergraph.nl/"
ONTOLOGY_GRAPH = f"{BASE}graph/ontologie/kamergraph"
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property,
              OWL.NamedIndividual)
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
FORMATS = [  # (Accept, suffix, format=, rdflib parser)
    ("text/turtle", "ttl", "turtle", "turtle"),
    ("application/ld+json", "jsonld", "jsonld", "json-ld"),
    ("application/rdf+xml", "rdf", "rdfxml", "xml"),
    ("application/n-triples", "nt", "ntriples", "nt"),
]


def file_terms() -> set[str]:
    """Every kg term the OWL file declares, as rdflib reads it (independently of the server's reader)."""
    g = Graph().parse(ONTOLOGY_FILE, format="turtle")
    return {str(s) for t in TERM_TYPES for s in g.subjects(RDF.type, t)
            if isinstance(s, URIRef) and str(s).startswith(KG)}


class Elements(HTMLParser):
    """Every element's tag and attributes, in document order."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.items.append((tag, dict(attrs)))

    def with_class(self, tag: str, cls: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.items if t == tag and cls in (a.get("class") or "").split()]


def sections(html: str, cls: str) -> dict[str, str]:
    """id -> the HTML of each ``<section class="cls …" id=…>`` (these sections do not nest)."""
    out = {}
    for m in re.finditer(rf'<section class="{cls}[^"]*" id="([^"]+)"', html):
        end = html.index("</section>", m.end())
        out[m.group(1)] = html[m.start():end]
    return out


def iri_of(href: str) -> str:
    """The IRI an entity page link stands for."""
    if href.startswith("/resource?iri="):
        return unquote(href[len("/resource?iri="):])
    assert href.startswith(("/id/", "/graph/")), href
    return BASE + href[1:]


@pytest.fixture(scope="module")
def client(kg_store: Path) -> Iterator[TestClient]:
    from server.app import create_app
    from tests.server.conftest import settings_for

    with TestClient(create_app(settings_for(kg_store), kg_store), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def store(kg_store: Path) -> Iterator[Store]:
    yield Store.read_only(str(kg_store))


@pytest.fixture(scope="module")
def page(client: TestClient) -> str:
    """The page once the scan for the outside terms (started by the first request) is done."""
    first = client.get("/def?lang=nl", headers={"Accept": BROWSER_ACCEPT})
    assert first.status_code == 200, first.text
    assert client.app.state.ontology_examples.wait_for_scan(120)
    r = client.get("/def?lang=nl", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200, r.text
    return r.text


# --------------------------------------------------------------------------- the page lists every term


def test_the_page_lists_every_term_of_the_owl_file_under_its_local_name(page: str) -> None:
    found = Elements(page).with_class("section", "onto-term")
    listed = {a["data-iri"] for a in found}
    assert listed == file_terms()
    for a in found:
        assert a["id"] == str(a["data-iri"])[len(KG):], "a term's anchor must be its local name (the IRI's fragment)"
    ids = [a["id"] for _, a in Elements(page).items if a.get("id")]
    assert len(ids) == len(set(ids)), "ids on the page must be unique"


def test_every_term_shows_its_labels_and_definitions_in_both_languages(page: str) -> None:
    g = Graph().parse(ONTOLOGY_FILE, format="turtle")
    by_id = sections(page, "onto-term")
    assert len(by_id) == len(file_terms())
    for local, html in by_id.items():
        text = unescape(html)
        term = URIRef(KG + local)
        for prop in (RDFS.label, SKOS.definition):
            for o in g.objects(term, prop):
                assert isinstance(o, Literal)
                assert f'lang="{o.language}"' in html and str(o) in text, f"kg:{local}: {prop} @{o.language} not shown"


def test_domain_range_and_alignments_are_shown(page: str) -> None:
    terms = sections(page, "onto-term")
    voetnoot = terms["voetnoot"]  # domain: the union of Vraag and Antwoord
    assert 'href="#Vraag"' in voetnoot and 'href="#Antwoord"' in voetnoot and 'href="#Voetnoot"' in voetnoot
    assert 'title="http://www.w3.org/ns/prov#Entity"' in terms["Kamervraag"]  # rdfs:subClassOf prov:Entity
    assert 'title="https://opendata.tweedekamer.nl/documentatie/Zaak"' in terms["Kamervraag"]  # skos:broadMatch
    assert 'href="#heeftVraag"' in terms["Kamervraag"]  # a property with this domain


def test_the_examples_are_triples_of_the_store(page: str, store: Store) -> None:
    terms = sections(page, "onto-term")
    checked = 0
    for local, html in terms.items():
        m = re.search(r'<dd class="example">(.*?)</dd>', html, re.S)
        assert m, f"kg:{local} has no example field"
        example = m.group(1)
        links = [unescape(h) for h in re.findall(r'href="([^"]+)"', example)]
        entity = [KG + h[len("/def#"):] if h.startswith("/def#") else iri_of(h) for h in links
                  if h.startswith(("/id/", "/graph/", "/resource?", "/def#"))]
        if 'class="ex-instance"' in example:  # a class: one of its instances
            (subject,) = entity
            q = f"ASK {{ <{subject}> a <{KG + local}> }}"
        elif 'class="ex-triple"' in example and local[0].islower():  # a property: one of its triples
            if len(entity) == 3:  # subject, the property's own link, the object
                q = f"ASK {{ <{entity[0]}> <{KG + local}> <{entity[2]}> }}"
            else:  # a literal object
                q = f"ASK {{ <{entity[0]}> <{KG + local}> ?o }}"
        elif 'class="ex-triple"' in example:  # an individual: a triple that uses it
            assert entity[-1] == KG + local
            q = f"ASK {{ <{entity[0]}> ?p <{KG + local}> }}"
        else:  # no example: then the store has none either
            assert "geen in deze store" in example, f"kg:{local}: {example}"
            if 'term-class"' in html:
                q = f"ASK {{ ?s a <{KG + local}> }}"
            elif 'term-individual"' in html:
                q = f"ASK {{ GRAPH ?g {{ ?s ?p <{KG + local}> }} FILTER (?g != <{ONTOLOGY_GRAPH}>) }}"
            else:
                q = f"ASK {{ ?s <{KG + local}> ?o }}"
            assert not store.query(q, use_default_graph_as_union=True), f"kg:{local} has an example in the store: {q}"
            continue
        assert store.query(q, use_default_graph_as_union=True), f"kg:{local}: {q}"
        checked += 1
    assert checked >= 80, f"only {checked} of {len(terms)} terms have an example from the small store"
    assert 'href="#rol"' in terms["RolIndiener"]  # an individual's example is its use in the data


def test_a_term_without_instances_in_the_store_says_so(page: str, store: Store) -> None:
    bron = sections(page, "onto-term")["Bronrecord"]
    assert not store.query(f"ASK {{ ?s a <{KG}Bronrecord> }}", use_default_graph_as_union=True)
    assert "geen in deze store" in bron


def test_the_reused_vocabulary_is_what_the_data_graphs_use(page: str, store: Store) -> None:
    from server.ontology_examples import REUSED_NAMESPACES

    spaces = tuple(REUSED_NAMESPACES.values())
    used = set()
    for q in ("SELECT DISTINCT ?t WHERE { GRAPH ?g { ?s ?t ?o } FILTER (?g != <%s>) }" % ONTOLOGY_GRAPH,
              "SELECT DISTINCT ?t WHERE { GRAPH ?g { ?s a ?t } FILTER (?g != <%s>) }" % ONTOLOGY_GRAPH):
        for sol in store.query(q):
            term = sol["t"]
            if isinstance(term, NamedNode) and term.value.startswith(spaces) and not term.value.startswith(KG):
                used.add(term.value)
    m = re.search(r'<table class="list reused-terms">(.*?)</table>', page, re.S)
    assert m
    listed = set(re.findall(r'<tr data-iri="([^"]+)"', m.group(1)))
    assert listed == used
    assert "http://purl.org/dc/terms/dateSubmitted" in listed and "http://www.w3.org/ns/org#member" in listed


def test_english_page(client: TestClient) -> None:
    r = client.get("/def?lang=en", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200
    assert '<html lang="en">' in r.text and "kamergraph ontology" in r.text
    assert "Classes" in r.text and "parliamentary question set" in r.text


# --------------------------------------------------------------------------- content negotiation


@pytest.mark.parametrize(("accept", "suffix", "fmt", "parser"), FORMATS)
@pytest.mark.parametrize(("path", "source"), [("/def", ONTOLOGY_FILE), ("/def/shapes", SHAPES_FILE)])
def test_every_rdf_format_is_the_file_s_graph(client: TestClient, path: str, source: Path, accept: str, suffix: str,
                                              fmt: str, parser: str) -> None:
    expected = Graph().parse(source, format="turtle")
    for url, headers in ((path, {"Accept": accept}), (f"{path}.{suffix}", {}), (f"{path}?format={fmt}", {})):
        r = client.get(url, headers=headers)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].split(";")[0] == accept
        assert r.headers["vary"] == "Accept"
        assert r.headers["content-location"] == f"{path}.{suffix}"
        got = Graph().parse(data=r.content, format=parser)
        assert isomorphic(got, expected), f"{url} ({accept}) is not the graph of {source.name}"


@pytest.mark.parametrize(("path", "iri"), [("/def", "https://w3id.org/kamergraph/def"),
                                           ("/def/shapes", "https://w3id.org/kamergraph/shapes")])
def test_browsers_and_star_get_the_page_with_link_headers(client: TestClient, path: str, iri: str) -> None:
    for accept in (BROWSER_ACCEPT, "*/*", None):
        r = client.get(path, headers={"Accept": accept} if accept else {})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), accept
        assert r.headers["vary"] == "Accept"
        link = r.headers["link"]
        assert f'<{iri}>; rel="canonical"' in link
        for suffix, media in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
                              ("nt", "application/n-triples"), ("rdf", "application/rdf+xml")):
            assert f'<{path}.{suffix}>; rel="alternate"; type="{media}"' in link
            assert f'<link rel="alternate" type="{media}" href="{path}.{suffix}"' in r.text
    assert client.get(f"{path}.html").headers["content-type"].startswith("text/html")


def test_bad_formats(client: TestClient) -> None:
    r = client.get("/def", headers={"Accept": "image/png"})
    assert r.status_code == 406 and r.json()["error"]["status"] == 406
    r = client.get("/def?format=pdf")
    assert r.status_code == 400 and "unknown format" in r.json()["error"]["detail"]
    r = client.get("/def.pdf")
    assert r.status_code == 404 and ".ttl" in r.json()["error"]["detail"]
    r = client.get("/def/", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/def"


def test_the_ontology_routes_leave_other_def_paths_free(client: TestClient) -> None:
    """No catch-all under /def/: /def/context.jsonld and the like belong to other modules."""
    ours = {r.path for r in client.app.routes
            if getattr(getattr(r, "endpoint", None), "__module__", "") == "server.ontology_pages"}
    assert ours == {"/def", "/def.{suffix}", "/def/", "/def/shapes", "/def/shapes.{suffix}", "/def/diagram.svg"}
    assert client.get("/def/anything-else").status_code == 404


# --------------------------------------------------------------------------- the shapes page


def test_the_shapes_page_lists_every_shape(client: TestClient) -> None:
    g = Graph().parse(SHAPES_FILE, format="turtle")
    r = client.get("/def/shapes", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200
    els = Elements(r.text)
    node_shapes = {str(s) for s in g.subjects(RDF.type, SH.NodeShape)}
    assert {a["data-iri"] for a in els.with_class("section", "shape")} == node_shapes
    ids = {a["id"] for _, a in els.items if a.get("id")}
    for ps in g.subjects(RDF.type, SH.PropertyShape):
        assert str(ps).rsplit("#", 1)[1] in ids, f"{ps} is not on the page"
    shapes = sections(r.text, "shape")
    kv = unescape(shapes["KamervraagShape"])
    assert 'href="/def#Kamervraag"' in kv  # the target, linked to the ontology page
    for msg in g.objects(URIRef("https://w3id.org/kamergraph/shapes#Kamervraag-zaaknummer"), SH.message):
        assert str(msg) in kv
    assert "0..1" in kv and "sh:pattern" in kv
    rule = unescape(shapes["VergaderjaarRule"])
    assert "sh:Warning" in rule and "SELECT $this ?value ?path ?date" in rule


def test_the_ontology_page_links_the_shapes_and_the_shapes_link_back(client: TestClient, page: str) -> None:
    assert 'href="/def/shapes"' in page
    assert 'href="/def"' in client.get("/def/shapes", headers={"Accept": BROWSER_ACCEPT}).text


# --------------------------------------------------------------------------- the diagram


def test_the_diagram_is_well_formed_svg_with_every_class(client: TestClient, page: str) -> None:
    r = client.get("/def/diagram.svg?lang=nl")  # the page's language (the client may have an "en" cookie)
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(r.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    nodes = {g.get("data-iri") for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "node"}
    g = Graph().parse(ONTOLOGY_FILE, format="turtle")
    classes = {str(c) for c in g.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef) and str(c).startswith(KG)}
    assert classes <= nodes
    # every kg object property names its arrow, and the page has the same drawing inline
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    for p in g.subjects(RDF.type, OWL.ObjectProperty):
        if (p, RDFS.range, RDFS.Resource) not in g:
            assert str(p)[len(KG):] in texts, f"{p} has no arrow"
    inline = page[page.index('<div class="diagram-wrap">') + len('<div class="diagram-wrap">'):]
    inline = inline[:inline.index("</svg>") + len("</svg>")]
    assert ET.tostring(ET.fromstring(inline)) == ET.tostring(root)


def test_the_layout_puts_nothing_on_top_of_anything(client: TestClient) -> None:
    """Boxes and arrow labels, as the layout places them, never overlap (the browser test measures
    the drawing itself too)."""
    from ontology.diagram import layout
    from ontology.vocabulary import load

    rows, arrows, slots = layout(load(ONTOLOGY_FILE))
    for row in rows:
        for a, b in zip(row, row[1:]):
            assert a.x + a.width / 2 <= b.x - b.width / 2 + 0.01, f"{a.id} and {b.id} overlap"
    for a in arrows:
        assert [slots[s].row for s in a.chain] == list(range(slots[a.chain[0]].row, slots[a.chain[-1]].row + 1))


# --------------------------------------------------------------------------- examples per store generation


def test_examples_are_kept_until_the_store_changes(kg_store: Path, tmp_path: Path) -> None:
    from server.app import create_app
    from store import generation
    from tests.server.conftest import settings_for

    copy = tmp_path / "store"
    shutil.copytree(kg_store, copy)
    with TestClient(create_app(settings_for(copy, query_workers=1), copy), raise_server_exceptions=False) as c:
        cache = c.app.state.ontology_examples
        r = c.get("/def")  # the kg terms' examples; the scan for the outside terms starts
        assert r.status_code == 200 and "laad de pagina over enkele seconden opnieuw" in r.text
        kg_only = cache._rows
        assert kg_only and not any(k.value.startswith("outside") for _, k, *_ in kg_only)
        assert cache.wait_for_scan(120)
        r = c.get("/def")
        assert r.status_code == 200 and 'class="list reused-terms"' in r.text
        first = cache._rows
        assert first is not kg_only and any(k.value.startswith("outside") for _, k, *_ in first)
        assert c.get("/def").status_code == 200
        assert cache._rows is first  # kept: not asked again
        generation.bump(copy)  # the store has changed: asked again, the scan too
        assert c.get("/def").status_code == 200
        assert cache.wait_for_scan(120)
        assert c.get("/def").status_code == 200
        assert cache._rows is not first and cache._rows == first  # the same store, the same rows
