"""A pool of pre-started query workers on the embedded store.

Each worker is a process that opens the Oxigraph store read-only once, then runs one query at
a time: with the row limit, with the dataset the caller names, and it can serialise the answer
itself (SPARQL JSON/XML/CSV/TSV, Turtle, N-Triples, N-Quads, JSON-LD, RDF/XML) so that only
bytes cross the pipe. A query that runs past its time limit gets its worker killed (which truly
frees the CPU) and a fresh worker started in the background; other queries run in the other
workers meanwhile, so a slow query never blocks the rest.

Starting a process per query costs ~40 ms; a pool pays that once.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import queue
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store as OxStore,
    Triple,
    Variable,
    parse_query_results,
    serialize,
)

from store.base import QueryError, QueryResult, QueryTimeout, StoreError, Term, term_json

RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: Result formats a worker writes for SELECT and ASK.
RESULT_FORMATS: dict[str, QueryResultsFormat] = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}
#: RDF formats a worker writes for CONSTRUCT and DESCRIBE.
GRAPH_FORMATS: dict[str, RdfFormat] = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
}


class PoolBusy(StoreError):
    """No query worker became free in time."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"all query workers stayed busy for {seconds:g} s; try again later")


@dataclass
class Job:
    """One query for a worker. ``output`` is "rows" (a :class:`QueryResult`) or a format name."""

    sparql: str
    output: str = "rows"
    bindings: dict[str, Term] = field(default_factory=dict)
    row_limit: int | None = None
    default_graph: list[str] | None = None  # protocol dataset: default graph IRIs
    named_graphs: list[str] | None = None  # protocol dataset: named graph IRIs
    union_default_graph: bool = True  # without a protocol dataset: the union of all graphs
    base_iri: str | None = None


@dataclass
class Answer:
    """What a worker sends back: serialised bytes, or the rows themselves."""

    kind: str  # select | ask | graph
    body: bytes | None = None
    result: QueryResult | None = None
    truncated: bool = False
    count: int = 0  # rows or triples in the answer (after the limit)
    boolean: bool | None = None


# --------------------------------------------------------------------------- in the worker

def _dataset_kwargs(job: Job) -> dict[str, Any]:
    if job.default_graph is None and job.named_graphs is None:
        return {"use_default_graph_as_union": job.union_default_graph}
    default = [NamedNode(g) for g in job.default_graph] if job.default_graph is not None else [DefaultGraph()]
    named = [NamedNode(g) for g in job.named_graphs] if job.named_graphs is not None else []
    return {"default_graph": default, "named_graphs": named}


