"""Export benchmark: speed and peak memory of `kamergraph export` per format and of `kamergraph
dumps` (a whole release), on the full store (1x) and on synthetic stores ten (10x) or more times its size.

Every measurement runs the real command line in a child process of its own; its wall time and its
peak resident memory (``ru_maxrss`` of that child, from ``os.wait4``) are reported with the
statements written per second. The larger stores are generated from the real graphs' shapes: the N-Quads
of the 1x store, where every record graph (a Kamervraag's, a publication's) is copied nine (19, …) more times
with its graph IRI and its own data IRIs (``{base}id/kamervraag/{zaak}…``, ``{base}id/publicatie/…``,
``{base}id/bronrecord/…``) renamed by a suffix (``2019Z15231-c3``); the reference data and the
ontology stay once, shared, as they would in a larger corpus. The stores live under ``--work``
(default ``/tmp/kamergraph-export-bench``), never in the repository; the full store given by
``--store`` is only copied, never written.

Peak memory is also sampled by kind from ``/proc/{pid}/status``: the process's own (``RssAnon``)
and the pages of the files it maps (``RssFile``: the store's database files, the kernel's page cache).
With ``--read``, two more rows separate the store engine from the writers: Oxigraph alone dumping every
quad with its own Rust writer (``Store.dump``, no Python in between: what the engine itself takes to
read the database), and the N-Triples export with Python's own allocations traced (``tracemalloc``
peak: what the writers hold).

    python bench/export_benchmark.py [--store /tmp/kgfull/store] [--scales 1,10]
                                     [--formats nq,nt,ttl,jsonld] [--formats-10x nt,jsonld]
                                     [--no-release] [--read] [--json out.json]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASE = "https://kamergraph.nl/"
RECORD_GRAPH = re.compile(rb" <" + re.escape(BASE.encode()) + rb"graph/(?:kamervraag|publicatie)/[^>]*> \.$")
RECORD_IRI = re.compile(rb"(<" + re.escape(BASE.encode())
                        + rb"(?:id/(?:kamervraag|publicatie|bronrecord/[^/>]+)|graph/(?:kamervraag|publicatie))/[^/>]+)")

ENGINE = """
import os, sys, tempfile
from pyoxigraph import RdfFormat, Store
store = Store.read_only(sys.argv[1])
fd, path = tempfile.mkstemp(suffix=".nq", dir=sys.argv[2])
os.close(fd)
store.dump(path, RdfFormat.N_QUADS)  # Oxigraph's own Rust writer, no Python in between
with open(path, "rb") as fh:
    print(sum(block.count(b"\\n") for block in iter(lambda: fh.read(1 << 24), b"")))
os.unlink(path)
"""

HEAP = """
import sys, tracemalloc
from store.embedded import EmbeddedStore
from store.export import Sink, write_by_graph
tracemalloc.start()
with EmbeddedStore(sys.argv[1]) as store, open(sys.argv[2], "wb") as raw:
    sink = Sink(raw, 6)
    n = write_by_graph(store, {"nt": sink})
    sink.close()
print(n, tracemalloc.get_traced_memory()[1])
"""

class _Peaks:
    """The peaks of a child's resident memory by kind, sampled from ``/proc/{pid}/status`` every 20 ms:
    ``RssAnon`` (the process's own memory: heaps, buffers) and ``RssFile`` (pages of files it has
    mapped, such as the store's database files: the kernel's page cache, shared and reclaimable)."""

    def __init__(self, pid: int) -> None:
        self.anon = self.file = 0
        self._pid = pid
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                status = Path(f"/proc/{self._pid}/status").read_text()
            except OSError:
                return
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            for key, attr in (("RssAnon", "anon"), ("RssFile", "file")):
                if key in fields:
                    kb = int(fields[key].split()[0]) * 1024
                    setattr(self, attr, max(getattr(self, attr), kb))
            self._stop.wait(0.02)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


PEAKS: dict[str, int] = {}  # of the last measure(): anon and file bytes


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str, float]:
    """Run ``cmd`` as a child process: (wall seconds, peak RSS in bytes, its standard output, CPU
    seconds (user + system): on a machine shared with other work, the CPU time is the steadier figure).
    The peaks of its own and of its file-backed memory are left in ``PEAKS``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    peaks = _Peaks(proc.pid)
    out_chunks: list[bytes] = []
    assert proc.stdout is not None
    for chunk in iter(lambda: proc.stdout.read(1 << 16), b""):
        out_chunks.append(chunk)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    peaks.stop()
    PEAKS.update(anon=peaks.anon, file=peaks.file)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return wall, usage.ru_maxrss * 1024, b"".join(out_chunks).decode("utf-8", "replace"), usage.ru_utime + usage.ru_stime


