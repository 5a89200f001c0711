"""The browsable graph in a real browser: Debian's headless Chromium driven by Playwright.

Every page class is opened (Dutch, and the Kamervraag in English too), checked for a title, the
attribution and its RDF links, and saved as a screenshot in the test artefacts (the test's temporary folder, or its folder in
$KAMERGRAPH_ARTIFACTS: page-*.png). The reader's journey of the issue is walked by clicking:
home → search "cybersurveillance" → the founding Kamervraag → question 6 → the COM(2016) 616 page →
the named query listing every question about the dual-use regulation, and the list of Kamervragen
citing it, where a facet is clicked. The language switch holds across pages. No request may leave
127.0.0.1: every request is intercepted, anything else is aborted and fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

FOUNDING = "2019Z15231"
COM_2016_616 = "http://publications.europa.eu/resource/celex/52016PC0616"
ATTRIBUTION = "Tweede Kamer der Staten-Generaal / officielebekendmakingen.nl"

#: (artefact name, path) of one page of each class.
PAGES = [
    ("home", "/"),
    ("kamervraag", f"/id/kamervraag/{FOUNDING}"),
    ("vraag", f"/id/kamervraag/{FOUNDING}/vraag/6"),
    ("eu", "/resource?iri=" + quote(COM_2016_616, safe="")),
    ("persoon", "/id/persoon/cefbf19c-653b-4af7-84a6-e17fba0e4a70"),
    ("fractie", "/id/fractie/groenlinks"),
    ("post", "/id/post/minister-van-buitenlandse-zaken"),
    ("ministerie", "/id/ministerie/mnre1013"),
    ("kabinet", "/id/kabinet/rutte-iii"),
    ("kamerstuk", "/id/kamerstuk/22112-2686"),
    ("generic", f"/id/publicatie/kv-tk-{FOUNDING}"),
    ("notfound", "/id/kamervraag/1999Z00000"),
]


class Watch:
    """Every request a page makes; those leaving 127.0.0.1 are aborted and listed."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.requests: list[str] = []
        self.external: list[str] = []
        self.errors: list[str] = []

    def route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and (parts.hostname, parts.port) == (self.server.host, self.server.port):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()


@contextmanager
def stays_local(watch: Watch) -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        if watch.external:
            raise AssertionError(f"requests left 127.0.0.1 (aborted): {watch.external}") from exc
        raise
    assert not watch.external, f"requests left 127.0.0.1 (aborted): {watch.external}"
    assert not watch.errors, watch.errors


def open_page(browser: Any, server: LiveServer, width: int = 1280) -> tuple[Any, Any, Watch]:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
    watch = Watch(server)
    context.route("**/*", watch.route)
    page = context.new_page()
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(f"page error: {e}"))
    return context, page, watch


