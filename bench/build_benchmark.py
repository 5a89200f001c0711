"""Build benchmark: the full bundled corpus, split by stage, against a bare `oxigraph load`.

Every step runs in a process of its own, so that its wall time, CPU time (user + sys, every thread) and
peak memory (max RSS) are its own; the machine's load average is taken before and after each step:

  1. `kamergraph build` of all bundled Zaken into a fresh embedded store (wall and CPU per stage, from the
     build report), then its export as N-Quads (not timed);
  2. the bare load: pyoxigraph ``Store.bulk_load`` of those N-Quads into another fresh store on disk
     (what `oxigraph load` does), the floor for getting these quads onto disk;

and prints the ratio build / bare load (target <= 3) and the build time (target <= 60 s on an idle
2-core machine). With ``--base TREE`` (a checkout of another commit, e.g. a ``git worktree`` of the
commit before a change) the same steps run for that tree in the same run, alternating with this one,
and the output prints the ratios this tree / base (CPU ratios mean more than wall on a shared machine)
and whether the two stores hold the same statements (their sorted N-Quads, byte for byte).

    python bench/build_benchmark.py [--runs 1] [--base /tmp/kg-base] [--keep DIR] [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# Run in a child process with the tree under test first on sys.path: builds, writes the report and the
# store's N-Quads.
_BUILD = """
import json, sys
from pathlib import Path
from kamergraph.build import build
from kamergraph.settings import get_settings
from ontology.namespaces import Iris
from store.embedded import EmbeddedStore
work = Path(sys.argv[1])
settings = get_settings()
store = EmbeddedStore(work / "store")
report = build(store, Path(sys.argv[2]), Iris(settings.base))
(work / "report.json").write_text(json.dumps({
    "stages_s": report.timings, "stages_cpu_s": getattr(report, "cpu", {}), "quads": len(store),
    "records": report.counts(),
    "shacl_by_shape": report.validation.by_shape() if report.validation else {}}, default=str))
"""
_EXPORT = """
import sys
from store.embedded import EmbeddedStore
store = EmbeddedStore(sys.argv[1], read_only=True)
with open(sys.argv[2], "wb") as fh:
    store.dump(fh, "nq")
"""
_BARE = """
import sys
import pyoxigraph as ox
ox.Store(sys.argv[1]).bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS)
"""


def measured(code: str, args: list[str], tree: Path) -> dict[str, Any]:
    """Runs ``code`` in a fresh Python process with ``tree`` first on its path; its wall time, user + sys CPU
    time, peak RSS and the load average before and after."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    load0 = os.getloadavg()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=tree, env=env)
    _pid, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"step failed in {tree} (exit code {proc.returncode}): {args}")
    return {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "user_s": ru.ru_utime, "sys_s": ru.ru_stime,
            "max_rss_mb": ru.ru_maxrss / 1024, "loadavg_before": load0[0], "loadavg_after": os.getloadavg()[0]}


def sorted_digest(nq: Path) -> str:
    """The sha256 of the N-Quads file's lines, sorted bytewise (the store's statements in a fixed order)."""
    out = subprocess.run(["sort", "-S", "512M", str(nq)], check=True, capture_output=True,
                         env={**os.environ, "LC_ALL": "C"}).stdout
    return hashlib.sha256(out).hexdigest()


def one_run(tree: Path, work: Path) -> dict[str, Any]:
    """Build, export, bare load for ``tree`` in ``work``: every figure of the run."""
    work.mkdir(parents=True, exist_ok=True)
    data_dir = str(Path(os.environ.get("KAMERGRAPH_DATA_DIR", tree / "data")))
    b = measured(_BUILD, [str(work), data_dir], tree)
    info = json.loads((work / "report.json").read_text(encoding="utf-8"))
    nq = work / "export.nq"
    measured(_EXPORT, [str(work / "store"), str(nq)], tree)
    bare = measured(_BARE, [str(work / "bare"), str(nq)], tree)
    return {"tree": str(tree), "build": b, "bare_load": bare, **info,
            "ratio_build_to_bare_wall": b["wall_s"] / bare["wall_s"],
            "ratio_build_to_bare_cpu": b["cpu_s"] / bare["cpu_s"],
            "sorted_nquads_sha256": sorted_digest(nq)}


def _print(label: str, r: dict[str, Any]) -> None:
    b, bare = r["build"], r["bare_load"]
    print(f"{label}: build {b['wall_s']:.1f} s wall, {b['cpu_s']:.1f} s CPU, {b['max_rss_mb']:.0f} MB peak "
          f"(load {b['loadavg_before']:.1f}->{b['loadavg_after']:.1f}) | bare load {bare['wall_s']:.1f} s wall, "
          f"{bare['cpu_s']:.1f} s CPU, {bare['max_rss_mb']:.0f} MB (load {bare['loadavg_before']:.1f}->"
          f"{bare['loadavg_after']:.1f}) | build/bare {r['ratio_build_to_bare_wall']:.2f} wall, "
          f"{r['ratio_build_to_bare_cpu']:.2f} CPU | {r['quads']:,} quads")
    cpu = r.get("stages_cpu_s") or {}
    for stage, s in r["stages_s"].items():
        extra = f" {cpu[stage]:7.2f} s CPU" if stage in cpu else ""
        print(f"    {stage:<16} {s:7.2f} s wall{extra}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--base", help="another checkout (e.g. a git worktree of the commit before a change) to "
                                   "build in the same run, for ratios and the comparison of the stores")
    ap.add_argument("--keep", help="work in this folder and keep the stores and N-Quads (default: a temporary one)")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    trees = [("this", ROOT)] + ([("base", Path(args.base).resolve())] if args.base else [])
    runs: list[dict[str, dict[str, Any]]] = []
    with contextlib.ExitStack() as stack:
        tmp = args.keep or stack.enter_context(tempfile.TemporaryDirectory(prefix="kg-bench-"))
        for i in range(args.runs):
            order = trees if i % 2 == 0 else trees[::-1]  # alternate, so that drift in load hits both alike
            run = {name: one_run(tree, Path(tmp) / f"run{i}-{name}") for name, tree in order}
            runs.append(run)
            for name, _tree in trees:
                _print(f"run {i + 1} {name}", run[name])
            if "base" in run:
                t, base = run["this"], run["base"]
                same = t["sorted_nquads_sha256"] == base["sorted_nquads_sha256"]
                print(f"run {i + 1} this/base: wall {t['build']['wall_s'] / base['build']['wall_s']:.2f}, CPU "
                      f"{t['build']['cpu_s'] / base['build']['cpu_s']:.2f}, peak RSS "
                      f"{t['build']['max_rss_mb'] / base['build']['max_rss_mb']:.2f}; same statements: {same}")
    best = min((r["this"] for r in runs), key=lambda r: r["build"]["wall_s"])
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"cores: {os.cpu_count()}")
    print(f"best build: {best['build']['wall_s']:.2f} s (target <= 60 s idle); ratio to bare load: "
          f"{best['ratio_build_to_bare_wall']:.2f} wall (target <= 3), {best['ratio_build_to_bare_cpu']:.2f} CPU")
    print(f"records: {best['records']}")
    print(f"SHACL results by shape: {best['shacl_by_shape']}")
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
