"""Reliability load benchmark (issue 13): is the server responsive and its memory bounded under abuse?

Starts `kamergraph serve` on a store (the full bundled build), with the answer cache on, then runs at
the same time, until the cache fillers are done:

- 4 heavy queries (cartesian products of the whole store), each asked again as soon as it ends;
- a ~1 MB query (a FILTER IN over 30,000 IRIs, POSTed), asked again and again;
- 600 distinct cache-filling queries of ~950 KB each (an ASK with a long comment: cheap to run, a huge
  key for the answer cache), from three clients;
- one client sending point queries, a different Kamervraag by its number each time.

Meanwhile it samples the resident memory of the server process and of everything below it (the query
workers, their forkserver, the pages' helper) from /proc every 100 ms. Prints the point queries' p50,
p95 and maximum (target p95 <= 100 ms), the answers of each kind by status, the peak RSS of the server
and of the pool, and the configured budget.

    python bench/reliability_load.py [--store /tmp/kg-full/store] [--fillers 600] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import free_port, pct, served, wait_until  # noqa: E402

KG = "https://w3id.org/kamergraph/def#"
HEAVY = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f",
    "SELECT (GROUP_CONCAT(STR(?c)) AS ?all) WHERE { ?a ?b ?c . ?d ?e ?f }",
    "SELECT DISTINCT ?c ?f WHERE { ?a ?b ?c . ?d ?e ?f . FILTER(?c != ?f) }",
]
POINT = f'PREFIX kg: <{KG}> SELECT ?p ?o WHERE {{ ?kv kg:zaaknummer "{{z}}" ; ?p ?o }}'
SPARQL_JSON = {"Accept": "application/sparql-results+json"}
MB = 1_000_000


def big_query() -> str:
    """A ~1 MB query (under the 1,000,000-byte body limit)."""
    return "ASK { FILTER(<http://example.org/x> IN (" + ", ".join(
        f"<http://example.org/x/{i}>" for i in range(33_500)) + ")) }"


def filler(i: int) -> str:
    """A ~950 KB query text of its own (cheap to check and run: the comment is the bulk)."""
    return f"ASK {{ FILTER({i} = {i}) }} # {i} " + "x" * 950_000


# --------------------------------------------------------------------------- memory from /proc


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                raw = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(raw[raw.rindex(")") + 2:].split()[1])
            kids.setdefault(ppid, []).append(int(entry))
    return kids


def rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    """Peak RSS of the server process and of the sum of its descendants (the pool and helpers)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_server = self.peak_pool = self.peak_total = 0
        self.stop = threading.Event()

    def sample(self) -> tuple[int, int]:
        kids = _children()
        below, todo = [], [self.pid]
        while todo:
            for c in kids.get(todo.pop(), []):
                below.append(c)
                todo.append(c)
        return rss(self.pid), sum(rss(p) for p in below)

    def run(self) -> None:
        while not self.stop.is_set():
            server, pool = self.sample()
            self.peak_server = max(self.peak_server, server)
            self.peak_pool = max(self.peak_pool, pool)
            self.peak_total = max(self.peak_total, server + pool)
            time.sleep(0.1)


# --------------------------------------------------------------------------- the load


