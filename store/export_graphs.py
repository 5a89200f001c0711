"""Which graphs an export reads and how it reads them: a selection of graphs by IRI, class or
reference data; the statements of any store, streamed; an embedded store written graph by graph
(N-Triples and N-Quads, compressed in threads)."""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, parse
from zlib_ng import zlib_ng as zlib

from ontology.context import jsonld_context
from ontology.namespaces import KG, PREFIXES
from store.base import Store, StoreError
from store.export_io import Sink


class GraphSelectionError(StoreError):
    """A --graph, --class or --reference selection that names nothing in the store."""


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
    before = generation_token(store)
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
    if generation_token(store) != before:
        raise StoreError("the store changed while it was exported (a command wrote it meanwhile; exports read "
                         "it without locking it); the statements may mix its states: export again")
    return n


def generation_token(store: Store) -> str | None:
    from store import generation
    from store.embedded import EmbeddedStore

    if isinstance(store, EmbeddedStore) and store.path is not None:
        try:
            return generation.marker(store.path).read_text(encoding="ascii").strip() or None
        except OSError:
            return None
    return None
