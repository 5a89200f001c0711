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
        return [self.error.problem] if self.error else []

    def notes(self) -> list[str]:
        if self.resolved is None:
            return []
        return [*self.resolved.doc.notes, *self.resolved.notes]


def process_texts(
    paths: Iterable[Path], data_dir: Path, resolver: TextResolver, known_ids: Container[str], iris: Iris
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
    outcomes = []
    for label, doc in parsed:
        if isinstance(doc, ParseError):
            outcomes.append(TextOutcome(label, None, None, doc))
            continue
        rt = resolver.resolve(doc)
        outcomes.append(TextOutcome(label, map_text(rt, iris), rt, None))
    return outcomes
