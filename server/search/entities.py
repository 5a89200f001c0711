"""Finding people and other entities by name: the facet values of the index (members, fracties, posts,
ministries, EU acts) whose names hold every word of a search text, as the start of one of their words
(``leijt`` finds Renske Leijten, ``buitenl zaken`` the minister of Buitenlandse Zaken). The suggestions
above a list and as-you-type in the search box; the filter box of a facet with many values."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from server.search.cards import Value
from server.search.text import STOPWORDS, WORD, normalise

#: The kinds of facet values that are entities with a page of their own, in the order suggestions show them.
ENTITY_KINDS = ("lid", "fractie", "post", "ministerie", "eu")
MAX_WORDS = 8


@lru_cache(maxsize=8192)
def name_words(v: Value) -> frozenset[str]:
    """The normalised words of a value's names (Dutch, English, short, and its other names: a member's name in
    the lists where the Kamer prints another)."""
    return frozenset(w for name in (v.label_nl, v.label_en, v.short, *v.alt) if name
                     for w in WORD.findall(normalise(name)))


def query_words(text: str) -> list[str]:
    """The normalised words of a search text, without Dutch function words unless nothing else is left."""
    found = WORD.findall(normalise(text or ""))[:MAX_WORDS]
    kept = [w for w in found if w not in STOPWORDS]
    return kept or found


def matches(words: list[str], names: frozenset[str]) -> bool:
    """Whether every word is the start of one of the names' words (a word of one letter: the whole word)."""
    return bool(words) and all(any(n == w or (len(w) > 1 and n.startswith(w)) for n in names) for w in words)


def narrow(values: Iterable[Value], text: str) -> list[Value]:
    """The values whose names match ``text`` (all of them for an empty text), in the order given."""
    words = query_words(text)
    if not words:
        return list(values)
    return [v for v in values if matches(words, name_words(v))]


def suggestible(v: Value) -> bool:
    """Whether a value can be suggested: an entity (of :data:`ENTITY_KINDS`) asked or addressed at least once,
    not a possible addressee."""
    return v.kind in ENTITY_KINDS and bool(v.total) and not v.key.endswith("~mogelijk")


class Names:
    """The suggestible values (:func:`suggestible`) by the words of their names, sorted: the values whose names
    hold a word as the start of one of their words are those of a run of words (found by bisection), not a walk
    over every value."""

    def __init__(self, values: Iterable[Value]) -> None:
        self.values = [v for v in values if suggestible(v)]
        holders: dict[str, list[int]] = defaultdict(list)
        for i, v in enumerate(self.values):
            for w in name_words(v):
                holders[w].append(i)
        self.words = sorted(holders)
        self.holders = [holders[w] for w in self.words]

    def named(self, words: list[str]) -> list[Value]:
        """The values whose names hold every word as the start of one of their words (a word of one letter: the
        whole word), as :func:`matches` says, in the order given."""
        found: set[int] | None = None
        for w in words:
            lo = bisect_left(self.words, w)
            hi = (lo + 1 if lo < len(self.words) and self.words[lo] == w else lo) if len(w) == 1 else \
                bisect_left(self.words, w + "\U0010ffff", lo)
            having = {i for run in self.holders[lo:hi] for i in run}
            found = having if found is None else found & having
            if not found:
                return []
        return [self.values[i] for i in sorted(found or ())]


def suggest(values: Iterable[Value] | Names, text: str, limit: int = 6) -> list[Value]:
    """The entities (of :data:`ENTITY_KINDS`, asked or addressed at least once) named by ``text``: a value
    named exactly so first, then by how many Kamervragen have it; at most ``limit``. ``values``: all values, or
    the suggestible ones by their names' words (:class:`Names`: faster)."""
    words = query_words(text)
    if not words or sum(len(w) for w in words) < 2:
        return []
    whole = " ".join(words)
    if isinstance(values, Names):
        found = values.named(words)
    else:
        found = [v for v in values if suggestible(v) and matches(words, name_words(v))]
    found.sort(key=lambda v: (all(normalise(n or "") != whole for n in (v.label_nl, v.short, *v.alt)),
                              -v.total, ENTITY_KINDS.index(v.kind), v.label_nl or ""))
    return found[:limit]
