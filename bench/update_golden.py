"""Rewrite the golden outputs of the named queries (``tests/golden/queries/named/*.csv``) from a
full store: a deliberate act after a deliberate change to a query or to the data. The tests only
read these files (``tests/queries/test_named_queries.py``); review the diff before committing it.

    python bench/update_golden.py [--store var/store] [NAME ...]

Each query runs with the parameters of its golden run (``tests/support/golden.py``); without
names, every named query is rewritten.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kamergraph.output import to_csv  # noqa: E402
from kamergraph.settings import get_settings  # noqa: E402
from queries.catalog import Catalog  # noqa: E402
from store.embedded import EmbeddedStore  # noqa: E402
from tests.support.golden import GOLDEN_PARAMS, NAMED_GOLDEN  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default=None, help="the full store (default: the configured store)")
    ap.add_argument("names", nargs="*", help="named queries to rewrite (default: all)")
    args = ap.parse_args()
    catalog = Catalog.load()
    unknown = sorted(set(args.names) - set(GOLDEN_PARAMS))
    if unknown:
        raise SystemExit(f"no golden run for {', '.join(unknown)} (known: {', '.join(sorted(GOLDEN_PARAMS))})")
    store = EmbeddedStore(args.store or get_settings().store)
    try:
        if len(store) == 0:
            raise SystemExit("the store is empty: run `kamergraph build` first")
        NAMED_GOLDEN.mkdir(parents=True, exist_ok=True)
        for name in args.names or sorted(GOLDEN_PARAMS):
            result = catalog[name].run(store, GOLDEN_PARAMS[name])
            path = NAMED_GOLDEN / f"{name}.csv"
            path.write_text(to_csv(result), encoding="utf-8")
            print(f"{path.relative_to(ROOT)}: {len(result.rows)} rows")
    finally:
        store.close()


if __name__ == "__main__":
    main()
