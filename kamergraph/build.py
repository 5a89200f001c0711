"""The build: read -> parse -> resolve -> map -> validate -> load, with a report of every record.

A build fills a fresh store beside the current one and validates every record graph there,
together with the reference graphs it links to. A graph with a SHACL violation is not kept (the
version already in the current store, if any, is carried over), and the run goes on; graphs of
the current store that this build does not produce are carried over too. Then the fresh store
takes the current one's place as a whole, so a build is idempotent and never half-done.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import ParseError
from ingest.map import MappedGraph, map_kamervraag
from ingest.resolve_text import TextResolver, post_evidence
from ingest.records import PostEvidence, ReferenceData, ResolvedKamervraag, ZaakRecord
from ingest.infer import complete_reference
from ingest.resolve import Resolver
from ingest.sources.odata import read_jsonl
from kamergraph.aggregates import aggregates_graph, refresh_aggregates
from kamergraph.dataset import DatasetError, description_graph, load_description
from kamergraph.inputs import ODATA_FILE, context_graphs, publication_ids, reference_data
from kamergraph.texts import TextOutcome, bundled_text_files, process_texts
from ontology.namespaces import Iris
from shapes.results import findings_graph, load_findings
from shapes.validate import FastValidator, Report
from store.base import Store
from store.embedded import EmbeddedStore
from store.generation import crash_point

@dataclass
class RecordOutcome:
    source: str
    status: str  # loaded | rejected | unparseable | deleted
    zaak: str | None = None
    graph: str | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unresolved: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"source": self.source, "status": self.status}
        for k in ("zaak", "graph"):
            if getattr(self, k):
                d[k] = getattr(self, k)
        for k in ("problems", "warnings", "unresolved"):
            if getattr(self, k):
                d[k] = getattr(self, k)
        return d


@dataclass
class BuildReport:
    started: str
    timings: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds of the process (all threads) per stage
    records: list[RecordOutcome] = field(default_factory=list)
    reference_notes: list[str] = field(default_factory=list)
    validation: Report | None = None
    quads_loaded: int = 0
    store_quads: int = 0
    carried_over: int = 0
    resolution: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return dict(Counter(r.status for r in self.records))

    def as_dict(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
            "cpu_s": {k: round(v, 3) for k, v in self.cpu.items()},
            "counts": self.counts(),
            "quads_loaded": self.quads_loaded,
            "store_quads": self.store_quads,
            "graphs_carried_over": self.carried_over,
            "resolution": self.resolution,
            "validation": {
                "conforms": self.validation.conforms if self.validation else None,
                "by_shape": self.validation.by_shape() if self.validation else {},
            },
            "reference_notes": self.reference_notes,
            "records": [r.as_dict() for r in self.records],
        }

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as fh:
            json.dump(self.as_dict(), fh, ensure_ascii=False, indent=1)
            fh.write("\n")


class _Timer:
    """Adds up the wall time and the CPU time (of the whole process: every thread) of each stage."""

    def __init__(self, timings: dict[str, float], cpu: dict[str, float] | None = None) -> None:
        self.timings = timings
        self.cpu = {} if cpu is None else cpu

    def __call__(self, stage: str) -> _Stage:
        return _Stage(self, stage)


class _Stage:
    def __init__(self, timer: _Timer, stage: str) -> None:
        self.timer, self.stage = timer, stage

    def __enter__(self) -> None:
        self.t0, self.c0 = time.perf_counter(), time.process_time()

    def __exit__(self, *exc: object) -> None:
        timings, cpu = self.timer.timings, self.timer.cpu
        timings[self.stage] = timings.get(self.stage, 0.0) + time.perf_counter() - self.t0
        cpu[self.stage] = cpu.get(self.stage, 0.0) + time.process_time() - self.c0


def _progress(items: Iterable[Any], total: int | None, enabled: bool, desc: str) -> Iterator[Any]:
    if not enabled:
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, total=total, desc=desc, unit="zaak", file=sys.stderr, dynamic_ncols=True)


def resolution_summary(resolved: Iterable[ResolvedKamervraag]) -> dict[str, Any]:
    """Counts of the askers and addressees and how many were resolved; the ambiguous addressings (a
    person holding several posts on the date, no text naming one) per year; the commonest reasons
    of the rest."""
    askers = resolved_askers = addressees = resolved_addressees = 0
    reasons: Counter[str] = Counter()
    ambiguous: Counter[int] = Counter()
    for rk in resolved:
        for a in rk.askers:
            askers += 1
            if a.person_key and a.fractie_membership_key:
                resolved_askers += 1
            else:
                reasons[f"vraagsteller: {a.unresolved_reason or 'geen fractie'}"] += 1
        for ad in rk.addressees:
            addressees += 1
            if ad.person_key and ad.holding_key:
                resolved_addressees += 1
            elif ad.ambiguous:
                ambiguous[rk.zaak.gestart_op.year] += 1
            else:
                reasons[f"geadresseerde: {ad.unresolved_reason or 'geen post'}"] += 1
    return {
        "askers": askers,
        "askers_resolved": resolved_askers,
        "askers_share": round(resolved_askers / askers, 5) if askers else None,
        "addressees": addressees,
        "addressees_resolved": resolved_addressees,
        "addressees_share": round(resolved_addressees / addressees, 5) if addressees else None,
        "addressees_ambiguous": sum(ambiguous.values()),
        "addressees_ambiguous_by_year": {str(y): n for y, n in sorted(ambiguous.items())},
        "unresolved_top": reasons.most_common(50),
    }


@dataclass
class _Graphs:
    """What the record stages produce: every record graph by IRI, the outcome of each (by graph IRI), the
    graphs of deleted records, and every resolved record (for the resolution summary)."""

    graphs: dict[str, MappedGraph] = field(default_factory=dict)
    outcomes: dict[str, RecordOutcome] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    resolved: list[ResolvedKamervraag] = field(default_factory=list)
    staging: _Staging | None = None

    def put(self, graph: MappedGraph) -> None:
        """Keeps ``graph`` (in place of an earlier one of the same IRI) and passes it on to the staging copy."""
        self.graphs[graph.iri] = graph
        if self.staging is not None:
            self.staging.add(graph)


class _Staging:
    """The in-memory copy of what a build loads, filled while the records are still being mapped: every
    ``BATCH`` graphs are parsed (strictly) and loaded on another thread, on the core the mapping leaves
    idle. :meth:`finish` then makes it hold exactly the final graphs (a graph mapped again, e.g. a Zaak on
    two lines, is loaded again in its final version)."""

    BATCH = 4000

    def __init__(self) -> None:
        self.store: EmbeddedStore | None = EmbeddedStore(None)
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._futures: list[Future[None]] = []
        self._pending: list[MappedGraph] = []
        self._sent: dict[str, MappedGraph] = {}
        self._again: set[str] = set()
        self._chunks: list[bytes] = []  # the batches sent, kept for :meth:`payload`

    def add(self, graph: MappedGraph) -> None:
        self._pending.append(graph)
        if len(self._pending) >= self.BATCH:
            self._send()

    def _send(self) -> None:
        if not self._pending:
            return
        for g in self._pending:
            if g.iri in self._sent:
                self._again.add(g.iri)
            self._sent[g.iri] = g
        data = "".join(g.nquads for g in self._pending).encode("utf-8")
        self._pending = []
        self._chunks.append(data)
        assert self.store is not None
        self._futures.append(self._pool.submit(self.store.bulk_load, data))

    def payload(self, final: list[MappedGraph]) -> bytes:
        """The N-Quads of ``final`` as UTF-8, for the store on disk: the batches sent to the copy, joined, when
        they hold exactly ``final`` (every graph sent once, in its final version: the usual case), else
        ``final`` encoded again. The batches are let go either way."""
        self._send()
        chunks, self._chunks = self._chunks, []
        same = not self._again and len(self._sent) == len(final) and all(self._sent.get(g.iri) is g for g in final)
        if same:
            return b"".join(chunks)
        del chunks
        return "".join(g.nquads for g in final).encode("utf-8")

    def finish(self, final: list[MappedGraph]) -> EmbeddedStore:
        """Waits for the loads (raising their error, if any) and brings the copy to hold ``final``, every graph
        in its final version and nothing else; returns the store (and keeps no reference to it)."""
        self._send()
        for f in self._futures:
            f.result()
        store, self.store = self.store, None
        assert store is not None
        by_iri = {g.iri: g for g in final}
        stale = self._again | {iri for iri, g in self._sent.items() if by_iri.get(iri) is not g}
        for iri in sorted(stale):
            store.remove_graph(iri)
        redo = [g for iri, g in by_iri.items() if iri in stale or iri not in self._sent]
        if redo:
            store.bulk_load("".join(g.nquads for g in redo).encode("utf-8"))
        self.close()
        return store

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def build(
    store: Store,
    data_dir: Path,
    iris: Iris,
    *,
    progress: bool = False,
    odata_file: Path | None = None,
    limit: int | None = None,
    texts: Iterable[Path] | None = None,
    log: Callable[[str], None] = lambda _m: None,
    dumps_dir: Path | None = None,
) -> BuildReport:
    """Build the graph from the bundled data into ``store``; returns the run's report.

    ``store`` is any store with ``begin_rebuild``/``bulk_load``/``graph_nquads``/``adopt``: the
    embedded store swaps in the rebuilt store as a whole; a remote store stages the build
    locally and then replaces its graphs one by one (see ``store.remote.RemoteStore.adopt``).
    ``texts``: the published text files to include (default: every bundled one). ``dumps_dir``: the
    dump release whose manifest the dataset description lists (None: no distributions).
    """
    report = BuildReport(started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    timer = _Timer(report.timings, report.cpu)
    with timer("read reference"):
        ref = reference_data(data_dir)
        pub_ids = publication_ids(data_dir)
    items = _read_records(data_dir, odata_file, progress, timer)
    ref, resolver = _complete_reference(ref, items, report, timer, data_dir, texts, pub_ids)
    built = _Graphs(staging=_Staging())
    try:
        with timer("map"):
            static = context_graphs(ref, iris)
            for g in static:
                built.staging.add(g)
        text_outcomes = _resolve_texts(items, data_dir, texts, ref, resolver, pub_ids, iris, timer)
        evidence = post_evidence(t.resolved for t in text_outcomes if t.resolved is not None)
        _map_records(items, resolver, pub_ids, iris, limit, progress, report, built, evidence)
        _map_texts(text_outcomes, report, built)
        with timer("map"):
            payload = [built.staging.payload([*static, *built.graphs.values()])]
        rejected = _replace_store(store, report, timer, payload, built, static, iris, dumps_dir)
    finally:
        built.staging.close()
    report.store_quads = len(store)
    report.quads_loaded = report.store_quads
    log(f"loaded {len(built.graphs) - len(rejected)} record graphs, rejected {len(rejected)}")
    return report


def _read_records(data_dir: Path, odata_file: Path | None, progress: bool, timer: _Timer) -> list[ZaakRecord | ParseError]:
    """Reads the OData records (``odata_file``, default the bundled file): every Zaak, or the error of a line."""
    odata_path = odata_file or data_dir / ODATA_FILE
    odata_name = f"data/{ODATA_FILE}" if odata_file is None else str(odata_file)
    with timer("read records"):
        return list(_progress(read_jsonl(odata_path, odata_name), None, progress, "lezen"))


def _complete_reference(ref: ReferenceData, items: list[ZaakRecord | ParseError], report: BuildReport,
                        timer: _Timer, data_dir: Path, texts: Iterable[Path] | None,
                        pub_ids: frozenset[str]) -> tuple[ReferenceData, Resolver]:
    """Adds to the reference data the membership periods the member list lacks, inferred from who asked
    questions when, and the fracties the published texts print for askers in no list (naming the text);
    the notes of that go to the report. Returns the completed data and its resolver."""
    from kamergraph.texts import printed_in_texts

    with timer("resolve"):
        text_files = bundled_text_files(data_dir) if texts is None else list(texts)
        ref = complete_reference(ref, (i for i in items if isinstance(i, ZaakRecord)),
                                 printed_in_texts(text_files, data_dir, pub_ids))
        report.reference_notes = list(ref.report)
        return ref, Resolver(ref)


def _map_records(items: list[ZaakRecord | ParseError], resolver: Resolver, pub_ids: frozenset[str], iris: Iris,
                 limit: int | None, progress: bool, report: BuildReport, built: _Graphs,
                 evidence: Mapping[str, tuple[PostEvidence, ...]]) -> None:
    """Resolves and maps every Zaak (the first ``limit``) to its graph in ``built``, with the posts the
    published texts matched to it name (``evidence``, by Zaak number); reports each line's outcome
    (loaded, deleted, superseded, unparseable) and the resolution summary, and times the resolving and
    the mapping apart: the wall time of each, the CPU time of the whole loop shared between them as their
    wall times are (reading the process's CPU clock per Zaak cost more than a second)."""
    t_resolve = t_map = 0.0
    c_loop = time.process_time()
    for item in _progress(items, len(items), progress, "zaken"):
        if isinstance(item, ParseError):
            report.records.append(
                RecordOutcome(source=f"{item.file}:{item.line}", status="unparseable", problems=[item.problem])
            )
            continue
        zaak: ZaakRecord = item
        if limit is not None and len(built.outcomes) >= limit:
            break
        src = str(zaak.source)
        graph_iri = iris.zaak_graph(zaak.nummer)
        if zaak.verwijderd:
            built.deleted.append(graph_iri)
            report.records.append(RecordOutcome(source=src, status="deleted", zaak=zaak.nummer, graph=graph_iri))
            continue
        if graph_iri in built.outcomes:  # the same Zaak twice: the later line wins, the earlier is reported
            built.outcomes[graph_iri].status = "superseded"
            built.outcomes[graph_iri].problems.append(
                f"Zaak {zaak.nummer} occurs again at {src}; the later line is used")
        t0 = time.perf_counter()
        rk = resolver.resolve(zaak, pub_ids, evidence.get(zaak.nummer, ()))
        t1 = time.perf_counter()
        mapped = map_kamervraag(rk, iris)
        t2 = time.perf_counter()
        t_resolve += t1 - t0
        t_map += t2 - t1
        built.put(mapped)
        built.resolved.append(rk)
        out = RecordOutcome(source=src, status="loaded", zaak=zaak.nummer, graph=mapped.iri)
        out.unresolved = _unresolved(rk)
        built.outcomes[mapped.iri] = out
        report.records.append(out)
    c_loop = time.process_time() - c_loop
    share = t_resolve / (t_resolve + t_map) if t_resolve + t_map > 0 else 0.0
    report.timings["resolve"] += t_resolve
    report.timings["map"] = t_map
    report.cpu["resolve"] += c_loop * share
    report.cpu["map"] = c_loop * (1 - share)
    report.resolution = resolution_summary(built.resolved)


def _unresolved(rk: ResolvedKamervraag) -> list[dict[str, str]]:
    """The askers without a person and fractie membership and the addressees without a person and post,
    each with the reason."""
    return [
        {"name": a.name_in_source, "role": a.role, "reason": a.unresolved_reason or "geen fractie"}
        for a in rk.askers
        if not (a.person_key and a.fractie_membership_key)
    ] + [
        {"name": a.name_in_source, "role": "gericht aan", "reason": a.unresolved_reason or "geen post"}
        for a in rk.addressees
        if not (a.person_key and a.holding_key)
    ]


def _resolve_texts(items: list[ZaakRecord | ParseError], data_dir: Path, texts: Iterable[Path] | None,
                   ref: ReferenceData, resolver: Resolver, pub_ids: frozenset[str], iris: Iris,
                   timer: _Timer) -> list[TextOutcome]:
    """Reads, resolves and maps the published texts (``texts``, default every bundled one), before the
    Zaken: the posts they name settle the addressees of their Zaken (:func:`post_evidence`)."""
    with timer("texts"):
        text_files = bundled_text_files(data_dir) if texts is None else list(texts)
        text_resolver = TextResolver(ref, resolver, (i for i in items if isinstance(i, ZaakRecord)))
        return process_texts(text_files, data_dir, text_resolver, pub_ids, iris)


def _map_texts(text_outcomes: list[TextOutcome], report: BuildReport, built: _Graphs) -> None:
    """Puts the texts' graphs in ``built``, after the Zaken; a publication read twice supersedes the
    earlier, a file that cannot be read is reported."""
    for t in text_outcomes:
        if t.graph is None:
            report.records.append(RecordOutcome(source=t.source, status="unparseable", problems=t.problems()))
            continue
        out = RecordOutcome(source=t.source, status="loaded", graph=t.graph.iri,
                            zaak=t.resolved.kamervraag if t.resolved else None, warnings=t.notes())
        if t.graph.iri in built.outcomes:
            built.outcomes[t.graph.iri].status = "superseded"
            built.outcomes[t.graph.iri].problems.append(f"the same publication occurs again in {t.source}")
        built.put(t.graph)
        built.outcomes[t.graph.iri] = out
        report.records.append(out)


def _replace_store(store: Store, report: BuildReport, timer: _Timer, payload: list[bytes], built: _Graphs,
                   static: list[MappedGraph], iris: Iris, dumps_dir: Path | None) -> list[str]:
    """Fills a fresh store beside ``store`` and puts it in its place; returns the rejected graphs.

    A full build fills a fresh store beside the current one, and at the same time (on the other core)
    validates the same statements in an in-memory copy, where the SHACL queries run several times faster
    than on disk. Then it removes what failed, puts back the current version of every graph that failed
    or that this build does not produce, and takes the current store's place as a whole. On any failure
    (a full disk, an error, an interrupt) the store stays as it was and the fresh one goes."""
    fresh = store.begin_rebuild()
    try:
        rejected = _fill(store, fresh, report, timer, payload, built, static, iris, dumps_dir)
        crash_point("build-before-swap")
        with timer("load"):
            store.adopt(fresh)
    except BaseException:
        discard = getattr(store, "discard", None)
        if discard is not None:
            discard(fresh)
        raise
    return rejected


def _fill(store: Store, fresh: Store, report: BuildReport, timer: _Timer, payload: list[bytes], built: _Graphs,
          static: list[MappedGraph], iris: Iris, dumps_dir: Path | None) -> list[str]:
    """Load and validate into ``fresh``: returns the rejected graphs (see :func:`_replace_store`). ``payload``
    holds the N-Quads to load, taken out of it so that they are freed once loaded.

    ``fresh`` is loaded on one core while the other finishes the in-memory copy (filled while the records
    were mapped: :class:`_Staging`), validates it, applies to it what follows (the rejected graphs out, the carried-over graphs in, the findings graph) and counts it for the
    dataset description, several times faster than on disk; then the same changes, the findings graph and
    the description go into ``fresh``, so that the two hold the same statements."""
    data = payload.pop()
    assert built.staging is not None
    with ThreadPoolExecutor(max_workers=1) as pool:
        with timer("load + validate"):
            loading = pool.submit(fresh.bulk_load, data, lenient=True)  # the staging copy parses it strictly
            del data
            staging = built.staging.finish([*static, *built.graphs.values()])
            report.validation = FastValidator().validate_store(staging.ox)
        _record_results(report.validation, report, built.outcomes)
        rejected = [g for g, o in built.outcomes.items() if o.status == "rejected"]
        with timer("describe"):
            carried = _complete_staging(store, staging, report, built, static, rejected, iris, dumps_dir)
        with timer("load"):
            loading.result()
    with timer("load"):
        for g in rejected:
            fresh.remove_graph(g)
        if carried:
            fresh.bulk_load(b"".join(staging.graph_nquads(g) for g in carried))
        for g in (findings_graph(iris), aggregates_graph(iris), description_graph(iris)):
            fresh.replace_graph(g, staging.graph_nquads(g))
    kept = [staging]  # the copy is freed on another thread (~2 s CPU for the bundled corpus) during the optimize
    del staging
    with ThreadPoolExecutor(max_workers=1) as pool:
        freeing = pool.submit(kept.clear)
        with timer("optimize"):
            fresh.optimize()
        freeing.result()
    return rejected


def _complete_staging(store: Store, staging: EmbeddedStore, report: BuildReport, built: _Graphs,
                      static: list[MappedGraph], rejected: list[str], iris: Iris, dumps_dir: Path | None) -> list[str]:
    """Brings the validated in-memory copy to what the built store will hold: takes the rejected graphs out,
    carries over the current version of the graphs of ``store`` (:func:`_carry_over`), writes the findings
    graph and last the dataset description (VoID, DCAT, service description) of it all. Returns the graphs
    carried over."""
    for g in rejected:
        staging.remove_graph(g)
    carried = _carry_over(store, staging, built, static, rejected)
    report.carried_over = len(carried)
    load_findings(staging, iris, report.validation, report.reference_notes,
                  validated=[*built.graphs, *(g.iri for g in static)])
    refresh_aggregates(staging, iris)  # the counts the counting named queries read, recounted from this store
    try:
        load_description(staging, iris, dumps_dir)
    except DatasetError as exc:  # a bad dump manifest does not stop the build: described without dumps
        report.reference_notes.append(f"dataset description without the dumps: {exc}")
        load_description(staging, iris, None)
    return carried


def _record_results(validation: Report, report: BuildReport, outcomes: dict[str, RecordOutcome]) -> None:
    """Adds every result of ``validation`` to the outcome of its graph: a violation rejects the graph,
    anything else is a warning; a violation in no record graph becomes a note on the reference data."""
    for res in validation.results:
        out = outcomes.get(res.graph or "")
        line = f"{res.severity}: {res.message} (focus {res.focus_node}, path {res.path}, shape {res.source_shape}"
        line += f", source {out.source})" if out else ")"
        if out is None:
            if res.severity == "Violation":
                report.reference_notes.append(f"reference data: {line}")
            continue
        if res.severity == "Violation":
            out.status = "rejected"
            out.problems.append(line)
        else:
            out.warnings.append(line)


def _carry_over(store: Store, fresh: Store, built: _Graphs, static: list[MappedGraph], rejected: list[str]
                ) -> list[str]:
    """Copies into ``fresh`` the current version of every graph of ``store`` that was rejected or that this
    build does not produce (except the graphs of deleted records); returns those graphs."""
    produced = set(built.graphs) | {g.iri for g in static}
    gone = set(built.deleted)
    carry = [g for g in store.named_graphs() if (g not in produced or g in rejected) and g not in gone]
    for g in carry:
        fresh.bulk_load(store.graph_nquads(g))
    return carry
