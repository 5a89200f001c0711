"""Mapping: the founding case's named graph equals its golden file, compared as graphs."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from ingest.map import GraphBuilder, lit, map_kamervraag, node
from ingest.records import ZaakRecord
from ingest.reference import load_reference
from ingest.resolve import Resolver
from ingest.sources.odata import read_jsonl
from ontology.namespaces import Iris, T

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "kamervraag-2019Z15231.ttl"
ODATA = ROOT / "data" / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz"
IRIS = Iris("https://kamergraph.nl/")


@pytest.fixture(scope="module")
def seed_graph() -> Graph:
    ref = load_reference(ROOT / "data")
    (zaak,) = [
        z for z in read_jsonl(ODATA, "data/tk-odata/zaken-schriftelijke-vragen.jsonl.gz")
        if isinstance(z, ZaakRecord) and z.nummer == "2019Z15231"
    ]
    mapped = map_kamervraag(Resolver(ref).resolve(zaak, {"kv-tk-2019Z15231"}), IRIS)
    assert mapped.iri == "https://kamergraph.nl/graph/kamervraag/2019Z15231"
    ds = Dataset(default_union=True)
    ds.parse(data=mapped.nquads, format="nquads")
    graph = ds.graph(URIRef(mapped.iri))
    out = Graph()
    for t in graph:
        out.add(t)
    return out


def test_seed_graph_matches_golden_file(seed_graph: Graph) -> None:
    golden = Graph().parse(GOLDEN, format="turtle")
    if not isomorphic(seed_graph, golden):
        _, only_new, only_golden = graph_diff(to_isomorphic(seed_graph), to_isomorphic(golden))
        pytest.fail(
            "graph differs from the golden file\nonly in the build:\n"
            + only_new.serialize(format="nt")
            + "\nonly in the golden file:\n"
            + only_golden.serialize(format="nt")
        )


def test_seed_graph_states_the_issue_facts(seed_graph: Graph) -> None:
    """The facts the foundation issue names, asked of the graph with SPARQL (rdflib, small graph)."""
    rows = seed_graph.query(
        """
        PREFIX kg: <https://w3id.org/kamergraph/def#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?name ?rol ?fractie WHERE {
          ?kv dcterms:dateSubmitted "2019-07-18"^^<http://www.w3.org/2001/XMLSchema#date> ;
              kg:vergaderjaar "2018-2019" ; kg:vraagstelling ?vs .
          ?vs kg:naamInBron ?name ; kg:rol ?rol ; kg:fractie ?fractie .
        } ORDER BY ?name
        """
    )
    got = [(str(r.name), str(r.rol).rsplit("#")[-1], str(r.fractie).rsplit("/")[-1]) for r in rows]
    assert got == [
        ("Bram van Ojik (A.)", "RolIndiener", "groenlinks"),
        ("Isabelle Diks (L.I.)", "RolMedeindiener", "groenlinks"),
    ]
    posts = {str(o).rsplit("/")[-1] for o in seed_graph.objects(None, URIRef(T.gericht_aan))}
    assert posts == {
        "minister-van-buitenlandse-zaken",
        "minister-voor-buitenlandse-handel-en-ontwikkelingssamenwerking",
    }


@pytest.mark.parametrize(
    "text",
    ['plain', 'with "quotes"', "back\\slash", "new\nline and\r return", "tab\there", "ünïcödé ’s-Gravenhage", ""],
)
def test_literal_escaping_round_trips(text: str) -> None:
    b = GraphBuilder("https://kamergraph.nl/graph/test/1")
    b.add(node("https://kamergraph.nl/id/x/1"), T.title, lit(text, "nl"))
    g = Dataset(default_union=True)
    g.parse(data=b.graph().nquads, format="nquads")
    (o,) = list(g.objects())
    assert str(o) == text and o.language == "nl"


def test_iri_with_forbidden_characters_is_refused() -> None:
    with pytest.raises(ValueError, match="not a valid IRI"):
        node("https://kamergraph.nl/id/x/a b>")
