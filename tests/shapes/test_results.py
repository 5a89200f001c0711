"""The findings graph (shapes.results): the SHACL results and the reference data's consistency findings
written into the store, on the server tests' small real build and on the shapes' real-data fixtures."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kamergraph.inputs import reference_data
from ontology.namespaces import Iris
from shapes.results import (
    CONSISTENCY_FINDING, FOCUS_GRAPH, consistency_findings, findings_graph, load_findings, refresh_findings,
    replace_results, report_node,
)
from shapes.validate import FastValidator, Report
from store.embedded import EmbeddedStore
from tests.server.conftest import build_kg
from tests.support.build_cache import cached_store

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
FIX = Path(__file__).resolve().parent / "fixtures"
BASE = "https://kamergraph.nl/"
IRIS = Iris(BASE)
WARNED = ["2007Z05002", "2007Z05003", "2008Z01172"]  # Vergaderjaar warnings in the small build's slice
CLEAN = ["2019Z15231"]


@pytest.fixture(scope="module")
def kg(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    """A private copy of the server tests' small real build."""
    path = tmp_path_factory.mktemp("findings") / "store"
    cached_store("kg", build_kg, path)
    store = EmbeddedStore(path)
    yield store
    store.close()


def _graphs(nummers: list[str]) -> list[str]:
    return [IRIS.zaak_graph(n) for n in nummers]


def _stored(store: EmbeddedStore) -> rdflib.Graph:
    quads = ox.parse(store.graph_nquads(findings_graph(IRIS)), format=ox.RdfFormat.N_QUADS)
    nt = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=nt.decode("utf-8"), format="nt")


def _as_report_graph(g: rdflib.Graph) -> rdflib.Graph:
    """The stored findings as :meth:`Report.to_graph` writes them: result and report IRIs as blank nodes,
    messages without a language tag, the consistency findings left out."""
    bnodes: dict[rdflib.term.Node, rdflib.BNode] = {}

    def b(t: rdflib.term.Node) -> rdflib.term.Node:
        if isinstance(t, rdflib.URIRef) and str(t).startswith(BASE + "id/validatie/"):
            return bnodes.setdefault(t, rdflib.BNode())
        if isinstance(t, rdflib.Literal) and t.language:
            return rdflib.Literal(str(t))
        return t

    skip = set(g.subjects(rdflib.RDF.type, rdflib.URIRef(CONSISTENCY_FINDING)))
    out = rdflib.Graph()
    for s, p, o in g:
        if s not in skip:
            out.add((b(s), p, b(o)))
    return out


def test_the_build_writes_the_findings_of_the_whole_store(kg: EmbeddedStore) -> None:
    """What `kamergraph build` left in the findings graph is the SHACL report of the store it built."""
    assert isomorphic(_as_report_graph(_stored(kg)), FastValidator().validate_store(kg.ox).to_graph())


def test_the_findings_graph_is_the_shacl_report_of_the_build(kg: EmbeddedStore) -> None:
    kg.remove_graph(findings_graph(IRIS))  # from here on: only what load_findings writes below
    report = FastValidator().validate_store(kg.ox, graphs=_graphs(WARNED + CLEAN))
    assert {r.focus_node for r in report.warnings()} == {IRIS.kamervraag(n) for n in WARNED}
    notes = reference_data(DATA).report
    n = load_findings(kg, IRIS, report, notes, validated=_graphs(WARNED + CLEAN))
    stored = _stored(kg)
    assert isomorphic(_as_report_graph(stored), report.to_graph())
    findings = consistency_findings(notes)
    assert n == len(report.results) + len(findings) and findings
    assert len(set(stored.subjects(rdflib.RDF.type, rdflib.URIRef(CONSISTENCY_FINDING)))) == len(findings)
    assert stored.value(rdflib.URIRef(report_node(IRIS)), rdflib.SH.conforms).toPython() is True
    first = kg.graph_nquads(findings_graph(IRIS))
    load_findings(kg, IRIS, report, notes, validated=_graphs(WARNED + CLEAN))
    assert kg.graph_nquads(findings_graph(IRIS)) == first  # the same findings, the same graph


def test_each_consistency_finding_keeps_its_rule_and_source_rows() -> None:
    notes = reference_data(DATA).report
    findings = consistency_findings(notes)
    lines = [ln for ln in notes if "] " in ln and not ln.startswith("check ")]
    assert len(findings) == sum(1 for ln in lines if ": [" in ln)
    for f in findings:
        assert f.rows and all(":" in row for row in f.rows), f
        assert any(ln.startswith(" / ".join(f.rows) + f": [{f.rule}] {f.message}") for ln in notes)
    counted = {ln.split()[1][:-1]: int(ln.split()[2]) for ln in notes if ln.startswith("check ")}
    for rule, n in counted.items():
        assert sum(1 for f in findings if f.rule == rule) == n, rule
    assert consistency_findings(["member list: a note that is no finding", "x.csv:3: [rule] text"]) == \
        consistency_findings(["x.csv:3: [rule] text"])


