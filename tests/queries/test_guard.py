"""The query guard: what it refuses (with which status) and what it lets through.

The update and query forms of the W3C SPARQL 1.1 Protocol test manifest
(../shared/data/w3c-sparql11-protocol/manifest.ttl) are included verbatim."""

from __future__ import annotations

import socket
import threading

import pytest

from queries.errors import QueryRejected, QueryTimeout
from queries.guard import READ_ONLY, check

STORE_GRAPHS = {
    "https://kamergraph.nl/graph/referentie/fracties",
    "https://kamergraph.nl/graph/kamervraag/2019Z15231",
}


def exists(g: str) -> bool:
    return g in STORE_GRAPHS


# -- W3C SPARQL 1.1 Protocol manifest: the update requests (all refused: read-only)
W3C_UPDATES = [
    "CLEAR ALL",
    "CLEAR NAMED",
    "CLEAR DEFAULT",
    "CLEAR XYZ",  # malformed: still an update, still refused as one
    "CLEAR SILENT GRAPH <http://example.org/protocol-base-test/> ;\n"
    "INSERT DATA { GRAPH <http://example.org/protocol-base-test/> { <http://example.org/s> <http://example.org/p> <test> } }",
    "PREFIX dc: <http://purl.org/dc/terms/>\nPREFIX foaf: <http://xmlns.com/foaf/0.1/>\nCLEAR ALL ;\nINSERT DATA {\n"
    "    GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> {\n"
    "        <http://kasei.us/2009/09/sparql/data/data1.rdf> a foaf:Document\n    }\n} ;\nINSERT {\n"
    "    GRAPH <http://example.org/protocol-update-dataset-test/> {\n        ?s a dc:BibliographicResource\n    }\n}\n"
    "WHERE {\n    ?s a foaf:Document\n}",
    "PREFIX dc: <http://purl.org/dc/terms/>\nPREFIX foaf: <http://xmlns.com/foaf/0.1/>\nDROP ALL ;\nINSERT DATA {\n"
    "    GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> { <http://kasei.us/2009/09/sparql/data/data1.rdf> a foaf:Document }\n"
    "} ;\nINSERT {\n    GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> {\n"
    "        ?s a dc:BibliographicResource\n    }\n}\nWHERE {\n    GRAPH ?g {\n        ?s a foaf:Document\n    }\n}",
    "PREFIX foaf:  <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
    "DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
    "WHERE {\n    ?person foaf:givenName 'Bill'\n}",
]

# every kind of update operation, in the spellings people and tools use
OTHER_UPDATES = [
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "insert data { <http://a> <http://b> 'service' }",
    "DELETE DATA { GRAPH <https://kamergraph.nl/graph/referentie/fracties> { <http://a> <http://b> <http://c> } }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <file:///etc/passwd>",
    "LOAD SILENT <http://127.0.0.1:1/x> INTO GRAPH <http://g>",
    "DROP GRAPH <https://kamergraph.nl/graph/referentie/fracties>",
    "DrOp SiLeNt AlL",
    "CREATE GRAPH <http://g>",
    "ADD DEFAULT TO <http://g>",
    "MOVE <http://a> TO <http://b>",
    "COPY <http://a> TO DEFAULT",
    "# a comment first\nPREFIX kg: <https://w3id.org/kamergraph/def#>\nBASE <http://x/>\nDELETE { ?s kg:zaaknummer ?o } WHERE { ?s kg:zaaknummer ?o }",
    "PREFIX : <http://x/> INSERT { :a :b :c } WHERE { SERVICE <http://127.0.0.1:1/> { } }",
]

# -- W3C SPARQL 1.1 Protocol manifest: the query requests (all accepted; FROM of a graph the store has)
W3C_QUERIES = [
    ("ASK {}", "ask"),
    ("SELECT * {}", "select"),
    ("SELECT (1 AS ?value) {}", "select"),
    ("DESCRIBE <http://example.org/>", "describe"),
    ("CONSTRUCT { <s> <p> 1 } WHERE {}", "construct"),
    ("ASK { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type . <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type . }",
     "ask"),
    ("ASK { GRAPH ?g1 { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type } "
     "GRAPH ?g2 { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type } }", "ask"),
    ("ASK {\n    GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> {\n"
     "        <http://kasei.us/2009/09/sparql/data/data1.rdf> a <http://purl.org/dc/terms/BibliographicResource> .\n    }\n"
     "    FILTER NOT EXISTS {\n        GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> {\n"
     "            <http://kasei.us/2009/09/sparql/data/data3.rdf> a <http://purl.org/dc/terms/BibliographicResource> .\n"
     "        }\n    }\n}", "ask"),
]

