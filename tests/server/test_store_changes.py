"""A running server follows its store: after a rebuild or an ingest it answers from the new
contents (workers reopened, kept answers and guard verdicts dropped); repeated queries are
answered from the answer cache meanwhile."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from store.embedded import EmbeddedStore
from tests.server.conftest import settings_for

G = "https://kamergraph.nl/graph/test/changes"
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}"
FROM = f"SELECT (COUNT(*) AS ?n) FROM <{G}> WHERE {{ ?s ?p ?o }}"


def _nq(n: int) -> str:
    return "".join(f'<https://kamergraph.nl/id/t/{i}> <https://w3id.org/kamergraph/def#p> "{i}" <{G}> .\n'
                   for i in range(n))


def _count(client: TestClient, query: str = COUNT) -> int:
    r = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_answers_follow_rebuilds_and_writes(tmp_path: Path) -> None:
    from server.app import create_app

    path = tmp_path / "store"
    store = EmbeddedStore(path)
    store.replace_graph(G, _nq(3))
    store.close()
    app = create_app(settings_for(path, query_workers=2), path)
    with TestClient(app, raise_server_exceptions=False) as client:
        endpoint = app.state.endpoint
        assert _count(client) == 3
        assert _count(client) == 3
        assert endpoint.cache.hits >= 1  # the repeated query came from the cache
        assert _count(client, FROM) == 3

        # a rebuild swaps the store directory under the running server
        store = EmbeddedStore(path)
        fresh = store.begin_rebuild()
        fresh.bulk_load(_nq(5).encode())
        store.adopt(fresh)
        store.close()
        assert _count(client) == 5
        assert _count(client, FROM) == 5

        # an in-place write (an ingest replaces one graph)
        store = EmbeddedStore(path)
        store.replace_graph(G, _nq(8))
        store.close()
        assert _count(client) == 8

        # a graph that goes away: FROM it is refused again (the guard's verdicts were dropped)
        store = EmbeddedStore(path)
        store.remove_graph(G)
        store.close()
        r = client.get("/sparql", params={"query": FROM})
        assert r.status_code == 403, r.text


def test_the_cache_can_be_turned_off(tmp_path: Path) -> None:
    from server.app import create_app

    path = tmp_path / "store"
    store = EmbeddedStore(path)
    store.replace_graph(G, _nq(2))
    store.close()
    app = create_app(settings_for(path, query_workers=1, result_cache_mb=0), path)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert _count(client) == 2 and _count(client) == 2
        assert app.state.endpoint.cache.hits == 0 and len(app.state.endpoint.cache) == 0
