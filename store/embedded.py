"""The embedded store: pyoxigraph (Oxigraph) on disk, the project's default.

pyoxigraph has no query timeout of its own. A query with a time limit therefore runs in a
worker process that opens the store read-only and is killed at the deadline, which truly
frees the CPU; a query without a limit runs in this process.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store as OxStore,
    Variable,
    parse,
    serialize,
)

from store import generation
from store.base import QueryError, QueryResult, QueryTimeout, Store, StoreError, Term

FORMATS: dict[str, RdfFormat] = {
    "nq": RdfFormat.N_QUADS,
    "nt": RdfFormat.N_TRIPLES,
    "ttl": RdfFormat.TURTLE,
    "trig": RdfFormat.TRIG,
    "rdf": RdfFormat.RDF_XML,
}


def _execute(
    store: OxStore,
    sparql: str,
    bindings: Mapping[str, Term] | None,
    row_limit: int | None,
    union: bool,
) -> QueryResult:
    subs = {Variable(k): v for k, v in (bindings or {}).items()}
    try:
        res = store.query(sparql, use_default_graph_as_union=union, substitutions=subs or None)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(str(exc)) from None
    try:
        if isinstance(res, QueryBoolean):
            return QueryResult(kind="ask", boolean=bool(res))
        if isinstance(res, QuerySolutions):
            names = [v.value for v in res.variables]
            rows: list[tuple[Term | None, ...]] = []
            truncated = False
            for sol in res:
                if row_limit is not None and len(rows) >= row_limit:
                    truncated = True
                    break
                rows.append(tuple(sol[i] for i in range(len(names))))
            return QueryResult(kind="select", variables=names, rows=rows, truncated=truncated)
        if isinstance(res, QueryTriples):
            triples = []
            truncated = False
            for t in res:
                if row_limit is not None and len(triples) >= row_limit:
                    truncated = True
                    break
                triples.append(t)
            return QueryResult(kind="graph", triples=triples, truncated=truncated)
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(str(exc)) from None
    raise QueryError(f"unexpected query result {type(res).__name__}")


def _worker(conn: Any, path: str, sparql: str, bindings: Any, row_limit: Any, union: bool) -> None:
    try:
        store = OxStore.read_only(path)
        conn.send(("ok", _execute(store, sparql, bindings, row_limit, union)))
    except QueryError as exc:
        conn.send(("query-error", str(exc)))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        conn.send(("error", traceback.format_exc(limit=3)))
    finally:
        conn.close()


_ctx: mp.context.BaseContext | None = None


def _context() -> mp.context.BaseContext:
    global _ctx
    if _ctx is None:
        method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
        _ctx = mp.get_context(method)
        if method == "forkserver":
            _ctx.set_forkserver_preload(["pyoxigraph", "store.base"])
    return _ctx


class EmbeddedStore(Store):
    """Oxigraph on disk (``path``) or in memory (``path=None``, for tests and staging)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else None
        try:
            if self.path is None:
                self._store = OxStore()
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = OxStore(str(self.path))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from None

    @property
    def ox(self) -> OxStore:
        """The underlying pyoxigraph store (for the stages that need its native API)."""
        return self._store

    # -- writing
    def replace_graph(self, graph: str, nquads: str | bytes) -> None:
        quads = parse(nquads, format=RdfFormat.N_QUADS) if nquads else []
        triples = [q.triple for q in quads]
        update = f"DROP SILENT GRAPH <{graph}> ;\n"
        if triples:
            body = serialize(triples, format=RdfFormat.N_TRIPLES).decode("utf-8")
            update += f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}"
        # One SPARQL update is one transaction: readers see the old graph or the new one.
        try:
            self._store.update(update)
        except (OSError, ValueError, SyntaxError) as exc:
            raise StoreError(f"cannot replace graph <{graph}>: {exc}") from None
        self._changed()

    def _changed(self) -> None:
        """Tell readers (the server's workers and caches) that the contents have changed."""
        if self.path is not None:
            self._store.flush()
            generation.bump(self.path)

    def bulk_load(self, nquads: bytes) -> None:
        """Load N-Quads without per-graph transactions (for a store being rebuilt)."""
        try:
            self._store.bulk_load(nquads, format=RdfFormat.N_QUADS)
        except (OSError, ValueError, SyntaxError) as exc:
            raise StoreError(f"bulk load failed: {exc}") from None
        self._changed()

    def graph_nquads(self, graph: str) -> bytes:
        """One named graph as N-Quads (to carry it over into a rebuilt store)."""
        quads = self._store.quads_for_pattern(None, None, None, NamedNode(graph))
        return serialize(quads, format=RdfFormat.N_QUADS)

    def begin_rebuild(self) -> EmbeddedStore:
        """An empty store beside this one; :meth:`adopt` makes it this store, atomically on disk."""
        if self.path is None:
            return EmbeddedStore(None)
        fresh = self.path.with_name(self.path.name + ".rebuild")
        if fresh.exists():
            shutil.rmtree(fresh)
        return EmbeddedStore(fresh)

    def adopt(self, rebuilt: EmbeddedStore) -> None:
        """Make a rebuilt store this one: the old contents are replaced as a whole."""
        if self.path is None or rebuilt.path is None:
            self._store = rebuilt._store
            return
        rebuilt.close()
        self.close()
        old = self.path.with_name(self.path.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        self.path.rename(old)
        rebuilt.path.rename(self.path)
        shutil.rmtree(old)
        self._store = OxStore(str(self.path))
        generation.bump(self.path)
        generation.marker(rebuilt.path).unlink(missing_ok=True)

    def remove_graph(self, graph: str) -> None:
        g = NamedNode(graph)
        if self._store.contains_named_graph(g):
            self._store.remove_graph(g)
            self._changed()

    def clear(self) -> None:
        self._store.clear()
        self._changed()

    def optimize(self) -> None:
        self._store.optimize()

    def flush(self) -> None:
        if self.path is not None:
            self._store.flush()

    # -- reading
    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        timeout: float | None = None,
        row_limit: int | None = None,
        union_default_graph: bool = True,
    ) -> QueryResult:
        if timeout is None or self.path is None:
            return _execute(self._store, sparql, bindings, row_limit, union_default_graph)
        self.flush()
        ctx = _context()
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(
            target=_worker,
            args=(child, str(self.path), sparql, dict(bindings or {}), row_limit, union_default_graph),
            daemon=True,
        )
        proc.start()
        child.close()
        try:
            if not parent.poll(timeout):
                raise QueryTimeout(timeout)
            status, payload = parent.recv()
        except EOFError:
            raise StoreError("the query worker ended without an answer") from None
        finally:
            if proc.is_alive():
                proc.kill()
            proc.join(1)
            parent.close()
        if status == "ok":
            return payload
        if status == "query-error":
            raise QueryError(payload)
        raise StoreError(f"the query worker failed: {payload}")

    def dump(self, out: BinaryIO, fmt: str = "nq") -> None:
        rdf_format = FORMATS.get(fmt)
        if rdf_format is None:
            raise StoreError(f"unknown dump format {fmt!r}; one of {', '.join(FORMATS)}")
        if rdf_format in (RdfFormat.N_QUADS, RdfFormat.TRIG):
            self._store.dump(out, format=rdf_format)
        else:  # triple formats: the union of all graphs, streamed
            serialize((q.triple for q in self._store), out, format=rdf_format)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, NamedNode))

    def __len__(self) -> int:
        return len(self._store)

    def close(self) -> None:
        if self.path is not None:
            try:
                self._store.flush()
            except OSError:
                pass
        self._store = None  # type: ignore[assignment]