ACCEPTED = W3C_QUERIES + [
    # 'service' as a word in literals, IRIs, prefixed names, variables and comments is no SERVICE
    ('SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:1/> { ?a ?b ?c }" }', "select"),
    ("SELECT * WHERE { ?s ?p '''multi\nline service <http://evil/> {}''' }", "select"),
    ("PREFIX service: <http://example.org/service#> SELECT ?service WHERE { ?service service:endpoint ?x }", "select"),
    ("SELECT * WHERE { ?s <http://example.org/service> ?o } # SERVICE <http://127.0.0.1:1/> {}", "select"),
    ("# SERVICE <http://127.0.0.1:1/> { }\nASK { ?s ?p ?o }", "ask"),
    ('SELECT * WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), "service <x>")) }', "select"),
    # lower and mixed case, prefixes, BASE
    ("select ?s where { ?s a <https://w3id.org/kamergraph/def#Kamervraag> } limit 3", "select"),
    ("PREFIX kg: <https://w3id.org/kamergraph/def#> aSk { ?s kg:zaaknummer '2019Z15231' }", "ask"),
    ("BASE <https://kamergraph.nl/graph/> SELECT * FROM <referentie/fracties> WHERE { ?s ?p ?o }", "select"),
    ("PREFIX g: <https://kamergraph.nl/graph/> SELECT * FROM NAMED g:kamervraag\\/2019Z15231 "
     "WHERE { GRAPH ?g { ?s ?p ?o } }", "select"),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "construct"),
    ("DESCRIBE ?s WHERE { ?s ?p ?o } LIMIT 1", "describe"),
]


@pytest.mark.parametrize("text", W3C_UPDATES + OTHER_UPDATES)
def test_updates_are_refused_as_read_only(text: str) -> None:
    with pytest.raises(QueryRejected) as info:
        check(text, graph_exists=exists)
    assert info.value.status == 403, info.value.message
    assert info.value.message == READ_ONLY and "read-only" in str(info.value)


@pytest.mark.parametrize(("text", "kind"), ACCEPTED)
def test_queries_are_accepted(text: str, kind: str) -> None:
    g = check(text, graph_exists=lambda iri: iri in STORE_GRAPHS or "kamergraph" not in iri)
    assert g.kind == kind and g.text == text and g.services == ()


