"""The named queries: ``queries/*.rq`` files with a header, their typed parameters, and binding.

A named query file starts with a header of comment lines::

    # title@nl: Vragen over de dual-use-verordening
    # title@en: Questions about the EU dual-use regulation
    # description: Every question linked to …
    #   (a comment line indented by two or more spaces continues the previous field)
    # description@nl: Elke vraag die …
    # param: fractie iri(fractie) default=groenlinks — the fractie
    # param: from date default=2019-01-01 — first day of the period

``title@nl``, ``title@en`` and ``description`` (English; ``description@en`` may stand for it) are
required; ``description@nl`` is the Dutch description the Dutch pages show. A parameter is
``NAME TYPE [default=VALUE | default="VALUE WITH SPACES"] [pick=LIST] [optional] [— description]`` (``--``
or ``-`` may stand for the dash); without a default it is required, unless it says ``optional``: then a
missing or empty value leaves the variable unbound (the query then ranges over every value of it, e.g.
every fractie). ``pick=LIST`` names the list
of names the query pages offer for it (:data:`PICK_LISTS`: ``persoon``, ``fractie``, ``post``,
``ministerie``, ``eu-act``); an ``iri(kind)`` parameter picks from its kinds' lists without saying
so. Types:

- ``string`` — any text, bound as an xsd:string literal;
- ``integer`` — bound as xsd:integer;
- ``date`` — YYYY-MM-DD, bound as xsd:date; ``default=today`` means the day the query runs;
- ``iri`` — any absolute IRI;
- ``iri(kind)`` — a data IRI ``{base}id/{kind}/{key}`` of this deployment, or just its key
  (``groenlinks``), or ``kind/key``; ``iri(kind1|kind2)`` admits either kind (then a short
  value must say its kind: ``post/minister-van-buitenlandse-zaken``).

Parameters are BOUND, never pasted into the text: :meth:`NamedQuery.bind` turns the given
strings into pyoxigraph terms, and ``Store.query(text, bindings)`` hands them to the store
(pyoxigraph ``substitutions``). pyoxigraph binds only variables of the SELECT projection, so
every named query projects each of its parameter variables (an aggregate query also groups by
them); :meth:`Catalog.load` checks this and refuses a file that does not. The text is not
rewritten or wrapped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode
from rdflib.term import Variable

from ontology.namespaces import XSD_DATE, XSD_INTEGER, Iris
from queries.errors import CatalogError, QueryRejected
from queries.guard import GuardedQuery, _walk, check

if TYPE_CHECKING:
    from store.base import QueryResult, Store, Term

__all__ = ["Catalog", "NamedQuery", "Param", "DEFAULT_BASE", "PICK_LISTS", "QUERIES_DIR"]

QUERIES_DIR = Path(__file__).resolve().parent
DEFAULT_BASE = "https://kamergraph.nl/"
MAX_STRING = 2_000
#: The lists of names a parameter can be picked from (``pick=LIST``, or the kinds of ``iri(kind)``).
PICK_LISTS = ("persoon", "fractie", "post", "ministerie", "eu-act")

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TYPE = re.compile(r"^(string|integer|date|iri)(?:\(([a-z][a-z0-9-]*(?:\|[a-z][a-z0-9-]*)*)\))?$")
_PARAM = re.compile(
    r"^(?P<name>\S+)\s+(?P<type>\S+)"
    r"(?:\s+default=(?:\"(?P<qdefault>[^\"]*)\"|(?P<default>\S+)))?"
    r"(?:\s+pick=(?P<pick>[a-z-]+))?"
    r"(?:\s+(?P<optional>optional))?"
    r"\s*(?:(?:—|--|–|-)\s*(?P<desc>.*))?$"
)
_FIELD = re.compile(r"^#\s?(?P<key>[A-Za-z@-]+)\s*:\s*(?P<value>.*)$")
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")
_ABS_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_INTEGER = re.compile(r"^[+-]?\d{1,18}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Param:
    """One typed parameter of a named query; ``default`` None means required."""

    name: str
    type: str  # string | integer | date | iri | iri(kind) | iri(kind1|kind2)
    default: str | None = None
    description: str = ""
    pick: str | None = None  # the list of names to pick a value from (PICK_LISTS); None: its kinds'
    optional: bool = False  # without a value: left unbound (only without a default)

    @property
    def required(self) -> bool:
        """Whether a value must be given: no default and not ``optional``."""
        return self.default is None and not self.optional

    @property
    def picks(self) -> tuple[str, ...]:
        """The lists of names the pages offer for this parameter (``pick=``, else its IRI kinds that have one)."""
        if self.pick:
            return (self.pick,)
        return tuple(k for k in self.kinds if k in PICK_LISTS) if self.base_type == "iri" else ()

    @property
    def kinds(self) -> tuple[str, ...]:
        m = _TYPE.match(self.type)
        return tuple(m.group(2).split("|")) if m and m.group(2) else ()

    @property
    def base_type(self) -> str:
        return self.type.split("(", 1)[0]

    def convert(self, value: str, base: str = DEFAULT_BASE) -> Term:
        """The value as a pyoxigraph term, or QueryRejected 400 naming the parameter."""
        if not isinstance(value, str):
            raise QueryRejected(f"parameter {self.name!r}: expected text, got {type(value).__name__}", 400)
        t = self.base_type
        v = value.strip()
        if t == "string":
            if len(value) > MAX_STRING:
                raise QueryRejected(f"parameter {self.name!r}: longer than {MAX_STRING} characters", 400)
            return Literal(value)
        if t == "integer":
            if not _INTEGER.match(v):
                raise QueryRejected(f"parameter {self.name!r}: {value!r} is not an integer", 400)
            return Literal(str(int(v)), datatype=NamedNode(XSD_INTEGER))
        if t == "date":
            if v == "today":
                return Literal(dt.date.today().isoformat(), datatype=NamedNode(XSD_DATE))
            try:
                if not _DATE.match(v):
                    raise ValueError
                d = dt.date.fromisoformat(v)
            except ValueError:
                raise QueryRejected(f"parameter {self.name!r}: {value!r} is not a date (YYYY-MM-DD)", 400) from None
            return Literal(d.isoformat(), datatype=NamedNode(XSD_DATE))
        if t == "iri":
            kinds = self.kinds
            iri = self._data_iri(v, kinds, base) if kinds else v
            if not _ABS_IRI.match(iri):
                raise QueryRejected(f"parameter {self.name!r}: {value!r} is not an absolute IRI", 400)
            try:
                return NamedNode(iri)
            except ValueError as exc:
                raise QueryRejected(f"parameter {self.name!r}: {value!r} is not an IRI ({exc})", 400) from None
        raise QueryRejected(f"parameter {self.name!r}: unknown type {self.type}", 400)  # pragma: no cover

    def _data_iri(self, v: str, kinds: tuple[str, ...], base: str) -> str:
        iris = Iris(base)
        want = " or ".join(f"{base}id/{k}/…" for k in kinds)
        for kind in kinds:
            prefix = f"{base}id/{kind}/"
            if v.startswith(prefix):
                key = v[len(prefix):]
                if _KEY.match(key.replace("%", "")) and key not in (".", ".."):
                    return v
                raise QueryRejected(f"parameter {self.name!r}: {v!r} has no valid key after {prefix}", 400)
        if ":" in v:
            raise QueryRejected(f"parameter {self.name!r}: {v!r} is not a {want} IRI", 400)
        kind, _, key = v.rpartition("/")
        if kind:
            if kind not in kinds:
                raise QueryRejected(f"parameter {self.name!r}: {kind!r} is not one of {', '.join(kinds)}", 400)
        elif len(kinds) == 1:
            kind = kinds[0]
        else:
            raise QueryRejected(
                f"parameter {self.name!r}: say which kind {v!r} is ({' or '.join(k + '/' + v for k in kinds)})", 400)
        if not _KEY.match(key) or key in (".", ".."):
            raise QueryRejected(f"parameter {self.name!r}: {v!r} is not a {want} IRI or key", 400)
        return iris.id(kind, key)


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """One named query: ``name`` is the file's stem; ``text`` the whole file (header included)."""

    name: str
    titles: Mapping[str, str]
    description: str  # in English
    params: tuple[Param, ...]
    text: str
    path: Path | None = None
    kind: str = "select"
    base: str = DEFAULT_BASE
    variables: tuple[str, ...] | None = field(default=None)  # the SELECT projection (None: SELECT *)
    descriptions: Mapping[str, str] = field(default_factory=dict)  # by language; "en" is ``description``

    def describe(self, lang: str = "en") -> str:
        """The description in ``lang`` (Dutch or English), else in English."""
        return self.descriptions.get(lang) or self.description

    def described_in(self, lang: str = "en") -> str:
        """The language :meth:`describe` gives for ``lang``."""
        return lang if self.descriptions.get(lang) else "en"

    def title(self, lang: str = "en") -> str:
        return self.titles.get(lang) or self.titles.get("en") or next(iter(self.titles.values()))

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def bind(self, values: Mapping[str, str] | None = None) -> dict[str, Term]:
        """The bindings for ``Store.query``: each parameter's value (or its default), typed; an
        ``optional`` parameter without a value is left out (its variable stays unbound).

        An unknown parameter, a missing required one or a value of the wrong form is
        QueryRejected 400 naming the parameter.
        """
        values = dict(values or {})
        known = {p.name for p in self.params}
        unknown = sorted(set(values) - known)
        if unknown:
            names = ", ".join(sorted(known)) or "none"
            raise QueryRejected(
                f"unknown parameter {unknown[0]!r} for query {self.name!r} (its parameters: {names})", 400)
        out: dict[str, Term] = {}
        for p in self.params:
            value = values.get(p.name)
            if value is None or value == "":
                if p.default is None:
                    if p.optional:
                        continue
                    raise QueryRejected(f"parameter {p.name!r} of query {self.name!r} is required", 400)
                value = p.default
            out[p.name] = p.convert(value, self.base)
        return out

    def run(
        self,
        store: Store,
        values: Mapping[str, str] | None = None,
        *,
        timeout: float | None = None,
        row_limit: int | None = None,
    ) -> QueryResult:
        """Bind ``values`` and run the query on ``store`` (the text itself is never changed)."""
        return store.query(self.text, self.bind(values), timeout=timeout, row_limit=row_limit)


