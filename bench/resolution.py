"""Measure name resolution on the full OData file.

Takes the same two-pass path as the build: load_reference, read the Zaken of
data/tk-odata/zaken-schriftelijke-vragen.jsonl.gz with the OData reader, complete_reference (the
periods the askers prove), Resolver on the completed reference; then resolves every
Indiener/Medeindiener/GerichtAan name on GestartOp's date and prints the shares, the times, the
inferred periods and the unresolved names grouped by reason.
Usage: python bench/resolution.py [--all] [--single-pass]
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.infer import complete_reference  # noqa: E402
from ingest.reference import load_reference  # noqa: E402
from ingest.resolve import Resolver  # noqa: E402
from ingest.sources.odata import read_jsonl  # noqa: E402

DATA = ROOT / "data"


def _generalise(reason: str) -> str:
    """Group reasons: drop dates and the details in parentheses."""
    r = re.sub(r"\d{4}-\d{2}-\d{2}", "<date>", reason)
    r = re.sub(r"\(.*\)", "(...)", r)
    return r


def main() -> None:
    show_all = "--all" in sys.argv
    single = "--single-pass" in sys.argv
    t0 = time.perf_counter()
    base = load_reference(DATA)
    t1 = time.perf_counter()
    rows = [z for z in read_jsonl(DATA / "tk-odata/zaken-schriftelijke-vragen.jsonl.gz") if not isinstance(z, Exception)]
    rows = [z for z in rows if not z.verwijderd]
    t2 = time.perf_counter()
    ref = base if single else complete_reference(base, rows)
    t3 = time.perf_counter()
    resolver = Resolver(ref)
    t3b = time.perf_counter()
    ask_total = ask_ok = ask_person = add_total = add_ok = 0
    ask_reasons: Counter[tuple[str, str]] = Counter()
    add_reasons: Counter[tuple[str, str]] = Counter()
    chosen: Counter[str] = Counter()
    missing_post: Counter[tuple[str, str]] = Counter()
    inferred_links = 0
    for z in rows:
        on = z.gestart_op
        pos = 0
        for role, names in (("indiener", z.indieners), ("medeindiener", z.medeindieners)):
            for n in names:
                pos += 1
                a = resolver.resolve_asker(n, role, pos, on)  # type: ignore[arg-type]
                ask_total += 1
                if a.person_key:
                    ask_person += 1
                if a.person_key and a.fractie_key:
                    ask_ok += 1
                    inferred_links += "afgeleide" in (a.method or "")
                else:
                    ask_reasons[(n, a.unresolved_reason or "?")] += 1
        for i, n in enumerate(z.gericht_aan, start=1):
            b = resolver.resolve_addressee(n, i, on)
            add_total += 1
            if b.person_key and b.post_key:
                add_ok += 1
                if b.method and "posten op datum" in b.method:
                    chosen[f"{n}: {b.method.split('; ', 1)[1]}"] += 1
            else:
                add_reasons[(n, b.unresolved_reason or "?")] += 1
                if 2007 <= on.year <= 2024:
                    missing_post[(n, _generalise(b.unresolved_reason or "?"))] += 1
    t4 = time.perf_counter()
    n_inf = sum(1 for f in ref.fractie_memberships if f.derivation and f.derivation.startswith("afgeleid"))
    n_ext = sum(1 for f in ref.fractie_memberships if f.derivation and "verlengd (afgeleid)" in f.derivation)
    print(f"reference: {len(ref.persons)} persons, {len(ref.fractie_memberships)} fractie periods "
          f"({n_inf} inferred, {n_ext} derived periods extended), {len(ref.holdings)} holdings, "
          f"{len(ref.report)} report lines; load {t1 - t0:.2f}s")
    print(f"zaken: {len(rows)} (read {t2 - t1:.2f}s); complete_reference (evidence pass + inference): {t3 - t2:.2f}s; "
          f"index {t3b - t3:.2f}s; resolution of all names: {t4 - t3b:.2f}s")
    print(f"  extra time of the two-pass path (complete_reference): {t3 - t2:.2f}s; "
          f"asker links through an inferred/extended period: {inferred_links}")
    print(f"askers: {ask_ok}/{ask_total} resolved to person+fractie = {100 * ask_ok / ask_total:.2f}% "
          f"(person only: {100 * ask_person / ask_total:.2f}%)  target >= 99.5%")
    print(f"addressees: {add_ok}/{add_total} resolved to person+post = {100 * add_ok / add_total:.2f}%  target >= 98%")

    def grouped(counter: Counter[tuple[str, str]], title: str) -> None:
        by_reason: Counter[str] = Counter()
        for (n, r), c in counter.items():
            by_reason[_generalise(r)] += c
        print(f"\n{title}: {sum(counter.values())} occurrences, {len(counter)} distinct (name, reason)")
        for r, c in by_reason.most_common():
            print(f"  {c:5d}  {r}")
        print("  by name:")
        for (n, r), c in sorted(counter.items(), key=lambda kv: -kv[1])[: None if show_all else 40]:
            print(f"  {c:5d}  {n!r}: {r}")

    grouped(ask_reasons, "unresolved askers")
    grouped(add_reasons, "unresolved addressees")
    print("\naddressed persons of 2007-2024 not resolved to a post held on the date:")
    for (n, r), c in sorted(missing_post.items(), key=lambda kv: -kv[1]):
        print(f"  {c:5d}  {n!r}: {r}")
    print("\naddressees holding several posts on the date (choice made):")
    for k, c in chosen.most_common(30):
        print(f"  {c:5d}  {k}")


if __name__ == "__main__":
    main()
