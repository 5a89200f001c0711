"""The analyst workload: its query files (``bench/workload/queries/*.rq``), read and expanded into the
queries that are timed.

Each file starts with a header of ``# key: value`` lines (a value goes on over lines that start with
``#`` and two spaces or more):

- ``# title:`` what the query is, in a few words;
- ``# answers:`` the question it answers;
- ``# rows:`` the row count (triples for CONSTRUCT and DESCRIBE) expected on the bundled full build:
  a number, or for a file that stands for several queries ``key=number`` pairs separated by spaces;
- at most one source line: ``# named: NAME [param=value …]`` (a named query of ``queries/``, read at
  run time with those parameters written into its text), ``# page: PATH`` (the queries the HTML page
  at PATH sends to the store, recorded while it is rendered: bench/workload/pages.py) or
  ``# overview:`` (the whole-graph queries the pages' overview is built from, ``server.overview.QUERIES``).
  Without a source line the rest of the file is the query itself.

:func:`load` reads the files; :func:`expand` turns each into its :class:`Item` s (one for a query
file or a named query, one per recorded query of a page, one per overview query). A file that breaks
these rules is a :class:`WorkloadError` naming the file, the line and the problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUERY_DIR = HERE / "queries"
KEYS = ("title", "answers", "rows", "named", "page", "overview")
SOURCES = ("named", "page", "overview")
_LINE = re.compile(r"#\s*(?P<key>[a-z]+):\s?(?P<value>.*)$")
_MORE = re.compile(r"#\s{2,}(?P<value>\S.*)$")
_PAIR = re.compile(r"(?P<key>[\w.#-]+)=(?P<n>\d+)$")


class WorkloadError(ValueError):
    """A workload file that breaks the rules: the message names the file, the line and the problem."""


@dataclass
class WorkloadFile:
    """One file of the workload, its header read."""

    path: Path
    title: str
    answers: str
    rows: int | dict[str, int] | None
    source: str  # "text", "named", "page" or "overview"
    target: str = ""  # the named query's name or the page's path
    params: dict[str, str] = field(default_factory=dict)
    text: str = ""  # the query (source "text")

    @property
    def name(self) -> str:
        return self.path.stem


@dataclass
class Item:
    """One query to time: its name (``file`` or ``file:key``), its text (bindings written in), the
    rows expected (None: not given) and the file it came from."""

    name: str
    text: str
    expected: int | None
    file: WorkloadFile


def _header(path: Path, lines: list[str]) -> tuple[dict[str, tuple[str, int]], int]:
    """The header's fields (key: (value, line number)) and the index of the first line after it."""
    fields: dict[str, tuple[str, int]] = {}
    last: str | None = None
    i = 0
    for i, line in enumerate(lines):
        more = _MORE.match(line)
        m = _LINE.match(line)
        if more and last is not None and not m:
            value, lineno = fields[last]
            fields[last] = (f"{value} {more.group('value').strip()}".strip(), lineno)
            continue
        if m and m.group("key") in KEYS:
            key = m.group("key")
            if key in fields:
                raise WorkloadError(f"{path}:{i + 1}: '{key}' is given twice (first on line {fields[key][1]})")
            fields[key] = (m.group("value").strip(), i + 1)
            last = key
            continue
        if line.strip() == "" or line.lstrip().startswith("#"):
            last = None
            if line.strip() == "" and fields:
                return fields, i + 1
            continue
        return fields, i
    return fields, len(lines)


def _rows(path: Path, value: str, lineno: int, many: bool) -> int | dict[str, int]:
    """A ``# rows:`` value: a number, or (``many``) key=number pairs."""
    if not many:
        if not value.isdigit():
            raise WorkloadError(f"{path}:{lineno}: rows: a whole number, not {value!r}")
        return int(value)
    pairs: dict[str, int] = {}
    for part in value.split():
        m = _PAIR.match(part)
        if m is None:
            raise WorkloadError(f"{path}:{lineno}: rows: key=number pairs separated by spaces, not {part!r}")
        pairs[m.group("key")] = int(m.group("n"))
    return pairs


