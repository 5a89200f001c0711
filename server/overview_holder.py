"""The current overview of an endpoint's store (:mod:`server.overview`), built in the background and
rebuilt when the store's generation changes: for the embedded store in a process of its own that opens
the store read-only, for a remote store through the endpoint (every ``REMOTE_TTL`` seconds)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from server.overview import Overview, Row, build, build_from_store, rows_of
from store import generation as store_generation
from store.base import QueryTimeout
from store.pool import Job, PoolBusy

if TYPE_CHECKING:
    from server.endpoint import Endpoint

log = logging.getLogger("kamergraph.server.overview")

REMOTE_TTL = 600.0


class OverviewHolder:
    """The current overview of an endpoint's store, rebuilt when the store's generation changes.

    :meth:`get` blocks until an overview is there (call it from a thread); a first call starts the
    build. A store that moves while an overview exists gets a new one built in the background, and
    the old one is served until it is ready.
    """

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._overview: Overview | None = None
        self._generation: Any = None
        self._built_at = 0.0
        self._lock = threading.Lock()
        self._building: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def _current_generation(self) -> Any:
        path = getattr(self.endpoint, "store_path", None)
        if path is not None:
            return store_generation.current(path)
        return int(time.monotonic() // REMOTE_TTL)  # a remote store: refreshed every REMOTE_TTL seconds

    def _run(self, sparql: str) -> Sequence[Row]:
        """One query through the endpoint, as SPARQL JSON (cheaper to hand over than pickled terms);
        a query stopped at the time limit or refused by a busy pool is tried again (three times)."""
        for attempt in range(3):
            try:
                answer = self.endpoint.run(Job(sparql, output="json", row_limit=None))
                return rows_of(answer.body or b"{}")
            except (QueryTimeout, PoolBusy):
                if attempt == 2:
                    raise
                time.sleep(2.0 * (attempt + 1))
        raise AssertionError("unreachable")

    def _build(self, gen: Any) -> None:
        try:
            path = getattr(self.endpoint, "store_path", None)
            if path is not None:  # an embedded store: read it in a process of its own
                from server.isolated import run_isolated

                ov = run_isolated(build_from_store, str(path), owner=self.endpoint)
            else:  # a remote store: through the endpoint, like every other query
                ov = build(self._run, workers=2)
            log.info("overview of the store built in %.1f s: %d Kamervragen", ov.built_seconds, len(ov.cases))
            with self._lock:
                self._overview, self._generation, self._error = ov, gen, None
        except BaseException as exc:  # noqa: BLE001 - kept and raised to the waiting requests
            log.warning("the overview of the store could not be built: %s", exc)
            with self._lock:
                self._error = exc
        finally:
            with self._lock:
                self._building = None
            self._ready.set()

    def start(self) -> None:
        """Start building in the background if nothing is there or being built for this generation."""
        gen = self._current_generation()
        with self._lock:
            if self._building is not None or (self._overview is not None and self._generation == gen):
                return
            if self._overview is None:
                self._ready.clear()
            self._building = threading.Thread(target=self._build, args=(gen,), daemon=True,
                                              name="kamergraph-overview-build")
            self._building.start()

    def get(self, timeout: float | None = 120.0) -> Overview:
        self.start()
        with self._lock:
            ov = self._overview
        if ov is not None:
            return ov
        if not self._ready.wait(timeout):
            raise TimeoutError("the overview of the store is still being built")
        with self._lock:
            if self._overview is None:
                raise RuntimeError(f"the overview of the store could not be built: {self._error}")
            return self._overview

    def peek(self) -> Overview | None:
        """The overview if one is there, without waiting."""
        with self._lock:
            return self._overview
