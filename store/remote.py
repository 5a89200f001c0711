"""A SPARQL 1.1 endpoint elsewhere as the store: Oxigraph server, Virtuoso, or any SPARQL 1.1 server.

Queries go through SPARQLWrapper (the SPARQL 1.1 Protocol, POST form-encoded, with a time limit);
writes go through the Graph Store Protocol where the server has one (Oxigraph ``…/store``,
Virtuoso ``…/sparql-graph-crud(-auth)``) and through SPARQL Update otherwise. Which server is
behind the URL is asked once (its ``Server`` header), because each has its habits:

- **Oxigraph server** keeps its default graph apart from the named graphs; the union of all graphs
  is asked for with the ``union-default-graph`` request parameter. It writes every result format
  itself and takes a whole dataset as N-Quads (``POST …/store``).
- **Virtuoso** makes its default graph the union of all graphs already, including its own system
  graphs (``virtrdf#``, ``owl#`` …, which stay in: its ``define input:default-graph-exclude``
  pragma empties every ``GRAPH <iri>`` pattern in 7.2). It cuts answers at ``ResultSetMaxRows``
  (flagged in the ``X-SPARQL-MaxRows`` header for SELECT only, silently for CONSTRUCT and the
  Graph Store Protocol), so whole graphs are read with SELECT in pages it answers whole (the
  limit is read from its ini through ``bif:cfg_item_value``), and every graph read is checked
  against its count. A query
  past its ``timeout`` parameter comes back partial, flagged ``X-SQL-State: S1TAT``: that is a
  time-out here. Results are read as XML (its JSON writer is some seven times slower), and an
  answer with a control character in a literal, which its XML writes as a character reference
  XML 1.0 forbids, is asked for again as JSON, where it writes stored booleans as 1/0 (read
  back as true/false); blank nodes come as ``nodeID://…``, which are no valid ids, so its answers
  are read here and always written here, never passed on as Virtuoso wrote them. One ``INSERT DATA`` takes at most some 1000 triples (longer ones fail
  with "SQL text has exceeded 10000 lines"), so SPARQL Update loads go in chunks of 500; it
  refuses blank nodes there, so a chunk that has them is sent as ``INSERT { … } WHERE {}``.

The store's dataset is the named graphs under ``graph_prefix`` (``{base}graph/``): those are the
graphs it lists, counts, dumps, replaces and drops. Other graphs on the same server are never
touched.

Writes are not one transaction the way the embedded store's rebuild is (see :meth:`RemoteStore.adopt`):
each graph is replaced in one request, which Oxigraph runs as one transaction.

pyoxigraph 0.5 reads SPARQL XML results with the spaces around literals trimmed, so XML answers
(from servers that send XML whatever was asked) are read with the standard library instead.

The store is in five modules: this one (the dataset: its graphs read, written and rebuilt),
:mod:`store.remote_endpoint` (the server, its URLs and the queries run on it),
:mod:`store.remote_http` (credentials, error words, bodies read against a deadline),
:mod:`store.remote_results` (SPARQL results read back and written) and :mod:`store.remote_load`
(SPARQL Update chunks and dataset POSTs).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing
from typing import Any, BinaryIO, Protocol

from pyoxigraph import NamedNode, Quad, RdfFormat, Triple, parse, serialize

from store.base import QueryError, Store, StoreError
from store.embedded import FORMATS, EmbeddedStore
from store.pool import Job
from store.remote_endpoint import DIALECTS, RemoteEndpoint
from store.remote_http import ResponseBody, with_params
from store.remote_load import POST_BATCH_BYTES, has_blank_nodes, insert_text, split_lines, update_chunks
from store.remote_results import GRAPH_MEDIA
from store.sparqltext import iri_sparql

__all__ = ["RemoteStore", "RemoteSettings", "DIALECTS"]

GRAPH_CACHE_SECONDS = 60.0
BATCHED_GRAPH = 2000  # a dump reads graphs up to this size in batches, larger ones one by one


class RemoteSettings(Protocol):
    """The settings the remote store reads (``kamergraph.settings.Settings`` has them all)."""

    base: str
    update_endpoint: str
    gsp_endpoint: str
    store_user: str
    store_password: Any
    store_auth: str
    store_timeout: float
    store_dialect: str


class RemoteStore(RemoteEndpoint, Store):
    """The named graphs under ``graph_prefix`` on the SPARQL endpoint at ``endpoint``: the graphs it
    lists, counts, dumps, replaces and drops. The other ``options`` are the endpoint's (the update
    and Graph Store URLs, credentials, time limit, dialect, page size: see :class:`RemoteEndpoint`),
    which also runs the queries.
    """

    def __init__(self, endpoint: str, *, graph_prefix: str = "https://kamergraph.nl/graph/", **options: Any) -> None:
        super().__init__(endpoint, **options)
        self._options: dict[str, Any] = {**options, "graph_prefix": graph_prefix}
        self.graph_prefix = graph_prefix
        self._graph_cache: dict[str, tuple[bool, float]] = {}
        self._staging: set[str] = set()

    @classmethod
    def from_settings(cls, location: str, settings: RemoteSettings | None) -> RemoteStore:
        if settings is None:
            return cls(location)
        password = settings.store_password
        if hasattr(password, "get_secret_value"):
            password = password.get_secret_value()
        return cls(
            location,
            update_endpoint=settings.update_endpoint,
            gsp_endpoint=settings.gsp_endpoint,
            user=settings.store_user,
            password=password or "",
            auth=settings.store_auth,
            timeout=settings.store_timeout,
            dialect=settings.store_dialect,
            graph_prefix=f"{settings.base}graph/",
        )

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    def with_options(self, **changes: Any) -> RemoteStore:
        """The same endpoint with some options changed (another ``graph_prefix`` is another
        dataset on the same server)."""
        return RemoteStore(self.endpoint, **{**self._options, **changes})


    def close(self) -> None:
        self._closed = True
        for path in list(self._staging):
            shutil.rmtree(path, ignore_errors=True)
        self._staging.clear()


    # ------------------------------------------------------------------ the dataset's graphs

    def _ours(self, graph: str) -> bool:
        return graph.startswith(self.graph_prefix)

    def _server_graphs(self) -> list[str]:
        """Every named graph on the server that holds statements."""
        if self.dialect == "oxigraph":
            # Oxigraph lists its named graphs directly; empty ones are never left behind by this store
            q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
        else:
            q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
        return [r[0].value for r in self._select_all(q, "?g") if isinstance(r[0], NamedNode)]

    def named_graphs(self) -> list[str]:
        return sorted(g for g in self._server_graphs() if self._ours(g))

    def graph_exists(self, iri: str) -> bool:
        """Is ``iri`` a graph of this store (an ASK on the server, remembered for a minute)?"""
        if not self._ours(iri):
            return False
        now = time.monotonic()
        hit = self._graph_cache.get(iri)
        if hit is not None and now - hit[1] < GRAPH_CACHE_SECONDS:
            return hit[0]
        try:
            q = f"ASK {{ GRAPH {iri_sparql(iri)} {{ ?s ?p ?o }} }}"
        except QueryError:
            return False
        answer = self.run(Job(q, output="rows", union_default_graph=False), min(self.timeout, 30.0))
        exists = bool(answer.boolean)
        if len(self._graph_cache) > 10_000:
            self._graph_cache.clear()
        self._graph_cache[iri] = (exists, now)
        return exists

    def _changed(self) -> None:
        self._graph_cache.clear()

    def _graph_filter(self, var: str = "?g") -> str:
        return f"FILTER(STRSTARTS(STR({var}), {_sparql_string(self.graph_prefix)}))" if self.graph_prefix else ""

    def __len__(self) -> int:
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter()} }}"
        _, rows, _ = self._select(q)
        return int(rows[0][0].value) if rows and rows[0][0] is not None else 0

    def _graph_count(self, graph: str) -> int:
        _, rows, _ = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri_sparql(graph)} {{ ?s ?p ?o }} }}")
        return int(rows[0][0].value) if rows and rows[0][0] is not None else 0

    def _graph_triples(self, graph: str) -> Iterator[Triple]:
        """The statements of one graph, streamed; checked against its count where the server may cut."""
        gsp = self.gsp_url
        if self.dialect == "oxigraph" and gsp:
            url = with_params(gsp, {"graph": graph})
            try:
                resp = self._send("GET", url, accept=GRAPH_MEDIA["ntriples"], what="read of a graph")
            except StoreError as exc:
                if "HTTP 404" in str(exc):
                    return
                raise
            yield from self._stream(resp, RdfFormat.N_TRIPLES, url)
            return
        expected = self._graph_count(graph)
        got = 0
        g = iri_sparql(graph)
        if self.dialect == "virtuoso":
            # CONSTRUCT as N-Triples: Virtuoso writes them several times faster than SELECT results;
            # pages of its own row limit, each a sorted sub-query, and the count checked at the end
            page = self._page()
            pattern = f"{{ SELECT ?s ?p ?o WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o }}"
            for offset in range(0, max(expected, 1), page):
                q = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}" + \
                    (f" OFFSET {offset} LIMIT {page}" if expected > page else "")
                answer = self.run(Job(q, output="rows", union_default_graph=False), self.timeout)
                assert answer.result is not None
                got += len(answer.result.triples)
                yield from answer.result.triples
        else:
            for s, p, o in self._select_all(f"SELECT ?s ?p ?o WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}", "?s ?p ?o"):
                got += 1
                yield Triple(s, p, o)  # type: ignore[arg-type]
        if got != expected:
            raise StoreError(f"{self.endpoint}: read {got} of the {expected} statements of <{graph}>; "
                             "the server cut its answers short (Virtuoso: raise ResultSetMaxRows)")

    def _stream(self, resp: Any, fmt: RdfFormat, url: str) -> Iterator[Any]:
        """The statements of a Graph Store answer, parsed as they arrive."""
        with closing(resp):
            try:
                yield from parse(ResponseBody(resp, time.monotonic() + self.timeout, keep=False), format=fmt)
            except (OSError, ValueError, SyntaxError) as exc:
                raise StoreError(f"{url.split('?')[0]}: reading the answer failed: {exc}") from None

    def graph_nquads(self, graph: str) -> bytes:
        g = NamedNode(graph)
        return serialize((Quad(t.subject, t.predicate, t.object, g) for t in self._graph_triples(graph)),
                         format=RdfFormat.N_QUADS) or b""

    def quads(self) -> Iterator[Quad]:
        """Every statement of the store's graphs, streamed a page at a time (memory stays bounded)."""
        gsp = self.gsp_url
        if self.dialect == "oxigraph" and gsp:
            resp = self._send("GET", gsp, accept=GRAPH_MEDIA["nquads"], what="read of the dataset")
            for q in self._stream(resp, RdfFormat.N_QUADS, gsp):
                if isinstance(q.graph_name, NamedNode) and self._ours(q.graph_name.value):
                    yield q
            return
        counts: dict[str, int] = {}
        for g, n in self._select_all(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter()} }} GROUP BY ?g",
            "?g",
        ):
            if isinstance(g, NamedNode) and n is not None:
                counts[g.value] = int(n.value)
        page = self._page()
        batch: list[str] = []
        size = 0
        for graph in sorted(counts):
            n = counts[graph]
            if n > min(page, BATCHED_GRAPH):
                gn = NamedNode(graph)
                yield from (Quad(t.subject, t.predicate, t.object, gn) for t in self._graph_triples(graph))
                continue
            if batch and size + n > page:
                yield from self._batch_quads(batch, counts)
                batch, size = [], 0
            batch.append(graph)
            size += n
        if batch:
            yield from self._batch_quads(batch, counts)

    def _batch_quads(self, graphs: list[str], counts: dict[str, int]) -> Iterator[Quad]:
        values = " ".join(iri_sparql(g) for g in graphs)
        q = f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        _, rows, cut = self._select(q)
        got: dict[str, int] = defaultdict(int)
        for g, s, p, o in rows:
            got[g.value] += 1  # type: ignore[union-attr]
        short = [g for g in graphs if got[g] != counts[g]]
        if cut or short:
            raise StoreError(f"{self.endpoint}: the server cut an answer short while reading "
                             f"{len(graphs)} graphs (Virtuoso: raise ResultSetMaxRows)")
        for g, s, p, o in rows:
            yield Quad(s, p, o, g)  # type: ignore[arg-type]

    def dump(self, out: BinaryIO, fmt: str = "nq") -> None:
        rdf_format = FORMATS.get(fmt)
        if rdf_format is None:
            raise StoreError(f"unknown dump format {fmt!r}; one of {', '.join(FORMATS)}")
        if rdf_format in (RdfFormat.N_QUADS, RdfFormat.TRIG):
            serialize(self.quads(), out, format=rdf_format)
        else:  # triple formats: the union of all graphs, streamed
            serialize((q.triple for q in self.quads()), out, format=rdf_format)

    # ------------------------------------------------------------------ writing

    def _update(self, text: str) -> None:
        with closing(self._send("POST", self.update_url, text.encode("utf-8"), "application/sparql-update",
                                what="SPARQL update")) as resp:
            resp.read()

    def remove_graph(self, graph: str) -> None:
        gsp = self.gsp_url
        self._changed()
        if gsp:
            try:
                with closing(self._send("DELETE", with_params(gsp, {"graph": graph}), what="removal of a graph")) as r:
                    r.read()
            except StoreError as exc:
                if "HTTP 404" not in str(exc):
                    raise
            return
        self._update(f"DROP SILENT GRAPH {iri_sparql(graph)}")

    def replace_graph(self, graph: str, nquads: str | bytes) -> None:
        data = nquads.encode("utf-8") if isinstance(nquads, str) else nquads
        triples = [q.triple for q in parse(data, format=RdfFormat.N_QUADS)] if data else []
        self._put_graph(graph, triples)

    def _put_graph(self, graph: str, triples: list[Triple]) -> None:
        """Replace one graph: one Graph Store PUT, or DROP + INSERT DATA in as few updates as may be."""
        self._changed()
        if not triples:
            self.remove_graph(graph)
            return
        self._send_graph(graph, triples, replace=True)

    def _send_graph(self, graph: str, triples: list[Triple], *, replace: bool) -> None:
        """Send one graph's triples: a Graph Store PUT (``replace``) or POST (add), else SPARQL Update in
        chunks of at most 500 statements, the first one dropping the graph when it replaces it."""
        gsp = self.gsp_url
        if gsp:
            body = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
            with closing(self._send("PUT" if replace else "POST", with_params(gsp, {"graph": graph}), body,
                                    GRAPH_MEDIA["ntriples"], what=f"load of <{graph}>")) as resp:
                resp.read()
            return
        chunks = list(update_chunks(triples))
        if len(chunks) > 1 and has_blank_nodes(triples):
            raise StoreError(f"<{graph}> has blank nodes and is too large for one SPARQL update; give the "
                             "Graph Store Protocol endpoint (KAMERGRAPH_GSP_ENDPOINT) or skolemise them")
        g = iri_sparql(graph)
        for i, chunk in enumerate(chunks):
            head = f"DROP SILENT GRAPH {g} ;\n" if replace and i == 0 else ""
            self._update(head + insert_text(g, chunk))

    def bulk_load(self, nquads: bytes, *, lenient: bool = False) -> None:
        """Add these N-Quads to the store (nothing is replaced): a dataset POST on Oxigraph, else per graph
        (``lenient`` changes nothing here: the server parses them)."""
        if not nquads:
            return
        self._changed()
        gsp = self.gsp_url
        if self.dialect == "oxigraph" and gsp:
            for part in split_lines(nquads, POST_BATCH_BYTES):
                with closing(self._send("POST", gsp, part, GRAPH_MEDIA["nquads"], what="load")) as resp:
                    resp.read()
            return
        by_graph: dict[str, list[Triple]] = defaultdict(list)
        for q in parse(nquads, format=RdfFormat.N_QUADS):
            if not isinstance(q.graph_name, NamedNode):
                raise StoreError("the remote store keeps statements in named graphs only")
            by_graph[q.graph_name.value].append(q.triple)
        for graph, triples in by_graph.items():
            self._send_graph(graph, triples, replace=False)

    def flush(self) -> None:
        """Nothing to do: every write has been sent."""

    def optimize(self) -> None:
        """Nothing to do: the server compacts its own storage."""

    # ------------------------------------------------------------------ rebuilding

    def begin_rebuild(self) -> EmbeddedStore:
        """A local staging store (in a temporary folder) for the build to fill; :meth:`adopt` sends it."""
        folder = tempfile.mkdtemp(prefix="kamergraph-remote-rebuild-")
        self._staging.add(folder)
        return EmbeddedStore(os.path.join(folder, "store"))

    def adopt(self, rebuilt: Store) -> None:
        """Make the remote store hold exactly the rebuilt graphs. NOT atomic as a whole.

        A remote server offers no way to swap a whole dataset, so this is done in the least bad
        order: first the graphs the server does not have yet are added (in batches: nothing
        that readers see changes), then every graph it has is replaced, one graph per request
        (on Oxigraph one request is one transaction, so a reader sees each graph either old or
        new, never half), and last the graphs that are gone are dropped. While this runs,
        readers see a mix of old and new graphs; if it fails half-way, the store holds that mix
        and running the build again completes it (a build is idempotent).
        """
        path = getattr(rebuilt, "path", None)
        folder = str(path.parent) if path is not None else None
        if not isinstance(rebuilt, EmbeddedStore) or folder not in self._staging:
            raise StoreError("adopt() takes the store begin_rebuild() gave")
        try:
            rebuilt.flush()
            produced = rebuilt.named_graphs()
            existing = set(self.named_graphs())
            fresh = [g for g in produced if g not in existing]
            replaced = [g for g in produced if g in existing]
            ox = rebuilt.ox

            def triples(graph: str) -> list[Triple]:
                return [q.triple for q in ox.quads_for_pattern(None, None, None, NamedNode(graph))]

            if fresh:
                if self.dialect == "oxigraph" and self.gsp_url:
                    self._post_graphs(rebuilt, fresh)
                else:
                    for g in fresh:
                        self._put_graph(g, triples(g))
            for g in replaced:
                self._put_graph(g, triples(g))
            for g in sorted(existing - set(produced)):
                self.remove_graph(g)
        finally:
            rebuilt.close()
            self._staging.discard(folder)
            shutil.rmtree(folder, ignore_errors=True)
            self._changed()

    def _post_graphs(self, rebuilt: EmbeddedStore, graphs: list[str]) -> None:
        """Add these graphs of ``rebuilt`` in dataset POSTs of about POST_BATCH_BYTES each."""
        batch: list[bytes] = []
        size = 0
        for g in graphs:
            data = rebuilt.graph_nquads(g)
            if batch and size + len(data) > POST_BATCH_BYTES:
                self.bulk_load(b"".join(batch))
                batch, size = [], 0
            batch.append(data)
            size += len(data)
        if batch:
            self.bulk_load(b"".join(batch))


def _sparql_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'
