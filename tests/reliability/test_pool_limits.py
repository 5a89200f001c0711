"""The worker pool's limits on a real store with real queries: memory per query and for the whole
pool, capacity for cheap queries next to long ones, the time limit without the forkserver, the
answer size cap (issue 13 items 4, 5 and 14)."""

from __future__ import annotations

import json
import multiprocessing.forkserver
import os
import signal
import statistics
import threading
import time
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from store import sandbox
from store.base import QueryOverMemory, QueryTimeout, TooManyLongQueries
from store.pool import Job, WorkerPool

KG = "https://w3id.org/kamergraph/def#"
MB = 1_000_000
# a cartesian product of 3000 triples three times over: 2.7e10 rows, counted without memory
CUBE = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a <{KG}p> ?x . ?b <{KG}p> ?y . ?c <{KG}p> ?z }}"
# the same product sorted: every row is kept, memory grows by ~300 MB a second
SORTED_CUBE = f"SELECT * WHERE {{ ?a <{KG}p> ?x . ?b <{KG}p> ?y . ?c <{KG}p> ?z }} ORDER BY ?x ?y ?z LIMIT 1"
# 10 x 3000 texts of ~2 KB in one value: a single 64 MB row
HUGE_ROW = (f"SELECT (GROUP_CONCAT(?t) AS ?all) WHERE {{ ?l <{KG}text> ?t . "
            f"{{ SELECT ?k WHERE {{ ?k <{KG}p> ?v }} LIMIT 10 }} }}")


