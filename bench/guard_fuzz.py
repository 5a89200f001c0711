"""Differential fuzzing of the query guard against the engine (issue 13, item 1).

A generator (hypothesis) writes queries that hide ``SERVICE <http://127.0.0.1:PORT/…>``,
``FROM``/``FROM NAMED`` of a secret graph and updates in strings, long strings, comments (ended
by LF, CRLF or a lone CR), ``\\u``/``\\U`` escapes in and outside strings, prefixed names,
BASE-relative IRIs, nested groups (OPTIONAL, UNION, MINUS, FILTER EXISTS, sub-selects, GRAPH)
and property paths, and mutates some of them into invalid shapes. A real loopback HTTP listener
answers SPARQL JSON and counts every connection. For each query:

- the guard runs (``queries.guard.check``, no SERVICE allowed, the secret graph "absent");
- the raw text runs on a real in-process pyoxigraph store: did the engine contact the listener?
- if the guard accepted, its normalised text (``GuardedQuery.text``, what the server runs)
  runs on the same store, and as an update on a scratch store (which must refuse it): any
  listener contact there, or the secret graph's marker in the answer, is a guard failure.

The tests (tests/reliability/test_guard_differential.py) run a fixed-seed share of this.

    .venv/bin/python bench/guard_fuzz.py --count 20000          # the differential run
    .venv/bin/python bench/guard_fuzz.py --timing [--guard F]   # the guard's time on typical queries
    .venv/bin/python bench/guard_fuzz.py --agree --count 2000  # the fast path against the full path

``--agree``: the guard's fast path (``queries.guard.fast_verdict``: no rdflib) decides a share of the
texts; on each it decides, its verdict must be the full path's (``check(..., fast=False)``), on plain
queries people write (with keywords in strings, IRIs, prefixed names and comments, escapes and junk)
and on the attacks above.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hypothesis import strategies as st  # noqa: E402
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store  # noqa: E402

from tests.support.listener import Listener  # noqa: E402

EX = "http://example.org/"
SECRET_MARKER = "SECRET-MARKER-7f3a"
LISTENER_MARKER = "http://listener.invalid/answered"


# --------------------------------------------------------------------------- the listener

#: what the loopback listener (tests.support.listener) answers every request with: one solution
LISTENER_ANSWER = {"head": {"vars": ["s", "p", "o"]},
                   "results": {"bindings": [{"s": {"type": "uri", "value": LISTENER_MARKER}}]}}


# --------------------------------------------------------------------------- the store and the engine

def secret_graph(base: str) -> str:
    return f"{base}/secret"


def small_store(base: str, path: str | None = None) -> Store:
    """A few triples in the default graph, one named graph, and a secret graph only FROM reaches."""
    store = Store(path) if path is not None else Store()
    ex = lambda local: NamedNode(EX + local)  # noqa: E731
    store.extend([
        Quad(ex("s1"), ex("p"), Literal("o1"), DefaultGraph()),
        Quad(ex("s1"), ex("q"), ex("s2"), DefaultGraph()),
        Quad(ex("s2"), ex("p"), Literal("café ☕ é"), DefaultGraph()),
        Quad(ex("s2"), ex("q"), ex("s3"), DefaultGraph()),
        Quad(ex("s3"), ex("p"), NamedNode(EX + "é/ü"), DefaultGraph()),
        Quad(ex("s1"), ex("p"), Literal("in g1"), ex("g1")),
        Quad(ex("secret"), ex("p"), Literal(SECRET_MARKER), NamedNode(secret_graph(base))),
    ])
    return store


@dataclass
class Run:
    contacts: int  # listener connections while it ran
    answer: Any = None  # a comparable form of the answer (None after an error)
    error: str | None = None

    @property
    def leaked(self) -> bool:
        return SECRET_MARKER in repr(self.answer)


def run_engine(store: Store, text: str, listener: Listener) -> Run:
    """Run ``text`` as a query on ``store``, to the last row; count the listener's connections."""
    before = listener.contacts
    try:
        result = store.query(text)
        if isinstance(result, bool) or type(result).__name__ == "QueryBoolean":
            answer: Any = bool(result)
        elif hasattr(result, "variables"):
            answer = sorted(tuple(str(row[i]) if row[i] is not None else "" for i in range(len(result.variables)))
                            for row in result)
        else:
            answer = sorted(str(t) for t in result)
        return Run(listener.contacts - before, answer)
    except Exception as exc:  # noqa: BLE001 - SyntaxError, OSError …: the engine refused or failed
        return Run(listener.contacts - before, None, f"{type(exc).__name__}: {exc}")


