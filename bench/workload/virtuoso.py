"""Virtuoso 7 (Debian package virtuoso-opensource) for the workload: started with the remote-store
tests' configuration (``tests.remote.conftest.VIRTUOSO_INI``: its own database folder, loopback
ports) with three changes for a benchmark: a buffer pool sized for the data (``NumberOfBuffers``),
no row cap below the workload's answers (``ResultSetMaxRows``) and the per-query limit of the run
(``MaxQueryExecutionTime``); loaded with the N-Quads dump by Virtuoso's bulk loader (``ld_dir`` and
``rdf_loader_run`` through ``isql-vt``), which reads gzip itself and keeps each quad's graph.

The server is started here and stopped here, by its own process; the Debian package's service is
never used.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.common import free_port, wait_until

USER = PASSWORD = "dba"  # a fresh database's


@dataclass
class Virtuoso:
    url: str
    sql_port: int
    folder: Path
    proc: subprocess.Popen[bytes]
    isql: str

    def isql_exec(self, statement: str, timeout: float = 3600) -> str:
        """Run ``statement`` in isql-vt; a failure ends the run with Virtuoso's message."""
        run = subprocess.run([self.isql, f"127.0.0.1:{self.sql_port}", USER, PASSWORD, f"exec={statement}"],
                             capture_output=True, text=True, timeout=timeout)
        if run.returncode != 0 or "*** Error" in run.stdout or "*** Error" in run.stderr:
            raise SystemExit(f"isql-vt {statement!r} failed: {run.stdout}{run.stderr}")
        return run.stdout


def ini_text(folder: Path, sql_port: int, http_port: int, buffers: int, limit_s: float) -> str:
    """The remote-store tests' ini with this run's buffers, row cap and time limit."""
    from tests.remote.conftest import VIRTUOSO_INI

    text = VIRTUOSO_INI.format(db=folder, sql_port=sql_port, http_port=http_port)
    changes = {"NumberOfBuffers": str(buffers), "MaxDirtyBuffers": str(buffers * 3 // 4),
               "ResultSetMaxRows": "10000000", "MaxQueryExecutionTime": str(max(1, round(limit_s))),
               "MaxQueryMem": "2G"}
    for key, value in changes.items():
        text, n = re.subn(rf"^{key}\s*=.*$", f"{key} = {value}", text, flags=re.MULTILINE)
        if n != 1:
            raise SystemExit(f"the Virtuoso ini of tests/remote/conftest.py has no single {key} line")
    return text


@contextmanager
def running(folder: Path, buffers: int = 170_000, limit_s: float = 60) -> Iterator[Virtuoso]:
    """A Virtuoso with a fresh database in ``folder`` (emptied first), until the block ends."""
    exe = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt")
    if exe is None or isql is None:
        raise SystemExit("Virtuoso is not installed (virtuoso-t and isql-vt: Debian package virtuoso-opensource)")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(ini_text(folder, sql_port, http_port, buffers, limit_s), encoding="utf-8")
    with (folder / "server.out").open("wb") as out:
        proc = subprocess.Popen([exe, "-f", "-c", str(ini)], cwd=folder, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http_port}/sparql"
    try:
        wait_until(lambda: httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200,
                   proc, "virtuoso-t", 180)
        yield Virtuoso(url, sql_port, folder, proc, isql)
    finally:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def load(v: Virtuoso, dump: Path) -> tuple[float, int]:
    """Bulk-load the N-Quads file ``dump`` (.nq or .nq.gz; linked into the database folder, where the
    loader may read); (seconds, quads in the store afterwards, Virtuoso's own graphs left out)."""
    target = v.folder / dump.name
    try:
        os.link(dump, target)
    except OSError:
        shutil.copyfile(dump, target)
    t0 = time.perf_counter()
    v.isql_exec(f"ld_dir('{v.folder}', '{dump.name}', 'urn:x-kamergraph:default')")
    v.isql_exec("rdf_loader_run()")
    v.isql_exec("checkpoint")
    seconds = time.perf_counter() - t0
    errors = v.isql_exec("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL")
    if dump.name in errors:
        raise SystemExit(f"Virtuoso's loader failed on {dump}: {errors}")
    counted = v.isql_exec("SELECT COUNT(*) FROM DB.DBA.RDF_QUAD WHERE id_to_iri(G) LIKE 'https://kamergraph.nl/%'")
    numbers = [int(line.strip()) for line in counted.splitlines() if line.strip().isdigit()]
    if not numbers:
        raise SystemExit(f"Virtuoso's count of the loaded quads is unreadable: {counted}")
    n = numbers[-1]
    return seconds, n
