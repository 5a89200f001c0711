"""/.well-known/void, /dataset and the service description at GET /sparql, on a small real store.

The store is a copy of the server tests' real store (``kg_store``), described again with a dump
release manifest written here; every RDF answer is parsed and compared, as a set of triples (the
description has no blank nodes), with the description graph read from the store directly.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, RdfFormat, Triple, parse

from kamergraph.dataset import DCAT, SD, VOID, dataset_iri, description_graph, load_description, service_iri
from ontology.namespaces import DCTERMS, RDF, Iris
from store.embedded import EmbeddedStore
from tests.server.conftest import settings_for

IRIS = Iris("https://kamergraph.nl/")
DS = dataset_iri(IRIS)
DESC = description_graph(IRIS)
FORMATS = {
    "text/turtle": RdfFormat.TURTLE,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
}
FILES = [
    {"file": "kamergraph.nq.gz", "format": "nq", "media_type": "application/n-quads", "encoding": "gzip",
     "bytes": 52_011_337, "triples": 2_246_649, "sha256": "0f" * 32, "created": "2026-11-29T02:10:00Z"},
    {"file": "kamergraph.ttl.gz", "format": "ttl", "media_type": "text/turtle", "encoding": "gzip",
     "bytes": 31_002_001, "triples": 2_246_631, "sha256": "a1" * 32, "created": "2026-11-29T02:11:00Z"},
]


@pytest.fixture(scope="module")
def described(kg_store: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[Triple]]:
    """A copy of the real store, described with a dump release; and the description as stored."""
    tmp = tmp_path_factory.mktemp("dataset-pages")
    path = tmp / "store"
    shutil.copytree(kg_store, path)
    dumps = tmp / "dumps"
    dumps.mkdir()
    (dumps / "manifest.json").write_text(json.dumps({
        "created": "2026-11-29T02:12:00Z", "store_generation": "7", "triples": 2_246_631, "quads": 2_246_649,
        "files": FILES}), encoding="utf-8")
    store = EmbeddedStore(path)
    try:
        load_description(store, IRIS, dumps)
        stored = {q.triple for q in store.ox.quads_for_pattern(None, None, None, NamedNode(DESC))}
    finally:
        store.close()
    return path, stored


@pytest.fixture(scope="module")
def client(described: tuple[Path, set[Triple]]) -> Iterator[TestClient]:
    from server.app import create_app

    path, _ = described
    with TestClient(create_app(settings_for(path, query_workers=2), path), raise_server_exceptions=False) as c:
        yield c


def rdf_of(response, media: str) -> set[Triple]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media
    assert "Accept" in response.headers.get("vary", "")
    return {q.triple for q in parse(response.content, format=FORMATS[media])}


def values(triples: set[Triple], s: str, p: str) -> list[str]:
    return sorted(t.object.value for t in triples if t.subject.value == s and t.predicate.value == p)


@pytest.mark.parametrize("path", ["/.well-known/void", "/dataset", "/sparql"])
@pytest.mark.parametrize("media", list(FORMATS))
def test_every_rdf_format_gives_the_stored_description(client: TestClient, described, path: str, media: str) -> None:
    _, stored = described
    assert rdf_of(client.get(path, headers={"accept": media}), media) == stored
    name = {"text/turtle": "turtle", "application/ld+json": "jsonld", "application/n-triples": "ntriples",
            "application/rdf+xml": "rdfxml"}[media]
    assert rdf_of(client.get(path, params={"format": name}), media) == stored


def test_defaults_and_preferences(client: TestClient, described) -> None:
    _, stored = described
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    # VoID's well-known address: data first (Turtle for no Accept and */*), the page for a browser
    assert rdf_of(client.get("/.well-known/void"), "text/turtle") == stored
    assert rdf_of(client.get("/.well-known/void", headers={"accept": "*/*"}), "text/turtle") == stored
    assert client.get("/.well-known/void", headers={"accept": browser}).headers["content-type"].startswith("text/html")
    # the dataset page: the page first, RDF when a data format is preferred
    for accept in (None, "*/*", browser):
        r = client.get("/dataset", headers={"accept": accept} if accept else {})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), accept
        assert r.headers["vary"] == "Accept"
    assert rdf_of(client.get("/dataset", headers={"accept": "text/turtle;q=0.9, text/html;q=0.5"}),
                  "text/turtle") == stored
    # q-values are honoured; nothing acceptable is a 406, an unknown format= a 400, in the JSON error shape
    assert rdf_of(client.get("/.well-known/void", headers={"accept": "text/turtle;q=0.2, application/rdf+xml"}),
                  "application/rdf+xml") == stored
    r = client.get("/.well-known/void", headers={"accept": "image/png"})
    assert r.status_code == 406 and r.json()["error"]["status"] == 406
    r = client.get("/dataset", params={"format": "pdf"})
    assert r.status_code == 400 and "unknown format" in r.json()["error"]["detail"]
    r = client.get("/sparql", headers={"accept": "text/html"})  # a browser: the service description as a page
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html") and 'href="/query"' in r.text


def test_service_description_at_the_endpoint(client: TestClient) -> None:
    r = client.get("/sparql")
    sd = rdf_of(r, "text/turtle")
    svc = service_iri(IRIS)
    assert values(sd, svc, RDF + "type") == [SD + "Service"]
    assert values(sd, svc, SD + "endpoint") == [IRIS.base + "sparql"]
    assert values(sd, svc, SD + "supportedLanguage") == [SD + "SPARQL11Query"]
    formats = set(values(sd, svc, SD + "resultFormat"))
    assert {"http://www.w3.org/ns/formats/SPARQL_Results_JSON", "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
            "http://www.w3.org/ns/formats/Turtle"} <= formats
    assert SD + "UnionDefaultGraph" in values(sd, svc, SD + "feature")
    dataset = values(sd, svc, SD + "defaultDataset")[0]
    default = values(sd, dataset, SD + "defaultGraph")[0]
    assert values(sd, default, VOID + "triples") == values(sd, DS, VOID + "triples")
    names = {values(sd, ng, SD + "name")[0] for ng in values(sd, dataset, SD + "namedGraph")}
    assert DESC in names
    # the protocol still answers queries, and a request without a query that is no plain GET is still an error
    r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert r.status_code == 200 and r.json()["boolean"] is True
    assert client.post("/sparql", data={"format": "json"}).status_code == 400


def test_the_description_is_queryable_through_the_endpoint(client: TestClient, described) -> None:
    _, stored = described
    r = client.get("/sparql", params={"query": f"""
        SELECT ?n ?url WHERE {{ GRAPH <{DESC}> {{
          <{DS}> <{VOID}triples> ?n ; <{DCAT}distribution> ?d . ?d <{DCAT}downloadURL> ?url }} }}"""},
                   headers={"accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    rows = r.json()["results"]["bindings"]
    assert sorted(b["url"]["value"] for b in rows) == sorted(f"{IRIS.base}dumps/{f['file']}" for f in FILES)
    assert {b["n"]["value"] for b in rows} == set(values(stored, DS, VOID + "triples"))
    # and the resources of the description dereference like every {base}id/… IRI
    r = client.get("/id/dataset/kamergraph", headers={"accept": "text/turtle"})
    assert r.status_code == 200
    assert rdf_of(r, "text/turtle") >= {t for t in stored if t.subject.value == DS}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_dataset_page(client: TestClient, described, lang: str) -> None:
    _, stored = described
    r = client.get("/dataset", params={"lang": lang})
    assert r.status_code == 200
    html = r.text
    assert f'<html lang="{lang}">' in html
    n = int(values(stored, DS, VOID + "triples")[0])
    sep = "." if lang == "nl" else ","
    assert f"{n:,}".replace(",", sep) in html  # the figure, formatted for the language
    assert ("Over de dataset" if lang == "nl" else "About the dataset") in html
    for f in FILES:  # every dump: its link, checksum and size
        assert f'href="/dumps/{f["file"]}"' in html and f["sha256"] in html
    assert "52,0 MB" in html if lang == "nl" else "52.0 MB" in html
    assert 'rel="license"' in html and "https://creativecommons.org/licenses/by/4.0/" in html
    assert "Bron: Tweede Kamer der Staten-Generaal / officielebekendmakingen.nl" in html
    for title in values(stored, DS, DCTERMS + "source"):
        assert values(stored, title, DCTERMS + "title")[0].replace("'", "&#39;") in html
    assert "Wikidata" in html and "officielebekendmakingen.nl" in html  # linksets
    assert '<link rel="alternate" type="text/turtle" href="/dataset?format=turtle"' in html
    period = values(stored, DS, DCTERMS + "temporal")[0]  # the complete period, with its note in the language
    start = values(stored, period, DCAT + "startDate")[0]
    note = [t.object.value for t in stored if t.subject.value == period and getattr(t.object, "language", None) == lang]
    assert len(note) == 1 and note[0] in html and start[:4] in html


def test_without_a_description_graph(w3c_store: Path) -> None:
    """A store without the description (not built by kamergraph): the parts that need no counting, said so."""
    from server.app import create_app

    with TestClient(create_app(settings_for(w3c_store, query_workers=1), w3c_store),
                    raise_server_exceptions=False) as c:
        r = c.get("/.well-known/void")
        desc = rdf_of(r, "text/turtle")
        assert r.headers["x-kamergraph-description"] == "not computed"
        assert VOID + "Dataset" in values(desc, DS, RDF + "type")
        assert not values(desc, DS, VOID + "triples") and not values(desc, DS, DCAT + "distribution")
        sd = rdf_of(c.get("/sparql"), "text/turtle")
        assert values(sd, service_iri(IRIS), SD + "endpoint") == [IRIS.base + "sparql"]
        page = c.get("/dataset", params={"lang": "en"})
        assert page.status_code == 200 and "have not been computed" in page.text
