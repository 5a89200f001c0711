"""Bulk loading into the embedded store: the lenient parse a build uses for its disk store loads the same
statements as the strict one, and only the strict one refuses a bad IRI."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad, RdfFormat, parse, serialize
from rdflib import Graph
from rdflib.compare import isomorphic

from store import StoreError
from store.embedded import EmbeddedStore

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY = ROOT / "ontology" / "kamergraph.ttl"
GRAPH = NamedNode("https://kamergraph.nl/graph/ontologie")


def ontology_nquads() -> bytes:
    """The bundled ontology as N-Quads in one named graph (real statements: IRIs, language tags, datatypes)."""
    quads = [Quad(t.subject, t.predicate, t.object, GRAPH) for t in parse(path=str(ONTOLOGY), format=RdfFormat.TURTLE)]
    return serialize(quads, format=RdfFormat.N_QUADS)


def as_graph(store: EmbeddedStore) -> Graph:
    """The store's one named graph as an rdflib graph (to compare as graphs: a load labels blank nodes anew)."""
    assert [g.value for g in store.ox.named_graphs()] == [GRAPH.value]
    triples = [q.triple for q in store.ox.quads_for_pattern(None, None, None, GRAPH)]
    return Graph().parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")


def test_a_lenient_bulk_load_holds_the_same_statements(tmp_path: Path) -> None:
    data = ontology_nquads()
    strict, lenient = EmbeddedStore(tmp_path / "strict"), EmbeddedStore(tmp_path / "lenient")
    strict.bulk_load(data)
    lenient.bulk_load(data, lenient=True)
    got = as_graph(lenient)
    assert len(got) > 500
    assert isomorphic(got, as_graph(strict))
    strict.close()
    lenient.close()


def test_only_the_strict_bulk_load_refuses_a_bad_iri(tmp_path: Path) -> None:
    bad = b"<https://kamergraph.nl/id/x y> <http://purl.org/dc/terms/title> \"t\" <https://kamergraph.nl/graph/g> .\n"
    store = EmbeddedStore(tmp_path / "store")
    with pytest.raises(StoreError, match="bulk load failed"):
        store.bulk_load(bad)
    store.bulk_load(bad, lenient=True)  # what the build does only with bytes its in-memory copy parsed strictly
    assert len(store.ox) == 1
    store.close()
