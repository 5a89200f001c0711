"""Server processes on free loopback ports, safe when several test workers start servers at once.

A port number found free (bound and closed again) can be taken by another process before the server
binds it: then the server ends saying the address is in use, or worse, the test talks to another
worker's server on that port. ``serve_on_free_port`` starts the server, waits until the process itself
listens on the port (its own socket, found in /proc), and starts it again on another port when the
bind failed. Servers started in-process need none of this: they are given a bound socket
(tests/server/conftest.py: ``serving``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable

ATTEMPTS = 5
IN_USE = ("address already in use", "errno 98", "failed to start listening")  # the last: Virtuoso


def free_port() -> int:
    """A loopback port no socket holds now (it may be taken by the time it is used: see above)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening_sockets(port: int) -> set[str]:
    """The sockets (``socket:[inode]``) listening on TCP ``port`` (IPv4 and IPv6), from /proc/net."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, encoding="ascii") as fh:
                rows = fh.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                found.add(f"socket:[{fields[9]}]")
    return found


def holds_port(pid: int, port: int) -> bool:
    """Whether process ``pid`` has a socket listening on ``port`` open."""
    sockets = listening_sockets(port)
    if not sockets:
        return False
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") in sockets:
                return True
        except OSError:
            continue
    return False


def error_output(proc: subprocess.Popen) -> str:
    """What an ended process wrote to its stderr pipe."""
    err = proc.stderr.read() if proc.stderr else ""
    return err.decode(errors="replace") if isinstance(err, bytes) else err


def bind_failed(proc: subprocess.Popen, port: int, seconds: float = 120,
                output: Callable[[subprocess.Popen], str] = error_output) -> bool:
    """Wait until ``proc`` listens on ``port`` (False) or ends: True when it ended because the address
    was in use (``output`` reads what it said); any other end fails the test with that output."""
    deadline = time.monotonic() + seconds
    while not holds_port(proc.pid, port):
        if proc.poll() is not None:
            err = output(proc)
            if any(sign in err.lower() for sign in IN_USE):
                return True
            raise AssertionError(f"the server ended at start (exit {proc.returncode}):\n{err[-2000:]}")
        if time.monotonic() > deadline:
            proc.terminate()  # it stops what it started
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
            raise AssertionError(f"the server did not listen on port {port} within {seconds:g} s")
        time.sleep(0.05)
    return False


def serve_on_free_port(start: Callable[[int], subprocess.Popen], seconds: float = 120,
                       output: Callable[[subprocess.Popen], str] = error_output) -> tuple[subprocess.Popen, int]:
    """``start(port)`` on a free port until the process it returns listens there itself (a bind that
    failed because another process took the port starts it again on another); ``output`` reads what an
    ended process said (by default its stderr, which must then be a pipe). Returns the process and its port."""
    for _ in range(ATTEMPTS):
        port = free_port()
        proc = start(port)
        if not bind_failed(proc, port, seconds, output):
            return proc, port
    raise AssertionError(f"no free port held after {ATTEMPTS} attempts")
