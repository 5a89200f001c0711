"""The query guard: what may reach the store.

Every query — from the endpoint, a page or a named query — passes :func:`check` first. It parses
the text with rdflib's SPARQL 1.1 parser (parse only: rdflib never executes anything here) and
refuses, with a :class:`~queries.errors.QueryRejected` that carries the HTTP status:

- a syntax error: 400, with the parser's message, line and column;
- any SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY), well-formed
  or not: 403, "the endpoint is read-only";
- a SERVICE anywhere in the query (nested in OPTIONAL, UNION, MINUS, GRAPH, sub-queries,
  FILTER EXISTS …), SILENT or not, unless its IRI — after PREFIX and BASE are applied — is in
  ``allowed_services``; a SERVICE whose endpoint is a variable is always refused: 403;
- FROM / FROM NAMED of a graph for which ``graph_exists`` answers False: 403.

Because the check works on the parse tree, not on the text, the word "service" in a string
literal, an IRI or a comment is not a SERVICE, and case, comments, prefixed names, relative IRIs
and ``\\u`` escapes do not hide one.

The time limit and the row limit are not checked here: the store enforces them when it runs
the query (``Store.query(timeout=, row_limit=)``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urljoin

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef, Variable

from queries.errors import QueryRejected

__all__ = ["GuardedQuery", "check", "READ_ONLY", "UPDATE_KEYWORDS"]

READ_ONLY = "the endpoint is read-only: SPARQL Update operations are refused"
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
_KINDS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct", "DescribeQuery": "describe"}

# pyparsing grammars keep state while parsing; one parse at a time is cheap insurance for a
# server that checks queries from several threads.
_parse_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class GuardedQuery:
    """A query that passed the guard, with what the guard learnt about it."""

    text: str
    kind: Literal["select", "ask", "construct", "describe"]
    from_graphs: tuple[str, ...] = ()  # FROM, resolved against BASE and PREFIX
    from_named: tuple[str, ...] = ()  # FROM NAMED
    services: tuple[str, ...] = ()  # the (allowed) SERVICE endpoints the query calls
    # the SELECT projection's variable names, in order; None for SELECT * and other forms
    projection: tuple[str, ...] | None = None


def check(
    text: str,
    *,
    allowed_services: Collection[str] = (),
    graph_exists: Callable[[str], bool] | None = None,
) -> GuardedQuery:
    """Parse ``text`` and refuse what the read-only endpoint must not run; see the module doc."""
    if not isinstance(text, str):
        raise QueryRejected("the query must be text", 400)
    if not text.strip():
        raise QueryRejected("the query is empty", 400)
    try:
        with _parse_lock:
            parsed = parseQuery(text)
    except ParseBaseException as exc:
        _refuse_update_or_syntax(text, exc)
    except RecursionError:
        raise QueryRejected("the query is nested too deeply to parse", 400) from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises plain exceptions from parse actions
        raise QueryRejected(f"SPARQL syntax error: {exc}", 400) from None

    prologue, query = parsed[0], parsed[1]
    resolver = _Resolver(prologue)
    kind = _KINDS.get(query.name)
    if kind is None:  # pragma: no cover - the grammar has only these four forms
        raise QueryRejected(f"unsupported query form {query.name}", 400)

    services: list[str] = []
    allowed = set(allowed_services)
    for node in _walk(query):
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            term = dict.get(node, "term")
            if isinstance(term, Variable):
                raise QueryRejected(f"SERVICE with a variable endpoint (?{term}) is not allowed", 403)
            iri = resolver.iri(term)
            if iri not in allowed:
                raise QueryRejected(f"SERVICE <{iri}> is not allowed: this endpoint calls no outside services"
                                    if not allowed else f"SERVICE <{iri}> is not in the allowed list", 403)
            services.append(iri)

    from_graphs: list[str] = []
    from_named: list[str] = []
    for clause in dict.get(query, "datasetClause") or ():
        if dict.get(clause, "default") is not None:
            from_graphs.append(resolver.iri(dict.get(clause, "default")))
        if dict.get(clause, "named") is not None:
            from_named.append(resolver.iri(dict.get(clause, "named")))
    if graph_exists is not None:
        for keyword, graphs in (("FROM", from_graphs), ("FROM NAMED", from_named)):
            for g in graphs:
                if not graph_exists(g):
                    raise QueryRejected(f"{keyword} <{g}>: no such graph in this store", 403)

    projection: tuple[str, ...] | None = None
    if kind == "select" and dict.get(query, "projection") is not None:
        names = []
        for item in query["projection"]:
            var = dict.get(item, "evar") if dict.get(item, "evar") is not None else dict.get(item, "var")
            names.append(str(var))
        projection = tuple(names)

    return GuardedQuery(
        text=text,
        kind=kind,  # type: ignore[arg-type]
        from_graphs=tuple(from_graphs),
        from_named=tuple(from_named),
        services=tuple(services),
        projection=projection,
    )


def _refuse_update_or_syntax(text: str, exc: ParseBaseException) -> None:
    """The text is no query: 403 if it is (or reads like) an update, else 400 with the position."""
    try:
        with _parse_lock:
            update = parseUpdate(text)
        is_update = dict.get(update[0], "request") is not None
    except (ParseBaseException, RecursionError):
        is_update = False
    except Exception:  # noqa: BLE001
        is_update = False
    if is_update or _first_keyword(text) in UPDATE_KEYWORDS:
        raise QueryRejected(READ_ONLY, 403) from None
    raise QueryRejected(_syntax_message(exc), 400, line=exc.lineno, column=exc.col) from None


def _syntax_message(exc: ParseBaseException) -> str:
    msg = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)\s*$", "", str(exc))
    line = exc.line if exc.line is not None else ""
    excerpt = line.strip()
    if len(excerpt) > 80:
        excerpt = excerpt[:77] + "…"
    where = f"line {exc.lineno}, column {exc.col}"
    return f"SPARQL syntax error at {where}: {msg}" + (f" (in: {excerpt})" if excerpt else "")


_PROLOGUE_DECL = re.compile(
    r"(?:BASE\s*<[^>]*>|PREFIX\s*[^\s:]*:\s*<[^>]*>)", re.IGNORECASE
)
_WORD = re.compile(r"[A-Za-z]+")


def _first_keyword(text: str) -> str:
    """The first keyword after comments and the prologue, upper case ('' if none)."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        else:
            m = _PROLOGUE_DECL.match(text, i)
            if m:
                i = m.end()
                continue
            m = _WORD.match(text, i)
            return m.group(0).upper() if m else ""
    return ""


