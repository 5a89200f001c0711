"""The researcher's journey in Chromium, on the small real store: from the list of named queries to the
questions per fractie, ministry and year, the fractie picked by name, the table, and its CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.browser.conftest import LiveServer

QUERY = "questions-per-fractie-ministry-year"


def test_the_researchers_table_by_fractie_ministry_and_year(browser: Any, live_server: LiveServer,
                                                            artifacts: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL", accept_downloads=True)
    outside: list[str] = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live_server.url)
                  else (outside.append(route.request.url), route.abort()))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    with context:
        page.goto(f"{live_server.url}/queries", wait_until="load")
        page.locator(f'h2#q-{QUERY} a').click()  # the query's own page
        page.wait_for_url(f"**/queries/{QUERY}**")
        assert page.locator("h1").inner_text() == "Kamervragen per fractie, ministerie en jaar"
        # the fractie by name: no IRI to type
        select = page.locator("select#fractie")
        names = select.locator("option").all_inner_texts()
        assert "GroenLinks" in names and any(n in names for n in ("Socialistische Partij", "SP")), names
        sp = next(n for n in names if n in ("Socialistische Partij", "SP"))
        select.select_option(label=sp)
        page.locator("input#from").fill("2008")
        page.locator("input#to").fill("2009")
        page.locator("form#params button[type=submit]").click()
        page.wait_for_load_state("load")
        assert parse_qs(urlsplit(page.url).query)["fractie"] == ["https://kamergraph.nl/id/fractie/sp"]
        table = page.locator(".results-table")
        assert table.is_visible()
        headers = table.locator("thead th").all_inner_texts()
        assert headers[:5] == ["year", "fractie", "fractieName", "ministry", "ministryName"]
        rows = table.locator("tbody tr")
        assert rows.count() > 0
        shown = {tuple(rows.nth(i).locator("td").all_inner_texts()[j] for j in (0, 4, 5)) for i in range(rows.count())}
        assert all(year in ("2008", "2009") for year, _, _ in shown)
        page.screenshot(path=str(artifacts / "researchers-table.png"), full_page=True)
        # its CSV: the same rows
        with page.expect_download() as info:
            page.locator("a", has_text="CSV").first.click()
        data = Path(info.value.path()).read_text(encoding="utf-8")
        got = list(csv.DictReader(io.StringIO(data)))
        assert {(r["year"], r["ministryName"], r["questions"]) for r in got} == shown
        assert {r["fractieName"] for r in got} == {sp}
    assert not outside, outside
    assert not errors, errors
