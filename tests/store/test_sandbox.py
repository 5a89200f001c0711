"""store.sandbox in real query workers: no outgoing network connection unless the pool allows it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from store.base import QueryError
from store.pool import Job, WorkerPool
from tests.support.listener import Listener

ROW = {"head": {"vars": ["s", "p", "o"]},
       "results": {"bindings": [{"s": {"type": "uri", "value": "http://example.org/from-the-service"},
                                 "p": {"type": "uri", "value": "http://example.org/p"},
                                 "o": {"type": "literal", "value": "reached"}}]}}


@pytest.fixture()
def listener() -> Iterator[Listener]:
    with Listener(ROW) as server:
        yield server


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sandbox") / "store"
    store = Store(str(path))
    g = NamedNode("https://kamergraph.nl/graph/test/a")
    store.extend([Quad(NamedNode(f"https://kamergraph.nl/id/t/{i}"), NamedNode("https://w3id.org/kamergraph/def#p"),
                       Literal(str(i)), g) for i in range(10)])
    store.flush()
    del store
    return path


def _service(url: str) -> str:
    return f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"


def test_workers_cannot_reach_the_network(small_store: Path, listener: Listener) -> None:
    with WorkerPool(small_store, size=1) as pool:
        with pytest.raises(QueryError, match="outgoing network connections are disabled"):
            pool.run(Job(_service(listener.url)), timeout=10)
        # SILENT: the failure is silenced, the answer is empty; nothing left the worker either way
        silent = pool.run(Job(_service(listener.url).replace("SERVICE", "SERVICE SILENT"), output="json"), timeout=10)
        assert silent.count == 1 and json.loads(silent.body)["results"]["bindings"] == [{}]
        # the worker still answers over its pipe to the parent
        assert pool.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout=10).values() == [{"n": "10"}]
    assert listener.contacts == 0


def test_a_pool_that_allows_the_network_reaches_the_service(small_store: Path, listener: Listener) -> None:
    """The same query with allow_network: the listener is reached (so the test above can fail)."""
    with WorkerPool(small_store, size=1, allow_network=True) as pool:
        rows = pool.query(_service(listener.url), timeout=10).values()
    assert rows == [{"s": "http://example.org/from-the-service", "p": "http://example.org/p", "o": "reached"}]
    assert listener.contacts >= 1


def test_storeless_workers_are_shut_off_too(listener: Listener) -> None:
    """Check-only workers (for a remote store) run the checker in the same sandbox."""
    with WorkerPool(None, size=1) as pool:
        answer = pool.run(Job(listener.url, checker=_try_connect, check_only=True), timeout=10)
    assert answer.checked.text == "refused: PermissionError" and listener.contacts == 0


class _Result:
    def __init__(self, text: str) -> None:
        self.text = text
        self.kind = "select"


def _try_connect(url: str, *, graph_exists=None) -> _Result:  # type: ignore[no-untyped-def]
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=2).close()
    except OSError as exc:
        return _Result(f"refused: {type(exc).__name__}")
    return _Result("connected")


def test_the_cpu_deadline_stops_a_runaway_process() -> None:
    """The kernel's CPU-time limit a worker sets before each query ends a busy loop by itself
    (no parent, no forkserver needed), about a second after the limit."""
    import signal
    import subprocess
    import sys
    import resource

    root = Path(__file__).resolve().parents[2]
    code = "from store.sandbox import cpu_deadline\ncpu_deadline(1.0)\nwhile True:\n    pass\n"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-c", code], cwd=root, timeout=60, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    assert done.returncode == -signal.SIGXCPU and cpu < 4.0, (done.returncode, cpu, done.stderr)


def test_a_pool_that_cannot_install_the_filter_refuses_to_start(small_store: Path) -> None:
    """A parent process that may not install seccomp filters (its own filter refuses the seccomp
    and prctl system calls, inherited by the forkserver and the workers): the pool does not start
    unprotected, it says why; with allow_network it starts and answers."""
    import subprocess
    import sys
    import textwrap

    root = Path(__file__).resolve().parents[2]
    script = textwrap.dedent(f"""
        import ctypes, errno, sys
        sys.path.insert(0, {str(root)!r})
        from store import sandbox
        from store.base import StoreError
        from store.pool import WorkerPool

        def deny_seccomp():
            lib = sandbox._libseccomp()
            ctx = lib.seccomp_init(sandbox._SCMP_ACT_ALLOW)
            for name in ("seccomp", "prctl"):
                nr = lib.seccomp_syscall_resolve_name(name.encode())
                assert lib.seccomp_rule_add_array(ctx, sandbox._SCMP_ACT_ERRNO | errno.EPERM, nr, 0, None) == 0
            assert lib.seccomp_load(ctx) == 0

        if __name__ == "__main__":
            deny_seccomp()
            try:
                WorkerPool({str(small_store)!r}, size=1).start()
            except StoreError as exc:
                print("refused:", exc)
            else:
                print("started unprotected")
            with WorkerPool({str(small_store)!r}, size=1, allow_network=True) as pool:
                print(pool.query("ASK {{ ?s ?p ?o }}", timeout=20).boolean)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    first, second = done.stdout.splitlines()[:2]
    assert first.startswith("refused: the query workers cannot be shut off from the network"), done.stdout
    assert "allow_network" in first and second == "True"
