"""Coverage said plainly on the Kamerstuk page (issue 16 §4) and the BNC-fiche bridge on the pages (§5).

The small real store (tests/server/conftest.py ``kg_store``: 60 Zaken and the founding case 2019Z15231, whose
footnote cites Kamerstuk 22 112, nr. 2686): the Kamerstuk page says how its list of citing questions was
found, with the store's numbers counted here by SPARQL. The path question -> Kamerstuk -> fiche -> proposal
of the EU page's query, on a store in memory of the graph of a real BNC fiche (data/bnc: nr. 2240, the fiche
of COM(2016) 616, as a sync makes it with ingest.bnc), the EU register and the citation the text mapping
writes of the words "Kamerstuk 22 112, nr. 2240" in a question (no bundled text cites a fiche).
"""

from __future__ import annotations

import csv
from pathlib import Path

from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, RdfFormat, Store, Variable

from ingest.bnc import fiche_graph
from ingest.citations import find_citations
from ingest.citations.register import default_register
from ingest.map import GraphBuilder, node, v
from ingest.map_text import _citations, map_eu_register
from ingest.records import SourceRef
from ontology.namespaces import Iris, T
from tests.server.test_pages import BASE, Page, get_page, path_of, select

ROOT = Path(__file__).resolve().parents[2]
BNC = ROOT / "data" / "bnc"
IRIS = Iris(BASE)
KAMERSTUK_2686 = IRIS.kamerstuk("22112", "2686")
FICHE_2240 = IRIS.kamerstuk("22112", "2240")
COM_2016_616 = "http://publications.europa.eu/resource/celex/52016PC0616"
REG_428 = "http://data.europa.eu/eli/reg/2009/428/oj"


def fiche_2240() -> str:
    """The N-Quads of the fiche nr. 2240's graph as a sync makes it of its Document record and text."""
    row = next(r for r in csv.DictReader((BNC / "fiches.csv").open(encoding="utf-8")) if r["number"] == "2240")
    rec = {"Soort": "Brief regering", "Onderwerp": row["title"], "Volgnummer": int(row["number"]),
           "Datum": row["date"] + "T00:00:00+01:00", "Kamerstukdossier": [{"Nummer": 22112}], "Verwijderd": False}
    text = (BNC / "texts" / "kst-22112-2240.txt").read_text(encoding="utf-8")
    graph, notes = fiche_graph(rec, SourceRef("sync/records.jsonl", 1), text, IRIS)
    assert graph is not None and notes == []
    return graph.nquads


def numbers(store: Store) -> tuple[int, int]:
    """(Kamervragen, Kamervragen with a question text), by SPARQL."""
    n = int(select(store, "SELECT (COUNT(?k) AS ?n) WHERE { ?k a kg:Kamervraag }")[0]["n"])
    m = int(select(store, "SELECT (COUNT(DISTINCT ?k) AS ?n) WHERE { ?k kg:heeftVraag ?v }")[0]["n"])
    return n, m


def test_the_kamerstuk_page_says_how_its_citing_questions_were_found(kg_client: TestClient, kg_store: Path) -> None:
    store = Store.read_only(str(kg_store))
    n, m = numbers(store)
    cited = select(store, "SELECT ?x ?k WHERE { ?x kg:bijVraag ?v ; cito:cites ?k }", k=KAMERSTUK_2686)
    assert cited and m < n
    page, _ = get_page(kg_client, path_of(KAMERSTUK_2686))
    assert "Kamervragen die dit aanhalen (1)" in page.text
    assert (f"Gevonden in de tekst (vragen, voetnoten, antwoorden) van de {m} Kamervragen waarvan de tekst in de "
            f"graaf staat; in de titels van de {n} Kamervragen worden geen Kamerstukken gezocht.") in page.text
    kg_client.cookies.clear()
    r = kg_client.get(path_of(KAMERSTUK_2686), params={"lang": "en"}, headers={"Accept": "text/html"})
    assert (f"Found from the text (questions, footnotes, answers) of the {m} cases whose text is in the graph; the "
            f"titles of the {n} cases are not searched for Kamerstukken.") in Page(r.text).text
    # a Kamerstuk that is no fiche assesses nothing
    assert "Beoordeelt het Commissievoorstel" not in page.text


def test_the_eu_page_query_reaches_the_proposal_through_a_cited_fiche() -> None:
    from server.pages.eu_links import COVERAGE, EU_QUESTIONS, Coverage

    s = Store()
    s.load(fiche_2240().encode("utf-8"), format=RdfFormat.N_QUADS)
    s.load(map_eu_register(default_register(), IRIS).nquads.encode("utf-8"), format=RdfFormat.N_QUADS)
    # a question whose text cites the fiche, as the text mapping writes the citation the parser finds
    [c] = [c for c in find_citations("Zie het BNC-fiche (Kamerstuk 22 112, nr. 2240).") if c.kind == "kamerstuk"]
    kv, vraag = IRIS.kamervraag("2019Z15231"), IRIS.vraag("2019Z15231", 6)
    b = GraphBuilder(IRIS.graph("tekst", "test"))
    b.add(node(kv), T.type, v(T.Kamervraag))
    b.add(node(kv), T.heeft_vraag, node(vraag))
    _citations(b, node(vraag), (c,), IRIS)
    s.load(b.graph().nquads.encode("utf-8"), format=RdfFormat.N_QUADS)

    for r in (COM_2016_616, REG_428):  # the proposal, and the act of its line
        rows = s.query(EU_QUESTIONS, use_default_graph_as_union=True, substitutions={Variable("r"): NamedNode(r)})
        got = {(x["act"].value, x["kv"].value, x["citing"].value, x["via"].value, x["words"].value) for x in rows}
        assert got == {(COM_2016_616, kv, vraag, "kamerstuk", "Kamerstuk 22 112, nr. 2240")}, r
    # what the EU page says of it: the fiches counted in the store
    [cov] = list(s.query(COVERAGE, use_default_graph_as_union=True))
    assert (int(cov["cases"].value), int(cov["texts"].value), int(cov["fiches"].value)) == (1, 1, 1)
    said = Coverage(1, 0, 1, int(cov["fiches"].value))
    assert said.fiche_sentence("nl").startswith("Ook via een Kamerstuk dat het voorstel beoordeelt (een BNC-fiche; 1 in "
                                                "de graaf, door kamergraph sync gebracht)")
    assert Coverage(1, 0, 1).fiches == 0  # without fiches the EU page says nothing of them (documents.eu_page)
