"""server.cache: answers kept per job, bounded by bytes, dropped when the store's generation moves."""

from __future__ import annotations

from pyoxigraph import Literal

from server.cache import ResultCache, job_key
from store.pool import Answer, Job


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
                  Job("SELECT * {}", output="json", union_default_graph=False),
                  Job("SELECT * {}", output="json", bindings={"x": Literal("a")})):
        assert c.get(other) is None, other
    assert job_key(Job("q", bindings={"x": Literal("1")})) != job_key(Job("q", bindings={"x": Literal(1)}))
    assert (c.hits, c.misses) == (1, 6)


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
    c = ResultCache(8_000)
    c.sync(0)
    jobs = [Job(f"SELECT {i}", output="json") for i in range(10)]
    for j in jobs[:5]:
        c.put(j, _answer(800), 0)  # ~1000 bytes each with the overhead
    c.get(jobs[0])  # recently used: stays
    for j in jobs[5:]:
        c.put(j, _answer(800), 0)
    assert c.bytes <= 8_000
    assert c.get(jobs[0]) is not None and c.get(jobs[1]) is None
    c.put(Job("SELECT big", output="json"), _answer(2_000), 0)  # over an eighth of the budget
    assert c.get(Job("SELECT big", output="json")) is None


def test_zero_budget_disables() -> None:
    c = ResultCache(0)
    c.sync(0)
    c.put(Job("q"), _answer(1), 0)
    assert not c.enabled and c.get(Job("q")) is None and len(c) == 0
