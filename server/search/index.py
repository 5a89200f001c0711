"""Reading the index: :class:`SearchIndex` answers the list of Kamervragen (filters, facet
counts, pages, export) and the full-text search (ranked, with snippets) with SQL only."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from markupsafe import Markup

from kamergraph.coverage import Coverage, measure_dates
from server.search.cards import Addressee, Asker, Card, FacetCount, Filter, ListPage, SearchPage, Snippet, Value, local_href
from server.search.entities import Names
from server.search.errors import BadQuery, IndexMissing
from server.search.frequent import RANK_SQL, Ranked
from server.search.query import SearchQuery, highlight, parse_query
from server.search.schema import INDEX_VERSION, KINDS, STATUSES, WEIGHTS
from server.search.select import Selection
from server.search.sets import Pairs


#: How many search texts' matches an index keeps (the newest).
TEXTS_KEPT = 16


class SearchIndex:
    """An index file, opened read-only; one SQLite connection per thread."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise IndexMissing(f"no search index at {self.path}")
        self._uri = self.path.resolve().as_uri() + "?mode=ro&immutable=1"
        self._local = threading.local()
        self._lock = threading.Lock()
        self._pairs: Pairs | None = None
        self._names: Names | None = None
        self._texts: OrderedDict[str, set[int]] = OrderedDict()
        self._ranks: dict[str, tuple[int, list[int]]] = {}  # per kept text: how many were asked, its first ids by rank
        self._common: OrderedDict[str, Ranked] = OrderedDict()  # the last few common words' rankings read
        try:
            con = self.connect()
            self.meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            if self.meta.get("version") != INDEX_VERSION:
                raise IndexMissing(f"the search index at {self.path} is of version {self.meta.get('version')}, "
                                   f"not {INDEX_VERSION}")
            self.values: dict[int, Value] = {}
            self.by_key: dict[tuple[str, str], Value] = {}
            for vid, kind, key, iri, nl, en, short, alt, extra, total in con.execute(
                    "SELECT id, kind, key, iri, label_nl, label_en, short, alt, extra, total FROM value"):
                v = Value(vid, kind, key, iri, nl, en, short, total, tuple(json.loads(extra)) if extra else (),
                          local_href(iri, self.meta.get("base", "")), tuple(json.loads(alt)) if alt else ())
                self.values[vid] = v
                self.by_key[(kind, key)] = v
            self.size = con.execute("SELECT COUNT(*) FROM kv").fetchone()[0]
            self._frequent = frozenset(e for (e,) in con.execute("SELECT expr FROM ranked"))
        except sqlite3.DatabaseError as exc:
            raise IndexMissing(f"the search index at {self.path} cannot be read: {exc}") from None
        self.generation = json.loads(self.meta.get("generation", "null"))
        if isinstance(self.generation, list):
            self.generation = tuple(self.generation)
        self.base = self.meta.get("base", "")

    def coverage(self) -> Coverage | None:
        """From which month to which the indexed Kamervragen are complete (:mod:`kamergraph.coverage`,
        measured on their dates as the overview measures its own); remembered per index."""
        if not hasattr(self, "_coverage"):
            rows = self.connect().execute("SELECT date FROM kv WHERE date GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]*'")
            self._coverage = measure_dates(d[:10] for (d,) in rows)
        return self._coverage

    def connect(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = self._open()
        return con

    def _open(self) -> sqlite3.Connection:
        con = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
        con.execute("PRAGMA cache_size=-32000")
        return con

    # -- filters

    def value(self, kind: str, key: str) -> Value | None:
        return self.by_key.get((kind, key))

    def values_of(self, kind: str) -> list[Value]:
        return [v for v in self.values.values() if v.kind == kind]

    def names(self) -> Names:
        """The values suggestions are made of, by their names' words (:class:`server.search.entities.Names`),
        made on first use."""
        with self._lock:
            if self._names is None:
                self._names = Names(self.values.values())
            return self._names

    def pairs(self) -> Pairs:
        """The facet pairs and dates in memory (:class:`server.search.sets.Pairs`), read on first use."""
        with self._lock:
            if self._pairs is None:
                self._pairs = Pairs(self.connect(), self.size)
            return self._pairs

    def _text(self, con: sqlite3.Connection, sel: Selection) -> set[int] | None:
        """The ids the selection's search text matches (None without one), unranked; the last few texts'
        matches are kept (a list page, its chart and its export ask the same)."""
        if sel.query is None:
            return None
        expr = sel.query.fts()
        with self._lock:
            hit = self._texts.get(expr)
            if hit is not None:
                self._texts.move_to_end(expr)
                return hit
        common = self._common_word(con, expr)
        try:
            found = set(common.ids) if common is not None else {
                r for (r,) in con.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (expr,))}
        except sqlite3.OperationalError as exc:  # should not happen: terms are plain words
            raise BadQuery(f"De zoekterm kan niet worden gebruikt: {exc}", f"The search text cannot be used: {exc}") from None
        with self._lock:
            self._texts[expr] = found
            while len(self._texts) > TEXTS_KEPT:
                self._ranks.pop(self._texts.popitem(last=False)[0], None)
        return found

    def is_common(self, query: SearchQuery) -> bool:
        """Whether the index holds the ranking, facet counts and months of this search text (a common word)."""
        return query.fts() in self._frequent

    def forget(self) -> None:
        """Empties what the index keeps of the search texts asked (their matches, rankings, common words read)."""
        with self._lock:
            self._texts.clear()
            self._ranks.clear()
            self._common.clear()

    def _common_word(self, con: sqlite3.Connection, expr: str) -> Ranked | None:
        """The ranking, facet counts and months of the FTS expression ``expr`` when the index holds them (a
        one-word search matching many Kamervragen: :mod:`server.search.frequent`), else None; the last few
        read are kept."""
        if expr not in self._frequent:
            return None
        with self._lock:
            held = self._common.get(expr)
            if held is not None:
                self._common.move_to_end(expr)
        if held is None:
            held = Ranked.of_row(*con.execute("SELECT ids, counts, months FROM ranked WHERE expr = ?", (expr,)).fetchone())
            with self._lock:
                self._common[expr] = held
                while len(self._common) > TEXTS_KEPT:
                    self._common.popitem(last=False)
        return held

    def _by_rank(self, con: sqlite3.Connection, q: SearchQuery, limit: int = -1, offset: int = 0) -> Iterator[int]:
        """The ids ``q`` matches by rank: bm25 (the subject weighing most), newest first among equals. SQLite
        ranks and sorts (or the index holds the ranking: a common word); ``limit`` and ``offset`` are its LIMIT
        and OFFSET (-1: no limit), so only the rows asked for leave it."""
        expr = q.fts()
        common = self._common_word(con, expr)
        if common is not None:
            return iter(common.ids[offset:offset + limit] if limit >= 0 else common.ids[offset:])
        try:
            cur = con.execute(RANK_SQL, (expr, limit, offset))
        except sqlite3.OperationalError as exc:  # should not happen: terms are plain words
            raise BadQuery(f"De zoekterm kan niet worden gebruikt: {exc}", f"The search text cannot be used: {exc}") from None
        return (r for (r,) in cur)

    def count(self, filters: Selection | Sequence[Filter] = ()) -> int:
        sel = Selection.of(filters)
        if sel.empty:
            return self.size
        ids = self.pairs().ids(sel, self._text(self.connect(), sel))
        return self.size if ids is None else len(ids)

    def facet_counts(self, filters: Selection | Sequence[Filter] = (), total: int | None = None,
                     text: set[int] | None = None) -> dict[int, int]:
        """Counts per facet value over the Kamervragen of the selection (``text``: the ids its search text
        matched, when known). For a kind the selection filters on, its values are counted without that
        kind's filter (what choosing one more of them would add: values of one kind combine with OR).
        Without a selection, with one of a single value, or with a common word alone, the counts were computed
        when the index was built (the totals, the pair counts, the ``ranked`` table)."""
        sel = Selection.of(filters)
        if sel.query is not None and text is None:
            text = self._text(self.connect(), sel)
        counts = self._counts(sel, text)
        for kind in sel.groups():
            of_kind = {vid for vid, v in self.values.items() if v.kind == kind}
            rest = self._counts(sel.without(kind), text, of_kind)
            counts = {vid: n for vid, n in counts.items() if vid not in of_kind}
            counts.update((vid, n) for vid, n in rest.items() if vid in of_kind)
        return counts

    def _counts(self, sel: Selection, text: set[int] | None, only: set[int] | None = None) -> dict[int, int]:
        if sel.empty:
            return {v.id: v.total for v in self.values.values() if v.total}
        single = sel.single()
        if single is not None:  # one filter: the pair counts computed when the index was built
            return dict(self.connect().execute("SELECT b, n FROM cooc WHERE a = ?", (single,)).fetchall())
        common = self._common_word(self.connect(), sel.query.fts()) if sel.text_only else None  # type: ignore[union-attr]
        if common is not None:  # a common word alone: its counts computed when the index was built
            return dict(common.counts) if only is None else {v: n for v, n in common.counts.items() if v in only}
        ids = self.pairs().ids(sel, text)
        if ids is None:
            return {v.id: v.total for v in self.values.values() if v.total}
        return dict(self.pairs().counts(ids, only))

    def _ordered(self, con: sqlite3.Connection, sel: Selection, sort: str) -> Iterator[int]:
        """The ids of the selection in the order ``sort`` asks (-datum: newest first; datum: oldest first, the
        undated last; relevantie: by rank, read from SQLite as they are consumed)."""
        ids = self.pairs().ids(sel, self._text(con, sel))
        if sort == "relevantie" and sel.query is not None:
            return (i for i in self._by_rank(con, sel.query) if ids is None or i in ids)
        return iter(self.pairs().ordered(ids, sort))

    def _page(self, con: sqlite3.Connection, sel: Selection, sort: str, offset: int, limit: int
              ) -> tuple[list[int], int, set[int] | None]:
        """The ids of one page of the selection in the order ``sort`` asks, how many the selection has, and the
        ids its search text matched (None without one). By rank, only the page leaves SQLite: filtered on the
        text alone, SQL's LIMIT and OFFSET; with other filters too, ranked ids are read until the page is full.
        By date, the ids are sorted in memory (numbered newest first)."""
        text = self._text(con, sel)
        ids = self.pairs().ids(sel, text)
        total = self.size if ids is None else len(ids)
        if sort == "relevantie" and sel.query is not None:
            if text is not None and ids is not None and len(ids) == len(text):  # nothing but the text filters
                return self._ranked_prefix(con, sel.query, offset + limit)[offset:offset + limit], total, text
            ranked = (i for i in self._by_rank(con, sel.query) if i in ids)  # type: ignore[operator]
            return list(islice(ranked, offset, offset + limit)), total, text
        return self.pairs().page(ids, sort, offset, limit), total, text

    def _ranked_prefix(self, con: sqlite3.Connection, q: SearchQuery, n: int) -> list[int]:
        """The first ``n`` ids ``q`` matches by rank (SQL's LIMIT), kept with the text's matches while they are
        kept: a page asked again, or an earlier page, is not ranked again."""
        expr = q.fts()
        with self._lock:
            asked, kept = self._ranks.get(expr, (0, []))
        if asked >= n:
            return kept
        ranked = list(self._by_rank(con, q, n))
        with self._lock:
            if expr in self._texts:
                self._ranks[expr] = (n, ranked)
        return ranked

    def _rows_of(self, con: sqlite3.Connection, ids: Sequence[int]) -> list[Any]:
        """The ``kv`` rows of these ids, in their order."""
        if not ids:
            return []
        rows = {r[0]: r for r in con.execute(
            "SELECT id, iri, zaak, subject, date, year, status, card FROM kv WHERE id IN "
            f"({','.join('?' * len(ids))})", list(ids))}
        return [rows[i] for i in ids if i in rows]

    def list_page(self, filters: Selection | Sequence[Filter] = (), page: int = 1, per_page: int = 50,
                  lang: str = "nl", facet_limit: int | None = None, sort: str = "-datum") -> ListPage:
        """A page of the selection in the order ``sort`` asks, with the facet counts; with a search text,
        each card with the passage that matched best."""
        sel = Selection.of(filters)
        con = self.connect()
        ids, total, text = self._page(con, sel, sort, (page - 1) * per_page, per_page)
        rows = self._rows_of(con, ids)
        cards = self._snippet_cards(con, rows, sel.query, lang) if sel.query is not None else [
            self._card(r, lang) for r in rows]
        counts = self.facet_counts(sel, total, text)
        selected = {f.value.id for f in sel.filters}
        facets: dict[str, list[FacetCount]] = {k: [] for k in KINDS}
        for vid, n in counts.items():
            v = self.values[vid]
            facets[v.kind].append(FacetCount(v, n, vid in selected))
        for f in sel.filters:  # a chosen value no Kamervraag of the rest has: still shown (and removable)
            if f.value.id > 0 and f.value.id not in counts:
                facets[f.kind].append(FacetCount(f.value, 0, True))
        for kind, items in facets.items():
            if kind == "jaar":
                items.sort(key=lambda fc: fc.value.key, reverse=True)
            elif kind == "status":
                items.sort(key=lambda fc: STATUSES.index(fc.value.key))
            else:
                items.sort(key=lambda fc: (-fc.count, fc.value.label(lang).lower()))
        return ListPage(total, page, per_page, cards, list(sel.filters), facets)

    def months(self, filters: Selection | Sequence[Filter] = ()) -> list[tuple[str, int]]:
        """How many Kamervragen of the selection there are per month (``"YYYY-MM"``, n), the undated left out."""
        sel = Selection.of(filters)
        common = self._common_word(self.connect(), sel.query.fts()) if sel.text_only else None  # type: ignore[union-attr]
        if common is not None:  # a common word alone: its months counted when the index was built
            return list(common.months)
        pairs = self.pairs()
        ids = pairs.ids(sel, self._text(self.connect(), sel))
        return pairs.all_months() if ids is None else pairs.months(ids)

    def export(self, filters: Selection | Sequence[Filter] = (), lang: str = "nl", sort: str = "-datum",
               snippets: bool = False) -> Iterator[Card]:
        """Every Kamervraag of the selection in the order ``sort`` asks (its own connection: for streaming);
        ``snippets``: with a search text, each with the passage that matched best."""
        sel = Selection.of(filters)
        con = self._open()
        try:
            ordered = self._ordered(con, sel, sort)
            while batch_ids := list(islice(ordered, 500)):
                batch = self._rows_of(con, batch_ids)
                if snippets and sel.query is not None:
                    yield from self._snippet_cards(con, batch, sel.query, lang)
                else:
                    yield from (self._card(r, lang) for r in batch)
        finally:
            con.close()

    def latest(self, n: int = 10, lang: str = "nl") -> list[Card]:
        """The ``n`` newest Kamervragen as cards (for a home page)."""
        return self.list_page((), 1, n, lang).cards

    def cards(self, iris: Iterable[str], lang: str = "nl") -> list[Card]:
        """Cards of these Kamervragen (by IRI), in the order given; unknown IRIs are left out."""
        iris = list(iris)
        if not iris:
            return []
        rows = self.connect().execute(
            "SELECT id, iri, zaak, subject, date, year, status, card FROM kv WHERE iri IN "
            f"({','.join('?' * len(iris))})", iris).fetchall()
        by_iri = {r[1]: self._card(r, lang) for r in rows}
        return [by_iri[i] for i in iris if i in by_iri]

    def _card(self, row: Sequence[Any], lang: str, **extra: Any) -> Card:
        vid, iri, zaak, subject, date, year, status, card_json = row
        card = json.loads(card_json)
        V = self.values
        askers = tuple(Asker(name, V.get(pid) if pid else None, V.get(fid) if fid else None)
                       for pid, name, fid in card["a"])
        addressees = []
        for postid, name, holder, holder_iri in card["p"]:
            post = V.get(postid) if postid else None
            addressees.append(Addressee(post, post.label(lang) if post else (name or "?"), holder,
                                        local_href(holder_iri, self.base),
                                        tuple(V[m] for m in post.ministries if m in V) if post else ()))
        return Card(vid, iri, zaak, subject, date, year, status, askers, tuple(addressees),
                    tuple(V[e] for e in card["e"] if e in V), local_href(iri, self.base), **extra)

    # -- full-text search

    def _ranked(self, con: sqlite3.Connection, q: SearchQuery, offset: int, limit: int
                ) -> tuple[int, list[tuple[int, float]]]:
        """How many Kamervragen match, and ``limit`` of them from ``offset`` by rank: bm25 (the
        subject weighing most), newest first among equals; with a prefix term, the Kamervragen
        that match the words as typed come before those that only match the prefix."""
        weights = ", ".join(str(w) for w in WEIGHTS)
        ranked = (f"SELECT rowid, bm25(fts, {weights}) AS r FROM fts WHERE fts MATCH ? "
                  "ORDER BY r, rowid LIMIT ? OFFSET ?")

        def count(expr: str) -> int:
            return con.execute("SELECT COUNT(*) FROM fts WHERE fts MATCH ?", (expr,)).fetchone()[0]

        full = q.fts()
        total = count(full)
        if not q.has_prefix:
            return total, con.execute(ranked, (full, limit, offset)).fetchall()
        exact = q.fts(exact=True)
        n_exact = count(exact)
        hits = con.execute(ranked, (exact, limit, offset)).fetchall() if offset < n_exact else []
        if len(hits) < limit and total > n_exact:
            rest = f"({full}) NOT ({exact})" if n_exact else full
            hits += con.execute(ranked, (rest, limit - len(hits), max(0, offset - n_exact))).fetchall()
        return total, hits

    def search(self, query: SearchQuery | str, page: int = 1, per_page: int = 20, lang: str = "nl") -> SearchPage:
        q = parse_query(query) if isinstance(query, str) else query
        con = self.connect()
        try:
            total, hits = self._ranked(con, q, (page - 1) * per_page, per_page)
        except sqlite3.OperationalError as exc:  # should not happen: terms are plain words
            raise BadQuery(f"De zoekterm kan niet worden gebruikt: {exc}", f"The search text cannot be used: {exc}") from None
        if not hits:
            return SearchPage(q, total, page, per_page, [])
        score = {h[0]: h[1] for h in hits}
        rows = {r[0]: r for r in con.execute(
            "SELECT id, iri, zaak, subject, date, year, status, card FROM kv WHERE id IN "
            f"({','.join('?' * len(score))})", list(score))}
        cards = self._snippet_cards(con, [rows[h[0]] for h in hits], q, lang, score)
        return SearchPage(q, total, page, per_page, cards)

    def _snippet_cards(self, con: sqlite3.Connection, rows: Sequence[Sequence[Any]], q: SearchQuery, lang: str,
                       score: dict[int, float] | None = None) -> list[Card]:
        """Cards of these rows, each with the passage of its texts (or its subject) that matched ``q`` best,
        the matched words marked."""
        ids = [r[0] for r in rows]
        texts: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
        for kv, kind, nums, body in con.execute(
                f"SELECT kv, kind, nums, body FROM text WHERE kv IN ({','.join('?' * len(ids))}) ORDER BY kv, ord",
                ids):
            texts[kv].append((kind, nums, body))
        match = lru_cache(maxsize=None)(q.matcher())  # each distinct word of these texts asked once
        cards = []
        for r in rows:
            subject_html, subject_hits = highlight(r[3] or "", match, window=10_000)
            snippet = None
            best = 0
            for kind, nums, body in texts.get(r[0], ()):
                html, n = highlight(body, match)
                if n > best:
                    best = n
                    snippet = Snippet(html, kind, tuple(int(x) for x in nums.split(",") if x), _plain(html))
            if snippet is None and subject_hits:
                snippet = Snippet(subject_html, "subject", (), r[3] or "")
            cards.append(self._card(r, lang, snippet=snippet, subject_html=subject_html if subject_hits else None,
                                    score=-score[r[0]] if score else None))
        return cards


_TAG = re.compile(r"</?mark>")


def _plain(html: Markup) -> str:
    return Markup(_TAG.sub("", str(html))).unescape()
