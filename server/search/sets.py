"""The index's facet pairs and dates held in memory (read once per index file), so that a list's selection
is a set of Kamervraag ids computed with set operations: the ids having one of a kind's values (OR), those
of every kind and of the search text together (AND), and the date range as a range of ids (the ids are
numbered newest first, so the Kamervragen of a date range have consecutive ids). Counting per facet value
and per month over a selection is then a walk over its ids."""

from __future__ import annotations

import heapq
import sqlite3
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Collection, Iterable
from itertools import chain

from server.search.select import Selection


class Pairs:
    """Per Kamervraag id its facet value ids and its date; per value id its Kamervragen."""

    def __init__(self, con: sqlite3.Connection, size: int) -> None:
        self.size = size
        values: list[list[int]] = [[] for _ in range(size + 1)]
        self.value_kvs: dict[int, list[int]] = {}
        for value, kv in con.execute("SELECT value, kv FROM facet"):
            values[kv].append(value)
            self.value_kvs.setdefault(value, []).append(kv)
        self.kv_values: list[tuple[int, ...]] = [tuple(v) for v in values]
        self.dates: list[str | None] = [None] * (size + 1)
        for kv, date in con.execute("SELECT id, date FROM kv"):
            self.dates[kv] = date
        self.month_of: list[str | None] = [d[:7] if d else None for d in self.dates]
        dated = [d for d in self.dates[1:] if d]  # newest first, then the undated (the last ids)
        self.dated = len(dated)
        self._ascending = dated[::-1]
        self._sets: dict[int, frozenset[int]] = {}
        self._every: frozenset[int] | None = None
        self._all_months: list[tuple[str, int]] | None = None
        self._totals: Counter[int] = Counter(chain.from_iterable(self.kv_values))
        self.all_months()

    def kvs_of(self, value: int) -> frozenset[int]:
        """The ids of the Kamervragen that have this value (as a set, made on first use)."""
        kvs = self._sets.get(value)
        if kvs is None:
            kvs = self._sets[value] = frozenset(self.value_kvs.get(value, ()))
        return kvs

    def id_range(self, van: str | None, tot: str | None) -> range:
        """The ids of the Kamervragen dated from ``van`` to ``tot`` (both included; either may be None)."""
        hi = self.dated - bisect_left(self._ascending, van) if van else self.dated
        lo = self.dated - bisect_right(self._ascending, tot + "~") + 1 if tot else 1
        return range(lo, hi + 1)

    def ids(self, sel: Selection, text: Collection[int] | None, skip: str | None = None) -> set[int] | None:
        """The ids of the selection (``text``: the ids the search text matched, when it has one), without
        its filters of kind ``skip``; None for every Kamervraag. Not to be changed: it may be the very set of
        ``text`` or of a value's Kamervragen."""
        parts: list[Collection[int]] = []
        for kind, vids in sel.groups().items():
            if kind != skip:
                parts.append(set().union(*(self.kvs_of(v) for v in vids)) if len(vids) > 1 else self.kvs_of(vids[0]))
        if text is not None:
            parts.append(text)
        dates = self.id_range(sel.van, sel.tot) if sel.van or sel.tot else None
        if not parts:
            return set(dates) if dates is not None else None
        if len(parts) == 1 and dates is None and isinstance(parts[0], (set, frozenset)):
            return parts[0]  # type: ignore[return-value]  # not copied (a common word's matches: most of all ids)
        parts.sort(key=len)
        out = set(parts[0])
        for p in parts[1:]:
            out &= p if isinstance(p, (set, frozenset)) else set(p)
            if not out:
                break
        if dates is not None:
            out = {i for i in out if dates.start <= i < dates.stop}
        return out

    def counts(self, ids: Collection[int], only: Collection[int] | None = None) -> Counter[int]:
        """Per value id, how many of these Kamervragen have it (``only``: counting just these values). Over
        more than half of all Kamervragen: the totals less the counts over the rest (fewer to walk)."""
        if len(ids) * 2 > self.size:
            rest = self.counts(self._rest(ids), only)
            totals = Counter(self._totals if only is None else {v: n for v, n in self._totals.items() if v in only})
            totals.subtract(rest)
            return +totals
        values = chain.from_iterable(map(self.kv_values.__getitem__, ids))
        return Counter(values if only is None else filter(only.__contains__, values))

    def _rest(self, ids: Collection[int]) -> frozenset[int]:
        if self._every is None:
            self._every = frozenset(range(1, self.size + 1))
        return self._every.difference(ids)

    def months(self, ids: Collection[int]) -> list[tuple[str, int]]:
        """How many of these Kamervragen there are per month (``"YYYY-MM"``), the undated left out."""
        if len(ids) * 2 > self.size and self._all_months is not None:
            counts = Counter(dict(self._all_months))
            counts.subtract(Counter(map(self.month_of.__getitem__, self._rest(ids))))
            counts.pop(None, None)  # type: ignore[call-overload]
            return sorted((+counts).items())
        counts = Counter(map(self.month_of.__getitem__, ids))
        counts.pop(None, None)
        return sorted(counts.items())  # type: ignore[arg-type]

    def all_months(self) -> list[tuple[str, int]]:
        """How many Kamervragen there are per month, over all (counted once)."""
        if self._all_months is None:
            counts = Counter(map(self.month_of.__getitem__, range(1, self.size + 1)))
            counts.pop(None, None)
            self._all_months = sorted(counts.items())  # type: ignore[arg-type]
        return self._all_months

    def ordered(self, ids: Iterable[int] | None, sort: str) -> list[int]:
        """These ids (None: all) newest first (``-datum``) or oldest first, the undated last (``datum``)."""
        if ids is None:
            ids = range(1, self.size + 1)
            if sort != "datum":
                return list(ids)
        if sort == "datum":
            return sorted(ids, key=lambda i: (i > self.dated, -i))
        return sorted(ids)

    def page(self, ids: Collection[int] | None, sort: str, offset: int, limit: int) -> list[int]:
        """``limit`` of these ids (None: all) from ``offset`` in the order :meth:`ordered` gives; the first pages
        of a long selection picked without sorting all of it."""
        if ids is None and sort != "datum":
            return list(range(1, self.size + 1)[offset:offset + limit])
        if ids is not None and (offset + limit) * 8 < len(ids):
            if sort == "datum":
                return heapq.nsmallest(offset + limit, ids, key=lambda i: (i > self.dated, -i))[offset:]
            return heapq.nsmallest(offset + limit, ids)[offset:]
        return self.ordered(ids, sort)[offset:offset + limit]
