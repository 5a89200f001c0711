"""The shapes, the pyshacl reference path and the fast SPARQL path, on real-data fixtures.

fixtures/valid/*.trig must conform (no result at all, not even a warning); each
fixtures/invalid/<Shape-or-Rule>[--variant].trig names in its header the results it must produce
(``# expect: <source shape> <path or -> <severity>``). On every fixture pyshacl and the
FastValidator (whole store, and restricted to the fixture's graphs) must report the same results:
focus node, source shape, path, severity, constraint component, value, message and graph.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF, SH

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_store  # noqa: E402

from shapes.validate import (  # noqa: E402
    SHAPES_PATH,
    FastValidator,
    Report,
    ShapesValidationError,
    UnsupportedShapeError,
    ValidationResult,
    load_shapes,
    validate,
)

HERE = Path(__file__).resolve().parent
FIX = HERE / "fixtures"
VALID = sorted((FIX / "valid").glob("*.trig"))
INVALID = sorted((FIX / "invalid").glob("*.trig"))
COMPILER = FIX / "compiler"

PREFIXES = {
    "kgsh": "https://w3id.org/kamergraph/shapes#",
    "kg": "https://w3id.org/kamergraph/def#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "cito": "http://purl.org/spar/cito/",
    "eli": "http://data.europa.eu/eli/ontology#",
}
ZAAK_GRAPH = "https://kamergraph.nl/graph/kamervraag/2019Z15231"


def expand(curie: str) -> str | None:
    if curie == "-":
        return None
    p, local = curie.split(":", 1)
    return PREFIXES[p] + local


def expectations(path: Path) -> list[tuple[str, str | None, str]]:
    out = []
    for line in path.read_text().splitlines():
        m = re.match(r"# expect: (\S+) (\S+) (\S+)$", line)
        if m:
            out.append((expand(m.group(1)), expand(m.group(2)), m.group(3)))
    return out


def load_dataset(path: Path) -> rdflib.Dataset:
    ds = rdflib.Dataset()
    ds.parse(path, format="trig")
    return ds


def load_store(path: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TRIG)
    return store


def full(report: Report) -> set[tuple]:
    return {r.key() + (r.value, r.message, r.graph) for r in report.results}


@pytest.fixture(scope="module")
def fast() -> FastValidator:
    return FastValidator()


# --------------------------------------------------------------------------- shapes file


def test_shapes_file_parses_and_every_constraint_has_a_message():
    sg = load_shapes()
    assert (None, RDF.type, SH.NodeShape) in sg
    for ps in sg.subjects(SH.path, None):
        if (None, SH["or"], None) in sg and ps in {
            m for lst in sg.objects(None, SH["or"]) for m in rdflib.collection.Collection(sg, lst)
        }:
            continue  # member shapes of sh:or report through their node shape
        assert sg.value(ps, SH.message) is not None, f"{ps} has no sh:message"
    for c in sg.objects(None, SH.sparql):
        assert sg.value(c, SH.message) is not None, f"SPARQL constraint {c} has no sh:message"
    # only the vergaderjaar rule is a warning
    warn = {str(s) for s in sg.subjects(SH.severity, SH.Warning)}
    assert warn == {PREFIXES["kgsh"] + "VergaderjaarRule"}


def test_every_shape_and_rule_has_an_invalid_fixture():
    sg = load_shapes()
    shapes = {str(s).rsplit("#", 1)[1] for s in sg.subjects(SH.targetClass, None)}
    have = {p.stem.split("--")[0] for p in INVALID}
    assert shapes - have == set(), f"no invalid fixture for {sorted(shapes - have)}"
    assert have - shapes == set(), f"fixtures for unknown shapes {sorted(have - shapes)}"


def test_fixture_lists_are_not_empty():
    assert len(VALID) >= 3 and len(INVALID) >= 25


# --------------------------------------------------------------------------- valid fixtures


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_conforms_pyshacl(path):
    report = validate(load_dataset(path))
    assert report.results == (), report.to_text()
    assert report.conforms


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_conforms_fast(path, fast):
    store = load_store(path)
    assert fast.validate_store(store).results == ()
    graphs = [g.value for g in store.named_graphs()]
    assert fast.validate_store(store, graphs).results == ()


# --------------------------------------------------------------------------- invalid fixtures


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_reports_expected_results(path, fast):
    expected = expectations(path)
    assert expected, f"{path.name} has no '# expect:' line"
    reports = {"pyshacl": validate(load_dataset(path)), "fast": fast.validate_store(load_store(path))}
    for name, report in reports.items():
        got = {(r.source_shape, r.path, r.severity) for r in report.results}
        for exp in expected:
            assert exp in got, f"{name}: expected {exp} in\n{report.to_text()}"
        # nothing beyond the expected shapes
        assert {g[0] for g in got} <= {e[0] for e in expected}, f"{name}: unexpected results\n{report.to_text()}"
        assert report.conforms == all(e[2] != "Violation" for e in expected)
        for r in report.results:
            assert r.message and "{?" not in r.message, r
            assert r.graph is not None and r.graph.startswith("https://kamergraph.nl/graph/")


def test_the_bad_zaak_number_is_reported_on_its_zaak_graph(fast):
    path = FIX / "invalid" / "KamervraagShape.trig"
    for report in (validate(load_dataset(path)), fast.validate_store(load_store(path))):
        (r,) = report.results
        assert r.focus_node == "https://kamergraph.nl/id/kamervraag/2019Z15231"
        assert r.path == PREFIXES["kg"] + "zaaknummer"
        assert r.value == "2019X15231"
        assert r.graph == ZAAK_GRAPH
        assert r.component == str(SH.PatternConstraintComponent)
        assert r.severity == "Violation"
        assert report.rejected_graphs() == {ZAAK_GRAPH}


def test_sparql_rule_messages_are_filled_in(fast):
    path = FIX / "invalid" / "PeriodOrderRule.trig"
    for report in (validate(load_dataset(path)), fast.validate_store(load_store(path))):
        (r,) = report.results
        assert r.message.startswith("schema:endDate 1993-04-21 is before schema:startDate 1994-05-16")
        assert r.value == "1993-04-21"
        assert r.graph == "https://kamergraph.nl/graph/referentie/lidmaatschappen"


# --------------------------------------------------------------------------- the differential test


@pytest.mark.parametrize("path", VALID + INVALID, ids=lambda p: p.parent.name + "/" + p.stem)
def test_pyshacl_and_fast_validator_agree(path, fast):
    reference = validate(load_dataset(path))
    store = load_store(path)
    whole = fast.validate_store(store)
    restricted = fast.validate_store(store, [g.value for g in store.named_graphs()])
    assert full(whole) == full(reference), (
        f"pyshacl only: {full(reference) - full(whole)}\nfast only: {full(whole) - full(reference)}")
    assert full(restricted) == full(reference)


def test_compiler_features_agree_with_pyshacl():
    shapes = COMPILER / "features.shapes.ttl"
    data = COMPILER / "features.trig"
    reference = validate(load_dataset(data), shapes_path=shapes)
    fv = FastValidator(shapes)
    store = load_store(data)
    got = fv.validate_store(store)
    assert full(got) == full(reference)
    assert full(fv.validate_store(store, ["https://kamergraph.nl/graph/referentie/regering"])) == full(reference)
    comps = {r.component.rsplit("#", 1)[1] for r in got.results}
    assert comps == {"ClassConstraintComponent", "InConstraintComponent", "HasValueConstraintComponent",
                     "MinCountConstraintComponent", "MaxCountConstraintComponent", "XoneConstraintComponent",
                     "NotConstraintComponent"}
    # mnre1013 is a kg:Organisatie through rdfs:subClassOf in the ontology graph
    assert not any(r.focus_node.endswith("mnre1013") for r in got.results)
    assert {r.severity for r in got.results} == {"Violation", "Info"}


@pytest.mark.parametrize("name", ["minlength", "bnode", "targetnode", "path"])
def test_unsupported_features_fail_at_compile_time(name):
    with pytest.raises(UnsupportedShapeError) as e:
        FastValidator(COMPILER / f"unsupported-{name}.shapes.ttl")
    assert isinstance(e.value, ShapesValidationError)
    assert "not supported by FastValidator" in str(e.value)


# --------------------------------------------------------------------------- data + reference, graphs, quads


def split(path: Path) -> tuple[rdflib.Dataset, rdflib.Graph]:
    ds = load_dataset(path)
    data, ref = rdflib.Dataset(), rdflib.Graph()
    for s, p, o, g in ds.quads((None, None, None, None)):
        gid = getattr(g, "identifier", g)
        if str(gid) == ZAAK_GRAPH:
            data.graph(rdflib.URIRef(ZAAK_GRAPH)).add((s, p, o))
        else:
            ref.add((s, p, o))
    return data, ref


def test_validate_with_reference_reports_only_the_data():
    data, ref = split(FIX / "valid" / "2019Z15231.trig")
    assert validate(data, ref).results == ()
    # without the reference, the links have nothing to point to
    alone = validate(data)
    assert not alone.conforms
    assert {r.component.rsplit("#", 1)[1] for r in alone.results} >= {"ClassConstraintComponent"}
    # a mistake in the Zaak graph is reported ...
    data, ref = split(FIX / "invalid" / "AskerLidmaatschapRule.trig")
    assert {r.source_shape for r in validate(data, ref).results} == {PREFIXES["kgsh"] + "AskerLidmaatschapRule"}
    # ... a mistake in the reference data is not the Zaak graph's
    data, ref = split(FIX / "invalid" / "PersoonShape.trig")
    assert validate(data, ref).results == ()


def test_fast_validator_restricts_focus_nodes_to_graphs(fast):
    store = load_store(FIX / "invalid" / "PersoonShape.trig")
    assert fast.validate_store(store, [ZAAK_GRAPH]).results == ()
    assert not fast.validate_store(store, ["https://kamergraph.nl/graph/referentie/personen"]).conforms
    assert fast.validate_store(store, []).results == ()


def test_validate_quads_with_reference_store(fast):
    store = load_store(FIX / "invalid" / "AskerFractieRule.trig")
    zaak = list(store.quads_for_pattern(None, None, None, ox.NamedNode(ZAAK_GRAPH)))
    ref = ox.Store()
    ref.extend(q for q in store if q.graph_name != ox.NamedNode(ZAAK_GRAPH))
    report = fast.validate_quads(zaak, ref)
    assert {(r.source_shape, r.graph) for r in report.results} == {(PREFIXES["kgsh"] + "AskerFractieRule", ZAAK_GRAPH)}


def test_synthetic_corpus_finds_exactly_the_injected_errors(fast):
    store, graphs, bad = synthetic_store(3000, bad_every=250)
    report = fast.validate_store(store)  # its speed: tests/shapes/bench_fast_validator.py
    assert {r.focus_node for r in report.results} == bad
    assert {r.source_shape for r in report.results} == {PREFIXES["kgsh"] + "Kamervraag-zaaknummer"}
    assert report.rejected_graphs() == {g for g in graphs if g.replace("/graph/", "/id/") in bad}
    sub = fast.validate_store(store, graphs[1:250])
    assert sub.results == ()
    sub = fast.validate_store(store, graphs[:2])
    assert [r.graph for r in sub.results] == [graphs[0]]


# --------------------------------------------------------------------------- the report


def test_report_formats(fast):
    report = fast.validate_store(load_store(FIX / "invalid" / "AskerLidmaatschapRule--wrong-date.trig"))
    assert not report.conforms
    assert report.by_shape() == {
        PREFIXES["kgsh"] + "AdresseringAmbtsperiodeRule": 1,
        PREFIXES["kgsh"] + "AskerLidmaatschapRule": 4,
        PREFIXES["kgsh"] + "VergaderjaarRule": 1,
    }
    assert len(report.warnings()) == 1 and len(report.violations()) == 5
    text = report.to_text()
    assert text.startswith("Does not conform: 5 violation(s), 1 warning(s)")
    assert "kgsh:AskerLidmaatschapRule" in text
    obj = json.loads(report.to_json())
    assert obj["conforms"] is False and len(obj["results"]) == 6
    assert report.to_dict()["by_shape"] == report.by_shape()
    g = rdflib.Graph().parse(data=report.to_turtle(), format="turtle")
    (rep,) = g.subjects(RDF.type, SH.ValidationReport)
    assert g.value(rep, SH.conforms).toPython() is False
    results = list(g.objects(rep, SH.result))
    assert len(results) == 6
    for r in results:
        assert g.value(r, SH.focusNode) is not None
        assert g.value(r, SH.sourceConstraintComponent) == SH.SPARQLConstraintComponent
        assert g.value(r, SH.resultSeverity) in (SH.Violation, SH.Warning)
    dates = {g.value(r, SH.value) for r in results if g.value(r, SH.resultPath) == rdflib.URIRef(PREFIXES["kg"] + "vergaderjaar")}
    assert dates == {rdflib.Literal("2018-2019")}


def test_warnings_do_not_block():
    report = validate(load_dataset(FIX / "invalid" / "VergaderjaarRule.trig"))
    assert report.conforms and len(report.results) == 1 and report.rejected_graphs() == frozenset()


def test_result_is_frozen_and_hashable():
    r = ValidationResult("urn:x", None, "m", "Violation", "urn:s", None)
    with pytest.raises(AttributeError):
        r.message = "n"  # type: ignore[misc]
    assert len({r, r}) == 1
    assert Report((r,)).conforms is False and Report().conforms is True


def test_default_shapes_path_is_the_bundled_file():
    assert SHAPES_PATH.name == "kamergraph.shapes.ttl" and SHAPES_PATH.exists()
