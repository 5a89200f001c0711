"""The search and facet index (server/search/) on the small real store, and on hand-made stores.

Dutch word forms and diacritics are checked with words that are in the data; facet counts against
SPARQL counts on the same store; the index is rebuilt when the store's generation changes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest
from markupsafe import Markup
from search_helpers import (
    BASE,
    HOSTILE_TITLE,
    counts_of,
    hostile_trig,
    index_counts,
    make_store,
    sparql_cases,
    sparql_facet_counts,
)

from server.search import (
    INDEX_VERSION,
    BadQuery,
    Filter,
    IndexMissing,
    SearchIndex,
    SearchService,
    analyse,
    build_index,
    ensure_index,
    highlight,
    normalise,
    parse_query,
    read_meta,
)
from server.search.entities import Names, name_words, suggest
from store import generation

FOUNDING = f"{BASE}id/kamervraag/2019Z15231"


@pytest.fixture(scope="module")
def index(kg_store: Path, tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    return ensure_index(tmp_path_factory.mktemp("search") / "kg.search.sqlite", BASE, store_path=kg_store)


def zaken(page) -> list[str]:  # noqa: ANN001
    return [c.zaak for c in page.cards]


def F(index: SearchIndex, kind: str, key: str) -> Filter:
    value = index.value(kind, key)
    assert value is not None, f"{kind}={key} not in the index"
    return Filter(kind, value)


def test_suggestions_by_name_words_are_those_of_every_value(index: SearchIndex) -> None:
    """The entities a text names, found in the sorted words of their names (Names), are those found by asking
    every value: whole words, their starts (one letter: only the whole word), words that no name holds, two words."""
    names = Names(index.values.values())
    texts = {"", "x", "de", "minister van", "buitenl zaken"}
    for v in index.values.values():
        ws = sorted(name_words(v))
        for w in ws[:3]:
            texts.update({w, w[:1], w[:2], w[:4], w + "q"})
        if len(ws) > 1:
            texts.update({f"{ws[0][:3]} {ws[-1][:3]}", f"{ws[0][:1]} {ws[-1]}"})
    found = 0
    for text in sorted(texts):
        expected = suggest(index.values.values(), text, 50)
        assert suggest(names, text, 50) == expected, text
        found += bool(expected)
    assert found > 20


# --------------------------------------------------------------------------- text analysis


def test_normalise_strips_diacritics_and_case() -> None:
    assert normalise("Financiële Israëlische maïs België Gülen") == "financiele israelische mais belgie gulen"
    assert normalise("ﬁnanciën") == "financien"  # NFKD also unfolds the ligature


@pytest.mark.parametrize(("one", "other"), [
    ("patiënten", "patient"), ("Israëlische", "israelisch"), ("Moeders", "moeder"), ("wachtlijsten", "wachtlijst"),
    ("kikkers", "kikker"), ("Martelingen", "marteling"), ("bedrijven", "bedrijf"), ("België", "belgie"),
    ("financiële", "Financiele"),
])
def test_word_forms_and_diacritics_analyse_alike(one: str, other: str) -> None:
    assert analyse(one) == analyse(other)


def test_parse_query_terms_phrases_prefix_and_stopwords() -> None:
    q = parse_query('de export van "dual use" cybersurv')
    assert [t.tokens for t in q.terms] == [("export",), ("dual", "use"), ("cybersurv",)]
    assert [t.phrase for t in q.terms] == [False, True, False]
    assert q.terms[-1].is_prefix and not q.terms[0].is_prefix
    assert not parse_query("cybersurveillance ").terms[-1].is_prefix  # a finished word: no prefix
    assert parse_query("de").terms[0].tokens == ("de",)  # only stop words: kept
    assert parse_query("dual-use").terms[0].phrase  # inner punctuation: a phrase of its parts
    for bad in ("", "   ", "!!! ???", "x" * 501):
        with pytest.raises(BadQuery):
            parse_query(bad)


def test_fts_expression_only_holds_plain_words() -> None:
    q = parse_query('"x" OR y* NEAR(z) {subject}: ") AND ( \'')
    expr = q.fts()
    # every user word is a quoted, alphanumeric token: FTS5 syntax in the text does nothing
    for t in q.terms:
        for tok in t.tokens:
            assert tok.isalnum()
    assert "NEAR(" not in expr and "{subject}" not in expr


def test_highlight_escapes_and_marks() -> None:
    q = parse_query("bedrijf export")
    html, n = highlight("<b>Bedrijven</b> & <script>export</script>", q.matcher())
    assert isinstance(html, Markup)
    assert n == 2
    assert str(html) == "&lt;b&gt;<mark>Bedrijven</mark>&lt;/b&gt; &amp; &lt;script&gt;<mark>export</mark>&lt;/script&gt;"


# --------------------------------------------------------------------------- search on the small real store


def test_cybersurveillance_finds_the_founding_case_first(index: SearchIndex) -> None:
    page = index.search("cybersurveillance")
    assert page.cards[0].iri == FOUNDING
    card = page.cards[0]
    assert "<mark>cybersurveillance</mark>" in str(card.subject_html)
    assert card.snippet is not None and card.snippet.kind == "vraag"  # the question text matched too
    assert "<mark>cybersurveillance</mark>" in str(card.snippet.html)


@pytest.mark.parametrize(("query", "zaak", "word"), [
    ("belgie", "2007Z05029", "België"),                 # without the diaeresis
    ("Israelisch", "2007Z05028", "Israëlische"),        # another inflection, no diaeresis
    ("patient", "2007Z05013", "patiënten"),             # singular of a plural with a diaeresis
    ("mais", "2008Z01175", "maïs"),
    ("moeder", "2007Z05038", "Moeders"),
    ("wachtlijst", "2007Z05003", "wachtlijsten"),
    ("bedrijf", "2019Z15231", "bedrijven"),             # in the question text only, not the subject
])
def test_dutch_word_forms_and_diacritics_find_the_document(index: SearchIndex, query: str, zaak: str,
                                                           word: str) -> None:
    page = index.search(query + " ")  # a finished word: no prefix matching helps
    assert zaak in zaken(page), f"{query!r} should find {zaak} ({word})"
    card = next(c for c in page.cards if c.zaak == zaak)
    marked = str(card.subject_html or "") + str(card.snippet.html if card.snippet else "")
    assert f"<mark>{word}</mark>" in marked


def test_prefix_of_the_last_word(index: SearchIndex) -> None:
    assert zaken(index.search("cybersurv"))[:1] == ["2019Z15231"]
    assert zaken(index.search("export cybersurv"))[:1] == ["2019Z15231"]
    assert zaken(index.search("cybersurv ")) == []  # a finished word is no prefix


def test_phrases(index: SearchIndex) -> None:
    assert zaken(index.search('"export van cybersurveillance"')) == ["2019Z15231"]
    assert zaken(index.search('"cybersurveillance van export"')) == []
    assert zaken(index.search('"moeders in detentie"')) == ["2007Z05038", "2007Z05036"]  # newest first on a tie


def test_case_number(index: SearchIndex) -> None:
    assert zaken(index.search("2019Z15231")) == ["2019Z15231"]


def test_search_paging(index: SearchIndex) -> None:
    full = index.search("de ", per_page=100)  # stop words only: kept
    assert full.total == len(full.cards) > 5
    pages = [index.search("de ", page=p, per_page=4) for p in range(1, full.total // 4 + 2)]
    seen = [c.zaak for p in pages for c in p.cards]
    assert seen == zaken(full)
    assert {p.total for p in pages} == {full.total}
    assert pages[0].pages == -(-full.total // 4)


def test_search_matches_only_documents_with_every_word(index: SearchIndex) -> None:
    both = set(zaken(index.search("export technologie ", per_page=100)))
    export = set(zaken(index.search("export ", per_page=100)))
    tech = set(zaken(index.search("technologie ", per_page=100)))
    assert both == export & tech and "2019Z15231" in both


# --------------------------------------------------------------------------- facets against SPARQL


def test_facet_counts_equal_sparql_counts(index: SearchIndex, kg_store: Path) -> None:
    expected = sparql_facet_counts(kg_store)
    assert index_counts(index) == expected
    assert index.size == len(sparql_cases(kg_store, ""))
    # every kind is there, including an EU act cited in the founding text
    assert {k for k, _ in expected} == {"fractie", "lid", "post", "ministerie", "jaar", "status", "eu"}
    assert expected[("eu", "http://publications.europa.eu/resource/celex/52016PC0616")] == 1


RESTRICT = {
    "fractie": "?kv kg:vraagstelling/kg:fractie <{base}id/fractie/{key}> .",
    "jaar": "?kv dcterms:dateSubmitted ?d{i} . FILTER (YEAR(?d{i}) = {key})",
    "ministerie": "?kv (kg:adressering/kg:post)|kg:gerichtAan ?p{i} . ?p{i} org:postIn <{base}id/ministerie/{key}> .",
    "status": "?kv kg:afgedaan true .",  # (all the small store's cases are answered, by kg:afgedaan)
}


@pytest.mark.parametrize("filters", [
    [("fractie", "sp")],                           # one filter: the pair counts from the build
    [("fractie", "pvda")],
    [("jaar", "2008")],
    [("ministerie", None)],                        # the most frequent ministry
    [("fractie", "sp"), ("jaar", "2008")],         # counted over the selection
    [("status", "beantwoord"), ("jaar", "2008")],  # more than half: counted over the rest
])
def test_filtered_facet_counts_equal_sparql_counts(index: SearchIndex, kg_store: Path,
                                                   filters: list[tuple[str, str | None]]) -> None:
    """The counts of a kind filtered on are those without its filter (what one more of its values, combined
    with OR, would add); the other kinds' counts are over the selection."""
    chosen, patterns = [], []
    for i, (kind, key) in enumerate(filters):
        if key is None:
            key = max(index.values_of(kind), key=lambda v: v.total).key
        chosen.append(F(index, kind, key))
        patterns.append((kind, RESTRICT[kind].format(base=BASE, key=key, i=i)))
    restrict = " ".join(p for _, p in patterns)
    page = index.list_page(chosen)
    expected = {k: n for k, n in sparql_facet_counts(kg_store, restrict).items() if k[0] not in dict(filters)}
    for kind in dict(filters):
        others = " ".join(p for k, p in patterns if k != kind)
        expected.update((k, n) for k, n in sparql_facet_counts(kg_store, others).items() if k[0] == kind)
    assert dict(counts_of(page)) == expected
    assert page.total == len(sparql_cases(kg_store, restrict))
    if len(chosen) == 2 and chosen[0].kind == "status":
        assert page.total * 2 > index.size  # the path over the rest was taken


