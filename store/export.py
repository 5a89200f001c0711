"""Exports and dumps: the store's graphs written as N-Quads, N-Triples, Turtle, JSON-LD (or TriG,
RDF/XML), streamed, optionally gzipped, with their size, statement count and SHA-256.

What each format holds:

- **N-Quads** (``nq``) and **TriG** (``trig``): the dataset, every named graph with its statements
  (the provenance of each record graph is inside that graph);
- **JSON-LD** (``jsonld``): the dataset too, compacted with the published context
  (``{base}def/context.jsonld``, :mod:`ontology.context`): ``{"@context": URL, "@graph": [{"@id":
  graph, "@graph": [node, …]}, …]}``, one node object per run of statements about one subject;
- **N-Triples** (``nt``): the triple of every statement, graph by graph (a triple stated in two graphs
  is on two lines; readers of N-Triples load the set); with ``distinct`` each triple once, sorted;
- **Turtle** (``ttl``) and **RDF/XML** (``rdf``): the union of the graphs, every distinct triple once,
  sorted, so that the same contents always give the same bytes; Turtle with the project's prefixes.

Everything streams: memory stays flat as the store grows. Distinct triples come from an external
merge sort: the N-Triples lines are sorted in runs of ``sort_buffer_bytes`` (kept in memory), the runs
written to temporary files (gzip level 1) and merged.

Where the statements come from: N-Quads and N-Triples of an embedded store are written graph by graph
(:func:`write_by_graph`): Oxigraph writes each graph's N-Triples in Rust and zlib-ng compresses them, in
threads (neither holds Python's lock), a gzip member per chunk of graphs, in the store's order of its
graphs; the other formats read the whole embedded store in one iteration (:func:`quads`), one snapshot
(Oxigraph reads a RocksDB snapshot). ``kamergraph export`` and ``dumps`` hold the store's lock, so
nothing else writes it while they read. A remote store streams its graphs page by page
(:meth:`store.remote.RemoteStore.quads`: one Graph Store request on Oxigraph server, which answers from
one snapshot; pages of graphs elsewhere, each graph whole). A selection of graphs is read graph by
graph, each graph whole.

A release (:func:`write_release`) reads the store once, into ``kamergraph.nq.gz`` and
``kamergraph.nt.gz``, and derives the other formats from the N-Quads file, so all its files hold the
same statements.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import heapq
import io
import itertools
import json
import os
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Triple, parse, serialize
from zlib_ng import zlib_ng as zlib  # zlib's deflate format, compressed 1.7 times as fast (level 6)

from ontology.context import Compactor, context_url, jsonld_context
from ontology.namespaces import KG, PREFIXES, RDF, XSD
from store.base import Store, StoreError

__all__ = [
    "FORMATS", "RELEASE_FORMATS", "ExportResult", "Format", "GraphSelectionError", "Sink", "current_release",
    "export", "graph_terms", "quads", "read_manifest", "release_dir", "select_graphs", "write_by_graph",
    "write_quads", "write_release",
]


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    media_type: str
    suffix: str
    dataset: bool  # keeps the named graphs (else: triples, the union of the graphs)


FORMATS: dict[str, Format] = {
    "nq": Format("nq", "N-Quads", "application/n-quads", ".nq", True),
    "nt": Format("nt", "N-Triples", "application/n-triples", ".nt", False),
    "ttl": Format("ttl", "Turtle", "text/turtle", ".ttl", False),
    "jsonld": Format("jsonld", "JSON-LD", "application/ld+json", ".jsonld", True),
    "trig": Format("trig", "TriG", "application/trig", ".trig", True),
    "rdf": Format("rdf", "RDF/XML", "application/rdf+xml", ".rdf", False),
}
RELEASE_FORMATS = ("nq", "nt", "ttl", "jsonld")
RELEASE_NAME = "kamergraph"
MANIFEST = "manifest.json"
GZIP_MEDIA_TYPE = "application/gzip"

XSD_STRING = XSD + "string"
RDF_TYPE = RDF + "type"
_BLOCK = 1 << 18  # bytes buffered before a compress/hash/write step


class GraphSelectionError(StoreError):
    """A --graph, --class or --reference selection that names nothing in the store."""


# --------------------------------------------------------------------------- the byte sink


class Sink:
    """Where an export's bytes go: ``raw`` (a binary file), gzipped or not, with the size and SHA-256
    of the bytes written to ``raw``. The gzip stream has no file name and no time stamp, so that the
    same contents give the same bytes (and the same SHA-256, which the server uses as the ETag)."""

    def __init__(self, raw: BinaryIO | IO[bytes], gzip_level: int | None = None) -> None:
        self.raw = raw
        self.gzip_level = gzip_level
        self._z = zlib.compressobj(gzip_level, zlib.DEFLATED, 31) if gzip_level is not None else None
        self._members = False  # gzip members compressed elsewhere (write_gzip_member)
        self._buf = bytearray()
        self.sha256 = hashlib.sha256()
        self.bytes = 0
        self.uncompressed = 0
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._members:
            raise StoreError("a Sink that took gzip members takes no more plain bytes")
        self._buf += data
        if len(self._buf) >= _BLOCK:
            self._push(bytes(self._buf))
            self._buf.clear()
        return len(data)

    def _push(self, data: bytes) -> None:
        self.uncompressed += len(data)
        out = self._z.compress(data) if self._z is not None else data
        self._out(out)

    def _out(self, out: bytes) -> None:
        if out:
            self.sha256.update(out)
            self.raw.write(out)
            self.bytes += len(out)

    def write_gzip_member(self, member: bytes, uncompressed: int) -> None:
        """A whole gzip member (header, deflate stream, trailer), compressed elsewhere at this sink's
        level, for ``uncompressed`` bytes. A gzip file may be a series of members (RFC 1952, 2.2):
        gzip, zcat, Python's gzip, Java's GZIPInputStream and the like read it as one stream."""
        if self._z is None or self.uncompressed and not self._members or self._buf:
            raise StoreError("gzip members go only into a gzip Sink that has taken nothing else")
        self._members = True
        self.uncompressed += uncompressed
        self._out(member)

    def flush(self) -> None:  # pyoxigraph calls it; the bytes are pushed on close
        pass

    def close(self) -> None:
        """Write what is buffered and end the gzip stream (the raw file stays open)."""
        if self.closed:
            return
        if self._buf:
            self._push(bytes(self._buf))
            self._buf.clear()
        if self._z is not None and not self._members:
            self._out(self._z.flush())
        self.closed = True


class _Tee:
    """A writable that passes every write to each of its writers."""

    def __init__(self, *writers: Any) -> None:
        self.writers = writers

    def write(self, data: bytes) -> int:
        for w in self.writers:
            w.write(data)
        return len(data)

    def flush(self) -> None:
        pass


class _IterReader(io.RawIOBase):
    """A readable binary stream over an iterator of byte blocks (to feed pyoxigraph's parser)."""

    def __init__(self, blocks: Iterator[bytes]) -> None:
        self._blocks = blocks
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._rest:
            try:
                self._rest = next(self._blocks)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._rest))
        buffer[:n] = self._rest[:n]
        self._rest = self._rest[n:]
        return n