def run_update(text: str, listener: Listener) -> Run:
    """Run ``text`` as an update on a scratch store (a query text must be refused as one)."""
    before = listener.contacts
    try:
        Store().update(text)
        return Run(listener.contacts - before, "executed as an update")
    except Exception as exc:  # noqa: BLE001
        return Run(listener.contacts - before, None, f"{type(exc).__name__}: {exc}")


# --------------------------------------------------------------------------- the generator

FORMS = [
    "SELECT * WHERE {{ {body} }}",
    "SELECT ?s WHERE {{ ?s ?p ?o . {body} }} LIMIT 5",
    "ASK {{ {body} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {body} }}",
    "DESCRIBE ?s WHERE {{ {body} }}",
    "SELECT ?s (COUNT(*) AS ?n) WHERE {{ {body} }} GROUP BY ?s",
    "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ {body} }} }} }}",
]
WRAPPERS = [
    "{{ {p} }}",
    "OPTIONAL {{ {p} }}",
    "{{ ?s ?p ?o }} UNION {{ {p} }}",
    "?s ?p ?o MINUS {{ {p} }}",
    "FILTER EXISTS {{ {p} }}",
    "FILTER NOT EXISTS {{ {p} }}",
    "{{ SELECT * WHERE {{ {p} }} }}",
    "GRAPH <http://example.org/g1> {{ {p} }}",
    "?s ex:q/ex:q* ?x . {p}",
    "?s (ex:p|^ex:q)+ ?x . {p}",
    "?s ex:a\\.b ?x . {p}",
    "BIND(EXISTS {{ {p} }} AS ?e)",
]
BENIGN = ["?s ex:p ?o", "?service ex:service ?o", 'BIND("SERVICE <{base}/b> {{}}" AS ?w)',
          "?s <{base}/service> ?o", "OPTIONAL {{ ?s ex:q ?o }}", "?s ex:p 'caf\\u00E9'"]
FILLERS = ["?s ?p ?o .", "?s ex:p ?o .", "?s <http://example.org/q>+ ?o .", "BIND(1 AS ?one)",
           'FILTER(?o != "x")', "VALUES ?v { 1 2 }", "?s ex:q [ ex:p ?o ] ."]
# (open, close) pairs that hide a payload, or pretend to, or expose it to one reader only
HIDERS = [
    ("", ""),
    ('BIND("', '" AS ?h)'),
    ('BIND("""', '""" AS ?h)'),
    ("BIND('''", "''' AS ?h)"),
    ("# ", "\n"),
    ("#x\r", "\n"),
    ("#x\r\n", "\n"),
    ('BIND("\\u0022" AS ?x) ', ' BIND("\\u0022" AS ?y)'),
    ('BIND("\\U00000022" AS ?x) ', ' BIND("\\U00000022" AS ?y)'),
    ("BIND('\\u0027' AS ?x) ", " BIND('\\u0027' AS ?y)"),
    ('BIND("""\\u0022""" AS ?x) ', ' BIND("""\\u0022""" AS ?y)'),
    ('BIND("\\u005C" AS ?x) ', ' BIND("\\u005C" AS ?y)'),
    ('BIND("\\u005C\\u0022" AS ?x) ', ' BIND("\\u005C\\u0022" AS ?y)'),
    ('BIND("\\\\u0022" AS ?x) ', ' BIND("\\\\u0022" AS ?y)'),
    ('BIND("a\\u000A" AS ?x) ', ' BIND("b" AS ?y)'),
    ("\\u0023 ", "\\u000A"),
    ("# \\u000A ", "\n"),
    ("#\\u000D", "\n"),
    ("<http://example.org/\\u003E", "\\u003C>"),
    ("ex:\\u0023", "\n"),
]
FROM_HIDERS = ["{clause}", "# {clause}\n", "#x\r {clause}\n", "#x\r\n {clause}", "\\u0023 {clause}\\u000A",
               "{clause} # \\u000A"]
