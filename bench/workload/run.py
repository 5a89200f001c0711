"""The analyst workload (bench/workload/queries, see README.md there) side by side on three systems:
(a) the embedded store (``EmbeddedStore.query``, pyoxigraph in process), (b) ``/sparql`` of a running
``kamergraph serve`` with the answer cache off (``KAMERGRAPH_RESULT_CACHE_MB=0``) and every request's
text made unique by a numbered comment, (c) Virtuoso 7 bulk-loaded with the N-Quads dump of the same
store.

Each query runs once on each system (warm-up, and its row count), then ``--n`` times, alternating
between the systems run by run; a run past ``--cap`` seconds is stopped and that query's further runs
on that system are skipped. Reported: p50 per query and system, the ratios embedded/Virtuoso and
endpoint/Virtuoso, their geometric mean over the workload, the queries over 1 s (at 1×) or over the
endpoint's time limit, and every row count that differs from the file's ``# rows:``.

``--scale 10`` uses the synthetic store of bench/export_benchmark.py (every record graph ten times),
generated under ``--work`` by its own code when missing (several minutes). The stores and dumps live
under ``--work``, never in the repository; ``--store`` is only copied.

    python bench/workload/run.py [--store var/store] [--scale 1|10] [--n 5] [--cap 30]
        [--systems embedded,endpoint,virtuoso] [--only zaken-*,named-*] [--explain 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.workload.report import explain, print_report  # noqa: E402
from bench.workload.systems import Embedded, Http  # noqa: E402
from bench.workload.workload import Item, expand, load  # noqa: E402

SYSTEMS = ("embedded", "endpoint", "virtuoso")


def stores(args: argparse.Namespace, work: Path) -> tuple[Path, Path]:
    """The store to measure and its N-Quads dump (made when missing): the 1× copy of ``--store`` and its
    export, or the synthetic 10× store (bench/export_benchmark.py's layout under ``work``) and its dump."""
    from bench.export_benchmark import kamergraph

    store1, nq1 = work / "store-1x", work / "out-1x" / "kamergraph.nq.gz"
    if not (store1 / "CURRENT").exists():
        print(f"copying {args.store} to {store1}", file=sys.stderr, flush=True)
        shutil.copytree(args.store, store1)
    if _with_counts(store1):
        nq1.unlink(missing_ok=True)  # the dump must have the counts too
    if not nq1.exists():
        nq1.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(kamergraph("export", "--store", str(store1), "--format", "nq", "--gzip", "-o", str(nq1)),
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    if args.scale == 1:
        return _indexed(store1), nq1
    big = work / f"store-{args.scale}x"
    if not (work / f"store-{args.scale}x.done").exists():
        print(f"generating the {args.scale}x store (bench/export_benchmark.py)", file=sys.stderr, flush=True)
        out = subprocess.run([sys.executable, str(ROOT / "bench" / "export_benchmark.py"), "--generate", str(nq1),
                              str(big), str(args.scale)], check=True, capture_output=True, text=True, cwd=ROOT)
        (work / f"store-{args.scale}x.done").write_text(out.stdout.strip())
    dump = work / f"out-{args.scale}x" / "kamergraph.nq"
    if _with_counts(big):
        dump.unlink(missing_ok=True)
    if not dump.exists():
        dump.parent.mkdir(parents=True, exist_ok=True)
        code = ("import sys; from pyoxigraph import RdfFormat, Store; "
                "Store.read_only(sys.argv[1]).dump(sys.argv[2] + '.part', RdfFormat.N_QUADS)")
        subprocess.run([sys.executable, "-c", code, str(big), str(dump)], check=True)
        os.replace(str(dump) + ".part", dump)
    return _indexed(big), dump


def _with_counts(store: Path) -> bool:
    """Add the graph of counts the counting named queries read (kamergraph.aggregates) to ``store`` when it
    has none (a build that does not make it yet); whether it was added. Written with pyoxigraph directly,
    in a child process: the store's generation stays, so the search index beside it stays current."""
    code = """
import sys
from pyoxigraph import NamedNode, Store
from kamergraph.aggregates import aggregate_quads, aggregates_graph
from ontology.namespaces import Iris
from store.embedded import EmbeddedStore
iris = Iris("https://kamergraph.nl/")
g = NamedNode(aggregates_graph(iris))
reader = EmbeddedStore(sys.argv[1], read_only=True)
if reader.ox.contains_named_graph(g):
    print(0)
    sys.exit(0)
quads = aggregate_quads(reader, iris)
reader.close()
writer = Store(sys.argv[1])
writer.extend(quads)
writer.flush()
print(len(quads))
"""
    out = subprocess.run([sys.executable, "-c", code, str(store)], check=True, capture_output=True, text=True, cwd=ROOT)
    added = int(out.stdout.strip().splitlines()[-1])
    if added:
        print(f"added the graph of counts to {store} ({added} statements)", file=sys.stderr, flush=True)
    return bool(added)


def _indexed(store: Path) -> Path:
    """``store``, with the search index the server keeps beside it built first (in a child process): the
    server would otherwise build it in the background while the workload runs."""
    code = ("import sys; from pathlib import Path; from server.search import ensure_index; "
            "ensure_index(Path(sys.argv[1] + '.search.sqlite'), 'https://kamergraph.nl/', store_path=Path(sys.argv[1]))")
    subprocess.run([sys.executable, "-c", code, str(store)], check=True, cwd=ROOT)
    return store


def page_items(files: list, store: Path) -> list[Item]:
    """The workload's items, the pages' queries recorded on ``store`` by the real application."""
    from bench.workload.pages import PageQueries

    if not any(f.source == "page" for f in files):
        return expand(files)
    with PageQueries(store) as pages:
        return expand(files, pages)


def measure(items: list[Item], systems: dict, n: int) -> dict[str, dict[str, dict]]:
    """Warm-up and rows, then ``n`` runs alternating between the systems; per item and system: times, rows,
    and the first failure (after which that system's runs of the item stop)."""
    out: dict[str, dict[str, dict]] = {}
    for k, item in enumerate(items):
        res = {name: {"times": [], "rows": None, "failed": None, "first": None} for name in systems}
        for name, system in systems.items():
            o = system.run(item.text, 0)
            res[name].update(rows=o.rows, failed=o.failed, first=o.seconds)
        for i in range(1, n + 1):
            for name, system in systems.items():
                if res[name]["failed"]:
                    continue
                o = system.run(item.text, i)
                if o.failed:
                    res[name]["failed"] = o.failed
                    res[name]["times"].append(o.seconds)
                    continue
                res[name]["times"].append(o.seconds)
        for r in res.values():
            r["p50"] = statistics.median(r["times"]) if r["times"] and not r["failed"] else None
        out[item.name] = res
        line = "  ".join(f"{name} {_fmt(r)}" for name, r in res.items())
        print(f"[{k + 1}/{len(items)}] {item.name:48} {line}", file=sys.stderr, flush=True)
    return out


def _fmt(r: dict) -> str:
    if r["failed"]:
        return f"{r['failed']} ({(r['times'] or [r['first']])[-1]:.2f} s)"
    return f"{r['p50'] * 1000:.1f} ms ({r['rows']} rows)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", default=str(ROOT / "var" / "store"), help="the full build (only copied)")
    ap.add_argument("--work", default="/tmp/kamergraph-workload", help="where the stores, dumps and Virtuoso go")
    ap.add_argument("--scale", type=int, choices=(1, 10), default=1)
    ap.add_argument("--n", type=int, default=5, help="timed runs per query and system")
    ap.add_argument("--cap", type=float, default=30.0, help="seconds after which a run is stopped")
    ap.add_argument("--limit", type=float, default=10.0, help="the endpoint's time limit (KAMERGRAPH_QUERY_TIMEOUT)")
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--only", default="", help="workload files by name, comma-separated (a trailing * for a prefix)")
    ap.add_argument("--buffers", type=int, default=0, help="Virtuoso's NumberOfBuffers (default: by scale)")
    ap.add_argument("--explain", type=int, default=0, help="Oxigraph's explanation of the N slowest queries")
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    chosen = [s.strip() for s in args.systems.split(",") if s.strip()]
    if not chosen or set(chosen) - set(SYSTEMS):
        raise SystemExit(f"--systems: some of {', '.join(SYSTEMS)}")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    store, dump = stores(args, work)
    files = load(only=[w.strip() for w in args.only.split(",") if w.strip()])
    load0 = os.getloadavg()
    items = page_items(files, store)
    print(f"{len(items)} queries from {len(files)} files on {store}", file=sys.stderr, flush=True)
    results, extra = run_systems(args, chosen, store, dump, work, items)
    summary = print_report(items, results, chosen, args, load0, os.getloadavg(), extra)
    if args.explain:
        summary["explain"] = explain(items, results, store, work, args.explain, args.cap * 4)
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=1, default=str) + "\n")
    return 0


