"""The query editor, the named-query pages and their error pages in Dutch (the default) and English.

``?lang=en`` (or the ``kg_lang`` cookie it sets) gives ``<html lang="en">`` and English UI text,
no ``lang`` gives Dutch; known UI strings are checked both ways, and the page's visible UI text
(data, code and the server's own error messages left out) is checked for words of the other
language. Runs on the small real store (the ``kg_client`` fixture).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
VAN_OJIK = "cefbf19c-653b-4af7-84a6-e17fba0e4a70"
FOUNDING = "2019Z15231"
CASES_QUERY = """PREFIX kg: <https://w3id.org/kamergraph/def#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?kv ?zaak ?datum WHERE { ?kv a kg:Kamervraag ; kg:zaaknummer ?zaak ; dcterms:dateSubmitted ?datum }
ORDER BY ?zaak LIMIT 25"""

#: Words that only the Dutch UI uses / only the English UI uses (checked as whole words in the page's UI text).
DUTCH_WORDS = {"de", "het", "een", "niet", "met", "deze", "geen", "naar", "alle", "wel", "uitvoeren", "fout",
               "voorbeelden", "openen", "tekst", "resultaat", "rijen", "standaard", "downloaden", "getal"}
ENGLISH_WORDS = {"the", "and", "with", "this", "run", "error", "examples", "open", "text", "result", "rows",
                 "default", "download", "number", "named"}

#: Per page: (Dutch, English) UI strings as they appear in the HTML.
PAGES: dict[str, tuple[str, dict[str, str], int, list[tuple[str, str]]]] = {
    "editor": ("/query", {}, 200, [
        ("<title>SPARQL-query-editor · kamergraph</title>", "<title>SPARQL query editor · kamergraph</title>"),
        ("<h1>SPARQL-query-editor</h1>", "<h1>SPARQL query editor</h1>"),
        ('<h2 id="examples-heading">Voorbeelden</h2>', '<h2 id="examples-heading">Examples</h2>'),
        ('<label for="format">Resultaat als</label>', '<label for="format">Result as</label>'),
        (">Uitvoeren</button>", ">Run</button>"),
        (">Tabel op deze pagina (HTML)</option>", ">Table on this page (HTML)</option>"),
        ("<summary>Prefixen van het project</summary>", "<summary>The project&#39;s prefixes</summary>"),
        (">Uitvoeren met parameters</a>", ">Run with parameters</a>"),
        ("<h3>Kamervragen van één Kamerlid</h3>", "<h3>Questions of one member</h3>"),
        ('aria-current="page">Query-editor</a>', 'aria-current="page">Query editor</a>'),
    ]),
    "editor-result": ("/query", {"query": CASES_QUERY}, 200, [
        ('<h2 id="results-heading">Resultaat</h2>', '<h2 id="results-heading">Result</h2>'),
        ('<p class="count">25 rijen</p>', '<p class="count">25 rows</p>'),
        ('<p class="downloads">Downloaden:', '<p class="downloads">Download:'),
        ('download="resultaat.csv"', 'download="result.csv"'),
    ]),
    "editor-error": ("/query", {"query": "SELECT * WHERE { ?s ?p }"}, 400, [
        ('<h2>Fout <span class="status">400</span></h2>', '<h2>Error <span class="status">400</span></h2>'),
    ]),
    "queries": ("/queries", {}, 200, [
        ("<title>Vaste queries · kamergraph</title>", "<title>Named queries · kamergraph</title>"),
        ("<h1>Vaste queries</h1>", "<h1>Named queries</h1>"),
        ('<a href="/queries/member-questions">Kamervragen van één Kamerlid</a>',
         '<a href="/queries/member-questions">Questions of one member</a>'),
        (">Tekst in de editor openen</a>", ">Open the text in the editor</a>"),
        (">Uitvoeren</button>", ">Run</button>"),
        ('<p class="downloads">Downloaden:', '<p class="downloads">Download:'),
        ("geheel getal · standaard: <code>", "whole number · default: <code>"),
        ("datum, JJJJ-MM-DD", "date, YYYY-MM-DD"),
        ("kies een naam", "pick a name"),
    ]),
    "named": ("/queries/member-questions", {"person": VAN_OJIK}, 200, [
        ("<title>Kamervragen van één Kamerlid · kamergraph</title>",
         "<title>Questions of one member · kamergraph</title>"),
        ("<h1>Kamervragen van één Kamerlid</h1>", "<h1>Questions of one member</h1>"),
        ('aria-label="Kruimelpad"', 'aria-label="Breadcrumb"'),
        ('<a href="/queries">Vaste queries</a> ›', '<a href="/queries">Named queries</a> ›'),
        ('<h2 id="results-heading">Resultaat</h2>', '<h2 id="results-heading">Result</h2>'),
        ("<summary>De SPARQL-tekst</summary>", "<summary>The SPARQL text</summary>"),
        (">In de editor openen</a> (de parameters zijn daar niet gebonden)",
         ">Open in the editor</a> (the parameters are not bound there)"),
    ]),
    "named-error": ("/queries/member-questions", {"person": "not a key"}, 400, [
        ('<h2>Fout <span class="status">400</span></h2>', '<h2>Error <span class="status">400</span></h2>'),
        (">Uitvoeren</button>", ">Run</button>"),
    ]),
    "error-page": ("/queries/no-such-query", {}, 404, [
        ("<title>Fout 404 · kamergraph</title>", "<title>Error 404 · kamergraph</title>"),
        ("<h1>Fout 404</h1>", "<h1>Error 404</h1>"),
        ('<h2>Fout <span class="status">404</span></h2>', '<h2>Error <span class="status">404</span></h2>'),
        ('<a href="/queries">Alle vaste queries</a>', '<a href="/queries">All named queries</a>'),
        ('<a href="/query">De query-editor</a>', '<a href="/query">The query editor</a>'),
    ]),
}


class UIText(HTMLParser):
    """The page's own UI text: text nodes and aria-labels, without data and code (``pre``, ``code``,
    ``textarea``, ``script``, result tables, the server's error message, parameter types) and
    without elements in another language than the page's (``lang`` attribute)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    SKIP_TAGS = {"pre", "code", "textarea", "script", "style", "table"}
    SKIP_CLASSES = {"message", "type"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page_lang: str | None = None
        self.parts: list[str] = []
        self._stack: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.page_lang = a.get("lang")
            return
        skip = (tag in self.SKIP_TAGS or bool(set((a.get("class") or "").split()) & self.SKIP_CLASSES)
                or (a.get("lang") is not None and a.get("lang") != self.page_lang))
        if not (skip or self._skipping()) and a.get("aria-label"):
            self.parts.append(a["aria-label"] or "")
        if tag not in self.VOID:
            self._stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self.parts.append(data)

    @classmethod
    def words(cls, html: str) -> tuple[str | None, set[str]]:
        p = cls()
        p.feed(html)
        return p.page_lang, {w.lower() for w in re.findall(r"[^\W\d_]+", " ".join(p.parts))}


def get(client: TestClient, path: str, params: dict[str, str], lang: str | None = None):
    client.cookies.clear()
    query = {**params, **({"lang": lang} if lang else {})}
    return client.get(path, params=query, headers={"Accept": BROWSER_ACCEPT})


# --------------------------------------------------------------------------- each page, both languages


@pytest.mark.parametrize("page", list(PAGES))
def test_default_is_dutch(kg_client: TestClient, page: str) -> None:
    path, params, status, strings = PAGES[page]
    r = get(kg_client, path, params)
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")
    assert '<html lang="nl">' in r.text
    for nl, en in strings:
        assert nl in r.text, nl
        assert en not in r.text, en
    lang, words = UIText.words(r.text)
    assert lang == "nl"
    assert words & DUTCH_WORDS, "the page has no Dutch UI text at all"
    assert not words & ENGLISH_WORDS, sorted(words & ENGLISH_WORDS)


@pytest.mark.parametrize("page", list(PAGES))
def test_lang_en_gives_english(kg_client: TestClient, page: str) -> None:
    path, params, status, strings = PAGES[page]
    r = get(kg_client, path, params, "en")
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in r.text
    assert "kg_lang=en" in r.headers.get("set-cookie", "")
    for nl, en in strings:
        assert en in r.text, en
        assert nl not in r.text, nl
    lang, words = UIText.words(r.text)
    assert lang == "en"
    assert words & ENGLISH_WORDS, "the page has no English UI text at all"
    assert not words & DUTCH_WORDS, sorted(words & DUTCH_WORDS)


def test_server_messages_stay_as_they_are(kg_client: TestClient) -> None:
    """The parser's and the catalog's messages are not translated: the same text in both languages."""
    for path, params in (("/query", {"query": "SELECT * WHERE { ?s ?p }"}),
                         ("/queries/member-questions", {"person": "not a key"}),
                         ("/queries/no-such-query", {})):
        messages = []
        for lang in (None, "en"):
            r = get(kg_client, path, params, lang)
            m = re.search(r'<p class="message">(.*?)</p>', r.text, re.S)
            assert m, (path, lang)
            messages.append(m.group(1))
        assert messages[0] == messages[1] and messages[0].strip(), path
    assert "no named query" in messages[0]


# --------------------------------------------------------------------------- the cookie and the forms


def test_the_language_cookie_carries_over(kg_client: TestClient) -> None:
    kg_client.cookies.clear()
    r = kg_client.get("/queries", params={"lang": "en"}, headers={"Accept": BROWSER_ACCEPT})
    assert "kg_lang=en" in r.headers["set-cookie"]
    for path, params, marker in (("/query", {}, "<h1>SPARQL query editor</h1>"),
                                 ("/queries/dual-use", {}, "<h1>Questions about the EU dual-use regulation</h1>"),
                                 ("/queries/no-such-query", {}, "<h1>Error 404</h1>")):
        r = kg_client.get(path, params=params, headers={"Accept": BROWSER_ACCEPT})  # no ?lang=: the cookie
        assert '<html lang="en">' in r.text and marker in r.text, path
    r = kg_client.get("/query", params={"lang": "nl"})
    assert '<html lang="nl">' in r.text and "kg_lang=nl" in r.headers["set-cookie"]
    r = kg_client.get("/queries", headers={"Accept": BROWSER_ACCEPT})
    assert '<html lang="nl">' in r.text and "<h1>Vaste queries</h1>" in r.text
    kg_client.cookies.clear()


def test_lang_is_no_query_parameter(kg_client: TestClient) -> None:
    """``?lang=en`` on a named query's page picks the language: the results are those of the Dutch page,
    the form keeps the language, and the download links (the API) do not get it."""
    nl = get(kg_client, "/queries/member-questions", {"person": VAN_OJIK})
    en = get(kg_client, "/queries/member-questions", {"person": VAN_OJIK}, "en")
    assert nl.status_code == en.status_code == 200

    def rows(html: str) -> list[str]:
        m = re.search(r'<table class="results-table">(.*?)</table>', html, re.S)
        assert m
        return re.findall(r"<tr>.*?</tr>", m.group(1), re.S)

    assert rows(en.text) == rows(nl.text) and FOUNDING in "".join(rows(en.text))
    assert '<input type="hidden" name="lang" value="en">' in en.text
    assert 'name="lang"' not in nl.text
    downloads = re.findall(r'<a href="([^"]+)" download=', en.text)
    assert downloads and all("lang=" not in d for d in downloads)
    for href in downloads:
        got = kg_client.get(href.replace("&amp;", "&"))
        assert got.status_code == 200, href
    # the editor's form keeps the language too
    r = get(kg_client, "/query", {}, "en")
    assert '<input type="hidden" name="lang" value="en">' in r.text