JUNK = ['"', "'", '"""', "'''", "#", "\r", "\n", "\\u0022", "\\u0027", "\\u005C", "\\u000A", "\\u000D",
        "\\", "<", ">", "{", "}", ".", ";", "\x00", "\\u0000", "\\uD800", "\\U0041", "\\u00", "SERVICE",
        "\u2028", "\x0b", "\x85"]


def _escape_some(draw: Any, text: str, into: str = "any") -> str:
    """Write some characters of ``text`` as \\u or \\U escapes."""
    if not text or not draw(st.booleans()):
        return text
    positions = draw(st.sets(st.integers(0, len(text) - 1), max_size=4))
    out = []
    for i, ch in enumerate(text):
        if i in positions and ch not in "\r\n":
            out.append(f"\\U{ord(ch):08X}" if draw(st.booleans()) else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


@st.composite
def endpoint(draw: Any, base: str) -> tuple[str, str]:
    """(prologue, endpoint) naming the listener in one of the ways SPARQL allows."""
    way = draw(st.sampled_from(["iri", "prefix", "base", "escaped", "prefix-escaped", "var"]))
    if way == "iri":
        return "", f"<{base}/iri>"
    if way == "prefix":
        return f"PREFIX lst: <{base}/> ", "lst:pfx"
    if way == "base":
        return f"BASE <{base}/> ", "<rel>"
    if way == "escaped":
        return "", "<" + _escape_some(draw, f"{base}/esc") + ">"
    if way == "prefix-escaped":
        return "PREFIX lst: <" + _escape_some(draw, f"{base}/") + "> ", "lst:p\\.x"
    return "", "?endpoint"


@st.composite
def service(draw: Any, base: str) -> tuple[str, str]:
    prologue, ep = draw(endpoint(base))
    keyword = draw(st.sampled_from(["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "\\u0053ERVICE",
                                    "SERV\\u0049CE", "\\U00000053ERVICE SILENT"]))
    return prologue, f"{keyword} {ep} {{ ?s ?p ?o }}"


@st.composite
def queries(draw: Any, base: str) -> str:
    """One query text that may hide a SERVICE call, a FROM of the secret graph or an update."""
    prologue, payload = draw(service(base))
    if draw(st.integers(0, 3)) == 0:  # no SERVICE at all, or the word in harmless places
        payload = draw(st.sampled_from(BENIGN)).format(base=base)
    prologue = "PREFIX ex: <http://example.org/> " + prologue
    opening, closing = draw(st.sampled_from(HIDERS))
    part = opening + payload + closing
    for wrapper in draw(st.lists(st.sampled_from(WRAPPERS), max_size=4)):
        part = wrapper.format(p=part)
    before = draw(st.lists(st.sampled_from(FILLERS), max_size=2))
    after = draw(st.lists(st.sampled_from(FILLERS), max_size=2))
    body = " ".join(before + [part] + after)
    text = prologue + draw(st.sampled_from(FORMS)).format(body=body)
    extra = draw(st.sampled_from(["none", "from", "from-named", "from-hidden", "update", "update-hidden"]))
    secret = secret_graph(base)
    if extra.startswith("from"):
        clause = f"FROM NAMED <{secret}>" if extra == "from-named" else f"FROM <{_escape_some(draw, secret)}>"
        if extra == "from-hidden":
            clause = draw(st.sampled_from(FROM_HIDERS)).format(clause=clause)
        head, sep, rest = text.partition(" WHERE {")
        if sep:
            text = head + " " + clause + sep + rest
        if extra == "from-hidden" and draw(st.booleans()):  # the quote trick around the clause
            text = (prologue + 'SELECT ?s ("\\u0022" AS ?x) ' + clause + ' WHERE { BIND("\\u0022" AS ?y) '
                    + body + " }")
    elif extra.startswith("update"):
        update = draw(st.sampled_from([f"LOAD <{base}/load>", f"LOAD SILENT <{base}/load> INTO GRAPH <{EX}g>",
                                       "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
                                       f"CLEAR SILENT GRAPH <{secret}>"]))
        if extra == "update":
            text = draw(st.sampled_from([update, text + " ; " + update, "PREFIX ex: <http://example.org/> " + update]))
        else:
            o, c = draw(st.sampled_from(HIDERS))
            text = text + " " + o + " ; " + update + c
    text = _escape_some(draw, text) if draw(st.integers(0, 9)) == 0 else text
    for _ in range(draw(st.integers(0, 2)) if draw(st.booleans()) else 0):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(JUNK)) + text[at:]
    return text


