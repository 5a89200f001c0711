"""Build at scale: `kamergraph build` of a corpus k times the bundled one (10x by default), its wall time,
CPU time and peak memory.

The larger corpus is generated from the real records' shapes: every OData Zaak of
``data/tk-odata/zaken-schriftelijke-vragen.jsonl.gz`` is kept, and k - 1 copies of it are added, each
with an ``Id`` of its own (a UUID derived from the original's) and a ``Nummer`` of its own in the same
year: the first numbers of that year that no Zaak of the file uses, in order (``2019Z15231`` keeps its
year, so its dates, askers, fracties and posts resolve exactly as the original's do). Titles, dates and
the names of askers and addressees are the original's. The copies have no texts and no publication ids
(those are keyed by the real Zaak numbers), as the cases without a bundled text have none. The reference
data (members, fracties, posts, cabinets) stays once, as it would in a larger corpus.

The build runs in a child process (``kamergraph build --odata FILE --store DIR``) under ``--work``
(default ``/tmp/kamergraph-build-scale``, never the repository): its wall time, user + sys CPU time and
peak resident memory (``ru_maxrss`` from ``os.wait4``) are reported with the quads written and the
stages of its report. The machine's load average is printed before and after.

    python bench/build_scale.py [--scale 10] [--work /tmp/kamergraph-build-scale] [--keep] [--json out.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ODATA = ROOT / "data" / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz"
COPY_NS = uuid.UUID("6f1c1a57-3c1e-4b55-9d39-6b0e8f1a2c10")  # the namespace of the copies' Ids


def _records(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _free_numbers(used: set[int]) -> Iterator[int]:
    """The numbers 1..99999 that ``used`` does not hold, in order."""
    return (n for n in range(1, 100_000) if n not in used)


def scaled(records: list[dict], scale: int) -> Iterator[dict]:
    """The records, then ``scale - 1`` copies of each with an Id and a Nummer of their own (see the module's
    docstring). Ends the script if a year has too few free numbers."""
    used: dict[str, set[int]] = defaultdict(set)
    for rec in records:
        used[rec["Nummer"][:4]].add(int(rec["Nummer"][5:]))
    free = {year: _free_numbers(nums) for year, nums in used.items()}
    yield from records
    for copy in range(1, scale):
        for rec in records:
            year = rec["Nummer"][:4]
            number = next(free[year], None)
            if number is None:
                raise SystemExit(f"{ODATA}: year {year} has too few free Zaak numbers for {scale} copies")
            yield {**rec, "Id": str(uuid.uuid5(COPY_NS, f"{rec['Id']}-{copy}")), "Nummer": f"{year}Z{number:05d}"}


def write_scaled(scale: int, out: Path) -> int:
    """Writes the corpus ``scale`` times the bundled one to ``out`` (gzipped JSON Lines); the records written."""
    n = 0
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=1) as fh:
        for rec in scaled(_records(ODATA), scale):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    return n


def _peak_sampler(pid: int, peak: dict[str, int], stop: list[bool]) -> None:
    """Samples the child's RssAnon and RssFile (kB) every 0.2 s into ``peak``."""
    status = Path(f"/proc/{pid}/status")
    while not stop[0]:
        try:
            for line in status.read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("RssAnon", "RssFile"):
                    peak[key] = max(peak.get(key, 0), int(value.split()[0]))
        except (OSError, ValueError):
            return
        time.sleep(0.2)


def run_build(odata: Path, work: Path) -> dict:
    """``kamergraph build`` of ``odata`` into a fresh store under ``work``: wall, CPU, peak memory, report."""
    import threading

    store, report = work / "store", work / "report.json"
    shutil.rmtree(store, ignore_errors=True)
    cmd = [str(ROOT / ".venv" / "bin" / "kamergraph"), "build", "--store", str(store), "--odata", str(odata),
           "--report", str(report), "--quiet"]
    if not Path(cmd[0]).exists():
        cmd[0:1] = [sys.executable, "-m", "kamergraph.cli"]
    load0 = os.getloadavg()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
    peak: dict[str, int] = {}
    stop = [False]
    sampler = threading.Thread(target=_peak_sampler, args=(proc.pid, peak, stop), daemon=True)
    sampler.start()
    _pid, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    stop[0] = True
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"kamergraph build of {odata} failed (exit code {code})")
    rep = json.loads(report.read_text()) if report.exists() else {}
    return {"wall_s": round(wall, 1), "cpu_s": round(ru.ru_utime + ru.ru_stime, 1),
            "max_rss_mb": round(ru.ru_maxrss / 1024), "peak_rss_anon_mb": round(peak.get("RssAnon", 0) / 1024),
            "peak_rss_file_mb": round(peak.get("RssFile", 0) / 1024),
            "load_before": [round(x, 2) for x in load0], "load_after": [round(x, 2) for x in os.getloadavg()],
            "stages_s": rep.get("timings_s"), "quads": rep.get("store_quads")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, default=10)
    ap.add_argument("--work", type=Path, default=Path("/tmp/kamergraph-build-scale"))
    ap.add_argument("--keep", action="store_true", help="keep the store and the generated records")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    work = args.work / f"x{args.scale}"
    work.mkdir(parents=True, exist_ok=True)
    odata = work / "zaken.jsonl.gz"
    t0 = time.perf_counter()
    n = write_scaled(args.scale, odata)
    print(f"{n:,} Zaken ({args.scale}x) written in {time.perf_counter() - t0:.1f} s: {odata}")
    result = {"scale": args.scale, "zaken": n, **run_build(odata, work)}
    print(f"build {args.scale}x: wall {result['wall_s']} s, CPU {result['cpu_s']} s, peak RSS {result['max_rss_mb']:,} MB "
          f"(anon {result['peak_rss_anon_mb']:,} MB, file {result['peak_rss_file_mb']:,} MB), "
          f"quads {result['quads']}; load {result['load_before']} -> {result['load_after']}")
    if result["stages_s"]:
        print("stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in result["stages_s"].items()))
    print(f"target: 10x build <= 600 s: {'met' if result['wall_s'] <= 600 else 'missed'}" if args.scale == 10 else "")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
