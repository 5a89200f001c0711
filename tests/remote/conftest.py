"""Real SPARQL servers for the remote-store tests, and the same slice of the bundled data built
into the embedded store and into each server.

- ``oxigraph_url``: an Oxigraph server (``oxigraph serve``, from PyPI) on a free loopback port,
  with its own store folder.
- ``virtuoso_url``: a Virtuoso 7 (``virtuoso-t``, Debian package virtuoso-opensource) with an ini
  written here: its own database folder, free loopback ports, ``ResultSetMaxRows = 20000`` (below
  the largest graph, so that reading graphs in pages is exercised), ``MaxQueryCostEstimationTime
  = 0`` (its estimator refuses the dual-use query's transitive path). Writes use digest
  authentication as ``dba``/``dba`` (a fresh database's password) against the ``…-auth``
  endpoints; ``isql-vt`` grants SPARQL_UPDATE to the anonymous SPARQL user for the one test of
  updates without credentials.

A missing component skips its tests, except under CI (``tests.support.ci.in_ci``), where it fails them with what is
missing. Every server is started here and stopped here (by its process), so an instance of the
Debian package's own service is never used.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.build_cache import cache_root
from tests.support.ci import in_ci
from tests.support.ports import free_port, serve_on_free_port

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
ODATA = DATA / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz"
SEED = "2019Z15231"
SEED_TEXT = DATA / "texts" / "seed" / "kv-tk-2019Z15231.txt"
# Three cases still open (kg:afgedaan false), so that the open-questions query has rows
OPEN_CASES = ("2023Z15625", "2024Z03120", "2024Z04956")
BASE = "https://kamergraph.nl/"
VIRTUOSO_USER = VIRTUOSO_PASSWORD = "dba"

TIMINGS: dict[str, float] = {}
SERVERS: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}  # the servers started here: process, log


def missing(what: str) -> None:
    """Skip, or under CI fail, naming what is missing."""
    if in_ci():
        pytest.fail(f"remote-store tests need {what}, which is missing on this CI machine", pytrace=False)
    pytest.skip(f"{what} is not installed")


def wait_until_answering(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    probe = url + "?query=ASK%7B%7D"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server for {url} ended at start (exit {proc.returncode}):\n"
                        f"{log.read_text(errors='replace')[-3000:]}", pytrace=False)
        try:
            with urllib.request.urlopen(probe, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    stop(proc)
    pytest.fail(f"the server for {url} did not answer within {seconds:g} s:\n"
                f"{log.read_text(errors='replace')[-3000:]}", pytrace=False)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server this module started (its own process, nothing else)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.fixture(scope="package")
def oxigraph_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if exe is None:
        missing("the Oxigraph server (`oxigraph`, pip install oxigraph)")
    folder = tmp_path_factory.mktemp("oxigraph")
    log = folder / "server.log"

    def start(port: int) -> subprocess.Popen[bytes]:
        with log.open("wb") as out:
            # --timeout-s: the server's own limit, so that a query the client gave up on stops too
            return subprocess.Popen([exe, "serve", "--location", str(folder / "data"), "--bind", f"127.0.0.1:{port}",
                                     "--timeout-s", "20"], stdout=out, stderr=subprocess.STDOUT)

    proc, port = serve_on_free_port(start, 30, lambda _proc: log.read_text(errors="replace"))
    url = f"http://127.0.0.1:{port}/query"
    try:
        wait_until_answering(url, proc, log, 30)
        SERVERS["Oxigraph server"] = (proc, log)
        yield url
    finally:
        SERVERS.pop("Oxigraph server", None)
        stop(proc)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {db}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxQueryMem = 500M
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 20000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 60
"""


@dataclass
class Virtuoso:
    url: str
    sql_port: int
    isql: str | None
    folder: Path

    def isql_exec(self, statement: str) -> str:
        if self.isql is None:
            missing("isql-vt (Debian package virtuoso-opensource)")
        run = subprocess.run([self.isql, f"127.0.0.1:{self.sql_port}", VIRTUOSO_USER, VIRTUOSO_PASSWORD,
                              f"exec={statement}"], capture_output=True, text=True, timeout=60)
        if run.returncode != 0 or "Error" in run.stdout:
            pytest.fail(f"isql-vt {statement!r} failed: {run.stdout}{run.stderr}", pytrace=False)
        return run.stdout


@pytest.fixture(scope="package")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    exe = shutil.which("virtuoso-t") or ("/usr/bin/virtuoso-t" if Path("/usr/bin/virtuoso-t").exists() else None)
    if exe is None:
        missing("Virtuoso (`virtuoso-t`, Debian package virtuoso-opensource)")
    isql = shutil.which("isql-vt") or ("/usr/bin/isql-vt" if Path("/usr/bin/isql-vt").exists() else None)
    started: dict[str, object] = {}  # the last attempt's folder, SQL port and log

    def start(http_port: int) -> subprocess.Popen[bytes]:
        folder, sql_port = tmp_path_factory.mktemp("virtuoso"), free_port()  # a fresh database each attempt
        ini = folder / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(db=folder, sql_port=sql_port, http_port=http_port), encoding="utf-8")
        log = folder / "server.out"
        started.update(folder=folder, sql_port=sql_port, log=log)
        with log.open("wb") as out:
            return subprocess.Popen([exe, "-f", "-c", str(ini)], cwd=folder, stdout=out, stderr=subprocess.STDOUT)

    def output(_proc: subprocess.Popen[bytes]) -> str:
        folder = started["folder"]
        assert isinstance(folder, Path)
        return "".join((folder / name).read_text(errors="replace")
                       for name in ("server.out", "virtuoso.log") if (folder / name).exists())

    proc, http_port = serve_on_free_port(start, 90, output)
    folder, sql_port, log = started["folder"], started["sql_port"], started["log"]
    assert isinstance(folder, Path) and isinstance(sql_port, int) and isinstance(log, Path)
    url = f"http://127.0.0.1:{http_port}/sparql"
    try:
        wait_until_answering(url, proc, log, 90)
        SERVERS["Virtuoso"] = (proc, log)
        yield Virtuoso(url, sql_port, isql, folder)
    finally:
        SERVERS.pop("Virtuoso", None)
        stop(proc)