def execute(store: OxStore, job: Job) -> Answer:
    """Run one job on an open store (in a worker, or in-process for tests)."""
    subs = {Variable(k): v for k, v in job.bindings.items()}
    try:
        res = store.query(job.sparql, base_iri=job.base_iri, substitutions=subs or None, **_dataset_kwargs(job))
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(str(exc)) from None
    limit = job.row_limit
    try:
        if isinstance(res, QueryBoolean):
            value = bool(res)
            if job.output == "rows":
                return Answer("ask", result=QueryResult(kind="ask", boolean=value), boolean=value)
            fmt = RESULT_FORMATS.get(job.output)
            if fmt is None:
                raise QueryError(f"an ASK result cannot be written as {job.output}")
            return Answer("ask", body=res.serialize(format=fmt), boolean=value)
        if isinstance(res, QuerySolutions):
            names = [v.value for v in res.variables]
            rows: list[tuple[Term | None, ...]] = []
            truncated = False
            width = range(len(names))
            for sol in res:
                if limit is not None and len(rows) >= limit:
                    truncated = True
                    break
                rows.append(tuple(sol[i] for i in width))
            if job.output == "rows":
                result = QueryResult(kind="select", variables=names, rows=rows, truncated=truncated)
                return Answer("select", result=result, truncated=truncated, count=len(rows))
            fmt = RESULT_FORMATS.get(job.output)
            if fmt is None:
                raise QueryError(f"a SELECT result cannot be written as {job.output}")
            doc: dict[str, Any] = {
                "head": {"vars": names},
                "results": {
                    "bindings": [
                        {n: term_json(t) for n, t in zip(names, row) if t is not None} for row in rows
                    ]
                },
            }
            if fmt == QueryResultsFormat.JSON:
                if truncated:
                    doc["truncated"] = True
                body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            else:  # Oxigraph's own writers for the other formats
                body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                body = parse_query_results(body, QueryResultsFormat.JSON).serialize(format=fmt)
            return Answer("select", body=body, truncated=truncated, count=len(rows))
        if isinstance(res, QueryTriples):
            triples: list[Triple] = []
            truncated = False
            for t in res:
                if limit is not None and len(triples) >= limit:
                    truncated = True
                    break
                triples.append(t)
            if job.output == "rows":
                result = QueryResult(kind="graph", triples=triples, truncated=truncated)
                return Answer("graph", result=result, truncated=truncated, count=len(triples))
            rdf = GRAPH_FORMATS.get(job.output)
            if rdf is None:
                raise QueryError(f"a graph result cannot be written as {job.output}")
            body = serialize(triples, format=rdf) or b""
            return Answer("graph", body=body, truncated=truncated, count=len(triples))
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(str(exc)) from None
    raise QueryError(f"unexpected query result {type(res).__name__}")


def _worker_main(conn: Any, path: str) -> None:
    try:
        store = OxStore.read_only(path)
    except BaseException:  # noqa: BLE001 - reported to the parent
        conn.send(("error", traceback.format_exc(limit=3)))
        conn.close()
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            conn.send(("ok", execute(store, job)))
        except QueryError as exc:
            conn.send(("query-error", str(exc)))
        except BaseException:  # noqa: BLE001 - reported to the parent, which raises
            conn.send(("error", traceback.format_exc(limit=3)))


# --------------------------------------------------------------------------- in the parent

_ctx: Any = None


def _context() -> Any:
    global _ctx
    if _ctx is None:
        method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
        _ctx = mp.get_context(method)
        if method == "forkserver":
            _ctx.set_forkserver_preload(["pyoxigraph", "store.base", "store.pool"])
    return _ctx


class _Worker:
    def __init__(self, path: str, start_timeout: float, epoch: int = 0) -> None:
        self.epoch = epoch  # the pool's epoch when this worker opened the store
        ctx = _context()
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, path), daemon=True, name="kamergraph-query")
        self.proc.start()
        child.close()
        if not self.conn.poll(start_timeout):
            self.kill()
            raise StoreError(f"a query worker did not open the store at {path} within {start_timeout:g} s")
        try:
            status, payload = self.conn.recv()
        except EOFError:
            self.kill()
            raise StoreError(f"a query worker ended while opening the store at {path}") from None
        if status != "ready":
            self.kill()
            raise StoreError(f"a query worker cannot open the store at {path}: {payload}")
        self.pid: int = payload

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(2)
        try:
            self.conn.close()
        except OSError:
            pass


