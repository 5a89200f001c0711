"""Issue 13 item 15: stopping `kamergraph serve` stops everything it started.

After SIGTERM the helper the server starts for the pages' store overview (server/isolated.py) stayed
alive, blocked writing to a pipe, with its resource tracker (~98 MB each time). Here the real command
is started on a small real store, stopped (SIGTERM, SIGINT) while that overview is being built, and
every process below it, found by walking /proc by parent before the stop, must be gone after.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import kg_store  # noqa: F401 - a fixture
from tests.support.ports import serve_on_free_port

ROOT = Path(__file__).resolve().parents[2]
KAMERGRAPH = Path(sys.executable).parent / "kamergraph"

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")


def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time) of a process, None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()  # after "pid (comm) "
    return int(fields[1]), fields[0], int(fields[19])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:200]
    except OSError:
        return "?"


def descendants(root: int) -> dict[int, tuple[int, str]]:
    """Every process below ``root``: pid -> (start time, command line)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st is not None:
                parents.setdefault(st[0], []).append(int(entry))
    out: dict[int, tuple[int, str]] = {}
    todo = [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            st = _stat(child)
            if st is not None and child not in out:
                out[child] = (st[2], _cmdline(child))
                todo.append(child)
    return out


def alive(pid: int, started: int) -> bool:
    st = _stat(pid)
    return st is not None and st[2] == started and st[1] not in ("Z", "X")  # same process, not a zombie


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_serve_leaves_no_process_behind(kg_store: Path, tmp_path: Path, sig: signal.Signals) -> None:
    env = {**os.environ, "KAMERGRAPH_QUERY_WORKERS": "2", "KAMERGRAPH_DUMPS_DIR": str(tmp_path / "dumps")}
    proc, port = serve_on_free_port(lambda port: subprocess.Popen(
        [str(KAMERGRAPH), "serve", "--store", str(kg_store), "--port", str(port), "--log-level", "warning"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    try:
        # the overview is built in a process spawned by the server itself while it starts: wait for it
        deadline = time.monotonic() + 60
        helper = None
        while helper is None:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:] if proc.stderr else ""
            assert time.monotonic() < deadline, f"no overview helper appeared: {descendants(proc.pid)}"
            kids = descendants(proc.pid)
            helper = next((p for p, (_, cmd) in kids.items() if _stat(p) and _stat(p)[0] == proc.pid
                           and "spawn_main" in cmd), None)
            time.sleep(0.02)
        while True:  # and for the server to answer (the query workers and their forkserver are up)
            try:
                if httpx.get(f"http://127.0.0.1:{port}/queries", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not answer"
            time.sleep(0.1)
        started = descendants(proc.pid)
        assert alive(helper, started[helper][0]), "the overview was built before the stop: nothing to check"
        assert len(started) >= 4, started  # the helper, the forkserver, two workers (and trackers)
        proc.send_signal(sig)
        proc.wait(timeout=60)
        deadline = time.monotonic() + 15
        while (left := {p: c for p, (t, c) in started.items() if alive(p, t)}) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not left, f"still running after the server stopped: {left}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
