"""The browsable graph on the small real store: every IRI dereferences (a page for browsers, its
description in four RDF formats by Accept or suffix), the pages per class show what the store says
(checked against SPARQL on the same store, not against hand-written strings where it can be), the
backlinks page, unknown IRIs are 404, markup in data stays text, and the language switch works.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, RdfFormat, Store, Triple, Variable, parse

from server.describe import DESCRIBE
from tests.server.description_walk import description

BASE = "https://kamergraph.nl/"
FOUNDING = "2019Z15231"
KV = f"{BASE}id/kamervraag/{FOUNDING}"
VRAAG6 = f"{KV}/vraag/6"
VAN_OJIK = f"{BASE}id/persoon/cefbf19c-653b-4af7-84a6-e17fba0e4a70"
GROENLINKS = f"{BASE}id/fractie/groenlinks"
BUZA_POST = f"{BASE}id/post/minister-van-buitenlandse-zaken"
BUZA = f"{BASE}id/ministerie/mnre1013"
RUTTE3 = f"{BASE}id/kabinet/rutte-iii"
KAMERSTUK = f"{BASE}id/kamerstuk/22112-2686"
DOSSIER = f"{BASE}id/dossier/22112"
PUBLICATION = f"{BASE}id/publicatie/kv-tk-{FOUNDING}"
COM_2016_616 = "http://publications.europa.eu/resource/celex/52016PC0616"
PROCEDURE = "http://publications.europa.eu/resource/procedure/2016_295"
REG_2021_821 = "http://data.europa.eu/eli/reg/2021/821/oj"
REG_428_2009 = "http://data.europa.eu/eli/reg/2009/428/oj"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
PREFIXES = """PREFIX kg: <https://w3id.org/kamergraph/def#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX cito: <http://purl.org/spar/cito/>
"""
FORMATS = {
    "text/turtle": ("ttl", RdfFormat.TURTLE),
    "application/ld+json": ("jsonld", RdfFormat.JSON_LD),
    "application/n-triples": ("nt", RdfFormat.N_TRIPLES),
    "application/rdf+xml": ("rdf", RdfFormat.RDF_XML),
}


def path_of(iri: str) -> str:
    return "/" + iri[len(BASE):] if iri.startswith(BASE) else "/resource?iri=" + quote(iri, safe="")


@pytest.fixture(scope="module")
def store(kg_store: Path) -> Iterator[Store]:
    yield Store.read_only(str(kg_store))


@pytest.fixture(scope="module")
def client(kg_store: Path) -> Iterator[TestClient]:
    """The app on the small real store, with the default row limit (descriptions are compared whole)."""
    from server.app import create_app
    from tests.server.conftest import settings_for

    with TestClient(create_app(settings_for(kg_store), kg_store), raise_server_exceptions=False) as c:
        yield c


def select(store: Store, sparql: str, **bindings: str) -> list[dict[str, str | None]]:
    res = store.query(PREFIXES + sparql, use_default_graph_as_union=True,
                      substitutions={Variable(k): NamedNode(v) for k, v in bindings.items()} or None)
    names = [v.value for v in res.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in res]


def described(store: Store, iri: str) -> set[Triple]:
    """The description as the tests expect it: walked over the store by the rules server.describe documents
    (tests/server/description_walk.py), not by the server's own query."""
    return description(store, iri)