@pytest.mark.parametrize("share", [0.1, 0.6, 1.0])
def test_counts_over_a_selection_or_its_rest_are_the_same(index: SearchIndex, share: float) -> None:
    """Counting per value and per month over a selection, or (over more than half) as the totals less the rest,
    gives what walking the selection gives."""
    from collections import Counter

    pairs = index.pairs()
    ids = set(range(1, index.size + 1)[:int(index.size * share)])
    walked = Counter(v for i in ids for v in pairs.kv_values[i])
    assert pairs.counts(ids) == walked
    only = {v for v in walked if index.values[v].kind == "fractie"}
    assert pairs.counts(ids, only) == Counter({v: n for v, n in walked.items() if v in only})
    months = Counter(pairs.dates[i][:7] for i in ids if pairs.dates[i])
    assert pairs.months(ids) == sorted(months.items())


def test_filters_combine_with_and(index: SearchIndex, kg_store: Path) -> None:
    sp, y2008 = F(index, "fractie", "sp"), F(index, "jaar", "2008")
    only_sp = {c.iri for c in index.export([sp])}
    only_2008 = {c.iri for c in index.export([y2008])}
    both = {c.iri for c in index.export([sp, y2008])}
    assert both == only_sp & only_2008
    assert 0 < len(both) < min(len(only_sp), len(only_2008))
    assert both == sparql_cases(kg_store, f"?kv kg:vraagstelling/kg:fractie <{BASE}id/fractie/sp> ; "
                                          "dcterms:dateSubmitted ?d . FILTER (YEAR(?d) = 2008)")
    # the order of the filters does not matter, and a repeated filter changes nothing
    assert [c.iri for c in index.export([y2008, sp, y2008])] == [c.iri for c in index.export([sp, y2008])]


