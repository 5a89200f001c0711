"""The three systems the workload runs on, each behind one call ``run(text) -> Outcome``:

- :class:`Embedded`: ``store.embedded.EmbeddedStore.query`` in process (pyoxigraph), in a child
  process of its own that keeps the store open (so its caches stay warm from run to run) and that is
  stopped at the run's time limit (pyoxigraph cannot stop a query itself) and started again. The time
  is taken in the child, around the query and the reading of its answer into Python.
- :class:`Http`: a SPARQL endpoint over loopback HTTP (``kamergraph serve``'s ``/sparql``, Virtuoso's
  ``/sparql``): one POST of the query (form-encoded), the time until the whole answer is read; the
  answer is counted after the clock stops. ``distinct`` puts a numbered comment first in every text,
  so that no cache of the query text helps.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import time
from dataclasses import dataclass
from typing import Any

import httpx

SELECT_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, */*;q=0.1"


@dataclass
class Outcome:
    """One run: seconds, rows (triples for CONSTRUCT/DESCRIBE) and, when it did not finish, why:
    "over the cap" (our limit), "time limit" (the server's 504 or its partial answer), or an error."""

    seconds: float
    rows: int | None = None
    failed: str | None = None


def _child(conn: Any, path: str) -> None:
    """The embedded store's child: opens the store read-only, then answers texts with (seconds, rows, error)."""
    from store.base import QueryError
    from store.embedded import EmbeddedStore

    store = EmbeddedStore(path, read_only=True)
    while True:
        text = conn.recv()
        if text is None:
            return
        t0 = time.perf_counter()
        try:
            res = store.query(text)
        except QueryError as exc:
            conn.send((time.perf_counter() - t0, None, str(exc)[:300]))
            continue
        seconds = time.perf_counter() - t0
        rows = len(res.rows) if res.kind == "select" else len(res.triples) if res.kind == "graph" else 1
        conn.send((seconds, rows, None))


class Embedded:
    """pyoxigraph in process (a child process of its own), stopped at ``cap`` seconds a run."""

    def __init__(self, path: str, cap: float) -> None:
        self.path, self.cap = path, cap
        self._ctx = mp.get_context("spawn")
        self._proc: Any = None
        self._conn: Any = None

    def _start(self) -> None:
        parent, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(target=_child, args=(child, self.path), daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent

    def run(self, text: str, _i: int = 0) -> Outcome:
        if self._proc is None:
            self._start()
        t0 = time.perf_counter()
        self._conn.send(text)
        if not self._conn.poll(self.cap):
            self.close()  # the query goes on in the child otherwise: stopped, started again on the next run
            return Outcome(time.perf_counter() - t0, None, "over the cap")
        seconds, rows, error = self._conn.recv()
        return Outcome(seconds, rows, error)

    def close(self) -> None:
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.kill()
            self._proc.join(10)
            self._conn.close()
        self._proc = self._conn = None


def _count(response: httpx.Response, form: str) -> int:
    """Rows of a SPARQL JSON answer, or triples of an RDF answer (parsed by its media type)."""
    if form in ("select", "ask"):
        data = json.loads(response.content)
        return len(data["results"]["bindings"]) if "results" in data else 1
    from pyoxigraph import RdfFormat, parse

    media = response.headers.get("content-type", "").split(";")[0].strip()
    fmt = RdfFormat.from_media_type(media)
    if fmt is None:
        raise ValueError(f"an answer in {media!r}, which is not an RDF format")
    return sum(1 for _ in parse(response.content, format=fmt))


class Http:
    """A SPARQL endpoint at ``url``: POST, the whole answer read; ``timeout`` as the client's cap."""

    def __init__(self, url: str, cap: float, distinct: bool, label: str) -> None:
        self.url, self.cap, self.distinct, self.label = url, cap, distinct, label
        self.client = httpx.Client(timeout=cap)

    def run(self, text: str, i: int = 0) -> Outcome:
        from store.sparqltext import query_form

        form = query_form(text)
        body = f"# workload request {i} {time.monotonic_ns()}\n{text}" if self.distinct else text
        accept = GRAPH_ACCEPT if form in ("construct", "describe") else SELECT_ACCEPT
        t0 = time.perf_counter()
        try:
            response = self.client.post(self.url, data={"query": body}, headers={"Accept": accept})
            response.read()
        except httpx.TimeoutException:
            return Outcome(time.perf_counter() - t0, None, "over the cap")
        seconds = time.perf_counter() - t0
        if response.status_code == 504 or response.headers.get("x-sql-state"):  # Virtuoso's partial answer
            return Outcome(seconds, None, "time limit")
        if response.status_code != 200:
            return Outcome(seconds, None, f"HTTP {response.status_code}: {response.text[:200]}")
        try:
            return Outcome(seconds, _count(response, form))
        except (ValueError, KeyError, SyntaxError) as exc:
            return Outcome(seconds, None, f"unreadable answer: {exc}"[:200])

    def close(self) -> None:
        self.client.close()
