"""Full-text search and the faceted list of Kamervragen, on an SQLite index built from the store.

The store is asked once, when the index is built (:func:`build_index`): a few SPARQL SELECTs
through the :class:`store.base.Store` interface (so a remote store works too) give, per
Kamervraag, its case number, subject, date, status, askers with their fractie on the day, the
addressed posts with their ministries and holders, the EU acts it cites (directly, or through a
citation in one of its published texts) and the texts of its questions and answers. They go into
one SQLite file:

- ``kv``: one row per Kamervraag, numbered newest first (so ``ORDER BY id`` is "newest first"),
  with what a question card shows (``card``, JSON);
- ``value``: every facet value (``kind`` fractie | lid | post | ministerie | jaar | status | eu, its
  ``key`` as the URL gives it, its IRI, labels, and its count over all Kamervragen: the
  whole-graph aggregate, computed here once);
- ``facet``: (value, kv) pairs, indexed both ways, for filtering and counting per request;
- ``text``: the original question and answer texts (for snippets);
- ``fts``: an FTS5 table over normalised (NFKD, no diacritics, lower case) and stemmed (Snowball,
  Dutch) words of the subject, the texts and the case number, ranked with bm25 (subject first);
- ``ranked``: per one-word search matching many Kamervragen, all its matches in rank order, its facet
  counts and its months, computed once (:mod:`~server.search.frequent`).

Per request only SQL runs (:class:`SearchIndex`). The index records the store generation it was
built from (:func:`store.generation.current`); :func:`ensure_index` rebuilds a missing or stale
one. Status: *beantwoord* when the Tweede Kamer's record says the case is dealt with
(``kg:afgedaan true``) or an answer to it is in the store, else *uitgesteld* when a postponement
notice about it is in the store, else *open*.

The package's modules, each importing only the ones before it: :mod:`~server.search.errors`,
:mod:`~server.search.schema` (the index's tables), :mod:`~server.search.text` (normalising and
stemming), :mod:`~server.search.query` (search texts, highlighting), :mod:`~server.search.cards`
(what pages show), :mod:`~server.search.select` and :mod:`~server.search.sets` (a list's selection and
its ids), :mod:`~server.search.entities` (entities by name), :mod:`~server.search.extract` (reading the
store), :mod:`~server.search.frequent` (the rankings of common words, computed when the index is built),
:mod:`~server.search.build` (writing the index), :mod:`~server.search.index` (reading it) and
:mod:`~server.search.fresh` (keeping it current). The names below are the public API.
"""

from server.search.build import BuildInfo, build_index
from server.search.cards import (
    Addressee,
    Asker,
    Card,
    FacetCount,
    Filter,
    ListPage,
    SearchPage,
    Snippet,
    Value,
    date_label,
    local_href,
)
from server.search.errors import BadQuery, IndexMissing, SearchError
from server.search.extract import QueryStore, extract, key_of
from server.search.fresh import SearchService, ensure_index, is_stale, read_meta
from server.search.index import SearchIndex
from server.search.query import Matcher, QueryTerm, SearchQuery, highlight, parse_query
from server.search.schema import INDEX_VERSION, KINDS, STATUS_LABELS, STATUSES
from server.search.text import analyse, normalise, stem, stemmer_id, words

__all__ = [
    "INDEX_VERSION",
    "KINDS",
    "STATUSES",
    "STATUS_LABELS",
    "Addressee",
    "Asker",
    "BadQuery",
    "BuildInfo",
    "Card",
    "FacetCount",
    "Filter",
    "IndexMissing",
    "ListPage",
    "Matcher",
    "QueryStore",
    "QueryTerm",
    "SearchError",
    "SearchIndex",
    "SearchPage",
    "SearchQuery",
    "SearchService",
    "Snippet",
    "Value",
    "analyse",
    "build_index",
    "date_label",
    "ensure_index",
    "extract",
    "highlight",
    "is_stale",
    "key_of",
    "local_href",
    "normalise",
    "parse_query",
    "read_meta",
    "stem",
    "stemmer_id",
    "words",
]