SERVICES_REFUSED = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
    "select * where { sErViCe silent <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    "PREFIX x: <http://127.0.0.1:1/> SELECT * WHERE { SERVICE x:sparql { ?s ?p ?o } }",
    "BASE <http://127.0.0.1:1/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
    r"SELECT * WHERE { \u0053ERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
    r"SELECT * WHERE { SERVICE <http:\u002F\u002F127.0.0.1:1/> { ?s ?p ?o } }",
    "SELECT * WHERE { # SERVICE in a comment\n SERVICE\n#between\n<http://127.0.0.1:1/> { } }",
    # nested: OPTIONAL, UNION, MINUS, GRAPH, sub-query, FILTER (NOT) EXISTS, inside CONSTRUCT/ASK/DESCRIBE
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { { ?s ?p ?o } UNION { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } } } }",
    "SELECT * WHERE { ?s ?p ?o MINUS { GRAPH ?g { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } } } }",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } } } }",
    "SELECT * WHERE { ?s ?p ?o FILTER NOT EXISTS { SERVICE SILENT <http://127.0.0.1:1/> { ?s ?p ?o } } }",
    "SELECT * WHERE { BIND(EXISTS { SERVICE <http://127.0.0.1:1/> { } } AS ?x) }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "ASK { SERVICE <http://127.0.0.1:1/> { } }",
    "DESCRIBE ?s WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o } VALUES ?x { 1 } ",  # placeholder replaced below
]
SERVICES_REFUSED[-1] = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s HAVING (EXISTS { SERVICE <http://127.0.0.1:1/> {} })"


@pytest.mark.parametrize("text", SERVICES_REFUSED)
def test_service_is_refused(text: str) -> None:
    with pytest.raises(QueryRejected) as info:
        check(text)
    assert info.value.status == 403
    assert "SERVICE" in info.value.message


def test_allowed_service_passes_after_prefix_and_base() -> None:
    allowed = {"https://query.wikidata.org/sparql"}
    for text in [
        "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }",
        "PREFIX wq: <https://query.wikidata.org/> SELECT * WHERE { SERVICE SILENT wq:sparql { ?s ?p ?o } }",
        "BASE <https://query.wikidata.org/x/> SELECT * WHERE { SERVICE <../sparql> { ?s ?p ?o } }",
    ]:
        assert check(text, allowed_services=allowed).services == ("https://query.wikidata.org/sparql",)
    # one allowed SERVICE does not let another one through, nor a variable one
    with pytest.raises(QueryRejected) as info:
        check("SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } "
              "OPTIONAL { SERVICE <https://query.wikidata.org/sparql2> { ?s ?p ?o } } }", allowed_services=allowed)
    assert info.value.status == 403 and "sparql2" in info.value.message
    with pytest.raises(QueryRejected):
        check("SELECT * WHERE { SERVICE ?e { ?s ?p ?o } }", allowed_services=allowed)


@pytest.mark.parametrize("text", [
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "select * from named <file:///etc/passwd> where { graph ?g { ?s ?p ?o } }",
    "SELECT * FROM <https://kamergraph.nl/graph/referentie/fracties> FROM <http://127.0.0.1:1/data.ttl> { ?s ?p ?o }",
    "BASE <file:///etc/> SELECT * FROM <passwd> { ?s ?p ?o }",
    "PREFIX f: <file:///etc/> ASK FROM f:passwd { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } FROM <http://kasei.us/2009/09/sparql/data/data3.rdf> WHERE { ?s ?p ?o }",
    "DESCRIBE ?s FROM NAMED <https://kamergraph.nl/graph/kamervraag/1999Z99999> WHERE { ?s ?p ?o }",
])
def test_from_of_a_graph_outside_the_store_is_refused(text: str) -> None:
    with pytest.raises(QueryRejected) as info:
        check(text, graph_exists=exists)
    assert info.value.status == 403 and "FROM" in info.value.message


def test_from_graphs_are_resolved_and_reported() -> None:
    g = check(
        "BASE <https://kamergraph.nl/graph/> PREFIX g: <https://kamergraph.nl/graph/kamervraag/>\n"
        "SELECT * FROM <referentie/fracties> FROM NAMED g:2019Z15231 WHERE { ?s ?p ?o }",
        graph_exists=exists,
    )
    assert g.from_graphs == ("https://kamergraph.nl/graph/referentie/fracties",)
    assert g.from_named == ("https://kamergraph.nl/graph/kamervraag/2019Z15231",)
    asked: list[str] = []
    check("SELECT * FROM <http://x/a> { ?s ?p ?o }", graph_exists=lambda i: asked.append(i) or True)
    assert asked == ["http://x/a"]
    # without a graph_exists callable, FROM is not checked
    assert check("SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }").from_graphs == ("file:///etc/passwd",)


@pytest.mark.parametrize(("text", "line", "column"), [
    ("ASK {", 1, 6),
    ("SELECT ?s WHERE { ?s ?p ?o ", 1, 28),
    ("PREFIX kg: <https://w3id.org/kamergraph/def#>\nSELECT * WHERE {\n  ?s kg:zaaknummer ?n ;\n}\nLIMIT x", 5, 1),
    ("SELECT * WHERE { ?s ?p ?o } LIMT 10", 1, 29),
    ("SELEKT * WHERE { ?s ?p ?o }", 1, 1),
    ("SELECT * WHERE { ?s ?p ?o } ; CLEAR ALL", 1, 29),  # a query followed by an update is no query
])
def test_syntax_error_is_400_with_position(text: str, line: int, column: int) -> None:
    with pytest.raises(QueryRejected) as info:
        check(text)
    e = info.value
    assert e.status == 400
    assert (e.line, e.column) == (line, column), e.message
    assert f"line {line}, column {column}" in e.message and "syntax error" in e.message


@pytest.mark.parametrize("text", ["", "   \n# only a comment\n", "PREFIX a: <http://a/>"])
def test_empty_query_is_400(text: str) -> None:
    with pytest.raises(QueryRejected) as info:
        check(text)
    assert info.value.status == 400


def test_deep_nesting_is_400_not_a_crash() -> None:
    text = "SELECT * WHERE { " + "{ " * 3000 + "?s ?p ?o" + " }" * 3000 + " }"
    with pytest.raises(QueryRejected) as info:
        check(text)
    assert info.value.status == 400


def test_projection_is_reported() -> None:
    assert check("SELECT ?a (COUNT(*) AS ?n) WHERE { ?a ?b ?c } GROUP BY ?a").projection == ("a", "n")
    assert check("SELECT * WHERE { ?a ?b ?c }").projection is None


def test_service_listener_is_never_contacted() -> None:
    """The guard refuses before anything runs: a listener on loopback sees no connection."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(0.5)
    port = srv.getsockname()[1]
    contacted = threading.Event()

    def accept() -> None:
        try:
            conn, _ = srv.accept()
            contacted.set()
            conn.close()
        except OSError:
            pass

    t = threading.Thread(target=accept)
    t.start()
    with pytest.raises(QueryRejected):
        check(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}")
    t.join()
    srv.close()
    assert not contacted.is_set()


def test_status_values_and_timeout_member() -> None:
    with pytest.raises(ValueError):
        QueryRejected("x", 500)
    assert issubclass(QueryTimeout, Exception) and QueryTimeout(2).seconds == 2


# -- normalising: the guard checks, and returns, the one text the engine runs (issue 13, item 1)

ISSUE_ATTACK = 'SELECT ?s WHERE { BIND("\\u0022" AS ?x) SERVICE <http://127.0.0.1:1/x> { ?s ?p ?o } BIND("\\u0022" AS ?y) }'


def test_the_issue_attack_is_refused() -> None:
    """rdflib read BIND(\"\"\" … \"\"\" AS ?y) as one long string; Oxigraph called the SERVICE."""
    with pytest.raises(QueryRejected) as info:
        check(ISSUE_ATTACK)
    e = info.value
    assert e.status == 400 and (e.line, e.column) == (1, 25)
    assert "\\u0022 decodes to a double quote" in e.message


@pytest.mark.parametrize(("text", "normalised"), [
    (r'SELECT ?x WHERE { BIND("caf\u00E9" AS ?x) }', 'SELECT ?x WHERE { BIND("café" AS ?x) }'),
    (r'SELECT ?x WHERE { BIND("\U0001F600 \u00e9abcd" AS ?x) }', 'SELECT ?x WHERE { BIND("😀 éabcd" AS ?x) }'),
    (r"ASK { ?s ?p <http://example.org/\u00E9/\u00FC> }", "ASK { ?s ?p <http://example.org/é/ü> }"),
    (r"PREFIX e: <http://example.org/> ASK { ?s ?p e:caf\u00E9 }", "PREFIX e: <http://example.org/> ASK { ?s ?p e:café }"),
    (r"\u0053ELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE { ?s ?p ?o }"),  # the grammar's reading, once
    ("ASK { ?s ?p ?o } # a CRLF comment\r\n", "ASK { ?s ?p ?o } # a CRLF comment\r\n"),
])
def test_codepoint_escapes_are_decoded_once(text: str, normalised: str) -> None:
    g = check(text)
    assert g.text == normalised
    assert check(g.text).text == normalised  # normalising is idempotent


@pytest.mark.parametrize(("text", "words"), [
    (r'ASK { ?s ?p "\u0022" }', "double quote"),
    (r'ASK { ?s ?p "\U00000022" }', "double quote"),
    (r"ASK { ?s ?p 'it\u0027s' }", "single quote"),
    (r'ASK { ?s ?p "a\u005Cnb" }', "backslash"),
    (r"ASK { ?s ?p <http://x/\u003E> }", "'>'"),
    (r"ASK { ?s ?p <http://x/\u003C> }", "'<'"),
])
def test_escapes_that_decode_to_delimiters_are_refused(text: str, words: str) -> None:
    """After decoding they would end or escape a string or IRI where Oxigraph reads a character."""
    with pytest.raises(QueryRejected) as info:
        check(text)
    column = text.index("\\") + 1  # the escape's own column
    assert info.value.status == 400 and (info.value.line, info.value.column) == (1, column)
    assert words in info.value.message


@pytest.mark.parametrize(("text", "words"), [
    (r'ASK { ?s ?p "a\\u00750041" }', "leaves another escape"),  # \\ + \u0075 -> \u0041
    (r'ASK { ?s ?p "\u00\u0034\u0031" }', "leaves another escape"),  # digits completing an escape
    (r'ASK { ?s ?p "\U0041" }', "leaves another escape"),  # \U needs 8 digits; rdflib takes 4
    (r'ASK { ?s ?p "\uD83D\uDE00" }', "surrogate"),
    (r'ASK { ?s ?p "\U00110000" }', "no Unicode codepoint"),
    (r'ASK { ?s ?p "\u0000" }', "NUL"),
    ('ASK { ?s ?p "a\x00b" }', "NUL"),
    ("ASK { ?s ?p ?o # note\r SERVICE <http://127.0.0.1:1/> { } \n }", "carriage return"),
    ("ASK { ?s ?p ?o # note\\u000D SERVICE <http://127.0.0.1:1/> { } \n }", "carriage return"),
])
def test_what_two_parsers_could_read_differently_is_refused(text: str, words: str) -> None:
    with pytest.raises(QueryRejected) as info:
        check(text)
    assert info.value.status == 400 and words in info.value.message, info.value.message
    assert info.value.line == 1 and info.value.column is not None


def test_syntax_errors_point_into_the_raw_text() -> None:
    text = 'SELECT ?x WHERE {\n BIND("caf\\u00E9 \\u00E9" AS ?x) FILTER(?x = ) }'
    with pytest.raises(QueryRejected) as info:
        check(text)
    e = info.value
    column = text.splitlines()[1].index("FILTER") + 1  # where rdflib stops, counted in the raw line
    assert (e.line, e.column) == (2, column) == (2, 33)
    assert "line 2, column 33" in e.message and 'caf\\u00E9' in e.message  # the excerpt is the raw line


def test_a_service_keyword_the_parse_tree_misses_is_refused() -> None:
    """The lexical scan, not only the parse tree: SERVICE words outside strings, IRIs and comments."""
    from queries.guard import _scan

    assert len(_scan('SELECT * { ?s ?p "SERVICE <x> {}" . ?service <http://x/SERVICE> ex:service } '
                     "# SERVICE <x>\n").services) == 0
    assert check('ASK { ?s ?p "x"@en-service }').kind == "ask"  # a language tag is no keyword
    assert len(_scan("SELECT * { ?s ?p ?o # x\r SERVICE <http://x/> { } \n }").services) == 1
    assert len(_scan("SELECT * { ?o.SERVICE<http://x/>{} \"\\\"\" service ?e {} }").services) == 2


# -- size: realistic queries pass (issue 13, item 13)

def patterns(n: int) -> str:
    return "SELECT * WHERE { " + " ".join(f"?s{i} <http://example.org/p{i}> ?o{i} ." for i in range(n)) + " }"


def nested(n: int, inner: str = "?s ?p ?o") -> str:
    return "SELECT * WHERE { " + "{ " * n + inner + " }" * n + " }"


def test_500_triple_patterns_in_one_group_pass() -> None:
    g = check(patterns(500))
    assert g.kind == "select" and g.text == patterns(500)


def test_60_nested_groups_pass_and_a_deep_service_is_still_found() -> None:
    assert check(nested(60)).kind == "select"
    with pytest.raises(QueryRejected) as info:
        check(nested(60, "?s ?p ?o OPTIONAL { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"))
    assert info.value.status == 403 and "SERVICE <http://127.0.0.1:1/>" in info.value.message
    with pytest.raises(QueryRejected):
        check(patterns(400)[:-1] + " { " * 40 + "SERVICE <http://127.0.0.1:1/> { }" + " }" * 40 + " }")


def test_nesting_past_the_limit_is_refused() -> None:
    """Refused with the limit named (that it is refused quickly: bench/time_limits.py)."""
    from queries.guard import MAX_NESTING

    with pytest.raises(QueryRejected) as info:
        check(nested(MAX_NESTING + 1))
    assert info.value.status == 400 and f"more than {MAX_NESTING} levels" in info.value.message


def test_the_guard_is_thread_safe_and_restores_the_recursion_limit() -> None:
    import sys

    limit = sys.getrecursionlimit()
    texts = [patterns(300), nested(50), patterns(250), nested(40)] * 2
    results: list[object] = [None] * len(texts)

    def one(i: int) -> None:
        try:
            results[i] = check(texts[i]).text
        except Exception as exc:  # noqa: BLE001
            results[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == texts
    assert sys.getrecursionlimit() == limit


def test_guarded_query_and_rejection_pickle() -> None:
    """They cross the pipe between a query worker and the server."""
    import pickle

    g = check("PREFIX g: <https://kamergraph.nl/graph/> SELECT ?s FROM g:a FROM NAMED g:b WHERE { ?s ?p ?o }")
    assert pickle.loads(pickle.dumps(g)) == g
    for exc in (QueryRejected("no", 403), QueryRejected("bad", 400, line=3, column=7)):
        back = pickle.loads(pickle.dumps(exc))
        assert type(back) is QueryRejected
        assert (back.message, back.status, back.line, back.column, str(back)) == \
            (exc.message, exc.status, exc.line, exc.column, str(exc))


def test_relative_iris_resolve_as_the_engine_resolves_them() -> None:
    """BASE is applied by Oxigraph's own resolver: urljoin left '../c' under a scheme it does not know."""
    g = check("BASE <foo://h/a/b> BASE <x/> PREFIX p: <../d/> SELECT * FROM <../c> FROM NAMED p:e FROM <http:g> "
              "{ ?s ?p ?o }")
    assert g.from_graphs == ("foo://h/a/c", "http:g") and g.from_named == ("foo://h/a/d/e",)
    allowed = {"foo://h/sparql"}
    assert check("BASE <foo://h/a/> SELECT * { SERVICE <../sparql> { } }", allowed_services=allowed).services == \
        ("foo://h/sparql",)


def test_a_less_than_that_looks_like_an_iri_hides_neither_brackets_nor_service() -> None:
    """``<`` is an IRI or "less than" by context: ``?a<'x>'`` and ``?a<((1))&&1>0`` must not let the
    scan skip a string's start or a run of brackets (found in review: the nesting limit was bypassed
    and the SERVICE cross-check went blind)."""
    deep = "SELECT * WHERE { ?s ?p ?a FILTER(?a<" + "(" * 2500 + "1" + ")" * 2500 + "&&1>0) }"
    with pytest.raises(QueryRejected) as exc:
        check(deep)
    assert exc.value.status == 400 and "levels deep" in exc.value.message
    hidden = "SELECT * WHERE { ?s ?p ?a FILTER(?a<'x>') SERVICE <http://evil/> { ?s ?p ?o } FILTER(?a != 'b') }"
    from queries.guard import _scan

    assert len(_scan(hidden).services) == 1  # the scan sees the SERVICE the parse tree sees
    assert len(_scan("SELECT * WHERE { SERVICE:x { ?s ?p ?o } }").services) == 1
    assert _scan("PREFIX service: <http://x/> SELECT * WHERE { ?s service:p ?o }").services == []
    # IRIs with brackets or a query string, and plain comparisons, still pass
    for ok in ("SELECT * WHERE { ?s <http://dbpedia.org/resource/Foo_(bar)> ?o }",
               "SELECT * WHERE { ?s <http://example.org/service?a=1&b=2> ?o FILTER(?o < 3) }",
               "SELECT * WHERE { ?s ?p ?o FILTER(?o<3 && ?o>1) }"):
        assert check(ok).kind == "select"
