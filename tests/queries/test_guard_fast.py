"""The guard's fast path (``queries.guard.fast_verdict``, no rdflib) against the full path.

An attacker's suite: texts that try to get SERVICE, FROM / FROM NAMED, BASE, an update or a
dataset past the fast path (escapes, comments, prefixed names, nested sub-selects, IRIs and strings
holding keywords, lookalike letters) are never decided by it, and the guard refuses them as the
full path does. The plain queries people write are decided by it, with the full path's verdict;
a fixed-seed share of ``bench/guard_fuzz.py --agree`` checks the agreement on generated texts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.guard_fuzz import agreement
from queries.errors import QueryRejected
from queries.guard import check, fast_verdict, normalise

LISTENER = "http://127.0.0.1:1"

ATTACKS = [
    # SERVICE, spelled and hidden every way
    f"SELECT * WHERE {{ SERVICE <{LISTENER}/> {{ ?s ?p ?o }} }}",
    f"select * where {{ sErViCe SiLeNt <{LISTENER}/> {{ }} }}",
    f"SELECT * WHERE {{ \\u0053ERVICE <{LISTENER}/> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ SERV\\u0049CE <{LISTENER}/> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ \\U00000053ERVICE SILENT <{LISTENER}/> {{ }} }}",
    f"SELECT * WHERE {{ ?s ?p ?o # note\n SERVICE <{LISTENER}/> {{ }} }}",
    f"SELECT * WHERE {{ ?s ?p ?o . # SERVICE\n SERVICE\n#between\n<{LISTENER}/> {{ }} }}",
    f"PREFIX l: <{LISTENER}/> SELECT * WHERE {{ SERVICE l:x {{ ?s ?p ?o }} }}",
    f"PREFIX l: <http:\\u002F\\u002F127.0.0.1:1/> SELECT * WHERE {{ SERVICE l:x {{ }} }}",
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE:x { ?s ?p ?o } }",
    f"BASE <{LISTENER}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ {{ SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{LISTENER}/> {{ ?s ?p ?o }} }} }} }} }} }}",
    f"SELECT * WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ SERVICE <{LISTENER}/> {{ }} }} }}",
    f"ASK {{ BIND(EXISTS {{ SERVICE <{LISTENER}/> {{ }} }} AS ?x) }}",
    f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ OPTIONAL {{ SERVICE <{LISTENER}/> {{ ?s ?p ?o }} }} }}",
    f"SELECT * WHERE {{ ?s ?p ?a FILTER(?a<'x>') SERVICE <{LISTENER}/> {{ ?s ?p ?o }} FILTER(?a != 'b') }}",
    f'SELECT ?s WHERE {{ BIND("\\u0022" AS ?x) SERVICE <{LISTENER}/x> {{ ?s ?p ?o }} BIND("\\u0022" AS ?y) }}',
    f"SELECT * WHERE {{ ?s ?p '''x''' SERVICE <{LISTENER}/> {{ }} }}",
    f"SELECT * WHERE {{ \uff33\uff25\uff32\uff36\uff29\uff23\uff25 <{LISTENER}/> {{ }} }}",  # fullwidth letters
    f"SELECT * WHERE {{ \u017fERVICE <{LISTENER}/> {{ }} }}",  # long s: NFKC reads it as S
    f"SELECT * WHERE {{ SERV\u0130CE <{LISTENER}/> {{ }} }}",  # dotted capital I
    # FROM, FROM NAMED, BASE: a dataset the store does not hold
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "select * from named <file:///etc/passwd> where { graph ?g { ?s ?p ?o } }",
    "SELECT * \\u0046ROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "BASE <file:///etc/> SELECT * FROM <passwd> { ?s ?p ?o }",
    "PREFIX f: <file:///etc/> ASK FROM f:passwd { ?s ?p ?o }",
    "SELECT * # FROM is fine in a comment\nFROM <http://127.0.0.1:1/g> { ?s ?p ?o }",
    # updates, alone and after a query
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "DELETE WHERE { ?s ?p ?o }",
    f"LOAD <{LISTENER}/data>",
    "DROP ALL",
    "CLEAR DEFAULT",
    "CREATE GRAPH <http://g>",
    "ADD DEFAULT TO <http://g>",
    "MOVE <http://a> TO <http://b>",
    "COPY <http://a> TO DEFAULT",
    "SELECT * WHERE { ?s ?p ?o } ; MOVE <http://a> TO <http://b>",
    "ASK {} ; ADD DEFAULT TO <http://g>",
    "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    # syntax the engine knows beyond SPARQL 1.1
    "SELECT * WHERE { ?s ?p ?o LATERAL { SELECT ?x WHERE { ?s ?p ?x } LIMIT 1 } }",
    "SELECT * WHERE { <<( ?s ?p ?o )>> ?q ?r }",
    "SELECT * WHERE { ?s ?p ?o {| ?q ?r |} }",
    # not a query at all, or broken
    "SELEKT * WHERE { ?s ?p ?o }",
    "ASK {",
    "SELECT * WHERE { ?s ?p ?o } LIMT 10",
]


def _refusal(text: str, fast: bool) -> tuple[int, str] | None:
    try:
        check(text, graph_exists=lambda g: False, fast=fast)
    except QueryRejected as exc:
        return exc.status, exc.message
    return None


def _fast(text: str) -> object:
    try:
        return fast_verdict(normalise(text))
    except QueryRejected as exc:
        return exc


@pytest.mark.parametrize("text", ATTACKS)
def test_attacks_are_never_decided_by_the_fast_path(text: str) -> None:
    assert _fast(text) is None or isinstance(_fast(text), QueryRejected)
    full = _refusal(text, fast=False)
    assert full is not None and full[0] in (400, 403), full
    assert _refusal(text, fast=True) == full


# texts the full path accepts that hold a keyword somewhere harmless: the fast path may leave them to
# the full path (and does, for the letters of SERVICE and FROM), never decides them otherwise
HARMLESS = [
    'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:1/> { ?a ?b ?c }" }',
    "SELECT * WHERE { ?s <http://example.org/service> ?o }",
    "PREFIX service: <http://example.org/service#> SELECT ?service WHERE { ?service service:endpoint ?x }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:1/> {}",
    "SELECT ?from WHERE { ?from <http://example.org/p> 'from' }",
    'ASK { ?s ?p "x"@en-service }',
    "SELECT * WHERE { ?s <http://example.org/p> \"INSERT DATA { <a> <b> <c> }\" }",
    "SELECT * WHERE { ?s <http://example.org/SELECT> ?o FILTER(?o != 'LOAD') }",
]


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_keywords_take_the_full_path_or_its_verdict(text: str) -> None:
    full = check(text, fast=False)
    fast = _fast(text)
    assert fast is None or fast == full
    assert check(text) == full


PLAIN = [
    ("SELECT ?p ?o WHERE { <https://kamergraph.nl/id/kamervraag/2019Z15231> ?p ?o }", "select", ("p", "o")),
    ("# request 7\nCONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://kamergraph.nl/graph/kamervraag/2019Z15231> "
     "{ ?s ?p ?o } }", "construct", None),
    ("PREFIX kg: <https://w3id.org/kamergraph/def#>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
     "SELECT ?year (COUNT(?k) AS ?n) WHERE {\n  ?k a kg:Kamervraag ; dcterms:dateSubmitted ?d .\n"
     "  BIND (YEAR(?d) AS ?year)\n} GROUP BY ?year ORDER BY ?year", "select", ("year", "n")),
    ('SELECT DISTINCT ?k ?title WHERE { ?k <http://purl.org/dc/terms/title> ?title '
     'FILTER (CONTAINS(LCASE(STR(?title)), "cybersurveillance")) } LIMIT 10', "select", ("k", "title")),
    ("ASK { ?s a <https://w3id.org/kamergraph/def#Kamervraag> }", "ask", None),
    ("DESCRIBE <https://kamergraph.nl/id/kamervraag/2019Z15231>", "describe", None),
    ("select * { ?s ?p ?o } limit 3", "select", None),
    ('SELECT ?x WHERE { BIND("caf\\u00E9" AS ?x) }', "select", ("x",)),
]


@pytest.mark.parametrize(("text", "kind", "projection"), PLAIN)
def test_plain_queries_are_decided_with_the_full_paths_verdict(text: str, kind: str,
                                                                projection: tuple[str, ...] | None) -> None:
    fast = _fast(text)
    assert fast is not None, "the fast path should decide this text"
    assert fast == check(text, fast=False) == check(text)
    assert (fast.kind, fast.projection, fast.text) == (kind, projection, normalise(text))  # type: ignore[union-attr]


def test_named_queries_get_the_same_verdict_either_way() -> None:
    """Every named query of the catalog gets the full path's verdict with the fast path on (their
    variables ?from and ?to and their comments hold the letters of FROM: the full path decides)."""
    paths = sorted(Path(__file__).resolve().parents[2].joinpath("queries").glob("*.rq"))
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert check(text) == check(text, fast=False), path.name


def test_the_fast_path_agrees_with_the_full_path_on_generated_texts() -> None:
    tally = agreement(count=60, seed=20261208)
    assert tally.failures == []
    # the generator is worth something: texts both paths accept, texts refused, texts the fast path decides
    assert tally.fast >= 10 and tally.full_refused >= 10 and tally.full_accepted >= tally.fast
