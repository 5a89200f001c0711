"""The query pages for visitors who are not developers, on the small real store (``kg_client``):
parameters picked by name, descriptions in the page's language, the two new named queries (their
rows checked against a count of their own over the same store), example links that open a query
without running it, and ``/sparql`` in a browser (the service description as a page; RDF for the rest)."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from pyoxigraph import Store

from queries.catalog import Catalog, parse_text

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
GROENLINKS = "https://kamergraph.nl/id/fractie/groenlinks"
CATALOG = Catalog.load()
#: The two queries another engineer owns this round; their Dutch descriptions are still to be added.
ENGLISH_ONLY: set[str] = set()  # every named query is described in Dutch and English


def ask(kg_store, sparql: str):
    """A query over the union of the small store's graphs, straight from the store."""
    return Store.read_only(str(kg_store)).query(sparql, use_default_graph_as_union=True)


def options(html: str, name: str) -> list[tuple[str, str, bool]]:
    """The (value, name, selected) options of the <select name=NAME> of a page."""
    m = re.search(rf'<select id="[^"]*" name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert m, f"no <select name={name}>"
    return [(unescape(v), unescape(t), bool(sel)) for v, sel, t in
            re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', m.group(1))]


def test_every_query_is_described_in_dutch_and_english() -> None:
    for q in CATALOG:
        assert q.descriptions["en"] == q.description, q.name
        if q.name not in ENGLISH_ONLY:
            assert q.describe("nl") != q.describe("en") and q.described_in("nl") == "nl", q.name


def test_the_dutch_page_shows_the_dutch_description(kg_client: TestClient) -> None:
    q = CATALOG["member-questions"]
    def page(**params: str) -> str:  # without the query's text (its header is in it)
        html = kg_client.get("/queries/member-questions", params=params, headers={"Accept": BROWSER}).text
        return re.sub(r"<pre>.*?</pre>", "", html, flags=re.S)

    nl, en = page(), page(lang="en")
    first_nl, first_en = q.describe("nl").split(",")[0], q.describe("en").split(",")[0]
    assert f'<p class="description">{first_nl}' in nl and first_en not in nl
    assert f'<p class="description">{first_en}' in en and first_nl not in en
    # every named query is described in Dutch now (the EU queries too); one without a Dutch description gives
    # the English one, which its page marks lang="en" (named_query.html)
    dual = kg_client.get("/queries/dual-use", params={"lang": "nl"}, headers={"Accept": BROWSER}).text
    assert '<p class="description">Elke Kamervraag gekoppeld aan een EU-handeling' in dual
    bare = parse_text("# title@nl: T\n# title@en: T\n# description: Only English.\nSELECT * WHERE { ?s ?p ?o }",
                      name="bare")
    assert bare.described_in("nl") == "en" and bare.describe("nl") == "Only English."


def test_a_member_is_picked_by_name_from_the_askers(kg_client: TestClient, kg_store) -> None:
    html = kg_client.get("/queries/member-questions", headers={"Accept": BROWSER}).text
    got = options(html, "person")
    askers = {(r["p"].value, r["n"].value) for r in ask(kg_store,
        "PREFIX kg: <https://w3id.org/kamergraph/def#> PREFIX foaf: <http://xmlns.com/foaf/0.1/> "
        "SELECT DISTINCT ?p ?n WHERE { ?kv kg:vraagstelling ?vs . ?vs kg:persoon ?p . ?p foaf:name ?n }")}
    assert {(v, t) for v, t, _ in got} == askers  # every asker by name, the IRI as the value, nobody else
    assert [t.lower() for _, t, _ in got] == sorted(t.lower() for _, t, _ in got)
    assert [t for _, t, sel in got if sel] == ["Bram van Ojik"]  # the default
    assert not re.search(r'name="person" type="text"', html)  # no IRI or key to type


def test_the_fractie_pick_runs_the_researchers_table(kg_client: TestClient, kg_store) -> None:
    html = kg_client.get("/queries/questions-per-fractie-ministry-year", headers={"Accept": BROWSER}).text
    fracties = options(html, "fractie")
    # the fractie is optional: "(alle)" first and selected (the whole table), then the fracties by name
    assert fracties[0] == ("", "(alle)", True) and (GROENLINKS, "GroenLinks", False) in fracties
    for value, name, _ in [f for f in fracties if f[0]][:4]:
        r = kg_client.get("/queries/questions-per-fractie-ministry-year",
                          params={"fractie": value, "format": "csv"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.text)))
        # each (year, ministry) cell counted afresh: the Kamervragen of the fractie's askers addressed for certain
        # to a post of the ministry
        expected = {(b["y"].value, b["m"].value): b["n"].value for b in ask(kg_store, f"""
            PREFIX kg: <https://w3id.org/kamergraph/def#> PREFIX org: <http://www.w3.org/ns/org#>
            PREFIX dcterms: <http://purl.org/dc/terms/>
            SELECT ?y ?m (COUNT(DISTINCT ?kv) AS ?n) WHERE {{
              ?kv kg:vraagstelling/kg:fractie <{value}> ; kg:gerichtAan/org:postIn ?m ; dcterms:dateSubmitted ?d .
              BIND (STR(YEAR(?d)) AS ?y) FILTER (YEAR(?d) >= 2008 && YEAR(?d) <= 2024) }} GROUP BY ?y ?m""")}
        got: dict[tuple[str, str], int] = {}
        for row in rows:
            assert row["fractie"] == value and row["fractieName"] == name
            key = (row["year"], row["ministry"])
            got[key] = got.get(key, 0) + int(row["questions"])  # a ministry renamed in a year: a row per name
        assert {k: str(v) for k, v in got.items() if v} == expected, name


def test_the_eu_act_per_year_query_counts_the_links(kg_client: TestClient, kg_store) -> None:
    acts = [r["a"].value for r in ask(kg_store,
        "PREFIX cito: <http://purl.org/spar/cito/> PREFIX eli: <http://data.europa.eu/eli/ontology#> "
        "PREFIX kg: <https://w3id.org/kamergraph/def#> SELECT DISTINCT ?a WHERE { "
        "VALUES ?t { eli:LegalResource kg:EUVoorstel kg:EUProcedure } ?c cito:hasCitedEntity ?a . ?a a ?t }")]
    assert acts, "the small store cites EU proposals and procedures (the founding case's text)"
    html = kg_client.get("/queries/eu-act-questions-per-year", headers={"Accept": BROWSER}).text
    assert set(acts) <= {v for v, _, _ in options(html, "act")}
    for act in acts:
        rows = kg_client.get("/queries/eu-act-questions-per-year", params={"act": act, "format": "json"}).json()
        got = {b["year"]["value"]: int(b["kamervragen"]["value"]) for b in rows["results"]["bindings"]}
        assert got and sum(got.values()) >= 1
        for b in rows["results"]["bindings"]:
            assert int(b["kamervragen"]["value"]) <= int(b["fromTitles"]["value"]) + int(b["fromTexts"]["value"])


def test_example_links_open_the_query_without_running_it(kg_client: TestClient) -> None:
    html = kg_client.get("/query").text
    links = [unescape(h) for h in re.findall(r'<a class="example-link" href="([^"]+)"', html)]
    assert len(links) >= len(CATALOG)
    for href in links:
        opened = kg_client.get(href)
        assert opened.status_code == 200
        text = parse_qs(urlsplit(href).query)["query"][0]
        assert text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") \
            .splitlines()[0] in opened.text  # in the form
        assert 'id="server-results"' not in opened.text and "results-table" not in opened.text  # not run
    # the form's own Run (no edit=) runs it
    run = kg_client.get("/query", params={"query": parse_qs(urlsplit(links[-1]).query)["query"][0]})
    assert 'id="server-results"' in run.text


def test_sparql_in_a_browser_is_a_page_and_rdf_for_the_rest(kg_client: TestClient) -> None:
    page = kg_client.get("/sparql", headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["vary"]
    assert '<a href="/query">' in page.text and '<a href="/queries">' in page.text
    assert "SPARQL11Query" in page.text and "SPARQL Results JSON" in page.text
    assert "http://testserver/sparql" in page.text
    assert kg_client.get("/sparql", params={"format": "html"}).headers["content-type"].startswith("text/html")
    for accept, media in ((None, "text/turtle"), ("*/*", "text/turtle"), ("text/turtle", "text/turtle"),
                          ("application/rdf+xml", "application/rdf+xml"), ("application/ld+json", "application/ld+json")):
        r = kg_client.get("/sparql", headers={"Accept": accept} if accept else {})
        assert r.status_code == 200 and r.headers["content-type"].startswith(media), accept
    assert kg_client.get("/sparql", params={"format": "turtle"}, headers={"Accept": BROWSER}) \
        .headers["content-type"].startswith("text/turtle")
    # a query from a browser is still answered as a query
    r = kg_client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": BROWSER})
    assert r.status_code == 200 and not r.headers["content-type"].startswith("text/html")
