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

    def mention(self, name: str, prev: _Tok | None) -> bool:
        """Note a mention of ?name; True when it is assigned there (``AS ?name``)."""
        self.mentions.add(name)
        if prev is not None and prev.upper == "AS":
            self.assigned.add(name)
            return True
        return False

    def sees(self, name: str) -> bool:
        """Does this level see the caller's ?name (SEP-0007 scoping)?"""
        if self.parent is None:
            return True
        return self.parent.sees(name) and (self.star or name in self.projected)


def _structure(toks: list[_Tok]) -> list[_Level]:
    """The query levels of ``toks``: the query first, then its sub-SELECTs in the order they open;
    for each what it projects, assigns and mentions, where its WHERE clause opens and which of its
    variables a binding replaces. The prologue (before the query form) is passed over."""
    reader = _Reader(toks)
    for i, t in enumerate(toks):
        prev = toks[i - 1] if i else None
        if t.upper in _FORMS and (reader.level is None or (prev is not None and prev.text == "{")):
            reader.open_level(t.upper.lower())
        elif reader.level is not None:
            _STEPS[reader.mode](reader, reader.level, i, t, prev)
    return reader.levels


@dataclass
class _Reader:
    """What :func:`_structure` knows while it reads the tokens one by one: the levels so far, the
    level being read and where in it (``mode``: head, template, body, mods)."""

    toks: list[_Tok]
    levels: list[_Level] = field(default_factory=list)
    # frames: what each open '{' belongs to: ("where", level) | ("group", level) | ("template", level)
    #         | ("mods", level) for braces inside solution modifiers / trailing VALUES
    frames: list[tuple[str, _Level]] = field(default_factory=list)
    level: _Level | None = None
    mode: str = "start"
    paren: int = 0
    skip_values: int = 0  # >0: inside the variable list of a VALUES clause

    def open_level(self, form: str) -> None:
        """A query form (the query's, or a sub-SELECT's right after a '{'): a new level."""
        self.level = _Level(form, self.level)
        self.levels.append(self.level)
        self.mode, self.paren = "head", 0

    def head(self, level: _Level, i: int, t: _Tok, prev: _Tok | None) -> None:
        """The projection (or CONSTRUCT/DESCRIBE head) up to the '{' of the template or of WHERE."""
        if t.text == "(":
            self.paren += 1
        elif t.text == ")":
            self.paren -= 1
        elif t.text == "{" and self.paren == 0:
            after_where = prev is not None and prev.upper == "WHERE"
            if level.form == "construct" and not after_where and not level.template_seen:
                level.template_seen = True
                self.frames.append(("template", level))
                self.mode = "template"
            else:
                level.where_open = i
                self.frames.append(("where", level))
                self.mode = "body"
        elif t.kind == "var":
            name = t.text[1:]
            if not level.mention(name, prev) and self.paren == 0 and level.form == "select":
                level.projected.add(name)
        elif t.text == "*" and self.paren == 0 and level.form == "select":
            level.star = True

    def template(self, level: _Level, i: int, t: _Tok, prev: _Tok | None) -> None:
        """A CONSTRUCT template: its variables are mentions, never replaced."""
        if t.text == "{":
            self.frames.append(("template", level))
        elif t.text == "}":
            self.frames.pop()
            if not self.frames or self.frames[-1][0] != "template" or self.frames[-1][1] is not level:
                self.mode = "head"
        elif t.kind == "var":
            level.mentions.add(t.text[1:])

    def body(self, level: _Level, i: int, t: _Tok, prev: _Tok | None) -> None:
        """The WHERE clause: its variables are replaced, except assigned ones, those of a VALUES
        clause's variable list and the argument of BOUND()."""
        if t.text == "{":
            self.frames.append(("group", level))
        elif t.text == "}":
            kind, _owner = self.frames.pop()
            if kind == "where":
                self.mode = "mods"
        elif t.kind == "var":
            if not level.mention(t.text[1:], prev) and not self.skip_values and not _is_bound_call(self.toks, i):
                level.where_vars.append(i)
        if t.upper == "VALUES":
            nxt = self.toks[i + 1] if i + 1 < len(self.toks) else None
            self.skip_values = 2 if nxt is not None and nxt.text == "(" else 1
        elif self.skip_values == 1 and t.kind == "var":
            self.skip_values = 0
        elif self.skip_values == 2 and t.text == ")":
            self.skip_values = 0

    def mods(self, level: _Level, i: int, t: _Tok, prev: _Tok | None) -> None:
        """After the WHERE clause: solution modifiers and a trailing VALUES, up to the '}' that
        closes the group holding a sub-SELECT (back to the enclosing level)."""
        if t.text == "{":
            self.frames.append(("mods", level))
        elif t.text == "}":
            if self.frames and self.frames[-1][0] == "mods":
                self.frames.pop()
            else:  # closes the group that held this sub-SELECT: back to the enclosing level
                kind, owner = self.frames.pop()
                self.level = owner
                self.mode = "mods" if kind == "where" else "body"
        elif t.kind == "var":
            level.mention(t.text[1:], prev)


_STEPS = {"head": _Reader.head, "template": _Reader.template, "body": _Reader.body, "mods": _Reader.mods}


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
