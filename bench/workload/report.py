"""The workload's report: the table of p50s and ratios, the geometric means, the slow queries and the row
checks (:func:`print_report`), and Oxigraph's explanation of the slowest queries (:func:`explain`)."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.workload.workload import Item


def _cell(r: dict | None) -> str:
    if r is None:
        return "-"
    if r["failed"]:
        last = (r["times"] or [r["first"]])[-1]
        return f"{r['failed']} (≥{last * 1000:.0f})" if "cap" in r["failed"] or "limit" in r["failed"] else r["failed"][:40]
    return f"{r['p50'] * 1000:.1f}"


def _lower_bound(r: dict | None) -> float | None:
    """p50 in seconds; for a run stopped at a limit, the time it ran (a lower bound); None for an error."""
    if r is None:
        return None
    if r["p50"] is not None:
        return r["p50"]
    if r["failed"] and ("cap" in r["failed"] or "limit" in r["failed"]):
        return (r["times"] or [r["first"]])[-1]
    return None


def _geomean(xs: list[float]) -> float | None:
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def ratios(results: dict, a: str, b: str) -> tuple[dict[str, float], bool]:
    """p50(a) / p50(b) per query where both have a time (stopped runs count with the time they ran:
    a lower bound on ``a``'s side, an upper bound on ``b``'s); and whether any is such a bound."""
    out: dict[str, float] = {}
    bounded = False
    for name, res in results.items():
        x, y = _lower_bound(res.get(a)), _lower_bound(res.get(b))
        if x is None or y is None or y <= 0:
            continue
        bounded = bounded or res[a]["p50"] is None or res[b]["p50"] is None
        out[name] = x / y
    return out, bounded


def row_checks(items: list[Item], results: dict, systems: list[str]) -> list[str]:
    """Every row count that differs from the file's ``# rows:`` (or that has none to compare with)."""
    problems = []
    for item in items:
        for s in systems:
            r = results[item.name].get(s)
            if r is None or r["rows"] is None:
                continue
            if item.expected is None:
                problems.append(f"{item.name}: no '# rows:' for it; {s} gave {r['rows']}")
                break
            if r["rows"] != item.expected:
                problems.append(f"{item.name}: {s} gave {r['rows']} rows, the file says {item.expected}")
    return problems


def print_report(items: list[Item], results: dict, systems: list[str], args: Any, load0: tuple, load1: tuple,
                 extra: dict) -> dict:
    """Print the table and the summaries; return them as a dict (for ``--json``)."""
    print(f"\nworkload at {args.scale}x, {args.n} runs per query and system, cap {args.cap:g} s; load average "
          f"before {load0[0]:.2f} / {load0[1]:.2f} / {load0[2]:.2f}, after {load1[0]:.2f} / {load1[1]:.2f} / "
          f"{load1[2]:.2f} on {os.cpu_count()} CPUs")
    for key, value in extra.items():
        print(f"{key}: {value}")
    pairs = [(s, "virtuoso") for s in ("embedded", "endpoint") if s in systems and "virtuoso" in systems]
    head = " | ".join(f"{s} p50 ms" for s in systems) + "".join(f" | {a}/virtuoso" for a, _ in pairs)
    print(f"\n| query | rows (file) | {head} |")
    print("|---|---:|" + "---:|" * (len(systems) + len(pairs)))
    per_pair = {f"{a}/{b}": ratios(results, a, b) for a, b in pairs}
    for item in items:
        res = results[item.name]
        cells = [_cell(res.get(s)) for s in systems]
        cells += [f"{per_pair[f'{a}/{b}'][0][item.name]:.2f}" if item.name in per_pair[f"{a}/{b}"][0] else "-"
                  for a, b in pairs]
        print(f"| {item.name} | {item.expected if item.expected is not None else '?'} | {' | '.join(cells)} |")
    summary: dict[str, Any] = {"scale": args.scale, "n": args.n, "cap": args.cap, "load_before": load0,
                               "load_after": load1, **extra, "results": results, "geomean": {}}
    print()
    for key, (rs, bounded) in per_pair.items():
        g = _geomean(list(rs.values()))
        summary["geomean"][key] = g
        if g is not None:
            print(f"geometric mean of {key} over {len(rs)} queries: {g:.2f}"
                  + (" (some runs stopped at a limit: their time counts as it ran)" if bounded else ""))
    for s in systems:
        slow = [i.name for i in items if (_lower_bound(results[i.name].get(s)) or 0) > 1.0]
        over = [i.name for i in items if (_lower_bound(results[i.name].get(s)) or 0) > args.limit
                or (results[i.name].get(s) or {}).get("failed")]
        errors = [f"{i.name}: {results[i.name][s]['failed']}" for i in items
                  if (results[i.name].get(s) or {}).get("failed") not in (None, "over the cap", "time limit")]
        summary[f"{s}_over_1s"], summary[f"{s}_over_limit"], summary[f"{s}_errors"] = slow, over, errors
        print(f"{s}: over 1 s: {len(slow)} {slow}")
        print(f"{s}: over the endpoint's limit ({args.limit:g} s) or stopped: {len(over)} {over}")
        if errors:
            print(f"{s}: errors: {errors}")
    problems = row_checks(items, results, systems)
    summary["row_mismatches"] = problems
    print(f"row counts that differ from the files: {len(problems)}")
    for p in problems:
        print(f"  {p}")
    return summary


def explain(items: list[Item], results: dict, store: Path, work: Path, k: int, timeout: float) -> dict[str, str]:
    """Oxigraph's explanation with statistics (``oxigraph query --explain-file … --stats``) of the ``k``
    queries slowest on the embedded store, run on a copy of the store (the CLI opens it for writing);
    the files' paths by query name."""
    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    # the slowest that finished (one stopped at the cap would not finish here either)
    slow = sorted((i for i in items if (results[i.name].get("embedded") or {}).get("p50") is not None),
                  key=lambda i: -results[i.name]["embedded"]["p50"])[:k]
    copy = work / f"{store.name}-explain"
    if not copy.exists():
        shutil.copytree(store, copy)
    out: dict[str, str] = {}
    for item in slow:
        target = work / "explain" / f"{item.name.replace(':', '_').replace('#', '_')}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        from store.sparqltext import query_form

        fmt = "nt" if query_form(item.text) in ("construct", "describe") else "csv"
        try:
            subprocess.run([exe, "query", "--location", str(copy), "--union-default-graph", "--query", item.text,
                            "--results-format", fmt, "--results-file", str(target.with_suffix("." + fmt)),
                            "--explain-file", str(target),
                            "--stats"], check=True, timeout=timeout, capture_output=True)
            out[item.name] = str(target)
        except subprocess.TimeoutExpired:
            out[item.name] = f"not explained: over {timeout:g} s"
        except subprocess.CalledProcessError as exc:
            out[item.name] = f"not explained: {exc.stderr.decode(errors='replace')[:200]}"
        print(f"explanation of {item.name}: {out[item.name]}")
    return out
