"""Benchmark: FastValidator on ~45,000 synthetic Zaak graphs (run: python tests/shapes/bench_fast_validator.py [n])."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_store  # noqa: E402

from shapes.validate import FastValidator  # noqa: E402


def main(n: int = 45_000) -> None:
    t0 = time.perf_counter()
    store, graphs, bad = synthetic_store(n, bad_every=1000)
    t1 = time.perf_counter()
    fv = FastValidator()
    t2 = time.perf_counter()
    report = fv.validate_store(store)
    t3 = time.perf_counter()
    found = {r.focus_node for r in report.results}
    print(f"{n} Zaak graphs, {len(store)} quads: built in {t1 - t0:.1f} s")
    print(f"compile {len(fv.queries)} queries: {t2 - t1:.2f} s")
    print(f"validate_store (whole store): {t3 - t2:.2f} s, {len(report.results)} results, "
          f"{'exactly the injected' if found == bad else 'MISMATCH'} ({len(bad)} injected)")
    t4 = time.perf_counter()
    sub = fv.validate_store(store, graphs[:500])
    t5 = time.perf_counter()
    print(f"validate_store (500 graphs): {t5 - t4:.2f} s, {len(sub.results)} results")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 45_000)
