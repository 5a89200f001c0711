"""server.isolated: a function in a process of its own; stopped with its owner; independent of the
working directory (issue 13 items 10 and 15)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from server.isolated import IsolatedStopped, run_isolated, running, stop_all


def test_runs_a_function_and_raises_what_it_raised() -> None:
    assert run_isolated(sorted, [3, 1, 2]) == [1, 2, 3]
    with pytest.raises(ValueError, match="invalid literal"):
        run_isolated(int, "not a number")


def test_a_working_directory_that_shadows_the_packages_changes_nothing(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A spawned child starts as ``python -c …`` with the working directory first on sys.path: folders
    named server/ or store/ there were imported instead of the project's."""
    for name in ("server", "store", "queries"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(f"raise ImportError('the shadow {name} package was imported')\n")
    monkeypatch.chdir(tmp_path)
    assert run_isolated(os.getcwd) == str(tmp_path)


def test_stop_all_ends_the_owners_runs_and_refuses_new_ones() -> None:
    owner = type("Owner", (), {})()
    outcome: list[BaseException | float] = []

    def run() -> None:
        try:
            outcome.append(run_isolated(time.sleep, 60, owner=owner))
        except BaseException as exc:  # noqa: BLE001
            outcome.append(exc)

    t = threading.Thread(target=run)
    t.start()
    deadline = time.monotonic() + 30
    while not running(owner):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    pid = running(owner)[0]
    stop_all(owner)
    t.join(10)
    assert not t.is_alive() and isinstance(outcome[0], IsolatedStopped), outcome
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split(")")[1][:3]
    with pytest.raises(IsolatedStopped):
        run_isolated(sorted, [1], owner=owner)


def test_a_child_that_dies_is_a_failure_not_a_stop() -> None:
    """A helper process that ends without an answer (killed for memory, crashed) is reported as a
    failure with its exit code, not as the server stopping it (review: EOFError was read as a stop)."""
    with pytest.raises(RuntimeError, match="exit code 3"):
        run_isolated(os._exit, 3, owner=object())
