"""Kill -9 at fixed points of a rebuild's swap and of a write.

After each kill the next command cleans up (saying what it removed or finished), `kamergraph validate`
passes, the store is the state before or after the command, nothing is left over, and the command run
again ends as an uninterrupted run.
A running server notices a swap even when the build was killed before it bumped the generation.

This is a fixed share of ``bench/crash_points.py``, which runs every point (see its docstring). The
store-level points run in about a minute: they kill the same swap and write code the commands run (a
store replaced by a rebuild, a write before its generation bump, a server following a swap). The points on
the real commands (a real build, ingest or sync killed at a named or a timed point, validated and run
again: most of a minute each) run in ``python bench/crash_points.py`` (``--only build,ingest,sync``). A
sync stopped at each kind of step and resumed is tests/kamergraph/test_sync.py's.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bench.crash_points import (
    Point,
    SwapScenario,
    Work,
    leftovers,
    run_point,
)

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Work:
    return Work(tmp_path_factory.mktemp("crash"))


def check(outcome) -> None:
    assert outcome.killed, f"{outcome.point}: the process was not killed at the point"
    assert outcome.validate_ok and outcome.consistent, outcome.line()
    assert outcome.leftovers == [], outcome.line()
    assert outcome.restart_ok, outcome.line()
    assert outcome.server_ok is not False, outcome.line()


@pytest.fixture(scope="module")
def swap(work: Work) -> SwapScenario:
    sc = SwapScenario(work)
    sc.reference()
    assert sc.before != sc.after
    return sc


@pytest.mark.parametrize("name", ["swap-journal", "swap-moved-old", "swap-renamed", "cleanup"])
def test_a_swap_killed_at_each_step_is_finished_by_the_next_command(swap: SwapScenario, name: str) -> None:
    outcome = run_point(swap, Point("swap", name, crash_at=name), server=name == "swap-renamed")
    check(outcome)
    assert outcome.state == "after"  # the journal was written: the new store is complete and taken
    assert outcome.recovery, "the next command did not say what it cleaned up"


def test_a_write_killed_before_its_bump_is_noticed(work: Work) -> None:
    sc = SwapScenario(work, "write")
    sc.reference()
    outcome = run_point(sc, Point("swap", "write-before-bump", crash_at="write-before-bump"), server=False)
    check(outcome)
    assert any("generation" in r for r in outcome.recovery), outcome.recovery


def _count(client: TestClient) -> int:
    r = client.get("/sparql", params={"query": COUNT}, headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    return int(r.text.split()[-1])


def test_a_running_server_follows_a_swap_killed_before_its_bump(swap: SwapScenario) -> None:
    """The server runs on the store; a rebuild is killed between its swap and its generation bump:
    the next request already answers from the new store (the swap moved the generation), and after
    the next command's recovery nothing is left over."""
    from kamergraph.settings import Settings
    from server.app import create_app

    store = swap.fresh("server-follows")
    with TestClient(create_app(Settings(store=str(store), query_workers=1), store)) as client:
        before = _count(client)
        code, _out, _err = swap.run_command(store, "swap-renamed")
        assert code == -signal.SIGKILL
        after = _count(client)
        assert (before, after) == (sum(map(len, swap.before.values())), sum(map(len, swap.after.values())))
        r = subprocess.run([sys.executable, "-m", "kamergraph.cli", "stats", "--store", str(store)],
                           cwd=Path(__file__).resolve().parents[2], env=swap.work.env, capture_output=True,
                           text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        assert "removed" in r.stderr and ".old" in r.stderr, r.stderr  # the recovery says what it removed
        assert leftovers(store) == []
        assert _count(client) == after