class WorkerPool:
    """``size`` worker processes on the store at ``path``, each running one query at a time."""

    def __init__(self, path: str | os.PathLike[str], size: int = 4, *, start_timeout: float = 60.0) -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.path = str(path)
        self.size = size
        self.start_timeout = start_timeout
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self.replaced = 0  # workers killed at the time limit (or lost) and replaced
        self.epoch = 0  # bumped by reload(): workers of an older epoch see an older store

    # -- life cycle
    def start(self) -> WorkerPool:
        with self._lock:
            if self._started:
                return self
            if not os.path.isdir(self.path):
                raise StoreError(f"no store at {self.path}")
            self._started = True
        workers: list[_Worker] = []
        errors: list[BaseException] = []

        def one() -> None:
            try:
                workers.append(_Worker(self.path, self.start_timeout, self.epoch))
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=one) for _ in range(self.size)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with self._lock:
            self._all.update(workers)
        for w in workers:
            self._idle.put(w)
        if errors:
            self.close()
            raise errors[0]
        return self

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()

    def __enter__(self) -> WorkerPool:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._all)

    def reload(self) -> None:
        """Make every query from now on see the store as it is now (after a build swapped it).

        A worker keeps the store it opened, so each worker is replaced by one that opens the
        store afresh: idle ones now, busy ones when their query ends (it ends on the store it
        started on). Queries keep being answered meanwhile.
        """
        with self._lock:
            if not self._started or self._closed:
                return
            self.epoch += 1
        stale: list[_Worker] = []
        while True:
            try:
                stale.append(self._idle.get_nowait())
            except queue.Empty:
                break
        for w in stale:
            self._retire(w, counted=False)

    def _retire(self, worker: _Worker, *, counted: bool = True) -> None:
        """Kill a worker and start its replacement in the background."""
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            if counted:
                self.replaced += 1
            if self._closed:
                return
        threading.Thread(target=self._replace, daemon=True, name="kamergraph-pool-replace").start()

    def _replace(self) -> None:
        for attempt in range(3):
            try:
                w = _Worker(self.path, self.start_timeout, self.epoch)
            except StoreError:
                time.sleep(0.5 * (attempt + 1))
                continue
            with self._lock:
                if self._closed:
                    w.kill()
                    return
                self._all.add(w)
            self._idle.put(w)
            return

    # -- running
    def run(self, job: Job, timeout: float | None = None, *, wait: float | None = None) -> Answer:
        """Run ``job`` in a free worker; stop it at ``timeout`` seconds (raises :class:`QueryTimeout`).

        ``wait`` is how long to wait for a free worker (default: ``timeout``); past it
        :class:`PoolBusy` is raised.
        """
        if not self._started:
            self.start()
        if self._closed:
            raise StoreError("the query worker pool is closed")
        wait = wait if wait is not None else timeout
        deadline = None if wait is None else time.monotonic() + wait
        failures = 0
        while failures < 2:
            try:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                worker = self._idle.get(timeout=left)
            except queue.Empty:
                raise PoolBusy(wait or 0.0) from None
            if worker.epoch != self.epoch:  # opened before a reload: replace it, take another
                self._retire(worker, counted=False)
                continue
            try:
                worker.conn.send(job)
            except (OSError, ValueError):  # the worker died while idle: replace it, try another
                self._retire(worker)
                failures += 1
                continue
            return self._await(worker, timeout)
        raise StoreError("no query worker could take the query")

    def _await(self, worker: _Worker, timeout: float | None) -> Answer:
        try:
            if not worker.conn.poll(timeout):
                self._retire(worker)
                raise QueryTimeout(timeout or 0.0)
            status, payload = worker.conn.recv()
        except (EOFError, OSError):
            self._retire(worker)
            raise StoreError("the query worker ended without an answer") from None
        if status == "error":  # something unexpected in the worker: do not trust it further
            self._retire(worker)
            raise StoreError(f"the query worker failed: {payload}")
        if worker.epoch != self.epoch:  # the pool was reloaded while this query ran
            self._retire(worker, counted=False)
        else:
            self._idle.put(worker)
        if status == "query-error":
            raise QueryError(payload)
        return payload

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        timeout: float | None = None,
        row_limit: int | None = None,
        union_default_graph: bool = True,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Like :meth:`store.base.Store.query`, in a pooled worker."""
        job = Job(
            sparql,
            output="rows",
            bindings=dict(bindings or {}),
            row_limit=row_limit,
            default_graph=list(default_graph) if default_graph is not None else None,
            named_graphs=list(named_graphs) if named_graphs is not None else None,
            union_default_graph=union_default_graph,
        )
        answer = self.run(job, timeout)
        assert answer.result is not None
        return answer.result