# --------------------------------------------------------------------------- which graphs


def select_graphs(store: Store, base: str, graphs: Sequence[str] = (), classes: Sequence[str] = (),
                  reference: bool = False) -> list[str]:
    """The named graphs a selection names, sorted: ``graphs`` as given (each must be in the store),
    for each class of ``classes`` the record graphs of that class, and with ``reference`` the reference
    data (``{base}graph/referentie/…``).

    The record graph of a resource is minted after its kind (``ontology.namespaces.Iris``): a
    Kamervraag's is ``{base}graph/kamervraag/{zaak}``, a publication's ``{base}graph/publicatie/{id}``;
    so a class of the ontology has record graphs where the store holds graphs ``{base}graph/{kind}/…``
    whose kind is the class's local name in lower case (``kg:Kamervraag`` -> ``kamervraag``). Classes
    are given as IRIs or compact IRIs with the project's prefixes (``kg:Kamervraag``). Anything that
    names nothing raises :class:`GraphSelectionError`, saying what there is.
    """
    available = store.named_graphs()
    have = set(available)
    chosen: set[str] = set()
    for g in graphs:
        if g not in have:
            raise GraphSelectionError(f"--graph <{g}>: no such graph in the store")
        chosen.add(g)
    kinds: dict[str, list[str]] = {}
    prefix = base + "graph/"
    for g in available:
        if g.startswith(prefix):
            kinds.setdefault(g[len(prefix):].split("/", 1)[0], []).append(g)
    ctx = jsonld_context()
    classes_with_graphs = {KG + k.capitalize(): k for k in kinds if ctx.get(k.capitalize()) == f"kg:{k.capitalize()}"}
    for c in classes:
        iri = _expand_curie(c)
        kind = classes_with_graphs.get(iri, "")
        if not kind:
            local = iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1].lower()
            record_kinds = ", ".join(sorted(f"kg:{k.capitalize()}" for k in classes_with_graphs.values()))
            raise GraphSelectionError(
                f"--class {c}: the store has no record graphs of that class ({prefix}{local or '…'}/…); "
                f"classes with record graphs: {record_kinds or 'none'}; the reference data (persons, "
                "memberships, fracties, government, EU acts): --reference")
        chosen.update(kinds[kind])
    if reference:
        if "referentie" not in kinds:
            raise GraphSelectionError(f"--reference: the store has no reference graphs ({prefix}referentie/…)")
        chosen.update(kinds["referentie"])
    return sorted(chosen)


