"""The endpoint: the query service every route and page runs its queries through.

:class:`Endpoint` holds the settings and the store behind the endpoint (the embedded store's worker
pool, or a remote SPARQL endpoint), with the answer cache and the guard as every job's checker.
:func:`answer_job` runs a job through it and maps every store failure and guard refusal to an HTTP
status (an :class:`ApiError` for the JSON routes, a :class:`~server.render.PageError` for the
pages); :func:`run_rows` and :func:`guard` are the pages' shorthands. This module imports no page
module.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from threading import Lock

from pyoxigraph import NamedNode, Store as OxStore
from starlette.concurrency import run_in_threadpool

from kamergraph.settings import Settings
from queries.errors import QueryRejected
from queries.guard import GuardedQuery, check
from server import isolated
from server.cache import ResultCache
from server.render import PageError
from store import generation
from store.base import (
    KindNotAcceptable,
    QueryError,
    QueryOverMemory,
    QueryTimeout,
    StoreError,
    TooManyLongQueries,
)
from store.generation import Generation
from store.pool import Answer, Job, PoolBusy, WorkerPool
from store.remote import RemoteStore

log = logging.getLogger("kamergraph.server")
#: The store errors of page and route queries are logged under the editor's name, as they always were.
_query_log = logging.getLogger("kamergraph.server.editor")

#: The response header that says the row limit or the size cap cut an answer.
TRUNCATED_HEADER = "X-Kamergraph-Truncated"


class ApiError(Exception):
    """An error answered in the one JSON shape."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        super().__init__(detail)


def _without_text(answer: Answer) -> Answer:
    """The answer to keep: the guard's verdict without its copy of the query text (the key holds the
    text already; the routes read only the verdict's kind and dataset)."""
    checked = answer.checked
    if checked is None or not getattr(checked, "text", None):
        return answer
    try:
        return replace(answer, checked=replace(checked, text=""))
    except TypeError:  # not a dataclass: kept as it is (the cache counts it)
        return answer


