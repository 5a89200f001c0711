"""Named-query benchmark: every named query (with the parameters of its golden run) on the full store.

Each query runs once to warm the store, then ``--runs`` times; the best and the median are printed,
with the target of 1.5 s each (issue 4).

    python bench/named_queries.py [--store var/store] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kamergraph.settings import get_settings  # noqa: E402
from queries.catalog import Catalog  # noqa: E402
from store.embedded import EmbeddedStore  # noqa: E402

PARAMS = {"open-questions": {"today": "2024-12-31"}}
TARGET_S = 1.5


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default=None)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    settings = get_settings()
    store = EmbeddedStore(args.store or settings.store)
    if len(store) == 0:
        raise SystemExit("the store is empty: run `kamergraph build` first")
    catalog = Catalog.load(base=settings.base)
    print(f"{'query':34} {'rows':>6} {'best s':>8} {'median s':>9}  target {TARGET_S} s")
    worst = 0.0
    for q in catalog:
        values = PARAMS.get(q.name, {})
        rows = len(q.run(store, values).rows)
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            q.run(store, values)
            times.append(time.perf_counter() - t0)
        worst = max(worst, statistics.median(times))
        print(f"{q.name:34} {rows:6} {min(times):8.3f} {statistics.median(times):9.3f}"
              f"{'' if statistics.median(times) <= TARGET_S else '  over the target'}")
    print(f"slowest median: {worst:.3f} s")
    store.close()


if __name__ == "__main__":
    main()
