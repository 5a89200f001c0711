"""The fast evaluator's compiler: the shapes compiled once into SPARQL SELECT queries (per node shape: its
minCount-1 and maxCount-1 checks; per property shape: its value-type checks; per logical constraint and
SPARQL rule: one query), each with what a result row of it reports. :mod:`shapes.fast` runs them.

The constraints by kind: the counts, sh:hasValue and the value types (:meth:`ShapeCompiler._properties`),
the logical constraints sh:or/sh:xone/sh:not (:meth:`ShapeCompiler._logical`), the SPARQL-based
constraints (:meth:`ShapeCompiler._sparql`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib import BNode, URIRef
from rdflib import Literal as RLiteral
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD

from shapes.errors import ShapesFileError, ShapesValidationError, UnsupportedShapeError
from shapes.report import short
from shapes.shapes_graph import SHAPES_PATH, load_shapes

_C = str(SH)
MIN_COUNT = _C + "MinCountConstraintComponent"
MAX_COUNT = _C + "MaxCountConstraintComponent"
DATATYPE = _C + "DatatypeConstraintComponent"
CLASS = _C + "ClassConstraintComponent"
NODE_KIND = _C + "NodeKindConstraintComponent"
PATTERN = _C + "PatternConstraintComponent"
IN = _C + "InConstraintComponent"
HAS_VALUE = _C + "HasValueConstraintComponent"
OR = _C + "OrConstraintComponent"
XONE = _C + "XoneConstraintComponent"
NOT = _C + "NotConstraintComponent"
SPARQL = _C + "SPARQLConstraintComponent"

_IGNORED = {SH.name, SH.description, SH.order, SH.group, SH.defaultValue, SH.message, SH.severity,
            SH.deactivated}
_VALUE_PARAMS = {SH.datatype, SH["class"], SH.nodeKind, SH.pattern, SH.flags, SH["in"]}
_NODE_ALLOWED = _IGNORED | _VALUE_PARAMS | {SH.targetClass, SH.property, SH.sparql, SH["or"], SH.xone,
                                            SH["not"], SH.hasValue}
_PROP_ALLOWED = _IGNORED | _VALUE_PARAMS | {SH.path, SH.minCount, SH.maxCount, SH.hasValue}

# castable XSD datatypes: a literal of one of these must also be well-formed (as pyshacl checks)
_CASTABLE = {str(XSD[t]) for t in ("date", "dateTime", "integer", "boolean", "gYear", "decimal", "double",
                                   "float", "time", "int", "long", "gYearMonth")}

FOCUS = "@@FOCUS@@"


def _lit(s: str) -> str:
    """A SPARQL string literal."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def _sparql_term(t: rdflib.term.Node) -> str:
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, RLiteral):
        if t.language:
            return f"{_lit(str(t))}@{t.language}"
        if t.datatype is not None and t.datatype != XSD.string:
            return f"{_lit(str(t))}^^<{t.datatype}>"
        return _lit(str(t))
    raise ShapesValidationError(f"a blank node cannot be used as a constant in a shape: {t}")


@dataclass(frozen=True)
class Emit:
    flag: str | None  # a boolean variable that must be true in the row, or None
    component: str
    shape: str
    path: str | None
    severity: str
    messages: tuple[str, ...]
    value_var: str | None  # variable holding the value node; None -> no value; "this" -> focus
    generic: str  # message when the shape has none
    path_var: bool = False  # take the path from ?path when bound (SPARQL rules)
    substitute: bool = False  # {?var} substitution in messages (SPARQL rules)
    match_p: str | None = None  # the row's ?p must be this predicate (combined queries)


@dataclass(frozen=True)
class Query:
    targets: tuple[str, ...]
    text: str
    emits: tuple[Emit, ...]
    precheck: tuple[str, ...] = ()  # maxCount 1: predicates to pre-check over the whole store
    value_scan: tuple[str, tuple[str, ...]] | None = None  # (predicate, conditions): whole-store plan
    focused: str | None = None  # a variant for a few graphs (focus first), when different


@dataclass
class _ShapeInfo:
    node: rdflib.term.Node
    severity: str
    messages: tuple[str, ...]


