"""Readers share the store, a read-only mount can be served, a full disk ends in a clear message.

Real processes on a real store (a slice of the bundled data), real tmpfs mounts (as root; under
CI (tests.support.ci) a mount that fails fails the test instead of skipping it).
"""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.ci import in_ci
from tests.support.ports import serve_on_free_port

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
ODATA = DATA / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz"
SEED = "2019Z15231"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def odata_slice(dest: Path, n: int = 30) -> Path:
    """The first ``n`` bundled Zaken and the founding case, as an OData file of their own."""
    with gzip.open(ODATA, "rt", encoding="utf-8") as fh:
        lines = [ln for i, ln in enumerate(fh) if i < n or f'"{SEED}"' in ln]
    dest.write_bytes(gzip.compress("".join(lines).encode("utf-8")))
    return dest


def env(tmp: Path, **extra: str) -> dict[str, str]:
    e = dict(os.environ)
    e.pop("KAMERGRAPH_CRASH_AT", None)
    e.update(KAMERGRAPH_DUMPS_DIR=str(tmp / "dumps"), KAMERGRAPH_REPORT=str(tmp / "report.json"),
             KAMERGRAPH_QUERY_WORKERS="1", PYTHONPATH=str(ROOT))
    e.update(extra)
    return e


def kamergraph(tmp: Path, *argv: str, **popen) -> subprocess.Popen:
    """``kamergraph ARGV`` in a process of its own (the repository as working directory)."""
    return subprocess.Popen([sys.executable, "-m", "kamergraph.cli", *argv], cwd=ROOT, env=env(tmp),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def finish(p: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out, err


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of a real slice (the first 60 Zaken and the founding case with its text, 36 MB): the server
    tests' store (tests.server.conftest.build_kg), built once per run and taken from the build cache
    (tests.support.build_cache); a copy of its own."""
    from tests.server.conftest import build_kg
    from tests.support.build_cache import cached_store

    path = tmp_path_factory.mktemp("ro") / "kgstore"
    cached_store("kg", build_kg, path)
    return path


@pytest.fixture()
def mount(tmp_path: Path) -> Iterator:
    """mount(size, path) -> a fresh tmpfs of that size; unmounted afterwards."""
    mounted: list[Path] = []

    def do(size: str, where: Path) -> Path:
        where.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            msg = f"cannot mount a tmpfs (needs root): {r.stderr.strip()}"
            if in_ci():
                pytest.fail(msg)
            pytest.skip(msg)
        mounted.append(where)
        return where

    yield do
    for m in reversed(mounted):
        subprocess.run(["umount", "-l", str(m)], capture_output=True)


def read_only(where: Path) -> None:
    r = subprocess.run(["mount", "-o", "remount,ro", str(where)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def open_files(pid: int) -> list[str]:
    """What the open file descriptors of process ``pid`` point at (empty once it is gone)."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return []
    targets = []
    for fd in fds:
        try:
            targets.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            continue
    return targets


def held_open(proc: subprocess.Popen, store: Path, seconds: float = 120) -> None:
    """Wait until ``proc`` has a file of ``store`` open, then stop it there (SIGSTOP): it holds the store
    open for as long as the test needs; SIGCONT lets it go on."""
    inside = str(store.resolve()) + os.sep
    deadline = time.monotonic() + seconds
    while not any(target.startswith(inside) for target in open_files(proc.pid)):
        assert proc.poll() is None, f"it ended before it was seen holding the store open: {proc.communicate()[1]}"
        assert time.monotonic() < deadline, f"it did not open the store within {seconds:g} s"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGSTOP)


def test_readers_share_the_store(small_store: Path, tmp_path: Path) -> None:
    """Two `stats` at once while a `validate` holds the store open: all succeed (none takes the write lock)."""
    validate = kamergraph(tmp_path, "validate", "--store", str(small_store))
    try:
        held_open(validate, small_store)
        a = kamergraph(tmp_path, "stats", "--store", str(small_store), "--format", "json")
        b = kamergraph(tmp_path, "stats", "--store", str(small_store), "--format", "json")
        ra, rb = finish(a), finish(b)
        assert validate.poll() is None, "validate ended while it was stopped"
    finally:
        os.kill(validate.pid, signal.SIGCONT)
    rv = finish(validate)
    assert ra[0] == 0 and rb[0] == 0, (ra[2], rb[2])
    assert ra[1] == rb[1] and '"quads"' in ra[1]
    assert rv[0] == 0, rv[2]


def test_serve_starts_while_validate_runs(small_store: Path, tmp_path: Path) -> None:
    """`serve` starts and answers while a `validate` holds the store open (stopped there), and the
    validate then finishes as usual."""
    validate = kamergraph(tmp_path, "validate", "--store", str(small_store))
    try:
        held_open(validate, small_store)
    except BaseException:
        os.kill(validate.pid, signal.SIGCONT)
        finish(validate)
        raise
    serve = None
    try:
        serve, port = serve_on_free_port(lambda port: kamergraph(
            tmp_path, "serve", "--store", str(small_store), "--port", str(port), "--log-level", "warning",
            start_new_session=True))
        answer = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and serve.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": COUNT},
                                   headers={"Accept": "application/sparql-results+json"}, timeout=10)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        assert serve.poll() is None, serve.communicate()[1][-2000:]
        assert answer is not None and answer.status_code == 200, answer and answer.text
        assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) > 1000
        assert validate.poll() is None, "validate ended while it was stopped"
    finally:
        if serve is not None:
            os.killpg(serve.pid, 15)
            serve.communicate(timeout=30)
        os.kill(validate.pid, signal.SIGCONT)
    code, out, err = finish(validate)
    assert code == 0, err


