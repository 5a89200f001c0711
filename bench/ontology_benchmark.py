"""Ontology pages benchmark: /def, its formats, /def/shapes and the diagram on a store (the full build).

Times, in the app (FastAPI's test client, real worker pool), the first /def page on a store (the kg
terms' examples through the endpoint; the scan for the outside terms the data uses starts in a process
of its own), the scan's end, the first page after it, then ``--n`` more pages (kept examples), each RDF
format, the shapes page and the diagram; and, on the store opened directly, the scan and the examples
query on their own. Prints p50 / p95 / max.

    python bench/ontology_benchmark.py --store var/store [--n 20] [--json out.json]

The store is only read (the query workers and the scan open it read-only).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p * (len(s) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default=str(ROOT / "var" / "store"))
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--json")
    args = ap.parse_args()

    from fastapi.testclient import TestClient
    from pyoxigraph import Store

    from kamergraph.settings import Settings
    from ontology.namespaces import Iris
    from ontology.vocabulary import load
    from server.app import create_app
    from server.ontology_examples import examples_query, outside_terms, used_in_store

    settings = Settings(store=args.store, query_workers=2)
    graph = Iris(settings.base).ontology_graph()
    results: dict[str, dict[str, float]] = {}

    t = time.perf_counter()
    rows = used_in_store(args.store, graph)
    scan = time.perf_counter() - t
    store = Store.read_only(args.store)
    classes, props = outside_terms(rows)
    text = examples_query(load(), classes, props, graph)
    times = []
    for _ in range(5):
        t = time.perf_counter()
        n = len(list(store.query(text, use_default_graph_as_union=True)))
        times.append(time.perf_counter() - t)
    results["scan for outside terms (direct)"] = {"p50": scan, "p95": scan, "max": scan}
    results["examples query (direct)"] = {"p50": statistics.median(times), "p95": pct(times, 0.95), "max": max(times)}
    print(f"store: {len(store):,} quads; outside terms used: {len(classes)} classes, {len(props)} properties; "
          f"examples query: {n} rows")
    del store

    app = create_app(settings, args.store)
    with TestClient(app) as c:
        t = time.perf_counter()
        r = c.get("/def", headers={"Accept": "text/html"})
        first = time.perf_counter() - t
        assert r.status_code == 200, r.text[:300]
        results["/def first (kg examples; scan started)"] = {"p50": first, "p95": first, "max": first}
        cache = c.app.state.ontology_examples
        assert cache.wait_for_scan(300)
        scanned = time.perf_counter() - t
        results["scan in its process, from the first request"] = {"p50": scanned, "p95": scanned, "max": scanned}
        t = time.perf_counter()
        r = c.get("/def", headers={"Accept": "text/html"})
        second = time.perf_counter() - t
        assert r.status_code == 200 and 'class="list reused-terms"' in r.text
        results["/def after the scan (examples again)"] = {"p50": second, "p95": second, "max": second}
        for name, url, headers in [
            ("/def (kept examples)", "/def", {"Accept": "text/html"}),
            ("/def?lang=en", "/def?lang=en", {"Accept": "text/html"}),
            ("/def Turtle", "/def", {"Accept": "text/turtle"}),
            ("/def.jsonld", "/def.jsonld", {}),
            ("/def.rdf", "/def.rdf", {}),
            ("/def.nt", "/def.nt", {}),
            ("/def/shapes", "/def/shapes", {"Accept": "text/html"}),
            ("/def/shapes.ttl", "/def/shapes.ttl", {}),
            ("/def/diagram.svg", "/def/diagram.svg", {}),
        ]:
            times = []
            for _ in range(args.n):
                t = time.perf_counter()
                r = c.get(url, headers=headers)
                times.append(time.perf_counter() - t)
                assert r.status_code == 200, (url, r.status_code)
            results[name] = {"p50": statistics.median(times), "p95": pct(times, 0.95), "max": max(times)}
    print(f"{'what':40} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for name, v in results.items():
        print(f"{name:40} {v['p50'] * 1000:9.1f} {v['p95'] * 1000:9.1f} {v['max'] * 1000:9.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