#: The parsed named queries by (path, size, modification time, base): :meth:`Catalog.load`. NamedQuery is frozen.
_PARSED: dict[tuple[str, int, int, str], NamedQuery] = {}


class Catalog:
    """The named queries of one folder, by name."""

    def __init__(self, queries: Mapping[str, NamedQuery]) -> None:
        self.queries = dict(sorted(queries.items()))

    @classmethod
    def load(cls, directory: str | Path | None = None, *, base: str = DEFAULT_BASE) -> Catalog:
        """Read every ``*.rq`` of ``directory`` (default: this package's folder; not ``examples/``).

        A query is parsed once per process for the same file contents: checking a query parses it with
        rdflib (~0.3 s each), and every server start and CLI run loads the catalog. The parsed queries are
        kept by (path, size, modification time, base); a changed file is parsed again."""
        folder = Path(directory) if directory is not None else QUERIES_DIR
        queries = {}
        for p in sorted(folder.glob("*.rq")):
            st = p.stat()
            key = (str(p.resolve()), st.st_size, st.st_mtime_ns, base)
            if key not in _PARSED:
                _PARSED[key] = parse_file(p, base=base)
            queries[p.stem] = _PARSED[key]
        return cls(queries)

    def __getitem__(self, name: str) -> NamedQuery:
        try:
            return self.queries[name]
        except KeyError:
            raise QueryRejected(f"no named query {name!r}", 400) from None

    def get(self, name: str) -> NamedQuery | None:
        return self.queries.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self.queries

    def __iter__(self) -> Iterator[NamedQuery]:
        return iter(self.queries.values())

    def __len__(self) -> int:
        return len(self.queries)

    def names(self) -> list[str]:
        return list(self.queries)