def test_a_store_on_a_read_only_mount_can_be_read_and_served(small_store: Path, tmp_path: Path, mount) -> None:
    ro = mount("200m", tmp_path / "ro")
    shutil.copytree(small_store, ro / "kgstore")
    read_only(ro)
    store = ro / "kgstore"
    for argv in (("stats",), ("query", COUNT, "--format", "csv"), ("validate",),
                 ("export", "--format", "nq", "-o", str(tmp_path / "out.nq"))):
        code, out, err = finish(kamergraph(tmp_path, *argv, "--store", str(store)))
        assert code == 0, f"{argv[0]}: {err}"
        assert "Traceback" not in err
    assert (tmp_path / "out.nq").stat().st_size > 0
    # writing there: one clear message each, no traceback
    for argv, says in ((("export", "-o", str(ro / "out.nq")), "Read-only file system"),
                       (("ingest", str(DATA / "texts" / "seed" / "kv-tk-2019Z15231.txt")), "Read-only file system")):
        code, out, err = finish(kamergraph(tmp_path, *argv, "--store", str(store)))
        assert code == 1 and says in err and "Traceback" not in err, f"{argv[0]}: {err}"
    # serving it: the app on the store and one request (its query workers open the store read-only)
    script = ("import sys\nfrom fastapi.testclient import TestClient\nfrom kamergraph.settings import Settings\n"
              "from server.app import create_app\n"
              "if __name__ == '__main__':\n"
              "    p = sys.argv[1]\n"
              "    with TestClient(create_app(Settings(store=p, query_workers=1), p)) as c:\n"
              f"        r = c.get('/sparql', params={{'query': {COUNT!r}}}, headers={{'Accept': 'text/csv'}})\n"
              "        k = c.get('/kamervragen', headers={'Accept': 'text/html'})\n"
              "        print(k.status_code, r.status_code, r.text.split()[-1])\n")
    (tmp_path / "serve_once.py").write_text(script, encoding="utf-8")
    r = subprocess.run([sys.executable, str(tmp_path / "serve_once.py"), str(store)], cwd=tmp_path, env=env(tmp_path),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    # the search list too: its index cannot live beside a read-only store, so it goes elsewhere
    listed, status, n = r.stdout.split()[-3:]
    assert status == "200" and int(n) > 1000, r.stdout
    assert listed == "200", r.stdout + r.stderr[-3000:]


def test_a_build_on_a_full_disk_ends_clearly_and_keeps_the_store(small_store: Path, tmp_path: Path, mount) -> None:
    """A store that fits on a tmpfs, a rebuild that does not: a clear message, the store as it was."""
    size = sum(f.stat().st_size for f in small_store.iterdir())
    disk = mount(f"{(size + (12 << 20)) >> 20}m", tmp_path / "disk")
    shutil.copytree(small_store, disk / "kgstore")
    before = finish(kamergraph(tmp_path, "stats", "--store", str(disk / "kgstore"), "--format", "json"))
    assert before[0] == 0, before[2]
    code, out, err = finish(kamergraph(tmp_path, "build", "--store", str(disk / "kgstore"), "--quiet",
                                       "--odata", str(odata_slice(tmp_path / "slice.jsonl.gz", 60)),
                                       "--report", str(tmp_path / "report.json")), timeout=300)
    assert code != 0
    assert "Traceback" not in err, err[-3000:]
    assert "No space left on device" in err and "nothing was loaded" in err, err
    leftovers = [p.name for p in disk.iterdir() if p.name not in ("kgstore", "kgstore.generation")]
    assert leftovers == [], "leftovers on the disk"
    after = finish(kamergraph(tmp_path, "stats", "--store", str(disk / "kgstore"), "--format", "json"))
    assert after[0] == 0 and after[1] == before[1], after[2]
    code, out, err = finish(kamergraph(tmp_path, "validate", "--store", str(disk / "kgstore")))
    assert code == 0, err


def test_a_first_build_on_a_too_small_disk_ends_clearly(tmp_path: Path, mount) -> None:
    disk = mount("8m", tmp_path / "disk")
    code, out, err = finish(kamergraph(tmp_path, "build", "--store", str(disk / "kgstore"), "--quiet",
                                       "--odata", str(odata_slice(tmp_path / "slice.jsonl.gz", 30)),
                                       "--report", str(tmp_path / "report.json")), timeout=300)
    assert code != 0
    assert "Traceback" not in err, err[-3000:]
    assert "No space left on device" in err, err
    assert not (disk / "kgstore.rebuild").exists()
