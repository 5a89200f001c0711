"""Safety of the public endpoint: no outside calls, no outside graphs, no updates, no hogging.

These run the app under a real uvicorn server on loopback where concurrency matters.
"""

from __future__ import annotations

import os
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.server.conftest import SEED, serving, settings_for
from tests.support.listener import Listener  # the one loopback listener that counts connections (it hangs up)

SEED_IRI = f"https://kamergraph.nl/id/kamervraag/{SEED}"
POINT = f"SELECT ?p ?o WHERE {{ <{SEED_IRI}> ?p ?o }}"


def assert_refused(resp, status: int = 403, *words: str) -> None:
    assert resp.status_code == status, resp.text
    err = resp.json()["error"]
    assert set(err) == {"status", "title", "detail"} and err["status"] == status
    for w in words:
        assert w in err["detail"], err


@pytest.fixture()
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


# --------------------------------------------------------------------------- SERVICE


def test_service_is_refused_and_never_contacted(kg_client: TestClient, listener: Listener) -> None:
    url = listener.url
    queries = [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX x: <{url}> SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ service x: {{ ?s ?p ?o }} }} }}",
        f"BASE <{url}> ASK {{ {{ SELECT * WHERE {{ SERVICE <> {{ ?s ?p ?o }} }} }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ FILTER EXISTS {{ SERVICE <{url}sparql> {{ ?s ?p ?o }} }} }}",
        "SELECT * WHERE { BIND(<http://127.0.0.1/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    ]
    for q in queries:
        assert_refused(kg_client.get("/sparql", params={"query": q}), 403, "SERVICE")
        assert_refused(kg_client.post("/sparql", content=q.encode(), headers={"content-type": "application/sparql-query"}), 403)
    time.sleep(0.3)
    assert listener.contacts == 0
    # the listener does record contacts: the check above is not vacuous
    socket.create_connection(("127.0.0.1", listener.port)).close()
    time.sleep(0.3)
    assert listener.contacts == 1


def test_only_an_allow_listed_service_is_called(kg_store: Path, listener: Listener) -> None:
    """With the listener allow-listed the store does call it: the guard is what stopped it above."""
    from server.app import create_app

    other = "http://127.0.0.1:9/sparql"
    app = create_app(settings_for(kg_store, allowed_services=[listener.url], query_workers=1, query_timeout=5), kg_store)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert_refused(client.get("/sparql", params={"query": f"ASK {{ SERVICE <{other}> {{ ?s ?p ?o }} }}"}), 403,
                       "not in the allowed list")
        resp = client.get("/sparql", params={"query": f"ASK {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"})
        assert resp.status_code in (400, 500, 504)  # the listener hangs up: an error, in the one shape
        assert set(resp.json()["error"]) == {"status", "title", "detail"}
    time.sleep(0.3)
    assert listener.contacts >= 1


# --------------------------------------------------------------------------- outside graphs


def test_outside_graphs_are_refused(kg_client: TestClient) -> None:
    for q in [
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "BASE <file:///etc/> SELECT * FROM <passwd> WHERE { ?s ?p ?o }",
        "ASK FROM <http://127.0.0.1:1/data.ttl> { ?s ?p ?o }",
    ]:
        assert_refused(kg_client.get("/sparql", params={"query": q}), 403, "no such graph")
    q = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
    assert_refused(kg_client.get("/sparql", params={"query": q, "default-graph-uri": "file:///etc/passwd"}), 403)
    assert_refused(kg_client.get("/sparql", params={"query": q, "named-graph-uri": "file:///etc/passwd"}), 403)
    # naming an unknown graph inside the query reads nothing from outside: it is simply empty
    resp = kg_client.get("/sparql", params={"query": "SELECT * WHERE { GRAPH <file:///etc/passwd> { ?s ?p ?o } }"})
    assert resp.status_code == 200 and resp.json()["results"]["bindings"] == []


# --------------------------------------------------------------------------- updates


def quads(kg_store: Path) -> int:
    from pyoxigraph import Store

    return len(Store.read_only(str(kg_store)))