SAFE_CHARS = "abcXYZ019 _-.,!é☕€ßøΩ中😀%~+*()@=$&"
IRI_CHARS = "abcXYZ019_-./é☕€ßøΩ中😀~+*()@=$&"


@st.composite
def escaped_queries(draw: Any) -> str:
    """A valid query whose strings and IRIs hold \\u and \\U escapes of ordinary characters."""
    chars = draw(st.text(st.sampled_from(SAFE_CHARS), min_size=1, max_size=12))
    ichars = draw(st.text(st.sampled_from(IRI_CHARS), min_size=1, max_size=12))
    lit = _escape_some(draw, chars)
    iri = _escape_some(draw, ichars)
    quote = draw(st.sampled_from(['"', "'", '"""', "'''"]))
    form = draw(st.sampled_from([
        'SELECT ?x WHERE {{ BIND({q}{lit}{q} AS ?x) }}',
        'SELECT ?x ?y WHERE {{ BIND({q}{lit}{q} AS ?x) BIND(<http://example.org/{iri}> AS ?y) }}',
        'SELECT ?s WHERE {{ ?s <http://example.org/p> ?o FILTER(STRSTARTS(?o, {q}caf\\u00E9{q}) || ?o = {q}{lit}{q}) }}',
        'SELECT ?s WHERE {{ ?s <http://example.org/p> <http://example.org/\\u00E9/\\u00FC> }}',
        'ASK {{ ?s <http://example.org/p> {q}caf\\u00E9 \\u2615 \\U000000E9{q} }}',
        'PREFIX ex: <http://example.org/> SELECT ?s (COUNT(*) AS ?n) WHERE {{ ?s ex:p ?o '
        'FILTER(?o != {q}{lit}{q}) }} GROUP BY ?s',
        'CONSTRUCT {{ <http://example.org/{iri}> <http://example.org/p> {q}{lit}{q} }} WHERE {{}}',
    ]))
    return form.format(q=quote, lit=lit, iri=iri)


# --------------------------------------------------------------------------- one differential step

@dataclass
class Tally:
    generated: int = 0
    engine_contacted: int = 0  # raw text: the engine would have called the listener
    refused: int = 0
    accepted: int = 0
    guarded_contacts: int = 0  # listener connections while the accepted (normalised) texts ran
    secret_leaks: int = 0  # the secret graph's marker in an accepted query's answer
    failures: list[str] = field(default_factory=list)


def differential(text: str, store: Store, listener: Listener, tally: Tally, check: Any) -> Any:
    """Guard ``text``, run it raw and (when accepted) guarded; record what happened in ``tally``.

    Returns the GuardedQuery or the QueryRejected. A guard failure is appended to ``tally.failures``."""
    from queries.errors import QueryRejected

    secret = secret_graph(listener.base)
    tally.generated += 1
    try:
        outcome: Any = check(text, allowed_services=(), graph_exists=lambda g: g != secret)
    except QueryRejected as exc:
        outcome = exc
    except Exception as exc:  # noqa: BLE001 - the guard may refuse, never crash
        tally.failures.append(f"guard crashed ({type(exc).__name__}: {exc}) on {text!r}")
        return exc
    raw = run_engine(store, text, listener)
    if raw.contacts:
        tally.engine_contacted += 1
    if isinstance(outcome, QueryRejected):
        tally.refused += 1
        return outcome
    tally.accepted += 1
    if raw.contacts:
        tally.failures.append(f"the engine contacts the listener for an accepted raw text: {text!r}")
    guarded = run_engine(store, outcome.text, listener)
    as_update = run_update(outcome.text, listener)
    tally.guarded_contacts += guarded.contacts + as_update.contacts
    if guarded.contacts or as_update.contacts:
        tally.failures.append(f"the guarded text contacts the listener: {outcome.text!r} (raw {text!r})")
    if guarded.leaked:
        tally.secret_leaks += 1
        tally.failures.append(f"the guarded text reads the secret graph: {outcome.text!r}")
    if as_update.error is None:
        tally.failures.append(f"the guarded text runs as an update: {outcome.text!r}")
    return outcome


