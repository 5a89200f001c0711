"""The named-query catalog: header parsing, its errors (file and line), and typed binding."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from queries.catalog import Catalog, Param, parse_file, parse_text
from queries.errors import CatalogError, QueryRejected
from store.embedded import EmbeddedStore

XSD = "http://www.w3.org/2001/XMLSchema#"
REQUIRED = {"dual-use", "questions-per-fractie-per-year", "member-questions", "addressed-to", "open-questions",
            "most-cited-eu-acts", "cosigner-pairs"}

HEADER = """# title@nl: Een test
# title@en: A test
# description: What it does,
#   over two lines.
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / f"{name}.rq"
    p.write_text(text, encoding="utf-8")
    return p


def test_the_shipped_catalog_loads_with_titles_and_params() -> None:
    cat = Catalog.load()
    assert REQUIRED <= set(cat.names())
    for q in cat:
        assert q.titles["nl"] and q.titles["en"] and q.description, q.name
        assert q.kind == "select"
        for p in q.params:  # every default binds, and every parameter is projected
            assert p.description, (q.name, p.name)
            assert q.variables is None or p.name in q.variables
    du = cat["dual-use"]
    assert du.title("en") == "Questions about the EU dual-use regulation"
    assert du.param("act") == Param("act", "iri", "http://data.europa.eu/eli/reg/2009/428/oj",
                                    "the EU act (its ELI or CELLAR IRI)", pick="eu-act")
    assert "regulation 428/2009" in du.description and "Kamerstuk" in du.description  # continuation lines joined
    assert cat["addressed-to"].param("addressee").kinds == ("post", "ministerie")
    assert "examples" not in " ".join(cat.names())  # queries/examples/ is not the catalog


def test_header_without_title_names_file_and_line(tmp_path: Path) -> None:
    p = write(tmp_path, "no-title", "# an introduction\n# description: x\n# param: n integer default=1 — n\n"
                                    "SELECT ?n WHERE { BIND(1 AS ?m) FILTER(?n = ?m) }\n")
    with pytest.raises(CatalogError) as info:
        parse_file(p)
    msg = str(info.value)
    assert str(p) in msg and ":2:" in msg and "title@nl" in msg
    assert info.value.line == 2
    # one title is not enough
    p = write(tmp_path, "one-title", "# title@nl: Alleen Nederlands\n# description: x\nASK {}\n")
    with pytest.raises(CatalogError, match=r"one-title\.rq:1: .*title@en"):
        parse_file(p)
    with pytest.raises(CatalogError, match=r"no-title\.rq:2: "):  # the whole folder fails on the first bad file
        Catalog.load(tmp_path)


