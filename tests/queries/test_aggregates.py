"""The graph of counts (kamergraph.aggregates) against the plain queries, on the server tests' small real
build (60 Zaken and the founding case, from the build cache).

Every named query that reads the counts answers what its plain query (``queries/reference/``) answers on
the same store, row for row, for several parameter values: after a refresh, and again after the store
changed (a Kamervraag's graph taken out) and was refreshed, so the counts follow the store. The graph of
counts is compared as a graph: the same store gives the same statements."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, parse

from kamergraph.aggregates import CUBES, aggregates_graph, refresh_aggregates
from ontology.namespaces import Iris
from queries.catalog import QUERIES_DIR, Catalog, parse_text
from queries.errors import CatalogError
from store.embedded import EmbeddedStore
from tests.support.build_cache import cached_store
from tests.support.slices import BASE

IRIS = Iris(BASE)
NAMED = Catalog.load()
REFERENCE = Catalog.load(QUERIES_DIR / "reference")
# each query with the parameter values it is compared under (every fractie at once included)
RUNS: dict[str, list[dict[str, str]]] = {
    "questions-per-fractie-per-year": [{}, {"from": "2019", "to": "2019"}, {"from": "2030", "to": "2031"}],
    "questions-per-fractie-ministry-year": [{}, {"fractie": "groenlinks"}, {"fractie": "vvd", "from": "2019"}],
    "cosigner-pairs": [{}, {"min": "1"}, {"min": "2"}],
    "eu-act-questions-per-year": [{}, {"act": "http://data.europa.eu/eli/reg/2009/428/oj"},
                                  {"act": "http://publications.europa.eu/resource/celex/52016PC0616"}],
    "most-cited-eu-acts": [{}, {"min": "2"}],
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    from tests.server.conftest import build_kg

    path = tmp_path_factory.mktemp("aggregates") / "store"
    cached_store("kg", build_kg, path)
    s = EmbeddedStore(path)
    refresh_aggregates(s, IRIS)
    yield s
    s.close()


def _rows(result) -> Counter:
    return Counter(tuple(None if t is None else (type(t).__name__, t.value) for t in row) for row in result.rows)


def _compare_all(store: EmbeddedStore) -> dict[str, int]:
    """Every run of :data:`RUNS` on the named query and on its plain query: the same columns and rows;
    returns the number of rows of each default run."""
    sizes = {}
    for name, runs in RUNS.items():
        for values in runs:
            got, expected = NAMED[name].run(store, values), REFERENCE[name].run(store, values)
            assert got.variables == expected.variables, name
            assert _rows(got) == _rows(expected), f"{name} {values}"
        sizes[name] = len(NAMED[name].run(store).rows)
    return sizes


def _counts_graph(store: EmbeddedStore) -> set:
    return {q for q in parse(store.graph_nquads(aggregates_graph(IRIS)), format=RdfFormat.N_QUADS)}


def test_every_count_has_a_named_query_and_a_plain_one() -> None:
    assert set(RUNS) <= set(REFERENCE.names()) and set(RUNS) <= set(NAMED.names())
    for name in RUNS:
        assert "kgt:" in NAMED[name].text and "kgt:" not in REFERENCE[name].text
    assert len(CUBES) == len(RUNS)
    # the named queries pick these counts' cells by a dimension no other count has
    assert [c.key for c in CUBES if "ministerie" in c.dimensions] == ["fractie-ministerie-jaar"]
    assert [c.key for c in CUBES if "medeindiener" in c.dimensions] == ["medeondertekenaars"]


def test_the_counts_answer_what_the_plain_queries_answer(store: EmbeddedStore) -> None:
    sizes = _compare_all(store)
    # the slice has something to count for each (else the comparison compares two empty answers)
    assert all(sizes[n] > 0 for n in ("questions-per-fractie-per-year", "questions-per-fractie-ministry-year",
                                      "most-cited-eu-acts")), sizes
    assert NAMED["cosigner-pairs"].run(store, {"min": "1"}).rows
    assert NAMED["eu-act-questions-per-year"].run(store, RUNS["eu-act-questions-per-year"][2]).rows
    # every fractie at once: more than one fractie, each with what it has alone
    every = NAMED["questions-per-fractie-ministry-year"].run(store).values()
    assert len({r["fractie"] for r in every}) > 1
    gl = NAMED["questions-per-fractie-ministry-year"].run(store, {"fractie": "groenlinks"}).values()
    assert gl and [r for r in every if r["fractie"] == IRIS.id("fractie", "groenlinks")] == gl


def test_the_counts_follow_a_change_of_the_store(store: EmbeddedStore) -> None:
    before = _counts_graph(store)
    refresh_aggregates(store, IRIS)
    assert _counts_graph(store) == before  # the same store, the same graph
    per_year = NAMED["questions-per-fractie-per-year"].run(store).values()
    # take out the graph of the founding case (GroenLinks, 2019): its counts must go down
    case = next(g for g in store.named_graphs() if g.endswith("2019Z15231") and "/graph/" in g)
    kept = store.graph_nquads(case)
    store.remove_graph(case)
    try:
        stale = NAMED["questions-per-fractie-per-year"].run(store).values()
        assert stale == per_year  # not yet refreshed: the counts of the store before
        refresh_aggregates(store, IRIS)
        _compare_all(store)
        after = NAMED["questions-per-fractie-per-year"].run(store).values()
        assert after != per_year
    finally:
        store.replace_graph(case, kept)
        refresh_aggregates(store, IRIS)
    assert _counts_graph(store) == before


def test_an_optional_parameter_stays_unbound_without_a_value(tmp_path: Path) -> None:
    q = NAMED["questions-per-fractie-ministry-year"]
    assert q.param("fractie").optional and not q.param("fractie").required
    assert "fractie" not in q.bind({}) and "fractie" not in q.bind({"fractie": ""})
    assert q.bind({"fractie": "sp"})["fractie"].value == IRIS.id("fractie", "sp")
    text = ("# title@nl: t\n# title@en: t\n# description: d\n# param: f iri(fractie) default=sp optional — f\n"
            "SELECT ?f WHERE { ?s ?p ?f }\n")
    with pytest.raises(CatalogError) as err:
        parse_text(text, name="bad", path=tmp_path / "bad.rq")
    assert "bad.rq:4:" in str(err.value) and "optional" in str(err.value)