def parse_file(path: str | Path, *, base: str = DEFAULT_BASE) -> NamedQuery:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"cannot read: {exc}", path) from None
    return parse_text(text, name=path.stem, path=path, base=base)


def parse_text(text: str, *, name: str, path: Path | str | None = None, base: str = DEFAULT_BASE) -> NamedQuery:
    """One named query from its text; a CatalogError names the file and the line of any fault.
    Reads the header (:func:`_read_header`), checks it (:func:`_check_header`), then the query
    itself against the guard and the parameters (:func:`_check_query`)."""
    where = path if path is not None else name
    header = _read_header(text, where, base)
    _check_header(header, where)
    guarded = _check_query(text, header, where)
    titles = {k.split("@", 1)[1]: v for k, (v, _) in header.fields.items() if k.startswith("title@")}
    descriptions = {k.split("@", 1)[1]: v for k, (v, _) in header.fields.items() if k.startswith("description@")}
    descriptions["en"] = header.fields["description"][0]
    return NamedQuery(
        name=name,
        titles=titles,
        description=header.fields["description"][0],
        descriptions=descriptions,
        params=tuple(p for p, _ in header.params),
        text=text,
        path=Path(path) if path is not None else None,
        kind=guarded.kind,
        base=base,
        variables=guarded.projection,
    )


