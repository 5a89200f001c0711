"""shapes.reference.PreparedQueries: rdflib's SPARQL processor with each query text parsed once per process.
A query run again with other bindings, other prefixes or another base gives that run's answers, not
the first run's; the text is parsed once."""

from __future__ import annotations

import rdflib
from rdflib import Literal, Namespace

from shapes.reference import _prepared, _use_prepared_queries

EX = Namespace("https://example.org/")


def test_a_prepared_query_answers_each_run_with_its_own_bindings() -> None:
    _use_prepared_queries()
    g = rdflib.Graph()
    for i in range(3):
        g.add((EX[f"s{i}"], EX.p, Literal(i)))
    text = "SELECT ?o WHERE { ?this <https://example.org/p> ?o }"
    before = _prepared.cache_info()
    answers = [{int(r[0]) for r in g.query(text, initBindings={"this": EX[f"s{i}"]})} for i in range(3)]
    assert answers == [{0}, {1}, {2}]
    assert {int(r[0]) for r in g.query(text)} == {0, 1, 2}
    after = _prepared.cache_info()
    assert after.misses - before.misses <= 1 and after.hits - before.hits >= 3  # parsed once, used four times
    # prefixes and the base are part of what is prepared
    other = Namespace("https://example.org/other/")
    g.add((other.s0, other.p, Literal(9)))
    q = "SELECT ?o WHERE { ?s x:p ?o }"
    assert {int(r[0]) for r in g.query(q, initNs={"x": EX})} == {0, 1, 2}
    assert {int(r[0]) for r in g.query(q, initNs={"x": other})} == {9}
    assert {int(r[0]) for r in g.query("SELECT ?o WHERE { ?s <p> ?o }", base="https://example.org/other/")} == {9}
    assert {int(r[0]) for r in g.query("SELECT ?o WHERE { ?s <p> ?o }", base="https://example.org/")} == {0, 1, 2}
