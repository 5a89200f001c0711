"""The command line: `kamergraph build|ingest|validate|query|export|dumps|describe|sync|stats|serve|settings`."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamergraph.settings import Settings, get_settings
from ontology.namespaces import Iris
from store import QueryError, QueryTimeout, Store, StoreError, open_store

if TYPE_CHECKING:
    from kamergraph.build import BuildReport


def _store(args: argparse.Namespace, settings: Settings, *, read_only: bool = False) -> Store:
    """The store of ``--store`` or the settings; ``read_only`` for commands that only read: an embedded
    store is then opened without its lock (any number of readers at once, also on a read-only mount)."""
    location = args.store or settings.store
    if read_only and not _remote(location):
        from store.embedded import EmbeddedStore

        return EmbeddedStore(location, read_only=True)
    return open_store(location, settings)


def _remote(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def _recover(location: str) -> None:
    """Finish or clean up what a stopped process left beside an embedded store, saying what was done."""
    if _remote(location):
        return
    from store.embedded import recover

    for line in recover(location):
        print(f"kamergraph: {line}", file=sys.stderr)


def _os_error(exc: OSError) -> str:
    """An OSError in words, with the file it concerns (no traceback)."""
    what = exc.strerror or str(exc)
    return f"{what}: {exc.filename}" if exc.filename else what


def _oxigraph_copy(store: Store):
    """The store as a pyoxigraph store for the SHACL validator: the embedded store itself, or an
    in-memory copy of a remote store's graphs (read graph by graph)."""
    from pyoxigraph import RdfFormat, Store as OxStore

    from store.embedded import EmbeddedStore
    from store.remote import RemoteStore

    if isinstance(store, EmbeddedStore):
        return store.ox
    copy = OxStore()
    if isinstance(store, RemoteStore):  # read in pages, as for an export
        copy.bulk_extend(store.quads())
        return copy
    for graph in store.named_graphs():
        copy.bulk_load(store.graph_nquads(graph), format=RdfFormat.N_QUADS)
    return copy


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    from kamergraph.build import build

    t0 = time.perf_counter()
    location = args.store or settings.store
    try:
        with _store(args, settings) as store:
            report = build(
                store,
                Path(args.data_dir or settings.data_dir),
                Iris(settings.base),
                progress=sys.stderr.isatty() and not args.quiet,
                odata_file=Path(args.odata) if args.odata else None,
                limit=args.limit,
                dumps_dir=Path(settings.dumps_dir),
            )
    except (OSError, StoreError) as exc:
        print(_build_failed(exc, location), file=sys.stderr)
        return 1
    total = time.perf_counter() - t0
    report.timings["total"] = total
    report_path = Path(args.report or settings.report)
    try:
        report.write(report_path)
    except OSError as exc:
        print(f"kamergraph build: cannot write the run report: {_os_error(exc)}\n  the build itself was loaded: "
              f"the store at {location} holds it ({report.store_quads:,} quads)", file=sys.stderr)
        return 1
    _print_build_summary(report, total)
    print(f"  report: {report_path}")
    return 0


def _build_failed(exc: OSError | StoreError, location: str) -> str:
    """What a build that failed says: why, and what the store at ``location`` holds now."""
    reason = _os_error(exc) if isinstance(exc, OSError) else str(exc)
    if _remote(location):
        after = (f"the store at {location} is remote and is not replaced atomically: it may hold part of this "
                 "build; run the build again")
    elif Path(f"{location}.swap").exists():
        after = (f"the new store was complete and its swap had begun ({location}.swap): the next kamergraph "
                 "command finishes the swap")
    else:
        after = (f"nothing was loaded: the store at {location} is the one before this build (the unfinished new "
                 "store was removed)")
    return f"kamergraph build: {reason}\n  {after}"


