"""The search page (/zoeken, /search) and the faceted list (/kamervragen) over HTTP, on the small
real store and on a store with markup in its data.

Counts shown on the page are checked against SPARQL on the same store; exports are parsed and
compared with the whole filtered set; errors come as an HTML page to browsers and in the one JSON
error shape to API clients; markup from the request or the data stays text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from search_helpers import BASE, HOSTILE_TITLE, hostile_trig, make_store, sparql_cases, sparql_facet_counts

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
FOUNDING = "/id/kamervraag/2019Z15231"


class Page(HTMLParser):
    """What the list and search pages show: cards, facet values, chips, pager and other links."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.cards: list[str] = []  # href of each card's subject
        self.facets: dict[str, list[dict[str, object]]] = {}
        self.chips: list[dict[str, str]] = []
        self.pager: list[tuple[str, str]] = []
        self.links: dict[str, str] = {}  # text -> href
        self._stack: list[tuple[str, dict[str, str]]] = []
        self._facet: str | None = None
        self._item: dict[str, object] | None = None
        self._chip: dict[str, str] | None = None
        self._a: dict[str, str] | None = None
        self._text: list[str] = []
        self.feed(html)

    def _in(self, tag: str, cls: str) -> bool:
        return any(t == tag and cls in a.get("class", "").split() for t, a in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag not in ("input", "meta", "link", "br"):
            self._stack.append((tag, a))
        if tag == "h3" and a.get("id", "").startswith("facet-"):
            self._facet = a["id"][len("facet-"):]
            self.facets[self._facet] = []
        if tag == "li" and self._facet and self._in("section", "facet"):
            self._item = {"selected": "selected" in a.get("class", "")}
        if tag == "li" and self._in("ul", "chips") and "chip" in a.get("class", "").split():
            self._chip = {"empty": str("chip-empty" in a.get("class", ""))}
        if tag == "a":
            self._a = a
            self._text = []

    def handle_data(self, data: str) -> None:
        self._text.append(data)
        if self._item is not None and self._stack and self._stack[-1] == ("span", {"class": "n"}):
            self._item["count"] = int(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._a is not None:
            href, text = self._a.get("href", ""), "".join(self._text).strip()
            self.links.setdefault(text, href)
            if self._in("h3", "qcard-subject"):
                self.cards.append(href)
            elif self._item is not None:
                self._item.update(href=href, label=text)
            elif self._chip is not None and "chip-remove" in self._a.get("class", ""):
                self._chip["remove"] = href
            elif self._in("nav", "pager"):
                self.pager.append((text, href))
            self._a = None
        if tag == "li" and self._item is not None and self._in("section", "facet") and self._stack[-1][0] == "li":
            assert self._facet is not None
            self.facets[self._facet].append(self._item)
            self._item = None
        if tag == "li" and self._chip is not None and self._stack[-1][0] == "li":
            self.chips.append(self._chip)
            self._chip = None
        if tag == "section" and self._stack and self._stack[-1][0] == "section" and "facet" in self._stack[-1][1].get(
                "class", ""):
            self._facet = None
        while self._stack and self._stack[-1][0] != tag:
            self._stack.pop()
        if self._stack:
            self._stack.pop()


def total_of(html: str) -> int:
    m = re.search(r'<h2 id="list-heading">([\d.,]+) Kamervra', html)
    assert m, "no total on the page"
    return int(m.group(1).replace(".", "").replace(",", ""))


def params(href: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(href).query, keep_blank_values=True)


def app_client(store: Path) -> Iterator[TestClient]:
    from server.app import create_app
    from tests.server.conftest import settings_for

    app = create_app(settings_for(store, query_workers=1), store)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def client(kg_store: Path) -> Iterator[TestClient]:
    yield from app_client(kg_store)


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = make_store(tmp_path_factory.mktemp("hostile") / "store", hostile_trig("2099Z00001"))
    yield from app_client(store)


# --------------------------------------------------------------------------- search


def test_search_page_without_a_query_is_the_form(client: TestClient) -> None:
    r = client.get("/zoeken", headers=BROWSER)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert '<form class="search-form" role="search" action="/zoeken"' in r.text
    assert "qcard" not in r.text


def test_search_finds_the_founding_case_first(client: TestClient) -> None:
    r = client.get("/zoeken", params={"q": "cybersurveillance"}, headers=BROWSER)
    assert r.status_code == 200
    page = Page(r.text)
    assert page.cards[0] == FOUNDING
    assert "<mark>cybersurveillance</mark>" in r.text
    assert '<link rel="stylesheet" href="/static/kamergraph/search.css">' in r.text
    assert client.get("/static/kamergraph/search.css").status_code == 200
    # /search is the same page
    assert Page(client.get("/search", params={"q": "cybersurveillance"}).text).cards == page.cards


def test_search_json(client: TestClient) -> None:
    r = client.get("/zoeken", params={"q": "belgie", "format": "json"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["total"] == len(body["items"]) >= 1
    item = next(i for i in body["items"] if i["zaak"] == "2007Z05029")
    assert item["subject"] == "Het co-ouderschap in België"
    assert "<mark>België</mark>" in item["snippet"]["html"]
    assert item["iri"] == f"{BASE}id/kamervraag/2007Z05029"


def test_search_pages(client: TestClient) -> None:
    """/zoeken with a search text is the list (50 a page)."""
    first = client.get("/zoeken", params={"q": "de"})
    total = total_of(first.text)
    assert total > 50
    page = Page(first.text)
    assert len(page.cards) == 50
    second_href = dict(page.pager)["2"]
    assert dict(params(second_href)) == {"q": "de", "page": "2"}
    second = Page(client.get(second_href).text)
    assert len(second.cards) == min(50, total - 50) and not set(second.cards) & set(page.cards)
    last = -(-total // 50)
    r = client.get("/zoeken", params={"q": "de", "page": str(last + 1)}, headers=BROWSER)
    assert r.status_code == 400 and f"er zijn maar {last} pagina" in r.text


def test_script_in_the_query_stays_text(client: TestClient) -> None:
    q = '<script>alert("x")</script> export'
    r = client.get("/zoeken", params={"q": q}, headers=BROWSER)
    assert r.status_code == 200
    assert "<script>" not in r.text.lower()  # the page's own script is <script src=…>
    assert "&lt;script&gt;alert(" in r.text  # shown back, as text
    r = client.get("/kamervragen", params={"fractie": "<script>"}, headers=BROWSER)
    assert r.status_code == 400 and "<script" not in r.text.lower() and "&lt;script&gt;" in r.text


def test_markup_in_data_renders_inert(hostile_client: TestClient) -> None:
    for url, query in (("/kamervragen", {}), ("/zoeken", {"q": "verordening"}), ("/zoeken", {"q": "bedrijven"})):
        r = hostile_client.get(url, params=query, headers=BROWSER)
        assert r.status_code == 200, r.text
        text = r.text.lower()
        assert "<script>" not in text and "<img" not in text and "<b>" not in text
        assert "&lt;script&gt;alert(" in r.text
    r = hostile_client.get("/zoeken", params={"q": "bedrijven"}, headers=BROWSER)
    assert "&lt;script&gt;alert(&#39;text&#39;)&lt;/script&gt; <mark>bedrijven</mark>" in r.text
    listing = hostile_client.get("/kamervragen", headers=BROWSER).text
    assert "&lt;img src=x onerror=alert(&#39;name&#39;)&gt;" in listing  # the asker's name, as text
    assert 'Fractie &#34;&lt;script&gt;x&lt;/script&gt;&#34;' in listing
    # the JSON export carries the data as it is
    items = hostile_client.get("/kamervragen", params={"format": "json"}).json()["items"]
    assert items[0]["subject"] == HOSTILE_TITLE
    # and the Atom feed as XML text (parsed back with an XML parser: the same title, the same asker)
    import xml.etree.ElementTree as ET

    feed = ET.fromstring(hostile_client.get("/kamervragen", params={"format": "atom"}).content)
    atom = "{http://www.w3.org/2005/Atom}"
    entry = feed.find(f"{atom}entry")
    assert entry.findtext(f"{atom}title") == HOSTILE_TITLE
    assert "<img src=x onerror=alert('name')>" in [a.findtext(f"{atom}name") for a in entry.findall(f"{atom}author")]


# --------------------------------------------------------------------------- the list and its facets


def test_list_counts_equal_sparql(client: TestClient, kg_store: Path) -> None:
    r = client.get("/kamervragen", headers=BROWSER)
    assert r.status_code == 200
    assert total_of(r.text) == len(sparql_cases(kg_store, ""))
    page = Page(r.text)
    expected = sparql_facet_counts(kg_store)
    shown = 0
    for kind, items in page.facets.items():
        for item in items:
            (k, key), = [(k, v) for k, v in params(str(item["href"])) if k == kind]
            assert item["count"] == expected[(kind, key)], (kind, key)
            shown += 1
    assert shown > 40 and set(page.facets) == {"fractie", "lid", "post", "ministerie", "jaar", "status", "eu"}


def test_facet_link_adds_a_filter_and_chip_removes_it(client: TestClient, kg_store: Path) -> None:
    page = Page(client.get("/kamervragen").text)
    sp = next(i for i in page.facets["fractie"] if dict(params(str(i["href"])))["fractie"] == "sp")
    r = client.get(str(sp["href"]))
    assert total_of(r.text) == sp["count"] == len(
        sparql_cases(kg_store, f"?kv kg:vraagstelling/kg:fractie <{BASE}id/fractie/sp> ."))
    filtered = Page(r.text)
    assert len(filtered.chips) == 1
    assert all(i["count"] <= sp["count"] for items in filtered.facets.values() for i in items)
    (selected,) = [i for i in filtered.facets["fractie"] if i["selected"]]
    assert selected["label"] == "filter verwijderen: Socialistische Partij" and params(str(selected["href"])) == []
    # a second facet value (a year) on top: AND
    year = filtered.facets["jaar"][0]
    label = str(year["label"]).removesuffix("*")  # "*": a year outside the complete period (kamergraph.coverage)
    both = client.get(str(year["href"]))
    assert total_of(both.text) == year["count"]
    assert dict(params(str(year["href"]))) == {"fractie": "sp", "jaar": label}
    # the chips take each filter away again
    chips = Page(both.text).chips
    assert {tuple(params(c["remove"])) for c in chips} == {(("fractie", "sp"),), (("jaar", label),)}
    without_year = next(c["remove"] for c in chips if params(c["remove"]) == [("fractie", "sp")])
    assert total_of(client.get(without_year).text) == sp["count"]


def test_filters_combine_with_and(client: TestClient, kg_store: Path) -> None:
    def iris(query: dict[str, str]) -> set[str]:
        return {i["iri"] for i in client.get("/kamervragen", params={**query, "format": "json"}).json()["items"]}

    sp, y2008 = iris({"fractie": "sp"}), iris({"jaar": "2008"})
    both = iris({"fractie": "sp", "jaar": "2008"})
    assert both == sp & y2008 and 0 < len(both) < len(sp)
    assert both == sparql_cases(kg_store, f"?kv kg:vraagstelling/kg:fractie <{BASE}id/fractie/sp> ; "
                                          "dcterms:dateSubmitted ?d . FILTER (YEAR(?d) = 2008)")
    founding = iris({"eu": "http://publications.europa.eu/resource/celex/52016PC0616", "fractie": "groenlinks"})
    assert founding == {f"{BASE}id/kamervraag/2019Z15231"}


def test_list_pages(client: TestClient) -> None:
    first = client.get("/kamervragen")
    page1 = Page(first.text)
    assert len(page1.cards) == 50
    assert [t for t, _ in page1.pager] == ["1", "2"]
    page2 = Page(client.get(dict(page1.pager)["2"]).text)
    assert len(page2.cards) == 11 and not set(page1.cards) & set(page2.cards)
    r = client.get("/kamervragen", params={"page": "3"}, headers=BROWSER)
    assert r.status_code == 400 and "er zijn maar 2 pagina" in r.text


def test_csv_export_has_every_row(client: TestClient, kg_store: Path) -> None:
    r = client.get("/kamervragen", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 61 == int(r.headers["x-total-count"])  # every row, not one page of 50
    assert {row["iri"] for row in rows} == sparql_cases(kg_store, "")
    founding = next(row for row in rows if row["zaak"] == "2019Z15231")
    assert founding["onderwerp"] == "De export van cybersurveillance technologie"
    assert founding["fracties"] == "GroenLinks"
    assert founding["vragenstellers"] == "Bram van Ojik (GroenLinks); Isabelle Diks (GroenLinks)"
    assert "minister van Buitenlandse Zaken (Stef Blok)" in founding["gericht_aan"]
    assert founding["ministeries"] == "Ministerie van Buitenlandse Zaken"
    # filtered
    rows = list(csv.DictReader(io.StringIO(client.get("/kamervragen", params={"format": "csv",
                                                                              "fractie": "sp"}).text)))
    assert {row["iri"] for row in rows} == sparql_cases(
        kg_store, f"?kv kg:vraagstelling/kg:fractie <{BASE}id/fractie/sp> .")


def test_json_export_has_every_row(client: TestClient) -> None:
    r = client.get("/kamervragen", params={"format": "json"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = json.loads(r.content)
    assert body["count"] == len(body["items"]) == 61
    dates = [i["date"] for i in body["items"]]
    assert dates == sorted(dates, reverse=True)
    filtered = client.get("/kamervragen", params={"format": "json", "jaar": "2008", "status": "beantwoord"}).json()
    assert filtered["count"] == len(filtered["items"]) > 0
    assert {f["param"] for f in filtered["filters"]} == {"jaar", "status"}
    assert all(i["date"].startswith("2008") and i["status"] == "beantwoord" for i in filtered["items"])
    # Accept: application/json without format= gets the same
    assert client.get("/kamervragen", headers={"Accept": "application/json"}).json()["count"] == 61


def test_unknown_value_is_an_empty_list(client: TestClient) -> None:
    r = client.get("/kamervragen", params={"fractie": "bestaat-niet"}, headers=BROWSER)
    assert r.status_code == 200 and total_of(r.text) == 0
    assert "chip-empty" in r.text and "Geen Kamervraag heeft" in r.text
    assert client.get("/kamervragen", params={"eu": "http://data.europa.eu/eli/reg/1999/1/oj",
                                              "format": "json"}).json()["count"] == 0


@pytest.mark.parametrize(("url", "query", "needle"), [
    ("/kamervragen", {"fractie": ""}, "fractie= is"),
    ("/kamervragen", {"jaar": "twintig"}, "jaar="),
    ("/kamervragen", {"status": "misschien"}, "status="),
    ("/kamervragen", {"eu": "dual-use"}, "eu="),
    ("/kamervragen", {"page": "0"}, "page="),
    ("/kamervragen", {"page": "abc"}, "page="),
    ("/kamervragen", {"fracite": "sp"}, "fracite"),
    ("/kamervragen", {"lid": "a b"}, "lid="),
    ("/zoeken", {"q": "?!"}, "geen woorden"),
    ("/zoeken", {"q": "x" * 501}, "q: "),
    ("/kamervragen", {"van": "2019-13-01"}, "van="),
    ("/kamervragen", {"tot": "gisteren"}, "tot="),
    ("/kamervragen", {"van": "2020-01-01", "tot": "2019-01-01"}, "van=2020-01-01"),
    ("/kamervragen", {"sort": "titel"}, "sort="),
    ("/kamervragen", {"sort": "relevantie"}, "sort=relevantie"),
    ("/kamervragen", {"q": "x", "jaar": "2019", "sort": "datum", "lidnaam": "a", "tot": "1"}, "tot="),
    ("/zoeken", {"q": "x", "page": "-1"}, "page="),
])
def test_bad_parameters_are_400(client: TestClient, url: str, query: dict[str, str], needle: str) -> None:
    r = client.get(url, params=query, headers=BROWSER)  # a browser: an HTML page
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/html")
    assert needle in r.text and "Fout 400" in r.text and "Traceback" not in r.text
    api = client.get(url, params={**query, "format": "json"})  # an API client: the one JSON shape
    assert api.status_code == 400 and api.headers["content-type"] == "application/json"
    error = api.json()["error"]
    assert error["status"] == 400 and error["title"] == "Bad Request" and error["detail"]
    assert set(api.json()) == {"error"} and set(error) == {"status", "title", "detail"}


def test_bad_format(client: TestClient) -> None:
    r = client.get("/kamervragen", params={"format": "xml"})
    assert r.status_code == 400 and r.json()["error"]["detail"].startswith("format='xml'")
    r = client.get("/zoeken", params={"q": "x", "format": "rss"})
    assert r.status_code == 400 and "atom" in r.json()["error"]["detail"]
    r = client.get("/kamervragen", params={"format": "csv", "jaar": "2008", "page": "1", "lang": "en"})
    assert r.status_code == 200


def test_english(client: TestClient) -> None:
    r = client.get("/kamervragen", params={"lang": "en", "status": "beantwoord"}, headers=BROWSER)
    assert r.status_code == 200
    assert '<html lang="en">' in r.text
    assert "Parliamentary party" in r.text and "answered" in r.text and "Download the whole list" in r.text
    page = Page(r.text)
    assert all(("lang", "en") in params(str(i["href"])) for items in page.facets.values() for i in items)
    r = client.get("/zoeken", params={"q": "cybersurveillance", "lang": "en"}, headers=BROWSER)
    assert "Search the Kamervragen" in r.text and "Asked by" in r.text and "18 July 2019" in r.text
    r = client.get("/kamervragen", params={"jaar": "x", "lang": "en"}, headers=BROWSER)
    assert r.status_code == 400 and "give a four-digit year" in r.text


def test_index_follows_the_store_under_a_running_server(tmp_path: Path) -> None:
    store = make_store(tmp_path / "store", hostile_trig("2099Z00001"))
    for client in app_client(store):
        assert client.get("/zoeken", params={"q": "stikstofuitstoot", "format": "json"}).json()["total"] == 0
        make_store(store, hostile_trig("2099Z00002", title="Vragen over stikstofuitstoot", date="2099-03-04"))
        service = client.app.state.search
        service.check_every = 0
        client.get("/zoeken", params={"q": "x", "format": "json"})  # notices the new generation
        service.join(60)
        found = client.get("/zoeken", params={"q": "stikstofuitstoot", "format": "json"}).json()
        assert [i["zaak"] for i in found["items"]] == ["2099Z00002"]
        assert client.get("/kamervragen", params={"format": "json"}).json()["count"] == 2
