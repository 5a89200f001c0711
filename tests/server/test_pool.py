"""store.pool: pre-started query workers on the embedded store; and `kamergraph serve`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from store.base import QueryError, QueryTimeout
from store.pool import Job, PoolBusy, WorkerPool
from tests.server.conftest import ROOT, SEED

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"


def test_pool_answers_like_the_store(kg_store: Path) -> None:
    from store.embedded import EmbeddedStore

    q = "PREFIX kg: <https://w3id.org/kamergraph/def#> SELECT ?k WHERE { ?k kg:zaaknummer ?z } ORDER BY ?k"
    with WorkerPool(kg_store, size=2) as pool:
        pooled = pool.query(q, timeout=10, row_limit=1000)
        bound = pool.query("SELECT ?k ?z WHERE { ?k <https://w3id.org/kamergraph/def#zaaknummer> ?z }",
                           {"z": __import__("pyoxigraph").Literal(SEED)}, timeout=10)
        with pytest.raises(QueryError):
            pool.query("SELECT ?s WHERE { ?s ?p }", timeout=10)
    store = EmbeddedStore(kg_store)
    try:
        assert pooled.values() == store.query(q).values() and len(pooled.rows) == 61
    finally:
        store.close()
    assert bound.values() == [{"k": f"https://kamergraph.nl/id/kamervraag/{SEED}", "z": SEED}]


def test_timeout_kills_and_replaces_the_worker(kg_store: Path) -> None:
    with WorkerPool(kg_store, size=2) as pool:
        before = set(pool.pids)
        with pytest.raises(QueryTimeout):  # SLOW is a cubic join: minutes of work if it were let run
            pool.run(Job(SLOW, output="json"), timeout=0.5)
        deadline = time.monotonic() + 30
        while len(pool.pids) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(pool.pids) == 2 and len(before - set(pool.pids)) == 1 and pool.replaced == 1
        (killed,) = before - set(pool.pids)
        with pytest.raises(ProcessLookupError):  # the worker that ran it is gone: its CPU is free
            os.kill(killed, 0)
        assert pool.run(Job("ASK {}", output="json"), timeout=5).body == b'{"head":{},"boolean":true}'


def test_a_dead_worker_is_replaced(kg_store: Path) -> None:
    with WorkerPool(kg_store, size=1) as pool:
        os.kill(pool.pids[0], signal.SIGKILL)
        time.sleep(0.2)
        assert pool.run(Job("ASK {}", output="json"), timeout=5).boolean is True
        assert pool.replaced == 1


def test_busy_pool_says_so(kg_store: Path) -> None:
    with WorkerPool(kg_store, size=1) as pool:
        t = threading.Thread(target=lambda: pytest.raises(QueryTimeout, pool.run, Job(SLOW, output="json"), 2.0))
        t.start()
        time.sleep(0.3)
        with pytest.raises(PoolBusy):
            pool.run(Job("ASK {}", output="json"), timeout=5, wait=0.3)
        t.join()


def test_serve_command(kg_store: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KAMERGRAPH_QUERY_WORKERS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kamergraph.cli", "serve", "--store", str(kg_store), "--port", str(port),
         "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                resp = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.monotonic() < deadline, "kamergraph serve did not start"
                time.sleep(0.2)
        assert resp.status_code == 200 and resp.json()["boolean"] is True
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
