"""The pages of a ranked list, ranked in SQL one page at a time, against ranking every match (on the small real
store): a common word's pages by relevance are the slices of all its matches ordered by bm25 (newest first among
equals), with or without other filters; its pages by date are the slices of the whole list in that order."""

from __future__ import annotations

from pathlib import Path

import pytest
from search_helpers import BASE

from server.search import Filter, SearchIndex, ensure_index, parse_query
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
