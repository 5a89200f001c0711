"""Sync benchmark: a replayed `kamergraph sync` of a recorded feed of 5,000 changes, and its diff
against a full rebuild from the same records.

The feed is built from the real Zaken in data/tk-odata (see tests/kamergraph/sync_helpers.py for the
OData shape): the base store is a full build of the bundled file without its last ``--new`` Zaken;
the feed brings those Zaken, ``--twice`` base Zaken changed twice (first with another Onderwerp,
then as they really are) and ``--deleted`` base Zaken deleted, in OData pages of ``--page-size``
(20 pages of 250 by default), replayed by an httpx transport (no network; no rate-limit waits).
Then a full build from the records as they stand after the feed, and the two stores compared as
sets of quads (leaving out only where each record was read: ``kg:bronbestand``/``kg:bronregel``,
and ``void:distinctObjects``, which counts those). Also timed: a second sync with nothing new.

    python bench/sync_benchmark.py [--workdir /tmp/kgsync-bench] [--json out.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def quad_digests(path: Path, ignore: set[str]) -> set[bytes]:
    """The store's quads as a set of 16-byte digests of their N-Quads form (no blank nodes expected)."""
    from pyoxigraph import BlankNode, NamedNode, RdfFormat, serialize

    from store.embedded import EmbeddedStore

    store = EmbeddedStore(path)
    skip = {NamedNode(p) for p in ignore}
    out: set[bytes] = set()
    batch = []
    for q in store.ox.quads_for_pattern(None, None, None, None):
        if q.predicate in skip:
            continue
        if isinstance(q.subject, BlankNode) or isinstance(q.object, BlankNode):
            raise SystemExit(f"blank node in {path}: {q}")
        batch.append(q)
        if len(batch) == 100_000:
            out.update(hashlib.blake2b(line, digest_size=16).digest()
                       for line in serialize(batch, format=RdfFormat.N_QUADS).splitlines())
            batch = []
    out.update(hashlib.blake2b(line, digest_size=16).digest() for line in serialize(batch, format=RdfFormat.N_QUADS).splitlines())
    store.close()
    return out


def main() -> int:
    import httpx

    from kamergraph.build import build
    from kamergraph.sync import SyncOptions, sync
    from ontology.namespaces import T, Iris
    from store.embedded import EmbeddedStore
    from tests.kamergraph.sync_helpers import Replay, bundled_lines, changed, deleted, final_state, odata_pages, \
        to_odata, write_jsonl

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", default="/tmp/kgsync-bench")
    ap.add_argument("--new", type=int, default=4_600)
    ap.add_argument("--twice", type=int, default=150)
    ap.add_argument("--deleted", type=int, default=100)
    ap.add_argument("--page-size", type=int, default=250)
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()

    data = ROOT / "data"
    iris = Iris("https://kamergraph.nl/")
    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    lines = bundled_lines(data)
    base, new = lines[: -args.new], lines[-args.new:]
    step = max(1, len(base) // (args.twice + args.deleted))
    picked = base[::step][: args.twice + args.deleted]
    twice, gone = picked[: args.twice], picked[args.twice:]
    since = "2024-10-01T00:00:00+00:00"
    feed = [changed(z, f"2024-10-02T{i // 60 % 24:02d}:{i % 60:02d}:00+02:00", Onderwerp=f"Eerdere versie: {z.get('Onderwerp')}")
            for i, z in enumerate(twice)]
    feed += new
    feed += [deleted(z, "2024-10-03T09:00:00+02:00") for z in gone]
    feed += [changed(z, "2024-10-04T09:00:00+02:00") for z in twice]
    print(f"feed: {len(feed):,} changes ({len(new):,} new Zaken, {len(twice)} changed twice, {len(gone)} deleted) "
          f"on a base of {len(base):,} Zaken")

    base_file = write_jsonl(work / "base.jsonl", base)
    final_file = write_jsonl(work / "final.jsonl", final_state(base, feed))

    t0 = time.perf_counter()
    store = EmbeddedStore(work / "store")
    build(store, data, iris, odata_file=base_file)
    store.close()
    t_base = time.perf_counter() - t0
    print(f"base build: {t_base:.1f} s")

    opts = SyncOptions(page_size=args.page_size, fetch_texts=False, min_interval=0.0)
    pages = dict(odata_pages(opts, "Zaak", since, [to_odata(x) for x in feed], args.page_size))
    transport = Replay(pages, opts)
    store = EmbeddedStore(work / "store")
    t0 = time.perf_counter()
    with httpx.Client(transport=transport) as client:
        report = sync(store, data, iris, client, state_path=work / "store.sync.json", options=opts,
                      base_file=base_file, since=since)
    t_sync = time.perf_counter() - t0
    quads_after = len(store)
    print(f"sync: {t_sync:.1f} s for {len(report.records):,} records in {report.pages} pages "
          f"({len(report.records) / t_sync:,.0f} records/s); stages: "
          + ", ".join(f"{k} {v:.1f} s" for k, v in report.timings.items()))
    print(f"  fates: {report.counts()}; graphs: {report.graphs}; errors: {report.errors}")

    t0 = time.perf_counter()
    with httpx.Client(transport=Replay({}, opts)) as client:
        again = sync(store, data, iris, client, state_path=work / "store.sync.json", options=opts, base_file=base_file)
    t_again = time.perf_counter() - t0
    store.close()
    print(f"second sync, nothing new: {t_again:.1f} s; graphs: {again.graphs}")

    t0 = time.perf_counter()
    rebuilt = EmbeddedStore(work / "rebuilt")
    build(rebuilt, data, iris, odata_file=final_file)
    rebuilt.close()
    t_rebuild = time.perf_counter() - t0
    print(f"full rebuild from the same records: {t_rebuild:.1f} s")

    ignore = {T.bronbestand, T.bronregel, "http://rdfs.org/ns/void#distinctObjects"}
    t0 = time.perf_counter()
    a, b = quad_digests(work / "store", ignore), quad_digests(work / "rebuilt", ignore)
    only_sync, only_rebuild = len(a - b), len(b - a)
    print(f"diff (sets of quads, {time.perf_counter() - t0:.1f} s): {len(a):,} quads synced, {len(b):,} rebuilt; "
          f"{only_sync} only in the synced store, {only_rebuild} only in the rebuild")
    figures = {
        "machine": platform.platform(), "python": platform.python_version(),
        "feed_changes": len(feed), "pages": report.pages, "base_zaken": len(base),
        "base_build_s": round(t_base, 2), "sync_s": round(t_sync, 2),
        "records_per_s": round(len(report.records) / t_sync, 1),
        "sync_stages_s": {k: round(v, 2) for k, v in report.timings.items()},
        "fates": report.counts(), "graphs": report.graphs, "store_quads": quads_after,
        "second_sync_s": round(t_again, 2), "rebuild_s": round(t_rebuild, 2),
        "diff_only_in_sync": only_sync, "diff_only_in_rebuild": only_rebuild,
    }
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0 if only_sync == only_rebuild == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
