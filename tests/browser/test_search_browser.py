"""The journalist's journey through the one list in a real browser (Debian's headless Chromium driven by
Playwright), at 1280 and at 390 px wide: search a topic, see who asked, find the member by name (the names
found above the list), follow the member's list (the Atom feed linked in the page's head, fetched and
parsed). On a phone the filters are folded (a closed ``<details>``) and nothing is wider than the screen
(``document.documentElement.scrollWidth <= 390``). Screenshots go where the other browser tests put theirs
(search-*.png). No request may leave 127.0.0.1."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.test_pages_browser import open_page, stays_local

pytestmark = pytest.mark.browser
A = "{http://www.w3.org/2005/Atom}"
TOPIC = "cybersurveillance"


@pytest.mark.parametrize("width", [1280, 390])
def test_search_a_topic_see_who_asked_follow_a_member(browser: Any, live_server: LiveServer,  # noqa: F811
                                                      artifacts: Path, width: int) -> None:
    context, page, watch = open_page(browser, live_server, width)
    with stays_local(watch), context:
        # search a topic from the search page: the list, with the matches and who asked them
        page.goto(live_server.url + "/zoeken", wait_until="load")
        page.locator("#search-q").fill(TOPIC)
        page.locator("form.search-form button[type=submit]").click()
        page.wait_for_load_state("load")
        parts = urlsplit(page.url)
        assert parts.path == "/zoeken" and parse_qs(parts.query)["q"] == [TOPIC]
        first = page.locator(".qcards .qcard").first
        assert TOPIC in first.locator(".qcard-subject").inner_text().lower()
        asker = first.locator(".qcard-askers a[href^='/id/persoon/']").first
        name, person = asker.inner_text(), asker.get_attribute("href")
        assert name and person
        folded = page.locator("#filters").evaluate("d => !d.open")
        assert folded == (width < 800)  # folded on a phone, open beside the list on a wide screen
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(artifacts / f"search-1-topic-{width}.png"), full_page=False)

        # find the member by name: as one types, the box suggests the name (its datalist, refilled by the
        # script from /zoeken/suggesties); submitted, the names found above the list, with their questions
        page.locator("#search-q").fill("")
        page.locator("#search-q").press_sequentially(name.split()[-1][:4], delay=30)
        page.wait_for_function("n => [...document.querySelectorAll('#search-names option')].some(o => o.value === n)",
                               arg=name, timeout=5000)
        page.locator("#search-q").fill(name.split()[-1])
        page.locator("form.search-form button[type=submit]").click()
        page.wait_for_load_state("load")
        entity = page.locator(".entity-lid").first
        assert entity.locator("a.entity-page").get_attribute("href") == person
        count = int(entity.locator("a.entity-list-link").inner_text().split()[0].replace(".", ""))
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(artifacts / f"search-2-names-found-{width}.png"), full_page=False)

        # follow the member: the list filtered on them, its Atom feed linked in the head
        entity.locator("a.entity-list-link").click()
        page.wait_for_load_state("load")
        parts = urlsplit(page.url)
        assert parts.path == "/kamervragen" and parse_qs(parts.query)["lid"] == [person.rsplit("/", 1)[-1]]
        heading = page.locator("#list-heading").inner_text()
        assert heading.startswith(f"{count} Kamervra")
        if width < 800:
            assert page.locator("#filters").evaluate("d => !d.open")
            page.locator("#filters > summary").click()
            assert page.locator("#facet-lid").is_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(artifacts / f"search-3-member-list-{width}.png"), full_page=True)
        feed_href = page.locator('head link[rel="alternate"][type="application/atom+xml"]').get_attribute("href")
        assert feed_href == page.locator("a.atom-link").get_attribute("href")
        feed = page.request.get(live_server.url + feed_href)
        assert feed.ok and feed.headers["content-type"].startswith("application/atom+xml")
        entries = ET.fromstring(feed.body()).findall(f"{A}entry")
        assert len(entries) == count