def test_list_is_newest_first_and_pages(index: SearchIndex) -> None:
    everything = list(index.export())
    assert len(everything) == index.size == 61
    dates = [c.date for c in everything]
    assert dates == sorted(dates, reverse=True)
    first = index.list_page(page=1, per_page=50)
    second = index.list_page(page=2, per_page=50)
    assert first.pages == second.pages == 2 and len(first.cards) == 50 and len(second.cards) == 11
    assert [c.iri for c in first.cards + second.cards] == [c.iri for c in everything]


def test_card_of_the_founding_case(index: SearchIndex) -> None:
    (card,) = index.cards([FOUNDING])
    assert card.subject == "De export van cybersurveillance technologie"
    assert card.date == "2019-07-18" and card.status == "beantwoord"
    assert [(a.name, a.fractie.key if a.fractie else None) for a in card.askers] == [
        ("Bram van Ojik", "groenlinks"), ("Isabelle Diks", "groenlinks")]
    assert card.askers[0].person.href == "/id/persoon/cefbf19c-653b-4af7-84a6-e17fba0e4a70"
    posts = {d.post.key: d for d in card.addressees}
    assert set(posts) == {"minister-van-buitenlandse-zaken",
                          "minister-voor-buitenlandse-handel-en-ontwikkelingssamenwerking"}
    assert posts["minister-van-buitenlandse-zaken"].holder == "Stef Blok"
    assert {m.key for d in card.addressees for m in d.ministries} == {"mnre1013"}
    assert {e.iri for e in card.eu} == {"http://publications.europa.eu/resource/celex/52016PC0616",
                                        "http://publications.europa.eu/resource/procedure/2016_295"}
    assert all(e.href.startswith("/resource?iri=http%3A%2F%2Fpublications.europa.eu") for e in card.eu)
    assert card.href == "/id/kamervraag/2019Z15231"


