"""Starting the query workers' processes: a multiprocessing context whose children import the
project's packages from the project (never from a same-named folder in the working directory),
with few malloc arenas, and a forkserver that imports the workers' modules once."""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import multiprocessing.context
import multiprocessing.forkserver
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["SafeForkProcess", "SafeForkServerProcess", "SafeSpawnProcess", "preload_in_forkserver", "process_context"]

_PROJECT_ROOT = str(Path(__file__).resolve().parent.parent)

_env_lock = threading.Lock()


@contextlib.contextmanager
def _safe_child_environment() -> Iterator[None]:
    """While a process starts: no working directory on the child interpreter's path
    (``PYTHONSAFEPATH``; ``python -c`` would put it first), the project's root on it instead, and
    few malloc arenas (less address space per thread)."""
    with _env_lock:
        saved = {k: os.environ.get(k) for k in ("PYTHONSAFEPATH", "PYTHONPATH", "MALLOC_ARENA_MAX")}
        rest = [p for p in (saved["PYTHONPATH"] or "").split(os.pathsep) if p and p != _PROJECT_ROOT]
        os.environ["PYTHONSAFEPATH"] = "1"
        os.environ["PYTHONPATH"] = os.pathsep.join([_PROJECT_ROOT, *rest])
        os.environ.setdefault("MALLOC_ARENA_MAX", "2")
        try:
            yield
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


class _SafeStart:
    """Mixed into a context's Process class: the process starts in :func:`_safe_child_environment`."""

    def start(self) -> None:
        with _safe_child_environment():
            super().start()  # type: ignore[misc]


# module-level classes, so that they pickle by name (the forkserver receives the process object)
class SafeForkServerProcess(_SafeStart, mp.context.ForkServerProcess):  # type: ignore[misc, name-defined]
    pass


class SafeSpawnProcess(_SafeStart, mp.context.SpawnProcess):  # type: ignore[misc, name-defined]
    pass


class SafeForkProcess(_SafeStart, mp.context.ForkProcess):  # type: ignore[misc, name-defined]
    pass


_SAFE = {"forkserver": SafeForkServerProcess, "spawn": SafeSpawnProcess, "fork": SafeForkProcess}


class _SafeContext:
    """A multiprocessing context whose processes start with :func:`_safe_child_environment`."""

    def __init__(self, ctx: Any, method: str) -> None:
        self._ctx = ctx
        self.Process = _SAFE[method]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ctx, name)


_contexts: dict[str, _SafeContext] = {}


def process_context(method: str | None = None) -> Any:
    """A multiprocessing context (``method``: "forkserver", "spawn" or "fork"; default: forkserver
    where there is one, else spawn) whose child processes import the project's packages from the
    project, never from a same-named folder in the working directory (the forkserver and spawn
    children start as ``python -c …``, which puts the working directory first on ``sys.path``).

    Use its ``Process`` (and its ``Pipe``, ``Queue`` …) like the context's own. A child started
    with "spawn" still takes over the parent's ``sys.path`` once it runs (multiprocessing passes it
    on), so the parent's own path must not start with the working directory either (the
    ``kamergraph`` console script's does not; ``python -m`` and ``python -c`` put it first).
    """
    if method is None:
        method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    with _env_lock:
        ctx = _contexts.get(method)
        if ctx is None:
            ctx = _contexts[method] = _SafeContext(mp.get_context(method), method)
            if method == "forkserver":
                ctx.set_forkserver_preload(["__main__", "pyoxigraph", "store.base", "store.sandbox", "store.worker"])
        return ctx


def preload_in_forkserver(modules: Sequence[str]) -> None:
    """Have the forkserver import ``modules`` once (if it has not started yet), so that each
    worker forked from it has them without importing them itself."""
    ctx = process_context()
    if not modules or ctx.get_start_method() != "forkserver":
        return
    current = list(multiprocessing.forkserver._forkserver._preload_modules)
    missing = [m for m in modules if m not in current]
    if missing:
        ctx.set_forkserver_preload(current + missing)
