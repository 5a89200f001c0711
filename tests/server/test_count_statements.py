"""Counts that say what they count (issue 15 §1, issue 16 §4), on two tiny real builds: the fractie page's
ministries, the cabinet page's ministries and the fracties asking a post count certain addressings
(kg:gerichtAan) and give the possible ones (kg:mogelijkGerichtAan) apart, with a line saying so; the home
page's EU card and the list of Kamervragen (its EU facet, a list filtered on an EU act, its JSON) say what
the EU links were found from, with the store's numbers. Every number shown is compared with a SPARQL count."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Store

from tests.server.conftest import settings_for
from tests.support.build_cache import cached_store

BASE = "https://kamergraph.nl/"
PREFIXES = """PREFIX kg: <https://w3id.org/kamergraph/def#> PREFIX org: <http://www.w3.org/ns/org#>
PREFIX cito: <http://purl.org/spar/cito/> """
SP = BASE + "id/fractie/sp"
BALKENENDE_IV = BASE + "id/kabinet/balkenende-iv"
JUSTITIE = BASE + "id/post/minister-van-justitie"
REG_428 = "http://data.europa.eu/eli/reg/2009/428/oj"


def counted(store: Store, sparql: str) -> dict[str, int]:
    """(key, n) rows of a SELECT ?k ?n query as a mapping."""
    rows = store.query(PREFIXES + sparql, use_default_graph_as_union=True)
    return {row["k"].value: int(row["n"].value) for row in rows}


def app_on(path: Path) -> TestClient:
    """The app on the store at ``path``, with one query worker (the tests ask one page at a time)."""
    from server.app import create_app

    return TestClient(create_app(settings_for(path, query_workers=1), path), raise_server_exceptions=False)


def _served(path: Path, name: str, builder: Callable[[Path], object]) -> Iterator[tuple[TestClient, Store]]:
    """The app on the cached tiny build ``name`` (made by ``builder`` at ``path``), with the store read-only."""
    cached_store(name, builder, path)
    with app_on(path) as client:
        store = Store.read_only(str(path))
        yield client, store
        del store


@pytest.fixture(scope="module")
def ambiguous(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Store]]:
    """The app on the tiny build of tests/server/test_ambiguous_counts.py (Hirsch Ballin's 2010Z11782 to
    Justitie or BZK, ambiguous; two certain questions to Justitie; a 2024 question)."""
    from tests.server.test_ambiguous_counts import build_tiny

    yield from _served(tmp_path_factory.mktemp("counts-ambiguous") / "store", "ambiguous", build_tiny)


@pytest.fixture(scope="module")
def eu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Store]]:
    """The app on the tiny build with title links (tests/queries/test_eu_queries.py: the founding case with
    its text and three Zaken whose titles name dual-use goods)."""
    from tests.queries.test_eu_queries import build_eu_slice

    yield from _served(tmp_path_factory.mktemp("counts-eu") / "store", "eu-queries", build_eu_slice)


def html(client: TestClient, url: str, lang: str, **params: str) -> str:
    client.cookies.clear()
    r = client.get(url, params={**params, "lang": lang}, headers={"Accept": "text/html"})
    assert r.status_code == 200, (url, r.status_code, r.text[:500])
    return r.text


def bars(page: str, list_id: str) -> dict[str, tuple[int, int]]:
    """Per bar of the list ``list_id``: the path of its resource -> (the count, the possible count or 0)."""
    section = page.split(f'id="{list_id}"', 1)[1].split("</ol>", 1)[0]
    out = {}
    for item in re.findall(r"<li>(.*?)</li>", section, re.S):
        href = re.search(r'href="([^"?]+)', item).group(1)
        n = re.search(r'class="hbar-n"[^>]*>([\d.,]+)<', item).group(1)
        maybe = re.search(r'class="hint maybe">\([^:]+: (?:<a [^>]*>)?([\d.,]+)', item)
        out[href] = (int(re.sub(r"[.,]", "", n)), int(re.sub(r"[.,]", "", maybe.group(1))) if maybe else 0)
    return out


def path(iri: str) -> str:
    return "/" + iri[len(BASE):]


def expected(certain: dict[str, int], possible: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {path(k): (certain.get(k, 0), possible.get(k, 0)) for k in {*certain, *possible}}


def base_line(page: str, line_id: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page.split(f'id="{line_id}"', 1)[1].split("</p>", 1)[0]).split())


@pytest.mark.parametrize("lang, says", [("nl", "zeker aan het ministerie gericht"),
                                        ("en", "certainly addressed to the ministry")])
