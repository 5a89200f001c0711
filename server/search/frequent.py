"""Rankings computed once, when the index is built, for the search texts of one word that match many
Kamervragen (a common word such as ``de`` or ``minister`` matches most of them): SQLite scores every match
of a search before it can give its first page, so such a word costs tens of milliseconds per request. For
every one-word search (the word as a whole, and the word as the prefix of a word being typed) matching at
least :data:`FREQUENT_SHARE` of the Kamervragen, the ``ranked`` table holds all its matches in the order
the index's own ranking gives them (bm25, newest first among equals: the same SQL the reader runs), so a
page of it, its count, its set of matches, its facet counts and its matches per month are read, not computed.
Other search texts (and a common word with other filters) are ranked and counted per request."""

from __future__ import annotations

import json
import sqlite3
import sys
from array import array
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from itertools import accumulate

from server.search.query import MIN_PREFIX, QueryTerm
from server.search.schema import RAW, STEMMED, WEIGHTS
from server.search.sets import Pairs
from server.search.text import stem

#: A one-word search matching at least this share of the Kamervragen has its ranking computed when the
#: index is built (on the full store about 1,700 Kamervragen, a few milliseconds of ranking per request).
FREQUENT_SHARE = 0.04

RANK_SQL = (f"SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, {', '.join(str(w) for w in WEIGHTS)}), "
            "rowid LIMIT ? OFFSET ?")


def _doc_counts(con: sqlite3.Connection) -> tuple[dict[str, int], dict[str, int]]:
    """Per indexed term, in how many Kamervragen' stemmed columns and raw (unstemmed) columns it is, summed over
    the columns (at least the number of Kamervragen a search for it matches in them)."""
    stemmed, raw = set(STEMMED.split()), set(RAW.split())
    con.execute("CREATE VIRTUAL TABLE temp.fts_terms USING fts5vocab(main, fts, col)")
    try:
        s_docs: dict[str, int] = defaultdict(int)
        r_docs: dict[str, int] = defaultdict(int)
        for term, col, doc in con.execute("SELECT term, col, doc FROM temp.fts_terms"):
            if col in stemmed:
                s_docs[term] += doc
            if col in raw:
                r_docs[term] += doc
    finally:
        con.execute("DROP TABLE temp.fts_terms")
    return s_docs, r_docs


def candidates(con: sqlite3.Connection, least: int) -> list[QueryTerm]:
    """The one-word search terms that may match at least ``least`` Kamervragen (their column counts say so),
    made of the index's words: each word as a whole (its stem matched), and each word of at least
    :data:`MIN_PREFIX` characters as the prefix of a word being typed (a prefix that is no word of the index
    is not asked for)."""
    s_docs, r_docs = _doc_counts(con)
    words = sorted(r_docs)
    upto = [0, *accumulate(r_docs[w] for w in words)]  # upto[i]: the counts of words[:i] summed
    out = []
    for i, w in enumerate(words):
        stemmed = s_docs.get(stem(w), 0)
        if stemmed >= least:
            out.append(QueryTerm((w,)))
        if len(w) >= MIN_PREFIX and upto[bisect_left(words, w + "\U0010ffff", i)] - upto[i] + stemmed >= least:
            out.append(QueryTerm((w,), prefix=True))
    return out


def pack(ids: list[int]) -> bytes:
    """Integers as the ``ranked`` table stores them (unsigned 32-bit, little-endian)."""
    a = array("I", ids)
    if sys.byteorder == "big":
        a.byteswap()
    return a.tobytes()


def unpack(blob: bytes) -> array[int]:
    """The integers of a ``ranked`` blob, in their order."""
    a = array("I")
    a.frombytes(blob)
    if sys.byteorder == "big":
        a.byteswap()
    return a


@dataclass(frozen=True)
class Ranked:
    """A common word's search as the ``ranked`` table holds it: its matches in rank order, and (computed as a
    list of them computes them, :class:`server.search.sets.Pairs`) its facet counts and its matches per month."""

    ids: array[int]
    counts: dict[int, int]
    months: list[tuple[str, int]]

    @classmethod
    def of_row(cls, ids: bytes, counts: bytes, months: str) -> Ranked:
        """A ``ranked`` row's blobs and JSON read back."""
        pairs = unpack(counts)
        return cls(unpack(ids), dict(zip(pairs[::2], pairs[1::2])), [(m, n) for m, n in json.loads(months)])


def write_rankings(con: sqlite3.Connection, size: int) -> int:
    """Ranks every candidate term (:func:`candidates`) that matches at least :data:`FREQUENT_SHARE` of the
    ``size`` Kamervragen, with the SQL the reader ranks with, and adds to the ``ranked`` table its matches in
    that order, its facet counts and its matches per month (read from the ``facet`` and ``kv`` tables, which
    must be complete, like the FTS table); returns how many terms it added."""
    least = max(1, int(size * FREQUENT_SHARE + 0.999))
    pairs: Pairs | None = None
    seen = set()
    added = 0
    for term in candidates(con, least):
        expr = term.fts()
        if expr in seen:
            continue
        seen.add(expr)
        if con.execute("SELECT COUNT(*) FROM fts WHERE fts MATCH ?", (expr,)).fetchone()[0] < least:
            continue  # counting is cheaper than ranking
        ids = [r for (r,) in con.execute(RANK_SQL, (expr, -1, 0))]
        pairs = pairs or Pairs(con, size)
        matched = set(ids)
        counts = sorted(pairs.counts(matched).items())
        months = json.dumps(pairs.months(matched), separators=(",", ":"))
        con.execute("INSERT INTO ranked (expr, n, ids, counts, months) VALUES (?, ?, ?, ?, ?)",
                    (expr, len(ids), pack(ids), pack([x for pair in counts for x in pair]), months))
        added += 1
    return added
