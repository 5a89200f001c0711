"""The query guard: what may reach the store.

Every query — from the endpoint, a page or a named query — passes :func:`check` first. The
guard checks exactly the text the engine runs: :func:`normalise` turns the request into one
text, ``check`` parses *that* text with rdflib's SPARQL 1.1 parser (parse only: rdflib never
executes anything here) and returns it as :attr:`GuardedQuery.text`, the only text the caller
may execute.

Normalising. SPARQL reads ``\\uXXXX`` and ``\\UXXXXXXXX`` codepoint escapes before parsing,
anywhere in the text; Oxigraph reads them only inside strings and IRIs. So
``BIND("\\u0022" AS ?x) SERVICE <…> {…} BIND("\\u0022" AS ?y)`` was one long string to rdflib and a
SERVICE call to Oxigraph. :func:`normalise` decodes every codepoint escape once, as the SPARQL
grammar says, so that no escape is left for either parser to read its own way, and refuses
(400, naming the line and column of the raw text) what could still be read two ways:

- an escape that decodes to ``"``, ``'``, ``\\``, ``<`` or ``>``: it would end (or escape inside)
  a string or IRI after decoding, where Oxigraph reads a plain character;
- a text whose decoding still holds an escape (``\\u00\\u0034\\u0031``, ``\\\\u00750041``, ``\\U0041``);
- a surrogate (``\\uD83D``; write ``\\U0001F600``), a codepoint past U+10FFFF, and NUL, decoded or not;
- a carriage return not followed by a line feed: Oxigraph ends a ``#`` comment there, rdflib
  only at a line feed, so text after it would be a comment to one and a query to the other.

Escapes that decode to any other character (``"caf\\u00E9"``, ``<http://x/\\u00E9>``) mean the
same to both, and the normalised text gives the engine the same answers.

Refusing. On the normalised text ``check`` refuses, with a :class:`~queries.errors.QueryRejected`
that carries the HTTP status:

- a syntax error: 400, with the parser's message and the line and column in the raw text;
- nesting of ``{ } ( ) [ ]`` deeper than :data:`MAX_NESTING`: 400;
- any SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY), well-formed
  or not: 403, "the endpoint is read-only";
- a SERVICE anywhere in the query (nested in OPTIONAL, UNION, MINUS, GRAPH, sub-queries,
  FILTER EXISTS …), SILENT or not, unless its IRI — after PREFIX and BASE are applied — is in
  ``allowed_services`` (relative IRIs resolved by Oxigraph's own resolver); a SERVICE whose
  endpoint is a variable is always refused: 403. Besides the parse tree, a lexical scan of the
  normalised text (strings, IRIs and comments skipped the way Oxigraph skips them) counts the
  SERVICE keywords; if it finds one the parse tree does not hold, the two readings differ and
  the query is refused;
- FROM / FROM NAMED of a graph for which ``graph_exists`` answers False: 403.

The fast path: :func:`fast_verdict` decides short plain texts without rdflib (~0.1 ms, not 2–3 ms):
a text without the letters of SERVICE, FROM, BASE or an update keyword anywhere (after NFKC and
casefolding: no reader can find one in it), whose bare words are all SPARQL 1.1 keywords or functions,
nesting at most :data:`FAST_MAX_NESTING` deep, that Oxigraph's parser reads (on an empty in-memory
store) as the form its first keyword names. All else, and every refusal, is the full path's
(``bench/guard_fuzz.py --agree`` checks that both agree).

rdflib's grammar recurses once per nesting level and per triple pattern of a group; the parse
runs in its own thread with a larger stack and a recursion limit of :data:`RECURSION_LIMIT`
(the interpreter's limit, raised for the parse and restored afterwards; one parse at a time),
so a query of 500 patterns in one group or 60 nested groups passes.

The time limit and the row limit are not checked here: the worker pool runs the guard in the
worker, under the query's time limit, and the store enforces both when it runs the query.
"""

from __future__ import annotations

