"""`kamergraph sync`: keep the graph current from the Tweede Kamer open-data API and the official publications.

Two phases, each safe to interrupt anywhere:

1. **Fetch.** For every entity (Zaak of Soort "Schriftelijke vragen" with its ZaakActor; the
   question, answer and postponement Documents with their DocumentActor; Persoon, Fractie,
   FractieZetel, FractieZetelPersoon (on OData with its seat, fractie and person expanded);
   Kamerstukdossier) the changes since the cursor are read from the OData v4 API (``GewijzigdOp
   gt …``, ordered by ``GewijzigdOp``, following ``@odata.nextLink``) or from the SyncFeed
   (following the skiptoken). On OData the changed ZaakActors are read as well, since a changed
   actor does not change its Zaak's ``GewijzigdOp``: the Zaken of those not already shown (with
   that version of the actor) by a Zaak fetched in this run are fetched by id with their actors
   and stored as Zaak lines with the ZaakActor page. Each page's entities are
   appended to the records mirror (``{state}/records.jsonl``, beside the store) and only then is
   the cursor (the page's next link, the last ``GewijzigdOp`` seen) written to the state file: an
   interruption costs at most one page, fetched again (the mirror's later line wins, so a page
   stored twice is no duplicate). For each new question or answer Document the publication text
   is fetched from officielebekendmakingen.nl (XML where offered, else the PDF, as text) into
   ``{state}/texts/``. Rate limits (429 + Retry-After), server errors and dropped connections are
   retried with back-off; a page that cannot be read stops that entity's feed cleanly (its cursor
   stays before the page) and is reported.
2. **Apply.** The current records are the build's (the bundled OData file) overlaid with the
   mirror (later wins, ``Verwijderd`` removes). They go through the build's own stages (reference
   completion, resolve, map, the text ingest). The latest Persoon, Fractie, FractieZetel and
   FractieZetelPersoon records are folded into the completed reference data before it is mapped
   and used to resolve (:func:`ingest.tk_reference.overlay_tk_records`: persons by TK GUID,
   fracties by name, periods merged with the bundled period they continue, Kamer memberships
   recomputed); each Kamerstukdossier becomes its own graph with its title
   (:func:`ingest.tk_reference.map_kamerstukdossier`). Every named graph whose statements differ from
   what was last stored (a SHA-1 per graph in ``{state}/graphs.json``) is validated with the
   shapes (together with the reference graphs, as in ``build``) and replaces its graph, one
   transaction per graph; a graph that violates a shape is not loaded (its earlier version stays)
   and is reported; the graphs of deleted records leave the store. Each graph is validated once, by
   one validator per run, and the findings graph (:mod:`shapes.results`) gets the results of the
   graphs written from that validation. So the store after a sync
   equals a full build from the same records, and applying twice changes nothing, with one
   exception: the BNC fiches (Documents of dossier 22112, ``graph/bnc-fiche/22112-N``,
   :mod:`ingest.bnc`) come only with a sync, since the bundled data holds no fiche Documents.

The run report lists every fetched record and its fate: a Zaak, ZaakActor, member record or
dossier the fate of the graph it changed (``loaded``, ``unchanged``, ``rejected``, ``deleted``), a
member record that cannot be used ``unusable`` with its problems (naming the page URL and entry),
a Persoon no period refers to (not a member) ``unused``.

This module is the run and the command; the parts live beside it: :mod:`kamergraph.sync_state` (options,
report, state and mirror), :mod:`kamergraph.sync_http` (the fetcher, the upstream URLs, the publication
texts), :mod:`kamergraph.sync_fetch` (the fetch phase) and :mod:`kamergraph.sync_apply` (the apply phase).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from kamergraph.sync_apply import SyncRun
from kamergraph.sync_http import (
    Fetcher,
    odata_first_url,
    odata_zaken_url,
    pdf_publication_text,
    publication_id,
    retry_after_seconds,
    syncfeed_first_url,
    xml_publication_text,
)
from kamergraph.sync_state import (
    ENTITIES,
    HttpFailure,
    Interrupted,
    SyncError,
    SyncOptions,
    SyncOutcome,
    SyncReport,
    SyncState,
)


def sync(
    store: Any,
    data_dir: Path,
    iris: Any,
    client: httpx.Client,
    *,
    state_path: Path,
    options: SyncOptions | None = None,
    since: str | None = None,
    dry_run: bool = False,
    base_file: Path | None = None,
    dumps_dir: Path | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    checkpoint: Callable[[str], None] = lambda _s: None,
    log: Callable[[str], None] = lambda _m: None,
) -> SyncReport:
    """Fetch the upstream changes since the last sync (or ``since``) and apply them to ``store``.

    ``client`` is the HTTP client (tests give it a replaying transport); ``base_file`` the OData
    JSON Lines file the store was built from (default: the bundled one); ``sleep``/``clock``/``now``
    the time functions of the back-off; ``checkpoint(step)`` is called at every step (tests stop the
    run there). Returns the run's report; nothing is written in a dry run.
    """
    options = options or SyncOptions()
    report = SyncReport(started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), dry_run=dry_run,
                        source=options.source)
    state = SyncState(state_path)
    if state.source and state.source != options.source and since is None:
        raise SyncError(f"{state_path}: the cursors are of the {state.source} source, not {options.source}; "
                        "give --since to start the other source afresh")
    fetcher = Fetcher(client, options, report, sleep=sleep, clock=clock, now=now, checkpoint=checkpoint)
    run = SyncRun(store, Path(data_dir), iris, client, state, options, report, dry_run=dry_run, base_file=base_file,
                  dumps_dir=dumps_dir, fetcher=fetcher, checkpoint=checkpoint, log=log)
    t0 = time.perf_counter()
    run.fetch(since)
    report.timings["fetch"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    run.apply()
    report.timings["apply"] = time.perf_counter() - t0
    report.cursors = state.cursors
    return report


# --------------------------------------------------------------------------- the command


def add_sync_parser(sub: Any, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    s = sub.add_parser("sync", parents=[common], help="fetch what changed upstream (TK open data, official "
                       "publications) and apply it to the store")
    s.add_argument("--since", help="fetch the changes since this date or date-time (ISO 8601) instead of since "
                   "the last sync")
    s.add_argument("--dry-run", action="store_true", help="fetch and report what would change; write nothing "
                   "(neither the store nor the sync state)")
    s.add_argument("--source", choices=("odata", "syncfeed"), help="the OData v4 API or the SyncFeed "
                   "(default: KAMERGRAPH_SYNC_SOURCE)")
    s.add_argument("--state", help="the sync state file (default: KAMERGRAPH_SYNC_STATE or {store}.sync.json)")
    s.add_argument("--no-texts", action="store_true", help="do not fetch the publication texts")
    s.add_argument("--data-dir", help="the data folder (default: the bundled data/)")
    s.add_argument("--odata", help="the OData JSON Lines file the store was built from (default: the bundled one)")
    s.add_argument("--report", help="where to write the run report (JSON; default: KAMERGRAPH_SYNC_REPORT)")
    s.set_defaults(func=cmd_sync)
    return s


def state_path_for(store_location: str, settings: Any, explicit: str | None = None) -> Path:
    if explicit:
        return Path(explicit)
    if getattr(settings, "sync_state", None):
        return Path(settings.sync_state)
    if "://" in store_location:
        raise SyncError("a remote store needs KAMERGRAPH_SYNC_STATE (or --state): where the sync state is kept")
    return Path(store_location.rstrip("/") + ".sync.json")


def cmd_sync(args: argparse.Namespace, settings: Any, client: httpx.Client | None = None) -> int:
    from ontology.namespaces import Iris
    from store import open_store

    location = args.store or settings.store
    options = SyncOptions.from_settings(settings)
    if args.source:
        options.source = args.source
    if args.no_texts:
        options.fetch_texts = False
    try:
        state_path = state_path_for(location, settings, args.state)
    except SyncError as exc:
        print(f"sync: {exc}", file=sys.stderr)
        return 2
    own = client is None
    client = client or httpx.Client(timeout=settings.sync_timeout, follow_redirects=True,
                                    headers={"User-Agent": "kamergraph-sync"})
    t0 = time.perf_counter()
    try:
        with open_store(location, settings) as store:
            report = sync(
                store, Path(args.data_dir or settings.data_dir), Iris(settings.base), client,
                state_path=state_path, options=options, since=args.since, dry_run=args.dry_run,
                base_file=Path(args.odata) if args.odata else None, dumps_dir=Path(settings.dumps_dir),
                log=lambda m: print(m, file=sys.stderr),
            )
    except SyncError as exc:
        print(f"sync: {exc}", file=sys.stderr)
        return 2
    finally:
        if own:
            client.close()
    report.timings["total"] = time.perf_counter() - t0
    report_path = Path(args.report or settings.sync_report)
    report.write(report_path)
    _print_summary(report, report_path, args.dry_run)
    return 1 if report.errors else 0


def _print_summary(report: SyncReport, report_path: Path, dry_run: bool) -> None:
    """The run in a few lines on stdout: the requests, pages and records by fate, the graphs, the retries and
    where the report is; every rejected, unparseable or unusable record and every error on stderr."""
    counts = report.counts()
    print(f"{'dry run: ' if dry_run else ''}synced in {report.timings['total']:.1f} s: {report.requests} requests, "
          f"{report.pages} pages, {len(report.records)} records: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
    g = report.graphs
    print(f"  graphs: {g.get('changed', 0):,} {'to write' if dry_run else 'written'}, {g.get('removed', 0):,} "
          f"removed, {g.get('rejected', 0):,} rejected, {g.get('unchanged', 0):,} unchanged")
    if report.retries:
        print(f"  retries: {len(report.retries)} (waited {report.waited_s:.1f} s)")
    for r in report.records:
        if r.status in ("rejected", "unparseable", "unusable", "text unavailable"):
            print(f"  {r.status}: {r.source}: {'; '.join(r.problems)}", file=sys.stderr)
    for e in report.errors:
        print(f"  error: {e}", file=sys.stderr)
    print(f"  report: {report_path}")


__all__ = [
    "ENTITIES", "Fetcher", "HttpFailure", "Interrupted", "SyncError", "SyncOptions", "SyncOutcome", "SyncReport",
    "SyncState", "add_sync_parser", "cmd_sync", "odata_first_url", "odata_zaken_url", "pdf_publication_text", "publication_id",
    "retry_after_seconds", "sync", "syncfeed_first_url", "xml_publication_text",
]