def via_endpoint(client: TestClient, iri: str) -> set[Triple]:
    """The same CONSTRUCT through the public /sparql endpoint (the IRI written into this test's own text)."""
    text = DESCRIBE.replace("?r ", f"<{iri}> ").replace("?r\n", f"<{iri}>\n").replace("?r)", f"<{iri}>)")
    r = client.post("/sparql", data={"query": text}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200, r.text
    return graph_of(r.content, RdfFormat.N_TRIPLES)


def graph_of(body: bytes, fmt: RdfFormat) -> set[Triple]:
    """The triples of a document (pyoxigraph's parser gives quads in the default graph)."""
    return {Triple(q.subject, q.predicate, q.object) for q in parse(body, format=fmt)}


class Page(HTMLParser):
    """What the accessibility and content checks need from a page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html_lang: str | None = None
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[tuple[int, str]] = []
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.labels_for: set[str] = set()
        self.text_parts: list[str] = []
        self._heading: list[str] | None = None
        self._level = 0
        self._link: list[str] | None = None
        self._href = ""
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag in ("script", "style"):
            self._skip += 1
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._level = [], int(tag[1])
        if tag == "a":
            self._link, self._href = [], a.get("href") or ""
        if tag == "label" and a.get("for"):
            self.labels_for.add(a["for"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((self._level, " ".join("".join(self._heading).split())))
            self._heading = None
        if tag == "a" and self._link is not None:
            self.links.append((self._href, " ".join("".join(self._link).split())))
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text_parts.append(data)
        if self._heading is not None:
            self._heading.append(data)
        if self._link is not None:
            self._link.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.text_parts).split())

    def count(self, tag: str) -> int:
        return sum(1 for t, _ in self.tags if t == tag)

    def hrefs(self) -> list[str]:
        return [h for h, _ in self.links]


def get_page(client: TestClient, path: str, **params: str) -> tuple[Page, str]:
    """A page as a browser gets it, in Dutch (no language cookie left from an earlier request)."""
    client.cookies.clear()
    r = client.get(path, params=params or None, headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200, (path, r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("text/html")
    return Page(r.text), r.text


# --------------------------------------------------------------------------- dereferencing and formats


@pytest.mark.parametrize("iri", [KV, VRAAG6, VAN_OJIK, GROENLINKS, BUZA_POST, COM_2016_616, KAMERSTUK])
def test_every_format_by_accept_is_the_description_as_sparql_construct_gives_it(
        client: TestClient, store: Store, iri: str) -> None:
    expected = described(store, iri)
    assert expected, f"the store describes {iri}"
    assert not any(t.subject.__class__.__name__ == "BlankNode" for t in expected)  # set equality is graph equality
    assert via_endpoint(client, iri) == expected
    for media, (_suffix, fmt) in FORMATS.items():
        r = client.get(path_of(iri), headers={"Accept": media})
        assert r.status_code == 200, (media, r.text[:300])
        assert r.headers["content-type"].split(";")[0] == media
        assert r.headers["vary"] == "Accept"
        assert graph_of(r.content, fmt) == expected, media


def test_the_expected_descriptions_hold_every_rule_of_a_description(store: Store) -> None:
    """The walk the tests compare against is not empty where it matters: each rule of server.describe gives
    a known triple of the founding case (a part's part, a whole's link, what cites, a graph's source, a name)."""
    kg, cito = "https://w3id.org/kamergraph/def#", "http://purl.org/spar/cito/"
    kv, vraag6, com = described(store, KV), described(store, VRAAG6), described(store, COM_2016_616)
    citation = NamedNode(f"{VRAAG6}/citatie/1")
    footnote = NamedNode(f"{BASE}id/publicatie/kv-tk-{FOUNDING}/voetnoot/1")
    assert Triple(NamedNode(KV), NamedNode(kg + "heeftVraag"), NamedNode(VRAAG6)) in vraag6  # the whole
    assert Triple(citation, NamedNode(cito + "hasCitingEntity"), NamedNode(VRAAG6)) in vraag6  # a part
    assert Triple(NamedNode(f"{footnote.value}/citatie/1"), NamedNode(cito + "hasCitingEntity"), footnote) in kv
    assert Triple(citation, NamedNode(cito + "hasCitedEntity"), NamedNode(COM_2016_616)) in com  # what cites it
    assert Triple(NamedNode(VRAAG6), NamedNode(cito + "cites"), NamedNode(COM_2016_616)) in com
    prov_source = NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
    assert Triple(NamedNode(f"{BASE}graph/kamervraag/{FOUNDING}"), prov_source,
                  NamedNode(f"{BASE}id/bronrecord/odata-zaak/fce4322a-bc32-4a16-88ed-14847ca93e84")) in kv
    assert Triple(NamedNode(f"{BASE}graph/publicatie/kv-tk-{FOUNDING}"), NamedNode(kg + "bronbestand"),
                  Literal(f"data/texts/seed/kv-tk-{FOUNDING}.txt")) in vraag6  # the graph of its text
    assert Triple(NamedNode(kg + "Vraag"), NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                  Literal("vraag", language="nl")) in vraag6  # the name of its type


def test_the_shortcut_queries_describe_as_the_full_query_does(client: TestClient, store: Store) -> None:
    from server.describe import describe_query

    kinds = {"kamervraag": "Kamervraag", "vraag": "Vraag", "persoon": "Persoon", "fractie": "Fractie", "post": "Post",
             "ministerie": "Ministerie", "kabinet": "Kabinet", "publicatie": "Publicatie", "voetnoot": "Voetnoot",
             "citatie": "Citatie", "vraagstelling": "Vraagstelling", "adressering": "Adressering",
             "ambtsperiode": "Ambtsperiode", "lidmaatschap": "Fractielidmaatschap", "kamerstuk": "Kamerstuk"}
    checked = 0
    for cls in kinds.values():
        for row in select(store, f"SELECT ?x WHERE {{ ?x a kg:{cls} }} LIMIT 15"):
            iri = row["x"] or ""
            query = describe_query(iri, BASE)
            got = {Triple(t.subject, t.predicate, t.object) for t in store.query(
                query, substitutions={Variable("r"): NamedNode(iri)}, use_default_graph_as_union=True)}
            assert got == described(store, iri), iri
            checked += 1
    assert checked > 100


def test_suffix_urls_and_format_parameter_name_a_format(client: TestClient, store: Store) -> None:
    expected = described(store, KV)
    for media, (suffix, fmt) in FORMATS.items():
        r = client.get(f"/id/kamervraag/{FOUNDING}.{suffix}", headers={"Accept": "text/html"})
        assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media
        assert graph_of(r.content, fmt) == expected
        assert r.headers["content-location"] == f"/id/kamervraag/{FOUNDING}.{suffix}"
        r = client.get(f"/id/kamervraag/{FOUNDING}", params={"format": suffix})
        assert r.status_code == 200 and graph_of(r.content, fmt) == expected
    outside = client.get("/resource", params={"iri": COM_2016_616, "format": "ttl"})
    assert outside.status_code == 200 and graph_of(outside.content, RdfFormat.TURTLE) == described(store, COM_2016_616)
    assert client.get(f"/id/kamervraag/{FOUNDING}", params={"format": "docx"}).status_code == 400


def test_turtle_uses_the_project_prefixes_and_puts_the_resource_first(client: TestClient) -> None:
    text = client.get(f"/id/kamervraag/{FOUNDING}.ttl").text
    assert "@prefix kg: <https://w3id.org/kamergraph/def#>" in text
    first_subject = next(ln for ln in text.splitlines() if ln and not ln.startswith("@prefix"))
    assert first_subject.startswith(f"<{KV}>")


def test_browsers_and_star_get_the_page_and_link_headers_name_every_variant(client: TestClient) -> None:
    for accept in (BROWSER_ACCEPT, "*/*", None):
        r = client.get(f"/id/kamervraag/{FOUNDING}", headers={"Accept": accept} if accept else {})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), accept
        assert r.headers["vary"] == "Accept"
    link = r.headers["link"]
    assert f'<{KV}>; rel="canonical"' in link
    for media, (suffix, _) in FORMATS.items():
        assert f'</id/kamervraag/{FOUNDING}.{suffix}>; rel="alternate"; type="{media}"' in link
    page = Page(r.text)
    canon = [a for t, a in page.tags if t == "link" and a.get("rel") == "canonical"]
    assert canon == [{"rel": "canonical", "href": KV}]
    alternates = {a.get("type"): a.get("href") for t, a in page.tags if t == "link" and a.get("rel") == "alternate"}
    for media, (suffix, _) in FORMATS.items():
        assert alternates[media] == f"/id/kamervraag/{FOUNDING}.{suffix}"
    # the q-values decide: Turtle preferred over the page
    r = client.get(f"/id/kamervraag/{FOUNDING}", headers={"Accept": "text/html;q=0.5, text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle")
    r = client.get(f"/id/kamervraag/{FOUNDING}", headers={"Accept": "application/json"})
    assert r.headers["content-type"].startswith("application/ld+json")
    json.loads(r.text)


def test_outside_iris_are_browsable_and_ours_redirect_to_their_path(client: TestClient) -> None:
    r = client.get("/resource", params={"iri": COM_2016_616}, headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200 and "COM(2016) 616" in r.text
    assert f'<{COM_2016_616}>; rel="canonical"' in r.headers["link"]
    assert f'</resource?iri={quote(COM_2016_616, safe="")}&format=ttl>; rel="alternate"; type="text/turtle"' \
        in r.headers["link"]
    r = client.get("/resource", params={"iri": KV, "lang": "en"}, follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == f"/id/kamervraag/{FOUNDING}?lang=en"
    # a news article the graph only cites: its page shows who cites it
    url = select(client_store(client), "SELECT ?u WHERE { ?f a kg:Voetnoot ; cito:cites ?u } LIMIT 1")[0]["u"]
    assert url is not None
    page, _ = get_page(client, "/resource", iri=url)
    assert FOUNDING in page.text
    assert client.get("/resource", params={"iri": "not an iri"}).status_code == 400
    assert client.get("/resource").status_code == 400


def client_store(client: TestClient) -> Store:
    return Store.read_only(str(client.app.state.endpoint.store_path))  # type: ignore[attr-defined]


def test_unknown_iris_are_404_as_a_page_or_the_json_error(client: TestClient) -> None:
    r = client.get("/id/kamervraag/1999Z00000", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "1999Z00000" in r.text and Page(r.text).count("main") == 1
    for accept in ("text/turtle", "application/json", "application/ld+json"):
        r = client.get("/id/kamervraag/1999Z00000", headers={"Accept": accept})
        assert r.status_code == 404 and r.headers["content-type"] == "application/json", accept
        assert r.json()["error"]["status"] == 404
    r = client.get("/id/kamervraag/1999Z00000.ttl")
    assert r.status_code == 404 and r.json()["error"]["title"] == "Not Found"
    r = client.get("/resource", params={"iri": "https://example.org/nothing"}, headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 404
    r = client.get(f"/id/kamervraag/{FOUNDING}", headers={"Accept": "image/png"})
    assert r.status_code == 406 and r.json()["error"]["status"] == 406


def test_the_routes_do_not_shadow_the_endpoint_the_editor_or_the_static_files(client: TestClient) -> None:
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    assert client.get("/query").status_code == 200
    assert client.get("/queries").headers["content-type"].startswith("application/json")
    assert client.get("/static/kamergraph/kamergraph.css").status_code == 200


# --------------------------------------------------------------------------- the pages per class


def test_kamervraag_page(client: TestClient, store: Store) -> None:
    page, html = get_page(client, f"/id/kamervraag/{FOUNDING}")
    facts = select(store, "SELECT ?kv ?title ?date WHERE { ?kv dcterms:title ?title ; dcterms:dateSubmitted ?date }", kv=KV)[0]
    assert page.headings[0] == (1, facts["title"])
    assert "18 juli 2019" in page.text
    # askers with their fractie on the day, addressed posts and their holders, as the graph says
    askers = select(store, """SELECT ?kv ?name ?fractie WHERE { ?kv kg:vraagstelling ?vs . ?vs kg:persoon ?p ; kg:fractie ?f .
        ?p foaf:name ?name . ?f rdfs:label ?fractie }""", kv=KV)
    assert len(askers) == 2
    for a in askers:
        assert f"{a['name']} ({a['fractie']})" in page.text
    addressed = select(store, """SELECT ?kv ?post ?name WHERE { ?kv kg:adressering ?a . ?a kg:post ?p ; kg:persoon ?h .
        ?p rdfs:label ?post . ?h foaf:name ?name }""", kv=KV)
    assert len(addressed) == 2
    for a in addressed:
        assert f"{a['post']} — {a['name']}" in page.text
    # every question, in order, with a link to its own page
    questions = select(store, "SELECT ?kv ?v ?n ?text WHERE { ?kv kg:heeftVraag ?v . ?v kg:vraagnummer ?n ; schema:text ?text } ORDER BY ?n",
                       kv=KV)
    assert len(questions) == 10
    positions = [page.text.index(q["text"]) for q in questions]
    assert positions == sorted(positions)
    hrefs = page.hrefs()
    for q in questions:
        assert f"/id/kamervraag/{FOUNDING}/vraag/{q['n']}" in hrefs
    # footnotes in place, citations linked, with the words they were read from
    assert "/id/kamerstuk/22112-2686" in hrefs
    assert path_of(COM_2016_616) in hrefs and path_of(PROCEDURE) in hrefs
    assert "het voorstel van de Europese Commissie uit 2016 om de dual use- verordening te herzien" in page.text
    assert "brief van 29 augustus 2018" in page.text
    assert html.count("<details class=\"prov\"") >= 6
    # status and sources
    assert "beantwoord" in page.text and "afgedaan" in page.text
    assert "https://zoek.officielebekendmakingen.nl/kv-tk-2019Z15231" in hrefs
    assert "zaken-schriftelijke-vragen" in page.text or "slice.jsonl.gz" in page.text  # the source file
    assert f"/kamervragen?eu={quote(COM_2016_616, safe='')}" in hrefs


def test_grouped_answers_are_shown_once_beside_all_their_questions() -> None:
    from server.pages.kamervraag import AnswerView, QuestionView, blocks_of

    def q(n: int, answers: list[str]) -> QuestionView:
        return QuestionView(f"q{n}", n, f"vraag {n}", None, None, [], [], answers)

    def a(name: str, nums: list[int]) -> AnswerView:
        return AnswerView(name, nums[0], "antwoord", None, None, nums, [f"q{n}" for n in nums], [])

    answers = {"a1": a("a1", [1]), "a2": a("a2", [2, 3, 4]), "a5": a("a5", [5, 7])}
    qs = [q(1, ["a1"]), q(2, ["a2"]), q(3, ["a2"]), q(4, ["a2"]), q(5, ["a5"]), q(6, []), q(7, ["a5"])]
    blocks = blocks_of(qs, answers)
    assert [[x.number for x in b.questions] for b in blocks] == [[1], [2, 3, 4], [5], [6], [7]]
    assert [b.answer.iri if b.answer else None for b in blocks] == ["a1", "a2", "a5", None, None]
    assert [x.iri for x in blocks[4].answer_elsewhere] == ["a5"]


def test_vraag_page_links_its_citation_to_the_eu_page(client: TestClient, store: Store) -> None:
    page, _ = get_page(client, f"/id/kamervraag/{FOUNDING}/vraag/6")
    text = select(store, "SELECT ?v ?t WHERE { ?v schema:text ?t }", v=VRAAG6)[0]["t"]
    assert page.headings[0] == (1, "Vraag 6")
    assert text in page.text
    assert path_of(COM_2016_616) in page.hrefs()
    assert f"/id/kamervraag/{FOUNDING}" in page.hrefs()
    assert f"/id/kamervraag/{FOUNDING}/vraag/5" in page.hrefs() and f"/id/kamervraag/{FOUNDING}/vraag/7" in page.hrefs()


def test_eu_page_identifiers_relations_and_citing_questions(client: TestClient, store: Store) -> None:
    page, _ = get_page(client, "/resource", iri=COM_2016_616)
    ident = select(store, "SELECT ?x ?id ?celex WHERE { ?x dcterms:identifier ?id ; kg:celex ?celex }", x=COM_2016_616)[0]
    assert ident["id"] in page.text and ident["celex"] in page.text
    # the line proposal -> procedure -> regulation -> repealed act, each linked
    for iri in (PROCEDURE, REG_2021_821, REG_428_2009):
        assert path_of(iri) in page.hrefs()
    for words in ("opende procedure", "leidde tot", "trekt in", "stelt herziening voor van"):
        assert words in page.text
    citing = select(store, "SELECT ?x ?v WHERE { ?v cito:cites ?x }", x=COM_2016_616)
    assert [c["v"] for c in citing] == [VRAAG6]
    assert f"/id/kamervraag/{FOUNDING}/vraag/6" in page.hrefs() and f"/id/kamervraag/{FOUNDING}" in page.hrefs()
    assert f"/queries/dual-use?act={quote(COM_2016_616, safe='')}" in page.hrefs()
    assert f"/kamervragen?eu={quote(COM_2016_616, safe='')}" in page.hrefs()
    # an act outside the dual-use line gets no dual-use link
    other, _ = get_page(client, "/resource", iri="http://data.europa.eu/eli/reg/2016/679/oj")
    assert not any(h.startswith("/queries/dual-use") for h in other.hrefs())


def test_persoon_page(client: TestClient, store: Store) -> None:
    page, _ = get_page(client, "/" + VAN_OJIK[len(BASE):])
    name = select(store, "SELECT ?p ?n WHERE { ?p foaf:name ?n }", p=VAN_OJIK)[0]["n"]
    assert page.headings[0] == (1, name)
    memberships = select(store, """SELECT ?p ?m ?start WHERE { ?m org:member ?p ; schema:startDate ?start }""", p=VAN_OJIK)
    assert memberships and page.text.count("Fractie GroenLinks") == sum(
        1 for m in memberships if "fractielidmaatschap" in (m["m"] or ""))
    asked = select(store, "SELECT ?p (COUNT(DISTINCT ?kv) AS ?n) WHERE { ?kv kg:vraagstelling/kg:persoon ?p } GROUP BY ?p",
                   p=VAN_OJIK)[0]["n"]
    assert f"Gestelde Kamervragen ({asked})" in page.text
    assert f"/id/kamervraag/{FOUNDING}" in page.hrefs()


def test_fractie_page(client: TestClient, store: Store) -> None:
    page, _ = get_page(client, "/id/fractie/groenlinks")
    n = select(store, "SELECT ?f (COUNT(DISTINCT ?kv) AS ?n) WHERE { ?kv kg:vraagstelling/kg:fractie ?f } GROUP BY ?f",
               f=GROENLINKS)[0]["n"]
    members = select(store, "SELECT ?f (COUNT(?m) AS ?n) WHERE { ?m a kg:Fractielidmaatschap ; org:organization ?f } GROUP BY ?f",
                     f=GROENLINKS)[0]["n"]
    assert f"Kamervragen van de fractie ({n})" in page.text
    assert f"Leden per periode ({members})" in page.text
    assert "Meest bevraagde ministeries" in page.text and "/id/ministerie/" in " ".join(page.hrefs())
    assert any(h.startswith("/kamervragen?fractie=groenlinks") for h in page.hrefs())
    # members are paged, 50 a page
    pages = -(-int(members or 0) // 50)
    assert f"pagina 1 / {pages}" in page.text
    page2, _ = get_page(client, "/id/fractie/groenlinks", leden_p="2")
    assert f"pagina 2 / {pages}" in page2.text


def test_post_ministerie_and_kabinet_pages(client: TestClient, store: Store) -> None:
    for iri, holders_q in [
        (BUZA_POST, "SELECT ?x (COUNT(?ap) AS ?n) WHERE { ?ap a kg:Ambtsperiode ; kg:post ?x } GROUP BY ?x"),
        (BUZA, "SELECT ?x (COUNT(?ap) AS ?n) WHERE { ?ap a kg:Ambtsperiode ; kg:post/org:postIn ?x } GROUP BY ?x"),
        (RUTTE3, "SELECT ?x (COUNT(?ap) AS ?n) WHERE { ?ap a kg:Ambtsperiode ; kg:kabinet ?x } GROUP BY ?x"),
    ]:
        page, _ = get_page(client, "/" + iri[len(BASE):])
        holders = select(store, holders_q, x=iri)[0]["n"]
        assert re.search(rf"\({holders}\)", page.text), (iri, holders)
        assert "Ontvangen Kamervragen" in page.text and "antwoordtijd" in page.text
    page, _ = get_page(client, "/" + BUZA_POST[len(BASE):])
    received = select(store, "SELECT ?x (COUNT(DISTINCT ?kv) AS ?n) WHERE { ?kv kg:gerichtAan ?x } GROUP BY ?x",
                      x=BUZA_POST)[0]["n"]
    assert f"Ontvangen Kamervragen ({received})" in page.text
    assert "/id/persoon/909e3fd2-9883-448f-bb9f-33e57ad81f93" in page.hrefs()  # Stef Blok held it


def test_kamerstuk_dossier_publication_and_graph_pages(client: TestClient) -> None:
    page, _ = get_page(client, "/id/kamerstuk/22112-2686")
    assert page.headings[0] == (1, "Kamerstuk 22112, nr. 2686")
    assert f"/id/kamervraag/{FOUNDING}" in page.hrefs() and "Kamerstuk 22 112, nr. 2686" in page.text
    assert "https://zoek.officielebekendmakingen.nl/kst-22112-2686" in page.hrefs()
    page, _ = get_page(client, "/id/dossier/22112")
    assert "/id/kamerstuk/22112-2686" in page.hrefs()
    page, _ = get_page(client, f"/id/publicatie/kv-tk-{FOUNDING}")
    assert "kv-tk-2019Z15231" in page.text and f"/id/kamervraag/{FOUNDING}" in page.hrefs()
    page, _ = get_page(client, f"/graph/kamervraag/{FOUNDING}")
    source = select(client_store(client), "SELECT ?g ?f WHERE { ?g kg:bronbestand ?f }", g=f"{BASE}graph/kamervraag/{FOUNDING}")
    assert source and source[0]["f"] in page.text


def test_generic_page_shows_types_every_property_and_backlinks(client: TestClient, store: Store) -> None:
    iri = f"{KV}/vraagsteller/1"
    page, _ = get_page(client, "/" + iri[len(BASE):])
    props = select(store, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", s=iri)
    assert props
    for row in props:
        value = row["o"] or ""
        if value.startswith("http"):
            assert any(h.endswith(value[len(BASE):]) or quote(value, safe="") in h for h in page.hrefs()), value
        else:
            assert value in page.text, value
    assert "Wat hiernaar verwijst (1)" in page.text and f"/id/kamervraag/{FOUNDING}" in page.hrefs()


def test_backlinks_have_counts_and_pages(client: TestClient, store: Store) -> None:
    subjects = {r["s"] for r in select(store, "SELECT ?f ?s WHERE { ?s org:organization ?f }", f=GROENLINKS)}
    assert len(subjects) > 100
    page, _ = get_page(client, "/id/fractie/groenlinks")
    assert f"lidmaatschappen ({len(subjects)})" in page.text
    pred = "http://www.w3.org/ns/org#organization"
    more = [h for h, t in page.links if t.startswith("alle ") and "bl=" in h]
    assert any(parse_qs(urlsplit(h).query)["bl"] == [pred] for h in more)
    seen: list[str] = []
    number = 1
    while number < 100:
        p, _ = get_page(client, "/id/fractie/groenlinks", bl=pred, blp=str(number))
        links = [h for h in p.hrefs() if h.startswith("/id/fractielidmaatschap/")]
        assert 0 < len(links) <= 50
        seen += links
        if not [h for h, t in p.links if parse_qs(urlsplit(h).query).get("blp") == [str(number + 1)]]:
            break
        number += 1
    assert number == -(-len(subjects) // 50)
    assert sorted(set(seen)) == sorted("/" + s[len(BASE):] for s in subjects) and len(seen) == len(subjects)


def test_home_page(client: TestClient, store: Store) -> None:
    page, html = get_page(client, "/")
    n = select(store, "SELECT (COUNT(?kv) AS ?n) WHERE { ?kv a kg:Kamervraag }")[0]["n"]
    assert n is not None and re.search(rf"Kamervragen\s*{n}(?!\d)", page.text)
    forms = [a for t, a in page.tags if t == "form"]
    assert forms == [{"class": "search-box", "method": "get", "action": "/zoeken", "role": "search"}]
    assert "home-q" in page.labels_for
    for href in ("/query", "/queries", f"/id/kamervraag/{FOUNDING}", "/id/fractie/groenlinks", "/dumps/", "/dataset",
                 "/def"):
        assert href in page.hrefs(), href
        if href.startswith("/") and not href.startswith("/id/"):  # the entry points answer
            assert client.get(href, headers={"Accept": BROWSER_ACCEPT}).status_code == 200, href
    latest = select(store, "SELECT ?kv ?d WHERE { ?kv a kg:Kamervraag ; dcterms:dateSubmitted ?d } ORDER BY DESC(?d) LIMIT 1")
    assert "/" + (latest[0]["kv"] or "")[len(BASE):] in page.hrefs()
    # the complete period, measured (kamergraph.coverage) from this store's own Kamervragen
    from kamergraph.coverage import measure_dates

    dates = [r["d"] for r in select(store, "SELECT ?d WHERE { ?kv a kg:Kamervraag ; dcterms:dateSubmitted ?d }")]
    cov = measure_dates(d for d in dates if d and len(d) == 10)
    assert cov is not None and (cov.before or cov.after)
    assert 'id="coverage-note"' in html
    note = html[html.index('id="coverage-note"'):].split("</p>", 1)[0]
    assert f"{cov.before} vragen" in note if cov.before else f"{cov.after} vragen" in note


# --------------------------------------------------------------------------- language


def test_language_switch_sets_a_cookie_and_english_holds(client: TestClient) -> None:
    client.cookies.clear()
    nl = client.get(f"/id/kamervraag/{FOUNDING}", headers={"Accept": BROWSER_ACCEPT})
    assert Page(nl.text).html_lang == "nl" and "Wat hiernaar verwijst" in nl.text
    switch = [h for h, t in Page(nl.text).links if t == "English"]
    assert switch == [f"/id/kamervraag/{FOUNDING}?lang=en"]
    en = client.get(switch[0], headers={"Accept": BROWSER_ACCEPT})
    assert en.status_code == 200 and Page(en.text).html_lang == "en"
    assert "What links here" in en.text and "Asked by" in en.text and "18 July 2019" in en.text
    assert "Wat hiernaar verwijst" not in en.text
    assert "kg_lang=en" in en.headers["set-cookie"]
    again = client.get("/", headers={"Accept": BROWSER_ACCEPT})  # the cookie holds
    assert Page(again.text).html_lang == "en" and "Latest questions" in again.text
    back = client.get("/?lang=nl", headers={"Accept": BROWSER_ACCEPT})
    assert Page(back.text).html_lang == "nl" and "kg_lang=nl" in back.headers["set-cookie"]
    client.cookies.clear()


# --------------------------------------------------------------------------- accessibility


PAGES = ["/", f"/id/kamervraag/{FOUNDING}", f"/id/kamervraag/{FOUNDING}/vraag/6", "/resource?iri=" + quote(COM_2016_616),
         "/" + VAN_OJIK[len(BASE):], "/id/fractie/groenlinks", "/id/post/minister-van-buitenlandse-zaken",
         "/id/ministerie/mnre1013", "/id/kabinet/rutte-iii", "/id/kamerstuk/22112-2686",
         f"/id/publicatie/kv-tk-{FOUNDING}", f"/id/kamervraag/{FOUNDING}/vraagsteller/1"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_pages_have_lang_landmarks_ordered_headings_and_labels(client: TestClient, path: str, lang: str) -> None:
    r = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}", headers={"Accept": BROWSER_ACCEPT})
    client.cookies.clear()
    assert r.status_code == 200
    page = Page(r.text)
    assert page.html_lang == lang
    for landmark in ("main", "header", "footer"):
        assert page.count(landmark) >= 1, landmark
    assert page.count("main") == 1
    assert any(t == "nav" and a.get("aria-label") for t, a in page.tags)
    levels = [lvl for lvl, _ in page.headings]
    assert levels.count(1) == 1 and levels[0] == 1, page.headings
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, (path, page.headings)
    assert all(text for _, text in page.headings)
    for tag, a in page.tags:
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            assert a.get("id") in page.labels_for or a.get("aria-label"), a
        if tag == "img":
            assert a.get("alt") is not None
    assert all(text.strip() for _, text in page.links if _ and not _.startswith("#")), \
        [h for h, t in page.links if not t.strip()]
    assert "Tweede Kamer der Staten-Generaal / officielebekendmakingen.nl" in page.text
    if path != "/":
        assert any(t == "Turtle" for _, t in page.links)


def _rgb(colour: str) -> tuple[float, float, float]:
    c = colour.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    return tuple(int(c[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def contrast(fg: str, bg: str) -> float:
    def lum(colour: str) -> float:
        r, g, b = (x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in _rgb(colour))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    a, b = sorted((lum(fg), lum(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def test_the_stylesheet_colours_have_enough_contrast() -> None:
    css = (Path(__file__).resolve().parents[2] / "server" / "static" / "kamergraph.css").read_text()
    var = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{3,6})", css))

    def rule(selector: str) -> dict[str, str]:
        m = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
        assert m, selector
        props = dict((k.strip(), v.strip()) for k, v in (p.split(":", 1) for p in m.group(1).split(";") if ":" in p))
        return {k: re.sub(r"var\(--([a-z-]+)\)", lambda x: var[x.group(1)], v) for k, v in props.items()}

    header_bg = rule(".site-header")["background"]
    pairs = [
        (var["fg"], var["bg"], "text"), (var["muted"], var["bg"], "muted text"), (var["muted"], var["panel"], "muted on panel"),
        (var["accent"], var["bg"], "links"), (var["accent"], var["panel"], "links on panels"),
        (var["accent-dark"], var["bg"], "visited/hover links"), ("#ffffff", var["accent"], "buttons"),
        ("#ffffff", header_bg, "header"), (rule(".tagline")["color"], header_bg, "tagline"),
        (var["error-fg"], var["error-bg"], "errors"), (var["warn-fg"], var["warn-bg"], "warnings"),
        (var["fg"], rule(".qa-a")["background"], "answers"), (var["muted"], rule(".qa-a")["background"], "no answer"),
    ]
    for status in ("beantwoord", "open", "uitgesteld"):
        r = rule(f".status.status-{status}")
        pairs.append((r["color"], r["background"], f"status {status}"))
    pairs.append(("#ffffff", var["accent-dark"], "current page marker"))
    low = [(what, fg, bg, round(contrast(fg, bg), 2)) for fg, bg, what in pairs if contrast(fg, bg) < 4.5]
    assert not low, low


# --------------------------------------------------------------------------- markup in data


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A tiny store whose labels and texts hold markup and quotes."""
    from kamergraph.settings import Settings
    from server.app import create_app

    path = tmp_path_factory.mktemp("hostile") / "store"
    s = Store(str(path))
    kg = "https://w3id.org/kamergraph/def#"
    ttl = f"""
@prefix kg: <{kg}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{BASE}id/fractie/x> a kg:Fractie ; rdfs:label "<script>alert('f')</script>\\"><img src=x onerror=alert(1)>" .
<{BASE}id/persoon/x> a kg:Persoon ; foaf:name "Jan \\"<b>vet</b>\\" O'Neil <script>alert(2)</script>" .
<{BASE}id/kamervraag/2020Z00001> a kg:Kamervraag ; kg:zaaknummer "2020Z00001" ;
  dcterms:title "Over <script>alert(3)</script> & \\"quotes\\" 'too'"@nl ; dcterms:dateSubmitted "2020-01-02"^^<http://www.w3.org/2001/XMLSchema#date> ;
  kg:afgedaan false ; kg:vraagstelling <{BASE}id/kamervraag/2020Z00001/vraagsteller/1> ; kg:indiener <{BASE}id/persoon/x> .
<{BASE}id/kamervraag/2020Z00001/vraagsteller/1> a kg:Vraagstelling ; kg:persoon <{BASE}id/persoon/x> ;
  kg:fractie <{BASE}id/fractie/x> ; kg:rol kg:RolIndiener ; kg:naamInBron "<i>naam</i>" .
<{BASE}id/kamervraag/2020Z00001> kg:heeftVraag <{BASE}id/kamervraag/2020Z00001/vraag/1> .
<{BASE}id/kamervraag/2020Z00001/vraag/1> a kg:Vraag ; kg:vraagnummer 1 ; <https://schema.org/text> "Is <script>alert(4)</script> veilig?"@nl ;
  <http://purl.org/spar/cito/cites> <javascript:alert(5)> .
"""
    s.load(ttl.encode(), format=RdfFormat.TURTLE, to_graph=NamedNode(f"{BASE}graph/test/hostile"))
    s.flush()
    del s
    app = create_app(Settings(store=str(path), query_workers=1, query_timeout=10.0), path)
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize("path", ["/id/kamervraag/2020Z00001", "/id/persoon/x", "/id/fractie/x",
                                  "/id/kamervraag/2020Z00001/vraag/1", "/", "/id/kamervraag/2020Z00001?lang=en"])
def test_markup_and_quotes_in_data_render_inert(hostile_client: TestClient, path: str) -> None:
    r = hostile_client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200, r.text[:300]
    body = r.text
    assert "<script>alert" not in body and "<img src=x" not in body and "<b>vet</b>" not in body
    assert 'href="javascript:' not in body.lower()
    page = Page(body)
    assert not [a for t, a in page.tags if t == "script"]
    assert not [a for t, a in page.tags if t == "img"]
    assert all(not k.startswith("on") for _, a in page.tags for k in a)
    if path.startswith("/id/kamervraag/2020Z00001") and "vraag" not in path:
        assert "Over <script>alert(3)</script> & \"quotes\" 'too'" in page.text  # shown as text, whole
        assert "&lt;script&gt;alert(3)&lt;/script&gt;" in body
        assert "Jan \"<b>vet</b>\" O'Neil" in page.text
    r = hostile_client.get(path.split("?")[0] + (".ttl" if path.startswith("/id/") else ""), headers={"Accept": "text/turtle"})
    if path.startswith("/id/"):
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
