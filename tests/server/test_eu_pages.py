"""The EU links on the pages, on the small real store (tests/server/conftest.py ``kg_store``: 60 Zaken and
the founding case 2019Z15231 with its question text): the EU act page lists the Kamervragen about the act
and its line (proposal, procedure, predecessor, successor), with a bar per year, where and how each link
was found; the Kamervraag page lists its EU links with the words, the method and the confidence; both
say what the search covered with the store's own numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from pyoxigraph import Store

from tests.server.test_pages import BASE, FOUNDING, KV, Page, get_page, path_of, select

REG_428 = "http://data.europa.eu/eli/reg/2009/428/oj"
COM_2016_616 = "http://publications.europa.eu/resource/celex/52016PC0616"
PROCEDURE = "http://publications.europa.eu/resource/procedure/2016_295"
AVG = "http://data.europa.eu/eli/reg/2016/679/oj"


@pytest.fixture(scope="module")
def store(kg_store: Path) -> Iterator[Store]:
    s = Store.read_only(str(kg_store))
    yield s
    del s


@pytest.fixture(scope="module")
def client(kg_store: Path) -> Iterator[TestClient]:
    from server.app import create_app
    from tests.server.conftest import settings_for

    with TestClient(create_app(settings_for(kg_store), kg_store), raise_server_exceptions=False) as c:
        yield c


def counts(store: Store) -> tuple[int, int, bool]:
    """(Kamervragen, Kamervragen with a question text, whether the store has title links), by SPARQL."""
    n = int(select(store, "SELECT (COUNT(?k) AS ?n) WHERE { ?k a kg:Kamervraag }")[0]["n"])
    m = int(select(store, "SELECT (COUNT(DISTINCT ?k) AS ?n) WHERE { ?k kg:heeftVraag ?v }")[0]["n"])
    t = select(store, """SELECT ?c WHERE { ?c cito:hasCitingEntity ?k . ?k a kg:Kamervraag } LIMIT 1""")
    return n, m, bool(t)


def coverage_nl(store: Store) -> str:
    n, m, titles = counts(store)
    if titles:
        return f"Gevonden in de titels van alle {n} Kamervragen en in de vraagtekst van de {m} Kamervragen"
    return f"Gevonden in de vraagtekst van de {m} Kamervragen waarvan de tekst in de graaf staat"


def test_eu_act_page_lists_the_questions_about_its_line(client: TestClient, store: Store) -> None:
    page, html = get_page(client, "/resource", iri=REG_428)
    # the founding case names the recast proposal and the procedure, not 428/2009 itself: listed, marked
    cited = {r["x"] for r in select(store, """SELECT ?kv ?x WHERE { ?q cito:cites ?x . ?kv kg:heeftVraag ?q }""",
                                    kv=KV)}
    assert {COM_2016_616, PROCEDURE} <= cited and REG_428 not in cited
    assert f"/id/kamervraag/{FOUNDING}" in page.hrefs()
    assert f"/id/kamervraag/{FOUNDING}/vraag/6" in page.hrefs() and f"/id/kamervraag/{FOUNDING}/vraag/8" in page.hrefs()
    assert path_of(COM_2016_616) in page.hrefs() and path_of(PROCEDURE) in page.hrefs()
    assert 'class="family"' in html
    assert "Kamervragen hierover (1)" in page.text
    # the words each link was found by, and a bar for 2019 pointing at that year's rows
    words = select(store, """SELECT ?x ?w WHERE { ?c cito:hasCitedEntity ?x ; kg:tekstfragment ?w }""", x=COM_2016_616)
    assert words and all("".join(w["w"].split()) in "".join(page.text.split()) for w in words)
    assert 'href="#eu-2019"' in html and 'id="eu-2019"' in html
    # the chart (server.charts): an SVG hidden from screen readers and the counts per year as a table
    chart = html[html.index('id="eu-grafiek"'):]
    chart = chart[:chart.index("</figure>")]
    assert '<svg' in chart and 'aria-hidden="true"' in chart and "<table" in chart
    assert re.search(r'<a href="#eu-2019">2019</a>\s*</t[hd]>\s*<td[^>]*>1</td>', chart), chart
    assert coverage_nl(store) in page.text
    assert "BNC-fiche" not in page.text  # no fiche in a build (a sync brings them): nothing said of them
    assert f"/queries/eu-act-questions?name={quote(REG_428, safe='')}" in page.hrefs()


def test_eu_act_page_in_english_and_an_act_no_question_is_about(client: TestClient, store: Store) -> None:
    client.cookies.clear()
    r = client.get("/resource", params={"iri": REG_428, "lang": "en"}, headers={"Accept": "text/html"})
    text = Page(r.text).text
    n, m, titles = counts(store)
    assert "Questions about this (1)" in text and f"from the question text for the {m} cases" in text
    assert "question 6" in text
    other, _ = get_page(client, "/resource", iri="http://data.europa.eu/eli/dir/2000/60/oj")
    linked = select(store, "SELECT ?x ?c WHERE { ?c cito:hasCitedEntity ?x }",
                    x="http://data.europa.eu/eli/dir/2000/60/oj")
    assert not linked and "Kamervragen hierover (0)" in other.text


def test_kamervraag_page_shows_its_eu_links(client: TestClient, store: Store) -> None:
    page, html = get_page(client, "/" + KV[len(BASE):])
    links = select(store, """SELECT ?kv ?c ?x ?w ?m WHERE {
        ?kv kg:heeftVraag ?q . ?c cito:hasCitingEntity ?q ; cito:hasCitedEntity ?x ; kg:tekstfragment ?w ;
           kg:resolutiemethode ?m . FILTER (STRSTARTS(STR(?x), "http://publications.europa.eu/")) }""", kv=KV)
    assert len(links) == 2
    assert f"EU-koppelingen ({len(links)})" in page.text
    flat = " ".join(page.text.split())
    for link in links:
        assert " ".join(link["w"].split()) in flat and link["m"] in flat
        assert path_of(link["x"]) in page.hrefs()
    assert f"/id/kamervraag/{FOUNDING}/vraag/6" in page.hrefs()
    assert coverage_nl(store) in page.text
    client.cookies.clear()
    en = Page(client.get("/" + KV[len(BASE):], params={"lang": "en"}, headers={"Accept": "text/html"}).text).text
    assert f"EU links ({len(links)})" in en and "question 8" in en


@pytest.fixture(scope="module")
def eu_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Store]]:
    """The app on the tiny build with title links (tests/queries/test_eu_queries.py: the founding case and
    three Zaken whose titles name dual-use goods)."""
    from server.app import create_app
    from tests.queries.test_eu_queries import build_eu_slice
    from tests.server.conftest import settings_for
    from tests.support.build_cache import cached_store

    path = tmp_path_factory.mktemp("eu") / "store"
    cached_store("eu-queries", build_eu_slice, path)
    with TestClient(create_app(settings_for(path), path), raise_server_exceptions=False) as c:
        s = Store.read_only(str(path))
        yield c, s
        del s


def test_title_links_on_both_pages(eu_client: tuple[TestClient, Store]) -> None:
    client, store = eu_client
    links = select(store, """SELECT ?z ?kv ?t ?w ?b ?e ?m ?conf WHERE {
        ?c cito:hasCitingEntity ?kv ; kg:tekstfragment ?w ;
        kg:beginpositie ?b ; kg:eindpositie ?e ; kg:koppelmethode ?m ; kg:betrouwbaarheid ?conf .
        ?kv kg:zaaknummer ?z ; dcterms:title ?t }""")
    assert {x["z"] for x in links} == {"2011Z09259", "2015Z24015", "2018Z19559"}
    n, m, titles = counts(store)
    assert titles and (n, m) == (4, 1)
    for x in links:
        page, html = get_page(client, "/id/kamervraag/" + x["z"])
        t, b, e = x["t"], int(x["b"]), int(x["e"])
        assert t[b:e] == x["w"]
        # the title with the linked words marked, then the link's row: words, method in words, confidence
        assert f'<p class="eu-title" lang="nl">{escape(t[:b])}<mark>{escape(t[b:e])}</mark>{escape(t[e:])}</p>' in html
        assert "EU-koppelingen (1)" in page.text and "onderwerp" in page.text and x["conf"] in page.text
        assert path_of(REG_428) in page.hrefs()
        assert coverage_nl(store) in page.text
    page, html = get_page(client, "/resource", iri=REG_428)
    assert "Kamervragen hierover (4)" in page.text and coverage_nl(store) in page.text
    for year in ("2011", "2015", "2018", "2019"):
        assert f'href="#eu-{year}"' in html and f'id="eu-{year}"' in html
    assert html.count(">in de titel</a>") == 3  # the three title links, each linked to its Kamervraag


def test_a_kamervraag_description_holds_its_title_links(eu_client: tuple[TestClient, Store]) -> None:
    """The Kamervraag shortcut of the description query (server.describe.describe_query) gives what the full
    query gives, title links included: each kg:Citatie whose citing entity is the Kamervraag itself."""
    from pyoxigraph import NamedNode, Triple, Variable

    from server.describe import DESCRIBE, describe_query

    client, store = eu_client
    kvs = [x["kv"] for x in select(store, "SELECT DISTINCT ?kv WHERE { ?c cito:hasCitingEntity ?kv . ?kv a kg:Kamervraag }")]
    assert len(kvs) == 3

    def described(query: str, iri: str) -> set[Triple]:
        return {Triple(t.subject, t.predicate, t.object) for t in store.query(
            query, substitutions={Variable("r"): NamedNode(iri)}, use_default_graph_as_union=True)}

    for iri in kvs:
        short = described(describe_query(iri, BASE), iri)
        assert short == described(DESCRIBE, iri), iri
        cites = {t.subject for t in short if t.predicate.value.endswith("hasCitingEntity") and t.object.value == iri}
        assert cites and all(c.value.startswith(iri + "/eu-koppeling/") for c in cites)
        r = client.get(path_of(iri), params={"format": "ttl"})
        assert r.status_code == 200 and b"eu-koppeling/1" in r.content


def test_eu_counts_are_kamervragen_not_citations(eu_client: tuple[TestClient, Store]) -> None:
    """The home page's EU card counts the Kamervragen citing an act (in the title, a question, an answer or a
    footnote), each once: walked here from the citing entities to their Kamervraag."""
    client, store = eu_client
    kv_of: dict[str, set[str]] = {}
    for r in select(store, """SELECT ?x ?c ?kv WHERE { ?c cito:cites ?x .
            OPTIONAL { ?kv0 kg:heeftVraag|kg:heeftAntwoord ?c } OPTIONAL { ?kv1 kg:heeftVraag/kg:voetnoot ?c }
            OPTIONAL { ?c a kg:Kamervraag BIND (?c AS ?kv2) } BIND (COALESCE(?kv0, ?kv1, ?kv2) AS ?kv) }"""):
        if r["kv"]:
            kv_of.setdefault(r["x"] or "", set()).add(r["kv"])
    assert {REG_428, COM_2016_616} <= set(kv_of)
    page, html = get_page(client, "/")
    for act, kvs in kv_of.items():
        if "europa.eu" not in act:
            continue
        shown = re.search(rf'<li><a href="[^"]*{re.escape(quote(act, safe=""))}[^"]*">[^<]*</a> '
                          r'<span class="hint">[^<]*</span> <span class="n">(\d+)</span>', html)
        assert shown and int(shown.group(1)) == len(kvs), act


def test_marked_pieces() -> None:
    from server.pages.eu_links import EULinkRow, marked

    def link(b: int | None, e: int | None, via: str = "titel") -> EULinkRow:
        return EULinkRow("a", "kv", "", "", "", "kv", via, None, "c", "", "", "", b, e)

    title = "Export van dual use-goederen en de GLB"
    b, e, g = title.index("dual"), title.index(" en"), title.index("GLB")
    assert marked(title, [link(b, e), link(g, g + 3)]) == [
        ("Export van ", False), ("dual use-goederen", True), (" en de ", False), ("GLB", True)]
    # overlapping spans merge into the later one's rest; spans outside the title and text links are left out
    assert marked(title, [link(b, b + 9), link(b + 4, e), link(g, 99), link(0, 6, "vraag")]) == [
        ("Export van ", False), ("dual use-", True), ("goederen", True), (" en de GLB", False)]