def test_no_header_at_all(tmp_path: Path) -> None:
    p = write(tmp_path, "bare", "SELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(CatalogError, match=r"bare\.rq:1: .*no header found"):
        parse_file(p)


@pytest.mark.parametrize(("extra", "line", "fragment"), [
    ("# param: n integr default=1 — n\n", 5, "unknown type 'integr'"),
    ("# param: n integer default=one — n\n", 5, "not an integer"),
    ("# param: d date default=2019-02-30 — d\n", 5, "not a date"),
    ("# param: f iri(fractie) default=https://example.org/id/fractie/x — f\n", 5, "is not a"),
    ("# param: 9n integer — n\n", 5, "not a SPARQL variable name"),
    ("# param: n integer default=1 — n\n# param: n integer default=2 — n again\n", 6, "declared twice"),
    ("# param: unused integer default=1 — not in the query\n", 5, "not used in the query"),
    ("# param: m integer default=1 — used but not projected\n", 5, "must be in the SELECT projection"),
    ("# colour: blue\n", 5, "unknown header field 'colour'"),
    ("# title@en: again\n", 5, "title@en given twice"),
])
def test_header_errors_name_the_line(tmp_path: Path, extra: str, line: int, fragment: str) -> None:
    text = HEADER + extra + "SELECT ?n WHERE { BIND(1 AS ?n) BIND(?m AS ?x) }\n"
    with pytest.raises(CatalogError) as info:
        parse_text(text, name="t", path=tmp_path / "t.rq")
    assert info.value.line == line, str(info.value)
    assert fragment in str(info.value) and f"t.rq:{line}:" in str(info.value)


def test_a_named_query_must_pass_the_guard(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="SERVICE"):
        parse_text(HEADER + "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }\n", name="svc")
    with pytest.raises(CatalogError, match="read-only"):
        parse_text(HEADER + "CLEAR ALL\n", name="upd")
    with pytest.raises(CatalogError, match="syntax error"):
        parse_text(HEADER + "SELECT * WHERE {\n", name="syn")


def test_params_with_quoted_default_and_required(tmp_path: Path) -> None:
    q = parse_text(HEADER + '# param: term string default="dual use" — words\n# param: n integer — required\n'
                   "SELECT ?term ?n WHERE { }\n", name="t")
    assert q.param("term").default == "dual use" and q.param("n").default is None
    assert q.bind({"n": "3"}) == {"term": Literal("dual use"), "n": Literal("3", datatype=NamedNode(XSD + "integer"))}
    with pytest.raises(QueryRejected, match="'n' of query 't' is required") as info:
        q.bind({})
    assert info.value.status == 400


BIND_CASES = [
    # (type, value, expected term or None for refused)
    ("integer", "42", Literal("42", datatype=NamedNode(XSD + "integer"))),
    ("integer", " +7 ", Literal("7", datatype=NamedNode(XSD + "integer"))),
    ("integer", "4.2", None),
    ("integer", "1; DROP ALL", None),
    ("integer", "9" * 40, None),
    ("date", "2019-07-18", Literal("2019-07-18", datatype=NamedNode(XSD + "date"))),
    ("date", "18-07-2019", None),
    ("date", "2019-13-01", None),
    ("date", '2019-01-01"^^<x> } ', None),
    ("iri", "http://data.europa.eu/eli/reg/2009/428/oj", NamedNode("http://data.europa.eu/eli/reg/2009/428/oj")),
    ("iri", "not an iri", None),
    ("iri", "http://a> } CLEAR ALL { <http://b", None),
    ("iri", "relative/path", None),
    ("iri(fractie)", "groenlinks", NamedNode("https://kamergraph.nl/id/fractie/groenlinks")),
    ("iri(fractie)", "fractie/groenlinks", NamedNode("https://kamergraph.nl/id/fractie/groenlinks")),
    ("iri(fractie)", "https://kamergraph.nl/id/fractie/groenlinks", NamedNode("https://kamergraph.nl/id/fractie/groenlinks")),
    ("iri(fractie)", "https://kamergraph.nl/id/persoon/groenlinks", None),
    ("iri(fractie)", "https://evil.example/id/fractie/groenlinks", None),
    ("iri(fractie)", "post/groenlinks", None),
    ("iri(fractie)", "..", None),
    ("iri(fractie)", "green left", None),
    ("iri(fractie)", "groenlinks> . ?s ?p ?o", None),
    ("iri(post|ministerie)", "ministerie/mnre1013", NamedNode("https://kamergraph.nl/id/ministerie/mnre1013")),
    ("iri(post|ministerie)", "mnre1013", None),  # ambiguous: which kind?
]


@pytest.mark.parametrize(("type_", "value", "expected"), BIND_CASES)
def test_bind_converts_or_refuses_naming_the_parameter(type_: str, value: str, expected) -> None:
    q = parse_text(HEADER + f"# param: x {type_} — the value\nSELECT ?x WHERE {{ }}\n", name="t")
    if expected is None:
        with pytest.raises(QueryRejected) as info:
            q.bind({"x": value})
        assert info.value.status == 400 and "'x'" in info.value.message
    else:
        assert q.bind({"x": value}) == {"x": expected}


def test_configured_base_and_defaults() -> None:
    text = HEADER + "# param: f iri(fractie) default=groenlinks — f\n# param: today date default=today — t\n" \
                    "SELECT ?f ?today WHERE { }\n"
    q = parse_text(text, name="t", base="https://data.example.org/kg/")
    b = q.bind({})
    assert b["f"] == NamedNode("https://data.example.org/kg/id/fractie/groenlinks")
    assert b["today"] == Literal(dt.date.today().isoformat(), datatype=NamedNode(XSD + "date"))
    with pytest.raises(QueryRejected):  # the default base is not this deployment's
        q.bind({"f": "https://kamergraph.nl/id/fractie/groenlinks"})


def test_unknown_parameter_is_400() -> None:
    q = Catalog.load()["member-questions"]
    with pytest.raises(QueryRejected, match=r"unknown parameter 'fractie' .*person") as info:
        q.bind({"fractie": "groenlinks"})
    assert info.value.status == 400
    with pytest.raises(QueryRejected, match="no named query"):
        Catalog.load()["nope"]


HOSTILE = '" } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #\n\'\'\' <http://x> SERVICE <http://127.0.0.1:1/> {}'


def test_hostile_string_stays_a_literal(tmp_path: Path) -> None:
    write(tmp_path, "search", HEADER + "# param: term string — what to find\n"
                                       "SELECT ?s ?term WHERE { ?s <http://example.org/label> ?term }\n")
    q = Catalog.load(tmp_path)["search"]
    assert q.bind({"term": HOSTILE}) == {"term": Literal(HOSTILE)}
    store = EmbeddedStore(None)
    store.ox.add(Quad(NamedNode("http://example.org/a"), NamedNode("http://example.org/label"), Literal(HOSTILE)))
    store.ox.add(Quad(NamedNode("http://example.org/b"), NamedNode("http://example.org/label"), Literal("other")))
    r = q.run(store, {"term": HOSTILE})
    assert r.values() == [{"s": "http://example.org/a", "term": HOSTILE}]
    assert len(store) == 2  # nothing was dropped
    assert q.run(store, {"term": "nothing like it"}).rows == []
    assert HOSTILE not in q.text  # the text is never rewritten