def test_a_build_keeps_the_results_of_carried_over_graphs_only(kg: EmbeddedStore) -> None:
    first = FastValidator().validate_store(kg.ox, graphs=_graphs(WARNED))
    load_findings(kg, IRIS, first, [], validated=_graphs(WARNED))
    gone = IRIS.zaak_graph(WARNED[2])
    kg.remove_graph(gone)
    # the next build validates only the first; the second is carried over, the third is no longer there
    again = FastValidator().validate_store(kg.ox, graphs=_graphs(WARNED[:1]))
    load_findings(kg, IRIS, again, [], validated=_graphs(WARNED[:1]))
    focus_graphs = {str(o) for o in _stored(kg).objects(None, rdflib.URIRef(FOCUS_GRAPH))}
    assert focus_graphs == set(_graphs(WARNED[:2]))


def test_a_sync_replaces_the_results_of_the_graphs_it_wrote(kg: EmbeddedStore) -> None:
    graphs = _graphs(WARNED[:2] + CLEAN)
    load_findings(kg, IRIS, FastValidator().validate_store(kg.ox, graphs=graphs), ["x.csv:3: [rule] text"],
                  validated=graphs)
    fixed, removed = graphs[0], graphs[1]
    nq = kg.graph_nquads(fixed).decode("utf-8").replace('"2007-2008"', '"2006-2007"')
    kg.replace_graph(fixed, nq)
    kg.remove_graph(removed)
    assert refresh_findings(kg, IRIS, [fixed], [removed]) == 0
    stored = _stored(kg)
    assert not set(stored.objects(None, rdflib.URIRef(FOCUS_GRAPH)))
    assert len(set(stored.subjects(rdflib.RDF.type, rdflib.URIRef(CONSISTENCY_FINDING)))) == 1  # kept
    nq = nq.replace('"2006-2007"', '"2007-2008"')
    kg.replace_graph(fixed, nq)
    assert refresh_findings(kg, IRIS, [fixed]) == 1
    assert {str(o) for o in _stored(kg).objects(None, rdflib.URIRef(FOCUS_GRAPH))} == {fixed}


def test_a_sync_writes_the_results_it_validated_without_validating_again(kg: EmbeddedStore) -> None:
    """replace_results puts the results given (a sync's one validation, before writing) in place of those of
    the graphs written, and validates nothing: the same graph as refresh_findings, which validates them."""
    graphs = _graphs(WARNED[:2])
    load_findings(kg, IRIS, None, ["x.csv:3: [rule] text"], validated=graphs)  # no results of these two
    report = FastValidator().validate_store(kg.ox, graphs=graphs[:1])
    assert replace_results(kg, IRIS, report.results, graphs[:1]) == len(report.results) > 0
    written = _stored(kg)
    focus = {str(o) for o in written.objects(None, rdflib.URIRef(FOCUS_GRAPH))}
    assert graphs[0] in focus and graphs[1] not in focus
    assert len(set(written.subjects(rdflib.RDF.type, rdflib.URIRef(CONSISTENCY_FINDING)))) == 1  # kept
    assert refresh_findings(kg, IRIS, graphs[:1]) == len(report.results)
    assert isomorphic(_stored(kg), written)
    assert replace_results(kg, IRIS, [], graphs[:1]) == 0  # given no results, the graph has none left
    assert graphs[0] not in {str(o) for o in _stored(kg).objects(None, rdflib.URIRef(FOCUS_GRAPH))}


def test_a_violation_makes_the_stored_report_not_conform(tmp_path: Path) -> None:
    fixture = next(p for p in sorted((FIX / "invalid").glob("*.trig")) if "Violation" in p.read_text("utf-8"))
    staging = ox.Store()
    staging.load(path=str(fixture), format=ox.RdfFormat.TRIG)
    report: Report = FastValidator().validate_store(staging)
    assert report.violations()
    store = EmbeddedStore(tmp_path / "s")
    load_findings(store, IRIS, report, [])
    stored = _stored(store)
    assert isomorphic(_as_report_graph(stored), report.to_graph())
    assert stored.value(rdflib.URIRef(report_node(IRIS)), rdflib.SH.conforms).toPython() is False
    store.close()
