"""Search and facet benchmark on the full store: the index build, then /zoeken and /kamervragen over HTTP.

1. Build: the search index of the store (``{store}.search.sqlite``, the file the server uses) is
   built afresh and timed, per extraction query and for the writing; its size is reported.
2. Latency: ``kamergraph serve`` is started on the store (built first with ``kamergraph build`` if
   the store is empty) and asked, over loopback HTTP, a set of realistic Dutch searches and list
   pages with all facets under various filter combinations (and a few deeper pages), and the one
   list combined (a search text, three facets, one of them with two values, and a date range, in
   both orders), each ``--n`` times in a shuffled order after a warm-up; p50 and p95 per request
   kind and overall, against the targets (search p95 <= 100 ms, list with facets p95 <= 150 ms,
   combined list p95 <= 150 ms). The whole-list CSV and JSON exports are timed once each.
   ``--kinds combined`` times only those kinds (comma-separated).
3. ``--cpu``: the search kind's CPU per request in-process (``time.process_time`` around the index's work for
   a page: its ranked cards, facet counts and chart counts; no HTTP, no rendering), which the machine's load
   disturbs less than latency. Cold: the index's kept search texts emptied first; warm: the same request
   asked a second time.

    python bench/search_benchmark.py [--store var/store] [--n 30] [--warmup 2] [--settle 30] [--no-build]
                                     [--kinds search,list,combined] [--cpu] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import free_port, pct, server  # noqa: E402
from kamergraph.settings import get_settings  # noqa: E402

TARGETS = {"search": 100.0, "list": 150.0, "combined": 150.0}

SEARCHES = [
    "stikstof", "cybersurveillance", "kinderopvangtoeslag", "woningbouw", "export technologie", "financiële problemen",
    "wachtlijsten jeugdzorg", "corona vaccinatie", '"dual use"', "politie", "gaswinning Groningen", "asielzoekers",
    "klimaat", "ziekenhuis", "belastingdienst toeslagen", "Schiphol geluidsoverlast", "pfas", "onderwijs leraren",
    "de", "minister", "verorde", "Israëlische", "doodstrafzaak", "2019Z15231",
]
SEARCH_PAGES = [("stikstof", 2), ("minister", 5), ("de", 40)]

LISTS: list[list[tuple[str, str]]] = [
    [],
    [("status", "beantwoord")],
    [("status", "open")],
    [("fractie", "groenlinks")],
    [("fractie", "groenlinks"), ("jaar", "2019")],
    [("fractie", "sp"), ("ministerie", "mnre1025")],
    [("ministerie", "mnre1058")],
    [("jaar", "2020"), ("status", "beantwoord")],
    [("post", "minister-van-buitenlandse-zaken")],
    [("post", "minister-van-buitenlandse-zaken"), ("fractie", "pvv"), ("jaar", "2012")],
    [("lid", "cefbf19c-653b-4af7-84a6-e17fba0e4a70")],
    [("eu", "http://publications.europa.eu/resource/celex/52016PC0616")],
    [("jaar", "2015"), ("ministerie", "mnre1013"), ("status", "beantwoord")],
    [("fractie", "vvd"), ("fractie", "pvda")],
    [("page", "5")],
    [("status", "beantwoord"), ("page", "200")],
    [("fractie", "sp"), ("page", "40")],
]

#: The one list combined: a search text, three facets (values of one facet OR, facets AND) and a date range.
COMBINED: list[list[tuple[str, str]]] = [
    [("q", "stikstof"), ("fractie", "cda"), ("ministerie", "mnre1045"), ("status", "beantwoord"),
     ("van", "2019-01-01"), ("tot", "2022-12-31")],
    [("q", "zorg"), ("fractie", "sp"), ("ministerie", "mnre1025"), ("status", "beantwoord"),
     ("van", "2012-01-01"), ("tot", "2016-12-31")],
    [("q", "Leijten"), ("ministerie", "mnre1025"), ("status", "beantwoord"), ("jaar", "2019"), ("jaar", "2020"),
     ("van", "2019-03-01"), ("tot", "2020-12-31")],
    [("q", "politie"), ("fractie", "pvv"), ("fractie", "vvd"), ("post", "minister-van-justitie-en-veiligheid"),
     ("status", "beantwoord"), ("van", "2018-01-01"), ("tot", "2023-12-31")],
    [("q", "klimaat"), ("fractie", "groenlinks"), ("jaar", "2019"), ("jaar", "2020"), ("status", "beantwoord"),
     ("van", "2019-06-01"), ("tot", "2020-06-30")],
    [("q", "asielzoekers"), ("fractie", "pvv"), ("ministerie", "mnre1058"), ("status", "beantwoord"),
     ("van", "2015-01-01"), ("tot", "2019-12-31")],
]


@contextmanager
def serve(kamergraph: str, store: Path, env: dict[str, str], settle: float) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [kamergraph, "serve", "--store", str(store), "--port", str(port), "--log-level", "warning"]

    def ready() -> bool:  # up, and the search index ready (a first request waits for it)
        return httpx.get(f"{base}/zoeken", params={"q": "test", "format": "json"}, timeout=120).status_code == 200

    with server(cmd, ready, "kamergraph serve", env, 300):
        if settle > 0:  # let the server's own start-up work (index check, page overview) finish first
            time.sleep(settle)
        yield base


def requests() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(kind, label, query parameters) of every request the latency run makes once per round."""
    out: list[tuple[str, str, list[tuple[str, str]]]] = []
    for q in SEARCHES:
        out.append(("search", q, [("q", q)]))
    for q, page in SEARCH_PAGES:
        out.append(("search", f"{q} (page {page})", [("q", q), ("page", str(page))]))
    for items in LISTS:
        out.append(("list", "&".join(f"{k}={v}" for k, v in items) or "(no filter)", items))
    for items in COMBINED:
        for sort in ("relevantie", "-datum"):
            with_sort = [*items, ("sort", sort)]
            out.append(("combined", "&".join(f"{k}={v}" for k, v in with_sort), with_sort))
    return out


