"""A pool of pre-started query workers on the embedded store (the parent's side).

Each worker (:mod:`store.worker`) is a process that opens the Oxigraph store read-only once,
shuts itself off from the network (:mod:`store.sandbox`, unless ``allow_network``), then runs one
query at a time and sends back bytes. The pool bounds what a query may cost:

- time: a query past its limit gets its worker killed by pid (which truly frees the CPU, whether
  or not the forkserver still lives) and a fresh worker started in the background; inside the
  worker a CPU-time limit stops a runaway query even when no parent is left to do it;
- memory: a monitor thread samples the busy workers' resident memory every 25 ms and stops a
  query that uses more than ``query_memory_mb`` beyond what its worker held before it, or the
  largest query when all of them together pass ``pool_memory_mb`` (:class:`QueryOverMemory`);
  an address-space limit in the worker is the kernel's backstop;
- capacity: a query running longer than ``long_query_after`` seconds becomes *long*: its worker
  drops to the lowest CPU priority and no longer counts, a fresh worker takes its place, so
  ``size`` workers stay ready for short queries; at most ``max_long_queries`` run at once, one
  more is stopped (:class:`TooManyLongQueries`);
- a lane for short texts: a job whose query text is longer than ``large_text_bytes`` (its check
  alone costs CPU time in proportion) never takes the last ``reserved`` idle workers, so a flood of
  huge query texts leaves a worker free for point queries and pages;
- size: an answer stops growing at ``max_answer_bytes`` and is flagged truncated.

Starting a process per query costs ~40 ms; a pool pays that once. How the processes start is
in :mod:`store.processes`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import queue
import signal
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from store import sandbox
from store.base import (
    QueryError,
    QueryOverMemory,
    QueryResult,
    QueryTimeout,
    StoreError,
    Term,
    TooManyLongQueries,
)
from store.processes import preload_in_forkserver, process_context
from store.worker import GRAPH_FORMATS, RESULT_FORMATS, Answer, Job, WorkerConfig, execute, worker_main

__all__ = ["Answer", "GRAPH_FORMATS", "Job", "PoolBusy", "RESULT_FORMATS", "WorkerPool", "execute"]

log = logging.getLogger("kamergraph.store.pool")

MB = 1_000_000
MONITOR_INTERVAL = 0.025  # seconds between two samples of the busy workers' memory
#: address space a worker may take beyond its idle size plus its memory limit before the kernel refuses
#: allocations (the monitor stops a query long before; this only catches what grows faster than it samples)
BACKSTOP_SLACK_MB = 1024


#: An answer larger than this is read from its worker in a thread, not on the event loop.
LARGE_REPLY = 1 << 20


def _unwatch(loop: asyncio.AbstractEventLoop, fd: int) -> None:
    """Stop watching ``fd`` and make it blocking again (uvloop's watch makes it non-blocking, and a
    pipe read in the middle of a large answer would then fail instead of waiting)."""
    loop.remove_reader(fd)
    os.set_blocking(fd, True)


def _large_reply(conn: Any) -> bool:
    """Does the reply waiting on ``conn`` (a socket pair's end) announce more than LARGE_REPLY
    bytes? (multiprocessing's header: a signed 32-bit big-endian length, -1 for a 64-bit one.)"""
    try:
        with socket.socket(fileno=os.dup(conn.fileno())) as sock:
            head = sock.recv(4, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except OSError:
        return True  # not a socket, or nothing to peek at: read it where blocking does no harm
    if len(head) < 4:
        return len(head) > 0
    size = struct.unpack("!i", head)[0]
    return size < 0 or size > LARGE_REPLY


class PoolBusy(StoreError):
    """No query worker became free in time."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"all query workers stayed busy for {seconds:g} s; try again later")


# --------------------------------------------------------------------------- one worker

class _Worker:
    def __init__(self, config: WorkerConfig, start_timeout: float, epoch: int = 0) -> None:
        self.epoch = epoch  # the pool's epoch when this worker opened the store
        self.long = False  # running a long query: no longer counted in the pool's size
        self.reason: BaseException | None = None  # why the monitor stopped it
        where = f"the store at {config.path}" if config.path is not None else "a check-only worker"
        ctx = process_context()
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=worker_main, args=(child, config), daemon=True, name="kamergraph-query")
        self.proc.start()
        child.close()
        self.pid: int = self.proc.pid
        self.started = sandbox.start_time(self.pid)
        if not self.conn.poll(start_timeout):
            self.kill()
            raise StoreError(f"a query worker did not open {where} within {start_timeout:g} s")
        try:
            status, payload = self.conn.recv()
        except (EOFError, OSError):
            self.kill()
            raise StoreError(f"a query worker ended while opening {where}") from None
        if status == "sandbox":
            self.kill()
            raise StoreError(f"the query workers cannot be shut off from the network ({payload}); they run only "
                             "with allow_network set (an allow-listed SERVICE endpoint)")
        if status != "ready":
            self.kill()
            raise StoreError(f"a query worker cannot open {where}: {payload}")
        self.idle_rss = sandbox.rss_bytes(self.pid) or 0

    def kill(self) -> None:
        """Kill the process by its pid (not through the forkserver, which may be gone) and wait
        until it no longer runs."""
        if self.started is not None and sandbox.start_time(self.pid) == self.started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while sandbox.running(self.pid) and time.monotonic() < deadline:
                time.sleep(0.005)
        self.proc.join(0.1)
        with contextlib.suppress(OSError):
            self.conn.close()


class _IdleWorkers:
    """The idle workers, first in first out; a taker may ask that ``keep`` of them stay behind."""

    def __init__(self) -> None:
        self._items: deque[_Worker] = deque()
        self._ready = threading.Condition()

    def put(self, worker: _Worker) -> None:
        with self._ready:
            self._items.append(worker)
            self._ready.notify_all()

    def get(self, timeout: float | None = None, keep: int = 0) -> _Worker:
        """The longest idle worker, once more than ``keep`` are idle; :class:`queue.Empty` after ``timeout``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._ready:
            while len(self._items) <= keep:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise queue.Empty
                self._ready.wait(left)
            return self._items.popleft()

    def get_nowait(self) -> _Worker:
        with self._ready:
            if not self._items:
                raise queue.Empty
            return self._items.popleft()


@dataclass
class _Run:
    """A query running in a worker, as the monitor sees it."""

    since: float
    baseline: int  # resident bytes before the query
    used: int = 0  # resident bytes beyond the baseline at the last sample


# --------------------------------------------------------------------------- the pool

class WorkerPool:
    """``size`` worker processes on the store at ``path`` (None: workers without a store, which only
    run checkers), each running one query at a time; see the module doc for the limits."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None,
        size: int = 4,
        *,
        start_timeout: float = 60.0,
        allow_network: bool = False,
        query_memory_mb: int = 1024,
        pool_memory_mb: int = 3072,
        long_query_after: float = 1.0,
        max_long_queries: int = 4,
        max_answer_bytes: int | None = 64_000_000,
        memory_backstop: bool = True,
        preload: Sequence[str] = (),
        large_text_bytes: int = 16_384,
        reserved: int = 1,
    ) -> None:
        """``preload``: modules every worker imports before it takes queries (the checker's module,
        e.g. "queries.guard", so that no query pays for the import). ``large_text_bytes`` and
        ``reserved``: the lane for short texts (see the module doc; at most ``size - 1`` reserved)."""
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.path = str(path) if path is not None else None
        self.size = size
        self.start_timeout = start_timeout
        self.query_memory_mb = query_memory_mb
        self.pool_memory_mb = pool_memory_mb
        self.long_query_after = long_query_after
        self.max_long_queries = max_long_queries
        backstop = (query_memory_mb + BACKSTOP_SLACK_MB) * MB if memory_backstop else None
        self.config = WorkerConfig(self.path, allow_network, backstop, max_answer_bytes, tuple(preload))
        self.large_text_bytes = large_text_bytes
        self.reserved = max(0, min(reserved, size - 1))
        self._idle = _IdleWorkers()
        self._all: set[_Worker] = set()
        self._busy: dict[_Worker, _Run] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._started = False
        self._closed = False
        self.replaced = 0  # workers killed at a limit (or lost) and replaced
        self.epoch = 0  # bumped by reload(): workers of an older epoch see an older store

    # -- life cycle
    def start(self) -> WorkerPool:
        with self._lock:
            if self._started:
                return self
            if self.path is not None and not os.path.isdir(self.path):
                raise StoreError(f"no store at {self.path}")
            self._started = True
        preload_in_forkserver(self.config.preload)
        workers: list[_Worker] = []
        errors: list[BaseException] = []

        def one() -> None:
            try:
                workers.append(_Worker(self.config, self.start_timeout, self.epoch))
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
        threading.Thread(target=self._monitor, daemon=True, name="kamergraph-pool-monitor").start()
        return self

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        self._wake.set()
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

    @property
    def long_running(self) -> int:
        """How many long queries run now."""
        with self._lock:
            return sum(1 for w in self._busy if w.long)

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
        """Kill a worker and, unless it ran a long query (whose place was filled already), start its
        replacement in the background."""
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            self._busy.pop(worker, None)
            if counted:
                self.replaced += 1
            if self._closed or worker.long:
                return
        self._start_replacement()

    def _start_replacement(self) -> None:
        threading.Thread(target=self._replace, daemon=True, name="kamergraph-pool-replace").start()

    def _replace(self) -> None:
        for attempt in range(3):
            try:
                w = _Worker(self.config, self.start_timeout, self.epoch)
            except Exception as exc:  # noqa: BLE001 - a StoreError, or an OSError of the system (EMFILE, EAGAIN)
                log.warning("a replacement query worker did not start (attempt %d of 3): %s", attempt + 1, exc)
                time.sleep(0.5 * (attempt + 1))
                continue
            with self._lock:
                if self._closed:
                    w.kill()
                    return
                self._all.add(w)
            self._idle.put(w)
            return

    # -- the monitor
    def _monitor(self) -> None:
        while not self._closed:
            with self._lock:
                busy = list(self._busy.items())
            if not busy:
                self._wake.wait(1.0)
                self._wake.clear()
                continue
            try:
                self._watch(busy)
            except Exception:  # noqa: BLE001 - the limits must outlive one bad look; never end the monitor
                log.exception("the query pool's monitor failed one look at the running queries")
            time.sleep(MONITOR_INTERVAL)

    def _watch(self, busy: list[tuple[_Worker, _Run]]) -> None:
        """One look at the running queries: stop those over a memory limit, mark long ones."""
        limit = self.query_memory_mb * MB
        live: list[tuple[_Worker, _Run]] = []
        for w, run in busy:
            rss = sandbox.rss_bytes(w.pid)
            if rss is None or w.reason is not None:
                continue
            run.used = max(0, rss - run.baseline)
            if run.used > limit:
                self._stop(w, run, QueryOverMemory(self.query_memory_mb))
            else:
                live.append((w, run))
        if sum(run.used for _, run in live) > self.pool_memory_mb * MB:
            w, run = max(live, key=lambda item: item[1].used)
            self._stop(w, run, QueryOverMemory(self.pool_memory_mb, pool=True))
            live = [(x, r) for x, r in live if x is not w]
        now = time.monotonic()
        for w, run in live:
            if not w.long and now - run.since > self.long_query_after:
                self._make_long(w, run)

    def _make_long(self, worker: _Worker, run: _Run) -> None:
        with self._lock:
            if self._busy.get(worker) is not run or self._closed:
                return
            if sum(1 for w in self._busy if w.long) >= self.max_long_queries:
                refuse = True
            else:
                refuse = False
                worker.long = True
        if refuse:
            self._stop(worker, run, TooManyLongQueries(self.max_long_queries, self.long_query_after))
            return
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, worker.pid, 19)
        self._start_replacement()  # its place among the `size` ready workers

    def _stop(self, worker: _Worker, run: _Run, reason: BaseException) -> None:
        """Kill a worker in the middle of ``run`` (not once it has answered: checked under the lock
        that _await takes to mark the query done); ``reason`` is what its caller gets."""
        with self._lock:
            if self._busy.get(worker) is not run:
                return
            worker.reason = reason  # read by _await once the pipe closes
            if worker.started is not None and sandbox.start_time(worker.pid) == worker.started:  # not a reused pid
                with contextlib.suppress(OSError):
                    os.kill(worker.pid, signal.SIGKILL)

    # -- running
    def run(self, job: Job, timeout: float | None = None, *, wait: float | None = None) -> Answer:
        """Run ``job`` in a free worker; stop it at ``timeout`` seconds (raises :class:`QueryTimeout`).

        ``wait`` is how long to wait for a free worker (default: ``timeout``); past it
        :class:`PoolBusy` is raised. What the job's checker raises is raised here unchanged; a
        query stopped by a memory or capacity limit raises :class:`QueryOverMemory` or
        :class:`TooManyLongQueries`.
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
                worker = self._idle.get(timeout=left, keep=self._keep(job))
            except queue.Empty:
                raise PoolBusy(wait or 0.0) from None
            if worker.epoch != self.epoch:  # opened before a reload: replace it, take another
                self._retire(worker, counted=False)
                continue
            if not self._dispatch(worker, job, timeout):
                failures += 1
                continue
            return self._await(worker, timeout)
        raise StoreError("no query worker could take the query")

    async def run_async(self, job: Job, timeout: float | None = None) -> Answer:
        """:meth:`run` for an event loop: the job goes to an idle worker at once and its answer is
        awaited on the loop, with no thread in between (a thread hop costs more than a point query).
        With no worker idle, a worker to replace, or an answer larger than :data:`LARGE_REPLY` bytes
        to read, the rest is done in a thread, as :meth:`run` does it."""
        loop = asyncio.get_running_loop()
        if not self._started or self._closed:
            return await loop.run_in_executor(None, self.run, job, timeout)
        try:
            worker = self._idle.get(timeout=0, keep=self._keep(job))
        except queue.Empty:
            return await loop.run_in_executor(None, self.run, job, timeout)
        if worker.epoch != self.epoch or not self._dispatch(worker, job, timeout, retire=False):
            return await loop.run_in_executor(None, self._retry, worker, job, timeout)
        started = time.monotonic()
        ready = loop.create_future()
        fd = worker.conn.fileno()
        loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
        try:
            await asyncio.wait_for(ready, timeout)
        except BaseException as exc:
            _unwatch(loop, fd)
            if isinstance(exc, TimeoutError):
                await loop.run_in_executor(None, self._retire, worker)
                raise QueryTimeout(timeout or 0.0) from None
            if isinstance(exc, asyncio.CancelledError):  # the caller went away: the answer is collected in a thread
                left = None if timeout is None else max(0.0, timeout - (time.monotonic() - started))
                loop.run_in_executor(None, self._await_quietly, worker, left)
            raise
        _unwatch(loop, fd)
        if _large_reply(worker.conn):
            return await loop.run_in_executor(None, self._collect, worker)
        return self._collect(worker)

    def _keep(self, job: Job) -> int:
        """How many idle workers a job must leave behind (the lane for short texts)."""
        return self.reserved if len(job.sparql) > self.large_text_bytes else 0

    def _retry(self, worker: _Worker, job: Job, timeout: float | None) -> Answer:
        """After :meth:`run_async` took a worker it cannot use: the worker retired if it must be, then :meth:`run`."""
        if worker.epoch != self.epoch or worker.reason is not None:
            self._retire(worker, counted=worker.epoch == self.epoch)
        return self.run(job, timeout)

    def _dispatch(self, worker: _Worker, job: Job, timeout: float | None, *, retire: bool = True) -> bool:
        """Send ``job`` to ``worker``, marked busy; False if the worker died while idle (retired
        unless ``retire`` is False, which marks it for the caller instead)."""
        with self._lock:
            self._busy[worker] = _Run(time.monotonic(), sandbox.rss_bytes(worker.pid) or worker.idle_rss)
        try:
            worker.conn.send((job, timeout))
        except (pickle.PicklingError, AttributeError, TypeError) as exc:  # nothing was sent
            with self._lock:
                self._busy.pop(worker, None)
            self._idle.put(worker)
            raise StoreError(f"the query job cannot be sent to a worker (its checker must be picklable): {exc}") from None
        except (OSError, ValueError):  # the worker died while idle: replace it, try another
            if retire:
                self._retire(worker)
            else:
                with self._lock:
                    self._busy.pop(worker, None)
                worker.reason = StoreError("the query worker ended while idle")
            return False
        self._wake.set()
        return True

    def _await(self, worker: _Worker, timeout: float | None) -> Answer:
        try:
            ready = worker.conn.poll(timeout)
        except (EOFError, OSError):
            ready = True  # the pipe closed: _collect says why
        if not ready:
            self._retire(worker)
            raise QueryTimeout(timeout or 0.0)
        return self._collect(worker)

    def _await_quietly(self, worker: _Worker, timeout: float | None) -> None:
        with contextlib.suppress(Exception):
            self._await(worker, timeout)

    def _collect(self, worker: _Worker) -> Answer:
        """The answer of a worker whose reply is ready or whose pipe has closed."""
        try:
            status, payload = worker.conn.recv()
        except (EOFError, OSError):
            reason = worker.reason
            self._retire(worker)
            if reason is not None:
                raise reason from None
            raise self._lost(worker) from None
        with self._lock:
            self._busy.pop(worker, None)
        if status == "error":  # something unexpected in the worker: do not trust it further
            self._retire(worker)
            raise StoreError(f"the query worker failed: {payload}")
        if worker.reason is not None:  # stopped by the monitor just after it answered: the answer holds
            self._retire(worker)
        else:
            self._release(worker)
        return self._result(status, payload)

    @staticmethod
    def _result(status: str, payload: Any) -> Answer:
        if status == "query-error":
            raise QueryError(payload)
        if status == "raised":
            raise payload
        return payload

    def _lost(self, worker: _Worker) -> StoreError:
        """The error for a worker that ended in the middle of a query, by how it ended."""
        code = worker.proc.exitcode
        if code in (-signal.SIGABRT, -signal.SIGSEGV):  # an allocation refused by the address-space limit
            return QueryOverMemory(self.query_memory_mb)
        if code == -signal.SIGXCPU:
            return StoreError("the query worker was stopped by its CPU-time limit")
        return StoreError("the query worker ended without an answer")

    def _release(self, worker: _Worker) -> None:
        """Back to the idle workers, unless it ran a long query (its place is taken), was opened
        before a reload, or kept much more memory than it held idle."""
        grown = (sandbox.rss_bytes(worker.pid) or 0) - worker.idle_rss > self.query_memory_mb * MB
        if worker.long or worker.epoch != self.epoch or grown:
            self._retire(worker, counted=False)
        else:
            self._idle.put(worker)

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