def test_updates_are_refused(kg_client: TestClient, kg_store: Path) -> None:
    before = quads(kg_store)
    ct = {"content-type": "application/sparql-update"}
    responses = [
        kg_client.get("/sparql", params={"query": "INSERT DATA { <http://a> <http://b> <http://c> }"}),
        kg_client.get("/sparql", params={"query": "DROP ALL"}),
        kg_client.get("/sparql", params={"query": "LOAD <file:///etc/passwd>"}),
        kg_client.get("/sparql", params={"query": "# a comment\nPREFIX x: <http://x/>\nCLEAR GRAPH x:g"}),
        kg_client.get("/sparql", params={"update": "CLEAR ALL"}),
        kg_client.post("/sparql", data={"update": "CLEAR ALL"}),
        kg_client.post("/sparql", data={"query": "DELETE WHERE { ?s ?p ?o }"}),
        kg_client.post("/sparql", content=b"CLEAR ALL", headers=ct),
        kg_client.post("/sparql", content=b"INSERT DATA { <http://a> <http://b> <http://c> }",
                       headers={"content-type": "application/sparql-query"}),
    ]
    for resp in responses:
        assert_refused(resp, 403, "read-only")
    assert quads(kg_store) == before


# --------------------------------------------------------------------------- a slow query


SLOW = """
SELECT (COUNT(*) AS ?n) WHERE {
  ?a ?p ?x . ?b ?q ?y .
  BIND(CONCAT(STR(?x), STR(?y), STR(?x), STR(?y)) AS ?long)
  FILTER(REGEX(?long, "^(([a-z])+.)+[A-Z]([a-z])+$"))
}"""


def _point(client: httpx.Client) -> float:
    t0 = time.perf_counter()
    resp = client.get("/sparql", params={"query": POINT})
    elapsed = time.perf_counter() - t0
    assert resp.status_code == 200 and resp.json()["results"]["bindings"]
    return elapsed


def test_slow_query_is_stopped_while_others_keep_answering(kg_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from server.app import create_app

    limit = 3.0
    # no answer cache: every point query is answered by a worker, not by a kept answer of the first
    app = create_app(settings_for(kg_store, query_timeout=limit, query_workers=3, result_cache_mb=0), kg_store)
    with serving(app) as base:
        pool = app.state.endpoint.pool
        with httpx.Client(base_url=base, timeout=30) as c:
            for _ in range(10):  # warm up
                _point(c)
            usual = [_point(c) for _ in range(40)]
        pids_before = set(pool.pids)

        slow: dict[str, object] = {}

        def run_slow() -> None:
            with httpx.Client(base_url=base, timeout=30) as c:
                t0 = time.perf_counter()
                slow["resp"] = c.get("/sparql", params={"query": SLOW})
                slow["elapsed"] = time.perf_counter() - t0

        during: list[float] = []
        lock = threading.Lock()

        def run_points() -> None:
            with httpx.Client(base_url=base, timeout=30) as c:
                while "resp" not in slow:
                    d = _point(c)
                    with lock:
                        during.append(d)
                    time.sleep(0.01)

        t_slow = threading.Thread(target=run_slow)
        t_slow.start()
        time.sleep(0.3)  # the slow query is running
        clients = [threading.Thread(target=run_points) for _ in range(2)]
        for t in clients:
            t.start()
        t_slow.join(30)
        for t in clients:
            t.join(30)

        resp = slow["resp"]
        assert_refused(resp, 504, "time limit")
        assert limit <= slow["elapsed"] < limit + 5.0  # type: ignore[operator]  # wide: the tests run in parallel

        # the slow query's worker was killed (its CPU freed) and replaced
        deadline = time.monotonic() + 10
        while len(pool.pids) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        killed = pids_before - set(pool.pids)
        assert pool.replaced >= 1 and len(killed) == 1 and len(pool.pids) == 3
        for pid in killed:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)

    p50_usual, p50_during = statistics.median(usual), statistics.median(during)
    p95_during = sorted(during)[int(0.95 * (len(during) - 1))]
    with capsys.disabled():
        print(
            f"\npoint query while a slow query runs: usual p50 {1000 * p50_usual:.1f} ms; during: "
            f"p50 {1000 * p50_during:.1f} ms, p95 {1000 * p95_during:.1f} ms over {len(during)} queries; "
            f"slow query stopped after {slow['elapsed']:.2f} s (limit {limit:g} s)"
        )
    assert len(during) >= 20
    assert p50_during <= p50_usual + 0.250  # a point query held behind the slow one waits seconds
    assert app.state.endpoint.cache.hits == 0  # every one of them ran in a worker
