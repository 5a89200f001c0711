"""The export writers: statements in any export format (:func:`write_quads`), the external merge
sort that gives distinct triples in order (:class:`Sorter`), and JSON-LD written as statements
arrive (:class:`JsonLdWriter`)."""

from __future__ import annotations

import gzip
import heapq
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, parse, serialize

from ontology.context import Compactor, context_url, jsonld_context
from ontology.namespaces import PREFIXES, RDF, XSD
from store.base import StoreError
from store.export_io import FORMATS, IterReader, Sink

XSD_STRING = XSD + "string"
RDF_TYPE = RDF + "type"


def write_quads(source: Iterable[Quad], fmt: str, sink: Sink | IO[bytes], *, base: str, distinct: bool = False,
                sort_buffer_bytes: int = 32 << 20, tmp_dir: str | os.PathLike[str] | None = None) -> int:
    """Write statements in ``fmt`` to ``sink``; the number of statements written (quads for the
    dataset formats and for N-Triples, a line per statement; distinct triples for Turtle and RDF/XML,
    and for N-Triples with ``distinct``)."""
    if fmt not in FORMATS:
        raise StoreError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
    if fmt == "nq":
        counter = _Counter(source)
        serialize(counter, sink, RdfFormat.N_QUADS)
        return counter.n
    if fmt == "nt" and not distinct:
        counter = _Counter(source)
        serialize((q.triple for q in counter), sink, RdfFormat.N_TRIPLES)
        return counter.n
    if fmt == "trig":
        counter = _Counter(source)
        serialize(counter, sink, RdfFormat.TRIG, prefixes=PREFIXES)
        return counter.n
    if fmt == "jsonld":
        writer = JsonLdWriter(sink, context_url(base))
        for q in source:
            writer.add(q)
        writer.close()
        return writer.n
    with Sorter(sort_buffer_bytes, tmp_dir) as sorter:
        serialize((q.triple for q in source), sorter, RdfFormat.N_TRIPLES)
        return write_sorted(sorter, fmt, sink)


def write_sorted(sorter: Sorter, fmt: str, sink: Sink | IO[bytes],
                  also: Callable[[bytes], Any] | None = None) -> int:
    """Write the sorted distinct triples as N-Triples, Turtle or RDF/XML (``also`` gets the N-Triples too)."""
    blocks = sorter.blocks()
    if fmt == "nt" and also is None:
        for b in blocks:
            sink.write(b)
        return sorter.distinct
    if fmt == "nt":
        for b in blocks:
            sink.write(b)
            also(b)
        return sorter.distinct

    def teed() -> Iterator[bytes]:
        for b in blocks:
            if also is not None:
                also(b)
            yield b

    rdf = RdfFormat.TURTLE if fmt == "ttl" else RdfFormat.RDF_XML
    triples = parse(io.BufferedReader(IterReader(teed()), 1 << 16), format=RdfFormat.N_TRIPLES)
    serialize(triples, sink, rdf, prefixes=PREFIXES)
    return sorter.distinct


class _Counter:
    def __init__(self, source: Iterable[Quad]) -> None:
        self._it = iter(source)
        self.n = 0

    def __iter__(self) -> _Counter:
        return self

    def __next__(self) -> Quad:
        q = next(self._it)
        self.n += 1
        return q


class Sorter:
    """External sort of N-Triples lines with duplicates dropped: takes the bytes pyoxigraph writes,
    sorts them in runs of ``buffer_bytes`` and merges the runs (kept in temporary files, gzip level 1)."""

    def __init__(self, buffer_bytes: int, tmp_dir: str | os.PathLike[str] | None) -> None:
        self.limit = max(1 << 16, buffer_bytes)
        self._tmp_parent = tmp_dir
        self._tmp: str | None = None
        self._buf = bytearray()
        self._runs: list[str] = []
        self._last: list[bytes] | None = None  # the only run, kept in memory when everything fits
        self.distinct = 0

    def __enter__(self) -> Sorter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def write(self, data: bytes) -> int:
        self._buf += data
        if len(self._buf) >= self.limit:
            cut = self._buf.rfind(b"\n") + 1
            self._run(bytes(self._buf[:cut]))
            del self._buf[:cut]
        return len(data)

    def flush(self) -> None:
        pass

    @staticmethod
    def _sorted_unique(data: bytes) -> list[bytes]:
        lines = data.split(b"\n")
        lines.pop()  # after the last newline
        lines.sort()
        out: list[bytes] = []
        prev = None
        for ln in lines:
            if ln != prev:
                out.append(ln)
                prev = ln
        return out

    def _run(self, data: bytes) -> None:
        lines = self._sorted_unique(data)
        if self._tmp is None:
            self._tmp = tempfile.mkdtemp(prefix="kamergraph-sort-", dir=self._tmp_parent)
        path = os.path.join(self._tmp, f"run-{len(self._runs):05d}.gz")
        with gzip.open(path, "wb", compresslevel=1) as fh:
            for i in range(0, len(lines), 4096):
                fh.write(b"\n".join(lines[i:i + 4096]) + b"\n")
        self._runs.append(path)

    def blocks(self) -> Iterator[bytes]:
        """The distinct lines in order, as blocks of whole lines."""
        if self._buf:
            rest = bytes(self._buf)
            self._buf.clear()
            if not rest.endswith(b"\n"):
                raise StoreError("the N-Triples writer ended in the middle of a line")
            if self._runs:
                self._run(rest)
            else:
                self._last = self._sorted_unique(rest)
        if not self._runs:
            lines = self._last or []
            self.distinct = len(lines)
            for i in range(0, len(lines), 4096):
                yield b"\n".join(lines[i:i + 4096]) + b"\n"
            return
        files = [gzip.open(p, "rb") for p in self._runs]
        try:
            prev = None
            block: list[bytes] = []
            n = 0
            for ln in heapq.merge(*files):
                if ln != prev:
                    block.append(ln)
                    prev = ln
                    n += 1
                    if len(block) >= 4096:
                        yield b"".join(block)
                        block = []
            if block:
                yield b"".join(block)
            self.distinct = n
        finally:
            for f in files:
                f.close()


