"""What a list of Kamervragen is filtered on (:class:`Selection`): the facet values (several values of one kind
combine with OR, the kinds with AND), a search text (matched in the subjects, the texts and the names of who
asked and who was addressed) and a date range. :mod:`server.search.sets` computes the Kamervragen it selects."""

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

    @property
    def text_only(self) -> bool:
        """Whether the selection is a search text and nothing else."""
        return self.query is not None and not self.filters and self.van is None and self.tot is None

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
