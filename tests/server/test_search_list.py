"""The one list (/kamervragen, and /zoeken which lands in it) on the small real store: a search text that
also finds who asked and who was addressed, the entities it names, every facet with OR within one facet
and AND across facets, the date range, the order, the pages, the formats of the whole filtered list (CSV,
JSON, an Atom feed checked against the MUSTs of RFC 4287 §4.1.1-4.1.2) and bad input as a 400 naming the
parameter. Expected sets come from SPARQL on the same store or from the list's own single filters."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from search_helpers import BASE, PROLOGUE, sparql_cases, sparql_select

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture(scope="module")
def client(kg_store: Path) -> Iterator[TestClient]:
    from server.app import create_app
    from tests.server.conftest import settings_for

    app = create_app(settings_for(kg_store, query_workers=1), kg_store)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def items(client: TestClient, **params: object) -> list[dict]:
    r = client.get("/kamervragen", params={**params, "format": "json"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == len(body["items"]) == int(r.headers["x-total-count"])
    return body["items"]


def iris(client: TestClient, **params: object) -> set[str]:
    return {i["iri"] for i in items(client, **params)}


@pytest.fixture(scope="module")
def asker(kg_store: Path) -> tuple[str, str, set[str]]:
    """The member who asked most of the small store's questions (by SPARQL): key, name, their Kamervragen."""
    from pyoxigraph import Store

    store = Store.read_only(str(kg_store))
    try:
        rows = list(store.query(PROLOGUE + "SELECT ?p (SAMPLE(?n) AS ?name) (COUNT(DISTINCT ?kv) AS ?c) WHERE { "
                                "?kv a kg:Kamervraag ; kg:vraagstelling/kg:persoon ?p . ?p <http://www.w3.org/2000/01/"
                                "rdf-schema#label> ?n } GROUP BY ?p ORDER BY DESC(?c) ?p LIMIT 1",
                                use_default_graph_as_union=True))
    finally:
        del store
    person = rows[0]["p"].value
    cases = sparql_cases(kg_store, f"?kv kg:vraagstelling/kg:persoon <{person}> .")
    assert len(cases) >= 2
    return person.rsplit("/", 1)[-1], rows[0]["name"].value, cases


def test_text_finds_who_asked(client: TestClient, asker: tuple[str, str, set[str]]) -> None:
    """A member's surname as the search text holds every question the member asked."""
    key, name, cases = asker
    surname = name.split()[-1]
    found = iris(client, q=surname)
    assert cases <= found
    assert iris(client, lid=key) == cases


def test_text_finds_who_was_addressed(client: TestClient, kg_store: Path) -> None:
    """The surname of a minister addressed finds the questions addressed to that minister's post."""
    cases = sparql_cases(kg_store, f"?kv kg:adressering/kg:post <{BASE}id/post/minister-van-buitenlandse-zaken> .")
    found = iris(client, q="Buitenlandse Zaken")
    assert cases and cases <= found


def test_entities_above_the_list(client: TestClient, asker: tuple[str, str, set[str]]) -> None:
    """/zoeken?q=<surname> shows the member first among the names found: their page, their number of
    questions and the list filtered on them; the search box's datalist offers the name."""
    key, name, cases = asker
    r = client.get("/zoeken", params={"q": name.split()[-1]}, headers=BROWSER)
    assert r.status_code == 200
    section = r.text.split('id="entities-heading"', 1)[1].split("</section>", 1)[0]
    first = section.split("<li", 2)[1]
    assert f'href="/id/persoon/{key}"' in first and f">{name}</a>" in first
    assert f'href="/kamervragen?lid={key}"' in first and f">{len(cases)} Kamervragen</a>" in first  # (>= 2 of them)
    assert f'<option value="{name}">' in r.text
    listed = client.get(f"/kamervragen?lid={key}", headers=BROWSER).text
    assert re.search(rf'<h2 id="list-heading">{len(cases)} Kamervra', listed)


def test_suggestions_json(client: TestClient, asker: tuple[str, str, set[str]]) -> None:
    """The search box's suggestions for a partly typed name."""
    key, name, cases = asker
    typed = name.split()[-1][:4]
    body = client.get("/zoeken/suggesties", params={"q": typed}).json()
    assert body["query"] == typed
    assert {"label": name, "kind": "lid", "count": len(cases), "href": f"/id/persoon/{key}",
            "list": f"/kamervragen?lid={key}"} in body["items"]
    assert client.get("/zoeken/suggesties", params={"q": "x", "y": "1"}).status_code == 400


