"""Answers of queries already run, kept while the store does not change.

The public endpoint is read-only and the store changes only when a build, an ingest or a sync
writes to it; every such write bumps the store's generation (``store.generation``). An answer
is therefore valid until the generation changes: the server checks it (one ``stat``) before
looking an answer up, and drops every kept answer when it has moved.

The cache is bounded by bytes — everything an entry holds counts: the key (the query text, the
bindings, the dataset lists, the base IRI) and the answer (its body or its rows, and the guard's
verdict with its normalised text); least recently used out first. An entry larger than an eighth
of the budget is never kept, so one huge query or result cannot push out everything else.
Failures (syntax errors, time-outs) are never kept.
"""

from __future__ import annotations

import dataclasses
import sys
from collections import OrderedDict
from collections.abc import Hashable
from threading import Lock
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from store.pool import Answer, Job

__all__ = ["ResultCache", "deep_size", "job_key"]

#: What an entry costs beyond its contents: the OrderedDict slot, the entry tuple, the key tuple.
ENTRY_OVERHEAD = 400
#: A pyoxigraph term: the Python object and its Rust allocation, besides the characters of its value.
TERM_OVERHEAD = 96


def _hashable(value: Any) -> Hashable:
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    return value


def _checker_key(checker: Any) -> Hashable:
    """A checker as a key: its function and its (hashable) arguments; what it is, not which object."""
    if checker is None:
        return None
    func = getattr(checker, "func", checker)
    args = _hashable(getattr(checker, "args", ()))
    keywords = _hashable(getattr(checker, "keywords", {}))
    return (getattr(func, "__module__", ""), getattr(func, "__qualname__", repr(func)), args, keywords)


def job_key(job: Job) -> Hashable:
    """Everything that decides a job's answer: text, format(s), bindings, limits, dataset, checker."""
    bindings = tuple(sorted((k, str(v)) for k, v in job.bindings.items()))
    return (
        job.sparql,
        _hashable(job.output),
        bindings,
        job.row_limit,
        tuple(job.default_graph) if job.default_graph is not None else None,
        tuple(job.named_graphs) if job.named_graphs is not None else None,
        job.union_default_graph,
        job.base_iri,
        _checker_key(getattr(job, "checker", None)),
        getattr(job, "check_only", False),
    )


def _term_size(t: Any) -> int:
    if isinstance(t, Triple):
        return TERM_OVERHEAD + _term_size(t.subject) + _term_size(t.predicate) + _term_size(t.object)
    if isinstance(t, Literal):
        return TERM_OVERHEAD + 4 * len(t.value) + len(t.language or "") + len(t.datatype.value)
    return TERM_OVERHEAD + 4 * len(t.value)  # NamedNode, BlankNode: up to 4 bytes a character


def deep_size(obj: Any, seen: set[int] | None = None) -> int:
    """The bytes ``obj`` holds, followed through containers, dataclasses and pyoxigraph terms
    (each object counted once). Exact for strings and bytes, which are what grows."""
    seen = set() if seen is None else seen
    if obj is None or isinstance(obj, (bool, int, float)):
        return 0  # small and mostly shared
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, (str, bytes, bytearray)):
        return sys.getsizeof(obj)
    if isinstance(obj, (NamedNode, BlankNode, Literal, Triple)):
        return _term_size(obj)
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        return size + sum(deep_size(k, seen) + deep_size(v, seen) for k, v in obj.items())
    if isinstance(obj, (list, tuple, set, frozenset)):
        return size + sum(deep_size(v, seen) for v in obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return size + sum(deep_size(getattr(obj, f.name, None), seen) for f in dataclasses.fields(obj))
    return size + sum(deep_size(v, seen) for v in getattr(obj, "__dict__", {}).values())


def entry_size(key: Hashable, answer: Answer) -> int:
    """The bytes one kept entry costs: its key and its answer (shared objects counted once)."""
    seen: set[int] = set()
    return ENTRY_OVERHEAD + deep_size(key, seen) + deep_size(answer, seen)


class ResultCache:
    """An LRU map from jobs to answers, bounded by ``max_bytes`` of keys and answers (0 disables it)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, max_bytes)
        self._items: OrderedDict[Hashable, tuple[Answer, int]] = OrderedDict()
        self._bytes = 0
        self._generation: Any = None
        self._lock = Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def bytes(self) -> int:
        """The bytes the kept entries hold, keys and answers together (never above ``max_bytes``)."""
        return self._bytes

    def sync(self, generation: Any) -> bool:
        """Note the store's current generation; drop everything if it moved. True if it moved."""
        with self._lock:
            if generation == self._generation:
                return False
            self._generation = generation
            self._items.clear()
            self._bytes = 0
            return True

    def get(self, job: Job) -> Answer | None:
        if not self.enabled:
            return None
        key = job_key(job)
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return hit[0]

    def put(self, job: Job, answer: Answer, generation: Any) -> None:
        """Keep ``answer`` if it was computed on ``generation`` and the entry fits the budget."""
        if not self.enabled:
            return
        if len(job.sparql) > self.max_bytes // 8:  # too large whatever the answer: not even measured
            return
        key = job_key(job)
        size = entry_size(key, answer)
        if size > self.max_bytes // 8:
            return
        with self._lock:
            if generation != self._generation:  # the store moved while the query ran
                return
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (answer, size)
            self._bytes += size
            while self._bytes > self.max_bytes and self._items:
                _, (_, s) = self._items.popitem(last=False)
                self._bytes -= s

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