class ShapeCompiler:
    """The shapes file (``shapes_path``, default the bundled one) compiled into :attr:`queries`; raises
    UnsupportedShapeError for a SHACL feature it does not implement."""

    def __init__(self, shapes_path: str | Path | None = None) -> None:
        self.shapes_path = Path(shapes_path or SHAPES_PATH)
        self._sg = load_shapes(self.shapes_path)
        self.queries: tuple[Query, ...] = tuple(self._compile())

    def _info(self, node: rdflib.term.Node) -> _ShapeInfo:
        sg = self._sg
        sev = sg.value(node, SH.severity)
        msgs = sorted(sg.objects(node, SH.message), key=lambda m: (getattr(m, "language", None) != "en", str(m)))
        return _ShapeInfo(node, str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation",
                          tuple(str(m) for m in msgs))

    def _sid(self, node: rdflib.term.Node) -> str:
        if isinstance(node, BNode):
            raise UnsupportedShapeError(str(node), "a blank-node shape",
                                        "give every shape an IRI so both evaluators name it the same")
        return str(node)

    def _check_params(self, node: rdflib.term.Node, allowed: set) -> None:
        for p in set(self._sg.predicates(node)):
            if str(p).startswith(_C) and p not in allowed:
                raise UnsupportedShapeError(str(node), short(str(p)))

    def _deactivated(self, node: rdflib.term.Node) -> bool:
        d = self._sg.value(node, SH.deactivated)
        return d is not None and bool(d.toPython())

    def _compile(self) -> Iterable[Query]:
        sg = self._sg
        for p in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
            for s in sg.subjects(p, None):
                raise UnsupportedShapeError(str(s), short(str(p)))
        node_shapes = sorted(set(sg.subjects(SH.targetClass, None)), key=str)
        for ns in node_shapes:
            if self._deactivated(ns):
                continue
            self._check_params(ns, _NODE_ALLOWED)
            if sg.value(ns, SH.path) is not None:
                raise UnsupportedShapeError(str(ns), "sh:targetClass on a property shape")
            targets = tuple(sorted(str(t) for t in sg.objects(ns, SH.targetClass)))
            info = self._info(ns)
            sid = self._sid(ns)
            # constraints on the focus node itself
            q = self._node_value_query(sid, info, targets, ns)
            if q:
                yield q
            for v in sg.objects(ns, SH.hasValue):
                yield Query(targets, f"SELECT DISTINCT ?this ?g WHERE {{ {FOCUS} FILTER (!sameTerm(?this, {_sparql_term(v)})) }}",
                             (Emit(None, HAS_VALUE, sid, None, info.severity, info.messages, "this",
                                    f"Value must be {v}"),))
            yield from self._logical(sid, info, targets, ns)
            props = [ps for ps in sorted(sg.objects(ns, SH.property), key=str) if not self._deactivated(ps)]
            yield from self._properties(targets, props)
            for c in sorted(sg.objects(ns, SH.sparql), key=str):
                if not self._deactivated(c):
                    yield self._sparql(sid, info, targets, c)

    def _path(self, ps: rdflib.term.Node) -> str:
        path = self._sg.value(ps, SH.path)
        if not isinstance(path, URIRef):
            raise UnsupportedShapeError(str(ps), "a non-predicate sh:path", f"{path!r}")
        return str(path)

    def _value_conditions(self, sid: str, node: rdflib.term.Node, var: str) -> list[tuple[str, str, str]]:
        """(component, violation expression over ?var, generic message) per value-type constraint."""
        sg = self._sg
        out: list[tuple[str, str, str]] = []
        v = f"?{var}"
        for dt in sg.objects(node, SH.datatype):
            d = str(dt)
            cond = f"!isLiteral({v}) || datatype({v}) != <{d}>"
            if d in _CASTABLE:
                cond += f" || !COALESCE(datatype(<{d}>(STR({v}))) = <{d}>, false)"
            out.append((DATATYPE, cond, f"Value is not a well-formed literal of datatype {short(d)}"))
        for c in sg.objects(node, SH["class"]):
            out.append((CLASS, f"NOT EXISTS {{ {v} a ?__t . @@VALUES ?__t {c}@@ }}",
                        f"Value is not an instance of {short(str(c))}"))
        for nk in sg.objects(node, SH.nodeKind):
            k = str(nk)[len(_C):]
            cond = {
                "IRI": f"!isIRI({v})",
                "BlankNode": f"!isBlank({v})",
                "Literal": f"!isLiteral({v})",
                "BlankNodeOrIRI": f"isLiteral({v})",
                "BlankNodeOrLiteral": f"isIRI({v})",
                "IRIOrLiteral": f"isBlank({v})",
            }.get(k)
            if cond is None:
                raise UnsupportedShapeError(sid, f"sh:nodeKind {nk}")
            out.append((NODE_KIND, cond, f"Value is not of node kind sh:{k}"))
        flags = sg.value(node, SH.flags)
        for pat in sg.objects(node, SH.pattern):
            args = _lit(str(pat)) + (f", {_lit(str(flags))}" if flags is not None else "")
            out.append((PATTERN, f"isBlank({v}) || !REGEX(STR({v}), {args})",
                        f"Value does not match pattern {pat!s}"))
        for lst in sg.objects(node, SH["in"]):
            members = list(Collection(sg, lst))
            cond = " || ".join(f"sameTerm({v}, {_sparql_term(m)})" for m in members) or "false"
            out.append((IN, f"!({cond})", "Value is not in " + ", ".join(str(m) for m in members)))
        return out

    def _node_value_query(self, sid: str, info: _ShapeInfo, targets: tuple[str, ...],
                          node: rdflib.term.Node) -> Query | None:
        conds = self._value_conditions(sid, node, "this")
        if not conds:
            return None
        binds, flags, emits = [], [], []
        for i, (comp, cond, generic) in enumerate(conds):
            binds.append(f"BIND (COALESCE({cond}, true) AS ?c{i})")
            flags.append(f"?c{i}")
            emits.append(Emit(f"c{i}", comp, sid, None, info.severity, info.messages, "this", generic))
        text = (f"SELECT ?this ?g {' '.join(flags)} WHERE {{ {FOCUS} "
                + " ".join(binds) + f" FILTER ({' || '.join(flags)}) }}")
        return Query(targets, text, tuple(emits))

    def _properties(self, targets: tuple[str, ...], props: list[rdflib.term.Node]) -> Iterable[Query]:
        """The queries for all property shapes of one node shape: those of each shape, then one for the
        sh:minCount 1 and one for the sh:maxCount 1 of all of them."""
        min1: list[Emit] = []
        max1: list[Emit] = []
        for ps in props:
            yield from self._property(targets, ps, min1, max1)
        if min1:
            preds = " ".join(sorted({f"<{e.path}>" for e in min1}))
            yield Query(targets, f"SELECT ?this ?g ?p WHERE {{ {FOCUS} VALUES ?p {{ {preds} }} "
                                 f"FILTER NOT EXISTS {{ ?this ?p ?__x }} }}", tuple(min1))
        if max1:
            yield Query(targets, f"SELECT DISTINCT ?this ?g ?p WHERE {{ {FOCUS} ?this ?p ?__a . "
                                 f"FILTER (?p IN (@@PREDS@@)) "
                                 f"FILTER EXISTS {{ ?this ?p ?__b . FILTER (!sameTerm(?__a, ?__b)) }} }}",
                        tuple(max1), precheck=tuple(sorted({e.path for e in max1})))  # type: ignore[misc]

    def _property(self, targets: tuple[str, ...], ps: rdflib.term.Node, min1: list[Emit],
                  max1: list[Emit]) -> Iterable[Query]:
        """The queries of one property shape: its counts, its sh:hasValue, its value-type constraints. Its
        sh:minCount 1 and sh:maxCount 1 are not queried here but added to ``min1`` and ``max1``."""
        sg = self._sg
        self._check_params(ps, _PROP_ALLOWED)
        sid = self._sid(ps)
        path = self._path(ps)
        info = self._info(ps)
        p = f"<{path}>"
        mn = sg.value(ps, SH.minCount)
        mx = sg.value(ps, SH.maxCount)
        if mn is not None and int(mn) > 0:
            n = int(mn)
            e = Emit(None, MIN_COUNT, sid, path, info.severity, info.messages, None,
                     f"Less than {n} values on {short(path)}", match_p=path if n == 1 else None)
            if n == 1:
                min1.append(e)
            else:
                yield Query(targets, f"SELECT ?this ?g WHERE {{ {FOCUS} OPTIONAL {{ ?this {p} ?__x }} }} "
                                     f"GROUP BY ?this ?g HAVING (COUNT(DISTINCT ?__x) < {n})", (e,))
        if mx is not None:
            n = int(mx)
            e = Emit(None, MAX_COUNT, sid, path, info.severity, info.messages, None,
                     f"More than {n} values on {short(path)}", match_p=path if n == 1 else None)
            if n == 1:
                max1.append(e)
            elif n == 0:
                yield Query(targets, f"SELECT DISTINCT ?this ?g WHERE {{ {FOCUS} FILTER EXISTS {{ ?this {p} ?__x }} }}", (e,))
            else:
                yield Query(targets, f"SELECT ?this ?g WHERE {{ {FOCUS} ?this {p} ?__x }} "
                                     f"GROUP BY ?this ?g HAVING (COUNT(DISTINCT ?__x) > {n})", (e,))
        for v in sg.objects(ps, SH.hasValue):
            yield Query(targets, f"SELECT DISTINCT ?this ?g WHERE {{ {FOCUS} FILTER NOT EXISTS {{ ?this {p} {_sparql_term(v)} }} }}",
                        (Emit(None, HAS_VALUE, sid, path, info.severity, info.messages, None,
                              f"Missing value {v} on {short(path)}"),))
        conds = self._value_conditions(sid, ps, "v")
        if conds:
            binds = " ".join(f"BIND (COALESCE({c}, true) AS ?f{i})" for i, (_k, c, _g) in enumerate(conds))
            flags = " ".join(f"?f{i}" for i in range(len(conds)))
            emits = tuple(Emit(f"f{i}", comp, sid, path, info.severity, info.messages, "v",
                               f"{generic} on {short(path)}") for i, (comp, _c, generic) in enumerate(conds))
            # used as is for a few graphs; for the whole store, the conditions are regrouped per
            # predicate (see FastValidator.validate_store)
            yield Query(targets, f"SELECT ?this ?g ?v {flags} WHERE {{ {FOCUS} ?this {p} ?v . {binds} "
                                 f"FILTER ({' || '.join(f'?f{i}' for i in range(len(conds)))}) }}",
                        emits, value_scan=(path, tuple(c for _k, c, _g in conds)))

    def _conforms_expr(self, owner: str, member: rdflib.term.Node, k: int) -> str:
        """A SPARQL expression true when ?this conforms to a simple member shape of or/xone/not."""
        sg = self._sg
        sid = self._sid(member)
        if sg.value(member, SH.path) is None:
            self._check_params(member, _IGNORED | _VALUE_PARAMS)
            conds = self._value_conditions(sid, member, "this")
            parts = [f"!COALESCE({c}, true)" for _comp, c, _g in conds]
            return "(" + (" && ".join(parts) or "true") + ")"
        self._check_params(member, _PROP_ALLOWED)
        path = f"<{self._path(member)}>"
        parts = []
        mn = sg.value(member, SH.minCount)
        mx = sg.value(member, SH.maxCount)
        if mn is not None and int(mn) > 0:
            if int(mn) != 1:
                raise UnsupportedShapeError(owner, "sh:minCount other than 1 inside sh:or/sh:xone/sh:not", sid)
            parts.append(f"EXISTS {{ ?this {path} ?__m{k} }}")
        if mx is not None:
            if int(mx) != 0:
                raise UnsupportedShapeError(owner, "sh:maxCount other than 0 inside sh:or/sh:xone/sh:not", sid)
            parts.append(f"NOT EXISTS {{ ?this {path} ?__m{k} }}")
        for v in sg.objects(member, SH.hasValue):
            parts.append(f"EXISTS {{ ?this {path} {_sparql_term(v)} }}")
        conds = self._value_conditions(sid, member, f"__m{k}")
        if conds:
            bad = " || ".join(f"COALESCE({c}, true)" for _comp, c, _g in conds)
            parts.append(f"NOT EXISTS {{ ?this {path} ?__m{k} FILTER ({bad}) }}")
        return "(" + (" && ".join(parts) or "true") + ")"

    def _logical(self, sid: str, info: _ShapeInfo, targets: tuple[str, ...], ns: rdflib.term.Node) -> Iterable[Query]:
        sg = self._sg
        k = 0
        for comp, pred in ((OR, SH["or"]), (XONE, SH.xone)):
            for lst in sg.objects(ns, pred):
                exprs = []
                for m in Collection(sg, lst):
                    exprs.append(self._conforms_expr(sid, m, k))
                    k += 1
                if comp == OR:
                    bad = "!(" + " || ".join(exprs) + ")"
                    generic = "Node does not conform to any shape in sh:or"
                else:
                    bad = "(" + " + ".join(f"IF({e}, 1, 0)" for e in exprs) + ") != 1"
                    generic = "Node does not conform to exactly one shape in sh:xone"
                text = f"SELECT DISTINCT ?this ?g WHERE {{ {FOCUS} FILTER ({bad}) }}"
                yield Query(targets, text, (Emit(None, comp, sid, None, info.severity, info.messages, "this", generic),))
        for m in sg.objects(ns, SH["not"]):
            e = self._conforms_expr(sid, m, k)
            k += 1
            text = f"SELECT DISTINCT ?this ?g WHERE {{ {FOCUS} FILTER ({e}) }}"
            yield Query(targets, text, (Emit(None, NOT, sid, None, info.severity, info.messages, "this",
                                               "Node conforms to the shape in sh:not"),))

    def _prefixes(self, c: rdflib.term.Node) -> str:
        sg = self._sg
        lines = []
        for pnode in sg.objects(c, SH.prefixes):
            for decl in sg.objects(pnode, SH.declare):
                pre, ns = sg.value(decl, SH.prefix), sg.value(decl, SH.namespace)
                if pre is None or ns is None:
                    raise ShapesFileError(f"incomplete sh:declare on {pnode}")
                lines.append(f"PREFIX {pre}: <{ns}>")
        return "\n".join(sorted(set(lines)))

    def _sparql(self, sid: str, info: _ShapeInfo, targets: tuple[str, ...], c: rdflib.term.Node) -> Query:
        sg = self._sg
        self._check_params(c, {SH.select, SH.message, SH.prefixes, SH.deactivated})
        select = sg.value(c, SH.select)
        if select is None:
            raise UnsupportedShapeError(sid, "sh:sparql without sh:select (sh:ask)")
        text = str(select)
        for bad in ("$PATH", "$value", "$currentShape", "$shapesGraph"):
            if re.search(re.escape(bad) + r"\b", text):
                raise UnsupportedShapeError(sid, f"{bad} in a SPARQL constraint")
        text = re.sub(r"\$this\b", "?this", text)
        text = re.sub(r"\$(\w+)", r"?\1", text)
        head = re.match(r"\s*SELECT\s+(DISTINCT\s+|REDUCED\s+)?(.*?)\s*(WHERE\b|\{)", text, re.S | re.I)
        if not head or not ("*" in head.group(2) or re.search(r"\?this\b", head.group(2))):
            raise UnsupportedShapeError(sid, "a SPARQL constraint that does not project $this")
        msgs = sorted(sg.objects(c, SH.message), key=lambda m: (getattr(m, "language", None) != "en", str(m)))
        messages = tuple(str(m) for m in msgs) or info.messages
        full = f"{self._prefixes(c)}\nSELECT * WHERE {{ {FOCUS} {{ {text} }} }}"
        focused = None
        body = re.match(r"\s*SELECT\s+(.*?)\s*WHERE\s*\{(.*)\}\s*$", text, re.S | re.I)
        if body and not head.group(1) and "*" not in body.group(1):
            # no solution modifiers after the pattern: the body can follow the focus pattern directly
            focused = f"{self._prefixes(c)}\nSELECT ?g {body.group(1)} WHERE {{ {FOCUS} {body.group(2)} }}"
        return Query(targets, full, focused=focused, emits=(Emit(None, SPARQL, sid, None, info.severity, messages, "value",
                                            "SPARQL constraint violated", path_var=True, substitute=True),))