def test_cabinet_among_the_names(client: TestClient) -> None:
    """A cabinet named: its page and the list of the questions submitted during its term (counted alike)."""
    r = client.get("/zoeken", params={"q": "Rutte III"}, headers=BROWSER)
    item = r.text.split('class="entity entity-kabinet"', 1)[1].split("</li>", 1)[0]
    assert 'href="/id/kabinet/rutte-iii"' in item
    href = re.search(r'class="entity-list-link" href="([^"]+)">(\d+) Kamervra', item)
    query = dict(parse_qsl(urlsplit(href.group(1).replace("&amp;", "&")).query))
    assert set(query) == {"van", "tot"} and query["van"] < query["tot"]
    assert int(href.group(2)) == len(items(client, **query)) >= 1
    body = client.get("/zoeken/suggesties", params={"q": "rutte iii"}).json()
    assert [i["href"] for i in body["items"] if i["kind"] == "kabinet"] == ["/id/kabinet/rutte-iii"]


def test_empty_search_box_offers_names(client: TestClient, asker: tuple[str, str, set[str]]) -> None:
    """Without JavaScript the empty box's datalist holds the names asked or addressed most (every fractie)."""
    _, name, _ = asker
    html = client.get("/zoeken", headers=BROWSER).text
    options = re.findall(r'<option value="([^"]+)">', html.split('id="search-names"', 1)[1].split("</datalist>", 1)[0])
    assert name in options and "GroenLinks" in options


def test_member_facet_narrowed_by_name(client: TestClient, asker: tuple[str, str, set[str]]) -> None:
    key, name, _ = asker
    r = client.get("/kamervragen", params={"lidnaam": name.split()[-1]}, headers=BROWSER)
    box = r.text.split('id="facet-lid"', 1)[1].split("</section>", 1)[0]
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', box)
    assert links and all(name.split()[-1].lower() in label.lower() for _, label in links)
    assert any(("lid", key) in parse_qsl(urlsplit(h.replace("&amp;", "&")).query) for h, _ in links)
    assert 'name="lidnaam"' in r.text


@pytest.fixture(scope="module")
def alt_named(kg_store: Path) -> tuple[str, str, str, set[str]]:
    """A member of the small store who asked and is known by another name too (``skos:altLabel``: the lists'
    name where the Kamer prints another, e.g. Teun for Tony van Dijck), a word of it not in the shown name (by
    SPARQL): key, shown name, other name, their Kamervragen."""
    from server.search import normalise

    rows = sparql_select(kg_store, "SELECT DISTINCT ?p ?n ?a WHERE { ?kv a kg:Kamervraag ; kg:vraagstelling/kg:persoon ?p . "
                                   "?p <http://www.w3.org/2000/01/rdf-schema#label> ?n ; "
                                   "<http://www.w3.org/2004/02/skos/core#altLabel> ?a } ORDER BY ?p ?a")
    found = [r for r in rows if set(normalise(r["a"]).split()) - set(normalise(r["n"]).split())]
    assert found, "no member of the small store who asked has another name"
    person, name, alt = found[0]["p"], found[0]["n"], found[0]["a"]
    cases = sparql_cases(kg_store, f"?kv kg:vraagstelling/kg:persoon <{person}> .")
    assert cases
    return person.rsplit("/", 1)[-1], name, alt, cases


def test_other_name_finds_the_member_above_the_list_and_as_typed(client: TestClient,
                                                                 alt_named: tuple[str, str, str, set[str]]) -> None:
    """/zoeken?q=<the lists' name> shows the member among the names found, under the shown name; the
    suggestions as one types it offer them too."""
    key, name, alt, cases = alt_named
    r = client.get("/zoeken", params={"q": alt}, headers=BROWSER)
    assert r.status_code == 200 and 'id="entities-heading"' in r.text, f"no names found for {alt!r}"
    section = r.text.split('id="entities-heading"', 1)[1].split("</section>", 1)[0]
    assert f'href="/id/persoon/{key}"' in section and f">{name}</a>" in section and f">{alt}<" not in section
    body = client.get("/zoeken/suggesties", params={"q": alt}).json()
    assert {"label": name, "kind": "lid", "count": len(cases), "href": f"/id/persoon/{key}",
            "list": f"/kamervragen?lid={key}"} in body["items"]


