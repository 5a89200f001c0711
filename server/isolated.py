"""Whole-store reads the pages need (the store overview, the vocabulary actually used) run in a process
of their own on the read-only store: they take no query worker from ``/sparql`` and are not cut off by
its time limit, and the memory they use is given back when they end.

Each run is one spawned process with one pipe back, registered under its owner (the endpoint) until it
ends: :func:`stop_all` kills the owner's running processes (the server calls it when it stops, so no
helper outlives the server), and the child also dies with its parent (``PR_SET_PDEATHSIG``) when the
server is killed outright. A spawned child imports the project's packages from the project, never
from a same-named folder in the working directory (:func:`store.processes.process_context`).
"""

from __future__ import annotations

import ctypes
import signal
import sys
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

R = TypeVar("R")

__all__ = ["IsolatedStopped", "run_isolated", "running", "stop_all"]

_lock = threading.Lock()
_running: dict[int, tuple[Any, Any]] = {}  # pid -> (process, owner)
_stopped: weakref.WeakSet[Any] = weakref.WeakSet()  # owners that stopped: no new runs


class IsolatedStopped(RuntimeError):
    """The run was stopped because its owner (the server) is stopping."""


def _context() -> Any:
    from store.processes import process_context  # imports the project's packages whatever the working directory

    return process_context("spawn")


def _die_with_parent() -> None:
    """Linux: the kernel kills this process when the process that started it ends."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            pass


def _child_main(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    _die_with_parent()
    try:
        result: tuple[str, Any] = ("ok", fn(*args))
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
        result = ("error", exc)
    try:
        conn.send(result)
    except Exception as exc:  # noqa: BLE001 - an answer or an exception that does not pickle
        conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


def run_isolated(fn: Callable[..., R], *args: Any, owner: Any = None) -> R:
    """``fn(*args)`` in a freshly spawned process (``fn``, its arguments and result must pickle);
    blocks until it is done and raises what it raised (:class:`IsolatedStopped` if ``owner`` stopped)."""
    ctx = _context()
    recv_end, send_end = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child_main, args=(send_end, fn, args), daemon=True, name="kamergraph-isolated")
    with _lock:
        if owner is not None and owner in _stopped:
            recv_end.close()
            send_end.close()
            raise IsolatedStopped("the server is stopping")
        proc.start()
        _running[proc.pid] = (proc, owner)
    send_end.close()
    try:
        while not recv_end.poll(0.2):  # the answer, or the end of the process without one
            if not proc.is_alive() and not recv_end.poll(0):
                if owner is not None and owner in _stopped:
                    raise IsolatedStopped("the server is stopping")
                raise RuntimeError(f"the isolated process ended without an answer (exit code {proc.exitcode})")
        try:
            status, payload = recv_end.recv()
        except (EOFError, OSError):  # it ended without an answer: stopped by its owner, or it failed
            proc.join(5)
            if owner is not None and owner in _stopped:
                raise IsolatedStopped("the isolated process was stopped") from None
            raise RuntimeError(f"the isolated process ended without an answer (exit code {proc.exitcode})") from None
    finally:
        recv_end.close()
        with _lock:
            _running.pop(proc.pid, None)
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join(5)
    if status == "error":
        raise payload
    return payload


def running(owner: Any = None) -> list[int]:
    """The process ids of the runs of ``owner`` (None: of everyone) still going."""
    with _lock:
        return [pid for pid, (_, o) in _running.items() if owner is None or o is owner]


def stop_all(owner: Any = None) -> None:
    """Kill the running processes of ``owner`` (None: all) and refuse its new runs; waits for them to end."""
    with _lock:
        if owner is not None:
            _stopped.add(owner)
        procs = [p for p, o in _running.values() if owner is None or o is owner]
    for p in procs:
        if p.is_alive():
            p.kill()
    for p in procs:
        p.join(5)
