"""Answers of queries already run, kept while the store does not change.

The public endpoint is read-only and the store changes only when a build, an ingest or a sync
writes to it; every such write bumps the store's generation (``store.generation``). An answer
is therefore valid until the generation changes: the server checks it (one ``stat``) before
looking an answer up, and drops every kept answer when it has moved.

The cache is bounded by bytes (the serialised answers), least recently used out first; an
answer larger than an eighth of the budget is never kept, so one huge result cannot push out
everything else. Failures (syntax errors, time-outs) are never kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from threading import Lock
from typing import Any

from store.pool import Answer, Job

__all__ = ["ResultCache", "job_key"]


def job_key(job: Job) -> Hashable:
    """Everything that decides a job's answer: text, format, bindings, limits and dataset."""
    bindings = tuple(sorted((k, str(v)) for k, v in job.bindings.items()))
    return (
        job.sparql,
        job.output,
        bindings,
        job.row_limit,
        tuple(job.default_graph) if job.default_graph is not None else None,
        tuple(job.named_graphs) if job.named_graphs is not None else None,
        job.union_default_graph,
        job.base_iri,
    )


def _size(answer: Answer) -> int:
    if answer.body is not None:
        return len(answer.body) + 200
    if answer.result is not None:  # rows: a rough estimate of the Python objects
        return 200 + 120 * max(1, len(answer.result.variables)) * (len(answer.result.rows) + len(answer.result.triples))
    return 200


class ResultCache:
    """An LRU map from jobs to answers, bounded by ``max_bytes`` (0 disables it)."""

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
        """Keep ``answer`` if it was computed on ``generation`` and fits the budget."""
        if not self.enabled:
            return
        size = _size(answer)
        if size > self.max_bytes // 8:
            return
        key = job_key(job)
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
