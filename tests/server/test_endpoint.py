"""The /sparql endpoint on a real store built from a slice of the bundled data."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import RdfFormat, parse

from tests.server.conftest import SEED, settings_for

KG = "PREFIX kg: <https://w3id.org/kamergraph/def#>\n"
SEED_GRAPH = f"https://kamergraph.nl/graph/kamervraag/{SEED}"
SEED_IRI = f"https://kamergraph.nl/id/kamervraag/{SEED}"
SELECT = KG + f'SELECT ?p ?o WHERE {{ <{SEED_IRI}> ?p ?o }} ORDER BY ?p ?o'
CONSTRUCT = KG + f"CONSTRUCT {{ <{SEED_IRI}> ?p ?o }} WHERE {{ <{SEED_IRI}> ?p ?o }}"
SRX = "{http://www.w3.org/2005/sparql-results#}"


def media(resp) -> str:
    return resp.headers["content-type"].split(";")[0].strip()


def assert_error(resp, status: int, *words: str) -> dict:
    assert resp.status_code == status, resp.text
    assert media(resp) == "application/json"
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "title", "detail"}
    assert body["error"]["status"] == status and body["error"]["title"]
    assert "Traceback" not in resp.text and 'File "' not in resp.text
    for w in words:
        assert w in body["error"]["detail"], body
    return body["error"]


# --------------------------------------------------------------------------- the three ways in


def test_get_form_post_and_direct_post_give_the_same_answer(kg_client: TestClient) -> None:
    a = kg_client.get("/sparql", params={"query": SELECT})
    b = kg_client.post("/sparql", data={"query": SELECT})
    c = kg_client.post("/sparql", content=SELECT.encode(), headers={"content-type": "application/sparql-query"})
    assert a.status_code == b.status_code == c.status_code == 200
    assert media(a) == "application/sparql-results+json"
    assert a.json() == b.json() == c.json()
    values = {(r["p"]["value"], r["o"]["value"]) for r in a.json()["results"]["bindings"]}
    assert ("https://w3id.org/kamergraph/def#zaaknummer", SEED) in values


# --------------------------------------------------------------------------- content negotiation


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("application/sparql-results+xml;q=0.2, text/*;q=0.8", "text/csv"),
        ("text/html, application/xhtml+xml, */*;q=0.8", "application/sparql-results+json"),
        ("application/json", "application/json"),
        # q=0 means "not this one", even when a wider range accepts anything
        ("application/sparql-results+json;q=0, */*", "application/sparql-results+xml"),
        ("application/sparql-results+json;q=0, application/sparql-results+xml;q=0, text/*;q=0.1", "text/csv"),
    ],
)
def test_select_by_accept(kg_client: TestClient, accept: str | None, expected: str) -> None:
    resp = kg_client.get("/sparql", params={"query": SELECT}, headers={"accept": accept} if accept else {})
    assert resp.status_code == 200, resp.text
    assert media(resp) == expected
    assert "Accept" in resp.headers.get("vary", "")


def test_select_formats_carry_the_same_rows(kg_client: TestClient) -> None:
    js = kg_client.get("/sparql", params={"query": SELECT, "format": "json"}).json()
    rows = [(b["p"]["value"], b["o"]["value"]) for b in js["results"]["bindings"]]
    assert rows and js["head"]["vars"] == ["p", "o"]

    xml = kg_client.get("/sparql", params={"query": SELECT, "format": "xml"})
    assert media(xml) == "application/sparql-results+xml"
    results = ET.fromstring(xml.content).find(f"{SRX}results")
    xml_rows = [
        tuple(next(iter(b)).text for b in r.findall(f"{SRX}binding")) for r in results.findall(f"{SRX}result")
    ]
    assert xml_rows == rows

    got = kg_client.get("/sparql", params={"query": SELECT, "format": "csv"})
    assert media(got) == "text/csv"
    table = list(csv.reader(io.StringIO(got.text)))
    assert table[0] == ["p", "o"] and [tuple(r) for r in table[1:]] == rows

    tsv = kg_client.get("/sparql", params={"query": SELECT, "format": "tsv"})
    assert media(tsv) == "text/tab-separated-values"
    lines = tsv.text.rstrip("\n").split("\n")
    assert lines[0] == "?p\t?o" and len(lines) == len(rows) + 1


def test_ask(kg_client: TestClient) -> None:
    q = KG + f'ASK {{ ?k kg:zaaknummer "{SEED}" }}'
    assert kg_client.get("/sparql", params={"query": q}).json() == {"head": {}, "boolean": True}
    xml = kg_client.get("/sparql", params={"query": q}, headers={"accept": "application/sparql-results+xml"})
    assert ET.fromstring(xml.content).find(f"{SRX}boolean").text == "true"
    # a boolean has no CSV form in SPARQL 1.1
    assert_error(kg_client.get("/sparql", params={"query": q}, headers={"accept": "text/csv"}), 406, "ASK")


@pytest.mark.parametrize(
    ("accept", "fmt", "expected", "rdf"),
    [
        (None, None, "text/turtle", RdfFormat.TURTLE),
        ("text/turtle", None, "text/turtle", RdfFormat.TURTLE),
        ("application/n-triples", None, "application/n-triples", RdfFormat.N_TRIPLES),
        ("application/n-quads", None, "application/n-quads", RdfFormat.N_QUADS),
        ("application/ld+json", None, "application/ld+json", RdfFormat.JSON_LD),
        ("application/rdf+xml", None, "application/rdf+xml", RdfFormat.RDF_XML),
        ("application/rdf+xml;q=0.3, application/n-triples;q=0.7", None, "application/n-triples", RdfFormat.N_TRIPLES),
        ("text/html", "jsonld", "application/ld+json", RdfFormat.JSON_LD),
        (None, "rdfxml", "application/rdf+xml", RdfFormat.RDF_XML),
        (None, "nt", "application/n-triples", RdfFormat.N_TRIPLES),
    ],
)
def test_construct_formats_are_the_same_graph(kg_client: TestClient, accept, fmt, expected, rdf) -> None:
    ref = kg_client.get("/sparql", params={"query": CONSTRUCT, "format": "nt"})
    assert "x-kamergraph-truncated" not in ref.headers
    reference = {q.triple for q in parse(ref.content, format=RdfFormat.N_TRIPLES)}
    assert len(reference) > 5
    params = {"query": CONSTRUCT, **({"format": fmt} if fmt else {})}
    resp = kg_client.get("/sparql", params=params, headers={"accept": accept} if accept else {})
    assert resp.status_code == 200, resp.text
    assert media(resp) == expected
    got = {q.triple for q in parse(resp.content, format=rdf)}
    assert got == reference


def test_describe(kg_client: TestClient) -> None:
    resp = kg_client.get("/sparql", params={"query": f"DESCRIBE <{SEED_IRI}>"})
    assert resp.status_code == 200 and media(resp) == "text/turtle"
    assert SEED in resp.text


def test_not_acceptable_and_unknown_format(kg_client: TestClient) -> None:
    assert_error(kg_client.get("/sparql", params={"query": SELECT}, headers={"accept": "text/turtle"}), 406, "SELECT")
    assert_error(kg_client.get("/sparql", params={"query": SELECT}, headers={"accept": "application/json;q=0"}), 406)
    assert_error(kg_client.get("/sparql", params={"query": CONSTRUCT}, headers={"accept": "text/csv"}), 406)
    assert_error(kg_client.get("/sparql", params={"query": CONSTRUCT, "format": "csv"}), 406)
    assert_error(kg_client.get("/sparql", params={"query": SELECT, "format": "excel"}), 400, "unknown format")


# --------------------------------------------------------------------------- errors


def test_syntax_error_names_the_position(kg_client: TestClient) -> None:
    err = assert_error(kg_client.get("/sparql", params={"query": "SELECT ?s WHERE {\n  ?s ?p \n}"}), 400, "syntax error")
    assert re.search(r"line [23], column \d+", err["detail"]), err  # where the parser stopped
    err = assert_error(kg_client.get("/sparql", params={"query": "ASK {"}), 400, "syntax error")
    assert re.search(r"line 1, column \d+", err["detail"]), err


def test_protocol_errors_in_one_shape(kg_client: TestClient) -> None:
    # (GET /sparql without any parameter is the service description: tests/server/test_dataset_pages.py)
    assert_error(kg_client.get("/sparql", params={"default-graph-uri": "https://kamergraph.nl/graph/x"}), 400, "no query")
    assert_error(kg_client.post("/sparql", data={"format": "json"}), 400, "no query")
    assert_error(kg_client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")]), 400, "exactly one")
    assert_error(kg_client.put("/sparql", content=b"ASK {}"), 405, "PUT")
    assert_error(kg_client.delete("/sparql"), 405)
    assert_error(kg_client.post("/sparql", content=b"ASK {}", headers={"content-type": "text/plain"}), 415)
    assert_error(kg_client.post("/sparql", content=b"ASK {}"), 415)
    assert_error(
        kg_client.post("/sparql", content="ASK {}".encode("utf-16"),
                       headers={"content-type": "application/sparql-query; charset=UTF-16"}), 415, "UTF-8")
    assert_error(
        kg_client.post("/sparql", content=b"ASK { \xff }", headers={"content-type": "application/sparql-query"}),
        400, "UTF-8")
    assert_error(kg_client.get("/no-such-page"), 404)
    assert_error(kg_client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "not an iri"}), 400)


# --------------------------------------------------------------------------- limits


def test_row_limit_is_flagged(kg_client: TestClient) -> None:
    many = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"  # the client's row limit is 50
    resp = kg_client.get("/sparql", params={"query": many})
    assert resp.status_code == 200
    assert resp.headers["x-kamergraph-truncated"] == "true"
    body = resp.json()
    assert body["truncated"] is True and len(body["results"]["bindings"]) == 50
    as_csv = kg_client.get("/sparql", params={"query": many, "format": "csv"})
    assert as_csv.headers["x-kamergraph-truncated"] == "true" and len(as_csv.text.strip().split("\r\n")) == 51
    graph = kg_client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert graph.headers["x-kamergraph-truncated"] == "true" and len(graph.text.strip().split("\n")) == 50
    # an answer within the limit is not flagged
    few = kg_client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 50"})
    assert "x-kamergraph-truncated" not in few.headers and "truncated" not in few.json()


def test_body_limit(kg_store: Path) -> None:
    from server.app import create_app

    app = create_app(settings_for(kg_store, max_body_bytes=2_000, query_workers=1), kg_store)
    big = "ASK {}" + " " * 5_000
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post("/sparql", content=b"ASK {}", headers={"content-type": "application/sparql-query"}).status_code == 200
        assert_error(client.post("/sparql", content=big.encode(), headers={"content-type": "application/sparql-query"}), 413, "2,000")
        assert_error(client.post("/sparql", data={"query": big}), 413)

        def chunks():  # no Content-Length: the limit holds while reading
            for _ in range(10):
                yield b" " * 500

        assert_error(client.post("/sparql", content=chunks(), headers={"content-type": "application/sparql-query"}), 413)


def test_time_limit_answers_504(kg_store: Path) -> None:
    from server.app import create_app

    app = create_app(settings_for(kg_store, query_timeout=1.0, query_workers=1), kg_store)
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"
    with TestClient(app, raise_server_exceptions=False) as client:
        err = assert_error(client.get("/sparql", params={"query": slow}), 504, "time limit of 1 s")
        assert "stopped" in err["detail"]
        # the worker was replaced: the endpoint answers again
        assert client.get("/sparql", params={"query": "ASK {}"}, ).json()["boolean"] is True


# --------------------------------------------------------------------------- the dataset


def count(client: TestClient, query: str, **params) -> int:
    resp = client.get("/sparql", params={"query": query, **params})
    assert resp.status_code == 200, resp.text
    return int(resp.json()["results"]["bindings"][0]["n"]["value"])


def test_default_graph_uri(kg_client: TestClient) -> None:
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    in_graph = count(kg_client, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SEED_GRAPH}> {{ ?s ?p ?o }} }}")
    everything = count(kg_client, q)  # the default graph is the union of all graphs
    assert 0 < in_graph < everything
    assert count(kg_client, q, **{"default-graph-uri": SEED_GRAPH}) == in_graph
    # the same through a form POST
    resp = kg_client.post("/sparql", data={"query": q, "default-graph-uri": SEED_GRAPH})
    assert int(resp.json()["results"]["bindings"][0]["n"]["value"]) == in_graph
    # FROM in the query does the same
    assert count(kg_client, f"SELECT (COUNT(*) AS ?n) FROM <{SEED_GRAPH}> WHERE {{ ?s ?p ?o }}") == in_graph
    # a graph the store does not hold is refused, not fetched
    assert_error(kg_client.get("/sparql", params={"query": q, "default-graph-uri": "https://example.org/nothing"}),
                 403, "no such graph")


def test_named_graph_uri(kg_client: TestClient) -> None:
    resp = kg_client.get("/sparql", params={
        "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": SEED_GRAPH})
    assert [b["g"]["value"] for b in resp.json()["results"]["bindings"]] == [SEED_GRAPH]
    # with only named graphs given, the default graph is not the union any more
    assert count(kg_client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"named-graph-uri": SEED_GRAPH}) == 0


def test_json_results_are_valid_json_with_unicode(kg_client: TestClient) -> None:
    q = 'SELECT ?x WHERE { BIND("Kamerlid “Ojik” — \\u00e9\\n\\"" AS ?x) }'
    resp = kg_client.get("/sparql", params={"query": q})
    assert json.loads(resp.content)["results"]["bindings"][0]["x"]["value"] == 'Kamerlid “Ojik” — é\n"'