import bisect
import re
import sys
import threading
import unicodedata
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pyoxigraph import QueryBoolean, QuerySolutions, QueryTriples, RdfFormat, Store, parse
from pyparsing import ParseBaseException, ParseResults, col, line, lineno
from rdflib.plugins.sparql.parser import Query, UpdateUnit
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef, Variable

from queries.errors import QueryRejected

__all__ = ["GuardedQuery", "check", "fast_verdict", "normalise", "READ_ONLY", "UPDATE_KEYWORDS", "MAX_NESTING", "RECURSION_LIMIT"]

READ_ONLY = "the endpoint is read-only: SPARQL Update operations are refused"
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
_KINDS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct", "DescribeQuery": "describe"}

# Limits of the parse (module constants; candidates for kamergraph/settings.py). rdflib needs
# ~26 Python frames per nesting level and ~11 per triple pattern of one group: 100,000 frames
# take ~9,000 patterns in one group. Python 3.11 keeps those frames off the C stack; the thread's
# 64 MB stack is a margin for the C calls among them (4 MB held 400,000 frames when measured).
MAX_NESTING = 256
RECURSION_LIMIT = 100_000
_STACK_BYTES = 64 << 20

# pyparsing grammars keep state while parsing, and the recursion limit is the interpreter's:
# one parse at a time.
_parse_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class GuardedQuery:
    """A query that passed the guard, with what the guard learnt about it.

    ``text`` is the normalised text: the one the guard parsed and the one to execute."""

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
    fast: bool = True,
) -> GuardedQuery:
    """Normalise ``text``, parse the result and refuse what the read-only endpoint must not run.

    Returns the normalised text with what the guard learnt; see the module doc. ``fast=False``
    skips :func:`fast_verdict` (every text then takes the rdflib parse)."""
    if not isinstance(text, str):
        raise QueryRejected("the query must be text", 400)
    if not text.strip():
        raise QueryRejected("the query is empty", 400)
    norm = _Normalised(text)
    scan = _scan(norm.text)
    if scan.depth > MAX_NESTING:
        raise norm.rejected(f"the query nests {{ }}, ( ) and [ ] more than {MAX_NESTING} levels deep",
                            scan.depth_at)
    if fast:
        verdict = fast_verdict(norm.text, scan.depth)
        if verdict is not None:
            return verdict
    query, resolver = _parse_query(norm)
    kind = _KINDS.get(query.name)
    if kind is None:  # pragma: no cover - the grammar has only these four forms
        raise QueryRejected(f"unsupported query form {query.name}", 400)
    services = _services(query, resolver, set(allowed_services))
    if len(scan.services) > len(services):
        raise norm.rejected(_unseen_service(allowed_services), scan.services[0], status=403)
    from_graphs, from_named = _dataset(query, resolver, graph_exists)
    return GuardedQuery(
        text=norm.text,
        kind=kind,  # type: ignore[arg-type]
        from_graphs=from_graphs,
        from_named=from_named,
        services=tuple(services),
        projection=_projection(query) if kind == "select" else None,
    )


def normalise(text: str) -> str:
    """``text`` with its codepoint escapes decoded once; raises QueryRejected (400) for what two
    SPARQL parsers could still read differently (see the module doc)."""
    return _Normalised(text).text


# -- normalising

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# what would still be decoded after our decoding: rdflib decodes \u and \U followed by 4 or 8
# hex digits, in either case; Oxigraph decodes \u and \U inside strings and IRIs
_LEFTOVER = re.compile(r"\\[uU][0-9A-Fa-f]{4}")
_LONE_CR = re.compile(r"\r(?!\n)")
_DELIMITERS = {'"': "a double quote", "'": "a single quote", "\\": "a backslash", "<": "'<'", ">": "'>'"}