# --------------------------------------------------------------------------- the fast path against the full path

PLAIN_PROLOGUES = ["", "PREFIX ex: <http://example.org/> ", "PREFIX : <http://example.org/>\n",
                   "PREFIX ex: <http://example.org/> PREFIX kg: <https://w3id.org/kamergraph/def#>\n"]
PLAIN_TERMS = ["?s", "?o", "?x", "ex:s1", "ex:p", "<http://example.org/s2>", "_:b1", "[]", "'o1'", '"café ☕"@nl',
               '"1"^^<http://www.w3.org/2001/XMLSchema#integer>', "42", "1.5e-3", "true", "FALSE", "a",
               "ex:a\\.b", "ex:service", "?service", "?from", "<http://example.org/SERVICE>", "<http://example.org/from>",
               '"SERVICE <http://127.0.0.1:1/> {}"', "'FROM <http://x/g>'", '"\\u0053ERVICE"', "ex:\\u00E9",
               "<http://example.org/\\u00E9>", "ex:insert", '"x"@en-service', ":p", "kg:Kamervraag"]
PLAIN_PATHS = ["ex:p", "?p", "a", "ex:q/ex:p", "ex:q*", "^ex:q", "(ex:p|ex:q)+", "!ex:p", "ex:q?", "<http://example.org/p>"]
PLAIN_EXPRS = ["?o != 'x'", "STR(?o) = 'o1'", "CONTAINS(LCASE(STR(?o)), 'caf')", "REGEX(STR(?s), '^http', 'i')",
               "?x > -1 && ?x <= 3", "BOUND(?o) || !ISIRI(?s)", "LANG(?o) = 'nl'", "YEAR(NOW()) > 2000",
               "?o IN ('o1', 'o2')", "?o NOT IN (1, 2)", "STRSTARTS(STR(?s), 'http://example.org/')",
               "COALESCE(?x, 1) = 1", "IF(BOUND(?x), ?x, 0) < 3", "EXISTS { ?s ex:q ?x }", "NOT EXISTS { ?s ex:p ?x }",
               "SAMETERM(?s, ?s)", "isLiteral(?o)", "?a<?b", "?o = <http://example.org/from>"]
PLAIN_COMMENTS = ["", " # a comment\n", " # SERVICE <http://127.0.0.1:1/> {}\n", "\n", " #from\r\n"]


@st.composite
def plain_pattern(draw: Any, depth: int = 0) -> str:
    """A group's contents: triple patterns, filters, binds and (nested) groups, mostly valid."""
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        choice = draw(st.integers(0, 9 if depth < 2 else 3))
        if choice <= 1:
            parts.append(f"{draw(st.sampled_from(PLAIN_TERMS))} {draw(st.sampled_from(PLAIN_PATHS))} "
                         f"{draw(st.sampled_from(PLAIN_TERMS))} .")
        elif choice == 2:
            parts.append(f"FILTER({draw(st.sampled_from(PLAIN_EXPRS))})")
        elif choice == 3:
            parts.append(f"BIND({draw(st.sampled_from(PLAIN_TERMS))} AS ?b{depth})")
        else:
            inner = draw(plain_pattern(depth + 1))
            wrap = draw(st.sampled_from(["{{ {p} }}", "OPTIONAL {{ {p} }}", "{{ {p} }} UNION {{ ?s ?p ?o }}",
                                         "MINUS {{ {p} }}", "GRAPH ?g {{ {p} }}", "GRAPH ex:g1 {{ {p} }}",
                                         "{{ SELECT ?s WHERE {{ {p} }} LIMIT 3 }}", "{{ SELECT * {{ {p} }} }}",
                                         "VALUES ?v {{ 1 'a' UNDEF }} {p}", "FILTER NOT EXISTS {{ {p} }}"]))
            parts.append(wrap.format(p=inner))
        parts.append(draw(st.sampled_from(PLAIN_COMMENTS)))
    return " ".join(parts)