def parse(path: Path) -> WorkloadFile:
    """One workload file: its header checked (title, answers and rows required, at most one source)
    and, without a source line, its query text (required then; forbidden with one)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkloadError(f"{path}: cannot read: {exc}") from None
    fields, body_start = _header(path, lines)
    for key in ("title", "answers", "rows"):
        if not fields.get(key, ("", 0))[0]:
            raise WorkloadError(f"{path}:{fields[key][1] if key in fields else 1}: the header has no '# {key}:' "
                                "line with a value")
    sources = [k for k in SOURCES if k in fields]
    if len(sources) > 1:
        raise WorkloadError(f"{path}:{fields[sources[1]][1]}: one source only (named, page or overview), "
                            f"not {' and '.join(sources)}")
    source = sources[0] if sources else "text"
    body = "\n".join(lines[body_start:]).strip()
    many = source in ("page", "overview")
    rows_value, rows_line = fields["rows"]
    rows = _rows(path, rows_value, rows_line, many)
    wf = WorkloadFile(path, fields["title"][0], fields["answers"][0], rows, source)
    if source == "text":
        if not body:
            raise WorkloadError(f"{path}:{body_start + 1}: no query after the header (and no named, page or "
                                "overview source)")
        wf.text = "\n".join(lines)  # the header stays: SPARQL comments
        return wf
    if body:
        raise WorkloadError(f"{path}:{body_start + 1}: a file with a '{source}' source has no query text of its own")
    value, lineno = fields[source]
    words = value.split()
    if source in ("named", "page") and not words:
        raise WorkloadError(f"{path}:{lineno}: '{source}:' needs a value")
    if source == "named":
        wf.target = words[0]
        for word in words[1:]:
            key, eq, val = word.partition("=")
            if not eq or not key:
                raise WorkloadError(f"{path}:{lineno}: named: parameters as name=value, not {word!r}")
            wf.params[key] = val
    elif source == "page":
        if len(words) != 1 or not words[0].startswith("/"):
            raise WorkloadError(f"{path}:{lineno}: page: one path starting with '/', not {value!r}")
        wf.target = words[0]
    return wf


def load(folder: Path = QUERY_DIR, only: Iterable[str] = ()) -> list[WorkloadFile]:
    """Every ``*.rq`` of ``folder`` in name order (``only``: those whose stem is listed, or starts with
    a listed prefix ending in ``*``)."""
    wanted = list(only)
    files = [parse(p) for p in sorted(folder.glob("*.rq"))
             if not wanted or any(p.stem == w or (w.endswith("*") and p.stem.startswith(w[:-1])) for w in wanted)]
    if not files:
        raise WorkloadError(f"{folder}: no workload files{' matching ' + ', '.join(wanted) if wanted else ''}")
    return files


def named_text(wf: WorkloadFile, base: str = "https://kamergraph.nl/") -> str:
    """The named query's text from ``queries/`` with its parameters (or their defaults) written in."""
    from queries.catalog import Catalog
    from store.sparqltext import bind

    catalog = Catalog.load(base=base)
    query = catalog.get(wf.target)
    if query is None:
        raise WorkloadError(f"{wf.path}: named: no query {wf.target!r} in queries/ (there are {', '.join(catalog.names())})")
    return bind(query.text, query.bind(wf.params))


def overview_queries() -> dict[str, str]:
    """The overview's whole-graph queries (``server.overview.QUERIES``), each with its prefixes."""
    from server.overview import PREFIXES, QUERIES

    return {key: PREFIXES + text for key, text in QUERIES.items()}


PageRecorder = Callable[[str], dict[str, str]]  # a page's path -> {label: query text}


def expand(files: Iterable[WorkloadFile], pages: PageRecorder | None = None) -> list[Item]:
    """The items to time: one per query file and named query; one per overview query; one per query a
    page sends (``pages`` records them; without it page files are left out)."""
    items: list[Item] = []
    for wf in files:
        if wf.source == "text":
            items.append(Item(wf.name, wf.text, wf.rows if isinstance(wf.rows, int) else None, wf))
        elif wf.source == "named":
            items.append(Item(wf.name, named_text(wf), wf.rows if isinstance(wf.rows, int) else None, wf))
        else:
            if wf.source == "page" and pages is None:
                continue
            texts = overview_queries() if wf.source == "overview" else pages(wf.target)  # type: ignore[misc]
            expected = wf.rows if isinstance(wf.rows, dict) else {}
            for key, text in texts.items():
                items.append(Item(f"{wf.name}:{key}", text, expected.get(key), wf))
    return items
