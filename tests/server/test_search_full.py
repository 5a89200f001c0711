"""Search and facets on the whole bundled corpus (42,994 cases and the published texts).

The facet counts of the index against SPARQL on the same store, the founding case first for
"cybersurveillance" among several matches, diacritics and word forms, a word found only in an
answer text, postponed questions, and the index's build time and size.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from search_helpers import BASE, index_counts, sparql_cases, sparql_facet_counts, sparql_select

from server.search import Filter, SearchIndex, read_meta

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def full(full_build, full_search_index) -> tuple[Path, SearchIndex]:  # noqa: ANN001
    """The full build and its search index (tests/conftest.py: one per session, shared with the page tests)."""
    store, index, seconds = full_search_index
    path = index.path
    print(f"\nsearch index of the full corpus: {index.size:,} Kamervragen, {len(index.values):,} facet values, "
          f"built in {seconds:.1f} s, {path.stat().st_size / 1e6:.1f} MB")
    return store, index


def test_counts_equal_sparql(full: tuple[Path, SearchIndex]) -> None:
    store, index = full
    assert index.size == len(sparql_cases(store, "")) > 42_994
    assert index_counts(index) == sparql_facet_counts(store)


def test_filtered_counts_equal_sparql(full: tuple[Path, SearchIndex]) -> None:
    store, index = full
    gl, y2019 = index.value("fractie", "groenlinks"), index.value("jaar", "2019")
    page = index.list_page([Filter("fractie", gl), Filter("jaar", y2019)])
    gl_only = f"?kv kg:vraagstelling/kg:fractie <{BASE}id/fractie/groenlinks> ."
    in_2019 = "?kv dcterms:dateSubmitted ?d0 . FILTER (YEAR(?d0) = 2019)"
    restrict = f"{gl_only} {in_2019}"
    assert page.total == len(sparql_cases(store, restrict))
    shown = {(fc.value.kind, fc.value.key): fc.count for items in page.facets.values() for fc in items}
    # a kind filtered on is counted without its own filter (its values combine with OR)
    expected = {k: n for k, n in sparql_facet_counts(store, restrict).items() if k[0] not in ("fractie", "jaar")}
    expected.update((k, n) for k, n in sparql_facet_counts(store, in_2019).items() if k[0] == "fractie")
    expected.update((k, n) for k, n in sparql_facet_counts(store, gl_only).items() if k[0] == "jaar")
    assert shown == expected
    # a selection of more than half of everything (counted as the totals minus the rest)
    answered = index.list_page([Filter("status", index.value("status", "beantwoord"))])
    assert answered.total > index.size / 2
    restrict = ('FILTER (EXISTS { ?kv kg:afgedaan true } || EXISTS { ?kv kg:heeftAntwoord ?a0 } '
                '|| EXISTS { ?pa0 kg:betreft ?kv ; kg:publicatiesoort "antwoord" })')
    shown = {(fc.value.kind, fc.value.key): fc.count for items in answered.facets.values() for fc in items}
    expected = {k: n for k, n in sparql_facet_counts(store, restrict).items() if k[0] != "status"}
    expected.update((k, n) for k, n in sparql_facet_counts(store).items() if k[0] == "status")
    assert shown == expected


def test_cybersurveillance_finds_the_founding_case_first(full: tuple[Path, SearchIndex]) -> None:
    _, index = full
    page = index.search("cybersurveillance")
    assert page.total >= 2  # also "Exportcontrole op cybersurveillancegoederen"
    assert page.cards[0].zaak == "2019Z15231"


def test_diacritics_find_the_same_documents(full: tuple[Path, SearchIndex]) -> None:
    store, index = full
    with_accent = {c.iri for c in index.search("financiële ", per_page=1000).cards}
    without = {c.iri for c in index.search("financiele ", per_page=1000).cards}
    assert with_accent == without and len(with_accent) > 100
    titled = sparql_select(store, 'SELECT ?kv WHERE { ?kv a kg:Kamervraag ; dcterms:title ?t . '
                                  'FILTER (CONTAINS(LCASE(STR(?t)), "financiële")) }')
    assert {r["kv"] for r in titled} <= without


def test_word_only_in_an_answer(full: tuple[Path, SearchIndex]) -> None:
    store, index = full
    rows = sparql_select(store, 'SELECT DISTINCT ?kv WHERE { ?kv kg:heeftAntwoord ?a . ?a <https://schema.org/text> ?t . '
                                'FILTER (CONTAINS(STR(?t), "doodstrafzaken")) }')
    assert rows
    page = index.search("doodstrafzaak ")  # the singular
    assert {c.iri for c in page.cards} == {r["kv"] for r in rows}
    card = page.cards[0]
    assert card.snippet is not None and card.snippet.kind == "antwoord"
    assert "<mark>doodstrafzaken</mark>" in str(card.snippet.html)


def test_postponed(full: tuple[Path, SearchIndex]) -> None:
    store, index = full
    postponed = sparql_cases(store, '?p kg:betreft ?kv ; kg:publicatiesoort "uitstel" . '
                                    'FILTER NOT EXISTS { ?kv kg:afgedaan true } '
                                    'FILTER NOT EXISTS { ?pa kg:betreft ?kv ; kg:publicatiesoort "antwoord" }')
    value = index.value("status", "uitgesteld")
    assert value is not None
    assert {c.iri for c in index.export([Filter("status", value)])} == postponed


def test_meta(full: tuple[Path, SearchIndex]) -> None:
    _, index = full
    meta = read_meta(index.path)
    assert meta is not None and int(meta["kamervragen"]) == index.size


def test_year_facet_marks_the_incomplete_years(full: tuple[Path, SearchIndex]) -> None:
    """The list's year facet marks the years outside the complete period, measured on the indexed dates as
    kamergraph.coverage measures the store: 2007 and 2008 (the case system starts mid-2008), not 2015."""
    from server.search_pages import _facet_boxes

    _store, index = full
    coverage = index.coverage()
    assert coverage is not None and coverage.incomplete_year(2007) and coverage.incomplete_year(2008)
    assert not coverage.incomplete_year(2015)
    boxes = _facet_boxes("/kamervragen", [], index.list_page([]).facets, "nl", coverage)
    years = next(b for b in boxes if b.kind == "jaar")
    items = years.shown + (years.more or [])
    marked = {i.label for i in items if i.incomplete}
    assert {"2007", "2008"} <= marked and "2015" not in marked
    assert marked == {i.label for i in items if coverage.incomplete_year(int(i.label))}
