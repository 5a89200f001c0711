"""A phone's width (issue 17): one page of every page class opened in Chromium 390 px wide, on the small real
store, is no wider than the screen (``document.documentElement.scrollWidth <= 390``); the names in the tables of
members and holders are not broken a letter per line; the pages of a person, a fractie, a ministry and a cabinet
are saved with their charts at 1280 and at 390 px (phone-*.png in the test's artefacts)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

PHONE = 390
FOUNDING = "2019Z15231"
COM_2016_616 = "http://publications.europa.eu/resource/celex/52016PC0616"

#: (name, path) of one page of every page class; the first four are saved at both widths.
PAGES = [
    ("persoon", "/id/persoon/cefbf19c-653b-4af7-84a6-e17fba0e4a70"),
    ("fractie", "/id/fractie/groenlinks"),
    ("ministerie", "/id/ministerie/mnre1013"),
    ("kabinet", "/id/kabinet/rutte-iii"),
    ("post", "/id/post/minister-van-buitenlandse-zaken"),
    ("home", "/"),
    ("kamervraag", f"/id/kamervraag/{FOUNDING}"),
    ("vraag", f"/id/kamervraag/{FOUNDING}/vraag/6"),
    ("eu", "/resource?iri=" + quote(COM_2016_616, safe="")),
    ("kamerstuk", "/id/kamerstuk/22112-2686"),
    ("dossier", "/id/dossier/22112"),
    ("generic", f"/id/publicatie/kv-tk-{FOUNDING}"),
    ("notfound", "/id/kamervraag/1999Z00000"),
    ("list", "/kamervragen"),
    ("search", "/zoeken?q=cybersurveillance"),
    ("queries", "/queries"),
    ("named-query", "/queries/dual-use"),
    ("query", "/query"),
    ("dataset", "/dataset"),
    ("dumps", "/dumps/"),
    ("ontology", "/def"),
    ("shapes", "/def/shapes"),
    ("validation", "/validatie"),
]
SAVED = {"persoon", "fractie", "ministerie", "kabinet"}


def local_only(server: LiveServer, outside: list[str]) -> Any:
    """A route handler that lets requests to the test server through and aborts (and lists) any other."""
    def route(r: Any) -> None:
        parts = urlsplit(r.request.url)
        if (parts.hostname, parts.port) == (server.host, server.port):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()
    return route


@pytest.fixture(scope="module")
def phone(browser: Any, live_server: LiveServer) -> Iterator[tuple[Any, list[str]]]:
    """One page 390 px wide for every test of the module (its requests kept on 127.0.0.1)."""
    outside: list[str] = []
    context = browser.new_context(viewport={"width": PHONE, "height": 844}, locale="nl-NL")
    context.route("**/*", local_only(live_server, outside))
    try:
        yield context.new_page(), outside
    finally:
        context.close()


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[n for n, _ in PAGES])
def test_no_page_is_wider_than_a_phone(phone: tuple[Any, list[str]], live_server: LiveServer, name: str,
                                       path: str, artifacts: Path) -> None:
    page, outside = phone
    response = page.goto(live_server.url + path, wait_until="load")
    assert response is not None and response.status == (404 if name == "notfound" else 200)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE, f"{path} is {width} px wide at {PHONE} px"
    assert not outside, outside
    if name in SAVED:
        assert page.locator("figure.chart svg").count() >= 1, f"no chart on {path}"
        box = page.locator("figure.chart svg").first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE
        page.screenshot(path=str(artifacts / f"phone-{name}-{PHONE}.png"), full_page=True)


@pytest.mark.parametrize("path", ["/id/fractie/groenlinks", "/id/kabinet/rutte-iii", "/id/ministerie/mnre1013"])
def test_names_in_tables_are_not_broken_a_letter_per_line(phone: tuple[Any, list[str]], live_server: LiveServer,
                                                          path: str) -> None:
    page, _ = phone
    page.goto(live_server.url + path, wait_until="load")
    names = page.locator("table.list td:first-child a")
    assert names.count() > 0
    # each name is at least as wide as its longest word (a hyphen may end a line): never broken inside a word
    widths = page.evaluate("""() => [...document.querySelectorAll('table.list td:first-child a')].map(a => {
        const longest = a.textContent.split(/[\\s-]+/).reduce((x, y) => y.length > x.length ? y : x, '');
        const probe = document.createElement('span'); probe.textContent = longest;
        probe.style.whiteSpace = 'nowrap'; a.parentElement.appendChild(probe);
        const w = probe.getBoundingClientRect().width; probe.remove();
        return [a.textContent, w, a.getBoundingClientRect().width]; })""")
    broken = [t for t, word, box in widths if box + 0.5 < word]
    assert not broken, f"names broken inside a word on {path}: {broken[:5]}"


def test_entity_pages_with_their_charts_at_a_desktop_width(browser: Any, live_server: LiveServer,
                                                           artifacts: Path) -> None:
    outside: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    context.route("**/*", local_only(live_server, outside))
    try:
        page = context.new_page()
        for name, path in PAGES:
            if name not in SAVED:
                continue
            page.goto(live_server.url + path, wait_until="load")
            chart = page.locator("figure.chart").first
            assert chart.locator("svg rect").count() >= 1 and chart.locator("details table").count() == 1
            assert page.evaluate("document.documentElement.scrollWidth") <= 1280
            page.screenshot(path=str(artifacts / f"phone-{name}-1280.png"), full_page=True)
        assert not outside, outside
    finally:
        context.close()
