"""Published texts in the build and in `kamergraph ingest`: read, parse, resolve, map."""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.errors import ParseError
from ingest.map import MappedGraph
from ingest.map_text import map_text
from ingest.records import SourceRef, TextDocument
from ingest.resolve_text import ResolvedText, TextResolver
from ingest.sources.text import read_docx, read_text_file
from ingest.texts import parse_text
from ingest.records import ReferenceData
from kamergraph.inputs import ODATA_FILE, context_graphs
from ontology.namespaces import Iris
from shapes.results import refresh_findings
from store.base import Store, StoreError

BUNDLED = ("texts/seed/*.txt", "texts/*.txt", "answers-docx/*.docx")


def bundled_text_files(data_dir: Path) -> list[Path]:
    files: list[Path] = []
    for pattern in BUNDLED:
        files += sorted(data_dir.glob(pattern))
    return files


def label_of(path: Path, data_dir: Path) -> str:
    """How a file is named in records and reports: relative to the data folder's parent when inside it."""
    try:
        return str(path.resolve().relative_to(data_dir.resolve().parent))
    except ValueError:
        return str(path)


def read_document(path: Path, label: str, known_ids: Container[str]) -> TextDocument:
    """Parse one text or DOCX file; raises ParseError naming the file and the place. The limits
    max_text_bytes and max_docx_unpacked_bytes (settings) are checked before anything is parsed."""
    from kamergraph.settings import get_settings

    settings = get_settings()
    if path.suffix.lower() == ".docx":
        text = read_docx(path, settings.max_docx_unpacked_bytes, settings.max_text_bytes)
    else:
        text = read_text_file(path, settings.max_text_bytes)
    if isinstance(known_ids, frozenset):
        return _parsed(text, label, known_ids)
    return parse_text(text, SourceRef(label), known_ids)


@lru_cache(maxsize=256)
def _parsed(text: str, label: str, known_ids: frozenset[str]) -> TextDocument:
    """:func:`ingest.texts.parse_text`, remembered for the same text, label and id list (the first
    sync parses every text for the base and again for the current records; a TextDocument is frozen).
    A text that does not parse is not remembered: it raises its ParseError each time."""
    return parse_text(text, SourceRef(label), known_ids)


def printed_in_texts(paths: Iterable[Path], data_dir: Path, known_ids: Container[str]) -> list:
    """The askers these text files print with a fractie ("Vragen van het lid Dobbe (SP)"), each with the
    text that prints it (:func:`ingest.askers_unlisted.printed_fracties`), for
    :func:`ingest.infer.complete_reference`. A file that cannot be read prints nothing here; the stage that
    maps the texts reports it. With ``known_ids`` a frozenset the parse is remembered for that stage."""
    from ingest.askers_unlisted import printed_fracties

    docs = []
    for path in paths:
        try:
            docs.append(read_document(path, label_of(path, data_dir), known_ids))
        except (ParseError, OSError):
            continue
    return printed_fracties(docs)


@dataclass
class TextOutcome:
    source: str
    graph: MappedGraph | None
    resolved: ResolvedText | None
    error: ParseError | None

    def problems(self) -> list[str]:
        if self.error is None:
            return []
        where = f"line {self.error.line}: " if self.error.line is not None else ""
        return [where + self.error.problem]

    def notes(self) -> list[str]:
        if self.resolved is None:
            return []
        return [*self.resolved.doc.notes, *self.resolved.notes]


def process_texts(
    paths: Iterable[Path],
    data_dir: Path,
    resolver: TextResolver,
    known_ids: Container[str],
    iris: Iris,
    published_questions: Iterable[str] = (),
) -> list[TextOutcome]:
    """Every file to a graph, or a located error; one bad file costs nothing else.

    Question sets come first, so that an answer whose Zaak has no OData case yet is matched to
    its published questions.
    """
    parsed: list[tuple[str, TextDocument | ParseError]] = []
    for path in paths:
        label = label_of(path, data_dir)
        try:
            parsed.append((label, read_document(path, label, known_ids)))
        except ParseError as exc:
            parsed.append((label, exc))
    resolver.add_question_texts(d for _, d in parsed if isinstance(d, TextDocument))
    # Zaken whose question set is published among these texts (or already stored): there the
    # questions are that publication's statements, and answers only link to them.
    published = set(published_questions) | {
        d.zaak for _, d in parsed if isinstance(d, TextDocument) and d.kind == "vragen" and d.zaak
    }
    outcomes = []
    for label, doc in parsed:
        if isinstance(doc, ParseError):
            outcomes.append(TextOutcome(label, None, None, doc))
            continue
        rt = resolver.resolve(doc)
        quote = doc.kind == "vragen" or rt.kamervraag not in published
        outcomes.append(TextOutcome(label, map_text(rt, iris, quote_questions=quote), rt, None))
    return outcomes


