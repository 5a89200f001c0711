"""Named-query benchmark: every named query (with the parameters of its golden run) on the full store.

Each query runs once to warm the store, then ``--runs`` times; the best and the median are printed,
with the target of 200 ms each at 1× (issue 18). A query that reads the graph of counts
(kamergraph.aggregates) is timed beside its plain query (``queries/reference/``), as a ratio; the
researcher's table is timed for one fractie and for every fractie. ``cpu s`` is the median CPU time of this
process (the query runs in it): on a machine shared with other work it moves less than the wall time. ``--aggregates`` also times the
counting of the graph of counts (what the build and every sync add; read-only, nothing is written).

    python bench/named_queries.py [--store var/store] [--runs 5] [--no-reference] [--aggregates]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kamergraph.aggregates import aggregate_quads  # noqa: E402
from kamergraph.settings import get_settings  # noqa: E402
from ontology.namespaces import Iris  # noqa: E402
from queries.catalog import QUERIES_DIR, Catalog, NamedQuery  # noqa: E402
from store.embedded import EmbeddedStore  # noqa: E402

PARAMS = {"open-questions": {"today": "2024-12-31"}}
#: Further runs beside the golden one: (query, label, values).
EXTRA = [("questions-per-fractie-ministry-year", "one fractie", {"fractie": "groenlinks"})]
TARGET_S = 0.2


def timed(query: NamedQuery, store: EmbeddedStore, values: dict[str, str], runs: int
          ) -> tuple[int, list[float], float]:
    """The rows of one warm-up run, the seconds of ``runs`` more and their median CPU seconds."""
    rows = len(query.run(store, values).rows)
    times, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        query.run(store, values)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return rows, times, statistics.median(cpu)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default=None)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-reference", action="store_true", help="do not time the plain queries")
    ap.add_argument("--aggregates", action="store_true", help="time the counting of the graph of counts")
    args = ap.parse_args()
    settings = get_settings()
    store = EmbeddedStore(args.store or settings.store, read_only=True)
    if len(store) == 0:
        raise SystemExit("the store is empty: run `kamergraph build` first")
    catalog = Catalog.load(base=settings.base)
    reference = Catalog.load(QUERIES_DIR / "reference", base=settings.base)
    print(f"{'query':50} {'rows':>6} {'best s':>8} {'median s':>9} {'cpu s':>6} {'plain s':>8} {'ratio':>6}"
          f"  target {TARGET_S} s")
    worst = 0.0
    runs = [(q.name, "", PARAMS.get(q.name, {})) for q in catalog] + EXTRA
    for name, label, values in runs:
        rows, times, cpu = timed(catalog[name], store, values, args.runs)
        med = statistics.median(times)
        worst = max(worst, med)
        plain = ""
        if name in reference and not args.no_reference:
            _, ref_times, _ = timed(reference[name], store, values, max(1, args.runs // 2))
            plain = f"{statistics.median(ref_times):8.3f} {statistics.median(ref_times) / med:6.1f}"
        title = f"{name} ({label})" if label else name
        print(f"{title:50} {rows:6} {min(times):8.3f} {med:9.3f} {cpu:6.3f} {plain:>15}"
              f"{'' if med <= TARGET_S else '  over the target'}")
    print(f"slowest median: {worst:.3f} s")
    if args.aggregates:
        timings: dict[str, float] = {}
        t0, c0 = time.perf_counter(), time.process_time()
        quads = aggregate_quads(store, Iris(settings.base), timings=timings)
        print(f"counting the aggregates: {time.perf_counter() - t0:.2f} s wall, {time.process_time() - c0:.2f} s CPU, "
              f"{len(quads)} statements (" + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()) + ")")
    store.close()


if __name__ == "__main__":
    main()
