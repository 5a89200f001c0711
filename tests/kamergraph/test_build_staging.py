"""The build's in-memory copy (kamergraph.build._Staging) is filled batch by batch while the records are
mapped; once finished it holds exactly the final graphs: a graph mapped again (a Zaak on two lines, the
later one wins) only in its final version, whatever the batches were."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad, RdfFormat, parse, serialize

from ingest.map import MappedGraph
from kamergraph.build import _Staging

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY = ROOT / "ontology" / "kamergraph.ttl"


def graphs_of_the_ontology(n: int) -> list[MappedGraph]:
    """The bundled ontology's statements (those without blank nodes) spread over ``n`` named graphs."""
    triples = [t for t in parse(path=str(ONTOLOGY), format=RdfFormat.TURTLE)
               if "_:" not in str(t.subject) + str(t.object)]
    out = []
    for i in range(n):
        g = NamedNode(f"https://kamergraph.nl/graph/test/{i}")
        quads = [Quad(t.subject, t.predicate, t.object, g) for t in triples[i::n]]
        out.append(MappedGraph(g.value, serialize(quads, format=RdfFormat.N_QUADS).decode("utf-8")))
    return out


def lines(graphs: list[MappedGraph]) -> list[str]:
    return sorted(line for g in graphs for line in g.nquads.splitlines())


@pytest.mark.parametrize("batch", [1, 2, 3, 100])
def test_the_finished_copy_holds_the_final_graphs_only(batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_Staging, "BATCH", batch)
    first = graphs_of_the_ontology(5)
    later = graphs_of_the_ontology(7)  # graph 2 again with other statements (and graphs 5, 6 new)
    final = {g.iri: g for g in first}
    staging = _Staging()
    for g in first:
        staging.add(g)
    for g in (later[2], later[5], later[2], later[6]):  # graph 2 twice more: the last one stays
        staging.add(g)
        final[g.iri] = g
    store = staging.finish(list(final.values()))
    got = sorted(store.ox.dump(format=RdfFormat.N_QUADS).decode("utf-8").splitlines())
    assert len(got) > 300
    assert got == lines(list(final.values()))
    assert set(got) != set(lines(first + [later[5], later[6]]))  # the first version of graph 2 is gone


@pytest.mark.parametrize("again", [False, True])
def test_the_payload_for_the_store_on_disk_holds_the_final_graphs(again: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The N-Quads the build loads into the store on disk are the batches sent to the copy when every graph was
    sent once in its final version, else the final graphs again; either way exactly the final graphs."""
    monkeypatch.setattr(_Staging, "BATCH", 2)
    first = graphs_of_the_ontology(5)
    final = {g.iri: g for g in first}
    staging = _Staging()
    for g in first:
        staging.add(g)
    if again:
        later = graphs_of_the_ontology(7)[3]
        staging.add(later)
        final[later.iri] = later
    try:
        payload = staging.payload(list(final.values()))
    finally:
        staging.close()
    got = sorted(payload.decode("utf-8").splitlines())
    assert len(got) > 300
    assert got == lines(list(final.values()))
