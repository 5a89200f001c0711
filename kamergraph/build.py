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
from concurrent.futures import ThreadPoolExecutor
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import (
    BlankNode,
    CanonicalizationAlgorithm,
    Dataset,
    NamedNode,
    Quad,
    RdfFormat,
    Store as OxStore,
    parse,
    serialize,
)

from ingest.errors import ParseError
from ingest.citations import default_register
from ingest.map import MappedGraph, map_kamervraag, map_reference
from ingest.map_text import map_eu_register
from ingest.resolve_text import TextResolver
from ingest.records import ResolvedKamervraag, ZaakRecord
from ingest.reference import complete_reference, load_reference
from ingest.resolve import Resolver
from ingest.sources.koop import read_publication_ids
from ingest.sources.odata import read_jsonl
from kamergraph.texts import bundled_text_files, process_texts
from ontology.namespaces import Iris
from shapes.validate import FastValidator, Report
from store.base import Store
from store.generation import crash_point

ODATA_FILE = "tk-odata/zaken-schriftelijke-vragen.jsonl.gz"
KOOP_FILE = "koop/parliamentary-ids.txt.xz"
ONTOLOGY_FILE = Path(__file__).resolve().parent.parent / "ontology" / "kamergraph.ttl"


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
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings

    def __call__(self, stage: str) -> _Stage:
        return _Stage(self.timings, stage)


class _Stage:
    def __init__(self, timings: dict[str, float], stage: str) -> None:
        self.timings, self.stage = timings, stage

    def __enter__(self) -> None:
        self.t0 = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.timings[self.stage] = self.timings.get(self.stage, 0.0) + time.perf_counter() - self.t0


def ontology_graph(iris: Iris) -> MappedGraph:
    """The ontology (OWL, Turtle) as its own named graph."""
    g = NamedNode(iris.ontology_graph())
    with ONTOLOGY_FILE.open("rb") as fh:
        ds = Dataset(Quad(t.subject, t.predicate, t.object, g) for t in parse(fh, format=RdfFormat.TURTLE))
    # Blank nodes (OWL lists) get canonical labels (RDFC-1.0) and are then skolemised into
    # well-known IRIs (RDF 1.1, 3.5), so that every build writes exactly the same statements.
    ds.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    genid = f"{iris.base}.well-known/genid/ontologie-"

    def skolem(t):
        return NamedNode(genid + t.value) if isinstance(t, BlankNode) else t

    quads = [Quad(skolem(q.subject), q.predicate, skolem(q.object), g) for q in ds]
    return MappedGraph(g.value, serialize(quads, format=RdfFormat.N_QUADS).decode("utf-8"))


def _progress(items: Iterable[Any], total: int | None, enabled: bool, desc: str) -> Iterator[Any]:
    if not enabled:
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, total=total, desc=desc, unit="zaak", file=sys.stderr, dynamic_ncols=True)