@dataclass
class _Header:
    """A named query's header as read so far: its fields and parameters, each with its line, and
    the lines the header spans (``end``: the first line after it)."""

    fields: dict[str, tuple[str, int]] = field(default_factory=dict)
    params: list[tuple[Param, int]] = field(default_factory=list)
    last: tuple[str, int] | None = None  # the field a continuation line extends ('param' included)
    start: int | None = None
    end: int = 1

    def extend(self, more: str) -> None:
        """Adds a continuation line's text to the field (or the parameter's description) it continues."""
        assert self.last is not None
        key, _ = self.last
        if key == "param":
            p, pl = self.params[-1]
            self.params[-1] = (replace(p, description=(p.description + " " + more).strip()), pl)
        else:
            v, vl = self.fields[key]
            self.fields[key] = ((v + " " + more).strip(), vl)

    def add(self, key: str, value: str, where: object, lineno: int, base: str) -> None:
        """Adds one ``# key: value`` line: a parameter, a title or the description."""
        self.start = self.start or lineno
        if key == "param":
            self.params.append((_parse_param(value, where, lineno, base), lineno))
            self.last = ("param", lineno)
        elif key in ("title@nl", "title@en", "description", "description@en", "description@nl"):
            if key == "description@en":
                key = "description"
            if key in self.fields:
                raise CatalogError(f"{key} given twice (first on line {self.fields[key][1]})", where, lineno)
            if not value:
                raise CatalogError(f"{key} is empty", where, lineno)
            self.fields[key] = (value, lineno)
            self.last = (key, lineno)
        elif re.match(r"^title@[a-z]{2,3}$", key):
            self.fields[key] = (value, lineno)
            self.last = (key, lineno)
        else:
            raise CatalogError(f"unknown header field {key!r} (title@nl, title@en, description, description@nl, "
                               "param)", where, lineno)


