"""Binding values into query text (store.sparqltext), checked against pyoxigraph's own
substitution on the embedded store: the text with the values written in must give exactly the
rows the embedded store gives for the query with bindings. No server needed."""

from __future__ import annotations

from collections import Counter

import pytest
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    Store as OxStore,
    Triple,
    Variable,
)

from queries.catalog import QUERIES_DIR, Catalog
from store.base import QueryError
from store.sparqltext import bind, query_form, term_sparql

XSD = "http://www.w3.org/2001/XMLSchema#"
KG = "https://w3id.org/kamergraph/def#"
HOSTILE = 'x" } ; DROP ALL ; INSERT DATA { <a:b> <a:c> "d" } # \\u0022 \\" \n\r\t\'\'\' """ \\'


@pytest.fixture(scope="module")
def ox(embedded_path) -> OxStore:
    return OxStore.read_only(str(embedded_path))


def answer(store: OxStore, text: str, bindings=None):
    subs = {Variable(k): v for k, v in (bindings or {}).items()} or None
    res = store.query(text, use_default_graph_as_union=True, substitutions=subs)
    if isinstance(res, QueryBoolean):
        return bool(res)
    if isinstance(res, QuerySolutions):
        names = [v.value for v in res.variables]
        return names, Counter(tuple(_cell(s[i]) for i in range(len(names))) for s in res)
    return Counter(res)


def _cell(t):
    """A term, with GROUP_CONCAT's unspecified order taken out (a sorted list of its parts)."""
    if t is None:
        return None
    if isinstance(t, Literal) and ", " in t.value:
        return (", ".join(sorted(t.value.split(", "))), t.language, t.datatype.value)
    return t


PARAMS = {
    "open-questions": [{"today": "2024-12-31"}, {"today": "2024-03-22"}],
    "cosigner-pairs": [{}, {"min": "1"}],
    "questions-per-fractie-per-year": [{}, {"from": "2019", "to": "2019"}],
    "member-questions": [{}, {"person": "8b2e4c2f-0000-0000-0000-000000000000"}],
    "addressed-to": [{}, {"addressee": "ministerie/buitenlandse-zaken", "from": "2007-01-01", "to": "2024-12-31"}],
}


