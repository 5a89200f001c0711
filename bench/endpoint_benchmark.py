"""Endpoint benchmark: kamergraph's `/sparql` against an Oxigraph server on the same data, side by side.

Both servers run at the same time on the same store directory (the full bundled build, built
first if the store is empty): `kamergraph serve` (FastAPI + uvicorn, guard, pooled query workers)
and `oxigraph serve-read-only --union-default-graph` (the Oxigraph server from PyPI, Rust). Every
request goes over loopback HTTP with the same query text and the same Accept header.

1. Latency: four queries (a point lookup, a GROUP BY over all Kamervragen, a text FILTER, a
   CONSTRUCT of one case), ``--n`` requests each, alternating between the two servers request by
   request so that both see the same machine; p50 and p95 per query and server, and the ratio
   kamergraph / Oxigraph on p50 (target <= 1.1).
   ``--distinct`` makes every request's text unique (a numbered comment), so no cache of any kind
   helps either server: the cost of the guard and of the worker round trip shows in full.
2. Throughput: ``--clients`` concurrent clients (default 16), each cycling through the four
   queries for ``--duration`` seconds, first against one server and then the other; requests per
   second and the ratio kamergraph / Oxigraph (target >= 1.0).

Before any timing the script waits until kamergraph's processes are idle (``--settle``): a server
builds its search index and the pages' overview in the background after it starts, and requests
timed meanwhile would measure that work. The load average is printed before and after.

    python bench/endpoint_benchmark.py [--store var/store] [--n 200] [--clients 16] [--duration 15]
                                       [--distinct] [--only "point lookup,CONSTRUCT of one case"]
                                       [--no-throughput] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import free_port, pct, served  # noqa: E402
from kamergraph.settings import get_settings  # noqa: E402

BASE = "https://kamergraph.nl/"
CASE = "2019Z15231"
PREFIXES = """PREFIX kg: <https://w3id.org/kamergraph/def#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
QUERIES: dict[str, tuple[str, str]] = {
    # name: (query, Accept)
    "point lookup": (
        f"SELECT ?p ?o WHERE {{ <{BASE}id/kamervraag/{CASE}> ?p ?o }}",
        "application/sparql-results+json",
    ),
    "GROUP BY over all Kamervragen": (
        PREFIXES + """SELECT ?year (COUNT(?k) AS ?n) WHERE {
  ?k a kg:Kamervraag ; dcterms:dateSubmitted ?d .
  BIND (YEAR(?d) AS ?year)
} GROUP BY ?year ORDER BY ?year""",
        "application/sparql-results+json",
    ),
    "text FILTER": (
        PREFIXES + """SELECT ?k ?title WHERE {
  ?k a kg:Kamervraag ; dcterms:title ?title .
  FILTER (CONTAINS(LCASE(STR(?title)), "cybersurveillance"))
}""",
        "application/sparql-results+json",
    ),
    "CONSTRUCT of one case": (
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{BASE}graph/kamervraag/{CASE}> {{ ?s ?p ?o }} }}",
        "text/turtle",
    ),
}


def fetch(client: httpx.Client, url: str, query: str, accept: str) -> float:
    t0 = time.perf_counter()
    r = client.get(url, params={"query": query}, headers={"Accept": accept})
    r.read()
    elapsed = time.perf_counter() - t0
    if r.status_code != 200:
        raise SystemExit(f"{url} answered {r.status_code}: {r.text[:300]}")
    return elapsed


def same_answers(client: httpx.Client, urls: dict[str, str], queries: dict[str, tuple[str, str]]) -> None:
    """Both servers answer each query (200) with the same solutions (SELECT) or as many bytes' worth
    of triples (CONSTRUCT), before any timing; the script ends naming the query otherwise."""
    for name, (q, accept) in queries.items():
        answers = {}
        for label, url in urls.items():
            r = client.get(url, params={"query": q}, headers={"Accept": accept})
            if r.status_code != 200:
                raise SystemExit(f"{name}: {label} answered {r.status_code}: {r.text[:300]}")
            answers[label] = r
        if "json" in accept:
            rows = [sorted(json.dumps(b, sort_keys=True) for b in r.json()["results"]["bindings"])
                    for r in answers.values()]
            if rows[0] != rows[1]:
                raise SystemExit(f"{name}: the two servers give different answers")