def path_and_query(url: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(url)
    return parts.path, parse_qs(parts.query)


@pytest.mark.parametrize("name,path", PAGES)
def test_each_page_class_renders_and_is_saved_as_a_screenshot(browser: Any, live_server: LiveServer,
                                                              name: str, path: str, artifacts: Path) -> None:
    context, page, watch = open_page(browser, live_server)
    with stays_local(watch), context:
        response = page.goto(live_server.url + path, wait_until="load")
        assert response is not None and response.status == (404 if name == "notfound" else 200)
        if name == "notfound":  # the browser reports the page's own 404 on the console
            watch.errors = [e for e in watch.errors if "status of 404" not in e]
        assert page.locator("html").get_attribute("lang") == "nl"
        assert page.locator("h1").count() == 1 and page.locator("h1").inner_text().strip()
        assert page.locator("main").count() == 1
        assert ATTRIBUTION in page.locator("footer").inner_text()
        if name not in ("home", "notfound"):
            rdf = page.locator(".rdf-links a")
            assert rdf.all_inner_texts() == ["Turtle", "JSON-LD", "N-Triples", "RDF/XML"]
            turtle = page.request.get(live_server.url + (rdf.first.get_attribute("href") or ""))
            assert turtle.status == 200 and turtle.headers["content-type"].startswith("text/turtle")
        # the stylesheet came from this server, and nothing else was asked for
        assert any(urlsplit(u).path == "/static/kamergraph/kamergraph.css" for u in watch.requests)
        shot = artifacts / f"page-{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000


def test_english_page_and_a_narrow_screen(browser: Any, live_server: LiveServer, artifacts: Path) -> None:
    context, page, watch = open_page(browser, live_server)
    with stays_local(watch), context:
        page.goto(f"{live_server.url}/id/kamervraag/{FOUNDING}", wait_until="load")
        page.get_by_role("link", name="English").click()
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("heading", name="Asked by").is_visible()
        page.screenshot(path=str(artifacts / "page-kamervraag-en.png"), full_page=True)
        # the choice holds on the next page (a cookie), until it is switched back
        page.get_by_role("link", name="Home", exact=True).click()
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("heading", name="Latest questions").is_visible()
        page.get_by_role("link", name="Nederlands").click()
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == "nl"
    context, page, watch = open_page(browser, live_server, width=390)
    with stays_local(watch), context:
        page.goto(f"{live_server.url}/id/kamervraag/{FOUNDING}/vraag/6", wait_until="load")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"the page is {overflow}px wider than a phone's screen"
        page.screenshot(path=str(artifacts / "page-vraag-phone.png"), full_page=True)


def test_the_journey_from_home_to_every_question_citing_dual_use(browser: Any, live_server: LiveServer,
                                                                 artifacts: Path) -> None:
    context, page, watch = open_page(browser, live_server)
    art = artifacts
    with stays_local(watch), context:
        # home -> search "cybersurveillance"
        page.goto(live_server.url + "/", wait_until="load")
        page.get_by_label("Zoek in onderwerpen, vragen en antwoorden").fill("cybersurveillance")
        page.get_by_role("button", name="Zoeken").first.click()
        page.wait_for_load_state("load")
        path, query = path_and_query(page.url)
        assert path == "/zoeken" and query["q"] == ["cybersurveillance"]
        page.screenshot(path=str(art / "journey-1-search.png"), full_page=False)

        # -> the founding Kamervraag
        page.locator(f'a[href="/id/kamervraag/{FOUNDING}"]').first.click()
        page.wait_for_load_state("load")
        assert urlsplit(page.url).path == f"/id/kamervraag/{FOUNDING}"
        assert page.locator("h1").inner_text() == "De export van cybersurveillance technologie"
        assert page.locator("#vraag-6").is_visible()

        # -> question 6
        page.locator("#vraag-6 h3 a").click()
        page.wait_for_load_state("load")
        assert urlsplit(page.url).path == f"/id/kamervraag/{FOUNDING}/vraag/6"
        assert "dual use-verordening te herzien" in page.locator(".qa-q .text").inner_text()
        page.screenshot(path=str(art / "journey-2-question-6.png"), full_page=False)

        # -> the COM(2016) 616 page
        page.locator(f'.citations a[href="/resource?iri={quote(COM_2016_616, safe="")}"]').click()
        page.wait_for_load_state("load")
        path, query = path_and_query(page.url)
        assert path == "/resource" and query["iri"] == [COM_2016_616]
        ids = page.locator("dl.ids").inner_text()
        assert "COM(2016) 616" in ids and "52016PC0616" in ids
        assert "2016/0295(COD)" in page.locator(".chain").inner_text()
        page.screenshot(path=str(art / "journey-3-com-2016-616.png"), full_page=False)

        # -> every question linked to the dual-use regulation (the named query)
        page.get_by_role("link", name="Alle vragen over de dual-use-verordening, haar herziening en procedure").click()
        page.wait_for_load_state("load")
        path, query = path_and_query(page.url)
        assert path == "/queries/dual-use" and query["act"] == [COM_2016_616]
        table = page.locator(".results-table")
        assert table.is_visible() and FOUNDING in table.inner_text()
        page.screenshot(path=str(art / "journey-4-dual-use-query.png"), full_page=False)

        # back -> the list of Kamervragen citing it, where a facet is clicked
        page.go_back()
        page.wait_for_load_state("load")
        page.get_by_role("link", name="Alle Kamervragen met deze handeling").click()
        page.wait_for_load_state("load")
        path, query = path_and_query(page.url)
        assert path == "/kamervragen" and query["eu"] == [COM_2016_616]
        assert page.locator(f'a[href="/id/kamervraag/{FOUNDING}"]').count() >= 1
        facet = page.locator('a[href*="fractie=groenlinks"]').first
        facet.click()
        page.wait_for_load_state("load")
        path, query = path_and_query(page.url)
        assert path == "/kamervragen" and query["fractie"] == ["groenlinks"] and query["eu"] == [COM_2016_616]
        assert page.locator(f'a[href="/id/kamervraag/{FOUNDING}"]').count() >= 1
        page.screenshot(path=str(art / "journey-5-list-with-facet.png"), full_page=False)


#: Walks every visible element that holds text of its own and measures the contrast of its rendered
#: colour against the background it is painted on (the nearest ancestor with an opaque background,
#: semi-transparent layers blended over it), by the WCAG 2.x formula. Large text (24 px, or 18.66 px
#: bold) needs 3:1, other text 4.5:1 (level AA).
CONTRAST_JS = """
() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, under) => { const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]); };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const background = (el) => { const layers = [];
    for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let bg = [255, 255, 255, 1]; for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg); return bg; };
  const out = []; let checked = 0;
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none' || parseFloat(s.opacity) === 0) continue;
    const r = el.getBoundingClientRect(); if (r.right < 0 || r.bottom < 0) continue;  // moved off screen (skip link)
    const bg = background(el); const fg = over(parse(s.color), bg);
    const [a, b] = [lum(fg), lum(bg)]; const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(s.fontSize); const bold = parseInt(s.fontWeight, 10) >= 700;
    const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5; checked++;
    if (ratio < need) out.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 40)}" `
      + `${s.color} on rgb(${bg.slice(0, 3).map(Math.round)}) = ${ratio.toFixed(2)} < ${need}`);
  }
  return {checked, failures: out};
}
"""


@pytest.mark.parametrize("name,path", PAGES + [("search", "/zoeken?q=cybersurveillance"),
                                                ("list", "/kamervragen?fractie=groenlinks"),
                                                ("editor", "/query"), ("queries", "/queries")])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_text_contrast_meets_wcag_aa(browser: Any, live_server: LiveServer, name: str, path: str, lang: str) -> None:
    context, page, watch = open_page(browser, live_server)
    with stays_local(watch), context:
        sep = "&" if "?" in path else "?"
        response = page.goto(f"{live_server.url}{path}{sep}lang={lang}", wait_until="load")
        assert response is not None and response.status in (200, 404)
        if response.status == 404:
            watch.errors = [e for e in watch.errors if "status of 404" not in e]
        result = page.evaluate(CONTRAST_JS)
        assert result["checked"] > 10, f"{path}: only {result['checked']} text elements measured"
        assert not result["failures"], f"{path} ({lang}): text below WCAG AA contrast:\n" + "\n".join(result["failures"])
        # and the focus outline, drawn on the page's background, is visible against it (3:1, WCAG 1.4.11)
        assert page.evaluate("""() => { const s = document.createElement('a'); s.href = '#'; s.textContent = 'x';
            document.querySelector('main').appendChild(s); s.focus(); return getComputedStyle(s).outlineStyle; }""") != "none"


@pytest.mark.parametrize("path", [f"/id/kamervraag/{FOUNDING}", "/resource?iri=" + quote(COM_2016_616, safe="")])
def test_content_negotiation_over_real_http_for_each_format(live_server: LiveServer, path: str) -> None:
    """The same negotiation the in-process tests check, through uvicorn on loopback with a plain HTTP
    client: each RDF media type by Accept gives that format with Vary and Link headers, all four are
    the same graph, and a browser's Accept gets the page."""
    import httpx
    from pyoxigraph import RdfFormat, Triple, parse

    formats = {"text/turtle": RdfFormat.TURTLE, "application/ld+json": RdfFormat.JSON_LD,
               "application/n-triples": RdfFormat.N_TRIPLES, "application/rdf+xml": RdfFormat.RDF_XML}
    graphs = {}
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        for media, fmt in formats.items():
            r = client.get(path, headers={"Accept": f"{media}, text/html;q=0.5"})
            assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media, (media, r.text[:200])
            assert r.headers["vary"] == "Accept"
            links = r.headers["link"]
            assert 'rel="canonical"' in links and all(f'type="{m}"' in links for m in formats if m != media)
            graphs[media] = {Triple(q.subject, q.predicate, q.object) for q in parse(r.content, format=fmt)}
        page = client.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert page.headers["vary"] == "Accept"
    turtle = graphs["text/turtle"]
    assert len(turtle) > 20 and all(g == turtle for g in graphs.values())  # no blank nodes: set equality is isomorphism