def _read_header(text: str, where: object, base: str) -> _Header:
    """The header of comment lines at the top of a named query: free comments before it are
    skipped; it ends at the first blank line after a field or at the first line of the query."""
    header = _Header()
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip():
            if header.fields or header.params:
                header.end = lineno
                break
            continue
        if not line.startswith("#"):
            header.end = lineno
            break
        header.end = lineno + 1
        if re.match(r"^#\s{2,}\S", line) and header.last is not None:  # continuation
            header.extend(line[1:].strip())
            continue
        m = _FIELD.match(line)
        if not m:
            if header.fields or header.params:
                raise CatalogError(f"not a header line (expected '# key: value'): {line!r}", where, lineno)
            continue  # free comment before the header
        header.add(m.group("key"), m.group("value").strip(), where, lineno, base)
    return header


def _check_header(header: _Header, where: object) -> None:
    """Refuses a header without the required fields or with a parameter declared twice."""
    for required in ("title@nl", "title@en", "description"):
        if required not in header.fields:
            span = f"lines {header.start}-{header.end - 1}" if header.start else "no header found"
            raise CatalogError(f"the header ({span}) has no '# {required}: …' line", where, header.start or 1)
    seen: dict[str, int] = {}
    for p, pl in header.params:
        if p.name in seen:
            raise CatalogError(f"parameter {p.name!r} declared twice (first on line {seen[p.name]})", where, pl)
        seen[p.name] = pl


def _check_query(text: str, header: _Header, where: object) -> GuardedQuery:
    """The query as the guard reads it; refused unless it is a SELECT or an ASK that uses and
    projects every parameter of the header."""
    try:
        guarded = check(text)
    except QueryRejected as exc:
        raise CatalogError(f"the query is refused: {exc.message}", where, exc.line or header.end) from None
    if guarded.kind not in ("select", "ask"):
        raise CatalogError(f"a named query must be SELECT or ASK, not {guarded.kind.upper()}", where, header.end)
    from rdflib.plugins.sparql.parser import parseQuery

    used = {str(n) for n in _walk(parseQuery(text)) if isinstance(n, Variable)}
    for p, pl in header.params:
        if p.name not in used:
            raise CatalogError(f"parameter {p.name!r} is not used in the query (no ?{p.name})", where, pl)
        if guarded.projection is not None and p.name not in guarded.projection:
            raise CatalogError(
                f"parameter ?{p.name} must be in the SELECT projection (values are bound through it)", where, pl)
    return guarded


def _parse_param(value: str, where: object, lineno: int, base: str) -> Param:
    m = _PARAM.match(value)
    if not m:
        raise CatalogError(f"a param line is 'NAME TYPE [default=VALUE] [pick=LIST] [optional] — description', "
                           f"not {value!r}", where, lineno)
    name, type_ = m.group("name"), m.group("type")
    if not _NAME.match(name):
        raise CatalogError(f"parameter name {name!r} is not a SPARQL variable name", where, lineno)
    if not _TYPE.match(type_) or (type_.startswith(("string(", "integer(", "date("))):
        raise CatalogError(f"parameter {name!r}: unknown type {type_!r} (string, integer, date, iri, iri(kind))",
                           where, lineno)
    default = m.group("qdefault") if m.group("qdefault") is not None else m.group("default")
    pick = m.group("pick")
    if pick is not None and pick not in PICK_LISTS:
        raise CatalogError(f"parameter {name!r}: unknown list pick={pick} (one of {', '.join(PICK_LISTS)})",
                           where, lineno)
    optional = m.group("optional") is not None
    if optional and default is not None:
        raise CatalogError(f"parameter {name!r}: optional and default={default} (an optional parameter has no "
                           "default: without a value it stays unbound)", where, lineno)
    p = Param(name, type_, default, (m.group("desc") or "").strip(), pick, optional)
    if default is not None:
        try:
            p.convert(default, base)
        except QueryRejected as exc:
            raise CatalogError(f"bad default: {exc.message}", where, lineno) from None
    return p
