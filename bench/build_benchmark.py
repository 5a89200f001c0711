"""Build benchmark: the full bundled corpus, split by stage, against a bare `oxigraph load`.

Runs in one process, side by side:
  1. `kamergraph build` of all bundled Zaken into a fresh embedded store (timed per stage);
  2. export of that store as N-Quads;
  3. `oxigraph load` (the Oxigraph server's CLI, from PyPI) of that N-Quads file into another
     fresh store — the floor for getting these quads onto disk;
and prints the ratio build / bare load (target <= 3) and the build time (target <= 60 s).

    python bench/build_benchmark.py [--runs 1] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kamergraph.build import build  # noqa: E402
from kamergraph.settings import get_settings  # noqa: E402
from ontology.namespaces import Iris  # noqa: E402
from store.embedded import EmbeddedStore  # noqa: E402


def oxigraph_cli() -> str:
    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(exe).exists():
        raise SystemExit("the `oxigraph` command (pip install oxigraph) is needed for the bare-load baseline")
    return exe


def one_run(work: Path) -> dict[str, object]:
    settings = get_settings()
    store = EmbeddedStore(work / "store")
    t0 = time.perf_counter()
    report = build(store, settings.data_dir, Iris(settings.base))
    build_s = time.perf_counter() - t0
    nq = work / "export.nq"
    t1 = time.perf_counter()
    with nq.open("wb") as fh:
        store.dump(fh, "nq")
    export_s = time.perf_counter() - t1
    quads = len(store)
    store.close()

    t2 = time.perf_counter()
    subprocess.run(
        [oxigraph_cli(), "load", "--location", str(work / "bare"), "--file", str(nq)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    bare_s = time.perf_counter() - t2
    return {
        "build_s": build_s,
        "stages_s": report.timings,
        "export_nq_s": export_s,
        "bare_oxigraph_load_s": bare_s,
        "ratio_build_to_bare_load": build_s / bare_s,
        "quads": quads,
        "records": report.counts(),
        "resolution": {k: v for k, v in report.resolution.items() if k != "unresolved_top"},
        "shacl_by_shape": report.validation.by_shape() if report.validation else {},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    runs = []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
            r = one_run(Path(tmp))
        runs.append(r)
        print(f"run {i + 1}: build {r['build_s']:.2f} s | bare oxigraph load {r['bare_oxigraph_load_s']:.2f} s | "
              f"ratio {r['ratio_build_to_bare_load']:.2f} | {r['quads']:,} quads")
        for stage, s in r["stages_s"].items():  # type: ignore[union-attr]
            print(f"    {stage:<16} {s:6.2f} s")
        print(f"    (export N-Quads  {r['export_nq_s']:6.2f} s)")
    best = min(runs, key=lambda r: r["build_s"])  # type: ignore[arg-type, return-value]
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"cores: {__import__('os').cpu_count()}")
    print(f"best build: {best['build_s']:.2f} s (target <= 60 s); ratio to bare load: "
          f"{best['ratio_build_to_bare_load']:.2f} (target <= 3)")
    print(f"records: {best['records']}")
    print(f"resolution: {best['resolution']}")
    print(f"SHACL results by shape: {best['shacl_by_shape']}")
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