def point(i: int) -> str:
    return f"SELECT ?v WHERE {{ <https://kamergraph.nl/id/t/{i}> <{KG}p> ?v }}"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real Oxigraph store: 3000 short values in one graph, 3000 texts of ~2 KB in another."""
    path = tmp_path_factory.mktemp("limits") / "store"
    store = Store(str(path))
    a, b = NamedNode("https://kamergraph.nl/graph/test/a"), NamedNode("https://kamergraph.nl/graph/test/b")
    store.extend(Quad(NamedNode(f"https://kamergraph.nl/id/t/{i}"), NamedNode(f"{KG}p"), Literal(f"value {i}"), a)
                 for i in range(3000))
    store.extend(Quad(NamedNode(f"https://kamergraph.nl/id/l/{i}"), NamedNode(f"{KG}text"),
                      Literal(f"tekst {i} " * 200), b) for i in range(3000))
    store.flush()
    del store
    return path


class PeakRss:
    """Samples the resident memory of the given pids every 2 ms (the parent's view, from /proc)."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak = dict.fromkeys(pids, 0)
        self.peak_total = 0  # the largest sum of one sample over all pids
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for pid in self.pids:
                rss = sandbox.rss_bytes(pid) or 0
                self.peak[pid] = max(self.peak[pid], rss)
                total += rss
            self.peak_total = max(self.peak_total, total)
            time.sleep(0.002)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def wait_for(predicate, seconds: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


# --------------------------------------------------------------------------- memory

@pytest.mark.parametrize("stopped_by", ["monitor", "kernel"])
def test_a_query_over_its_memory_limit_is_stopped(store_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  stopped_by: str) -> None:
    """A query over its worker's 128 MB is stopped by the parent's monitor; with the monitor looking
    only once an hour and no slack above the limit (``kernel``), by the worker's own address-space
    limit: the allocation fails and the worker aborts. Either way the caller gets the same clear
    error, the worker is gone and replaced, and the pool goes on."""
    import store.pool

    if stopped_by == "kernel":
        monkeypatch.setattr(store.pool, "MONITOR_INTERVAL", 3600.0)
        monkeypatch.setattr(store.pool, "BACKSTOP_SLACK_MB", 0)
    with WorkerPool(store_path, size=1, query_memory_mb=128) as pool:
        (pid,) = pool.pids
        idle = sandbox.rss_bytes(pid)
        with PeakRss([pid]) as rss, pytest.raises(QueryOverMemory) as exc:
            pool.run(Job(SORTED_CUBE, output="json"), timeout=20)
        assert "128 MB" in str(exc.value) and exc.value.limit_mb == 128
        print(f"query over 128 MB, stopped by the {stopped_by}: worker peak {(rss.peak[pid] - idle) / MB:.0f} MB "
              "beyond idle")
        # stopped before it passed its limit by more than what it can allocate between two samples
        assert rss.peak[pid] - idle < (128 + 64) * MB, (rss.peak[pid] - idle) / MB
        assert not sandbox.running(pid)
        wait_for(lambda: len(pool.pids) == 1)
        assert pool.query(point(7), timeout=5).values() == [{"v": "value 7"}]
        assert pool.replaced == 1


def test_the_pool_budget_stops_the_largest(store_path: Path) -> None:
    """Two queries each within the worker limit (1024 MB) but together over the pool's 200 MB."""
    with WorkerPool(store_path, size=2, query_memory_mb=1024, pool_memory_mb=200, long_query_after=30) as pool:
        pids = pool.pids
        idle = sum(sandbox.rss_bytes(p) or 0 for p in pids)
        errors: list[BaseException] = []

        def one() -> None:
            try:
                pool.run(Job(SORTED_CUBE, output="json"), timeout=20)
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        with PeakRss(pids) as rss:
            threads = [threading.Thread(target=one) for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        assert len(errors) == 2 and all(isinstance(e, QueryOverMemory) and e.pool for e in errors), errors
        assert "200 MB all running queries together" in str(errors[0])
        print(f"two queries under a 200 MB pool budget: peak {(rss.peak_total - idle) / MB:.0f} MB together beyond idle")
        assert rss.peak_total - idle < (200 + 96) * MB, (rss.peak_total - idle) / MB
        wait_for(lambda: len(pool.pids) == 2)
        assert pool.query(point(8), timeout=5).values() == [{"v": "value 8"}]


# --------------------------------------------------------------------------- capacity

def start_slow_queries(pool: WorkerPool, n: int, *, timeout: float,
                       spacing: float) -> tuple[list[threading.Thread], list[BaseException]]:
    """``n`` threads, started ``spacing`` seconds apart, each running the slow CUBE on ``pool``
    with this time limit; the threads, and the list where the errors they meet are put."""
    errors: list[BaseException] = []

    def slow() -> None:
        try:
            pool.run(Job(CUBE, output="json"), timeout=timeout)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=slow) for _ in range(n)]
    for t in threads:
        t.start()
        time.sleep(spacing)
    return threads, errors


def test_long_queries_leave_room_for_point_queries(store_path: Path) -> None:
    """Four slow queries in a pool of two: each becomes long after 0.3 s, its place is refilled,
    and point queries keep being answered quickly meanwhile."""
    with WorkerPool(store_path, size=2, long_query_after=0.3, max_long_queries=4) as pool:
        threads, slow_errors = start_slow_queries(pool, 4, timeout=6, spacing=0.05)
        times: list[float] = []
        steady: list[float] = []  # those that started once all four slow queries were long
        deadline = time.monotonic() + 4
        i = 0
        while time.monotonic() < deadline:
            all_long = pool.long_running == 4
            t0 = time.monotonic()
            assert pool.query(point(i % 3000), timeout=5, row_limit=10).values() == [{"v": f"value {i % 3000}"}]
            times.append(time.monotonic() - t0)
            if all_long:
                steady.append(times[-1])
            i += 1
            time.sleep(0.01)
        for t in threads:
            t.join()
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"point queries during 4 slow ones: {len(times)}, p95 {p95 * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
              f"(the first wait while the slow ones fill the workers); once all four are long: {len(steady)}, "
              f"max {max(steady, default=0) * 1000:.0f} ms")
        assert len(times) > 20 and p95 < 1.0, p95
        assert len(steady) > 20 and max(steady) < 1.0, steady
        assert len(slow_errors) == 4 and all(isinstance(e, QueryTimeout) for e in slow_errors), slow_errors
        wait_for(lambda: len(pool.pids) == 2)  # the long queries' workers are gone, not replaced twice