@st.composite
def plain_queries(draw: Any) -> str:
    """A query in the shapes people write, sometimes with a hazard (a keyword in a string, IRI,
    prefixed name, variable or comment; an escape) or a character of junk: the fast path decides
    many of them and must agree with the full path on each."""
    body = draw(plain_pattern())
    form = draw(st.sampled_from([
        "SELECT ?s WHERE {{ {b} }}", "select distinct ?s ?o {{ {b} }}", "SELECT * WHERE {{ {b} }} LIMIT 10",
        "SELECT ?s (COUNT(*) AS ?n) WHERE {{ {b} }} GROUP BY ?s HAVING (COUNT(*) > 1) ORDER BY DESC(?n)",
        "SELECT REDUCED ?s (STR(?o) AS ?t) WHERE {{ {b} }} ORDER BY ?t OFFSET 1",
        "SELECT (GROUP_CONCAT(?o; SEPARATOR=', ') AS ?all) {{ {b} }}", "ASK {{ {b} }}", "ASK WHERE {{ {b} }}",
        "CONSTRUCT {{ ?s ex:p ?o }} WHERE {{ {b} }}", "CONSTRUCT WHERE {{ ?s ?p ?o }}", "DESCRIBE ?s WHERE {{ {b} }}",
        "DESCRIBE <http://example.org/s1>", "SELECT ?s ?s WHERE {{ {b} }}", "SELECT (?s AS ?o) ?o WHERE {{ {b} }}",
        "Select ?x {{ {b} }} VALUES ?x {{ 1 2 }}",
    ]))
    text = draw(st.sampled_from(PLAIN_PROLOGUES)) + draw(st.sampled_from(PLAIN_COMMENTS)) + form.format(b=body)
    if "ex:" in text and "PREFIX ex:" not in text and draw(st.booleans()):
        text = "PREFIX ex: <http://example.org/> " + text
    for _ in range(draw(st.integers(0, 2)) if draw(st.integers(0, 3)) == 0 else 0):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(JUNK + ["SERVICE <http://127.0.0.1:1/> {}", "FROM <http://x/>", "*"]))\
            + text[at:]
    return text


@dataclass
class Agreement:
    generated: int = 0
    fast: int = 0  # decided by the fast path
    full_accepted: int = 0
    full_refused: int = 0
    failures: list[str] = field(default_factory=list)


def agree(text: str, tally: Agreement) -> None:
    """Guard ``text`` by the full path and by the fast path; a fast verdict must be the full path's."""
    from queries.errors import QueryRejected
    from queries.guard import check, fast_verdict, normalise

    tally.generated += 1
    try:
        full: Any = check(text, fast=False, graph_exists=lambda g: True)
        tally.full_accepted += 1
    except QueryRejected as exc:
        full = exc
        tally.full_refused += 1
    try:
        fast = fast_verdict(normalise(text))
    except QueryRejected:
        fast = None
    if fast is None:
        return
    tally.fast += 1
    if fast != full:
        tally.failures.append(f"fast path {fast!r}, full path {full!r}: {text!r}")


def agreement(count: int, seed: int) -> Agreement:
    """Both paths on ``count`` plain queries and ``count`` generated attacks (fixed seed)."""
    tally = Agreement()

    def one(data: Any) -> None:
        agree(data.draw(plain_queries()), tally)
        agree(data.draw(st.one_of(queries("http://127.0.0.1:1"), escaped_queries())), tally)

    seeded_run(one, count, seed)
    return tally