def test_other_name_narrows_the_member_facet_and_finds_the_questions(client: TestClient,
                                                                      alt_named: tuple[str, str, str, set[str]]) -> None:
    """The member facet's name box (``lidnaam``) keeps the member for the lists' name; the search text holds
    every question they asked, shown under the Kamer's name."""
    key, name, alt, cases = alt_named
    r = client.get("/kamervragen", params={"lidnaam": alt}, headers=BROWSER)
    box = r.text.split('id="facet-lid"', 1)[1].split("</section>", 1)[0]
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', box)
    assert [label.strip() for h, label in links if ("lid", key) in parse_qsl(urlsplit(h.replace("&amp;", "&")).query)
            ] == [name]
    found = items(client, q=alt)
    assert cases <= {i["iri"] for i in found}
    assert alt not in {a["name"] for i in found for a in i["askers"]}


def test_or_within_a_facet_and_across(client: TestClient, kg_store: Path) -> None:
    y7, y8 = iris(client, jaar="2007"), iris(client, jaar="2008")
    assert y7 and y8
    both = iris(client, jaar=["2007", "2008"])
    assert both == y7 | y8
    sp = iris(client, fractie="sp")
    assert iris(client, jaar=["2007", "2008"], fractie="sp") == both & sp
    assert both == sparql_cases(kg_store, "?kv dcterms:dateSubmitted ?d . FILTER (YEAR(?d) IN (2007, 2008))")


def test_text_with_facets_and_dates(client: TestClient) -> None:
    """/kamervragen?q=…&fractie=… (a 400 before): the text AND the facet AND the date range."""
    word = "minister"
    text, sp = iris(client, q=word), iris(client, fractie="sp")
    in_2008 = {i["iri"] for i in items(client) if (i["date"] or "").startswith("2008")}
    combined = items(client, q=word, fractie="sp", van="2008-01-01", tot="2008-12-31")
    assert {i["iri"] for i in combined} == text & sp & in_2008 and combined
    assert all("2008-01-01" <= i["date"] <= "2008-12-31" for i in combined)
    r = client.get("/kamervragen", params={"q": word, "fractie": "sp"}, headers=BROWSER)
    assert r.status_code == 200


def test_date_range(client: TestClient) -> None:
    every = items(client)
    van, tot = "2008-03-01", "2008-10-31"
    within = items(client, van=van, tot=tot)
    assert [i["iri"] for i in within] == [i["iri"] for i in every if i["date"] and van <= i["date"][:10] <= tot]
    assert within and len(within) < len(every)
    assert {i["iri"] for i in items(client, van=van)} == {i["iri"] for i in every if i["date"] and i["date"] >= van}


def test_sort_orders(client: TestClient) -> None:
    newest = [i["date"] for i in items(client)]
    oldest = items(client, sort="datum")
    assert newest == sorted(newest, reverse=True)
    dated = [i["date"] for i in oldest if i["date"]]
    assert dated == sorted(dated) and len(oldest) == len(newest)
    relevant = items(client, q="cybersurveillance")
    assert relevant[0]["zaak"] == "2019Z15231"  # the founding case has the word in its subject
    assert {i["iri"] for i in items(client, q="cybersurveillance", sort="-datum")} == {i["iri"] for i in relevant}


def test_pages_of_a_filtered_list(client: TestClient) -> None:
    everything = [i["iri"] for i in items(client, status="beantwoord")]
    assert len(everything) > 50
    cards = []
    for page in (1, 2):
        html = client.get("/kamervragen", params={"status": "beantwoord", "page": page}, headers=BROWSER).text
        cards += re.findall(r'class="qcard-subject" id="qcard-\d+"><a href="/id/kamervraag/([^"]+)"', html)
    assert [f"{BASE}id/kamervraag/{z}" for z in cards] == everything


