"""The wall-clock limits that used to sit inside unit tests, measured on their own.

A limit of seconds inside a unit test fails on a busy machine (the tests run in parallel) and says
nothing about correctness; the tests keep the functional checks, and this script times the same work
and compares it with the limit each test had:

- resolution: completing the reference with the periods the askers prove (complete_reference) on the
  full OData file, 2 s; resolving every asker and addressee of the file, 2 s
  (tests/ingest/test_resolve.py);
- the query guard: refusing a query nested one level past MAX_NESTING, 1 s (tests/queries/test_guard.py).

Each is run ``--repeat`` times (default 3) and the fastest counts. Prints one line per limit; exits 1
when one is over its limit.
Usage: python bench/time_limits.py [--repeat N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.infer import complete_reference  # noqa: E402
from ingest.records import ZaakRecord  # noqa: E402
from ingest.reference import load_reference  # noqa: E402
from ingest.resolve import Resolver  # noqa: E402
from ingest.sources.odata import read_jsonl  # noqa: E402
from queries.errors import QueryRejected  # noqa: E402
from queries.guard import MAX_NESTING, check  # noqa: E402

DATA = ROOT / "data"


def fastest(work: Callable[[], object], repeat: int) -> float:
    """The shortest of ``repeat`` runs of ``work``, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return min(times)


def resolve_all(resolver: Resolver, zaken: list[ZaakRecord]) -> None:
    """Every asker and addressee of ``zaken`` (deleted ones left out), as the test resolves them."""
    for z in zaken:
        if z.verwijderd:
            continue
        on = z.gestart_op
        for i, n in enumerate(z.indieners + z.medeindieners, 1):
            resolver.resolve_asker(n, "indiener" if i == 1 else "medeindiener", i, on)
        for i, n in enumerate(z.gericht_aan, 1):
            resolver.resolve_addressee(n, i, on)


def refuse_nesting() -> None:
    """The guard refusing a query nested one level past its limit."""
    text = "SELECT * WHERE { " + "{ " * (MAX_NESTING + 1) + "?s ?p ?o" + " }" * (MAX_NESTING + 1) + " }"
    try:
        check(text)
    except QueryRejected:
        return
    raise AssertionError("the guard accepted a query nested past its limit")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    ref = load_reference(DATA)
    zaken = [z for z in read_jsonl(DATA / "tk-odata/zaken-schriftelijke-vragen.jsonl.gz") if isinstance(z, ZaakRecord)]
    resolver = Resolver(complete_reference(ref, zaken))
    measured = [
        ("complete_reference, full OData file", fastest(lambda: complete_reference(ref, zaken), repeat), 2.0),
        ("resolve every asker and addressee", fastest(lambda: resolve_all(resolver, zaken), repeat), 2.0),
        (f"guard refuses nesting {MAX_NESTING + 1}", fastest(refuse_nesting, repeat), 1.0),
    ]
    over = 0
    for what, seconds, limit in measured:
        ok = seconds < limit
        over += not ok
        print(f"{what:<42} {seconds:7.3f} s  (limit {limit:g} s)  {'ok' if ok else 'OVER'}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