class _Normalised:
    """The raw text, its normalised form, and the way back from a position in one to the other."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self._starts: list[int] = []  # position in the normalised text of each decoded escape
        self._shifts: list[int] = []  # how far the raw text is ahead from there on
        parts: list[str] = []
        last = shift = 0
        for m in _ESCAPE.finditer(raw):
            char = self._decode(m)
            parts.append(raw[last:m.start()])
            parts.append(char)
            last = m.end()
            self._starts.append(m.start() - shift + 1)  # just past the decoded character
            shift += len(m.group(0)) - 1
            self._shifts.append(shift)
        parts.append(raw[last:])
        self.text = "".join(parts) if self._starts else raw
        self._refuse_leftovers()

    def _decode(self, m: re.Match[str]) -> str:
        escape = m.group(0)
        cp = int(m.group(1) or m.group(2), 16)
        if cp > 0x10FFFF:
            raise self._rejected_raw(f"{escape} is no Unicode codepoint (the largest is \\U0010FFFF)", m.start())
        if 0xD800 <= cp <= 0xDFFF:
            raise self._rejected_raw(f"{escape} is half of a UTF-16 surrogate pair, not a character: "
                                     "write the codepoint itself as \\UXXXXXXXX (e.g. \\U0001F600)", m.start())
        if cp == 0:
            raise self._rejected_raw(f"{escape} decodes to NUL, which a query may not hold", m.start())
        char = chr(cp)
        if char in _DELIMITERS:
            raise self._rejected_raw(
                f"{escape} decodes to {_DELIMITERS[char]}: SPARQL decodes \\u escapes before parsing, so it "
                "would end or escape a string or IRI; write the character itself, or \\\" \\' \\\\ inside a "
                "string, or %XX in an IRI", m.start())
        return char

    def _refuse_leftovers(self) -> None:
        for pattern, message in (
            (_LEFTOVER, "decoding the \\u escapes leaves another escape here ({}); SPARQL decodes escapes once"),
            (_LONE_CR, "a carriage return not followed by a line feed{}: end lines with LF or CRLF"),
            (re.compile("\x00"), "the query holds a NUL character{}"),
        ):
            m = pattern.search(self.text)
            if m is not None:
                found = f"'{m.group(0)}'" if pattern is _LEFTOVER else ""
                raise self.rejected(message.format(found), m.start())

    def raw_offset(self, pos: int) -> int:
        """The offset in the raw text of offset ``pos`` of the normalised text."""
        i = bisect.bisect_right(self._starts, pos) - 1
        return pos + (self._shifts[i] if i >= 0 else 0)

    def _rejected_raw(self, message: str, raw_pos: int, status: int = 400) -> QueryRejected:
        ln, cl = lineno(raw_pos, self.raw), col(raw_pos, self.raw)
        return QueryRejected(f"{message} (line {ln}, column {cl})", status, line=ln, column=cl)

    def rejected(self, message: str, pos: int, status: int = 400) -> QueryRejected:
        """A refusal pointing at offset ``pos`` of the normalised text, told in raw lines and columns."""
        return self._rejected_raw(message, self.raw_offset(pos), status)


# -- the lexical scan: strings, IRIs and comments as Oxigraph reads them, SERVICE and nesting

_NAME_CHAR = r"[\w\u00B7\u0300-\u036F\u203F-\u2040:%-]|\\."
_TOKEN = re.compile(
    r"""(?P<skip>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''|\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
       |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*"
       |\#[^\r\n]*|[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]*|@[A-Za-z][\w-]*)
      |(?P<name>(?:%s)(?:(?:%s)|\.(?=%s))*)
      |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      |(?P<open>[{(\[])|(?P<close>[})\]])""" % (_NAME_CHAR, _NAME_CHAR, _NAME_CHAR),
    re.VERBOSE | re.DOTALL,
)


@dataclass
class _Scan:
    services: list[int]  # offsets of words that read as SERVICE
    depth: int
    depth_at: int


_AMBIGUOUS_IRI = re.compile(r"['()]")
_SERVICE_PREFIX = re.compile(r"PREFIX\s*SERVICE\s*:", re.IGNORECASE)


def _scan(text: str) -> _Scan:
    """Walk the normalised text's tokens once: where SERVICE may be a keyword, how deep it nests.

    ``<`` opens an IRI or is "less than", by the grammar's context, which a scan does not have: an
    IRI-like token holding a quote or a bracket (``?a<'x>'``, ``?a<((1))&&1>0``) is read as the
    operator, so that neither a string nor brackets can hide behind it. ``SERVICE:x`` reads as the
    keyword and a prefixed name unless the query declares a prefix ``SERVICE:``."""
    services: list[int] = []
    depth = deepest = deepest_at = 0
    service_prefix = _SERVICE_PREFIX.search(text) is not None
    pos, end = 0, len(text)
    while pos < end:
        m = _TOKEN.search(text, pos)
        if m is None:
            break
        kind = m.lastgroup
        pos = m.end()
        if kind == "iri" and _AMBIGUOUS_IRI.search(m.group(0)):
            pos = m.start() + 1  # "less than": scan what follows it as tokens
            continue
        if kind == "name":
            word = m.group(0).upper()
            bare = ":" not in word and "SERVICE" in word  # a bare word: a keyword, or nothing valid
            if bare or (word.partition(":")[0] == "SERVICE" and not service_prefix):
                services.append(m.start())
        elif kind == "open":
            depth += 1
            if depth > deepest:
                deepest, deepest_at = depth, m.start()
        elif kind == "close":
            depth = max(0, depth - 1)
    return _Scan(services, deepest, deepest_at)


def _unseen_service(allowed: Collection[str]) -> str:
    return ("SERVICE is not allowed: this endpoint calls no outside services" if not allowed else
            "the query reads as a SERVICE call to the engine but not to the guard; write it plainly")


# -- the fast path: a verdict from the tokens and the engine's own parser, without rdflib

FAST_MAX_CHARS, FAST_MAX_NESTING = 16_384, 32  # longer or deeper texts always take the full path
# No reading of a text can find a keyword whose letters the text does not hold (keywords are ASCII
# letters, matched without regard to case; NFKC and casefolding cover lookalikes of them too).
_FAST_FORBIDDEN = ("service", "from", "base", "insert", "delete", "load", "clear", "drop", "create", "with", "using")
_FAST_KEYWORDS = frozenset("""
    SELECT ASK CONSTRUCT DESCRIBE WHERE PREFIX DISTINCT REDUCED AS OPTIONAL UNION MINUS GRAPH FILTER BIND VALUES
    UNDEF GROUP BY HAVING ORDER ASC DESC LIMIT OFFSET NOT IN EXISTS TRUE FALSE SEPARATOR COUNT SUM MIN MAX AVG
    SAMPLE GROUP_CONCAT STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN
    UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS
    TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI
    ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE
""".split())
_FAST_START = r"(?:\w|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]|:)"
_FAST_NAME = r"(?:[\w\u00B7-]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]|:)"
_FAST_TOKEN = re.compile(
    r"""(?P<ws>[ \t\r\n]+)|(?P<comment>\#[^\r\n]*)
      |(?P<string>"(?:[^"\\\r\n]|\\[tbnrf"'\\])*"|'(?:[^'\\\r\n]|\\[tbnrf"'\\])*')
      |(?P<var>[?$]\w+)|(?P<iri><[A-Za-z][A-Za-z0-9+.-]*:[^<>"'{}|^`\\()\x00-\x20]*>)|(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
      |(?P<name>%s(?:%s|\.(?=%s))*)
      |(?P<other><<|>>|\{\||\|\})|(?P<punct>\^\^|\|\||&&|!=|<=|>=|[{}()\[\].,;*+/!=<>|^?-])""" % (_FAST_START, _FAST_NAME, _FAST_NAME),
    re.VERBOSE,
)
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?")
_FORM_RESULTS = {"SELECT": QuerySolutions, "ASK": QueryBoolean, "CONSTRUCT": QueryTriples, "DESCRIBE": QueryTriples}
_empty: list[Store] = []


def _empty_store() -> Store:
    """One in-memory store without data, made at first use (in the process that uses it, not before a fork)."""
    if not _empty:
        _empty.append(Store())
    return _empty[0]


def fast_verdict(norm_text: str, depth: int | None = None) -> GuardedQuery | None:
    """The guard's verdict on a normalised text (nesting ``depth``, from :func:`_scan` if not given)
    without rdflib, or None when the text needs the full path (see the module doc). The verdict:
    no dataset, no services, the form and the SELECT projection from the tokens (and as Oxigraph
    projects it)."""
    depth = _scan(norm_text).depth if depth is None else depth
    if len(norm_text) > FAST_MAX_CHARS or depth > FAST_MAX_NESTING or '"""' in norm_text or "'''" in norm_text:
        return None
    folded = unicodedata.normalize("NFKC", norm_text).casefold()
    if any(word in folded for word in _FAST_FORBIDDEN):
        return None
    words = _fast_tokens(norm_text)
    form, projection = _fast_form(words) if words is not None else (None, None)
    if form is None:
        return None
    try:  # parsed and planned against no data: nothing to read, nothing to call
        result = _empty_store().query(norm_text)
    except Exception:  # noqa: BLE001 - SyntaxError and the like: the full path words the refusal
        return None
    if not isinstance(result, _FORM_RESULTS[form]) or (
            projection is not None and tuple(v.value for v in result.variables) != projection):
        return None
    return GuardedQuery(text=norm_text, kind=form.lower(), projection=projection)  # type: ignore[arg-type]


def _fast_tokens(text: str) -> list[tuple[str, str]] | None:
    """The significant tokens of ``text`` as (kind, text), or None if a character fits no token or
    a bare word is no SPARQL 1.1 keyword or function."""
    out: list[tuple[str, str]] = []
    pos, end = 0, len(text)
    while pos < end:
        m = _FAST_TOKEN.match(text, pos)
        if m is None or m.lastgroup == "other":  # no token, or SPARQL 1.2's << >> {| |}
            return None
        kind, word = m.lastgroup or "", m.group(0)
        pos = m.end()
        if kind in ("ws", "comment"):
            continue
        if kind == "name" and ":" not in word and word != "a" and not _NUMBER.fullmatch(word):
            if word.upper() not in _FAST_KEYWORDS:
                return None
            kind = "keyword"
        out.append((kind, word))
    return out


def _fast_form(tokens: list[tuple[str, str]]) -> tuple[str | None, tuple[str, ...] | None]:
    """The query form after the PREFIX declarations, and a SELECT's projected variable names (None
    for ``SELECT *`` and the other forms); (None, None) if the tokens do not start like a query."""
    i = 0
    while i + 2 < len(tokens) and tokens[i][1].upper() == "PREFIX":
        if tokens[i + 1][0] != "name" or not tokens[i + 1][1].endswith(":") or tokens[i + 2][0] != "iri":
            return None, None
        i += 3
    if i >= len(tokens) or tokens[i][1].upper() not in _FORM_RESULTS:
        return None, None
    form = tokens[i][1].upper()
    if form != "SELECT":
        return form, None
    i += 1
    i += i < len(tokens) and tokens[i][1].upper() in ("DISTINCT", "REDUCED")
    if i < len(tokens) and tokens[i][1] == "*":
        return form, None
    names: list[str] = []
    depth = 0
    for j in range(i, len(tokens)):
        kind, word = tokens[j]
        if word == "{" or word.upper() == "WHERE":
            break
        depth += (word == "(") - (word == ")")
        if kind == "var" and (depth == 0 or (depth == 1 and tokens[j - 1][1].upper() == "AS")):
            names.append(word[1:])
    return form, tuple(names)


# -- parsing in a thread with room to recurse

def _parse_query(norm: _Normalised) -> tuple[Any, _Resolver]:
    try:
        parsed = _deep(Query.parse_string, norm.text)
    except ParseBaseException as exc:
        raise _update_or_syntax(norm, exc) from None
    except QueryRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - rdflib raises plain exceptions from parse actions
        raise QueryRejected(f"SPARQL syntax error: {exc}", 400) from None
    prologue, query = parsed[0], parsed[1]
    return query, _Resolver(prologue)


def _deep(parse: Callable[..., Any], text: str) -> Any:
    """``parse(text, parse_all=True)`` in a thread with a large stack and a high recursion limit."""
    outcome: dict[str, Any] = {}

    def run(limit: int = RECURSION_LIMIT) -> None:
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, limit))
        try:
            outcome["value"] = parse(text, parse_all=True)
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
            outcome["error"] = exc
        finally:
            sys.setrecursionlimit(old)

    with _parse_lock:
        try:
            old_size = threading.stack_size(_STACK_BYTES)
            try:
                worker = threading.Thread(target=run, name="sparql-guard-parse", daemon=True)
                worker.start()
            finally:
                threading.stack_size(old_size)
        except (RuntimeError, ValueError, MemoryError):  # no room for another thread: parse here,
            run(limit=0)  # within this thread's own stack and limit
        else:
            worker.join()
    if "error" in outcome:
        if isinstance(outcome["error"], RecursionError):
            raise QueryRejected("the query is too large to parse: it nests too deeply or holds too many "
                                "patterns in one group", 400)
        raise outcome["error"]
    return outcome["value"]


def _update_or_syntax(norm: _Normalised, exc: ParseBaseException) -> QueryRejected:
    """The text is no query: 403 if it is (or reads like) an update, else 400 with the position."""
    try:
        update = _deep(UpdateUnit.parse_string, norm.text)
        is_update = dict.get(update[0], "request") is not None
    except Exception:  # noqa: BLE001 - not an update either
        is_update = False
    if is_update or _first_keyword(norm.text) in UPDATE_KEYWORDS:
        return QueryRejected(READ_ONLY, 403)
    raw_pos = norm.raw_offset(exc.loc)
    ln, cl = lineno(raw_pos, norm.raw), col(raw_pos, norm.raw)
    return QueryRejected(_syntax_message(exc, ln, cl, line(raw_pos, norm.raw)), 400, line=ln, column=cl)


def _syntax_message(exc: ParseBaseException, ln: int, cl: int, raw_line: str) -> str:
    msg = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)\s*$", "", str(exc))
    excerpt = raw_line.strip()
    if len(excerpt) > 80:
        excerpt = excerpt[:77] + "…"
    return f"SPARQL syntax error at line {ln}, column {cl}: {msg}" + (f" (in: {excerpt})" if excerpt else "")


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


# -- what the parse tree holds

def _services(query: Any, resolver: _Resolver, allowed: set[str]) -> list[str]:
    services: list[str] = []
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
    return services


def _dataset(query: Any, resolver: _Resolver,
             graph_exists: Callable[[str], bool] | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
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
    return tuple(from_graphs), tuple(from_named)


def _projection(query: Any) -> tuple[str, ...] | None:
    if dict.get(query, "projection") is None:
        return None
    names = []
    for item in query["projection"]:
        var = dict.get(item, "evar") if dict.get(item, "evar") is not None else dict.get(item, "var")
        names.append(str(var))
    return tuple(names)


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
    """PREFIX and BASE of one query, applied as SPARQL does (RFC 3986 for relative IRIs, as the engine resolves them)."""

    def __init__(self, prologue: Any) -> None:
        self.base: str | None = None
        self.prefixes: dict[str, str] = {}
        for decl in prologue:
            if decl.name == "Base":
                self.base = self._absolute(str(dict.get(decl, "iri")))
            elif decl.name == "PrefixDecl":
                self.prefixes[dict.get(decl, "prefix") or ""] = self._absolute(str(dict.get(decl, "iri")))

    def _absolute(self, iri: str) -> str:
        """``iri`` resolved against BASE by the engine's own resolver (Oxigraph's, through its Turtle
        parser), so that the guard and the engine agree on every scheme and edge case."""
        if self.base is None:
            return iri
        try:
            triple = next(iter(parse(f"<{iri}> <urn:p> <urn:o> .", format=RdfFormat.TURTLE, base_iri=self.base)))
        except (SyntaxError, ValueError, StopIteration):
            raise QueryRejected(f"<{iri}> cannot be resolved against BASE <{self.base}>", 400) from None
        return triple.subject.value

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
