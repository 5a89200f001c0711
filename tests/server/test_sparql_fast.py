"""Uncached requests without a thread hop: ``WorkerPool.run_async`` awaits a worker's answer on the
event loop (asyncio's and uvloop's, which uvicorn uses) and gives what ``WorkerPool.run`` gives:
the same answers, small and large (read in a thread), the same time limit and the guard's refusals;
and a worker it has watched still answers ``run`` afterwards (uvloop leaves a watched pipe
non-blocking, which broke the next large answer read from it)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvloop
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store

from queries.errors import QueryRejected
from queries.guard import check
from store.base import QueryTimeout
from store.pool import LARGE_REPLY, Job, WorkerPool

EX = "http://example.org/"
ALL = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }}"
ONE = f"SELECT ?o WHERE {{ <{EX}s7> <{EX}p> ?o }}"
LOOPS: dict[str, Callable[[Any], Any]] = {"asyncio": asyncio.run, "uvloop": uvloop.run}


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerPool]:
    path: Path = tmp_path_factory.mktemp("fast-pool") / "store"
    store = Store(str(path))
    store.extend(Quad(NamedNode(f"{EX}s{i}"), NamedNode(f"{EX}p"), Literal(f"value {i} " + "x" * 150), DefaultGraph())
                 for i in range(8_000))
    store.flush()
    del store
    with WorkerPool(path, size=1) as workers:  # one worker: every request reuses the one pipe
        yield workers


@pytest.mark.parametrize("loop", LOOPS)
def test_answers_are_those_of_run_small_and_large(pool: WorkerPool, loop: str) -> None:
    checker = functools.partial(check, allowed_services=())
    jobs = [Job(ONE, output="json", checker=checker), Job(ALL, output="json"), Job(ONE, output="csv")]

    async def all_async() -> list[Any]:
        return [await pool.run_async(job, 30) for job in jobs]

    got = LOOPS[loop](all_async())
    expected = [pool.run(job, 30) for job in jobs]  # the same worker, through its pipe as run() reads it
    assert len(expected[1].body) > LARGE_REPLY  # read in a thread, not on the loop
    for a, b in zip(got, expected):
        assert (a.kind, a.body, a.count, a.truncated) == (b.kind, b.body, b.count, b.truncated)
    assert got[0].checked == check(ONE) and b'"value 7 ' in got[0].body


@pytest.mark.parametrize("loop", LOOPS)
def test_the_time_limit_and_the_guard_hold(pool: WorkerPool, loop: str) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    checker = functools.partial(check, allowed_services=())

    async def attempts() -> list[BaseException]:
        errors = []
        for job, timeout in ((Job(slow, output="json"), 0.5),
                             (Job("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
                                  output="json", checker=checker), 30)):
            try:
                await pool.run_async(job, timeout)
            except Exception as exc:  # noqa: BLE001 - compared below
                errors.append(exc)
        return errors

    timeout, refusal = LOOPS[loop](attempts())
    assert isinstance(timeout, QueryTimeout)
    assert isinstance(refusal, QueryRejected) and refusal.status == 403
    assert pool.run(Job(ONE, output="json"), 30).count == 1  # a fresh worker took the stopped one's place