def build(store: Path, base: str) -> dict[str, object]:
    from server.search import build_index, read_meta
    from server.search.fresh import _ReadOnlyOxigraph

    path = Path(str(store) + ".search.sqlite")
    ro = _ReadOnlyOxigraph(store)
    try:
        info = build_index(ro, path, base)
    finally:
        ro.close()
    meta = read_meta(path) or {}
    return {"path": str(path), "seconds": info.seconds, "bytes": info.bytes, "kamervragen": info.kamervragen,
            "facet_values": info.values, "facet_rows": info.facet_rows, "texts": info.texts,
            "timings": info.timings, "stemmer": meta.get("stemmer")}


def cpu_run(store: Path, n: int) -> dict[str, dict[str, float]]:
    """CPU ms per search request in-process, cache cold and warm: p50 and p95 over ``n`` rounds."""
    from server.search import SearchIndex, parse_query
    from server.search.select import Selection

    index = SearchIndex(Path(str(store) + ".search.sqlite"))
    index.pairs()
    plan = [(q, 1) for q in SEARCHES] + SEARCH_PAGES
    times: dict[str, list[float]] = {"cold": [], "warm": []}
    per: dict[tuple[str, int], list[float]] = {r: [] for r in plan}
    for _ in range(n):
        for q, page in plan:
            sel = Selection(query=parse_query(q))
            if hasattr(index, "forget"):
                index.forget()  # what the index keeps of the texts asked: matches, rankings, common words read
            else:  # an index of before forget()
                index._texts.clear()
                getattr(index, "_ranks", {}).clear()
            for state in ("cold", "warm"):
                t0 = time.process_time()
                index.list_page(sel, page, 50, "nl", None, "relevantie")
                index.months(sel)
                times[state].append((time.process_time() - t0) * 1000)
                if state == "cold":
                    per[(q, page)].append(times[state][-1])
    for (q, page), ts in sorted(per.items(), key=lambda kv: -statistics.median(kv[1]))[:5]:
        print(f"  cold, {q} (page {page}): p50 {statistics.median(ts):.1f} ms CPU")
    out = {}
    for state, ts in times.items():
        out[state] = {"requests": len(ts), "p50_ms": statistics.median(ts), "p95_ms": pct(ts, 95)}
        print(f"search CPU in-process, cache {state}: {len(ts)} requests, p50 {out[state]['p50_ms']:.1f} ms, "
              f"p95 {out[state]['p95_ms']:.1f} ms")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default=None, help="the store directory (default: KAMERGRAPH_STORE)")
    ap.add_argument("--n", type=int, default=30, help="timed rounds over every request")
    ap.add_argument("--warmup", type=int, default=2, help="untimed rounds first")
    ap.add_argument("--no-build", action="store_true", help="do not rebuild the index first (time nothing of it)")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--settle", type=float, default=30.0, help="seconds to wait after the server is up")
    ap.add_argument("--kinds", default="search,list,combined", help="the request kinds to time (comma-separated)")
    ap.add_argument("--cpu", action="store_true", help="only the search kind's CPU per request, in-process")
    ap.add_argument("--json", help="write the figures here too")
    args = ap.parse_args()

    settings = get_settings()
    store = Path(args.store or settings.store).resolve()
    kamergraph = str(Path(sys.executable).parent / "kamergraph")
    if not (store / "CURRENT").exists():
        print(f"building the full store at {store} first …", file=sys.stderr)
        subprocess.run([kamergraph, "build", "--store", str(store)], check=True)

    report: dict[str, object] = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                                            f"Python {platform.python_version()}", "store": str(store)}
    if args.cpu:
        report["search_cpu"] = cpu_run(store, args.n)
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
        return
    if not args.no_build:
        b = build(store, settings.base)
        report["build"] = b
        print(f"index build: {b['seconds']:.1f} s, {b['bytes'] / 1e6:.1f} MB ({b['path']}): "
              f"{b['kamervragen']:,} Kamervragen, {b['facet_values']:,} facet values, {b['facet_rows']:,} facet "
              f"rows, {b['texts']:,} question and answer texts")
        timings = b["timings"]
        assert isinstance(timings, dict)
        extraction = sum(v for k, v in timings.items() if k not in ("write", "ranked"))
        print(f"  extraction (SPARQL, {len(timings) - 2} SELECTs): {extraction:.1f} s; analysis and writing: "
              f"{timings['write']:.1f} s, of which ranking the common words: {timings.get('ranked', 0):.1f} s")

    env = {**os.environ, "KAMERGRAPH_STORE": str(store)}
    rng = random.Random(args.seed)
    kinds = {k.strip() for k in args.kinds.split(",") if k.strip()}
    plan = [r for r in requests() if r[0] in kinds]
    times: dict[tuple[str, str], list[float]] = {(k, label): [] for k, label, _ in plan}
    with serve(kamergraph, store, env, args.settle) as base, httpx.Client(timeout=120) as client:
        for rnd in range(args.warmup + args.n):
            order = plan[:]
            rng.shuffle(order)
            for kind, label, params in order:
                path = "/zoeken" if kind == "search" else "/kamervragen"  # /zoeken with q lands in the same list
                t0 = time.perf_counter()
                r = client.get(base + path, params=params, headers={"Accept": "text/html"})
                r.read()
                elapsed = time.perf_counter() - t0
                if r.status_code != 200:
                    raise SystemExit(f"{path}?{params} answered {r.status_code}: {r.text[:300]}")
                if rnd >= args.warmup:
                    times[(kind, label)].append(elapsed * 1000)
        exports = {}
        for fmt in ("csv", "json", "atom"):
            t0 = time.perf_counter()
            r = client.get(base + "/kamervragen", params={"format": fmt})
            size = len(r.content)
            exports[fmt] = {"seconds": time.perf_counter() - t0, "bytes": size,
                            "rows": int(r.headers.get("x-total-count", "0"))}

    print(f"\nmachine: {report['machine']}; store {store}; {args.n} timed rounds (after {args.warmup} warm-up) "
          "over loopback HTTP, requests shuffled per round\n")
    print(f"{'kind':7} {'request':62} {'p50 ms':>8} {'p95 ms':>8}")
    per: dict[str, dict[str, float]] = {}
    for (kind, label), ts in times.items():
        per[f"{kind}: {label}"] = {"p50_ms": statistics.median(ts), "p95_ms": pct(ts, 95)}
        print(f"{kind:7} {label[:62]:62} {statistics.median(ts):8.1f} {pct(ts, 95):8.1f}")
    summary = {}
    print()
    for kind, target in TARGETS.items():
        if kind not in kinds:
            continue
        all_ts = [t for (k, _), ts in times.items() if k == kind for t in ts]
        p50, p95 = statistics.median(all_ts), pct(all_ts, 95)
        summary[kind] = {"requests": len(all_ts), "p50_ms": p50, "p95_ms": p95, "target_p95_ms": target,
                         "met": p95 <= target}
        print(f"{kind:7} all {len(all_ts):5} requests: p50 {p50:6.1f} ms, p95 {p95:6.1f} ms "
              f"(target p95 <= {target:g} ms: {'met' if p95 <= target else 'NOT met'})")
    for fmt, e in exports.items():
        print(f"export  format={fmt}: {e['rows']:,} rows, {e['bytes'] / 1e6:.1f} MB in {e['seconds']:.2f} s")
    report.update(per_request=per, summary=summary, exports=exports)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
