"""Validation results in plain sight (issue 15 §5): the "validation" block of the record pages and
``/validatie`` (page in nl and en, filters, paging, the SHACL report in RDF), on a copy of the server
tests' small real build with its findings graph written by shapes.results."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kamergraph.inputs import reference_data
from ontology.namespaces import Iris
from shapes.results import consistency_findings, findings_graph, load_findings
from shapes.validate import FastValidator, Report
from store.embedded import EmbeddedStore
from tests.server.conftest import DATA, build_kg, settings_for
from tests.support.build_cache import cached_store

BASE = "https://kamergraph.nl/"
IRIS = Iris(BASE)
WARNED = "2007Z05002"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Report, list[str], set[ox.Triple]]:
    """A copy of the small build with its findings graph: the results of every Kamervraag graph and the
    bundled reference data's consistency findings; returns the store, the report, the notes and the graph."""
    path = tmp_path_factory.mktemp("validatie") / "store"
    cached_store("kg", build_kg, path)
    store = EmbeddedStore(path)
    graphs = [g for g in store.named_graphs() if g.startswith(BASE + "graph/kamervraag/")]
    report = FastValidator().validate_store(store.ox, graphs=graphs)
    notes = list(reference_data(DATA).report)
    load_findings(store, IRIS, report, notes, validated=graphs)
    stored = {q.triple for q in ox.parse(store.graph_nquads(findings_graph(IRIS)), format=ox.RdfFormat.N_QUADS)}
    store.close()
    return path, report, notes, stored


@pytest.fixture(scope="module")
def client(built) -> Iterator[TestClient]:
    from server.app import create_app

    path = built[0]
    with TestClient(create_app(settings_for(path, query_row_limit=50), path), raise_server_exceptions=False) as c:
        yield c


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _section(html: str) -> str:
    m = re.search(r'<section class="validation".*?</section>', html, re.S)
    assert m, "the page has no validation block"
    return m.group(0)


def test_a_record_page_shows_its_warnings_with_rule_path_value_and_message(client: TestClient, built) -> None:
    report: Report = built[1]
    mine = [r for r in report.results if r.graph == IRIS.zaak_graph(WARNED)]
    assert mine, "the slice's Kamervraag with a Vergaderjaar warning"
    for lang, word in (("nl", "waarschuwing"), ("en", "warning")):
        section = _section(client.get(f"/id/kamervraag/{WARNED}", params={"lang": lang}).text)
        assert section.count('class="finding ') == len(mine)
        text = _text(section)
        assert word in text
        for r in mine:
            assert r.message in html.unescape(section)
            local = r.source_shape.rsplit("#", 1)[1]
            assert f'href="/def/shapes#{local}"' in section
            assert f"= <code>{r.value}</code>" in section


def test_a_record_without_findings_conforms_and_the_block_is_on_every_record_page(client: TestClient, built) -> None:
    report: Report = built[1]
    clean = IRIS.kamervraag("2019Z15231")
    assert not [r for r in report.results if r.focus_node.startswith(clean)]
    nl = _text(_section(client.get("/id/kamervraag/2019Z15231", params={"lang": "nl"}).text))
    assert "Voldoet: de validatie" in nl
    for path in ("/graph/kamervraag/2019Z15231", "/id/fractie/groenlinks"):
        page = client.get(path, params={"lang": "en"})
        assert page.status_code == 200, path
        assert "Conforms: validation" in _text(_section(page.text)), path


def test_the_block_says_when_the_store_has_no_findings() -> None:
    from server.i18n import install
    from server.pages.validation import RecordFindings
    from server.render import templates

    install(templates.env)
    macro = templates.env.get_template("_validation.html").make_module({"lang": "en"}).validation_section
    assert "No validation results are stored" in str(macro(RecordFindings(False, [])))
    assert str(macro(None)).strip() == ""


def test_validatie_lists_every_finding_by_rule_with_counts(client: TestClient, built) -> None:
    report, notes = built[1], built[2]
    findings = consistency_findings(notes)
    for lang, title in (("nl", "Wat de validatie vond"), ("en", "What validation found")):
        page = client.get("/validatie", params={"lang": lang})
        assert page.status_code == 200 and title in page.text
    page = client.get("/validatie", params={"lang": "en"}).text
    rows = re.findall(r'<a href="/validatie\?regel=([^"]+)">.*?<td class="num">(\d+)</td><td class="num">(\d+)</td>'
                      r'<td class="num">(\d+)</td>', page, re.S)
    counts = {k: int(v) + int(w) + int(i) for k, v, w, i in rows}
    expected = {"VergaderjaarRule": len(report.warnings())}
    for f in findings:
        expected[f.rule] = expected.get(f.rule, 0) + 1
    assert counts == expected
    assert f"({len(report.results) + len(findings)})" in page
    for r in report.results:
        assert f'href="/id/kamervraag/{r.focus_node.rsplit("/", 1)[1]}"' in page


def test_validatie_filters_by_rule_and_severity(client: TestClient, built) -> None:
    report, notes = built[1], built[2]
    overlaps = [f for f in consistency_findings(notes) if f.rule == "fractie-overlap"]
    page = client.get("/validatie", params={"regel": "fractie-overlap", "lang": "en"}).text
    assert page.count('class="finding ') == len(overlaps)
    for f in overlaps:
        for row in f.rows:
            assert f"<code>{row}</code>" in page
    page = client.get("/validatie", params={"regel": "VergaderjaarRule", "ernst": "warning"}).text
    assert page.count('class="finding ') == len(report.warnings())
    page = client.get("/validatie", params={"ernst": "violation", "lang": "en"}).text
    assert 'class="finding ' not in page and "No findings for this choice" in page
    page = client.get("/validatie", params={"regel": "NoSuchRule", "lang": "en"}).text
    assert "No rule named" in page
    bad = client.get("/validatie", params={"ernst": "fatal"})
    assert bad.status_code == 400 and "ernst='fatal'" in bad.json()["error"]["detail"]


@pytest.mark.parametrize(("accept", "fmt"), [("text/turtle", ox.RdfFormat.TURTLE),
                                             ("application/ld+json", ox.RdfFormat.JSON_LD),
                                             ("application/n-triples", ox.RdfFormat.N_TRIPLES)])
def test_validatie_is_the_shacl_report_by_content_negotiation(client: TestClient, built, accept: str, fmt) -> None:
    answer = client.get("/validatie", headers={"Accept": accept})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(accept)
    assert "Accept" in answer.headers["vary"]
    assert {q.triple for q in ox.parse(answer.content, format=fmt)} == built[3]
    assert client.get("/validatie", params={"format": "nt"}).content == \
        client.get("/validatie", headers={"Accept": "application/n-triples"}).content
    assert client.get("/validatie", headers={"Accept": "image/png"}).status_code == 406