def _expand_curie(value: str) -> str:
    prefix, sep, rest = value.partition(":")
    if sep and prefix in PREFIXES and not rest.startswith("//"):
        return PREFIXES[prefix] + rest
    if not sep:
        return KG + value
    return value


# --------------------------------------------------------------------------- reading the store


def quads(store: Store, graphs: Sequence[str] | None = None) -> Iterator[Quad]:
    """The statements of the store (``graphs=None``) or of these named graphs, streamed."""
    from store.embedded import EmbeddedStore
    from store.remote import RemoteStore

    if isinstance(store, EmbeddedStore):
        ox = store.ox
        if graphs is None:
            yield from ox  # one iteration = one snapshot of the store
            return
        for g in graphs:
            yield from ox.quads_for_pattern(None, None, None, NamedNode(g))
        return
    if isinstance(store, RemoteStore) and (graphs is None or len(graphs) > 200):
        wanted = None if graphs is None else set(graphs)
        for q in store.quads():  # streamed, page by page
            if wanted is None or q.graph_name.value in wanted:  # type: ignore[union-attr]
                yield q
        return
    for g in graphs if graphs is not None else store.named_graphs():
        yield from parse(store.graph_nquads(g), format=RdfFormat.N_QUADS)


def graph_terms(ox: Any, graphs: Sequence[str] | None = None) -> Iterator[Any]:
    """The graphs :func:`write_by_graph` reads from a pyoxigraph store, in the order it writes them,
    streamed: a selection in the order of its IRIs; the whole store the default graph first, then its
    named graphs in the store's own order (Oxigraph's graph index, ordered by the hashes of the names:
    the same contents give the same order, and no list of all graphs is held in memory)."""
    if graphs is not None:
        yield from (NamedNode(g) for g in sorted(graphs))
        return
    yield DefaultGraph()
    yield from ox.named_graphs()


def _dump_graphs(ox: Any, terms: Sequence[Any], levels: dict[str, int | None]) -> dict[str, tuple[bytes, int, int]]:
    """The statements of these graphs of a pyoxigraph store, for each format of ``levels`` (``nt``,
    ``nq``): (bytes, a gzip member when its level is not None; statements; uncompressed bytes).
    Oxigraph writes each graph as N-Triples (in Rust, without Python's lock, as zlib-ng compresses);
    every line of N-Triples ends in `` .\n`` and no other newline is raw (N-Triples escapes those in
    literals), so a graph's N-Quads are its N-Triples with the graph's name put before each line end."""
    parts: dict[str, list[bytes]] = {fmt: [] for fmt in levels}
    for g in terms:
        data = ox.dump(format=RdfFormat.N_TRIPLES, from_graph=g)
        if "nt" in parts:
            parts["nt"].append(data)
        if "nq" in parts:
            named = data and not isinstance(g, DefaultGraph)
            parts["nq"].append(data.replace(b" .\n", b" " + str(g).encode("utf-8") + b" .\n") if named else data)
    out = {}
    for fmt, level in levels.items():
        data = b"".join(parts[fmt])
        n, size = data.count(b"\n"), len(data)
        if level is not None:
            z = zlib.compressobj(level, zlib.DEFLATED, 31)
            data = z.compress(data) + z.flush()
        out[fmt] = (data, n, size)
    return out