class Endpoint:
    """What the routes share: the settings, and the store behind the endpoint — the embedded
    store's worker pool (with a read-only view for graph checks), or a remote SPARQL endpoint
    (``remote``, a :class:`store.remote.RemoteStore`): every query goes through :meth:`run`
    and every graph check through :meth:`graph_exists`, whichever it is."""

    def __init__(self, settings: Settings, store_path: Path | None, remote: RemoteStore | None = None) -> None:
        if (store_path is None) == (remote is None):
            raise ValueError("an endpoint runs on an embedded store (store_path) or a remote one (remote)")
        self.settings = settings
        self.store_path = store_path
        self.remote = remote
        limits = {
            "query_memory_mb": settings.query_memory_mb,
            "pool_memory_mb": settings.pool_memory_mb,
            "long_query_after": settings.long_query_after,
            "max_long_queries": settings.max_long_queries,
            "max_answer_bytes": settings.max_answer_bytes,
        }
        size = max(1, settings.query_workers)
        # the embedded store's query workers; for a remote store, workers without a store that run the
        # guard under the time limit (the query itself then goes to the remote endpoint)
        self.pool = WorkerPool(store_path if remote is None else None, size=size,
                               allow_network=bool(settings.allowed_services) and remote is None,
                               preload=("queries.guard",), **limits)  # the checker's module, imported once
        #: The guard, as every request's query text is checked in the worker that runs it.
        self.checker = functools.partial(check, allowed_services=tuple(settings.allowed_services))
        # answers of repeated queries, valid while the store's generation stays the same
        self.cache = ResultCache(settings.result_cache_mb * 1_000_000 if remote is None else 0)
        self._generation_seen = False
        self._meta: OxStore | None = None
        self._meta_lock = Lock()

    @property
    def location(self) -> str:
        return self.remote.endpoint if self.remote is not None else str(self.store_path)

    def start(self) -> None:
        if self.remote is not None:
            self.remote.check()  # an endpoint that is not there fails the start, naming the URL
        self.pool.start()

    def close(self) -> None:
        """Stop everything the endpoint started: its isolated helper processes (the pages' store
        overview), its query workers, the remote store's connections."""
        isolated.stop_all(self)
        if self.remote is not None:
            self.remote.close()
        self.pool.close()
        self._meta = None

    @property
    def meta(self) -> OxStore:
        with self._meta_lock:
            if self._meta is None:
                try:
                    self._meta = OxStore.read_only(str(self.store_path))
                except OSError as exc:
                    raise StoreError(f"cannot open the store read-only: {exc}") from None
            return self._meta

    def run(self, job: Job) -> Answer:
        """Run one query job with the settings' time limit (blocking: call it from a thread).

        Every route runs its queries through here, whatever the store behind the endpoint.
        """
        if self.remote is not None:  # no answer cache: a remote store can change behind our back
            return self._run_remote(job, self.settings.query_timeout)
        hit = self.cached(job)
        if hit is not None:
            return hit
        gen = generation.current(self.store_path)  # the generation the answer is computed on
        answer = self.pool.run(job, self.settings.query_timeout)
        self.cache.put(job, _without_text(answer), gen)
        return answer

    async def run_async(self, job: Job) -> Answer:
        """:meth:`run` on the event loop: a kept answer, or a job whose answer is bytes awaited from an
        embedded store's worker without a thread hop (:meth:`store.pool.WorkerPool.run_async`); jobs
        of a remote store, and jobs answered in rows (unpickled and measured term by term), run in a
        thread."""
        hit = self.cached(job)
        if hit is not None:
            return hit
        if self.remote is not None or job.output == "rows":
            return await run_in_threadpool(self.run, job)
        gen = generation.current(self.store_path)  # the generation the answer is computed on
        answer = await self.pool.run_async(job, self.settings.query_timeout)
        self.cache.put(job, _without_text(answer), gen)
        return answer

    def _run_remote(self, job: Job, timeout: float) -> Answer:
        """A job on the remote store: its checker first, in a store-less worker under the time limit,
        then the checked text (in the format for its kind) on the remote endpoint in the time left."""
        if job.checker is None:
            return self.remote.run(job, timeout)  # type: ignore[union-attr]
        started = time.monotonic()
        checked = self.pool.run(replace(job, check_only=True, output="rows"), timeout).checked
        # a store-less worker cannot look graphs up: FROM and FROM NAMED are checked on the remote store
        for keyword, graphs in (("FROM", checked.from_graphs), ("FROM NAMED", checked.from_named)):
            for g in graphs:
                if not self.remote.graph_exists(g):  # type: ignore[union-attr]
                    raise QueryRejected(f"{keyword} <{g}>: no such graph in this store", 403)
        if job.check_only:
            return Answer("check", checked=checked)
        output = job.output
        if isinstance(output, dict):
            output = output.get(checked.kind) or (
                next((output[k] for k in ("construct", "describe") if k in output), None)
                if checked.kind in ("construct", "describe") else None)
            if output is None:
                raise KindNotAcceptable(checked.kind)
        union = job.union_default_graph and not (checked.from_graphs or checked.from_named)
        left = max(0.1, timeout - (time.monotonic() - started))
        try:
            answer = self.remote.run(replace(job, sparql=checked.text, checker=None, output=output,  # type: ignore[union-attr]
                                             union_default_graph=union), left)
        except QueryTimeout:
            raise QueryTimeout(timeout) from None  # the one limit of the check and the query together
        answer.checked = checked
        return answer

    def check(self, text: str) -> GuardedQuery:
        """The guard's verdict on a request's query text, from a worker under the time limit (blocking:
        call it from a thread); raises QueryRejected as the guard does."""
        job = Job(text, checker=self.checker, check_only=True)
        if self.remote is not None:
            return self._run_remote(job, self.settings.query_timeout).checked
        return self.pool.run(job, self.settings.query_timeout).checked

    def cached(self, job: Job) -> Answer | None:
        """The kept answer of this job on the store as it is now, if there is one (cheap: a
        ``stat`` and a dictionary look-up, so the routes call it before handing work to a thread)."""
        if self.remote is not None:
            return None
        self.sync_generation()
        return self.cache.get(job)

    def sync_generation(self) -> Generation:
        """The embedded store's generation now; when it has moved since the last request (a build
        swapped the store, an ingest wrote to it), the workers reopen the store and every kept
        answer and guard verdict is dropped, so nothing stale is ever served."""
        assert self.store_path is not None
        gen = generation.current(self.store_path)
        if self.cache.sync(gen):
            if self._generation_seen:
                log.info("the store at %s has changed: reloading the query workers", self.store_path)
                self.pool.reload()
                with self._meta_lock:
                    self._meta = None
            self._generation_seen = True
        return gen

    def graph_exists(self, iri: str) -> bool:
        if self.remote is not None:
            return self.remote.graph_exists(iri)  # an ASK on the server, remembered for a minute
        try:
            return self.meta.contains_named_graph(NamedNode(iri))
        except ValueError:
            return False


