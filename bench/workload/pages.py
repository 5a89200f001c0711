"""The queries behind an HTML page, recorded while the real application renders it.

The application is built on the store (``server.app.create_app``) and asked for the page through a
FastAPI TestClient, as a browser would ask for it (``Accept: text/html``). Every page query goes
through ``server.endpoint.run_rows``; for the time of the recording each module that imported it
calls a wrapper instead, which notes the job's text with its bindings written in
(``store.sparqltext.bind``, the way the remote store sends them) and the page function that sent it
(``describe.backlinks``, ``people.herkomst``…): the label. Nothing else of the application changes,
and the store is only read. The overview of the pages (``server.overview``) is built by the
application in a process of its own and is not recorded here: the workload's ``overview.rq`` has
those queries.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.workload.workload import WorkloadError

_HELPERS = {"_rows", "run_rows", "recording"}  # frames that only pass a page's query on


def _label(frame: Any) -> str:
    """``module.function`` of the nearest frame that is not a helper passing the query on."""
    while frame is not None and frame.f_code.co_name in _HELPERS:
        frame = frame.f_back
    if frame is None:
        return "unknown"
    module = frame.f_globals.get("__name__", "?").rsplit(".", 1)[-1]
    return f"{module}.{frame.f_code.co_name}"


def _written(job: Any) -> str:
    """The job's text with its bindings written in; where the bindings cannot be written into the text
    (a variable the SELECT does not project), each is put first in the WHERE clause as a VALUES row,
    which is how the store evaluates it."""
    from store.base import QueryError
    from store.sparqltext import bind, term_sparql

    try:
        return bind(job.sparql, job.bindings)
    except QueryError:
        text = job.sparql
        rows = " ".join(f"VALUES ?{name} {{ {term_sparql(term)} }}" for name, term in sorted(job.bindings.items()))
        where = text.upper().find("WHERE")
        brace = text.find("{", where if where >= 0 else 0)
        return text[:brace + 1] + " " + rows + text[brace + 1:]


@contextmanager
def recording() -> Iterator[list[tuple[str, str]]]:
    """While the block runs, every page query sent through ``run_rows`` is noted as (label, text)."""
    import server.endpoint as endpoint_module

    original = endpoint_module.run_rows
    noted: list[tuple[str, str]] = []

    async def run_rows(endpoint: Any, job: Any) -> Any:
        noted.append((_label(sys._getframe(1)), _written(job)))
        return await original(endpoint, job)

    patched = [m for m in list(sys.modules.values()) if getattr(m, "run_rows", None) is original]
    for module in patched:
        module.run_rows = run_rows  # type: ignore[attr-defined]
    try:
        yield noted
    finally:
        for module in patched:
            module.run_rows = original  # type: ignore[attr-defined]


class PageQueries:
    """The application on the store at ``store``; :meth:`__call__` renders a page and gives its queries
    by label (a label that comes again gets ``#2``, ``#3``…). Use it as a context manager."""

    def __init__(self, store: Path, **settings: Any) -> None:
        self.store = store
        self.settings = settings
        self._client: Any = None

    def __enter__(self) -> PageQueries:
        from fastapi.testclient import TestClient

        import server.pages  # noqa: F401 - the page modules, imported before run_rows is wrapped
        import server.pages.eu_links  # noqa: F401
        import server.pages.names  # noqa: F401
        import server.pages.people  # noqa: F401
        import server.query_picks  # noqa: F401
        from kamergraph.settings import Settings
        from server.app import create_app

        values = {"store": str(self.store), "query_workers": 2, "query_timeout": 120.0, "result_cache_mb": 0}
        values.update(self.settings)
        self._client = TestClient(create_app(Settings(**values), self.store), raise_server_exceptions=True)
        self._client.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.__exit__(*exc)

    def __call__(self, path: str) -> dict[str, str]:
        """The queries the page at ``path`` sends to the store (rendered twice: the first request also
        waits for the overview; the second is the one recorded). A page that fails (a query past the time
        limit: 504) is said on standard error; its queries are recorded all the same."""
        first = self._client.get(path, headers={"Accept": "text/html"})
        with recording() as noted:
            again = self._client.get(path, headers={"Accept": "text/html"})
        for label, answer in (("first", first), ("recorded", again)):
            if answer.status_code != 200:
                print(f"page {path}: the {label} request was answered {answer.status_code}", file=sys.stderr)
        if not noted:
            raise WorkloadError(f"page {path}: no query recorded (answered {again.status_code}: {again.text[:200]})")
        out: dict[str, str] = {}
        for label, text in noted:
            key, n = label, 1
            while key in out:
                n += 1
                key = f"{label}#{n}"
            out[key] = text
        return out