def _walk(node: Any) -> Iterator[Any]:
    """Every node of a parse tree (CompValues, ParseResults, lists), depth first, without recursion."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        cur = stack.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        yield cur
        if isinstance(cur, CompValue):
            stack.extend(dict.values(cur))
        elif isinstance(cur, ParseResults):
            stack.extend(list(cur))
            stack.extend(cur[k] for k in cur.keys())
        elif isinstance(cur, dict):
            stack.extend(cur.values())
        elif isinstance(cur, (list, tuple)):
            stack.extend(cur)


_LOCAL_ESC = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")


class _Resolver:
    """PREFIX and BASE of one query, applied as SPARQL does (RFC 3986 for relative IRIs)."""

    def __init__(self, prologue: Any) -> None:
        self.base: str | None = None
        self.prefixes: dict[str, str] = {}
        for decl in prologue:
            if decl.name == "Base":
                self.base = self._absolute(str(dict.get(decl, "iri")))
            elif decl.name == "PrefixDecl":
                self.prefixes[dict.get(decl, "prefix") or ""] = self._absolute(str(dict.get(decl, "iri")))

    def _absolute(self, iri: str) -> str:
        if self.base is None or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", iri):
            return iri
        return urljoin(self.base, iri)

    def iri(self, term: Any) -> str:
        if isinstance(term, CompValue) and term.name == "pname":
            prefix = dict.get(term, "prefix") or ""
            if prefix not in self.prefixes:
                raise QueryRejected(f"unknown prefix '{prefix}:' (declare it with PREFIX)", 400)
            # rdflib keeps PN_LOCAL_ESC escapes (g:a\/b); SPARQL (and the store) drop the backslash
            local = _LOCAL_ESC.sub(r"\1", str(dict.get(term, "localname") or ""))
            return self.prefixes[prefix] + local
        if isinstance(term, URIRef):
            return self._absolute(str(term))
        raise QueryRejected(f"expected an IRI, found {term!r}", 400)
