"""What a list of Kamervragen is filtered on (:class:`Selection`) and the SQL that picks them from the
index: the facet values (several values of one kind combine with OR, the kinds with AND), a search text
(matched in the subjects, the texts and the names of who asked and who was addressed) and a date range."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from server.search.cards import Filter
from server.search.query import SearchQuery

SORTS = ("-datum", "datum", "relevantie")


@dataclass(frozen=True)
class Selection:
    """The Kamervragen a list shows: those with, for every kind filtered on, one of its values; matching
    ``query`` (when given); dated from ``van`` to ``tot`` (ISO dates, both included; when given)."""

    filters: tuple[Filter, ...] = ()
    query: SearchQuery | None = None
    van: str | None = None
    tot: str | None = None

    @classmethod
    def of(cls, filters: Any = ()) -> Selection:
        """A selection as given, or one of the filters given (a sequence of :class:`Filter`)."""
        return filters if isinstance(filters, Selection) else cls(tuple(filters))

    @property
    def empty(self) -> bool:
        return not self.filters and self.query is None and self.van is None and self.tot is None

    def groups(self) -> dict[str, list[int]]:
        """The value ids filtered on, per kind (each once, in the order given)."""
        out: dict[str, list[int]] = {}
        for f in self.filters:
            ids = out.setdefault(f.kind, [])
            if f.value.id not in ids:
                ids.append(f.value.id)
        return out

    def without(self, kind: str) -> Selection:
        """The same selection without its filters of ``kind`` (for that kind's facet counts)."""
        return replace(self, filters=tuple(f for f in self.filters if f.kind != kind))

    def single(self) -> int | None:
        """The one value id of a selection that is one facet value and nothing else, else None."""
        groups = self.groups()
        if self.query is None and self.van is None and self.tot is None and len(groups) == 1:
            ids = next(iter(groups.values()))
            return ids[0] if len(ids) == 1 else None
        return None

    def where(self, with_query: bool = True) -> tuple[str, list[Any]]:
        """The selection as a condition on ``kv`` (a row of the table ``kv``): usable in a scan of ``kv``
        newest first that stops at a page's end. ``with_query=False``: without the search text (for a
        query that joins ``fts`` itself)."""
        conds: list[str] = []
        args: list[Any] = []
        for i, ids in enumerate(self.groups().values()):
            conds.append(f"EXISTS (SELECT 1 FROM facet c{i} WHERE c{i}.value IN ({','.join('?' * len(ids))}) "
                         f"AND c{i}.kv = kv.id)")
            args.extend(ids)
        if self.query is not None and with_query:
            conds.append("kv.id IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
            args.append(self.query.fts())
        if self.van is not None:
            conds.append("kv.date >= ?")
            args.append(self.van)
        if self.tot is not None:
            conds.append("kv.date <= ?")
            args.append(self.tot + "~")  # a date with a time after it is still on that day
        return (" AND ".join(conds) or "1"), args

    def ids(self, totals: dict[int, int]) -> tuple[str, list[Any]]:
        """SQL for the ids of the selected Kamervragen, led by the most selective part (the search text, or
        the facet kind with the fewest Kamervragen by ``totals``, the values' counts over all)."""
        groups = self.groups()
        if self.query is not None:
            lead, args = "SELECT rowid AS kv FROM fts WHERE fts MATCH ?", [self.query.fts()]
            rest = replace(self, query=None)
        elif groups:
            kind = min(groups, key=lambda k: sum(totals.get(v, 0) for v in groups[k]))
            ids = groups[kind]
            distinct = "DISTINCT " if len(ids) > 1 else ""  # a Kamervraag may have two of the values
            lead, args = f"SELECT {distinct}kv FROM facet WHERE value IN ({','.join('?' * len(ids))})", list(ids)
            rest = self.without(kind)
        else:
            lead, args, rest = "SELECT id AS kv FROM kv", [], self
        if rest.empty:
            return lead, args
        cond, cargs = rest.where()
        return f"SELECT kv.id AS kv FROM kv WHERE kv.id IN ({lead}) AND {cond}", [*args, *cargs]
