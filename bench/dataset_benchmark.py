"""Dataset description benchmark: how long counting and describing the store takes, and serving it.

Runs the description's SPARQL queries (``kamergraph.dataset.compute_stats``) ``--repeat`` times on the
store and prints the time of each query and the total (best and median); then loads the description
into the store once (``load_description``, which writes the graph ``{base}graph/dataset/beschrijving``:
give it a copy of a store, e.g. ``cp -r /tmp/kgfull/store /tmp/me/store``), and asks the web
application (in-process, its real worker pool) for ``/.well-known/void`` (Turtle), ``/dataset``
(the page) and ``GET /sparql`` (the service description), first and repeated.

    python bench/dataset_benchmark.py --store /tmp/me/store [--repeat 3] [--dumps-dir var/dumps] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from fastapi.testclient import TestClient

    from kamergraph.dataset import compute_stats, load_description
    from kamergraph.settings import Settings
    from ontology.namespaces import Iris
    from server.app import create_app
    from store.embedded import EmbeddedStore

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True, help="an embedded store (a copy: the description is written into it)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dumps-dir", help="a dump release to list (its manifest.json)")
    ap.add_argument("--requests", type=int, default=20, help="repeated requests per URL")
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    iris = Iris(Settings().base)
    out: dict = {"machine": platform.platform(), "store": args.store}

    store = EmbeddedStore(args.store)
    out["quads"] = len(store)
    totals, per_query = [], {}
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        stats = compute_stats(store, iris)
        totals.append(time.perf_counter() - t0)
        for k, v in stats.seconds.items():
            per_query.setdefault(k, []).append(v)
    out["compute_stats_s"] = {"best": min(totals), "median": statistics.median(totals)}
    out["per_query_s_median"] = {k: statistics.median(v) for k, v in per_query.items()}
    loaded = load_description(store, iris, Path(args.dumps_dir) if args.dumps_dir else None)
    out["load_description_s"] = loaded.seconds
    out["description_triples"] = len(loaded.triples)
    store.close()

    app = create_app(Settings(store=args.store, query_workers=2), args.store)
    web = {}
    with TestClient(app) as client:
        for url, accept in (("/.well-known/void", "text/turtle"), ("/dataset", "text/html"), ("/sparql", None)):
            t0 = time.perf_counter()
            r = client.get(url, headers={"accept": accept} if accept else {})
            first = time.perf_counter() - t0
            assert r.status_code == 200, (url, r.status_code, r.text[:200])
            times = []
            for _ in range(args.requests):
                t0 = time.perf_counter()
                client.get(url, headers={"accept": accept} if accept else {})
                times.append(time.perf_counter() - t0)
            web[url] = {"first_ms": 1000 * first, "median_ms": 1000 * statistics.median(times),
                        "max_ms": 1000 * max(times), "bytes": len(r.content)}
    out["web"] = web

    print(f"store: {args.store} ({out['quads']:,} quads)")
    print(f"compute_stats x{args.repeat}: best {out['compute_stats_s']['best']:.2f} s, "
          f"median {out['compute_stats_s']['median']:.2f} s")
    print("  per query (median): " + ", ".join(f"{k} {v:.2f} s" for k, v in out["per_query_s_median"].items()))
    print(f"load_description (count + describe + write the graph): {out['load_description_s']:.2f} s, "
          f"{out['description_triples']} triples")
    for url, w in web.items():
        print(f"GET {url}: first {w['first_ms']:.0f} ms, then median {w['median_ms']:.1f} ms, "
              f"max {w['max_ms']:.1f} ms ({w['bytes']:,} bytes)")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