def ingest_files(store: Store, paths: list[Path], data_dir: Path, iris: Iris) -> list[dict[str, object]]:
    """`kamergraph ingest`: parse, resolve, map and validate these files, and replace each one's
    named graph in the store (one transaction per graph).

    A graph is validated together with the graphs of the store it shares resources with (say, a
    copy of the same letter under another name), so that a loaded graph never makes the store
    invalid. A file that cannot be read, that holds no question or whose graph violates a shape
    changes nothing in the store. When the store cannot be written (a full disk, a read-only store,
    any OSError), the run stops there: that file is "failed", the later ones "not reached", and
    every graph loaded before stays. The result lists every file's fate (``status``: loaded,
    unparseable, rejected, failed or not reached; ``problems`` says why).
    """
    try:
        outcomes, ref = _prepare(store, paths, data_dir, iris)
        violations = _violations(store, outcomes, ref, iris)
    except (OSError, StoreError) as exc:  # the data folder or the store cannot be read: nothing was loaded
        reason = f"not reached: the run stopped before loading anything: {_reason(exc)}"
        return [{"source": label_of(p, data_dir), "status": "not reached", "problems": [reason]} for p in paths]
    results: list[dict[str, object]] = []
    stopped: str | None = None
    for t in outcomes:
        entry: dict[str, object] = {"source": t.source}
        if t.graph is None:
            entry.update(status="unparseable", problems=t.problems())
        elif t.graph.iri in violations:
            entry.update(status="rejected", graph=t.graph.iri, problems=violations[t.graph.iri])
        elif stopped is not None:
            entry.update(status="not reached", graph=t.graph.iri, problems=[stopped])
        else:
            try:
                store.replace_graph(t.graph.iri, t.graph.nquads)
                entry.update(status="loaded", graph=t.graph.iri, quads=len(t.graph))
            except (OSError, StoreError) as exc:
                entry.update(status="failed", graph=t.graph.iri,
                             problems=[f"the store could not be written: {_reason(exc)}; its graph is unchanged"])
                stopped = f"not loaded: the run stopped at {t.source} (the store could not be written: {_reason(exc)})"
        if t.resolved:
            entry.update(kamervraag=t.resolved.kamervraag, match=t.resolved.match, notes=t.notes(),
                         confidence=t.resolved.doc.confidence)
        results.append(entry)
    if stopped is None:  # the findings of the graphs loaded (shapes.results)
        refresh_findings(store, iris, [str(r["graph"]) for r in results if r["status"] == "loaded"])
    return results


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror} (errno {exc.errno})" + (f": {exc.filename}" if exc.filename else "")
    return str(exc) or type(exc).__name__


def _prepare(store: Store, paths: list[Path], data_dir: Path, iris: Iris) -> tuple[list[TextOutcome], ReferenceData]:
    """Every file read, parsed, resolved and mapped (against the reference data and the stored texts);
    and the reference data."""
    from ingest.infer import complete_reference
    from ingest.resolve import Resolver
    from ingest.records import ZaakRecord
    from ingest.sources.odata import read_jsonl
    from kamergraph.inputs import publication_ids, reference_data

    zaken = [z for z in read_jsonl(data_dir / ODATA_FILE) if isinstance(z, ZaakRecord)]
    # the fracties the bundled texts print, as the build completed the reference the store holds
    printed = printed_in_texts(bundled_text_files(data_dir), data_dir, publication_ids(data_dir))
    ref = complete_reference(reference_data(data_dir), zaken, printed)
    resolver = TextResolver(ref, Resolver(ref), zaken)
    stored = {g.rsplit("/kv-tk-", 1)[1] for g in store.named_graphs() if "/graph/publicatie/kv-tk-" in g}
    return process_texts(paths, data_dir, resolver, publication_ids(data_dir), iris, stored), ref


def _violations(store: Store, outcomes: list[TextOutcome], ref: ReferenceData, iris: Iris) -> dict[str, list[str]]:
    """Shape violations of the new graphs (by graph IRI), validated in a staging store together with
    the ontology, the reference data, and every stored graph that shares a resource with one of them."""
    from pyoxigraph import RdfFormat, Store as OxStore

    from shapes.validate import FastValidator

    staging = OxStore()
    context = context_graphs(ref, iris)
    staging.bulk_load("".join(g.nquads for g in context).encode("utf-8"), format=RdfFormat.N_QUADS)
    new = [t.graph for t in outcomes if t.graph is not None]
    for g in new:
        staging.bulk_load(g.nquads.encode("utf-8"), format=RdfFormat.N_QUADS)
    for t in outcomes:
        if t.graph is not None and t.resolved and t.resolved.described_elsewhere:  # the case it belongs to, as stored
            staging.bulk_load(store.graph_nquads(iris.zaak_graph(t.resolved.kamervraag)), format=RdfFormat.N_QUADS)
    skip = {g.iri for g in new} | {g.iri for g in context}  # a graph being replaced is not validated against its old self
    for graph in sorted(_stored_neighbours(store, new, iris) - skip):
        staging.bulk_load(store.graph_nquads(graph), format=RdfFormat.N_QUADS)
    report = FastValidator().validate_store(staging, graphs=[g.iri for g in new])
    violations: dict[str, list[str]] = {}
    for r in report.results:
        if r.severity == "Violation" and r.graph:
            violations.setdefault(r.graph, []).append(f"{r.message} (focus {r.focus_node}, path {r.path})")
    return violations


_NEIGHBOURS = "SELECT DISTINCT ?s ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def _stored_neighbours(store: Store, graphs: list[MappedGraph], iris: Iris) -> set[str]:
    """The stored graphs holding a statement about a data resource ({base}id/…) that one of ``graphs``
    makes statements about (one query per resource, the resource bound, never pasted)."""
    from pyoxigraph import NamedNode, RdfFormat, parse

    prefix = iris.base + "id/"
    subjects: set[str] = set()
    for g in graphs:
        for q in parse(g.nquads.encode("utf-8"), format=RdfFormat.N_QUADS):
            if isinstance(q.subject, NamedNode) and q.subject.value.startswith(prefix):
                subjects.add(q.subject.value)
    out: set[str] = set()
    for s in sorted(subjects):
        out.update(v.value for v in store.query(_NEIGHBOURS, {"s": NamedNode(s)}).column("g") if isinstance(v, NamedNode))
    return out