def test_fractie_ministries_count_certain_and_possible_apart(ambiguous: tuple[TestClient, Store], lang: str,
                                                            says: str) -> None:
    client, store = ambiguous
    certain = counted(store, f"""SELECT ?k (COUNT(DISTINCT ?kv) AS ?n) WHERE {{
        ?kv kg:vraagstelling/kg:fractie <{SP}> ; kg:gerichtAan ?p . ?p org:postIn ?k }} GROUP BY ?k""")
    possible = counted(store, f"""SELECT ?k (COUNT(DISTINCT ?kv) AS ?n) WHERE {{
        ?kv kg:vraagstelling/kg:fractie <{SP}> ; kg:mogelijkGerichtAan ?p . ?p org:postIn ?k
        FILTER NOT EXISTS {{ ?kv kg:gerichtAan ?q . ?q org:postIn ?k }} }} GROUP BY ?k""")
    assert sum(possible.values()) == 2 and not certain  # 2010Z11782: Justitie or BZK, neither certain
    page = html(client, path(SP), lang)
    assert bars(page, "ministry-bars") == expected(certain, possible)
    assert says in base_line(page, "ministries-base")
    # each possible count links to the list of the fractie's questions possibly addressed to that ministry
    assert re.search(r'href="/kamervragen\?fractie=sp&amp;ministerie=mnre\d+~mogelijk"', page)


@pytest.mark.parametrize("lang, says", [("nl", "per ministerie waaraan ze zeker gericht zijn"),
                                        ("en", "by the ministry they were certainly addressed to")])
def test_cabinet_ministries_count_certain_and_possible_apart(ambiguous: tuple[TestClient, Store], lang: str,
                                                            says: str) -> None:
    client, store = ambiguous
    of_cabinet = f"?kv kg:adressering/kg:ambtsperiode/kg:kabinet <{BALKENENDE_IV}>"
    certain = counted(store, f"""SELECT ?k (COUNT(DISTINCT ?kv) AS ?n) WHERE {{
        {of_cabinet} . ?kv kg:gerichtAan ?p . ?p org:postIn ?k }} GROUP BY ?k""")
    possible = counted(store, f"""SELECT ?k (COUNT(DISTINCT ?kv) AS ?n) WHERE {{
        {of_cabinet} . ?kv kg:mogelijkGerichtAan ?p . ?p org:postIn ?k
        FILTER NOT EXISTS {{ ?kv kg:gerichtAan ?q . ?q org:postIn ?k }} }} GROUP BY ?k""")
    assert sum(certain.values()) == 2 and sum(possible.values()) == 2
    page = html(client, path(BALKENENDE_IV), lang)
    assert bars(page, "ministry-bars") == expected(certain, possible)
    assert says in base_line(page, "ministries-base")


@pytest.mark.parametrize("lang, says, maybe", [
    ("nl", "zeker aan deze post gericht", "2 Kamervragen ontvangen (zeker; mogelijk: 1)"),
    ("en", "certainly addressed to this post", "2 questions received (certain; possibly: 1)")])
def test_post_fracties_count_certain_and_possible_apart(ambiguous: tuple[TestClient, Store], lang: str, says: str,
                                                       maybe: str) -> None:
    client, store = ambiguous
    certain = counted(store, f"""SELECT ?k (COUNT(DISTINCT ?kv) AS ?n) WHERE {{
        ?kv kg:gerichtAan <{JUSTITIE}> ; kg:vraagstelling/kg:fractie ?k }} GROUP BY ?k""")
    possible = counted(store, f"""SELECT ?k (COUNT(DISTINCT ?kv) AS ?n) WHERE {{
        ?kv kg:mogelijkGerichtAan <{JUSTITIE}> ; kg:vraagstelling/kg:fractie ?k
        FILTER NOT EXISTS {{ ?kv kg:gerichtAan <{JUSTITIE}> }} }} GROUP BY ?k""")
    assert certain and possible
    page = html(client, path(JUSTITIE), lang)
    assert bars(page, "fractie-bars") == expected(certain, possible)
    assert says in base_line(page, "fracties-base")
    assert maybe in " ".join(re.sub(r"<[^>]+>", " ", page.split('class="subtitle"', 1)[1].split("</p>", 1)[0]).split())


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_list_facets_of_posts_say_possible_ones_are_apart(ambiguous: tuple[TestClient, Store], lang: str) -> None:
    client, _store = ambiguous
    page = html(client, "/kamervragen", lang)
    for kind in ("post", "ministerie"):
        assert ("nooit ook bij de post zelf" if lang == "nl" else "never under the post itself") in base_line(
            page, f"facet-{kind}-note")
    assert 'id="facet-fractie-note"' not in page