def kamergraph(*args: str) -> list[str]:
    return [sys.executable, "-m", "kamergraph.cli", *args]


def synthetic_store(source_nq_gz: Path, target: Path, copies: int) -> int:
    """A store with every record graph of ``source_nq_gz`` ``copies`` times (renamed copies), the rest once."""
    from pyoxigraph import RdfFormat, Store

    from store.export_io import IterReader

    def blocks():
        with gzip.open(source_nq_gz, "rb") as fh:
            while True:
                chunk = fh.read(16 << 20)
                if not chunk:
                    return
                rest = fh.readline()
                chunk += rest
                yield chunk
                lines = chunk.split(b"\n")
                record = b"\n".join(ln for ln in lines if RECORD_GRAPH.search(ln)) + b"\n"
                for k in range(1, copies):
                    yield RECORD_IRI.sub(rb"\1-c" + str(k).encode(), record)

    if target.exists():
        shutil.rmtree(target)
    store = Store(str(target))
    store.bulk_load(io.BufferedReader(IterReader(blocks()), 1 << 20), format=RdfFormat.N_QUADS)
    store.flush()
    n = len(store)
    del store
    return n


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--generate":
        print(synthetic_store(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", default="/tmp/kgfull/store", help="the full store (only copied)")
    ap.add_argument("--work", default="/tmp/kamergraph-export-bench", help="where the copies and outputs go")
    ap.add_argument("--scales", default="1,10", help="store sizes to measure, comma-separated (1, 10, 20, …)")
    ap.add_argument("--formats", default="nq,nt,ttl,jsonld", help="export formats to time (gzipped)")
    ap.add_argument("--formats-10x", default=None, help="formats at the larger scales (default: the same as --formats)")
    ap.add_argument("--no-release", action="store_true", help="skip `kamergraph dumps`")
    ap.add_argument("--read", action="store_true", help="also time a bare read of every quad (the floor of any export)")
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    src = Path(args.store)
    if not src.is_dir():
        raise SystemExit(f"{src}: no store there (build one with `kamergraph build --store {src}`)")
    store1 = work / "store-1x"
    if not store1.exists():
        print(f"copying {src} to {store1}", file=sys.stderr)
        shutil.copytree(src, store1)
    level = os.environ.get("KAMERGRAPH_EXPORT_GZIP_LEVEL", "6")
    load0 = f"{os.getloadavg()[0]:.2f}"
    rows: list[dict[str, object]] = []

    def row(scale: str, what: str, wall: float, rss: int, statements: int, size: int, cpu: float) -> None:
        r = {"store": scale, "what": what, "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
             "statements": statements, "per_second": round(statements / wall) if wall else 0,
             "per_cpu_second": round(statements / cpu) if cpu else 0, "peak_rss_mb": round(rss / 1e6, 1),
             "peak_anon_mb": round(PEAKS.get("anon", 0) / 1e6, 1), "peak_file_mb": round(PEAKS.get("file", 0) / 1e6, 1),
             "bytes": size}
        rows.append(r)
        print(f"  {scale:>4} {what:<34} {wall:8.1f} s {cpu:8.1f} s CPU {r['per_second']:>10,}/s "
              f"{r['per_cpu_second']:>10,}/CPU s {r['peak_rss_mb']:>8} MB (own {r['peak_anon_mb']}, files "
              f"{r['peak_file_mb']}) {size:>14,} bytes", file=sys.stderr, flush=True)

    stores = {"1x": store1}
    for scale in [s.strip() for s in args.scales.split(",") if s.strip()]:
        key = f"{scale}x"
        if key != "1x":
            copies = int(scale) if scale.isdigit() and int(scale) > 1 else 0
            if not copies:
                raise SystemExit(f"--scales: 1 or a whole number above 1, not {scale}")
            big = work / f"store-{key}"
            nq1 = work / "out-1x" / "kamergraph.nq.gz"
            if not big.exists() or not (work / f"store-{key}.done").exists():
                if not nq1.exists():
                    nq1.parent.mkdir(parents=True, exist_ok=True)
                    measure(kamergraph("export", "--store", str(store1), "--format", "nq", "--gzip", "-o", str(nq1)))
                print(f"generating the {key} store (every record graph {copies} times)", file=sys.stderr, flush=True)
                t0 = time.perf_counter()
                # in a child process: a child forked from a large parent would report the parent's
                # memory as its own peak (Linux keeps ru_maxrss across exec)
                _, _, stdout, _ = measure([sys.executable, __file__, "--generate", str(nq1), str(big), str(copies)])
                n = int(stdout.strip())
                (work / f"store-{key}.done").write_text(str(n))
                print(f"  {n:,} quads in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
            stores[key] = big
        store = stores[key]
        out = work / f"out-{key}"
        out.mkdir(parents=True, exist_ok=True)
        formats = args.formats if key == "1x" or args.formats_10x is None else args.formats_10x
        for fmt in [f.strip() for f in formats.split(",") if f.strip()]:
            target = out / f"kamergraph.{fmt}.gz"
            wall, rss, stdout, cpu = measure(kamergraph("export", "--store", str(store), "--format", fmt, "--gzip",
                                                        "-o", str(target)))
            m = re.search(r"wrote ([\d,]+) ", stdout)
            n = int(m.group(1).replace(",", "")) if m else 0
            row(key, f"export {fmt}.gz (level {level})", wall, rss, n, target.stat().st_size, cpu)
        if args.read:
            wall, rss, stdout, cpu = measure([sys.executable, "-c", ENGINE, str(store), str(out)])
            row(key, "Oxigraph alone: Store.dump nq", wall, rss, int(stdout.strip()), 0, cpu)
            wall, rss, stdout, cpu = measure([sys.executable, "-c", HEAP, str(store), str(out / "heap.nt.gz")])
            n, heap = (int(x) for x in stdout.split())
            row(key, f"export nt.gz, Python heap peak {heap / 1e6:.0f} MB", wall, rss, n, 0, cpu)
        if not args.no_release:
            wall, rss, _, cpu = measure(kamergraph("dumps", "--store", str(store), "--out", str(out / "dumps"), "--quiet"))
            manifest = json.loads((out / "dumps" / "manifest.json").read_text())
            row(key, "dumps (all four formats)", wall, rss, manifest["quads"],
                sum(f["bytes"] for f in manifest["files"]), cpu)

    print(f"\n(load average before: {load0}, after: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs)")
    print("| store | what | seconds | CPU seconds | statements | statements/s | per CPU second | peak RSS (MB) "
          "| own (RssAnon) | mapped files (RssFile) | bytes |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['store']} | {r['what']} | {r['seconds']} | {r['cpu_seconds']} | {r['statements']:,} | "
              f"{r['per_second']:,} | {r['per_cpu_second']:,} | {r['peak_rss_mb']} | {r['peak_anon_mb']} | "
              f"{r['peak_file_mb']} | {r['bytes']:,} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
