"""Every internal link the pages make resolves: the founding case's page links every kind of page (its
askers, posts, fracties, cabinets, publications, citations, backlinks, lists, the editor), on the small
real store (``kg_client``); each internal link is followed once and must not answer 404 (the "via
void:exampleResource" of a backlink did). And a post's RDF names the holders its page lists."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient

BROWSER = "text/html,application/xhtml+xml"
BASE = "https://kamergraph.nl"
START = ["/id/kamervraag/2019Z15231"]


def internal_links(html: str) -> set[str]:
    out = set()
    for href in re.findall(r'href="([^"#]+)', html):
        href = unescape(href)
        if href.startswith(BASE + "/"):
            href = href[len(BASE):]
        if href.startswith("/") and not href.startswith(("//", "/static/")):
            out.add(href)
    return out


def test_internal_links_of_the_pages_resolve(kg_client: TestClient) -> None:
    links: set[str] = set()
    for path in START:
        r = kg_client.get(path, headers={"Accept": BROWSER})
        assert r.status_code == 200, path
        links |= internal_links(r.text)
    assert len(links) > 20
    missing = [href for href in sorted(links)
               if kg_client.get(href, headers={"Accept": BROWSER}).status_code == 404]
    assert missing == []


def test_a_backlink_via_an_outside_vocabulary_links_its_own_page(kg_client: TestClient) -> None:
    html = kg_client.get("/id/kamervraag/2019Z15231", headers={"Accept": BROWSER}).text
    assert 'href="http://rdfs.org/ns/void#exampleResource"' in html
    assert "/resource?iri=http%3A%2F%2Frdfs.org%2Fns%2Fvoid%23exampleResource" not in html


def test_the_rdf_of_a_post_has_the_holders_its_page_lists(kg_client: TestClient) -> None:
    from pyoxigraph import RdfFormat, parse

    path = "/id/post/minister-van-buitenlandse-zaken"
    html = kg_client.get(path, headers={"Accept": BROWSER}).text
    holders_section = re.search(r'<section aria-labelledby="holders-h">(.*?)</section>', html, re.S)
    assert holders_section
    shown = {unescape(h) for h in re.findall(r'href="(/id/persoon/[^"]+)"', holders_section.group(1))}
    assert shown, "the post's page lists its holders"
    r = kg_client.get(path, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    triples = list(parse(r.content, format=RdfFormat.TURTLE))
    post = BASE + path
    kg = "https://w3id.org/kamergraph/def#"
    holdings = {t.subject for t in triples if t.predicate.value == kg + "post" and t.object.value == post}
    holders = {t.object.value for t in triples if t.subject in holdings and t.predicate.value == kg + "persoon"}
    assert {BASE + h for h in shown} <= holders
    named = {t.subject.value for t in triples if t.predicate.value == "http://xmlns.com/foaf/0.1/name"}
    assert holders <= named  # each holder with the name the page shows