class Load:
    def __init__(self, url: str) -> None:
        self.url = url
        self.done = threading.Event()
        self.statuses: dict[str, Counter[str]] = {k: Counter() for k in ("heavy", "1 MB", "filler", "point")}
        self.point_times: list[float] = []
        self.lock = threading.Lock()

    def note(self, kind: str, status: str) -> None:
        with self.lock:
            self.statuses[kind][status] += 1

    def post(self, c: httpx.Client, kind: str, text: str) -> None:
        try:
            r = c.post(f"{self.url}/sparql", content=text.encode(), headers={
                "Content-Type": "application/sparql-query", **SPARQL_JSON})
            self.note(kind, str(r.status_code))
        except httpx.HTTPError as exc:
            self.note(kind, type(exc).__name__)

    def heavy(self, text: str) -> None:
        with httpx.Client(timeout=120) as c:
            while not self.done.is_set():
                self.post(c, "heavy", text)

    def one_mb(self) -> None:
        text = big_query()
        with httpx.Client(timeout=120) as c:
            while not self.done.is_set():
                self.post(c, "1 MB", text)

    def fillers(self, numbers: range) -> None:
        with httpx.Client(timeout=120) as c:
            for i in numbers:
                self.post(c, "filler", filler(i))

    def points(self, numbers: list[str]) -> None:
        with httpx.Client(timeout=60) as c:
            i = 0
            while not self.done.is_set():
                z = numbers[i % len(numbers)]
                i += 1
                t = time.monotonic()
                try:
                    r = c.get(f"{self.url}/sparql", params={"query": POINT.replace("{z}", z)}, headers=SPARQL_JSON)
                    status = str(r.status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                took = time.monotonic() - t
                self.note("point", status)
                if status == "200":
                    with self.lock:
                        self.point_times.append(took)
                time.sleep(0.02)


def zaaknummers(url: str, n: int) -> list[str]:
    q = f"PREFIX kg: <{KG}> SELECT ?z WHERE {{ ?kv a kg:Kamervraag ; kg:zaaknummer ?z }} LIMIT {n}"
    for attempt in range(5):  # the first queries meet a server still building its overview
        r = httpx.get(f"{url}/sparql", params={"query": q}, headers=SPARQL_JSON, timeout=60)
        if r.status_code == 200:
            return [b["z"]["value"] for b in r.json()["results"]["bindings"]]
        time.sleep(5)
    r.raise_for_status()
    raise AssertionError("unreachable")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", default="/tmp/kg-full/store")
    ap.add_argument("--fillers", type=int, default=600)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from kamergraph.settings import Settings

    settings = Settings(store=args.store)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    kamergraph = Path(sys.executable).parent / "kamergraph"
    cmd = [str(kamergraph), "serve", "--store", args.store, "--port", str(port), "--log-level", "warning"]
    with served(cmd, lambda: httpx.get(f"{url}/queries", timeout=5).status_code == 200, "kamergraph serve", None,
                300, stop_wait=30) as running:
        proc = running.proc
        numbers = zaaknummers(url, 5000)
        # the pages' overview of the store is built at start and kept by the server: the home page
        # waits for it, so the baseline is taken with it in memory
        wait_until(lambda: httpx.get(f"{url}/", timeout=300).status_code == 200, proc, "the home page", 600)
        time.sleep(2)
        sampler = MemorySampler(proc.pid)
        base_server, base_pool = sampler.sample()
        sampler.start()
        load = Load(url)
        threads = [threading.Thread(target=load.heavy, args=(q,), daemon=True) for q in HEAVY]
        threads.append(threading.Thread(target=load.one_mb, daemon=True))
        threads.append(threading.Thread(target=load.points, args=(numbers,), daemon=True))
        fill = [threading.Thread(target=load.fillers, args=(range(k, args.fillers, 3),)) for k in range(3)]
        t0 = time.monotonic()
        for t in threads + fill:
            t.start()
        for t in fill:
            t.join()
        seconds = time.monotonic() - t0
        load.done.set()
        for t in threads:
            t.join(60)
        sampler.stop.set()
        sampler.join(2)
    times = load.point_times
    result = {
        "seconds": round(seconds, 1),
        "point_queries": len(times),
        "point_p50_ms": round(pct(times, 50) * 1000, 1) if times else None,
        "point_p95_ms": round(pct(times, 95) * 1000, 1) if times else None,
        "point_max_ms": round(max(times) * 1000, 1) if times else None,
        "statuses": {k: dict(v) for k, v in load.statuses.items()},
        "rss_mb": {"server_before": base_server // MB, "pool_before": base_pool // MB,
                   "server_peak": sampler.peak_server // MB, "pool_peak": sampler.peak_pool // MB,
                   "total_peak": sampler.peak_total // MB},
        "budget_mb": {"result_cache": settings.result_cache_mb, "query_memory (per query)": settings.query_memory_mb,
                      "pool_memory (all queries)": settings.pool_memory_mb, "query_workers": settings.query_workers,
                      "max_long_queries": settings.max_long_queries, "query_timeout_s": settings.query_timeout},
    }
    print(f"\nreliability load on {args.store}: {len(HEAVY)} heavy queries, a 1 MB query and {args.fillers} "
          f"~950 KB cache fillers for {seconds:.0f} s, point queries meanwhile\n")
    rows = [
        ("point queries answered", f"{len(times)}"),
        ("point query p50", f"{result['point_p50_ms']} ms"),
        ("point query p95 (target <= 100 ms)", f"{result['point_p95_ms']} ms"),
        ("point query max", f"{result['point_max_ms']} ms"),
        *((f"answers: {k}", ", ".join(f"{s}: {n}" for s, n in sorted(v.items()))) for k, v in load.statuses.items()),
        ("server RSS before -> peak", f"{base_server // MB} -> {sampler.peak_server // MB} MB"),
        ("pool RSS before -> peak (workers, forkserver, helpers)", f"{base_pool // MB} -> {sampler.peak_pool // MB} MB"),
        ("server + pool peak", f"{sampler.peak_total // MB} MB"),
        ("budget: answer cache", f"{settings.result_cache_mb} MB"),
        ("budget: one query / all queries", f"{settings.query_memory_mb} / {settings.pool_memory_mb} MB"),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
