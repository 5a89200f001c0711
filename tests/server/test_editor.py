"""The query editor page (/query) without JavaScript, and the HTML named queries, on the small real store.

The table the server renders is checked cell by cell against the same query run on the store
directly; errors keep their HTTP status; markup in data stays text; download links answer.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, Store

from server.negotiation import choose, wants_html

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
VAN_OJIK = "cefbf19c-653b-4af7-84a6-e17fba0e4a70"
FOUNDING = "2019Z15231"
CASES_QUERY = """PREFIX kg: <https://w3id.org/kamergraph/def#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?kv ?zaak ?datum ?onderwerp WHERE {
  ?kv a kg:Kamervraag ; kg:zaaknummer ?zaak ; dcterms:dateSubmitted ?datum .
  OPTIONAL { ?kv dcterms:title ?onderwerp }
} ORDER BY ?zaak LIMIT 25"""


# --------------------------------------------------------------------------- helpers


class Tables(HTMLParser):
    """The results table of a page: header names and, per cell, its text, link and title."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headers: list[str] = []
        self.rows: list[list[dict[str, str | None]]] = []
        self._in_table = False
        self._cell: dict[str, str | None] | None = None
        self._th: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and "results-table" in (a.get("class") or ""):
            self._in_table = True
        elif not self._in_table:
            return
        elif tag == "tr":
            self.rows.append([])
        elif tag == "th":
            self._th = []
        elif tag == "td":
            self._cell = {"text": "", "href": None, "title": None, "class": None}
        elif self._cell is not None and tag in ("a", "span"):
            self._cell["href"] = a.get("href") or self._cell["href"]
            self._cell["title"] = a.get("title") or self._cell["title"]
            self._cell["class"] = a.get("class") or self._cell["class"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_table = False
        elif tag == "th" and self._th is not None:
            self.headers.append("".join(self._th).strip())
            self._th = None
        elif tag == "td" and self._cell is not None:
            self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._th is not None:
            self._th.append(data)
        elif self._cell is not None:
            self._cell["text"] = (self._cell["text"] or "") + data

    @classmethod
    def of(cls, html: str) -> Tables:
        t = cls()
        t.feed(html)
        t.rows = [r for r in t.rows if r]
        return t


def links(html: str, css_class: str = "downloads") -> dict[str, str]:
    """label -> href of the links in the first ``<p class=css_class>``."""
    m = re.search(rf'<p class="{css_class}"[^>]*>(.*?)</p>', html, re.S)
    assert m, f"no {css_class} paragraph"
    return {label.strip(): href.replace("&amp;", "&")
            for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', m.group(1))}


def direct(store: Path, sparql: str) -> tuple[list[str], list[list[object]]]:
    """The query run on the store itself, as the worker pool runs it (union default graph)."""
    res = Store.read_only(str(store)).query(sparql, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return names, [[s[n] for n in names] for s in res]


def shown(term: object) -> str:
    """What the page must show for a term: the full IRI (in the link or title) or the literal's value."""
    if term is None:
        return ""
    if isinstance(term, (NamedNode, Literal)):
        return term.value
    raise AssertionError(f"unexpected term {term!r}")


def cell_value(cell: dict[str, str | None]) -> str:
    """The term a cell shows: an IRI's full form (its title when shortened), else the text."""
    text = (cell["text"] or "").strip()
    return (cell["title"] or text) if cell["class"] == "iri" else text


def our_scripts_only(html: str) -> None:
    """Every <script> in the page is one the templates put there."""
    allowed = {
        '<script type="application/json" id="kg-editor-config">',
        '<script src="/static/vendor/yasgui/yasgui.min.js" defer>',
        '<script src="/static/kamergraph/editor.js" defer>',
    }
    found = re.findall(r"<script[^>]*>", html, re.I)
    assert set(found) <= allowed, found


@pytest.fixture(scope="module")
def client(kg_store: Path) -> Iterator[TestClient]:
    from server.app import create_app
    from tests.server.conftest import settings_for

    app = create_app(settings_for(kg_store, query_row_limit=50), kg_store)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


# --------------------------------------------------------------------------- the no-JS form


def test_editor_page_without_a_query_is_a_form_with_examples(client: TestClient) -> None:
    r = client.get("/query")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<html lang="nl">' in html and "<main" in html and "<nav" in html
    assert '<form id="query-form" class="query-form" method="get" action="/query">' in html
    assert '<label for="query-text">' in html and 'name="query"' in html and '<select id="format" name="format">' in html
    assert "Content-Security-Policy" in r.headers and "connect-src 'self'" in r.headers["Content-Security-Policy"]
    # the named queries are the examples, with their title in the page's language (Dutch), an editor link each
    from queries.catalog import Catalog

    for q in Catalog.load():
        assert f'<h3>{q.title("nl")}</h3>'.replace("'", "&#39;") in html
        assert q.title("en") == q.title("nl") or q.title("en").replace("'", "&#39;") not in html
        assert f'href="/queries/{q.name}"' in html
    example_links = re.findall(r'<a class="example-link" href="([^"]+)"', html)
    assert len(example_links) >= len(Catalog.load())
    first = parse_qs(urlsplit(example_links[0].replace("&amp;", "&")).query)
    text = first["query"][0]
    assert text.startswith("# title@nl:")
    assert first["edit"] == ["1"]  # the example opens in the editor, it is not run
    assert "no results" not in html and 'class="results-table"' not in html


def test_form_renders_a_real_query_as_a_table(client: TestClient, kg_store: Path) -> None:
    r = client.get("/query", params={"query": CASES_QUERY})
    assert r.status_code == 200, r.text
    tables = Tables.of(r.text)
    names, rows = direct(kg_store, CASES_QUERY)
    assert tables.headers == names == ["kv", "zaak", "datum", "onderwerp"]
    assert len(rows) == 25 and len(tables.rows) == len(rows)
    for page_row, store_row in zip(tables.rows, rows, strict=True):
        assert [cell_value(c) for c in page_row] == [shown(t) for t in store_row]
    # IRIs are links to themselves; a case is in the table with its number
    first = tables.rows[0][0]
    assert first["href"] == rows[0][0].value and first["href"].startswith("https://kamergraph.nl/id/kamervraag/")
    assert "25 rijen" in r.text
    assert "Afgekapt" not in r.text and "X-Kamergraph-Truncated" not in r.headers
    # the query is kept in the form
    assert "kg:zaaknummer ?zaak" in r.text


def test_download_links_answer_with_the_same_rows(client: TestClient, kg_store: Path) -> None:
    r = client.get("/query", params={"query": CASES_QUERY})
    found = links(r.text)
    assert set(found) == {"CSV", "TSV", "SPARQL JSON"}
    names, rows = direct(kg_store, CASES_QUERY)
    got = client.get(found["CSV"])
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    records = list(csv.DictReader(io.StringIO(got.text)))
    assert [rec["zaak"] for rec in records] == [row[1].value for row in rows]
    got = client.get(found["SPARQL JSON"])
    assert got.status_code == 200 and got.headers["content-type"].startswith("application/sparql-results+json")
    assert [b["zaak"]["value"] for b in got.json()["results"]["bindings"]] == [row[1].value for row in rows]
    got = client.get(found["TSV"])
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/tab-separated-values")
    assert len(got.text.strip().splitlines()) == len(rows) + 1
    assert 'download="resultaat.csv"' in r.text


def test_format_choice_sends_the_form_to_the_endpoint(client: TestClient) -> None:
    r = client.get("/query", params={"query": CASES_QUERY, "format": "csv"}, follow_redirects=False)
    assert r.status_code == 303
    target = r.headers["location"]
    assert target.startswith("/sparql?") and parse_qs(urlsplit(target).query)["query"] == [CASES_QUERY]
    got = client.get(target)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    # a format that does not fit the query is shown in the page
    r = client.get("/query", params={"query": CASES_QUERY, "format": "turtle"})
    assert r.status_code == 406 and "does not fit a SELECT result" in r.text
    r = client.get("/query", params={"query": CASES_QUERY, "format": "pdf"})
    assert r.status_code == 400 and "unknown format" in r.text


def test_ask_and_construct_render_too(client: TestClient, kg_store: Path) -> None:
    r = client.get("/query", params={"query": f'ASK {{ ?kv <https://w3id.org/kamergraph/def#zaaknummer> "{FOUNDING}" }}'})
    assert r.status_code == 200 and "ja (true)" in r.text
    construct = (f'CONSTRUCT {{ ?kv <https://w3id.org/kamergraph/def#zaaknummer> ?z }} WHERE {{ '
                 f'?kv <https://w3id.org/kamergraph/def#zaaknummer> ?z FILTER(?z = "{FOUNDING}") }}')
    r = client.get("/query", params={"query": construct})
    assert r.status_code == 200
    t = Tables.of(r.text)
    assert t.headers == ["subject", "predicate", "object"] and len(t.rows) == 1
    assert t.rows[0][1]["text"] == "kg:zaaknummer" and t.rows[0][1]["title"] == "https://w3id.org/kamergraph/def#zaaknummer"
    assert t.rows[0][2]["text"] == FOUNDING
    assert set(links(r.text)) == {"Turtle", "N-Triples", "JSON-LD"}


# --------------------------------------------------------------------------- errors


def test_syntax_error_is_400_with_the_message_in_the_page(client: TestClient) -> None:
    r = client.get("/query", params={"query": "SELECT * WHERE {\n  ?s ?p \n"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert 'role="alert"' in r.text and "SPARQL syntax error at line" in r.text
    assert "Traceback" not in r.text
    assert "?s ?p" in r.text  # the query stays in the form, to be corrected


def test_update_is_refused_with_403(client: TestClient) -> None:
    for update in ("INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }", "DROP ALL",
                   "DELETE WHERE { ?s ?p ?o }"):
        r = client.get("/query", params={"query": update})
        assert r.status_code == 403, update
        assert "read-only" in r.text and 'role="alert"' in r.text
    r = client.get("/query", params={"query": "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"})
    assert r.status_code == 403 and "SERVICE" in r.text


def test_empty_and_repeated_queries_are_400(client: TestClient) -> None:
    assert client.get("/query", params={"query": "  "}).status_code == 400
    r = client.get("/query?query=ASK%7B%7D&query=ASK%7B%7D")
    assert r.status_code == 400 and "exactly one query" in r.text


def test_truncated_results_are_flagged(kg_store: Path) -> None:
    from server.app import create_app
    from tests.server.conftest import settings_for

    app = create_app(settings_for(kg_store, query_row_limit=3, query_workers=1), kg_store)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/query", params={"query": CASES_QUERY})
        assert r.status_code == 200
        assert r.headers["X-Kamergraph-Truncated"] == "true"
        assert "Afgekapt" in r.text and "meer dan 3 rijen" in r.text
        assert len(Tables.of(r.text).rows) == 3
        r = c.get("/queries/questions-per-fractie-per-year", headers={"Accept": BROWSER_ACCEPT})
        assert r.status_code == 200 and "Afgekapt" in r.text and len(Tables.of(r.text).rows) == 3


# --------------------------------------------------------------------------- escaping


HOSTILE = """<script>alert("x")</script>'"&amp;</textarea><img src=x onerror=alert(1)>"""


def test_markup_in_data_and_query_renders_inert(client: TestClient) -> None:
    literal = HOSTILE.replace("\\", "\\\\").replace('"', '\\"')
    query = (f'SELECT ?x ?iri ?bad WHERE {{ VALUES (?x ?iri ?bad) {{ ("{literal}"@nl '
             '<https://example.org/a?b=1&c=2> <javascript:alert(1)>) } }')
    r = client.get("/query", params={"query": query})
    assert r.status_code == 200, r.text
    html = r.text
    our_scripts_only(html)
    assert "<img" not in html and "</textarea><img" not in html
    t = Tables.of(html)
    assert t.rows[0][0]["text"] == HOSTILE  # the parser decodes the entities: the text is the value
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&#39;&#34;&amp;amp;" in html
    assert t.rows[0][1]["href"] == "https://example.org/a?b=1&c=2"
    assert t.rows[0][2]["href"] is None and t.rows[0][2]["text"] == "javascript:alert(1)"  # not a link
    # the editor's configuration (the query text) is JSON that cannot close its <script>
    config = re.search(r'<script type="application/json" id="kg-editor-config">(.*?)</script>', html, re.S)
    assert config and "<" not in config.group(1)


def test_markup_in_named_query_parameters_renders_inert(client: TestClient) -> None:
    r = client.get("/queries/member-questions", params={"person": HOSTILE}, headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    our_scripts_only(r.text)
    assert "<img" not in r.text and "<script>alert" not in r.text
    assert 'value="&lt;script&gt;alert(&#34;x&#34;)' in r.text  # the bad value stays in the form, as text


# --------------------------------------------------------------------------- named queries as HTML


def test_named_query_html_with_parameters(client: TestClient) -> None:
    r = client.get("/queries/member-questions", params={"person": VAN_OJIK}, headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Accept" in r.headers.get("vary", "")
    html = r.text
    assert "<h1>Kamervragen van één Kamerlid</h1>" in html
    assert "Questions of one member" not in re.sub(r"<pre>.*?</pre>", "", html, flags=re.S)  # but in the query text
    # the member is picked by name: a <select> of the askers' names, the IRI as each value, his selected
    assert '<select id="person" name="person"' in html
    assert f'<option value="https://kamergraph.nl/id/persoon/{VAN_OJIK}" selected>Bram van Ojik</option>' in html
    t = Tables.of(html)
    assert "zaak" in t.headers
    zaak = t.headers.index("zaak")
    assert FOUNDING in {row[zaak]["text"] for row in t.rows}
    # the same rows as the API gives
    api = client.get("/queries/member-questions", params={"person": VAN_OJIK, "format": "json"}).json()
    assert len(t.rows) == len(api["results"]["bindings"])
    # download links: the same URL with format=csv/json/tsv
    found = links(html)
    assert set(found) == {"CSV", "SPARQL JSON", "TSV"}
    for label, media in (("CSV", "text/csv"), ("SPARQL JSON", "application/sparql-results+json"),
                         ("TSV", "text/tab-separated-values")):
        href = found[label]
        assert href.startswith("/queries/member-questions?") and f"person={VAN_OJIK}" in href
        got = client.get(href, headers={"Accept": BROWSER_ACCEPT})  # format= wins over the browser's Accept
        assert got.status_code == 200 and got.headers["content-type"].startswith(media), label
    rows = list(csv.DictReader(io.StringIO(client.get(found["CSV"]).text)))
    assert FOUNDING in {row["zaak"] for row in rows}


def test_named_query_form_has_typed_inputs_and_defaults(client: TestClient) -> None:
    r = client.get("/queries/addressed-to", params={"format": "html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'name="from" type="date" value="2019-01-01"' in r.text
    assert 'name="to" type="date" value="2019-12-31"' in r.text
    # a post or ministry is picked by name: the default post is the one selected
    assert '<select id="addressee" name="addressee"' in r.text
    assert re.search(r'<option value="https://kamergraph.nl/id/post/minister-van-buitenlandse-zaken" selected>', r.text)
    r = client.get("/queries/cosigner-pairs", params={"format": "html", "min": "1"})
    assert r.status_code == 200 and 'name="min" type="number" value="1" step="1"' in r.text
    # the EU act is picked by name too (pick=eu-act): the default act is the one selected
    r = client.get("/queries/dual-use", params={"format": "html"})
    assert '<select id="act" name="act"' in r.text
    assert re.search(r'<option value="http://data.europa.eu/eli/reg/2009/428/oj" selected>', r.text), r.text


def test_named_query_html_errors(client: TestClient) -> None:
    r = client.get("/queries/member-questions", params={"person": "not a key"}, headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 400 and "parameter &#39;person&#39;" in r.text and 'role="alert"' in r.text
    assert '<form class="params"' in r.text and 'value="not a key"' in r.text
    r = client.get("/queries/dual-use", params={"wet": "x", "format": "html"})
    assert r.status_code == 400 and "unknown parameter &#39;wet&#39;" in r.text
    r = client.get("/queries/no-such-query", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "no named query" in r.text
    # API clients keep the one JSON error shape
    r = client.get("/queries/no-such-query")
    assert r.status_code == 404 and r.json()["error"]["status"] == 404
    r = client.get("/queries/member-questions", params={"person": "not a key"})
    assert r.status_code == 400 and "person" in r.json()["error"]["detail"]


def test_api_clients_keep_json(client: TestClient) -> None:
    for accept in (None, "*/*", "application/json", "application/sparql-results+json"):
        headers = {"Accept": accept} if accept else {}
        r = client.get("/queries/dual-use", headers=headers)
        assert r.status_code == 200
        assert r.headers["content-type"].split(";")[0] in ("application/sparql-results+json", "application/json")
        assert r.json()["results"]["bindings"]
        r = client.get("/queries", headers=headers)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
        assert "queries" in r.json()
    r = client.get("/queries/dual-use", headers={"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv")
    r = client.get("/queries", params={"format": "json"}, headers={"Accept": BROWSER_ACCEPT})
    assert r.headers["content-type"].startswith("application/json")


def test_queries_list_as_html(client: TestClient) -> None:
    from queries.catalog import Catalog

    r = client.get("/queries", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "<h1>" in html and '<html lang="nl">' in html
    for q in Catalog.load():
        assert f'<a href="/queries/{q.name}">' in html
        assert f'action="/queries/{q.name}"' in html
        assert f'href="/queries/{q.name}?format=csv"' in html and f'href="/queries/{q.name}?format=json"' in html
        for p in q.params:
            assert f'id="{q.name}-{p.name}" name="{p.name}"' in html
            assert f'<label for="{q.name}-{p.name}">' in html
    assert 'id="questions-per-fractie-per-year-from" name="from" type="number" value="2007"' in html
    assert 'id="open-questions-today" name="today" type="date" value="' in html


def test_negotiation_offers_html_only_when_preferred() -> None:
    assert choose("select", BROWSER_ACCEPT, html=True)[1] == "html"
    assert choose("select", BROWSER_ACCEPT)[1] == "xml"  # /sparql is unchanged
    assert choose("select", "*/*", html=True)[1] == "json"
    assert choose("select", None, html=True)[1] == "json"
    assert choose("select", "text/html, application/sparql-results+json", html=True)[1] == "json"
    assert choose("ask", "text/html", html=True)[0].startswith("text/html")
    assert choose("select", None, "html", html=True)[1] == "html"
    assert choose("select", BROWSER_ACCEPT, "csv", html=True)[1] == "csv"
    assert wants_html(BROWSER_ACCEPT) and wants_html(None, "html") and not wants_html("*/*")
    assert not wants_html(None) and not wants_html(BROWSER_ACCEPT, "json")


# --------------------------------------------------------------------------- the editor bundle


def test_editor_bundle_is_served_when_installed(client: TestClient) -> None:
    from server.editor import YASGUI_BUILD, editor_files_present

    if not editor_files_present():
        from tests.support.ci import in_ci

        message = f"the YASGUI bundle is not installed in {YASGUI_BUILD} (make setup runs npm ci in frontend/)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    html = client.get("/query").text
    assert '<script src="/static/vendor/yasgui/yasgui.min.js" defer>' in html
    assert '<link rel="stylesheet" href="/static/vendor/yasgui/yasgui.min.css">' in html
    assert "niet geïnstalleerd" not in html
    js = client.get("/static/vendor/yasgui/yasgui.min.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"] and b"Yasgui" in js.content
    assert client.get("/static/vendor/yasgui/yasgui.min.css").status_code == 200
    assert client.get("/static/kamergraph/editor.js").status_code == 200
    assert client.get("/static/kamergraph/kamergraph.css").status_code == 200


def test_without_the_bundle_the_page_is_the_plain_form(kg_store: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    import server.editor
    from server.app import create_app
    from tests.server.conftest import settings_for

    monkeypatch.setattr(server.editor, "YASGUI_BUILD", tmp_path / "missing")
    with caplog.at_level(logging.WARNING, logger="kamergraph.server.editor"):
        app = create_app(settings_for(kg_store, query_workers=1), kg_store)
    assert any("YASGUI editor is not installed" in rec.getMessage() for rec in caplog.records)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/query", params={"query": CASES_QUERY})
        assert r.status_code == 200
        # a plain form, quietly: no developer notice for visitors
        assert "niet geïnstalleerd" not in r.text and "npm ci" not in r.text and 'class="notice"' not in r.text
        assert "yasgui.min.js" not in r.text and "editor.js" not in r.text
        assert len(Tables.of(r.text).rows) == 25  # the form still works
        assert c.get("/static/vendor/yasgui/yasgui.min.js").status_code == 404