# --------------------------------------------------------------------------- running a job


async def answer_job(endpoint: Endpoint, job: Job, error: Callable[..., Exception],
                     refused: Mapping[str, str] | None = None) -> Answer:
    """Run a job through the endpoint (:meth:`Endpoint.run_async`: no thread hop); the one mapping of
    store failures (and of the guard's refusals, raised by the job's checker in the worker) to HTTP
    statuses, for /sparql, the named queries, the editor and the pages: ``error(status, message[,
    headers])`` is raised (an ApiError or a PageError). ``refused``: per kind of query, why no format
    the client accepts fits it (the 406's message when the query is of that kind)."""
    try:
        return await endpoint.run_async(job)
    except QueryRejected as exc:  # the guard, in the worker: 400 (malformed) or 403 (forbidden)
        raise error(exc.status, exc.message) from None
    except KindNotAcceptable as exc:
        why = (refused or {}).get(exc.kind) or f"no format the client accepts fits a {exc.kind.upper()} result"
        raise error(406, why, {"Vary": "Accept"}) from None
    except QueryTimeout as exc:
        raise error(504, f"the query (with its check) ran past the time limit of {exc.seconds:g} s and was "
                         "stopped; narrow it down (a LIMIT, fewer patterns, a more selective FILTER)") from None
    except (QueryOverMemory, TooManyLongQueries) as exc:
        raise error(503, str(exc), {"Retry-After": "10"}) from None
    except PoolBusy as exc:
        raise error(503, f"the server is busy: {exc}", {"Retry-After": "5"}) from None
    except QueryError as exc:
        raise error(400, str(exc)) from None
    except StoreError as exc:
        _query_log.error("store error: %s", exc)
        raise error(500, "the store could not answer this query") from None


async def run_rows(endpoint: Endpoint, job: Job) -> Answer:
    """Run a job (``output="rows"``) through the endpoint; failures become PageErrors."""
    return await answer_job(endpoint, job, PageError)


async def guard(endpoint: Endpoint, text: str) -> GuardedQuery:
    """The guard's verdict on ``text`` (from a worker, under the time limit), or a PageError with its status."""
    try:
        return await run_in_threadpool(endpoint.check, text)
    except QueryRejected as exc:
        raise PageError(exc.status, exc.message) from None  # a syntax error's message names line and column
    except QueryTimeout as exc:
        raise PageError(504, f"checking the query ran past the time limit of {exc.seconds:g} s") from None
    except (QueryOverMemory, TooManyLongQueries, PoolBusy) as exc:
        raise PageError(503, str(exc), {"Retry-After": "5"}) from None
    except StoreError as exc:
        _query_log.error("store error in the guard: %s", exc)
        raise PageError(500, "the store could not check this query") from None