# the catalog's names without reading it at collection (reading checks every query with rdflib's parser,
# seconds of CPU); the fixture reads it once and checks that these are its names
NAMES = sorted(p.stem for p in QUERIES_DIR.glob("*.rq"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    cat = Catalog.load()
    assert cat.names() == NAMES
    return cat


@pytest.mark.parametrize("name", NAMES)
def test_bound_text_answers_like_pyoxigraph_substitution(ox: OxStore, catalog: Catalog, name: str) -> None:
    query = catalog[name]
    for values in PARAMS.get(name, [{}]):
        bindings = query.bind(values)
        expected = answer(ox, query.text, bindings)
        got = answer(ox, bind(query.text, bindings))
        assert got == expected, (name, values)


CASES = [
    # a nested OPTIONAL, a FILTER in a nested group, EXISTS: the value itself is there
    ("SELECT ?s ?x WHERE { ?s ?p ?o OPTIONAL { ?s ?p ?x } }", {"x": Literal("2019Z15231")}),
    ("SELECT ?k ?z WHERE { ?k a ?c { ?k2 <%szaaknummer> ?o FILTER(?o = ?z) } }" % KG, {"z": Literal("2019Z15231")}),
    ("SELECT ?k ?z WHERE { ?k <%szaaknummer> ?z FILTER EXISTS { ?k ?p ?z } }" % KG, {"z": Literal("2019Z15231")}),
    # a sub-query that does not project ?x has its own ?x
    ("SELECT ?s ?x WHERE { { SELECT ?s WHERE { ?s a ?x } LIMIT 3 } }", {"x": NamedNode(KG + "Kamervraag")}),
    # one that does: bound there too, and grouped by
    ("SELECT ?x ?n WHERE { { SELECT ?x (COUNT(*) AS ?n) WHERE { ?s a ?x } GROUP BY ?x } }",
     {"x": NamedNode(KG + "Kamervraag")}),
    ("SELECT * WHERE { ?s a ?x } LIMIT 5", {"x": NamedNode(KG + "Kamervraag")}),
    ("SELECT ?x (COUNT(*) AS ?n) WHERE { ?s a ?x } GROUP BY ?x HAVING (COUNT(*) > 0) ORDER BY ?x",
     {"x": NamedNode(KG + "Vraag")}),
    ("ASK { ?s a ?x }", {"x": NamedNode(KG + "Kamervraag")}),
    ("ASK { ?s a ?x }", {"x": NamedNode(KG + "NoSuchClass")}),
    ("CONSTRUCT { ?s <http://example.org/type> ?x } WHERE { ?s a ?x } LIMIT 4", {"x": NamedNode(KG + "Fractie")}),
    # a VALUES of its own: joined with the bound value
    ("SELECT ?z WHERE { VALUES ?z { \"2019Z15231\" \"nope\" } ?k <%szaaknummer> ?z }" % KG, {"z": Literal("2019Z15231")}),
    # typed and language-tagged values; a date compared in a FILTER
    ("SELECT ?k ?d WHERE { ?k <http://purl.org/dc/terms/dateSubmitted> ?date FILTER(?date >= ?d) }",
     {"d": Literal("2024-01-01", datatype=NamedNode(XSD + "date"))}),
    ("SELECT ?s ?l WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }", {"l": Literal("GroenLinks", language="nl")}),
    # a string that tries to break out of its quotes: matched literally (nothing matches)
    ("SELECT ?k ?z WHERE { ?k <%szaaknummer> ?z }" % KG, {"z": Literal(HOSTILE)}),
    ("SELECT ?k ?z WHERE { ?k <%szaaknummer> ?o FILTER(?o != ?z) } LIMIT 3" % KG, {"z": Literal(HOSTILE)}),
    # comments, strings and IRIs that look like variables are left alone
    ("SELECT ?z ('?z # not a comment' AS ?t) WHERE { # ?z in a comment\n ?k <%szaaknummer> ?z }" % KG,
     {"z": Literal("2019Z15231")}),
]


@pytest.mark.parametrize(("text", "bindings"), CASES)
def test_bound_text_edge_cases(ox: OxStore, text: str, bindings) -> None:
    assert answer(ox, bind(text, bindings)) == answer(ox, text, bindings)


def test_hostile_string_stays_one_literal(ox: OxStore) -> None:
    text = bind("SELECT ?z WHERE { BIND(STRLEN(?z) AS ?n) FILTER(?n > 0) }", {"z": Literal(HOSTILE)})
    res = ox.query(text)
    rows = list(res)
    assert len(rows) == 1 and rows[0]["z"] == Literal(HOSTILE)


def test_terms_are_written_escaped() -> None:
    assert term_sparql(NamedNode("https://kamergraph.nl/id/fractie/groenlinks")) == "<https://kamergraph.nl/id/fractie/groenlinks>"
    assert term_sparql(Literal('a"b\\c\nd')) == '"a\\"b\\\\c\\nd"'
    assert term_sparql(Literal("2019-07-18", datatype=NamedNode(XSD + "date"))) == f'"2019-07-18"^^<{XSD}date>'
    assert term_sparql(Literal("Hallo", language="nl")) == '"Hallo"@nl'
    with pytest.raises(QueryError, match="blank node"):
        term_sparql(BlankNode("b1"))
    with pytest.raises(QueryError, match="RDF-star"):
        term_sparql(Triple(NamedNode("a:b"), NamedNode("a:c"), NamedNode("a:d")))


@pytest.mark.parametrize(("text", "bindings", "message"), [
    ("SELECT ?s WHERE { ?s ?p ?x }", {"x": Literal("1")}, "projection"),
    ("SELECT ?s ?x WHERE { ?s ?p ?o BIND(?o AS ?x) }", {"x": Literal("1")}, "assigns"),
    ("SELECT ?s (?o AS ?x) WHERE { ?s ?p ?o }", {"x": Literal("1")}, "projection"),
])
def test_what_cannot_be_bound_is_refused(text: str, bindings, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        bind(text, bindings)


def test_query_form() -> None:
    assert query_form("PREFIX a: <http://x/select#> # ASK\nSELECT * {}") == "select"
    assert query_form("BASE <http://example.org/construct/> ASK {}") == "ask"
    assert query_form("CONSTRUCT WHERE { ?s ?p ?o }") == "construct"
    with pytest.raises(QueryError):
        query_form("INSERT DATA { <a:b> <a:c> <a:d> }")