@pytest.fixture(scope="package")
def virtuoso_url(virtuoso: Virtuoso) -> str:
    return virtuoso.url


@pytest.fixture(autouse=True)
def servers_still_running() -> Iterator[None]:
    """A server that ended under a test (killed from outside, e.g. by a `pkill -x virtuoso-t` of
    another run's CI script, or crashed) fails the test saying so, rather than as a connection error."""
    yield
    for name, (proc, log) in SERVERS.items():
        if proc.poll() is not None:
            pytest.fail(f"the {name} started for these tests has ended (exit code {proc.returncode}; -15 and -9 "
                        f"are signals from outside):\n{log.read_text(errors='replace')[-1500:]}", pytrace=False)


# --------------------------------------------------------------------------- settings and stores


def remote_settings(**overrides):
    """Settings for a remote store (credentials for Virtuoso's …-auth endpoints; Oxigraph ignores them)."""
    from kamergraph.settings import Settings

    values = {"store_user": VIRTUOSO_USER, "store_password": VIRTUOSO_PASSWORD, "query_workers": 2,
              "query_timeout": 20.0, "store_timeout": 120.0}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="package")
def slice_odata(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 60 OData Zaken, the founding case and three open cases, as a JSON Lines file."""
    with gzip.open(ODATA, "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    extra = [next(ln for ln in lines if f'"{nummer}"' in ln) for nummer in (SEED, *OPEN_CASES)]
    # mtime 0: the same bytes each run, so the same key in the build cache (embedded_path)
    data = gzip.compress(("\n".join([*lines[:60], *extra]) + "\n").encode("utf-8"), mtime=0)
    # and the same path: the build writes where a name came from, file and line (kg:naamherkomst), so the
    # embedded store from the cache and a server's fresh build agree only if they read the same path
    path = cache_root() / f"remote-slice-{hashlib.sha256(data).hexdigest()[:16]}.jsonl.gz"
    if not path.exists() or path.read_bytes() != data:
        tmp = tmp_path_factory.mktemp("slice") / path.name
        tmp.write_bytes(data)
        shutil.move(tmp, path)  # whole or not at all, beside another worker writing the same bytes
    return path


def build_into(store, odata: Path):
    from kamergraph.build import build
    from ontology.namespaces import Iris

    report = build(store, DATA, Iris(BASE), odata_file=odata, texts=[SEED_TEXT])
    assert report.counts() == {"loaded": 65}, report.counts()
    return report


@pytest.fixture(scope="package")
def embedded_path(tmp_path_factory: pytest.TempPathFactory, slice_odata: Path) -> Path:
    """The slice built into an embedded store: taken from the build cache (tests.support.build_cache, keyed
    also by the slice and this file, which holds the recipe's build_into), a copy of its own."""
    from store.embedded import EmbeddedStore
    from tests.support.build_cache import cached_store, digest_of

    def recipe(dest: Path):
        store = EmbeddedStore(dest)
        try:
            return build_into(store, slice_odata)
        finally:
            store.close()

    path = tmp_path_factory.mktemp("embedded") / "store"
    t0 = time.perf_counter()
    cached_store(f"remote-slice-{digest_of(slice_odata, Path(__file__))}", recipe, path)
    TIMINGS["embedded store (cache)"] = time.perf_counter() - t0
    return path


@pytest.fixture
def embedded(embedded_path: Path):
    """The embedded store, open for one test only (the CLI tests open it themselves)."""
    from store.embedded import EmbeddedStore

    store = EmbeddedStore(embedded_path)
    yield store
    store.close()


def _built_remote(url: str, name: str, odata: Path):
    """The slice built into the server at ``url`` the way `kamergraph build --store URL` does. (A build over
    graphs that are there already, which replaces, adds and drops graphs through the same adopt step:
    test_remote_writes' rebuild test.)"""
    from store import open_store

    store = open_store(url, remote_settings())
    t0 = time.perf_counter()
    build_into(store, odata)
    TIMINGS[f"{name} (build)"] = time.perf_counter() - t0
    return store


@pytest.fixture(scope="package")
def oxigraph_kg(oxigraph_url: str, slice_odata: Path):
    store = _built_remote(oxigraph_url, "Oxigraph server", slice_odata)
    yield store
    store.close()


@pytest.fixture(scope="package")
def virtuoso_kg(virtuoso_url: str, slice_odata: Path):
    store = _built_remote(virtuoso_url, "Virtuoso", slice_odata)
    yield store
    store.close()


@pytest.fixture(scope="package", params=["oxigraph", "virtuoso"])
def remote(request: pytest.FixtureRequest):
    """Each server in turn, with the slice built into it: (name, RemoteStore)."""
    return request.param, request.getfixturevalue(f"{request.param}_kg")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    if TIMINGS:
        terminalreporter.write_sep("-", "build of the slice (65 records) per store")
        for name, seconds in TIMINGS.items():
            terminalreporter.write_line(f"{name:<32} {seconds:6.2f} s")
