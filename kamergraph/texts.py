"""Published texts in the build and in `kamergraph ingest`: read, parse, resolve, map."""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import ParseError
from ingest.map import MappedGraph
from ingest.map_text import map_text
from ingest.records import SourceRef, TextDocument
from ingest.resolve_text import ResolvedText, TextResolver
from ingest.sources.text import read_docx, read_text_file
from ingest.texts import parse_text
from ontology.namespaces import Iris
from store.base import Store

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
    """Parse one text or DOCX file; raises ParseError naming the file and the place."""
    text = read_docx(path) if path.suffix.lower() == ".docx" else read_text_file(path)
    return parse_text(text, SourceRef(label), known_ids)


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
    named graph in the store (one transaction per graph). A file that cannot be read or whose
    graph violates a shape changes nothing in the store; the result lists every file's fate."""
    from pyoxigraph import RdfFormat, Store as OxStore

    from ingest.citations import default_register
    from ingest.map import map_reference
    from ingest.map_text import map_eu_register
    from ingest.reference import complete_reference, load_reference
    from ingest.resolve import Resolver
    from ingest.records import ZaakRecord
    from ingest.sources.koop import read_publication_ids
    from ingest.sources.odata import read_jsonl
    from kamergraph.build import KOOP_FILE, ODATA_FILE, ontology_graph
    from shapes.validate import FastValidator

    zaken = [z for z in read_jsonl(data_dir / ODATA_FILE) if isinstance(z, ZaakRecord)]
    ref = complete_reference(load_reference(data_dir), zaken)
    resolver = TextResolver(ref, Resolver(ref), zaken)
    stored = {g.rsplit("/kv-tk-", 1)[1] for g in store.named_graphs() if "/graph/publicatie/kv-tk-" in g}
    outcomes = process_texts(paths, data_dir, resolver, read_publication_ids(data_dir / KOOP_FILE), iris, stored)

    staging = OxStore()
    context = [ontology_graph(iris), *map_reference(ref, iris), map_eu_register(default_register(), iris)]
    staging.bulk_load("".join(g.nquads for g in context).encode("utf-8"), format=RdfFormat.N_QUADS)
    for t in outcomes:
        if t.graph is None:
            continue
        staging.bulk_load(t.graph.nquads.encode("utf-8"), format=RdfFormat.N_QUADS)
        if t.resolved and t.resolved.described_elsewhere:  # the case it belongs to, as stored
            staging.bulk_load(store.graph_nquads(iris.zaak_graph(t.resolved.kamervraag)), format=RdfFormat.N_QUADS)
    report = FastValidator().validate_store(staging, graphs=[t.graph.iri for t in outcomes if t.graph])
    violations: dict[str, list[str]] = {}
    for r in report.results:
        if r.severity == "Violation" and r.graph:
            violations.setdefault(r.graph, []).append(f"{r.message} (focus {r.focus_node}, path {r.path})")

    results: list[dict[str, object]] = []
    for t in outcomes:
        entry: dict[str, object] = {"source": t.source}
        if t.graph is None:
            entry.update(status="unparseable", problems=t.problems())
        elif t.graph.iri in violations:
            entry.update(status="rejected", graph=t.graph.iri, problems=violations[t.graph.iri])
        else:
            store.replace_graph(t.graph.iri, t.graph.nquads)
            entry.update(status="loaded", graph=t.graph.iri, quads=len(t.graph))
        if t.resolved:
            entry.update(kamervraag=t.resolved.kamervraag, match=t.resolved.match, notes=t.notes(),
                         confidence=t.resolved.doc.confidence)
        results.append(entry)
    return results