def test_zoeken_is_the_same_list(client: TestClient) -> None:
    a = client.get("/zoeken", params={"q": "export", "jaar": "2019"}, headers=BROWSER).text
    b = client.get("/kamervragen", params={"q": "export", "jaar": "2019"}, headers=BROWSER).text
    cards = re.compile(r'id="qcard-\d+"><a href="([^"]+)"')
    assert cards.findall(a) == cards.findall(b) and cards.findall(a)
    assert items(client, q="export") == client.get("/zoeken", params={"q": "export", "format": "json"}).json()["items"]


def test_csv_json_atom_hold_the_same_rows(client: TestClient) -> None:
    params = {"q": "minister", "status": "beantwoord", "van": "2008-01-01"}
    rows = list(csv.DictReader(io.StringIO(client.get("/kamervragen", params={**params, "format": "csv"}).text)))
    js = items(client, **params, sort="-datum")
    feed = ET.fromstring(client.get("/kamervragen", params={**params, "format": "atom"}).content)
    assert [r["iri"] for r in rows] != [] and {r["iri"] for r in rows} == {i["iri"] for i in js}
    assert [e.findtext(f"{A}id") for e in feed.findall(f"{A}entry")] == [i["iri"] for i in js]


def test_atom_feed_meets_rfc_4287(client: TestClient, asker: tuple[str, str, set[str]]) -> None:
    """The feed of a member's list, parsed with an XML parser, against RFC 4287: feed (4.1.1) exactly one
    id, title, updated; an author (here on the feed); at most one alternate link per type; a self link;
    entries (4.1.2) exactly one id, title, updated, an alternate link (they have no content); dates RFC
    3339; person constructs with exactly one name. Entries newest first, one per Kamervraag of the list."""
    key, _, cases = asker
    r = client.get("/kamervragen", params={"lid": key, "format": "atom"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(r.content)
    assert feed.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{A}{name}")) == 1, name
    assert RFC3339.match(feed.findtext(f"{A}updated"))
    assert urlsplit(feed.findtext(f"{A}id")).scheme in ("http", "https")
    links = feed.findall(f"{A}link")
    alternates = [(ln.get("type"), ln.get("hreflang")) for ln in links if ln.get("rel", "alternate") == "alternate"]
    assert len(alternates) == len(set(alternates))
    assert [ln.get("href") for ln in links if ln.get("rel") == "self"] == [str(r.url)]
    authors = feed.findall(f"{A}author")
    assert len(feed.findall(f"{A}generator")) <= 1
    entries = feed.findall(f"{A}entry")
    assert {e.findtext(f"{A}id") for e in entries} == cases and len(entries) == len(cases)
    for e in entries:
        for name in ("id", "title", "updated"):
            assert len(e.findall(f"{A}{name}")) == 1, name
        assert RFC3339.match(e.findtext(f"{A}updated"))
        assert e.find(f"{A}content") is None
        alt = [ln for ln in e.findall(f"{A}link") if ln.get("rel", "alternate") == "alternate"]
        assert alt and alt[0].get("href").startswith("http") and "/id/kamervraag/" in alt[0].get("href")
        assert authors or e.findall(f"{A}author")
        for person in e.findall(f"{A}author") + authors:
            assert len(person.findall(f"{A}name")) == 1
    updated = [e.findtext(f"{A}updated") for e in entries]
    assert updated == sorted(updated, reverse=True) and feed.findtext(f"{A}updated") == updated[0]
    # the list's page links its feed in the head
    page = client.get("/kamervragen", params={"lid": key}, headers=BROWSER).text
    head = page.split("</head>", 1)[0]
    href = re.search(r'<link rel="alternate" type="application/atom\+xml" href="([^"]+)"', head).group(1)
    assert ET.fromstring(client.get(href.replace("&amp;", "&")).content).findtext(f"{A}id") == feed.findtext(f"{A}id")


def test_filters_fold_and_chart(client: TestClient) -> None:
    """The filters are in a <details> (folded on a phone); the chart's table counts the list's dated questions."""
    r = client.get("/kamervragen", params={"fractie": "sp"}, headers=BROWSER)
    assert '<details class="filters-box" id="filters">' in r.text
    chart = r.text.split('id="lijst-grafiek"', 1)[1].split("</figure>", 1)[0]
    counts = [int(n) for n in re.findall(r"<td[^>]*>(\d+)</td>", chart)]
    dated = [i for i in items(client, fractie="sp") if i["date"]]
    assert sum(counts) == len(dated) > 0