def write_by_graph(store: Store, sinks: dict[str, Sink], graphs: Sequence[str] | None = None, *,
                   workers: int = 0, chunk_graphs: int = 256) -> int:
    """Write an embedded store (or ``graphs``) as N-Triples and/or N-Quads (``sinks``: format ->
    sink), graph by graph, in the order of :func:`graph_terms`, in one reading; the number of
    statements (lines) written to each. Memory holds a few chunks, whatever the number of graphs.

    Chunks of ``chunk_graphs`` graphs are written and compressed by ``workers`` threads at once
    (``0``: one per CPU) and put out in order, a gzip member per chunk, so the same store gives the
    same bytes whatever the number of workers; at most two chunks per worker are held in memory. The
    N-Triples are each graph's triples in turn: a triple stated in two graphs is on two lines, as it is
    two statements in N-Quads (readers of N-Triples load the set; ``export --distinct`` writes each
    triple once, sorted). Each graph is read whole, in one snapshot; the statements of two graphs come
    from one state of the store because nothing writes it meanwhile: ``kamergraph export`` and
    ``kamergraph dumps`` hold the store (its lock) for themselves, and a change of the store's
    generation while it is read (another writer in the same process) raises :class:`StoreError`.
    """
    from store.embedded import EmbeddedStore

    if not sinks or set(sinks) - {"nt", "nq"} or not isinstance(store, EmbeddedStore):
        raise StoreError(f"write_by_graph writes nt and nq from an embedded store, not {sorted(sinks)} from {store!r}")
    ox = store.ox
    terms = graph_terms(ox, graphs)
    size = max(1, chunk_graphs)
    chunks = iter(lambda: list(itertools.islice(terms, size)), [])
    levels = {fmt: sink.gzip_level for fmt, sink in sinks.items()}
    before = _generation_token(store)
    n = 0
    workers = workers or os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kamergraph-export") as pool:
        pending: deque[Future[dict[str, tuple[bytes, int, int]]]] = deque()
        todo = chunks
        for chunk in itertools.islice(todo, 2 * workers):
            pending.append(pool.submit(_dump_graphs, ox, chunk, levels))
        while pending:
            done = pending.popleft().result()
            nxt = next(todo, None)
            if nxt is not None:
                pending.append(pool.submit(_dump_graphs, ox, nxt, levels))
            for fmt, (data, lines, raw_size) in done.items():
                if levels[fmt] is None:
                    sinks[fmt].write(data)
                elif lines:
                    sinks[fmt].write_gzip_member(data, raw_size)
            n += lines
    if _generation_token(store) != before:
        raise StoreError("the store changed while it was exported (a command wrote it meanwhile; exports read "
                         "it without locking it); the statements may mix its states: export again")
    return n


# --------------------------------------------------------------------------- writers


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
    with _Sorter(sort_buffer_bytes, tmp_dir) as sorter:
        serialize((q.triple for q in source), sorter, RdfFormat.N_TRIPLES)
        return _write_sorted(sorter, fmt, sink)


