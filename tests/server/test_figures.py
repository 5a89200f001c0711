"""Figures that do not mislead (issue 17), on the small real store: the chart of a page's questions per year or
month holds the questions SPARQL finds for it, per period; an answer-time figure says its base and is not shown
below MIN_BASE; the home page's headline counts count what their labels say; years show as years."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, Store

from server.charts import MONTHS_UP_TO
from server.pages.base import MIN_BASE, Base

BASE = "https://kamergraph.nl/"
SVG = "{http://www.w3.org/2000/svg}"
PREFIXES = """PREFIX kg: <https://w3id.org/kamergraph/def#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
"""
BALKENENDE4 = f"{BASE}id/kabinet/balkenende-iv"
#: One page of each kind with a chart: (resource, how a Kamervraag ?kv belongs to its list ?x, the chart's id).
LISTS = [
    (f"{BASE}id/persoon/cefbf19c-653b-4af7-84a6-e17fba0e4a70", "?kv kg:vraagstelling/kg:persoon ?x",
     "gesteld-grafiek"),
    (f"{BASE}id/fractie/groenlinks", "?kv kg:vraagstelling/kg:fractie ?x", "vragen-grafiek"),  # per year
    (f"{BASE}id/post/minister-van-justitie", "?kv kg:gerichtAan ?x", "vragen-grafiek"),
    (f"{BASE}id/ministerie/mnre1013", "?kv kg:gerichtAan/org:postIn ?x", "vragen-grafiek"),  # per year
    (BALKENENDE4, "?kv kg:adressering/kg:ambtsperiode/kg:kabinet ?x", "vragen-grafiek"),
]


@pytest.fixture(scope="module")
def store(kg_store: Path) -> Iterator[Store]:
    yield Store.read_only(str(kg_store))


def select(store: Store, sparql: str, x: str | None = None) -> list[dict[str, str | None]]:
    """The rows of a query on the store, ``?x`` standing for the IRI ``x`` (written into the query's text)."""
    if x is not None:
        sparql = sparql.replace("?x", NamedNode(x).__str__())
    res = store.query(PREFIXES + sparql, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in res]


def page(client: TestClient, iri: str, lang: str = "nl") -> str:
    r = client.get("/" + iri[len(BASE):], params={"lang": lang}, headers={"Accept": "text/html"})
    assert r.status_code == 200, r.text[:300]
    return r.text


def figure(html: str, chart_id: str) -> ET.Element:
    """The chart ``<figure id=chart_id>`` of a page, parsed (server.charts writes well-formed markup)."""
    m = re.search(rf'<figure class="chart" id="{chart_id}".*?</figure>', html, re.S)
    assert m, f"no chart {chart_id}"
    return ET.fromstring(m.group(0))


@pytest.mark.parametrize(("iri", "pattern", "chart_id"), LISTS, ids=[x[0].rsplit("/", 2)[1] for x in LISTS])
def test_the_chart_of_a_page_holds_its_questions_per_period(kg_client: TestClient, store: Store, iri: str,
                                                            pattern: str, chart_id: str) -> None:
    rows = select(store, f"SELECT DISTINCT ?kv ?d WHERE {{ {pattern} . ?kv dcterms:dateSubmitted ?d }}", x=iri)
    months = Counter(r["d"][:7] for r in rows)
    assert months, iri
    first, last = min(months), max(months)
    span = (int(last[:4]) * 12 + int(last[5:])) - (int(first[:4]) * 12 + int(first[5:])) + 1
    unit_month = span <= MONTHS_UP_TO
    expected = months if unit_month else Counter({y: sum(n for m, n in months.items() if m[:4] == y)
                                                  for y in {m[:4] for m in months}})
    fig = figure(page(kg_client, iri), chart_id)
    bars = [(b.get("data-period"), int(b.get("data-count"))) for b in fig.iter(f"{SVG}rect")]
    assert {p: n for p, n in bars if n} == dict(expected)
    assert len(bars) == (span if unit_month else int(last[:4]) - int(first[:4]) + 1)  # every period, gaps empty
    assert fig.find("figcaption").text.startswith("Kamervragen per maand" if unit_month else "Kamervragen per jaar")
    assert fig.find("figcaption/span").text == f"({len(rows)})"
    assert fig.find(f"{SVG}svg").get("aria-hidden") == "true" and fig.find("details/table") is not None
    if not unit_month:  # a year's row links to the list of that year
        path = "/" + iri[len(BASE):]
        hrefs = [a.get("href") for a in fig.iter("a")]
        assert hrefs and all(h.startswith(f"{path}?") and "_jaar=" in h for h in hrefs)


@pytest.mark.parametrize(("lang", "sentence"), [("nl", "gemeten aan maar {n} van de {of} vragen"),
                                                ("en", "measured on only {n} of {of} questions")])
def test_an_answer_time_from_too_few_answers_is_a_sentence_not_a_figure(kg_client: TestClient, store: Store,
                                                                        lang: str, sentence: str) -> None:
    of = select(store, "SELECT (COUNT(DISTINCT ?kv) AS ?n) WHERE { ?kv kg:adressering/kg:ambtsperiode/kg:kabinet ?x }",
                x=BALKENENDE4)[0]["n"]
    measured = select(store, """SELECT (COUNT(DISTINCT ?kv) AS ?n) WHERE {
        ?kv kg:adressering/kg:ambtsperiode/kg:kabinet ?x . ?pub kg:betreft ?kv ; kg:ontvangenOp ?r }""",
                      x=BALKENENDE4)[0]["n"]
    assert int(measured) < MIN_BASE <= int(of)  # the small store: too few dated answers
    html = page(kg_client, BALKENENDE4, lang)
    assert 'id="median-days"' not in html and 'id="p90-days"' not in html
    note = html[html.index('id="answer-times-base"'):].split("</p>", 1)[0]
    assert sentence.format(n=measured, of=of) in note and str(MIN_BASE) in note


def test_a_base_is_said_and_is_enough_from_min_base() -> None:
    assert not Base(MIN_BASE - 1, 4475).enough and Base(MIN_BASE, 4475).enough and not Base(0, 0).enough
    assert Base(6, 4475).text("nl") == "n = 6 van 4.475" and Base(6, 4475).text("en") == "n = 6 of 4,475"


def test_the_home_page_counts_what_its_labels_say(kg_client: TestClient, store: Store) -> None:
    html = page(kg_client, f"{BASE}")

    def shown(id_: str) -> str:
        box = html[html.index(f'id="{id_}"'):].split("</div>", 1)[0]
        return re.search(r"<dd>([\d.]+)</dd>", box).group(1).replace(".", "")

    persons = select(store, """SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {
        { ?kv kg:vraagstelling/kg:persoon ?p } UNION { ?kv kg:gerichtAanPersoon ?p } }""")[0]["n"]
    all_persons = select(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a kg:Persoon }")[0]["n"]
    fracties = select(store, "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?kv kg:vraagstelling/kg:fractie ?f }")[0]["n"]
    all_fracties = select(store, "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a kg:Fractie }")[0]["n"]
    assert shown("count-persons") == persons and shown("count-fracties") == fracties
    assert int(shown("count-persons-rest")) == int(all_persons) - int(persons) > 0
    assert int(shown("count-fracties-rest")) == int(all_fracties) - int(fracties) > 0
    texts = select(store, "SELECT (COUNT(DISTINCT ?kv) AS ?n) WHERE { ?kv kg:heeftVraag ?v }")[0]["n"]
    citations = html[html.index('id="count-citations"'):].split("</div>", 1)[0]
    assert f"van de {texts} Kamervragen waarvan de tekst in de graaf staat" in citations


def test_years_show_as_years_on_person_pages(kg_client: TestClient, store: Store) -> None:
    row = select(store, "SELECT ?p ?y WHERE { ?p kg:geboortejaar ?y ; kg:vraagstelling ?vs } LIMIT 1") or select(
        store, "SELECT ?p ?y WHERE { ?p kg:geboortejaar ?y . ?vs kg:persoon ?p } LIMIT 1")
    html = page(kg_client, row[0]["p"])
    assert "gYear" not in html and re.search(rf'<span class="literal">{row[0]["y"]}</span>', html)
