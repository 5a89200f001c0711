"""The /query editor in a real browser: Debian's headless Chromium driven by Playwright.

YASGUI (from the npm package) must appear, complete the project's prefixes, run a typed query
against our own /sparql and show the result table; the page must work without JavaScript too;
and no request may leave 127.0.0.1 — every request is intercepted, anything else is aborted and
fails the test. A screenshot of the editor with its results is saved as a test artefact.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from ontology.namespaces import PREFIXES
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

FOUNDING = "2019Z15231"
TYPED_QUERY = (
    "PREFIX kg: <https://w3id.org/kamergraph/def#>\n"
    "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
    "SELECT ?zaak ?kv ?datum WHERE {\n"
    "?kv kg:zaaknummer ?zaak ; dcterms:dateSubmitted ?datum .\n"
    f'FILTER (?zaak = "{FOUNDING}")\n'
)


class Watch:
    """Every request the page makes, which ones were aborted as external, and console errors."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.requests: list[str] = []
        self.external: list[str] = []
        self.console_errors: list[str] = []
        self.dialogs: list[str] = []
        self.csp: list[dict[str, Any]] = []

    @property
    def csp_violations(self) -> list[str]:
        """Loads the page's Content-Security-Policy stopped before they reached the network (which the
        route never sees). Inline-handler reports (blocked "inline") are not loads: DOMPurify, inside
        YASGUI, parses markup in an inert document, which Chromium reports without running anything."""
        return [f"{v.get('directive')}: {v.get('blocked')}" for v in self.csp
                if str(v.get("blocked", "")).startswith(("http:", "https:", "ws:", "wss:"))]

    def report(self) -> str:
        return (f"requests left 127.0.0.1 (aborted): {self.external}; "
                f"refused by the Content-Security-Policy: {self.csp_violations}")

    def route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and (parts.hostname, parts.port) == (
                self.server.host, self.server.port):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()


@contextmanager
def stays_local(watch: Watch) -> Iterator[None]:
    """Fail with the external requests (aborted by the route, or refused by the page's CSP) when there
    were any, whatever else went wrong meanwhile."""
    try:
        yield
    except Exception as exc:
        if watch.external or watch.csp_violations:
            raise AssertionError(watch.report()) from exc
        raise
    assert not (watch.external or watch.csp_violations), watch.report()


CSP_LISTENER = """document.addEventListener("securitypolicyviolation", (e) =>
    window.__kamergraphCsp({directive: e.effectiveDirective, blocked: e.blockedURI}));"""


def open_page(browser: Any, server: LiveServer, *, javascript: bool = True,
              bypass_csp: bool = False) -> tuple[Any, Any, Watch]:
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 1280, "height": 1000},
                                  locale="nl-NL", bypass_csp=bypass_csp)
    watch = Watch(server)
    context.route("**/*", watch.route)
    if javascript:
        context.expose_binding("__kamergraphCsp", lambda source, v: watch.csp.append(v))
        context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.on("console", lambda m: watch.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.console_errors.append(f"page error: {e}"))

    def on_dialog(d: Any) -> None:
        watch.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    return context, page, watch


def direct(server: LiveServer, sparql: str) -> list[dict[str, str | None]]:
    """The same query run on the store itself (read-only), not through the server or the browser."""
    from pyoxigraph import Store

    res = Store.read_only(str(server.store)).query(sparql, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in res]


def test_yasgui_runs_a_typed_query_against_our_endpoint_only(browser: Any, live_server: LiveServer,
                                                            artifacts: Path) -> None:
    context, page, watch = open_page(browser, live_server)
    with stays_local(watch), context:
        page.goto(f"{live_server.url}/query", wait_until="networkidle")
        editor = page.locator(".yasgui .CodeMirror")
        editor.wait_for(state="visible", timeout=15_000)
        assert page.locator("#query-form").is_hidden(), "the plain form should give way to the editor"
        assert page.locator(".yasgui .yasqe").count() == 1

        # type a query; the prefix completion offers the project's prefixes (and nothing from prefix.cc)
        editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
        page.keyboard.type("PREFIX k")
        hints = page.locator(".CodeMirror-hints li")
        hints.first.wait_for(state="visible", timeout=5_000)
        offered = hints.all_inner_texts()
        assert "kg: <https://w3id.org/kamergraph/def#>" in offered, offered
        page.keyboard.press("Escape")
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
        all_hints = page.evaluate("() => window.Yasgui.Yasqe.Autocompleters.prefixes.get")
        assert sorted(h.split(":", 1)[0] for h in all_hints) == sorted(PREFIXES)
        assert page.evaluate("() => Object.keys(window.Yasgui.Yasqe.Autocompleters).sort()") == [
            "prefixes", "variables"]  # the LOV completers (property, class) are gone
        page.keyboard.type(TYPED_QUERY)
        # CodeMirror may have closed the brace itself; finish the query either way
        text = page.evaluate("() => document.querySelector('.yasgui .CodeMirror').CodeMirror.getValue()")
        if not text.rstrip().endswith("}"):
            page.keyboard.type("}")
        text = page.evaluate("() => document.querySelector('.yasgui .CodeMirror').CodeMirror.getValue()")
        assert text.count("{") == text.count("}") == 1, text

        with page.expect_response(lambda r: urlsplit(r.url).path == "/sparql", timeout=15_000) as response_info:
            page.locator(".yasqe_queryButton").click()
        response = response_info.value
        assert response.status == 200, response.text()
        table = page.locator(".yasr table.dataTable")
        table.wait_for(state="visible", timeout=15_000)
        expected = direct(live_server, text)
        assert len(expected) == 1 and expected[0]["zaak"] == FOUNDING
        cells = table.locator("tbody tr").first.locator("td").all_inner_texts()
        row_text = " ".join(cells)
        assert FOUNDING in row_text and expected[0]["datum"] in row_text, cells
        headers = " ".join(table.locator("thead th").all_inner_texts())
        for var in ("zaak", "kv", "datum"):
            assert var in headers

        # download links follow the editor's query
        csv_link = page.locator("#kg-editor-downloads a", has_text="CSV")
        href = csv_link.get_attribute("href") or ""
        assert href.startswith("/sparql?") and "format=csv" in href and FOUNDING in href
        csv = page.request.get(f"{live_server.url}{href}")
        assert csv.status == 200 and FOUNDING in csv.text()

        shot = artifacts / "editor-yasgui.png"
        page.screenshot(path=str(shot), full_page=False)
        assert shot.stat().st_size > 10_000
    assert any(urlsplit(u).path == "/static/vendor/yasgui/yasgui.min.js" for u in watch.requests)
    assert not [e for e in watch.console_errors if "page error" in e], watch.console_errors


