"""The ontology documentation in a real browser (Debian's headless Chromium through Playwright).

The page ``/def`` is opened, a term IRI's fragment (``/def#Kamervraag``) lands on that term, the
inline class diagram is measured as Chromium draws it (no two boxes or labels overlap, every text
fits in its box), the SVG at ``/def/diagram.svg`` and the shapes page are opened, and all are saved
as screenshots in the test artefacts (ontology-*.png). No request may leave 127.0.0.1.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.test_pages_browser import open_page, stays_local

pytestmark = pytest.mark.browser

#: Every drawn box, label and text of the inline diagram, as Chromium lays them out.
MEASURE = """() => {
  const svg = document.querySelector('.diagram-wrap svg');
  const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const groups = [...svg.querySelectorAll('g.node, g.edge-label')].map(g => ({
    iri: g.getAttribute('data-iri') || g.textContent.trim(),
    rect: box(g.querySelector('rect')),
    texts: [...g.querySelectorAll('text')].map(box),
  }));
  return {groups, svg: box(svg)};
}"""


def overlap(a: list[float], b: list[float]) -> float:
    """The area two boxes share."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def test_ontology_page_term_anchor_and_diagram(browser: Any, live_server: LiveServer,  # noqa: F811
                                               artifacts: Path) -> None:
    context, page, watch = open_page(browser, live_server)
    art = artifacts
    with stays_local(watch), context:
        response = page.goto(live_server.url + "/def", wait_until="load")
        assert response is not None and response.status == 200
        assert page.locator("html").get_attribute("lang") == "nl"
        assert page.locator("h1").inner_text() == "kamergraph-ontologie"
        assert any(urlsplit(u).path == "/static/kamergraph/kamergraph.css" for u in watch.requests)
        page.screenshot(path=str(art / "ontology-page.png"), full_page=False)

        # the diagram as drawn: nothing on top of anything else, every text inside its box
        m = page.evaluate(MEASURE)
        groups = m["groups"]
        assert len([g for g in groups if g["iri"].startswith("https://w3id.org/kamergraph/def#")]) >= 20
        for i, a in enumerate(groups):
            for b in groups[i + 1:]:
                assert overlap(a["rect"], b["rect"]) == 0, f"{a['iri']} overlaps {b['iri']} in the diagram"
            left, top, right, bottom = a["rect"]
            for t in a["texts"]:
                assert t[0] >= left - 0.5 and t[2] <= right + 0.5 and t[1] >= top - 0.5 and t[3] <= bottom + 0.5, \
                    f"a text of {a['iri']} does not fit in its box: {t} in {a['rect']}"
        diagram = page.locator(".diagram-wrap")
        diagram.scroll_into_view_if_needed()
        diagram.screenshot(path=str(art / "ontology-diagram-inline.png"))

        # a class box links to its term
        page.locator('.diagram-wrap g.node[data-iri$="#Vraagstelling"] a').click()
        page.wait_for_function("() => location.hash === '#Vraagstelling'")
        assert page.locator("section#Vraagstelling").is_visible()

        # the term IRI's fragment lands on the term, in the viewport
        page.goto(live_server.url + "/def#Kamervraag", wait_until="load")
        term = page.locator("section.onto-term#Kamervraag")
        assert term.is_visible()
        top = term.evaluate("el => el.getBoundingClientRect().top")
        assert 0 <= top < 200, f"the term is not at the top of the window: {top}"
        assert "Kamervraag" in term.locator("h3").inner_text()
        assert term.locator(".example a").count() >= 1  # an instance from the store, linked to its page
        page.screenshot(path=str(art / "ontology-term-kamervraag.png"), full_page=False)

        # the reused vocabularies, once the scan of the store (started by the first request) is done
        deadline = time.monotonic() + 120
        while page.locator("table.reused-terms").count() == 0:
            assert time.monotonic() < deadline, "the list of reused terms did not appear"
            time.sleep(1)
            page.reload(wait_until="load")
        assert page.locator("table.reused-terms tr[data-iri='http://purl.org/dc/terms/title']").count() == 1
        page.locator("section.reused").screenshot(path=str(art / "ontology-reused.png"))

        # in English, through the language switch
        page.locator(".lang-switch a").click()
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("h1").inner_text() == "kamergraph ontology"
        assert page.locator("#h-class").inner_text().startswith("Classes")
        page.screenshot(path=str(art / "ontology-page-en.png"), full_page=False)
        page.locator(".lang-switch a").click()
        page.wait_for_load_state("load")


def test_diagram_svg_and_shapes_page(browser: Any, live_server: LiveServer, artifacts: Path) -> None:  # noqa: F811
    context, page, watch = open_page(browser, live_server)
    art = artifacts
    with stays_local(watch), context:
        response = page.goto(live_server.url + "/def/diagram.svg", wait_until="load")
        assert response is not None and response.status == 200
        assert response.headers["content-type"].startswith("image/svg+xml")
        size = page.evaluate("() => { const r = document.documentElement.getBoundingClientRect(); "
                             "return [r.width, r.height]; }")
        page.set_viewport_size({"width": int(size[0]) + 1, "height": int(size[1]) + 1})
        shot = art / "ontology-diagram.png"
        page.screenshot(path=str(shot), full_page=False)
        assert shot.stat().st_size > 20_000

        page.set_viewport_size({"width": 1280, "height": 900})
        response = page.goto(live_server.url + "/def/shapes#KamervraagShape", wait_until="load")
        assert response is not None and response.status == 200
        assert page.locator("section.shape#KamervraagShape").is_visible()
        assert page.locator("section.shape#KamervraagShape a[href='/def#Kamervraag']").count() >= 1
        page.screenshot(path=str(art / "ontology-shapes.png"), full_page=False)
