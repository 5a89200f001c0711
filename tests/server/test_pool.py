"""store.pool: pre-started query workers on the embedded store; and `kamergraph serve`."""

from __future__ import annotations

import functools
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

from store.base import KindNotAcceptable, QueryError, QueryTimeout, StoreError
from store.pool import Job, PoolBusy, WorkerPool
from tests.server.conftest import ROOT, SEED
from tests.server.pool_checkers import Refused, rewriting_checker, sleepy_checker
from tests.support.ports import serve_on_free_port

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
    outcome: list[object] = []  # what the slow query ended with: its answer or its exception

    def slow() -> None:
        try:
            outcome.append(pool.run(Job(SLOW, output="json"), 2.0))
        except Exception as exc:  # noqa: BLE001 - asserted on in the test's own thread
            outcome.append(exc)

    with WorkerPool(kg_store, size=1) as pool:
        t = threading.Thread(target=slow)
        t.start()
        time.sleep(0.3)
        with pytest.raises(PoolBusy):
            pool.run(Job("ASK {}", output="json"), timeout=5, wait=0.3)
        t.join()
    assert len(outcome) == 1 and isinstance(outcome[0], QueryTimeout), outcome


def test_serve_command(kg_store: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KAMERGRAPH_QUERY_WORKERS": "1"}
    proc, port = serve_on_free_port(lambda port: subprocess.Popen(
        [sys.executable, "-m", "kamergraph.cli", "serve", "--store", str(kg_store), "--port", str(port),
         "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    ))
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
        # the real command serves through server.http: a URL past the HTTP parser's limit is a JSON 414
        # (a raw request: HTTP clients refuse to send such a URL)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(b"GET /sparql?query=ASK%20%7B%7D%20%23" + b"x" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            raw = b""
            while b"\r\n\r\n" not in raw or not raw.rstrip().endswith(b"}"):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                raw += chunk
        head, _, body = raw.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 414"), head[:200]
        assert b"x-content-type-options: nosniff" in head.lower() and b'"status":414' in body.replace(b" ", b"")
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# --------------------------------------------------------------------------- the checker in the worker

KV = "<https://w3id.org/kamergraph/def#zaaknummer>"


def test_the_checker_runs_in_the_worker_and_its_text_runs(kg_store: Path) -> None:
    q = f"SELECT ?wrong WHERE {{ ?k {KV} \"{SEED}\" }}"
    with WorkerPool(kg_store, size=1) as pool:
        (worker,) = pool.pids
        answer = pool.run(Job(q, checker=rewriting_checker), timeout=10)
        assert answer.checked.pid == worker != os.getpid() and answer.checked.saw_graph is True
        # the checked text ran: ?k is bound (the given text projects the unbound ?wrong)
        assert answer.result.values() == [{"k": f"https://kamergraph.nl/id/kamervraag/{SEED}"}]
        with pytest.raises(Refused) as refused:
            pool.run(Job("SELECT * WHERE { ?s ?p 'forbidden' }", checker=rewriting_checker), timeout=10)
        assert refused.value.code == 403 and str(refused.value) == "no forbidden queries"
        # the checker's time counts: the limit stops a checker as it stops a query
        with pytest.raises(QueryTimeout):
            pool.run(Job("ASK {}", checker=sleepy_checker), timeout=1)
        assert pool.run(Job("ASK {}", output="json"), timeout=5).boolean is True


def test_output_by_kind(kg_store: Path) -> None:
    by_kind = {"select": "csv", "construct": "ntriples"}
    with WorkerPool(kg_store, size=1) as pool:
        sel = pool.run(Job(f"SELECT ?k WHERE {{ ?k {KV} \"{SEED}\" }}", output=by_kind, checker=rewriting_checker), 10)
        assert sel.body == f"k\r\nhttps://kamergraph.nl/id/kamervraag/{SEED}\r\n".encode() and sel.checked.kind == "select"
        con = pool.run(Job(f"CONSTRUCT WHERE {{ ?k {KV} \"{SEED}\" }}", output=by_kind, checker=rewriting_checker), 10)
        assert con.body.startswith(f"<https://kamergraph.nl/id/kamervraag/{SEED}> {KV}".encode())
        with pytest.raises(KindNotAcceptable) as exc:
            pool.run(Job(f"CONSTRUCT WHERE {{ ?k {KV} ?z }}", output={"select": "json"}, checker=rewriting_checker), 10)
        assert exc.value.kind == "construct"
        with pytest.raises(KindNotAcceptable):  # without a checker: picked by the result
            pool.run(Job("ASK {}", output={"select": "json"}), 10)


def test_the_guard_in_the_worker(kg_store: Path) -> None:
    from queries.errors import QueryRejected
    from queries.guard import check

    guard = functools.partial(check, allowed_services=())
    graph = f"https://kamergraph.nl/graph/kamervraag/{SEED}"
    with WorkerPool(kg_store, size=1, preload=["queries.guard"]) as pool:
        with pytest.raises(QueryRejected) as exc:
            pool.run(Job("SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }", checker=guard), 10)
        assert exc.value.status == 403 and "SERVICE" in exc.value.message
        with pytest.raises(QueryRejected) as exc:  # FROM of a graph the worker's store lacks
            pool.run(Job("SELECT * FROM <https://example.org/none> WHERE { ?s ?p ?o }", checker=guard), 10)
        assert exc.value.status == 403
        # FROM a graph it holds: only that graph is the default graph (no union of all graphs)
        count = f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}"
        answer = pool.run(Job(count, checker=guard), 10)
        assert answer.checked.kind == "select" and answer.checked.from_graphs == (graph,)
        everything = pool.run(Job("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), 10)
        assert 0 < int(answer.result.rows[0][0].value) < int(everything.result.rows[0][0].value)


def test_a_storeless_pool_only_checks() -> None:
    from queries.errors import QueryRejected
    from queries.guard import check

    with WorkerPool(None, size=1) as pool:
        answer = pool.run(Job("ASK { ?s ?p ?o }", checker=check, check_only=True), 10)
        assert answer.kind == "check" and answer.checked.kind == "ask" and answer.checked.text
        with pytest.raises(QueryRejected):
            pool.run(Job("SELECT * FROM <https://example.org/g> WHERE { ?s ?p ?o } LIMIT", checker=check,
                         check_only=True), 10)
        with pytest.raises(QueryError, match="no store"):
            pool.run(Job("ASK {}", checker=check), 10)


def test_an_unpicklable_checker_is_refused_and_the_worker_kept(kg_store: Path) -> None:
    with WorkerPool(kg_store, size=1) as pool:
        (worker,) = pool.pids
        with pytest.raises(StoreError, match="picklable"):
            pool.run(Job("ASK {}", checker=lambda text, graph_exists=None: None), timeout=5)
        assert pool.run(Job("ASK {}", output="json"), timeout=5, wait=1).boolean is True
        assert pool.pids == [worker] and pool.replaced == 0


def test_huge_texts_leave_a_worker_for_short_ones(kg_store: Path) -> None:
    """A query text longer than large_text_bytes never takes the last idle worker: with one worker busy,
    a second huge text waits (PoolBusy) while a short point query is answered at once."""
    huge_slow = SLOW + " # " + "x" * 20_000
    huge_quick = "ASK {} # " + "x" * 20_000
    with WorkerPool(kg_store, size=2, large_text_bytes=16_384, reserved=1, long_query_after=30) as pool:
        errors: list[BaseException] = []

        def slow() -> None:
            try:
                pool.run(Job(huge_slow, output="json"), timeout=3.0)
            except BaseException as exc:  # noqa: BLE001 - checked below, in the test's thread
                errors.append(exc)

        t = threading.Thread(target=slow)
        t.start()
        deadline = time.monotonic() + 5
        while not pool._busy and time.monotonic() < deadline:  # the slow one has its worker
            time.sleep(0.01)
        with pytest.raises(PoolBusy):  # a second huge text may not take the reserved worker
            pool.run(Job(huge_quick, output="json"), timeout=5, wait=0.3)
        started = time.monotonic()
        assert pool.run(Job("ASK {}", output="json"), timeout=5, wait=0.3).boolean is True
        assert time.monotonic() - started < 3.0  # wait=0.3 (else PoolBusy) proves it had a worker at once
        t.join()
        assert len(errors) == 1 and isinstance(errors[0], QueryTimeout)
    # with no reserve, the second huge text takes the last worker (the test can fail)
    with WorkerPool(kg_store, size=2, large_text_bytes=16_384, reserved=0, long_query_after=30) as pool:
        errors.clear()
        t = threading.Thread(target=slow)
        t.start()
        deadline = time.monotonic() + 5
        while not pool._busy and time.monotonic() < deadline:
            time.sleep(0.01)
        assert pool.run(Job(huge_quick, output="json"), timeout=5, wait=0.3).boolean is True
        t.join()
        assert len(errors) == 1 and isinstance(errors[0], QueryTimeout)