def test_one_long_query_too_many_is_stopped(store_path: Path) -> None:
    with WorkerPool(store_path, size=2, long_query_after=0.3, max_long_queries=1) as pool:
        threads, errors = start_slow_queries(pool, 2, timeout=4, spacing=0.1)
        for t in threads:
            t.join()
        kinds = sorted(type(e).__name__ for e in errors)
        assert kinds == ["QueryTimeout", "TooManyLongQueries"], errors
        refused = next(e for e in errors if isinstance(e, TooManyLongQueries))
        assert "1 queries running longer than 0.3 s" in str(refused)
        wait_for(lambda: len(pool.pids) == 2)
        assert pool.query(point(1), timeout=5).values() == [{"v": "value 1"}]


# --------------------------------------------------------------------------- time, without the forkserver

def test_the_time_limit_holds_after_the_forkserver_died(store_path: Path) -> None:
    with WorkerPool(store_path, size=1) as pool:
        forkserver = multiprocessing.forkserver._forkserver._forkserver_pid
        assert forkserver is not None and sandbox.running(forkserver)
        os.kill(forkserver, signal.SIGKILL)
        wait_for(lambda: not sandbox.running(forkserver), 5)
        (pid,) = pool.pids
        t0 = time.monotonic()
        with pytest.raises(QueryTimeout):
            pool.run(Job(CUBE, output="json"), timeout=2)
        assert time.monotonic() - t0 < 2 + 5  # the time-out plus a wide margin for a busy machine
        wait_for(lambda: not sandbox.running(pid), 2)  # killed: no CPU burning on
        # a replacement starts (through a new forkserver) and answers
        assert pool.query(point(5), timeout=20).values() == [{"v": "value 5"}]
        assert pid not in pool.pids


# --------------------------------------------------------------------------- answer size

def test_a_single_huge_row_is_capped(store_path: Path) -> None:
    with WorkerPool(store_path, size=1, max_answer_bytes=1_000_000) as pool:
        answer = pool.run(Job(HUGE_ROW, output="json"), timeout=30)
        assert answer.truncated and answer.count == 1 and len(answer.body) <= 1_000_000 + 200
        doc = json.loads(answer.body)
        value = doc["results"]["bindings"][0]["all"]["value"]
        assert doc["truncated"] is True and value.startswith("tekst ") and 900_000 < len(value) <= 1_000_000
        rows = pool.run(Job(HUGE_ROW), timeout=30)  # as rows, for pages and scripts: the same cap
        assert rows.truncated and len(rows.result.rows[0][0].value) <= 1_000_000
        # many rows stop at the cap, cut at the last whole row
        many = pool.run(Job(f"SELECT ?t WHERE {{ ?l <{KG}text> ?t }}", output="json"), timeout=30)
        bindings = json.loads(many.body)["results"]["bindings"]
        assert many.truncated and 100 < len(bindings) < 3000 and len(many.body) <= 1_000_000 + 200
        assert all(b["t"]["value"].endswith(" ") and len(b["t"]["value"]) > 1000 for b in bindings)  # whole values
        # the other formats are held to the same cap (XML writes more than the JSON the rows are counted by)
        xml = pool.run(Job(f"SELECT ?l ?t WHERE {{ ?l <{KG}text> ?t }}", output="xml"), timeout=30)
        assert xml.truncated and 100 < xml.count < 3000 and len(xml.body) <= 1_000_000
        nt = pool.run(Job(f"CONSTRUCT WHERE {{ ?l <{KG}text> ?t }}", output="ntriples"), timeout=30)
        assert nt.truncated and len(nt.body) <= 1_000_000 and nt.body.count(b"\n") == nt.count > 100


def test_without_a_cap_the_row_is_whole(store_path: Path) -> None:
    """The same query with the default cap (64 MB) gives the whole ~64 MB value: the cap is what cut it."""
    with WorkerPool(store_path, size=1, max_answer_bytes=None) as pool:
        answer = pool.run(Job(HUGE_ROW, output="json"), timeout=30)
    assert not answer.truncated and len(answer.body) > 60 * MB
