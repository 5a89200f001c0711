"""server.cache: answers kept per job, bounded by bytes, dropped when the store's generation moves."""

from __future__ import annotations

import functools
import tracemalloc
from dataclasses import dataclass

from pyoxigraph import Literal

from server.cache import ResultCache, entry_size, job_key
from store.pool import Answer, Job


@dataclass
class _Checked:
    """Stands for the guard's verdict an answer carries (its normalised text is what is large)."""

    text: str
    kind: str = "ask"


def _check(text: str, a: tuple[str, ...] = ()) -> None:
    """A module-level checker for the key tests (never called)."""


def _answer(n: int) -> Answer:
    return Answer(kind="select", body=b"x" * n, count=1)


def test_hits_only_for_the_same_job() -> None:
    c = ResultCache(10_000)
    c.sync(1)
    job = Job("SELECT * {}", output="json")
    c.put(job, _answer(10), 1)
    assert c.get(Job("SELECT * {}", output="json")) is not None
    for other in (Job("SELECT * {}", output="csv"), Job("SELECT * { }", output="json"),
                  Job("SELECT * {}", output="json", row_limit=5),
                  Job("SELECT * {}", output="json", default_graph=["http://g"]),
                  Job("SELECT * {}", output="json", named_graphs=["http://g"]),
                  Job("SELECT * {}", output="json", union_default_graph=False),
                  Job("SELECT * {}", output="json", base_iri="http://example.org/sparql"),
                  Job("SELECT * {}", output="json", bindings={"x": Literal("a")})):
        assert c.get(other) is None, other
    assert job_key(Job("q", bindings={"x": Literal("1")})) != job_key(Job("q", bindings={"x": Literal(1)}))
    assert (c.hits, c.misses) == (1, 8)
    # answers kept per dataset and per base: each request gets its own, never another one's
    c.put(Job("SELECT * {}", output="json", named_graphs=["http://g"]), _answer(20), 1)
    c.put(Job("SELECT * {}", output="json", base_iri="http://example.org/sparql"), _answer(30), 1)
    assert c.get(Job("SELECT * {}", output="json", named_graphs=["http://h"])) is None
    assert c.get(Job("SELECT * {}", output="json", named_graphs=["http://g"])).body == b"x" * 20
    assert c.get(Job("SELECT * {}", output="json", base_iri="http://example.org/other")) is None
    assert c.get(Job("SELECT * {}", output="json", base_iri="http://example.org/sparql")).body == b"x" * 30
    assert c.get(job).body == b"x" * 10


def test_a_new_generation_drops_everything_and_late_answers_are_not_kept() -> None:
    c = ResultCache(10_000)
    c.sync("a")
    job = Job("SELECT * {}", output="json")
    c.put(job, _answer(10), "a")
    assert c.sync("a") is False and c.get(job) is not None
    assert c.sync("b") is True and c.get(job) is None and c.bytes == 0
    c.put(job, _answer(10), "a")  # computed on the old store: not kept
    assert c.get(job) is None


def test_bounded_by_bytes_least_recently_used_out() -> None:
    one = entry_size(job_key(Job("SELECT 0", output="json")), _answer(800))  # key and answer together
    c = ResultCache(8 * one + one // 2)
    c.sync(0)
    jobs = [Job(f"SELECT {i}", output="json") for i in range(10)]
    for j in jobs[:5]:
        c.put(j, _answer(800), 0)
    c.get(jobs[0])  # recently used: stays
    for j in jobs[5:]:
        c.put(j, _answer(800), 0)
    assert c.bytes <= c.max_bytes
    assert c.get(jobs[0]) is not None and c.get(jobs[1]) is None
    c.put(Job("SELECT big", output="json"), _answer(one), 0)  # over an eighth of the budget
    assert c.get(Job("SELECT big", output="json")) is None


def test_keys_count_against_the_budget() -> None:
    """Issue 13 item 3: 600 distinct ~950 KB query texts with small answers grew the server by
    550 MB under a 256 MB budget, because only answers were counted. Large distinct keys (and the
    checked text an answer carries) now fill the budget, and Python's real growth stays within it."""
    budget = 20_000_000
    c = ResultCache(budget)
    c.sync(0)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(120):  # 120 x ~2 x 400 KB = ~96 MB offered, five times the budget
            text = f"ASK {{ FILTER(?x IN ({i}, " + "<http://example.org/x>, " * 16_000 + "1)) }"
            job = Job(text, output="json", default_graph=[f"http://example.org/g{i}"],
                      bindings={"x": Literal(f"v{i}")})
            c.put(job, Answer(kind="ask", body=b'{"boolean":true}', checked=_Checked(text + " ")), 0)
            del text, job
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert c.bytes <= budget
    assert len(c) >= 20  # it did keep entries: the budget holds ~24 of them
    assert held <= budget * 1.05, f"the cache holds {held:,} bytes of Python objects, over its {budget:,}"
    assert c.bytes >= held * 0.9, f"accounted {c.bytes:,} bytes, but {held:,} are held"


def test_checker_and_output_by_kind_are_part_of_the_key() -> None:
    c = ResultCache(100_000)
    c.sync(0)
    job = Job("ASK {}", output={"ask": "json", "select": "json"}, checker=functools.partial(_check, a=("x",)))
    c.put(job, _answer(10), 0)
    assert c.get(Job("ASK {}", output={"select": "json", "ask": "json"},
                     checker=functools.partial(_check, a=("x",)))) is not None
    assert c.get(Job("ASK {}", output={"ask": "xml", "select": "json"},
                     checker=functools.partial(_check, a=("x",)))) is None
    assert c.get(Job("ASK {}", output={"ask": "json", "select": "json"},
                     checker=functools.partial(_check, a=("y",)))) is None
    assert c.get(Job("ASK {}", output={"ask": "json", "select": "json"})) is None
    assert c.get(Job("ASK {}", output={"ask": "json", "select": "json"}, check_only=True,
                     checker=functools.partial(_check, a=("x",)))) is None


def test_zero_budget_disables() -> None:
    c = ResultCache(0)
    c.sync(0)
    c.put(Job("q"), _answer(1), 0)
    assert not c.enabled and c.get(Job("q")) is None and len(c) == 0
