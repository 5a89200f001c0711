"""Whole-store reads the pages need (the store overview, the vocabulary actually used) run in a process
of their own on the read-only store: they take no query worker from ``/sparql`` and are not cut off by
its time limit, and the memory they use is given back when they end."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

R = TypeVar("R")


def run_isolated(fn: Callable[..., R], *args: Any) -> R:
    """``fn(*args)`` in a freshly spawned process (``fn`` and its arguments and result must pickle);
    blocks until it is done and raises what it raised."""
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as ex:
        return ex.submit(fn, *args).result()
