"""SPARQL text for stores that only take text: terms written safely, and values bound to variables.

A remote SPARQL endpoint has no way to receive a query's bindings beside the query, so the remote
store writes them into the text. :func:`bind` does that on the query's tokens (never with string
search): strings, IRIs and comments are skipped, and every term is written in SPARQL syntax by
:func:`term_sparql`, which escapes what must be escaped and refuses what cannot be written.

The result means what ``pyoxigraph.Store.query(..., substitutions=...)`` means on the embedded
store (SEP-0007 substitution): the variable is replaced by the value wherever the query's top
level sees it, in sub-queries only where they project it, and it stays bound in the results.
Concretely, for every query level that sees ``?x``:

- each ``?x`` in its WHERE clause becomes the value (so a FILTER in a nested group, a property
  path or an OPTIONAL get the value itself, as they do on the embedded store);
- ``VALUES ?x { value }`` is put first in its WHERE clause, so that ``?x`` stays bound for the
  projection, GROUP BY, HAVING, ORDER BY and a CONSTRUCT template, which keep the variable.

One difference is known: where a nested group uses the variable only in an expression (``{ BIND(?x AS
?y) } UNION { … }``), pyoxigraph leaves it unbound inside that group and the text has the value; the
named queries have no such use.

Refused with :class:`~store.base.QueryError`, as on the embedded store: a SELECT whose projection
does not include the bound variable, and a query that assigns it itself (``AS ?x``); also blank
nodes and RDF-star triples, which have no meaning outside the store that minted them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from store.base import QueryError, Term

__all__ = ["bind", "iri_sparql", "query_form", "term_sparql"]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# IRIREF of the SPARQL grammar: no spaces, controls or <>"{}|^`\ inside.
_IRI_OK = re.compile(r'^[^<>"{}|^`\\\x00-\x20]*$')
_LANG = re.compile(r"^[A-Za-z]+(?:-[A-Za-z0-9]+)*$")

_PN_CHARS_BASE = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d" \
                 "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_LOCAL_FIRST = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})"
_LOCAL_MID = f"(?:[{_PN_CHARS}.:]|{_PLX})"
_LOCAL_LAST = f"(?:[{_PN_CHARS}:]|{_PLX})"
_PREFIX = f"(?:[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)?"

_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<ws>\s+)",
            r"(?P<comment>#[^\r\n]*)",
            r'(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)',
            r"(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''"
            r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
            r"|'(?:[^'\\\r\n]|\\.)*'"
            r'|"(?:[^"\\\r\n]|\\.)*")',
            f"(?P<var>[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)",
            f"(?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
            f"(?P<pname>{_PREFIX}:(?:{_LOCAL_FIRST}(?:{_LOCAL_MID}*{_LOCAL_LAST})?)?)",
            r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
            r"(?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)",
            r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|[\s\S])",
        ]
    )
)

_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


# --------------------------------------------------------------------------- terms


def iri_sparql(iri: str) -> str:
    """``<iri>``, or QueryError if the IRI has characters an IRI reference cannot hold."""
    if not isinstance(iri, str) or not _IRI_OK.match(iri) or ":" not in iri:
        raise QueryError(f"{iri!r} is not an absolute IRI that can be written in a SPARQL query")
    return f"<{iri}>"


def _string(value: str) -> str:
    # Only \ " LF CR must be escaped in a "…" string; every backslash is doubled, so no
    # character sequence of the value can end the string or start an escape of its own.
    out = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{out}"'


def term_sparql(term: Term) -> str:
    """A pyoxigraph term in SPARQL syntax (for VALUES or a triple pattern), escaped."""
    if isinstance(term, NamedNode):
        return iri_sparql(term.value)
    if isinstance(term, Literal):
        if term.language:
            if not _LANG.match(term.language):
                raise QueryError(f"{term.language!r} is not a language tag")
            return f"{_string(term.value)}@{term.language}"
        if term.datatype.value == XSD_STRING:
            return _string(term.value)
        return f"{_string(term.value)}^^{iri_sparql(term.datatype.value)}"
    if isinstance(term, BlankNode):
        raise QueryError("a blank node cannot be bound in a query sent to a remote store (its label means "
                         "nothing there)")
    if isinstance(term, Triple):
        raise QueryError("an RDF-star triple cannot be bound in a query sent to a remote store")
    raise QueryError(f"cannot write {term!r} as a SPARQL term")


# --------------------------------------------------------------------------- tokens


@dataclass(slots=True)
class _Tok:
    kind: str
    text: str
    start: int
    end: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def _tokens(text: str) -> list[_Tok]:
    """The significant tokens of ``text`` (no spaces, no comments), with their offsets."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "punct"
        if kind in ("ws", "comment"):
            continue
        out.append(_Tok(kind, m.group(), m.start(), m.end()))
    return out


def query_form(text: str) -> str:
    """'select', 'ask', 'construct' or 'describe': the form of the query (QueryError if none)."""
    for t in _tokens(text):
        if t.upper in _FORMS:
            return t.upper.lower()
        if t.upper in ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"):
            break
    raise QueryError("not a SPARQL query (no SELECT, ASK, CONSTRUCT or DESCRIBE)")


# --------------------------------------------------------------------------- structure


@dataclass
class _Level:
    """One query level: the whole query, or a sub-SELECT."""

    form: str
    parent: _Level | None
    projected: set[str] = field(default_factory=set)  # bare ?v of a SELECT projection
    star: bool = False
    assigned: set[str] = field(default_factory=set)  # (… AS ?v) in the projection, BIND(… AS ?v)
    template_seen: bool = False  # CONSTRUCT: its template has been read
    where_open: int | None = None  # index of the '{' opening its WHERE clause
    where_vars: list[int] = field(default_factory=list)  # indexes of ?v tokens to replace
    mentions: set[str] = field(default_factory=set)

    def sees(self, name: str) -> bool:
        """Does this level see the caller's ?name (SEP-0007 scoping)?"""
        if self.parent is None:
            return True
        return self.parent.sees(name) and (self.star or name in self.projected)