def settle(pid: int, seconds: float, quiet_for: float = 3.0) -> float:
    """Wait until the process ``pid`` and its children use under 5 % of a core for ``quiet_for``
    seconds in a row (at most ``seconds``); the seconds waited."""
    t0 = time.monotonic()
    quiet_since = None
    last = _tree_cpu(pid)
    while time.monotonic() - t0 < seconds:
        time.sleep(0.5)
        now = _tree_cpu(pid)
        busy = (now - last) / 0.5
        last = now
        if busy < 0.05:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= quiet_for:
                break
        else:
            quiet_since = None
    return time.monotonic() - t0


def _tree_cpu(pid: int) -> float:
    """CPU seconds used so far by ``pid`` and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += ticks.get(p, 0)
        todo.extend(children.get(p, []))
    return total / os.sysconf("SC_CLK_TCK")


def latency(urls: dict[str, str], n: int, warmup: int, distinct: bool,
            queries: dict[str, tuple[str, str]]) -> dict[str, dict[str, dict[str, float]]]:
    out: dict[str, dict[str, dict[str, float]]] = {}
    with httpx.Client(timeout=60) as client:
        same_answers(client, urls, queries)
        for name, (q, accept) in queries.items():
            times: dict[str, list[float]] = {k: [] for k in urls}
            for i in range(warmup + n):
                for label, url in urls.items():
                    text = f"# request {i} {label}\n{q}" if distinct else q
                    t = fetch(client, url, text, accept)
                    if i >= warmup:
                        times[label].append(t)
            out[name] = {
                label: {"p50_ms": 1000 * statistics.median(ts), "p95_ms": 1000 * pct(ts, 95)} for label, ts in times.items()
            }
    return out


async def _throughput(url: str, clients: int, duration: float, distinct: bool,
                      items: list[tuple[str, str]]) -> tuple[int, int]:
    done = 0
    errors = 0
    stop = time.monotonic() + duration

    async def one(i: int) -> None:
        nonlocal done, errors
        async with httpx.AsyncClient(timeout=120) as client:
            k = i
            while time.monotonic() < stop:
                q, accept = items[k % len(items)]
                text = f"# client {i} request {k}\n{q}" if distinct else q
                r = await client.get(url, params={"query": text}, headers={"Accept": accept})
                await r.aread()
                if r.status_code == 200:
                    done += 1
                else:
                    errors += 1
                k += 1

    await asyncio.gather(*(one(i) for i in range(clients)))
    return done, errors


def throughput(urls: dict[str, str], clients: int, duration: float, distinct: bool,
               queries: dict[str, tuple[str, str]]) -> dict[str, dict[str, float]]:
    out = {}
    for label, url in urls.items():
        t0 = time.perf_counter()
        done, errors = asyncio.run(_throughput(url, clients, duration, distinct, list(queries.values())))
        elapsed = time.perf_counter() - t0
        out[label] = {"requests": done, "errors": errors, "seconds": elapsed, "per_s": done / elapsed}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default=None, help="the store directory (default: KAMERGRAPH_STORE)")
    ap.add_argument("--n", type=int, default=200, help="timed requests per query and server")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--duration", type=float, default=15.0, help="seconds of load per server")
    ap.add_argument("--distinct", action="store_true", help="make every query text unique (defeats caches)")
    ap.add_argument("--only", help="comma-separated names of the queries to run (default: all four)")
    ap.add_argument("--no-throughput", action="store_true", help="latency only")
    ap.add_argument("--settle", type=float, default=300.0,
                    help="seconds to wait at most for kamergraph's start-up work to end before timing")
    ap.add_argument("--json", help="write the figures here too")
    args = ap.parse_args()
    queries = QUERIES
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in QUERIES]
        if unknown:
            raise SystemExit(f"--only: no query named {', '.join(map(repr, unknown))}; the names are "
                             + ", ".join(map(repr, QUERIES)))
        queries = {n: QUERIES[n] for n in names}

    settings = get_settings()
    store = Path(args.store or settings.store).resolve()
    bindir = Path(sys.executable).parent
    kamergraph = str(bindir / "kamergraph")
    oxigraph = shutil.which("oxigraph") or str(bindir / "oxigraph")
    if not (store / "CURRENT").exists():
        print(f"building the full store at {store} first …", file=sys.stderr)
        subprocess.run([kamergraph, "build", "--store", str(store)], check=True)

    kg_port, ox_port = free_port(), free_port()
    env = {**os.environ, "KAMERGRAPH_STORE": str(store)}
    kg_cmd = [kamergraph, "serve", "--store", str(store), "--port", str(kg_port), "--log-level", "warning"]
    ox_cmd = [oxigraph, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{ox_port}",
              "--union-default-graph"]
    kg_url, ox_url = f"http://127.0.0.1:{kg_port}/sparql", f"http://127.0.0.1:{ox_port}/query"

    def answers(url: str) -> Callable[[], bool]:
        return lambda: httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200

    with served(kg_cmd, answers(kg_url), "kamergraph serve", env, 120) as kg, \
            served(ox_cmd, answers(ox_url), "oxigraph serve-read-only", None, 120):
        waited = settle(kg.proc.pid, args.settle)
        load_before = os.getloadavg()
        urls = {"kamergraph": kg_url, "oxigraph": ox_url}
        lat = latency(urls, args.n, args.warmup, args.distinct, queries)
        thr = None if args.no_throughput else throughput(urls, args.clients, args.duration, args.distinct, queries)
        load_after = os.getloadavg()

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"store {store}; {'distinct query texts' if args.distinct else 'repeated query texts'}; "
          f"workers {settings.query_workers}")
    print(f"waited {waited:.0f} s for kamergraph's start-up work; load average (1, 5, 15 min) before timing "
          f"{' '.join(f'{x:.2f}' for x in load_before)}, after {' '.join(f'{x:.2f}' for x in load_after)}")
    print(f"\nlatency over loopback HTTP, {args.n} requests per query and server (ms):")
    print(f"{'query':32} {'kg p50':>8} {'kg p95':>8} {'ox p50':>8} {'ox p95':>8} {'ratio p50':>10}")
    for name, r in lat.items():
        kg, ox = r["kamergraph"], r["oxigraph"]
        r["ratio_p50"] = kg["p50_ms"] / ox["p50_ms"]  # type: ignore[assignment]
        print(f"{name:32} {kg['p50_ms']:8.2f} {kg['p95_ms']:8.2f} {ox['p50_ms']:8.2f} {ox['p95_ms']:8.2f} "
              f"{r['ratio_p50']:10.2f}")
    ratio = None
    if thr is not None:
        ratio = thr["kamergraph"]["per_s"] / thr["oxigraph"]["per_s"]
        print(f"\nthroughput, {args.clients} concurrent clients cycling through the queries, "
              f"{args.duration:g} s per server:")
        for label, t in thr.items():
            print(f"  {label:11} {t['per_s']:8.1f} requests/s ({t['requests']} answered, {t['errors']} errors)")
        print(f"  ratio kamergraph / oxigraph: {ratio:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"latency": lat, "throughput": thr, "throughput_ratio": ratio,
                                               "distinct": args.distinct, "load_before": load_before,
                                               "load_after": load_after}, indent=1) + "\n")


if __name__ == "__main__":
    main()