def test_the_page_query_fills_the_editor_and_new_results_replace_the_server_table(
        browser: Any, live_server: LiveServer) -> None:
    query = TYPED_QUERY + "}"
    context, page, watch = open_page(browser, live_server)
    with stays_local(watch), context:
        page.goto(f"{live_server.url}/query?{urlencode({'query': query})}", wait_until="networkidle")
        page.locator(".yasgui .CodeMirror").wait_for(state="visible", timeout=15_000)
        value = page.evaluate("() => document.querySelector('.yasgui .CodeMirror').CodeMirror.getValue()")
        assert value == query
        # really drawn, not just held: CodeMirror measured itself in a visible host
        assert "dcterms:dateSubmitted" in page.locator(".yasgui .CodeMirror-code").inner_text()
        server_table = page.locator("#server-results .results-table")
        assert server_table.is_visible() and FOUNDING in server_table.inner_text()
        page.locator(".yasqe_queryButton").click()
        page.locator(".yasr table.dataTable").wait_for(state="visible", timeout=15_000)
        assert page.locator("#server-results").is_hidden()


def test_example_link_loads_into_the_editor(browser: Any, live_server: LiveServer) -> None:
    context, page, watch = open_page(browser, live_server)
    with stays_local(watch), context:
        page.goto(f"{live_server.url}/query", wait_until="networkidle")
        page.locator(".yasgui .CodeMirror").wait_for(state="visible", timeout=15_000)
        page.locator("a.example-link").first.click()
        assert urlsplit(page.url).query == "", "the example should load in place, not navigate"
        text = page.evaluate("() => document.querySelector('.yasgui .CodeMirror').CodeMirror.getValue()")
        assert text.startswith("# title@nl:"), text[:80]


def test_markup_in_results_stays_inert_in_the_editor(browser: Any, live_server: LiveServer) -> None:
    # without the page's CSP, so that it is YASGUI's own escaping that is tested
    context, page, watch = open_page(browser, live_server, bypass_csp=True)
    hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>\"'"
    with stays_local(watch), context:
        page.goto(f"{live_server.url}/query", wait_until="networkidle")
        page.locator(".yasgui .CodeMirror").wait_for(state="visible", timeout=15_000)
        query = 'SELECT ?x WHERE { BIND ("' + hostile.replace("\\", "\\\\").replace('"', '\\"') + '" AS ?x) }'
        page.evaluate("(q) => document.querySelector('.yasgui .CodeMirror').CodeMirror.setValue(q)", query)
        page.locator(".yasqe_queryButton").click()
        table = page.locator(".yasr table.dataTable")
        table.wait_for(state="visible", timeout=15_000)
        page.wait_for_timeout(300)
        assert hostile in table.locator("tbody").inner_text()
        assert page.locator(".yasr table.dataTable tbody img, .yasr table.dataTable tbody script").count() == 0
    assert not watch.dialogs, watch.dialogs
    assert not [u for u in watch.requests if urlsplit(u).path.endswith("/x")], "the <img> was loaded"


def test_without_javascript_the_form_renders_results_on_the_server(browser: Any, live_server: LiveServer,
                                                                   artifacts: Path) -> None:
    context, page, watch = open_page(browser, live_server, javascript=False)
    with stays_local(watch), context:
        page.goto(f"{live_server.url}/query", wait_until="load")
        assert page.locator("#query-form").is_visible()
        page.locator("#query-text").fill(TYPED_QUERY + "}")
        page.locator("#query-form button[type=submit]").click()
        page.wait_for_load_state("load")
        assert urlsplit(page.url).path == "/query"
        rows = page.locator(".results-table tbody tr")
        assert rows.count() == 1
        assert FOUNDING in rows.first.inner_text()
        page.screenshot(path=str(artifacts / "editor-no-js.png"), full_page=False)
