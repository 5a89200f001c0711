"""The pages of a ranked list, ranked in SQL one page at a time or read from the rankings the index holds for
common words, against ranking every match (on the small real store): a common word's pages by relevance are the
slices of all its matches ordered by bm25 (newest first among equals), with or without other filters; its pages by
date are the slices of the whole list in that order; the common words held are all those matching enough, and
their facet counts and months are those of their matches counted in SQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from search_helpers import BASE

from server.search import Filter, QueryTerm, SearchIndex, ensure_index, parse_query
from server.search import words as tokens
from server.search.frequent import FREQUENT_SHARE
from server.search.schema import WEIGHTS
from server.search.select import Selection


@pytest.fixture(scope="module")
def index(kg_store: Path, tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    return ensure_index(tmp_path_factory.mktemp("rank") / "kg.search.sqlite", BASE, store_path=kg_store)


def ranked_all(index: SearchIndex, text: str) -> list[int]:
    """Every match of ``text``, its bm25 score computed per match and the matches sorted here (score, then id)."""
    weights = ", ".join(str(w) for w in WEIGHTS)
    rows = index.connect().execute(f"SELECT rowid, bm25(fts, {weights}) FROM fts WHERE fts MATCH ?",
                                   (parse_query(text).fts(),)).fetchall()
    return [rowid for rowid, _ in sorted(rows, key=lambda r: (r[1], r[0]))]


def page_ids(index: SearchIndex, sel: Selection, page: int, per_page: int, sort: str) -> list[int]:
    return [c.id for c in index.list_page(sel, page, per_page, "nl", None, sort).cards]


@pytest.mark.parametrize("text", ["de", "minister"])
def test_ranked_pages_of_a_common_word_are_those_of_ranking_every_match(index: SearchIndex, text: str) -> None:
    every = ranked_all(index, text)
    assert len(every) * 2 > index.size  # a common word: most of the store matches
    assert index.is_common(parse_query(text))  # its ranking held in the index, read, not computed
    sel = Selection(query=parse_query(text))
    per_page = 7
    first = index.list_page(sel, 1, per_page, "nl", None, "relevantie")
    assert first.total == len(every)
    assert [c.id for c in first.cards] == every[:per_page]
    last = (len(every) - 1) // per_page + 1
    for page in (2, last):
        assert page_ids(index, sel, page, per_page, "relevantie") == every[(page - 1) * per_page:page * per_page]
    assert page_ids(index, sel, 1, per_page, "relevantie") == every[:per_page]  # from the ranked ids kept
    assert [c.id for c in index.export(sel, sort="relevantie")] == every


def test_ranked_pages_with_other_filters(index: SearchIndex) -> None:
    every = ranked_all(index, "de")
    sp = Filter("fractie", index.value("fractie", "sp"))
    kept = {c.id for c in index.export([sp])}
    expected = [i for i in every if i in kept]
    assert 5 < len(expected) < len(every)
    sel = Selection((sp,), parse_query("de"))
    assert index.list_page(sel, 1, 5, "nl", None, "relevantie").total == len(expected)
    for page in (1, 2, (len(expected) - 1) // 5 + 1):
        assert page_ids(index, sel, page, 5, "relevantie") == expected[(page - 1) * 5:page * 5]


@pytest.mark.parametrize("sort", ["-datum", "datum"])
def test_date_pages_of_a_common_word(index: SearchIndex, sort: str) -> None:
    sel = Selection(query=parse_query("de"))
    whole = [c.id for c in index.export(sel, sort=sort)]
    assert sorted(whole) == sorted(ranked_all(index, "de"))
    for page in (1, 2, (len(whole) - 1) // 3 + 1):  # short first pages are picked without sorting everything
        assert page_ids(index, sel, page, 3, sort) == whole[(page - 1) * 3:page * 3]
    assert page_ids(index, Selection(), 2, 4, sort) == [c.id for c in index.export(sort=sort)][4:8]


def test_common_words_are_ranked_when_the_index_is_built(index: SearchIndex) -> None:
    """Every one-word search (whole word or prefix) of the words of the subjects and texts matching at least
    FREQUENT_SHARE of the Kamervragen is held, with all its matches; no search matching fewer is."""
    con = index.connect()
    least = max(1, int(index.size * FREQUENT_SHARE + 0.999))
    words: set[str] = set()
    for (raw,) in con.execute("SELECT subject FROM kv UNION ALL SELECT body FROM text"):
        words.update(t for _, _, t in tokens(raw or ""))
    held = dict(con.execute("SELECT expr, n FROM ranked").fetchall())
    expected = {}
    for w in words:
        for term in (QueryTerm((w,)), QueryTerm((w,), prefix=True)):
            if term.prefix and not term.is_prefix:
                continue
            n = con.execute("SELECT COUNT(*) FROM fts WHERE fts MATCH ?", (term.fts(),)).fetchone()[0]
            if n >= least:
                expected[term.fts()] = n
    assert expected and expected.items() <= held.items()  # the words of subjects and texts (names add more)
    for expr, n in held.items():
        assert n == con.execute("SELECT COUNT(*) FROM fts WHERE fts MATCH ?", (expr,)).fetchone()[0] >= least
    assert index.is_common(parse_query("de")) and index.is_common(parse_query("minister"))
    assert not index.is_common(parse_query("cybersurveillance"))


@pytest.mark.parametrize("text", ["de", "minister", "de "])
def test_counts_and_months_of_a_common_word_are_those_of_its_matches(index: SearchIndex, text: str) -> None:
    """The facet counts and months held for a common word, alone and beside a filter (the filtered kind's own
    counts are those of the word alone), against counting its matches in SQL."""
    con = index.connect()
    q = parse_query(text)
    assert index.is_common(q)
    match = "SELECT rowid FROM fts WHERE fts MATCH ?"
    counts = dict(con.execute(f"SELECT value, COUNT(*) FROM facet WHERE kv IN ({match}) GROUP BY value",
                              (q.fts(),)).fetchall())
    months = con.execute(f"SELECT substr(date, 1, 7) AS m, COUNT(*) FROM kv WHERE id IN ({match}) AND date IS NOT NULL "
                         "GROUP BY m ORDER BY m", (q.fts(),)).fetchall()
    index.forget()
    assert index.facet_counts(Selection(query=q)) == counts
    assert index.months(Selection(query=q)) == months
    sp = Filter("fractie", index.value("fractie", "sp"))
    with_sp = index.facet_counts(Selection((sp,), q))
    fracties = {v.id for v in index.values_of("fractie")}
    assert {v: n for v, n in with_sp.items() if v in fracties} == {v: n for v, n in counts.items() if v in fracties}
    in_sp = dict(con.execute(f"SELECT value, COUNT(*) FROM facet WHERE kv IN ({match}) AND kv IN "
                             "(SELECT kv FROM facet WHERE value = ?) GROUP BY value", (q.fts(), sp.value.id)).fetchall())
    assert {v: n for v, n in with_sp.items() if v not in fracties} == {
        v: n for v, n in in_sp.items() if v not in fracties}
