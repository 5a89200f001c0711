"""What the benchmark scripts share: a free loopback port, percentiles, and a server process that is
started, waited for until it answers, and stopped."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(xs: list[float], p: float) -> float:
    """The ``p``-th percentile of ``xs`` (nearest rank)."""
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def wait_until(ready: Callable[[], bool], proc: subprocess.Popen[bytes], what: str, seconds: float,
               poll: float = 0.3) -> float:
    """Call ``ready()`` until it is true (transport errors count as not yet); the seconds it took.
    Ends the script if ``proc`` exits or ``seconds`` pass first."""
    import httpx

    t0 = time.monotonic()
    while time.monotonic() < t0 + seconds:
        if proc.poll() is not None:
            raise SystemExit(f"{what} ended at start (exit code {proc.returncode})")
        try:
            if ready():
                return time.monotonic() - t0
        except httpx.TransportError:
            pass
        time.sleep(poll)
    raise SystemExit(f"{what} was not ready within {seconds:g} s")


@dataclass
class Served:
    """A server process started by :func:`served`, and the seconds it took until it answered."""

    proc: subprocess.Popen[bytes]
    ready_seconds: float


@contextmanager
def served(cmd: list[str], ready: Callable[[], bool], what: str, env: dict[str, str] | None = None,
           seconds: float = 300, stop_wait: float = 10) -> Iterator[Served]:
    """Run ``cmd`` until the block ends; yields the process (its pid, to sample its memory) and the
    seconds it took until ``ready()``. At the end it is asked to stop, and killed if it has not
    within ``stop_wait`` seconds."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        yield Served(proc, wait_until(ready, proc, what, seconds))
    finally:
        proc.terminate()
        try:
            proc.wait(stop_wait)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def server(cmd: list[str], ready: Callable[[], bool], what: str, env: dict[str, str] | None = None,
           seconds: float = 300) -> Iterator[float]:
    """Run ``cmd`` until the block ends; yields the seconds it took until ``ready()``."""
    with served(cmd, ready, what, env, seconds) as running:
        yield running.ready_seconds
