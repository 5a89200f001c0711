"""The guard against the engine, on real components: whatever the guard accepts never reaches a
loopback listener when the engine (an in-process pyoxigraph store, and the real worker pool)
runs it (issue 13, item 1).

A fixed-seed share of ``bench/guard_fuzz.py``: the same generator, listener and store. The
listener counts every connection; the raw texts show that the generated attacks are real (the
engine contacts the listener for some of them), the guarded texts that none gets through.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as fixed_seed
from hypothesis import strategies as st
from pyoxigraph import Store

from bench.guard_fuzz import (
    Tally,
    differential,
    escaped_queries,
    queries,
    run_engine,
    small_store,
)
from queries.errors import QueryRejected
from queries.guard import GuardedQuery, check
from store.pool import Job, WorkerPool
from tests.support.listener import Listener

SEED = 20261207
FUZZ = settings(max_examples=250, deadline=None, database=None, derandomize=False,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# the attack of the issue, and the other ways found to make rdflib and Oxigraph read one text
# differently ({base} is the listener's http://127.0.0.1:PORT)
ISSUE_ATTACK = 'SELECT ?s WHERE { BIND("\\u0022" AS ?x) SERVICE <{base}/x> { ?s ?p ?o } BIND("\\u0022" AS ?y) }'
KNOWN_BYPASSES = [
    ISSUE_ATTACK,
    'SELECT ?s WHERE { BIND("\\U00000022" AS ?x) SERVICE <{base}/x> { ?s ?p ?o } BIND("\\U00000022" AS ?y) }',
    "SELECT ?s WHERE { BIND('\\u0027' AS ?x) SERVICE <{base}/x> { ?s ?p ?o } BIND('\\u0027' AS ?y) }",
    'SELECT ?s WHERE { BIND("""\\u0022""" AS ?x) SERVICE <{base}/x> { ?s ?p ?o } BIND("""\\u0022""" AS ?y) }',
    # a lone CR ends a comment for Oxigraph, not for rdflib
    "SELECT ?s WHERE { ?s ?p ?o # note\r SERVICE <{base}/x> { ?s ?p ?o } \n }",
    # escapes Oxigraph decodes inside the IRI
    "SELECT ?s WHERE { SERVICE <http:\\u002F\\u002F127.0.0.1:{port}/x> { ?s ?p ?o } }",
    "PREFIX l: <http:\\u002F\\u002F127.0.0.1:{port}/> SELECT ?s WHERE { SERVICE l:x { ?s ?p ?o } }",
]
# texts the engine reads harmlessly but whose decoded form two parsers would read differently
DECODING_HAZARDS = [
    "SELECT ?s WHERE { ?s ?p ?o # note\\u000D SERVICE <{base}/x> { ?s ?p ?o } \n }",
    'SELECT ?s WHERE { BIND("\\u005C\\u0022" AS ?x) SERVICE <{base}/x> { ?s ?p ?o } BIND("\\u005C\\u0022" AS ?y) }',
    'SELECT ?s WHERE { BIND("a\\\\u00750022" AS ?x) SERVICE <{base}/x> { ?s ?p ?o } }',
]


def fill(text: str, listener: Listener) -> str:
    return text.replace("{base}", listener.base).replace("{port}", str(listener.port))


@pytest.fixture(scope="module")
def engine(loopback_listener: Listener) -> Store:
    return small_store(loopback_listener.base)


def test_the_issue_attack_reaches_the_engine_and_is_refused(engine: Store, loopback_listener: Listener) -> None:
    text = fill(ISSUE_ATTACK, loopback_listener)
    raw = run_engine(engine, text, loopback_listener)
    assert raw.contacts >= 1 and raw.error is None  # the attack is real: the engine calls the listener
    with pytest.raises(QueryRejected) as info:
        check(text)
    assert info.value.status == 400 and "\\u0022" in info.value.message and info.value.column == 25


@pytest.mark.parametrize("template", KNOWN_BYPASSES)
def test_known_bypasses_are_refused(template: str, engine: Store, loopback_listener: Listener) -> None:
    text = fill(template, loopback_listener)
    tally = Tally()
    outcome = differential(text, engine, loopback_listener, tally, check)
    assert isinstance(outcome, QueryRejected), outcome
    assert tally.engine_contacted == 1 and tally.failures == []


@pytest.mark.parametrize("template", DECODING_HAZARDS)
def test_decoding_hazards_are_refused(template: str, engine: Store, loopback_listener: Listener) -> None:
    text = fill(template, loopback_listener)
    tally = Tally()
    outcome = differential(text, engine, loopback_listener, tally, check)
    assert isinstance(outcome, QueryRejected) and outcome.status in (400, 403), outcome
    assert tally.failures == []


def test_differential_fuzz(engine: Store, loopback_listener: Listener) -> None:
    tally = Tally()

    @fixed_seed(SEED)
    @FUZZ
    @given(st.data())
    def one(data: Any) -> None:
        differential(data.draw(queries(loopback_listener.base)), engine, loopback_listener, tally, check)

    one()
    print(f"\n{tally.generated} queries: engine would contact the listener for {tally.engine_contacted}, "
          f"guard refused {tally.refused}, accepted {tally.accepted}, guarded-path contacts {tally.guarded_contacts}")
    assert tally.failures == []
    assert tally.guarded_contacts == 0 and tally.secret_leaks == 0
    # the generator is worth something: real attacks among the texts, and texts the guard lets through
    assert tally.generated >= 200 and tally.engine_contacted >= 10 and tally.accepted >= 5


def test_escaped_valid_queries_pass_and_mean_the_same(engine: Store, loopback_listener: Listener) -> None:
    seen: list[int] = []

    @fixed_seed(SEED)
    @settings(max_examples=150, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(escaped_queries())
    def one(text: str) -> None:
        guarded = check(text)
        raw = run_engine(engine, text, loopback_listener)
        ran = run_engine(engine, guarded.text, loopback_listener)
        assert raw.error is None and ran.error is None, (text, raw.error, ran.error)
        assert ran.answer == raw.answer, text
        seen.append(int("\\u" in text or "\\U" in text))

    one()
    assert sum(seen) >= 50  # most examples hold escapes


def test_escapes_in_strings_and_iris_give_the_same_answers(engine: Store, loopback_listener: Listener) -> None:
    text = ('SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o '
            'FILTER(?o = "caf\\u00E9 \\u2615 \\U000000E9" || ?o = <http://example.org/\\u00E9/\\u00FC>) }')
    guarded = check(text)
    assert guarded.text == ('SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o '
                            'FILTER(?o = "café ☕ é" || ?o = <http://example.org/é/ü>) }')
    raw, ran = run_engine(engine, text, loopback_listener), run_engine(engine, guarded.text, loopback_listener)
    assert ran.answer == raw.answer and len(ran.answer) == 2


# -- the second line of defence: the real worker pool, whose workers cannot open connections

@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory, loopback_listener: Listener) -> Iterator[WorkerPool]:
    path: Path = tmp_path_factory.mktemp("guard-pool") / "store"
    store = small_store(loopback_listener.base, str(path))
    store.flush()
    del store
    with WorkerPool(path, size=1, preload=("queries.guard",)) as workers:
        yield workers


def test_the_pool_runs_only_what_the_guard_accepts(pool: WorkerPool, engine: Store,
                                                    loopback_listener: Listener) -> None:
    checker = functools.partial(check, allowed_services=())
    secret = f"{loopback_listener.base}/secret"
    counts = {"refused": 0, "accepted": 0, "attacks": 0}
    before = loopback_listener.contacts

    def through_pool(text: str) -> None:
        try:
            expected: Any = check(text, allowed_services=(), graph_exists=lambda g: g != secret)
        except QueryRejected as exc:
            expected = exc
        job = Job(text, output="json", checker=checker)
        if isinstance(expected, QueryRejected):
            with pytest.raises(QueryRejected) as info:
                pool.run(job, timeout=20)
            if "FROM" not in expected.message:  # the pool's store holds the secret graph
                assert (info.value.status, info.value.message) == (expected.status, expected.message)
            counts["refused"] += 1
        else:
            answer = pool.run(job, timeout=20)
            assert isinstance(answer.checked, GuardedQuery) and answer.checked.text == expected.text
            counts["accepted"] += 1

    for template in KNOWN_BYPASSES + DECODING_HAZARDS:
        counts["attacks"] += 1
        through_pool(fill(template, loopback_listener))

    @fixed_seed(SEED + 1)
    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def one(data: Any) -> None:
        through_pool(data.draw(st.one_of(queries(loopback_listener.base), escaped_queries())))

    one()
    assert loopback_listener.contacts == before
    assert counts["refused"] >= 20 and counts["accepted"] >= 10, counts