def seeded_run(step: Any, count: int, seed: int) -> None:
    """Runs ``step(data)`` on ``count`` examples Hypothesis generates from ``seed`` (no database, no shrinking, no
    deadline), so that a run is the same run every time."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as fixed_seed

    fixed_seed(seed)(settings(max_examples=count, deadline=None, database=None, phases=["generate"],
                              suppress_health_check=list(HealthCheck))(given(st.data())(step)))()


# --------------------------------------------------------------------------- command line

def load_check(guard_path: str | None) -> Any:
    """``check`` of queries/guard.py, or of another guard module file (e.g. an older version)."""
    if not guard_path:
        from queries.guard import check

        return check
    spec = importlib.util.spec_from_file_location("guard_under_test", guard_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.check


def fuzz(count: int, seed: int, guard_path: str | None = None) -> Tally:
    check = load_check(guard_path)
    listener = Listener(LISTENER_ANSWER)
    store = small_store(listener.base)
    tally = Tally()

    def one(data: Any) -> None:
        differential(data.draw(queries(listener.base)), store, listener, tally, check)

    try:
        seeded_run(one, count, seed)
    finally:
        listener.close()
    return tally


TIMING_QUERIES = {
    "named query addressed-to.rq": lambda: "\n".join(
        line for line in (ROOT / "queries" / "addressed-to.rq").read_text().splitlines() if not line.startswith("# ")),
    "500 triple patterns in one group": lambda: "SELECT * WHERE { " + " ".join(
        f"?s{i} <http://example.org/p{i}> ?o{i} ." for i in range(500)) + " }",
    "60 nested groups": lambda: "SELECT * WHERE { " + "{ " * 60 + "?s ?p ?o" + " }" * 60 + " }",
    "100 KB query (IN list)": lambda: "ASK { FILTER(<http://example.org/x> IN (" + ", ".join(
        f"<http://example.org/x{i}>" for i in range(4000)) + ")) }",
}


def timing(guard_path: str | None, repeat: int) -> None:
    check = load_check(guard_path)
    for name, make in TIMING_QUERIES.items():
        text = make()
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            try:
                check(text)
                verdict = "accepted"
            except Exception as exc:  # noqa: BLE001
                verdict = f"refused: {getattr(exc, 'message', exc)}"[:70]
            times.append(time.perf_counter() - t0)
        print(f"{name:34} {len(text):7} chars  median {statistics.median(times) * 1000:9.1f} ms  {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20_000, help="queries to generate")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--timing", action="store_true", help="time the guard on typical queries instead")
    parser.add_argument("--guard", help="the guard module file to fuzz or time (default: queries/guard.py)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--agree", action="store_true",
                        help="the guard's fast path against its full path instead (plain queries and attacks)")
    args = parser.parse_args(argv)
    if args.timing:
        timing(args.guard, args.repeat)
        return 0
    if args.agree:
        t0 = time.perf_counter()
        agreed = agreement(args.count, args.seed)
        print(f"generated queries: {agreed.generated}; full path accepted {agreed.full_accepted}, refused "
              f"{agreed.full_refused}; fast path decided {agreed.fast}; disagreements {len(agreed.failures)}; "
              f"{time.perf_counter() - t0:.1f} s")
        for failure in agreed.failures[:20]:
            print("FAILURE:", failure)
        return 1 if agreed.failures else 0
    t0 = time.perf_counter()
    tally = fuzz(args.count, args.seed, args.guard)
    print(f"generated queries:                         {tally.generated}")
    print(f"engine would contact the listener (raw):   {tally.engine_contacted}")
    print(f"guard refused:                             {tally.refused}")
    print(f"guard accepted:                            {tally.accepted}")
    print(f"listener contacts through the guarded path: {tally.guarded_contacts}")
    print(f"secret graph read through the guarded path: {tally.secret_leaks}")
    print(f"seconds:                                   {time.perf_counter() - t0:.1f}")
    for failure in tally.failures[:20]:
        print("FAILURE:", failure)
    return 1 if tally.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