def _write_sorted(sorter: _Sorter, fmt: str, sink: Sink | IO[bytes],
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
    triples = parse(io.BufferedReader(_IterReader(teed()), 1 << 16), format=RdfFormat.N_TRIPLES)
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


class _Sorter:
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

    def __enter__(self) -> _Sorter:
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


# --------------------------------------------------------------------------- one export


@dataclass
class ExportResult:
    format: str
    statements: int
    bytes: int
    sha256: str
    gzip: bool


def export(store: Store, out: BinaryIO | IO[bytes], fmt: str, *, base: str, graphs: Sequence[str] | None = None,
           gzip_level: int | None = None, distinct: bool = False, workers: int = 0,
           sort_buffer_bytes: int = 32 << 20, tmp_dir: str | os.PathLike[str] | None = None) -> ExportResult:
    """Export the store (or ``graphs``) in ``fmt`` to ``out``, gzipped when ``gzip_level`` is given.

    N-Quads and N-Triples of an embedded store are written graph by graph by ``workers`` threads
    (:func:`write_by_graph`); N-Triples with ``distinct`` hold each triple once, sorted."""
    from store.embedded import EmbeddedStore

    sink = Sink(out, gzip_level)
    if fmt in ("nq", "nt") and not (fmt == "nt" and distinct) and isinstance(store, EmbeddedStore):
        n = write_by_graph(store, {fmt: sink}, graphs, workers=workers)
    else:
        n = write_quads(quads(store, graphs), fmt, sink, base=base, distinct=distinct,
                        sort_buffer_bytes=sort_buffer_bytes, tmp_dir=tmp_dir)
    sink.close()
    return ExportResult(fmt, n, sink.bytes, sink.sha256.hexdigest(), gzip_level is not None)


# --------------------------------------------------------------------------- a release


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _iso(t: dt.datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def current_release(out_dir: str | os.PathLike[str]) -> tuple[Path, dict[str, Any]] | None:
    """The current release behind ``out_dir`` (a link to it): its directory, resolved once, and its
    manifest read from that directory (so both are of the same release, even while a newer one is
    switched in); None when there is no release (yet)."""
    p = Path(out_dir)
    try:
        directory = p.resolve(strict=True)
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return (directory, manifest) if isinstance(manifest, dict) else None


def release_dir(out_dir: str | os.PathLike[str]) -> Path | None:
    """The directory of the current release behind ``out_dir``, if there is one."""
    hit = current_release(out_dir)
    return hit[0] if hit else None


def read_manifest(out_dir: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The current release's manifest, or None when there is no release (yet)."""
    hit = current_release(out_dir)
    return hit[1] if hit else None


def _generation_token(store: Store) -> str | None:
    from store import generation
    from store.embedded import EmbeddedStore

    if isinstance(store, EmbeddedStore) and store.path is not None:
        try:
            return generation.marker(store.path).read_text(encoding="ascii").strip() or None
        except OSError:
            return None
    return None


def write_release(store: Store, out_dir: str | os.PathLike[str], *, base: str, gzip_level: int = 6,
                  sort_buffer_bytes: int = 32 << 20, keep: int = 2, workers: int = 0,
                  progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Write a release of the whole store: ``kamergraph.{nq,nt,ttl,jsonld}.gz`` and ``manifest.json``.

    The store is read once: an embedded store graph by graph (:func:`write_by_graph`, ``workers``
    threads) into the N-Quads and the N-Triples files at once, a remote store (:func:`quads`) into the
    N-Quads file and from that into the N-Triples. The JSON-LD and the distinct triples for Turtle are
    derived from the N-Quads file, so all four files hold the same statements; a change of the store
    while it is read raises :class:`StoreError` and nothing is released. The release is written
    into a directory of its own beside ``out_dir`` (``{out_dir}.releases/{time}``) and ``out_dir``
    then becomes a symbolic link to it, in one atomic rename: a reader sees the previous release or
    the new one, whole. The newest ``keep`` releases are kept (downloads running from the previous
    one finish), older ones removed.
    """
    from store.embedded import EmbeddedStore

    say = progress or (lambda _msg: None)
    out = Path(out_dir)
    out_abs = out.absolute()
    releases = out_abs.with_name(out_abs.name + ".releases")
    releases.mkdir(parents=True, exist_ok=True)
    if out.exists() and not out.is_symlink():
        if not out.is_dir() or any(out.iterdir()):
            raise StoreError(f"{out} exists and is not a release link made by `kamergraph dumps`; "
                             "move it away or give another --out")
        out.rmdir()
    created = _now()
    generation_before = _generation_token(store)
    name = created.strftime("%Y%m%dT%H%M%SZ")
    final = releases / name
    n = 1
    while final.exists():
        n += 1
        final = releases / f"{name}-{n}"
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=releases))
    try:
        files: list[dict[str, Any]] = []

        def entry(fmt: str, sink: Sink, statements: int) -> dict[str, Any]:
            f = FORMATS[fmt]
            return {"file": f"{RELEASE_NAME}{f.suffix}.gz", "format": fmt, "media_type": f.media_type,
                    "encoding": "gzip", "bytes": sink.bytes, "triples": statements,
                    "sha256": sink.sha256.hexdigest(), "created": _iso(_now())}

        # 1. the store, read once, as N-Quads and N-Triples (an embedded store graph by graph, in threads)
        nq_path = work / f"{RELEASE_NAME}.nq.gz"
        embedded = isinstance(store, EmbeddedStore)
        say("reading the store into kamergraph.nq.gz" + (" and kamergraph.nt.gz" if embedded else ""))
        with (work / f"{RELEASE_NAME}.nt.gz").open("wb") as raw_nt:
            nt_sink = Sink(raw_nt, gzip_level)
            with nq_path.open("wb") as raw_nq:  # closed (all its bytes written) before it is read below
                nq_sink = Sink(raw_nq, gzip_level)
                if embedded:
                    n_quads = write_by_graph(store, {"nq": nq_sink, "nt": nt_sink}, workers=workers)
                else:
                    n_quads = write_quads(quads(store), "nq", nq_sink, base=base)
                nq_sink.close()
            generation_after = _generation_token(store)

            # 2. JSON-LD and the sorted distinct triples (for Turtle), in one pass over the N-Quads file
            say("writing kamergraph.jsonld.gz and sorting the triples")
            with (work / f"{RELEASE_NAME}.jsonld.gz").open("wb") as raw_jsonld, \
                    _Sorter(sort_buffer_bytes, work) as sorter:
                jsonld_sink = Sink(raw_jsonld, gzip_level)
                writer = JsonLdWriter(jsonld_sink, context_url(base))
                add = writer.add

                def tee(source: Iterable[Quad]) -> Iterator[Triple]:
                    for q in source:
                        add(q)
                        yield q.triple

                triples_to = sorter if embedded else _Tee(sorter, nt_sink)  # a remote store's N-Triples here
                with gzip.open(nq_path, "rb") as fh:
                    serialize(tee(parse(fh, format=RdfFormat.N_QUADS)), triples_to, RdfFormat.N_TRIPLES)
                writer.close()
                jsonld_sink.close()
                nt_sink.close()
                if writer.n != n_quads:
                    raise StoreError(f"the JSON-LD has {writer.n} statements, the N-Quads {n_quads}")

                # 3. Turtle from the merged, distinct triples
                say("writing kamergraph.ttl.gz")
                with (work / f"{RELEASE_NAME}.ttl.gz").open("wb") as raw_ttl:
                    ttl_sink = Sink(raw_ttl, gzip_level)
                    distinct = _write_sorted(sorter, "ttl", ttl_sink)
                    ttl_sink.close()
        files.append(entry("nq", nq_sink, n_quads))
        files.append(entry("nt", nt_sink, n_quads))
        files.append(entry("ttl", ttl_sink, distinct))
        files.append(entry("jsonld", jsonld_sink, writer.n))
        order = {f: i for i, f in enumerate(RELEASE_FORMATS)}
        files.sort(key=lambda e: order[e["format"]])
        manifest = {
            "created": _iso(created),
            "store_generation": generation_before if generation_before == generation_after else None,
            "triples": distinct,
            "quads": n_quads,
            "files": files,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        for p in work.iterdir():
            p.chmod(0o644)
        work.chmod(0o755)
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    # the switch: a new link beside the old one, renamed over it (atomic)
    link_tmp = out_abs.with_name(f".{out_abs.name}.{os.getpid()}.link")
    link_tmp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(final, out_abs.parent), link_tmp)
    os.replace(link_tmp, out_abs)
    say(f"release {final.name} is now {out}")
    current = sorted((p for p in releases.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.name)
    for old in current[:-max(1, keep)]:
        if old.resolve() != final.resolve():
            shutil.rmtree(old, ignore_errors=True)
    return manifest