def resolution_summary(resolved: Iterable[ResolvedKamervraag]) -> dict[str, Any]:
    askers = resolved_askers = addressees = resolved_addressees = 0
    reasons: Counter[str] = Counter()
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
            else:
                reasons[f"geadresseerde: {ad.unresolved_reason or 'geen post'}"] += 1
    return {
        "askers": askers,
        "askers_resolved": resolved_askers,
        "askers_share": round(resolved_askers / askers, 5) if askers else None,
        "addressees": addressees,
        "addressees_resolved": resolved_addressees,
        "addressees_share": round(resolved_addressees / addressees, 5) if addressees else None,
        "unresolved_top": reasons.most_common(50),
    }


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
    timer = _Timer(report.timings)
    odata_path = odata_file or data_dir / ODATA_FILE
    odata_name = f"data/{ODATA_FILE}" if odata_file is None else str(odata_file)

    with timer("read reference"):
        ref = load_reference(data_dir)
        pub_ids = read_publication_ids(data_dir / KOOP_FILE)
    with timer("read records"):
        items = list(_progress(read_jsonl(odata_path, odata_name), None, progress, "lezen"))
    with timer("resolve"):
        # Membership periods the member list lacks are inferred from who asked questions when.
        ref = complete_reference(ref, (i for i in items if isinstance(i, ZaakRecord)))
        report.reference_notes = list(ref.report)
        resolver = Resolver(ref)

    graphs: dict[str, MappedGraph] = {}
    outcomes: dict[str, RecordOutcome] = {}
    resolved_all: list[ResolvedKamervraag] = []
    deleted: list[str] = []
    t_resolve = t_map = 0.0
    for item in _progress(items, len(items), progress, "zaken"):
        if isinstance(item, ParseError):
            report.records.append(
                RecordOutcome(source=f"{item.file}:{item.line}", status="unparseable", problems=[item.problem])
            )
            continue
        zaak: ZaakRecord = item
        if limit is not None and len(outcomes) >= limit:
            break
        src = str(zaak.source)
        graph_iri = iris.zaak_graph(zaak.nummer)
        if zaak.verwijderd:
            deleted.append(graph_iri)
            report.records.append(RecordOutcome(source=src, status="deleted", zaak=zaak.nummer, graph=graph_iri))
            continue
        if graph_iri in outcomes:  # the same Zaak twice: the later line wins, the earlier is reported
            outcomes[graph_iri].status = "superseded"
            outcomes[graph_iri].problems.append(f"Zaak {zaak.nummer} occurs again at {src}; the later line is used")
        t0 = time.perf_counter()
        rk = resolver.resolve(zaak, pub_ids)
        t1 = time.perf_counter()
        mapped = map_kamervraag(rk, iris)
        t2 = time.perf_counter()
        t_resolve += t1 - t0
        t_map += t2 - t1
        graphs[mapped.iri] = mapped
        resolved_all.append(rk)
        out = RecordOutcome(source=src, status="loaded", zaak=zaak.nummer, graph=mapped.iri)
        out.unresolved = [
            {"name": a.name_in_source, "role": a.role, "reason": a.unresolved_reason or "geen fractie"}
            for a in rk.askers
            if not (a.person_key and a.fractie_membership_key)
        ] + [
            {"name": a.name_in_source, "role": "gericht aan", "reason": a.unresolved_reason or "geen post"}
            for a in rk.addressees
            if not (a.person_key and a.holding_key)
        ]
        outcomes[mapped.iri] = out
        report.records.append(out)
    report.timings["resolve"] += t_resolve
    report.timings["map"] = t_map
    report.resolution = resolution_summary(resolved_all)

    with timer("texts"):
        text_files = bundled_text_files(data_dir) if texts is None else list(texts)
        text_resolver = TextResolver(ref, resolver, (i for i in items if isinstance(i, ZaakRecord)))
        for t in process_texts(text_files, data_dir, text_resolver, pub_ids, iris):
            if t.graph is None:
                report.records.append(RecordOutcome(source=t.source, status="unparseable", problems=t.problems()))
                continue
            out = RecordOutcome(source=t.source, status="loaded", graph=t.graph.iri,
                                zaak=t.resolved.kamervraag if t.resolved else None, warnings=t.notes())
            if t.graph.iri in outcomes:
                outcomes[t.graph.iri].status = "superseded"
                outcomes[t.graph.iri].problems.append(f"the same publication occurs again in {t.source}")
            graphs[t.graph.iri] = t.graph
            outcomes[t.graph.iri] = out
            report.records.append(out)

    with timer("map"):
        static = [ontology_graph(iris), *map_reference(ref, iris), map_eu_register(default_register(), iris)]
        data = "".join(g.nquads for g in static) + "".join(g.nquads for g in graphs.values())
        data_bytes = data.encode("utf-8")
        del data

    # Load and validate: a full build fills a fresh store beside the current one, and at the same
    # time (on the other core) validates the same statements in an in-memory copy, where the
    # SHACL queries run several times faster than on disk. Then it removes what failed, puts back
    # the current version of every graph that failed or that this build does not produce, and
    # takes the current store's place as a whole.
    fresh = store.begin_rebuild()
    try:
        payload = [data_bytes]
        del data_bytes  # freed by _fill once loaded
        rejected = _fill(store, fresh, report, timer, payload, outcomes, graphs, static, deleted, iris, dumps_dir)
        crash_point("build-before-swap")
        with timer("load"):
            store.adopt(fresh)
    except BaseException:  # a full disk, an error, an interrupt: the store stays as it was, the new one goes
        discard = getattr(store, "discard", None)
        if discard is not None:
            discard(fresh)
        raise
    report.store_quads = len(store)
    report.quads_loaded = report.store_quads
    log(f"loaded {len(graphs) - len(rejected)} record graphs, rejected {len(rejected)}")
    return report


def _fill(store: Store, fresh: Store, report: BuildReport, timer: _Timer, payload: list[bytes],
          outcomes: dict[str, RecordOutcome], graphs: dict[str, MappedGraph], static: list[MappedGraph],
          deleted: list[str], iris: Iris, dumps_dir: Path | None) -> list[str]:
    """Load and validate into ``fresh``: returns the rejected graphs (see :func:`build`). ``payload``
    holds the N-Quads to load, taken out of it so that they are freed once loaded."""
    # Load and validate: a full build fills a fresh store beside the current one, and at the same
    # time (on the other core) validates the same statements in an in-memory copy, where the
    # SHACL queries run several times faster than on disk. Then it removes what failed, puts back
    # the current version of every graph that failed or that this build does not produce, and
    # takes the current store's place as a whole.
    data_bytes = payload.pop()
    with timer("load + validate"), ThreadPoolExecutor(max_workers=1) as pool:
        loading = pool.submit(fresh.bulk_load, data_bytes)
        staging = OxStore()
        staging.bulk_load(data_bytes, format=RdfFormat.N_QUADS)
        validation = FastValidator().validate_store(staging)
        del staging
        loading.result()
        del data_bytes
    report.validation = validation
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

    with timer("load"):
        rejected = [g for g, o in outcomes.items() if o.status == "rejected"]
        for g in rejected:
            fresh.remove_graph(g)
        produced = set(graphs) | {g.iri for g in static}
        gone = set(deleted)
        carry = [g for g in store.named_graphs() if (g not in produced or g in rejected) and g not in gone]
        for g in carry:
            fresh.bulk_load(store.graph_nquads(g))
        report.carried_over = len(carry)
    with timer("describe"):  # last: the dataset description (VoID, DCAT, service description) of what was built
        from kamergraph.dataset import DatasetError, load_description

        try:
            load_description(fresh, iris, dumps_dir)
        except DatasetError as exc:  # a bad dump manifest does not stop the build: described without dumps
            report.reference_notes.append(f"dataset description without the dumps: {exc}")
            load_description(fresh, iris, None)
    with timer("optimize"):
        fresh.optimize()
    return rejected