def one(store: Store, sparql: str) -> int:
    """The ?n of a one-row SELECT."""
    return int(next(iter(store.query(PREFIXES + sparql, use_default_graph_as_union=True)))["n"].value)


def eu_numbers(store: Store) -> tuple[int, int, bool]:
    """(Kamervragen, Kamervragen with a question text, whether titles are linked), by SPARQL."""
    n = one(store, "SELECT (COUNT(?k) AS ?n) WHERE { ?k a kg:Kamervraag }")
    m = one(store, "SELECT (COUNT(DISTINCT ?k) AS ?n) WHERE { ?k kg:heeftVraag ?v }")
    titles = one(store, "SELECT (COUNT(*) AS ?n) WHERE { ?c cito:hasCitingEntity ?k . ?k a kg:Kamervraag }")
    return n, m, titles > 0


def found(store: Store, lang: str) -> str:
    n, m, titles = eu_numbers(store)
    assert titles
    if lang == "nl":
        return f"Gevonden in de titels van alle {n} Kamervragen en in de vraagtekst van de {m} Kamervragen"
    return f"Found from titles for all {n} cases; from the question text for the {m} cases whose text"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_home_eu_card_says_what_it_counts_and_found(eu: tuple[TestClient, Store], lang: str) -> None:
    client, store = eu
    line = base_line(html(client, "/", lang), "eu-base")
    assert found(store, lang) in line
    assert ("elke Kamervraag één keer" if lang == "nl" else "each question once") in line


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_list_filtered_on_an_eu_act_says_what_the_links_were_found_from(eu: tuple[TestClient, Store],
                                                                       lang: str) -> None:
    client, store = eu
    whole = html(client, "/kamervragen", lang)
    assert found(store, lang) in base_line(whole, "facet-eu-note")
    assert 'id="eu-found"' not in whole  # no EU filter chosen: the list itself does not depend on links
    citing = one(store, f"""SELECT (COUNT(DISTINCT ?kv) AS ?n) WHERE {{
        {{ ?kv cito:cites <{REG_428}> }} UNION {{ ?kv kg:heeftVraag|kg:heeftAntwoord ?x . ?x cito:cites <{REG_428}> }}
        UNION {{ ?kv kg:heeftVraag/kg:voetnoot ?x . ?x cito:cites <{REG_428}> }} ?kv a kg:Kamervraag }}""")
    assert citing == 3  # the three titles naming dual-use goods
    page = html(client, "/kamervragen", lang, eu=REG_428)
    heading = page.split('id="list-heading">', 1)[1].split("</h2>", 1)[0]
    assert heading.startswith(f"{citing} Kamervragen")
    assert found(store, lang) in base_line(page, "eu-found")
    client.cookies.clear()
    r = client.get("/kamervragen", params={"eu": REG_428, "format": "json", "lang": lang})
    body = r.json()
    n, m, _ = eu_numbers(store)
    assert body["count"] == citing and body["eu_coverage"] == {
        "cases": n, "titles": n, "texts": m, "found": body["eu_coverage"]["found"]}
    assert found(store, lang) in body["eu_coverage"]["found"]
    assert found(store, "en") in r.headers["X-EU-Coverage"]
    plain = client.get("/kamervragen", params={"format": "json"}).json()
    assert "eu_coverage" not in plain


@pytest.mark.parametrize("lang, says", [("nl", "Gezocht in de onderwerpen van alle {n} Kamervragen en in de vraag- en "
                                               "antwoordteksten van de {m} Kamervragen"),
                                        ("en", "Searched the subjects of all {n} cases and the question and answer "
                                               "texts of the {m} cases")])
def test_search_says_what_it_read(eu: tuple[TestClient, Store], lang: str, says: str) -> None:
    """A full-text search depends on the texts: the results say how many subjects and texts it read."""
    client, store = eu
    n, m, _ = eu_numbers(store)
    assert (n, m) == (4, 1)
    page = html(client, "/zoeken", lang, q="dual use")
    assert says.format(n=n, m=m) in base_line(page, "searched")
    client.cookies.clear()
    body = client.get("/zoeken", params={"q": "dual use", "format": "json", "lang": lang}).json()
    assert body["total"] >= 1 and (body["searched"]["cases"], body["searched"]["texts"]) == (n, m)
    assert says.format(n=n, m=m) in body["searched"]["found"]