def run_systems(args: argparse.Namespace, chosen: list[str], store: Path, dump: Path, work: Path,
                items: list[Item]) -> tuple[dict, dict]:
    """Start the chosen systems (Virtuoso loaded with ``dump``), measure, stop them; the results and
    what was learnt on the way (Virtuoso's load time and quads)."""
    from contextlib import ExitStack

    import httpx

    from bench.common import free_port, served
    from bench.workload import virtuoso as V

    extra: dict = {}
    systems: dict = {}
    with ExitStack() as stack:
        if "embedded" in chosen:
            systems["embedded"] = Embedded(str(store), args.cap)
            stack.callback(systems["embedded"].close)
        if "endpoint" in chosen:
            port = free_port()
            env = {**os.environ, "KAMERGRAPH_STORE": str(store), "KAMERGRAPH_RESULT_CACHE_MB": "0",
                   "KAMERGRAPH_QUERY_ROW_LIMIT": "10000000", "KAMERGRAPH_QUERY_TIMEOUT": str(args.limit),
                   "KAMERGRAPH_MAX_ANSWER_BYTES": str(2 ** 31)}
            cmd = [str(Path(sys.executable).parent / "kamergraph"), "serve", "--store", str(store),
                   "--port", str(port), "--log-level", "warning"]
            url = f"http://127.0.0.1:{port}/sparql"
            stack.enter_context(served(cmd, lambda: httpx.get(url, params={"query": "ASK {}"}, timeout=5)
                                       .status_code == 200, "kamergraph serve", env, 300))
            systems["endpoint"] = Http(url, args.cap, True, "endpoint")
            stack.callback(systems["endpoint"].close)
        if "virtuoso" in chosen:
            buffers = args.buffers or (170_000 if args.scale == 1 else 680_000)
            v = stack.enter_context(V.running(work / f"virtuoso-{args.scale}x", buffers, args.cap))
            seconds, quads = V.load(v, dump)
            extra["virtuoso_load_seconds"], extra["virtuoso_quads"] = round(seconds, 1), quads
            print(f"Virtuoso loaded {quads:,} quads in {seconds:.1f} s", file=sys.stderr, flush=True)
            systems["virtuoso"] = Http(v.url, args.cap, False, "virtuoso")
            stack.callback(systems["virtuoso"].close)
        systems = {name: systems[name] for name in chosen}
        results = measure(items, systems, args.n)
    return results, extra


if __name__ == "__main__":
    sys.exit(main())
