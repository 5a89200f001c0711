"""Keeping the index fresh: whether an index is current (its version, base, stemmer and store
generation), building it when it is not (:func:`ensure_index`), and the index a running server
uses, rebuilt in the background (:class:`SearchService`)."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from server.search.build import build_index
from server.search.errors import IndexMissing
from server.search.extract import QueryStore, store_location
from server.search.index import SearchIndex
from server.search.schema import INDEX_VERSION
from server.search.text import stemmer_id
from store import generation as store_generation
from store.base import QueryResult, StoreError, Term

log = logging.getLogger("kamergraph.server.search")


def read_meta(path: str | os.PathLike[str]) -> dict[str, str] | None:
    """The meta table of the index at ``path``, or None when there is none (or it is unreadable)."""
    p = Path(path)
    if not p.is_file():
        return None
    try:
        con = sqlite3.connect(p.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            return dict(con.execute("SELECT key, value FROM meta").fetchall())
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return None


def is_stale(meta: Mapping[str, str] | None, base: str, gen: Any, location: str | None = None) -> str | None:
    """Why the index described by ``meta`` must be rebuilt (None: it is current). ``location``:
    the store it must have been built from (checked for remote stores, which have no generation)."""
    if meta is None:
        return "there is no index"
    if location is not None and meta.get("location") != location:
        return f"it was built from {meta.get('location')}"
    if meta.get("version") != INDEX_VERSION:
        return f"index version {meta.get('version')} is not {INDEX_VERSION}"
    if meta.get("base") != base:
        return f"it was built for base {meta.get('base')}"
    if meta.get("stemmer") != stemmer_id():
        return f"it was built with {meta.get('stemmer')}, not {stemmer_id()}"
    recorded = json.loads(meta.get("generation", "null"))
    if gen is not None and (recorded is None or tuple(recorded) != tuple(gen)):
        return "the store has changed since"
    return None


class _ReadOnlyOxigraph:
    """The embedded store at ``path`` opened read-only, with :meth:`store.base.Store.query`."""

    def __init__(self, path: Path) -> None:
        from pyoxigraph import Store as OxStore

        self.path = path
        try:
            self._ox = OxStore.read_only(str(path))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path} read-only: {exc}") from None

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None, *, timeout: float | None = None,
              row_limit: int | None = None, union_default_graph: bool = True) -> QueryResult:
        from store.pool import Job, execute

        answer = execute(self._ox, Job(sparql, output="rows", bindings=dict(bindings or {}), row_limit=row_limit,
                                       union_default_graph=union_default_graph))
        assert answer.result is not None
        return answer.result

    def close(self) -> None:
        del self._ox


def ensure_index(path: str | os.PathLike[str], base: str, *, store_path: str | os.PathLike[str] | None = None,
                 store: QueryStore | None = None, force: bool = False) -> SearchIndex:
    """The index at ``path``, rebuilt first when it is missing, stale or of another version.

    Give ``store_path`` for an embedded store (its generation decides staleness; it is opened
    read-only just for the build) or ``store`` for any other (e.g. remote) store, whose index is
    built when missing and otherwise kept (a remote store has no generation to compare).
    """
    if (store_path is None) == (store is None):
        raise ValueError("ensure_index needs store_path (embedded) or store (any other)")
    gen = store_generation.current(store_path) if store_path is not None else None
    location = None if store is None else store_location(store)
    reason = "a rebuild was asked for" if force else is_stale(read_meta(path), base, gen, location)
    if reason is None:
        try:
            return SearchIndex(path)
        except IndexMissing as exc:
            reason = str(exc)
    log.info("building the search index %s: %s", path, reason)
    if store_path is not None:
        ro = _ReadOnlyOxigraph(Path(store_path))
        try:
            build_index(ro, path, base, generation=gen, location=str(store_path))
        finally:
            ro.close()
    else:
        assert store is not None
        build_index(store, path, base, generation=None, location=location)
    return SearchIndex(path)


class SearchService:
    """The index a running server uses: built or rebuilt in a background thread when missing or
    stale (checked at most every ``check_every`` seconds, one ``stat``); while a rebuild runs the
    previous index keeps answering."""

    def __init__(self, path: str | os.PathLike[str], base: str, *, store_path: str | os.PathLike[str] | None = None,
                 store: QueryStore | None = None, check_every: float = 2.0) -> None:
        self.path = Path(path)
        self.base = base
        self.store_path = Path(store_path) if store_path is not None else None
        self.store = store
        self.check_every = check_every
        self._index: SearchIndex | None = None
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._building: threading.Thread | None = None
        self._checked = 0.0
        self.error: str | None = None

    def _build(self) -> None:
        try:
            index = ensure_index(self.path, self.base, store_path=self.store_path, store=self.store)
            with self._lock:
                self._index = index
                self.error = None
        except Exception as exc:  # noqa: BLE001 - reported on the pages, logged here
            log.exception("the search index could not be built")
            with self._lock:
                self.error = str(exc) or type(exc).__name__
        finally:
            with self._lock:
                self._building = None
            self._ready.set()

    def start(self) -> None:
        """Make sure the index is there and current (a build starts in a thread when it is not)."""
        with self._lock:
            if self._building is not None:
                return
            self._ready.clear()
            self._building = threading.Thread(target=self._build, name="search-index", daemon=True)
            self._building.start()

    def _fresh(self, index: SearchIndex) -> bool:
        if self.store_path is None:
            return True
        return is_stale({"version": INDEX_VERSION, "base": index.base, "stemmer": stemmer_id(),
                         "generation": json.dumps(list(index.generation) if index.generation else None)},
                        self.base, store_generation.current(self.store_path)) is None

    def get(self, wait: float = 120.0) -> SearchIndex:
        """The current index; waits up to ``wait`` s for a first build. Raises :class:`IndexMissing`."""
        now = time.monotonic()
        index = self._index
        if index is not None:
            if now - self._checked > self.check_every:
                self._checked = now
                if not self._fresh(index):
                    self.start()  # rebuild in the background; the old index answers meanwhile
            return index
        self.start()
        self._ready.wait(wait)
        index = self._index
        if index is None:
            raise IndexMissing(self.error or "the search index is still being built")
        self._checked = time.monotonic()
        return index

    def join(self, timeout: float | None = None) -> None:
        t = self._building
        if t is not None:
            t.join(timeout)