def _print_build_summary(report: BuildReport, total: float) -> None:
    """The build in a few lines on stdout: the records by fate, the stages' times, the quads, the share of
    askers and addressees resolved, the SHACL results; every unparseable, rejected or superseded record on
    stderr."""
    counts = report.counts()
    res = report.resolution
    print(f"built in {total:.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
    print("  stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in report.timings.items() if k != "total"))
    print(f"  quads in the store: {report.store_quads:,}")
    if res.get("askers"):
        print(
            f"  askers resolved: {res['askers_resolved']:,}/{res['askers']:,} ({100 * res['askers_share']:.2f} %), "
            f"addressees resolved: {res['addressees_resolved']:,}/{res['addressees']:,} "
            f"({100 * res['addressees_share']:.2f} %)"
        )
        if res.get("addressees_ambiguous"):  # a post is never picked by rank: the rest name every post of the date
            print(f"  addressees ambiguous (several posts on the date, none named by a text): "
                  f"{res['addressees_ambiguous']:,}; per year in `kamergraph stats`")
    if report.validation is not None:
        by = report.validation.by_shape()
        print(f"  SHACL: {'conforms' if report.validation.conforms else 'violations'}; " +
              (", ".join(f"{k}: {v}" for k, v in sorted(by.items())) or "no results"))
    # the reference data's corrections register and consistency rules (ingest.reference_corrections,
    # ingest.reference_checks): their counts here, every finding with its source rows in the report
    checks = [ln for ln in report.reference_notes if ln.startswith(("corrections: ", "check "))]
    if checks:
        print("  reference data: " + "; ".join(checks))
    for r in report.records:
        if r.status in ("unparseable", "rejected", "superseded"):
            print(f"  {r.status}: {r.source}: {'; '.join(r.problems)}", file=sys.stderr)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from kamergraph.texts import ingest_files

    store = _store(args, settings)
    t0 = time.perf_counter()
    results = ingest_files(store, [Path(f) for f in args.files], Path(args.data_dir or settings.data_dir),
                           Iris(settings.base))
    elapsed = time.perf_counter() - t0
    for r in results:
        line = f"{r['status']}: {r['source']}"
        if r.get("kamervraag"):
            line += f" -> kamervraag {r['kamervraag']} ({r['match']}, confidence {r['confidence']})"
        print(line)
        for p in r.get("problems", []):
            print(f"    problem: {p}")
        for n in r.get("notes", []):
            print(f"    note: {n}")
    if args.report:
        Path(args.report).write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    counts: dict[str, int] = {}
    for r in results:
        counts[str(r["status"])] = counts.get(str(r["status"]), 0) + 1
    print(f"ingested {len(results)} file(s) in {elapsed:.1f} s: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if counts.get("failed"):
        stopped = next(r for r in results if r["status"] == "failed")
        reason = "; ".join(stopped.get("problems", [])) or "the store could not be written"
        print(f"stopped: {reason}; {counts.get('loaded', 0)} loaded, {counts.get('not reached', 0)} not reached; "
              "nothing stored before was lost", file=sys.stderr)
    store.close()
    return 0 if all(r["status"] == "loaded" for r in results) else 1


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    from shapes.validate import FastValidator

    with _store(args, settings, read_only=True) as store:
        t0 = time.perf_counter()
        report = FastValidator().validate_store(_oxigraph_copy(store))
        elapsed = time.perf_counter() - t0
        quads = len(store)
    if args.format == "json":
        out = report.to_json()
        print(out if isinstance(out, str) else json.dumps(out, ensure_ascii=False, indent=1))
    elif args.format == "turtle":
        print(report.to_turtle())
    else:
        print(report.to_text())
        print(f"(validated {quads:,} quads in {elapsed:.2f} s)")
    return 0 if report.conforms else 1


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    from queries.catalog import Catalog

    timeout = args.timeout if args.timeout is not None else settings.query_timeout
    row_limit = args.limit if args.limit is not None else settings.query_row_limit
    if args.list:
        for q in Catalog.load(base=settings.base):
            params = ", ".join(f"{p.name} ({p.type}, default {p.default})" for p in q.params)
            print(f"{q.name}: {q.title('en')}" + (f"\n    parameters: {params}" if params else ""))
        return 0
    with _store(args, settings, read_only=True) as store:
        return _run_query(args, settings, store, timeout, row_limit)


def _run_query(args: argparse.Namespace, settings: Settings, store: Store, timeout: float, row_limit: int) -> int:
    from kamergraph.output import render
    from queries.catalog import Catalog
    from queries.errors import QueryRejected

    try:
        if args.name:
            values = dict(kv.split("=", 1) for kv in args.param if "=" in kv)
            bad = [kv for kv in args.param if "=" not in kv]
            if bad:
                raise QueryRejected(f"--param takes name=value, not {bad[0]!r}", 400)
            result = Catalog.load(base=settings.base)[args.name].run(store, values, timeout=timeout, row_limit=row_limit)
        elif args.file or args.sparql:
            text = Path(args.file).read_text(encoding="utf-8") if args.file else args.sparql
            result = store.query(text, timeout=timeout, row_limit=row_limit)
        else:
            print("kamergraph query: give a query, --file FILE or --name NAME", file=sys.stderr)
            return 2
    except (QueryError, QueryTimeout, QueryRejected) as exc:
        print(f"kamergraph query: {exc}", file=sys.stderr)
        return 1
    try:
        text = render(result, args.format)
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    except ValueError as exc:
        print(f"kamergraph query: {exc}", file=sys.stderr)
        return 2
    if result.truncated:
        print(f"kamergraph query: truncated at {args.limit or settings.query_row_limit} rows", file=sys.stderr)
    return 0


EXPORT_FORMATS = {".nq": "nq", ".nt": "nt", ".ttl": "ttl", ".jsonld": "jsonld", ".trig": "trig", ".rdf": "rdf"}


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """The store, or a selection of its graphs, in one format, to a file or to standard output."""
    from store.export import export, select_graphs

    out_path = Path(args.output) if args.output and args.output != "-" else None
    name = out_path.name if out_path is not None else ""
    gz = bool(args.gzip) or args.gzip_level is not None or name.endswith(".gz")
    suffix = Path(name[:-3] if name.endswith(".gz") else name).suffix
    fmt = args.format or EXPORT_FORMATS.get(suffix, "nq")
    level = args.gzip_level or settings.export_gzip_level
    t0 = time.perf_counter()
    with _store(args, settings, read_only=True) as store:
        graphs = None
        if args.graph or args.cls or args.reference:
            graphs = select_graphs(store, settings.base, args.graph, args.cls, args.reference)
        kwargs = {"base": settings.base, "graphs": graphs, "gzip_level": level if gz else None,
                  "distinct": bool(args.distinct), "workers": settings.export_workers,
                  "sort_buffer_bytes": settings.export_sort_buffer_mb << 20}
        if out_path is None:  # standard output: the data only, the summary on standard error
            result = export(store, sys.stdout.buffer, fmt, **kwargs)
            sys.stdout.buffer.flush()
        else:
            out_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = out_path.with_name(out_path.name + ".part")
            try:
                with tmp.open("wb") as raw:
                    result = export(store, raw, fmt, tmp_dir=out_path.parent, **kwargs)
                tmp.replace(out_path)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
    elapsed = time.perf_counter() - t0
    what = ("quads" if fmt in ("nq", "trig", "jsonld") else "triples" if fmt == "nt" and not args.distinct
            else "distinct triples")
    scope = f" of {len(graphs):,} graph(s)" if graphs is not None else ""
    print(f"wrote {result.statements:,} {what}{scope} as {fmt}{' (gzip)' if gz else ''} "
          f"to {out_path or 'standard output'} in {elapsed:.1f} s ({result.bytes:,} bytes, sha256 {result.sha256})",
          file=sys.stdout if out_path is not None else sys.stderr)
    return 0


def cmd_dumps(args: argparse.Namespace, settings: Settings) -> int:
    """A release of the whole store in every dump format, gzipped, with its manifest."""
    from store.export import write_release

    out = Path(args.out or settings.dumps_dir)
    t0 = time.perf_counter()
    with _store(args, settings, read_only=True) as store:
        manifest = write_release(
            store, out, base=settings.base, gzip_level=args.gzip_level or settings.export_gzip_level,
            sort_buffer_bytes=settings.export_sort_buffer_mb << 20, keep=settings.dumps_keep,
            workers=settings.export_workers,
            progress=None if args.quiet else (lambda msg: print(f"  {msg}", file=sys.stderr)))
    elapsed = time.perf_counter() - t0
    print(f"wrote a release of {manifest['quads']:,} quads ({manifest['triples']:,} distinct triples) "
          f"to {out} in {elapsed:.1f} s:")
    for f in manifest["files"]:
        print(f"  {f['file']}: {f['bytes']:,} bytes, {f['triples']:,} statements, sha256 {f['sha256']}")
    return 0


def cmd_describe(args: argparse.Namespace, settings: Settings) -> int:
    """(Re)compute the dataset description (VoID, DCAT, service description) and load it into the store."""
    from kamergraph.dataset import DatasetError, description_graph, load_description, to_turtle

    iris = Iris(settings.base)
    try:
        with _store(args, settings) as store:
            loaded = load_description(store, iris, Path(args.dumps_dir or settings.dumps_dir))
    except DatasetError as exc:
        print(f"kamergraph describe: {exc}", file=sys.stderr)
        return 1
    st = loaded.stats
    if args.turtle:
        sys.stdout.buffer.write(to_turtle(loaded.triples))
        return 0
    dumps = f"{len(loaded.manifest.files)} dump file(s) from {loaded.manifest.path}" if loaded.manifest else "no dumps"
    print(f"described the store in {loaded.seconds:.1f} s into <{description_graph(iris)}>: {st.triples:,} triples "
          f"in {st.graphs:,} graphs, {st.entities:,} entities, {len(st.classes)} classes, {len(st.properties)} "
          f"properties, {sum(st.links.values()):,} links out, {dumps}")
    print("  queries: " + ", ".join(f"{k} {v:.2f} s" for k, v in st.seconds.items()))
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from kamergraph import stats

    with _store(args, settings, read_only=True) as store:
        data = stats.collect(store)
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        print(stats.render(data, top=args.top))
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from server.app import create_app
    from server.http import serve

    location = args.store or settings.store
    remote = _remote(location)
    if remote:
        store = open_store(location, settings)
        empty = len(store) == 0
        store.close()
    else:  # read-only: a server only reads (it may run on a read-only mount, next to other readers)
        empty = not (Path(location) / "CURRENT").is_file()
        if not empty:
            with _store(args, settings, read_only=True) as store:
                empty = len(store) == 0
    if empty:
        print(f"kamergraph serve: the store at {location} is empty; building it first", file=sys.stderr)
        build_args = argparse.Namespace(store=location, data_dir=None, odata=None, report=None, limit=None,
                                        quiet=args.quiet)
        code = cmd_build(build_args, settings)
        if code:
            return code
    host = args.host or settings.host
    port = args.port if args.port is not None else settings.port
    app = create_app(settings, location)
    overview = getattr(app.state, "overview", None)
    if overview is not None and not remote:  # the pages' overview of the store, built while the server starts
        overview.start()  # (in a process of its own), so the first visitor does not wait for it
    behind = f"the SPARQL endpoint {location}" if remote else f"{settings.query_workers} query workers"
    print(f"kamergraph serve: SPARQL endpoint on http://{host}:{port}/sparql "
          f"({behind}, time limit {settings.query_timeout:g} s, "
          f"row limit {settings.query_row_limit:,})", file=sys.stderr)
    serve(app, host, port, args.log_level)  # URLs past the parser's limit get a 414 in the JSON error shape
    return 0


def cmd_settings(args: argparse.Namespace, settings: Settings) -> int:
    for name, field in Settings.model_fields.items():
        print(f"KAMERGRAPH_{name.upper()}={getattr(settings, name)}\n    {field.description}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The command line: every command with its options, in the order the help lists them."""
    p = argparse.ArgumentParser(prog="kamergraph", description="The knowledge graph of Dutch written parliamentary questions.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", help="store directory, or the http(s):// URL of a SPARQL endpoint "
                        "(default: KAMERGRAPH_STORE or var/store)")
    sub = p.add_subparsers(dest="command", required=True)
    _add_loading_parsers(sub, common)
    _add_query_parser(sub, common)
    _add_publishing_parsers(sub, common)
    _add_serving_parsers(sub, common)

    from kamergraph.sync import add_sync_parser  # `kamergraph sync`: the changes upstream since the last sync

    add_sync_parser(sub, common)

    st = sub.add_parser("settings", help="list every setting with its value and help")
    st.set_defaults(func=cmd_settings)
    return p


def _add_loading_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """`build`, `ingest` and `validate`: what fills the store and checks it."""
    b = sub.add_parser("build", parents=[common], help="bundled data -> validated graph in the store")
    b.add_argument("--data-dir", help="the data folder (default: the bundled data/)")
    b.add_argument("--odata", help="another JSON Lines file of OData Zaken instead of the bundled one")
    b.add_argument("--report", help="where to write the run report (JSON)")
    b.add_argument("--limit", type=int, help="only the first N Zaken (for trying things out)")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=cmd_build)

    i = sub.add_parser("ingest", parents=[common], help="published texts (.txt, .docx) -> graphs in the store")
    i.add_argument("files", nargs="+", help="text files extracted from the official PDFs, or DOCX answer letters")
    i.add_argument("--data-dir", help="the data folder with the reference lists (default: the bundled data/)")
    i.add_argument("--report", help="also write what became of every file as JSON here")
    i.set_defaults(func=cmd_ingest)

    v = sub.add_parser("validate", parents=[common], help="SHACL report for the whole store")
    v.add_argument("--format", choices=["text", "turtle", "json"], default="text")
    v.set_defaults(func=cmd_validate)


def _add_query_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """`query`: a SPARQL query, or a named one from queries/."""
    q = sub.add_parser("query", parents=[common], help="run a SPARQL query against the store")
    q.add_argument("sparql", nargs="?", help="the query text")
    q.add_argument("--file", help="read the query from this file")
    q.add_argument("--name", help="run a named query from queries/ (see --list)")
    q.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a named query's parameter (repeatable); bound as a typed value, never pasted into the text")
    q.add_argument("--list", action="store_true", help="list the named queries and their parameters")
    q.add_argument("--format", choices=["table", "json", "csv", "tsv", "turtle", "ntriples"], default="table")
    q.add_argument("--timeout", type=float, help="time limit in seconds (default: KAMERGRAPH_QUERY_TIMEOUT)")
    q.add_argument("--limit", type=int, help="row limit (default: KAMERGRAPH_QUERY_ROW_LIMIT)")
    q.set_defaults(func=cmd_query)


def _add_publishing_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """`export`, `dumps` and `describe`: the store written out, and its dataset description."""
    e = sub.add_parser("export", parents=[common], help="write the store (or some of its graphs) in one format")
    e.add_argument("-o", "--output", help="file to write (default: standard output); a .gz name compresses, "
                   "the suffix picks the format (.nq .nt .ttl .jsonld .trig .rdf)")
    e.add_argument("--format", choices=sorted(set(EXPORT_FORMATS.values())),
                   help="nq (default), nt, ttl, jsonld, trig or rdf; overrides the suffix")
    e.add_argument("--gzip", action="store_true", help="compress with gzip (KAMERGRAPH_EXPORT_GZIP_LEVEL)")
    e.add_argument("--gzip-level", type=int, choices=range(1, 10), metavar="1-9",
                   help="compress with this gzip level")
    e.add_argument("--distinct", action="store_true",
                   help="N-Triples: each triple once, sorted (default: the triple of every statement, graph by graph)")
    e.add_argument("--graph", action="append", default=[], metavar="IRI",
                   help="only this named graph (repeatable)")
    e.add_argument("--class", dest="cls", action="append", default=[], metavar="CLASS",
                   help="only the record graphs of this class, e.g. kg:Kamervraag or kg:Publicatie (repeatable)")
    e.add_argument("--reference", action="store_true",
                   help="only the reference data (persons, memberships, fracties, government, EU acts)")
    e.set_defaults(func=cmd_export)

    d = sub.add_parser("dumps", parents=[common], help="a release of the whole store: N-Quads, N-Triples, Turtle "
                       "and JSON-LD, gzipped, with manifest.json (served at /dumps/)")
    d.add_argument("--out", help="the release folder, a link to the newest release (default: KAMERGRAPH_DUMPS_DIR)")
    d.add_argument("--gzip-level", type=int, choices=range(1, 10), metavar="1-9", help="gzip level for this release")
    d.add_argument("--quiet", action="store_true", help="no progress lines")
    d.set_defaults(func=cmd_dumps)

    de = sub.add_parser("describe", parents=[common], help="(re)compute the dataset description (VoID, DCAT, "
                        "SPARQL service description) and load it into the store, e.g. after `kamergraph dumps`")
    de.add_argument("--dumps-dir", help="the dump release whose manifest.json to list (default: KAMERGRAPH_DUMPS_DIR)")
    de.add_argument("--turtle", action="store_true", help="also print the description as Turtle (instead of a summary)")
    de.set_defaults(func=cmd_describe)


def _add_serving_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """`stats` and `serve`: the store counted, and the endpoint on it."""
    s = sub.add_parser("stats", parents=[common], help="counts per class, per named graph, unresolved names")
    s.add_argument("--format", choices=["text", "json"], default="text")
    s.add_argument("--top", type=int, default=25, help="how many unresolved reasons to list")
    s.set_defaults(func=cmd_stats)

    sv = sub.add_parser("serve", parents=[common], help="the SPARQL endpoint (web application) on the store")
    sv.add_argument("--host", help="address to listen on (default: KAMERGRAPH_HOST or 127.0.0.1)")
    sv.add_argument("--port", type=int, help="port to listen on (default: KAMERGRAPH_PORT or 8000)")
    sv.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    sv.add_argument("--quiet", action="store_true", help="no progress bar if the store must be built first")
    sv.set_defaults(func=cmd_serve)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = get_settings()
    try:
        if getattr(args, "store", None) is not None or args.command != "settings":
            _recover(args.store or settings.store)
        return args.func(args, settings)
    except StoreError as exc:
        print(f"kamergraph {args.command}: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader of standard output went away (`kamergraph query … | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so that the exit's flush is quiet
        return 1
    except OSError as exc:  # a full disk, a read-only folder, a missing file: said plainly, no traceback
        print(f"kamergraph {args.command}: {_os_error(exc)}\n  {_AFTER_OS_ERROR.get(args.command, _UNCHANGED)}",
              file=sys.stderr)
        return 1


_UNCHANGED = "the store is as it was before this command"
_AFTER_OS_ERROR = {
    "ingest": "the files whose graph was written before the error stay loaded (each file is one transaction); "
              "the store holds nothing of the others",
    "sync": "what was stored stays (the cursor is written after each page): run `kamergraph sync` again",
    "export": "no output file was written",
    "dumps": "no release was made; the previous one is still served",
}


if __name__ == "__main__":
    sys.exit(main())
