"""How fast the EU linker reads the titles of all Zaken, and what it finds: the seconds of
:func:`ingest.citations.linker.link_title` over every ``Onderwerp`` in
``data/tk-odata/zaken-schriftelijke-vragen.jsonl.gz`` (each on its own date, the register read
before the clock starts; best of ``--repeat`` runs, in seconds and in seconds of CPU, which other work on
the machine disturbs less), the links per method, the titles linked and the distinct resources (in all and per
method). The target: at most 3 s for the 42,994 titles.

    .venv/bin/python bench/eu/linker_speed.py [--repeat 3] [--show]   # --show prints every link
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ingest.citations.linker import link_title  # noqa: E402
from ingest.citations.register import default_register  # noqa: E402

ZAKEN = ROOT / "data" / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz"
TARGET_SECONDS = 3.0


def titles(path: Path = ZAKEN) -> list[tuple[str, str, dt.date | None]]:
    """(Nummer, Onderwerp, date started) of every Zaak in the OData extract."""
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            z = json.loads(line)
            started = (z.get("GestartOp") or "")[:10]
            out.append((z.get("Nummer") or "", z.get("Onderwerp") or "", dt.date.fromisoformat(started) if started else None))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--show", action="store_true", help="print every link: Zaak, date, method, confidence, words, key")
    args = ap.parse_args(argv)
    zaken = titles()
    reg = default_register()
    best = cpu = float("inf")
    for _ in range(max(1, args.repeat)):
        t0, c0 = time.perf_counter(), time.process_time()
        found = [(n, d, link_title(t, d, reg)) for n, t, d in zaken]
        best, cpu = min(best, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
    per_method: Counter[str] = Counter()
    per_key: Counter[str] = Counter()
    method_cases: dict[str, set[str]] = {}
    method_keys: dict[str, set[str]] = {}
    linked = 0
    for nummer, day, links in found:
        linked += bool(links)
        per_method.update(k.method for k in links)
        per_key.update({k.resource.key for k in links})
        for k in links:
            method_cases.setdefault(k.method, set()).add(nummer)
            method_keys.setdefault(k.method, set()).add(k.resource.key)
        if args.show:
            for k in links:
                print(f"{nummer}\t{day}\t{k.method}\t{k.confidence}\t{k.words}\t{k.resource.key}")
    ok = "within" if best <= TARGET_SECONDS else "OVER"
    print(f"{len(zaken)} titles in {best:.2f} s, {cpu:.2f} s of CPU (best of {args.repeat}; target {TARGET_SECONDS} s: "
          f"{ok})", file=sys.stderr)
    print(f"links per method: {dict(sorted(per_method.items()))}; {sum(per_method.values())} in all", file=sys.stderr)
    for m in sorted(method_cases):
        print(f"  {m}: {len(method_cases[m])} Kamervragen, {len(method_keys[m])} distinct resources", file=sys.stderr)
    print(f"{linked} Kamervragen linked by title to {len(per_key)} distinct resources", file=sys.stderr)
    for key, n in per_key.most_common(15):
        print(f"{n:5d}  {key}", file=sys.stderr)
    return 0 if best <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
