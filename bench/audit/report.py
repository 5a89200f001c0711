"""The audit's figures: compares a built store with the golden file (``tests/golden/audit/zaken-audit.csv``)
and prints, per year and in total, the statements checked, the wrong ones (fractie, post or ministry, or a
missing person) and the error rate, the fracties the graph leaves unstated, the names shown otherwise than
the person used them, and the ambiguous addressings of the sample (by the historical record, and as the
graph states them); then every mismatch by class.

Run: ``.venv/bin/python bench/audit/report.py --store var/store`` (the store is opened read-only);
``--write-known`` rewrites ``tests/golden/audit/known-mismatches.csv`` from this store's mismatches (do that
only deliberately: it is the list of open problems the test expects).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.audit.compare import AMBIGUOUS, KNOWN, NOT_STATED, compare, is_wrong  # noqa: E402


def per_year(rows: list[dict], result: dict) -> dict[str, Counter]:
    """Counts per year of submission: checked, wrong, not stated, name only, ambiguous (record), ambiguous
    (graph)."""
    years: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        key = (row["zaak"], row["role"], row["position"])
        c = years[row["date"][:4]]
        c["checked"] += 1
        c["wrong"] += is_wrong(result[key])
        stated = not any(m.kind in NOT_STATED for m in result[key])
        c["not stated"] += not is_wrong(result[key]) and not stated
        c["name only"] += bool(result[key]) and not is_wrong(result[key]) and stated
        if row["role"] == "addressee" and row["expected_post"].startswith(AMBIGUOUS):
            c["ambiguous (record)"] += 1
            c["ambiguous (graph)"] += not any(m.field == "post" for m in result[key])
    return years


def print_report(rows: list[dict], result: dict) -> None:
    years = per_year(rows, result)
    cols = ("checked", "wrong", "not stated", "name only", "ambiguous (record)", "ambiguous (graph)")
    print(f"{'year':6}" + "".join(f"{c:>20}" for c in cols) + f"{'error rate':>12}")
    total: Counter = Counter()
    for year in sorted(years):
        c = years[year]
        total.update(c)
        print(f"{year:6}" + "".join(f"{c[k]:>20}" for k in cols) + f"{c['wrong'] / c['checked']:>12.1%}")
    print(f"{'all':6}" + "".join(f"{total[k]:>20}" for k in cols) + f"{total['wrong'] / total['checked']:>12.1%}")
    print(f"\n{len({r['zaak'] for r in rows})} Zaken, {total['checked']} statements; "
          f"error rate {total['wrong']}/{total['checked']} = {total['wrong'] / total['checked']:.1%}")
    kinds = Counter(m.kind for ms in result.values() for m in ms)
    print("\nmismatches by class:")
    for kind, n in kinds.most_common():
        print(f"  {n:4}  {kind}")
        for ms in result.values():
            for m in ms:
                if m.kind == kind:
                    print(f"        {m.zaak} {m.role} {m.position} {m.field}: expected {m.expected!r}, graph {m.found!r}")


def write_known(result: dict, path: Path = KNOWN) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["zaak", "role", "position", "field", "class"])
        for ms in result.values():
            for m in ms:
                w.writerow([m.zaak, m.role, m.position, m.field, m.kind])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True, help="the embedded store's directory")
    ap.add_argument("--write-known", action="store_true", help="rewrite the known-mismatches file from this store")
    args = ap.parse_args()
    from pyoxigraph import Store

    rows, result = compare(Store.read_only(args.store))
    print_report(rows, result)
    if args.write_known:
        write_known(result)
        print(f"\nwrote {KNOWN}")


if __name__ == "__main__":
    main()