class JsonLdWriter:
    """JSON-LD, written as statements arrive: ``{"@context": URL, "@graph": [{"@id": G, "@graph":
    [node, …]}, …, node, …]}``; a node object for each run of statements with the same graph and
    subject (statements grouped by graph and subject, as the store and N-Quads dumps give them, make one
    node object per subject and graph). Terms, compact IRIs and coerced values are used only where
    they expand back to the same RDF term (:class:`ontology.context.Compactor`)."""

    def __init__(self, out: Sink | IO[bytes], context: str | dict[str, Any],
                 compactor: Compactor | None = None) -> None:
        self.out = out
        self.c = compactor or Compactor(jsonld_context())
        self.n = 0
        self._graph: Any = None  # the open graph (a NamedNode/BlankNode), DefaultGraph, or None
        self._graph_open = False
        self._subject: Any = None
        self._node: dict[str, Any] | None = None
        self._first_top = True
        self._first_in_graph = True
        self._keys: dict[str, tuple[str, str | None]] = {}
        out.write(b'{"@context": ' + json.dumps(context, ensure_ascii=False).encode("utf-8") + b',\n"@graph": [')

    def _id(self, term: Any) -> str:
        if isinstance(term, NamedNode):
            return self.c.iri(term.value)
        if isinstance(term, BlankNode):
            return "_:" + term.value
        raise StoreError(f"JSON-LD: cannot write {term} as a node")

    def _key(self, predicate: str) -> tuple[str, str | None]:
        hit = self._keys.get(predicate)
        if hit is None:
            term = self.c.vocab_terms.get(predicate)
            hit = (term, self.c.coercion.get(predicate)) if term is not None else (self.c.iri(predicate), None)
            self._keys[predicate] = hit
        return hit

    def _value(self, o: Any, coercion: str | None) -> Any:
        if isinstance(o, NamedNode):
            return self.c.iri(o.value) if coercion == "@id" else {"@id": self.c.iri(o.value)}
        if isinstance(o, BlankNode):
            return "_:" + o.value if coercion == "@id" else {"@id": "_:" + o.value}
        if isinstance(o, Literal):
            if o.language:
                return {"@value": o.value, "@language": o.language}
            dtype = o.datatype.value
            if dtype == XSD_STRING:
                return o.value if coercion is None else {"@value": o.value}
            if coercion == dtype:
                return o.value
            return {"@value": o.value, "@type": self.c.vocab(dtype)}
        raise StoreError(f"JSON-LD: cannot write the term {o} (RDF-star triples are not supported)")

    def add(self, q: Quad) -> None:
        g = q.graph_name
        s = q.subject
        if g != self._graph:
            self._end_node()
            self._end_graph()
            self._graph = g
            if not isinstance(g, DefaultGraph):
                self._sep_top()
                self.out.write(b'\n{"@id": ' + json.dumps(self._id(g), ensure_ascii=False).encode("utf-8")
                               + b', "@graph": [')
                self._graph_open = True
                self._first_in_graph = True
        if s != self._subject or self._node is None:
            self._end_node()
            self._subject = s
            self._node = {"@id": self._id(s)}
        node = self._node
        p = q.predicate.value
        o = q.object
        if p == RDF_TYPE and isinstance(o, NamedNode):
            node.setdefault("@type", []).append(self.c.vocab(o.value))
        else:
            key, coercion = self._key(p)
            node.setdefault(key, []).append(self._value(o, coercion))
        self.n += 1

    def _sep_top(self) -> None:
        if not self._first_top:
            self.out.write(b",")
        self._first_top = False

    def _end_node(self) -> None:
        if self._node is None:
            return
        node = {k: (v[0] if type(v) is list and len(v) == 1 else v) for k, v in self._node.items()}
        data = json.dumps(node, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if self._graph_open:
            self.out.write((b"\n  " if self._first_in_graph else b",\n  ") + data)
            self._first_in_graph = False
        else:
            self._sep_top()
            self.out.write(b"\n" + data)
        self._node = None

    def _end_graph(self) -> None:
        if self._graph_open:
            self.out.write(b"]}")
            self._graph_open = False

    def close(self) -> None:
        self._end_node()
        self._end_graph()
        self.out.write(b"\n]}\n")