def _structure(toks: list[_Tok]) -> list[_Level]:
    levels: list[_Level] = []
    # frames: what each open '{' belongs to: ("where", level) | ("group", level) | ("template", level)
    #         | ("mods", level) for braces inside solution modifiers / trailing VALUES
    frames: list[tuple[str, _Level]] = []
    level: _Level | None = None
    mode = "start"  # start | head | body | mods
    paren = 0
    skip_values = 0  # >0: inside the variable list of a VALUES clause
    i = 0
    n = len(toks)
    while i < n:
        t = toks[i]
        up = t.upper
        prev = toks[i - 1] if i else None
        if up in _FORMS and (level is None or (prev is not None and prev.text == "{")):
            level = _Level(up.lower(), level)
            levels.append(level)
            mode, paren = "head", 0
            i += 1
            continue
        if level is None:  # the prologue
            i += 1
            continue
        if mode == "head":
            if t.text == "(":
                paren += 1
            elif t.text == ")":
                paren -= 1
            elif t.text == "{" and paren == 0:
                after_where = prev is not None and prev.upper == "WHERE"
                if level.form == "construct" and not after_where and not level.template_seen:
                    level.template_seen = True
                    frames.append(("template", level))
                    mode = "template"
                else:
                    level.where_open = i
                    frames.append(("where", level))
                    mode = "body"
            elif t.kind == "var":
                name = t.text[1:]
                level.mentions.add(name)
                if prev is not None and prev.upper == "AS":
                    level.assigned.add(name)
                elif paren == 0 and level.form == "select":
                    level.projected.add(name)
            elif t.text == "*" and paren == 0 and level.form == "select":
                level.star = True
            i += 1
            continue
        if mode == "template":
            if t.text == "{":
                frames.append(("template", level))
            elif t.text == "}":
                frames.pop()
                if not frames or frames[-1][0] != "template" or frames[-1][1] is not level:
                    mode = "head"
            elif t.kind == "var":
                level.mentions.add(t.text[1:])
            i += 1
            continue
        if mode == "body":
            if t.text == "{":
                frames.append(("group", level))
            elif t.text == "}":
                kind, owner = frames.pop()
                if kind == "where":
                    mode = "mods"
            elif t.kind == "var":
                name = t.text[1:]
                level.mentions.add(name)
                if prev is not None and prev.upper == "AS":
                    level.assigned.add(name)
                elif skip_values:
                    pass
                elif _is_bound_call(toks, i):
                    pass
                else:
                    level.where_vars.append(i)
            if up == "VALUES":
                nxt = toks[i + 1] if i + 1 < n else None
                skip_values = 2 if nxt is not None and nxt.text == "(" else 1
                i += 1
                continue
            if skip_values == 1 and t.kind == "var":
                skip_values = 0
            elif skip_values == 2 and t.text == ")":
                skip_values = 0
            i += 1
            continue
        if mode == "mods":
            if t.text == "{":
                frames.append(("mods", level))
            elif t.text == "}":
                if frames and frames[-1][0] == "mods":
                    frames.pop()
                else:  # closes the group that held this sub-SELECT: back to the enclosing level
                    kind, owner = frames.pop()
                    level = owner
                    mode = "mods" if kind == "where" else "body"
            elif t.kind == "var":
                level.mentions.add(t.text[1:])
                if prev is not None and prev.upper == "AS":
                    level.assigned.add(t.text[1:])
            i += 1
            continue
        i += 1
    return levels


def _is_bound_call(toks: list[_Tok], i: int) -> bool:
    """Is the variable at ``i`` the argument of BOUND( … )? (It must stay a variable.)"""
    return i >= 2 and toks[i - 1].text == "(" and toks[i - 2].upper == "BOUND"


# --------------------------------------------------------------------------- binding


def bind(text: str, bindings: Mapping[str, Term] | None) -> str:
    """``text`` with ``bindings`` written in (see the module doc); unchanged without bindings."""
    if not bindings:
        return text
    values = {name.lstrip("?$"): term_sparql(term) for name, term in bindings.items()}
    toks = _tokens(text)
    levels = _structure(toks)
    if not levels:
        raise QueryError("not a SPARQL query (no SELECT, ASK, CONSTRUCT or DESCRIBE)")
    top = levels[0]
    for name in values:
        if top.form == "select" and not top.star and name not in top.projected:
            raise QueryError(f"the query does not have ?{name} in its SELECT projection, so it cannot be bound")
    edits: list[tuple[int, int, str]] = []
    for level in levels:
        seen = [n for n in values if level.sees(n)]
        if not seen:
            continue
        for n in seen:
            if n in level.assigned:
                raise QueryError(f"the query assigns ?{n} itself (AS ?{n}), so it cannot be bound")
        if level.where_open is None:
            if any(n in level.mentions for n in seen):
                raise QueryError("a query without a WHERE clause cannot have its variables bound")
            continue
        names = sorted(seen)
        row = " ".join(values[n] for n in names)
        clause = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }} "
        brace = toks[level.where_open]
        edits.append((brace.end, brace.end, clause))
        for idx in level.where_vars:
            t = toks[idx]
            name = t.text[1:]
            if name in values and name in seen:
                edits.append((t.start, t.end, f" {values[name]} "))
    out = []
    pos = 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)