# --------------------------------------------------------------------------- the index file and its generation


def test_index_records_version_base_and_generation(index: SearchIndex, kg_store: Path) -> None:
    meta = read_meta(index.path)
    assert meta is not None
    assert meta["version"] == INDEX_VERSION and meta["base"] == BASE
    assert tuple(json.loads(meta["generation"])) == generation.current(kg_store)
    assert "snowballstemmer" in meta["stemmer"]


def test_missing_or_broken_index(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing):
        SearchIndex(tmp_path / "none.sqlite")
    (tmp_path / "broken.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(IndexMissing):
        SearchIndex(tmp_path / "broken.sqlite")


def test_index_is_rebuilt_when_the_generation_changes(tmp_path: Path) -> None:
    store = make_store(tmp_path / "store", hostile_trig("2099Z00001"))
    path = tmp_path / "store.search.sqlite"
    first = ensure_index(path, BASE, store_path=store)
    assert first.size == 1
    built = read_meta(path)["built"]
    mtime = path.stat().st_mtime_ns
    # unchanged store: the same file is opened, not rebuilt
    again = ensure_index(path, BASE, store_path=store)
    assert again.size == 1 and path.stat().st_mtime_ns == mtime
    # a write bumps the generation: the next ensure_index rebuilds
    make_store(store, hostile_trig("2099Z00002", title="Tweede vraag over stikstofuitstoot", date="2099-02-03"))
    time.sleep(0.01)
    rebuilt = ensure_index(path, BASE, store_path=store)
    assert rebuilt.size == 2 and path.stat().st_mtime_ns != mtime
    assert read_meta(path)["generation"] != json.dumps(None)
    assert [c.zaak for c in rebuilt.search("stikstofuitstoot").cards] == ["2099Z00002"]
    assert first.size == 1  # a reader of the old file keeps reading the old file
    assert built is not None
    # an index of another version or base is rebuilt too
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = '0' WHERE key = 'version'")
    con.commit()
    con.close()
    assert ensure_index(path, BASE, store_path=store).meta["version"] == INDEX_VERSION
    assert ensure_index(path, "https://example.org/", store_path=store).base == "https://example.org/"


def test_service_rebuilds_in_the_background(tmp_path: Path) -> None:
    store = make_store(tmp_path / "store", hostile_trig("2099Z00001"))
    service = SearchService(tmp_path / "idx.sqlite", BASE, store_path=store, check_every=0)
    service.start()
    first = service.get(wait=60)
    assert first.size == 1
    assert service.get() is first  # nothing changed
    make_store(store, hostile_trig("2099Z00002", title="Nog een vraag", date="2099-02-03"))
    assert service.get() is first  # the old index answers while the new one is built
    service.join(60)
    second = service.get()
    assert second is not first and second.size == 2


def test_build_index_through_the_store_interface(tmp_path: Path) -> None:
    """build_index takes any store.base.Store (here the embedded one, as the build has it)."""
    from store.embedded import EmbeddedStore

    path = make_store(tmp_path / "store", hostile_trig("2099Z00001"))
    store = EmbeddedStore(path)
    try:
        info = build_index(store, tmp_path / "x.sqlite", BASE)
    finally:
        store.close()
    assert info.kamervragen == 1 and info.bytes == os.path.getsize(tmp_path / "x.sqlite")
    meta = read_meta(tmp_path / "x.sqlite")
    assert tuple(json.loads(meta["generation"])) == generation.current(path)


def test_markup_in_data_stays_data_in_the_index(tmp_path: Path) -> None:
    store = make_store(tmp_path / "store", hostile_trig("2099Z00001"))
    index = ensure_index(tmp_path / "idx.sqlite", BASE, store_path=store)
    (card,) = index.search("verordening").cards
    assert card.subject == HOSTILE_TITLE
    assert "<script>" not in str(card.subject_html) and "&lt;script&gt;" in str(card.subject_html)
    assert "<mark>verordeningen</mark>" in str(card.subject_html)


class CappedStore:
    """A store that answers like a remote server with a result limit: at most ``cap`` rows, flagged
    as cut (the Store.query interface of store.base, on an embedded store opened read-only)."""

    def __init__(self, path: Path, cap: int, endpoint: str) -> None:
        from server.search.fresh import _ReadOnlyOxigraph

        self.inner = _ReadOnlyOxigraph(path)
        self.cap = cap
        self.endpoint = endpoint
        self.queries: list[str] = []

    def query(self, sparql, bindings=None, *, timeout=None, row_limit=None, union_default_graph=True):  # noqa: ANN001
        self.queries.append(sparql)
        res = self.inner.query(sparql, bindings, row_limit=self.cap + 1, union_default_graph=union_default_graph)
        if len(res.rows) > self.cap:
            res.rows = res.rows[: self.cap]
            res.truncated = True
        return res


@pytest.mark.parametrize("name", ["date", "vraagstelling", "persoon", "texts", "eu"])
def test_a_cut_answer_is_read_again_in_pages(kg_store: Path, name: str) -> None:
    from server.search.extract import EXTRACT, _select_all
    from server.search.fresh import _ReadOnlyOxigraph

    whole = _select_all(_ReadOnlyOxigraph(kg_store), name)
    capped = CappedStore(kg_store, 7, "http://127.0.0.1:1/sparql")
    paged = _select_all(capped, name)
    assert len(whole) > 7 or name == "eu"
    assert sorted(map(repr, paged)) == sorted(map(repr, whole))  # the same rows, columns in place
    assert len(paged) == len(whole)
    if len(whole) > 7:
        assert f"ORDER BY {EXTRACT[name][1]} LIMIT 7 OFFSET 7" in capped.queries[2]


def test_a_server_that_cuts_answers_is_read_in_pages(kg_store: Path, index: SearchIndex, tmp_path: Path) -> None:
    capped = CappedStore(kg_store, 1000, "http://127.0.0.1:1/sparql")
    paged = ensure_index(tmp_path / "remote.sqlite", BASE, store=capped)
    assert any("LIMIT 1000 OFFSET 2000" in q for q in capped.queries)  # it did page (the labels)
    for table in ("kv", "value", "facet", "text"):
        assert (paged.connect().execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                == index.connect().execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()), table
    assert [c.zaak for c in paged.search("cybersurveillance").cards] == ["2019Z15231"]


def test_a_remote_index_is_rebuilt_for_another_endpoint(kg_store: Path, tmp_path: Path) -> None:
    path = tmp_path / "remote.sqlite"
    ensure_index(path, BASE, store=CappedStore(kg_store, 10_000, "http://127.0.0.1:1/sparql"))
    assert read_meta(path)["location"] == "http://127.0.0.1:1/sparql"
    mtime = path.stat().st_mtime_ns
    same = CappedStore(kg_store, 10_000, "http://127.0.0.1:1/sparql")
    ensure_index(path, BASE, store=same)
    assert same.queries == [] and path.stat().st_mtime_ns == mtime  # the same endpoint: kept
    other = CappedStore(kg_store, 10_000, "http://127.0.0.1:2/sparql")
    ensure_index(path, BASE, store=other)
    assert other.queries and read_meta(path)["location"] == "http://127.0.0.1:2/sparql"
