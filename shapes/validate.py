"""The validation stage: SHACL shapes -> Report.

Two evaluators of the same shapes file (``shapes/kamergraph.shapes.ttl``):

* :func:`validate` — the reference path: pyshacl over an rdflib graph (no inference). Exact, but
  slow; for one record or a small batch and for tests.
* :class:`FastValidator` — the shapes compiled once into SPARQL SELECT queries (per node shape:
  its minCount-1 and maxCount-1 checks; per property shape: its value-type checks; per logical
  constraint and SPARQL rule: one query), run by pyoxigraph over a whole store in a few threads.
  For the full corpus: ~45,000 Zaak graphs (2.8 M quads) in about 5 s on 2 cores.

Both report the same findings (focus node, source shape, path, severity, constraint component);
the test suite checks that on every fixture.

Semantics shared by both paths:

* The data is a dataset: one named graph per source record plus reference graphs. Focus nodes are
  the instances of a shape's target class (rdf:type, with rdfs:subClassOf* from the data); every
  other lookup (values, types of values, the Kamervraag above a Vraagstelling, memberships,
  Ambtsperioden) reads the union of all graphs.
* ``ValidationResult.graph`` is the named graph holding the focus node's rdf:type triple (the
  lexically smallest one, should there be several); ``None`` when not known (plain rdflib.Graph
  input, or a node typed only in the default graph).
* With :func:`validate`'s ``reference`` graph or :meth:`FastValidator.validate_store`'s
  ``graphs``, only focus nodes typed in the data / in those graphs are reported; the reference is
  used for lookups.
"""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import rdflib
from rdflib import RDF, BNode, URIRef
from rdflib import Literal as RLiteral
from rdflib.collection import Collection
from rdflib.namespace import RDFS, SH, XSD

SHAPES_PATH = Path(__file__).resolve().parent / "kamergraph.shapes.ttl"

Severity = Literal["Violation", "Warning", "Info"]

_GRAPH_KEY_LIMIT = 2000  # above this many graphs, restrict focus nodes in Python, not in VALUES


# --------------------------------------------------------------------------- errors


class ShapesValidationError(Exception):
    """Base of the validation stage's errors."""


class ShapesFileError(ShapesValidationError):
    """The shapes file cannot be read or parsed."""


class UnsupportedShapeError(ShapesValidationError):
    """The shapes file uses a SHACL feature the fast (SPARQL) compiler does not implement."""

    def __init__(self, shape: str, feature: str, detail: str = "") -> None:
        self.shape = shape
        self.feature = feature
        msg = f"shape {shape}: {feature} is not supported by FastValidator"
        if detail:
            msg += f" ({detail})"
        msg += "; supported: sh:targetClass, predicate paths, sh:minCount, sh:maxCount, sh:datatype, sh:class, "
        msg += "sh:nodeKind, sh:pattern/sh:flags, sh:in, sh:hasValue, sh:or/sh:xone/sh:not over simple "
        msg += "property shapes, sh:message, sh:severity, sh:sparql (sh:select with $this)"
        super().__init__(msg)


# --------------------------------------------------------------------------- report


@dataclass(frozen=True)
class ValidationResult:
    focus_node: str  # IRI, or "_:id" for a blank node
    path: str | None
    message: str
    severity: Severity
    source_shape: str
    value: str | None  # IRI or lexical form
    graph: str | None = None  # the named graph holding the focus node, when known
    component: str | None = None  # sh:sourceConstraintComponent IRI
    value_term: str | None = field(default=None, compare=False, repr=False)  # N-Triples form of value

    def key(self) -> tuple[str, str, str | None, str, str | None]:
        """What both evaluators must agree on: (focus, shape, path, severity, component)."""
        return (self.focus_node, self.source_shape, self.path, self.severity, self.component)

    def to_dict(self) -> dict[str, Any]:
        return {
            "focus_node": self.focus_node,
            "path": self.path,
            "message": self.message,
            "severity": self.severity,
            "source_shape": self.source_shape,
            "value": self.value,
            "graph": self.graph,
            "component": self.component,
        }


def _sort_key(r: ValidationResult) -> tuple:
    return (r.graph or "", r.focus_node, r.source_shape, r.path or "", r.component or "", r.value or "", r.message)


def _short(iri: str | None) -> str:
    if iri is None:
        return "-"
    for p, ns in _PREFIXES.items():
        if iri.startswith(ns):
            return f"{p}:{iri[len(ns):]}"
    return f"<{iri}>" if not iri.startswith("_:") else iri


_PREFIXES = {
    "kgsh": "https://w3id.org/kamergraph/shapes#",
    "kg": "https://w3id.org/kamergraph/def#",
    "sh": str(SH),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "cito": "http://purl.org/spar/cito/",
    "eli": "http://data.europa.eu/eli/ontology#",
}


@dataclass(frozen=True)
class Report:
    results: tuple[ValidationResult, ...] = ()

    @property
    def conforms(self) -> bool:
        """True when there is no Violation (Warnings and Infos do not block)."""
        return not any(r.severity == "Violation" for r in self.results)

    def violations(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity == "Violation")

    def warnings(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity == "Warning")

    def by_shape(self) -> dict[str, int]:
        """Number of results per source shape IRI."""
        return dict(sorted(Counter(r.source_shape for r in self.results).items()))

    def by_graph(self) -> dict[str | None, tuple[ValidationResult, ...]]:
        out: dict[str | None, list[ValidationResult]] = defaultdict(list)
        for r in self.results:
            out[r.graph].append(r)
        return {g: tuple(rs) for g, rs in out.items()}

    def rejected_graphs(self) -> frozenset[str]:
        """Named graphs holding a focus node with a Violation (these are not loaded)."""
        return frozenset(r.graph for r in self.results if r.severity == "Violation" and r.graph)

    def keys(self) -> set[tuple]:
        return {r.key() for r in self.results}

    def to_text(self) -> str:
        counts = Counter(r.severity for r in self.results)
        head = "Conforms" if self.conforms else "Does not conform"
        lines = [
            f"{head}: {counts.get('Violation', 0)} violation(s), {counts.get('Warning', 0)} warning(s), "
            f"{counts.get('Info', 0)} info(s)"
        ]
        for r in self.results:
            comp = _short(r.component).replace("sh:", "").replace("ConstraintComponent", "") if r.component else ""
            lines.append(
                f"{r.severity}: {_short(r.focus_node)} {_short(r.path) if r.path else ''}".rstrip()
                + (f" = {r.value}" if r.value is not None and r.value != r.focus_node else "")
                + f"\n    {r.message}\n    shape {_short(r.source_shape)}"
                + (f" ({comp})" if comp else "")
                + (f", graph <{r.graph}>" if r.graph else "")
            )
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "counts": dict(Counter(r.severity for r in self.results)),
            "by_shape": self.by_shape(),
            "results": [r.to_dict() for r in self.results],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as a JSON string (see :meth:`to_dict` for the object)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_graph(self) -> rdflib.Graph:
        """A sh:ValidationReport graph (one sh:ValidationResult per result; graph via kgsh:focusGraph)."""
        g = rdflib.Graph()
        g.bind("sh", SH)
        for p, ns in _PREFIXES.items():
            g.bind(p, ns)
        kgsh = rdflib.Namespace(_PREFIXES["kgsh"])
        rep = BNode()
        g.add((rep, RDF.type, SH.ValidationReport))
        g.add((rep, SH.conforms, RLiteral(self.conforms)))
        for r in self.results:
            n = BNode()
            g.add((rep, SH.result, n))
            g.add((n, RDF.type, SH.ValidationResult))
            g.add((n, SH.focusNode, _term_from_id(r.focus_node)))
            if r.path:
                g.add((n, SH.resultPath, URIRef(r.path)))
            g.add((n, SH.resultSeverity, SH[r.severity]))
            g.add((n, SH.resultMessage, RLiteral(r.message)))
            g.add((n, SH.sourceShape, _term_from_id(r.source_shape)))
            if r.component:
                g.add((n, SH.sourceConstraintComponent, URIRef(r.component)))
            if r.value is not None:
                g.add((n, SH.value, _term_from_nt(r.value_term) if r.value_term else RLiteral(r.value)))
            if r.graph:
                g.add((n, kgsh.focusGraph, URIRef(r.graph)))
        return g

    def to_turtle(self) -> str:
        return self.to_graph().serialize(format="turtle")

    def merged(self, other: Report) -> Report:
        return Report(tuple(sorted(set(self.results) | set(other.results), key=_sort_key)))


def _term_from_id(s: str) -> rdflib.term.Node:
    return BNode(s[2:]) if s.startswith("_:") else URIRef(s)


def _term_from_nt(nt: str) -> rdflib.term.Node:
    if nt.startswith("<"):
        return URIRef(nt[1:-1])
    if nt.startswith("_:"):
        return BNode(nt[2:])
    g = rdflib.Graph()
    g.parse(data=f"<urn:x:s> <urn:x:p> {nt} .", format="nt")
    return next(iter(g.objects()))


# --------------------------------------------------------------------------- shapes loading


@lru_cache(maxsize=8)
def _load_shapes(path: str) -> rdflib.Graph:
    g = rdflib.Graph()
    try:
        g.parse(path, format="turtle")
    except Exception as e:  # noqa: BLE001 - any parser error becomes the stage's error
        raise ShapesFileError(f"cannot read shapes file {path}: {e}") from e
    return g


def load_shapes(shapes_path: str | Path | None = None) -> rdflib.Graph:
    """The parsed shapes graph (cached per path; do not mutate it)."""
    return _load_shapes(str(shapes_path or SHAPES_PATH))


# --------------------------------------------------------------------------- reference path: pyshacl


def _node_id(t: rdflib.term.Node) -> str:
    return f"_:{t}" if isinstance(t, BNode) else str(t)


def _node_value(t: rdflib.term.Node) -> str:
    if isinstance(t, BNode):
        return f"_:{t}"
    return str(t)


def _iter_quads(data: rdflib.Graph) -> Iterable[tuple[Any, Any, Any, str | None]]:
    """(s, p, o, graph IRI or None) for a Graph, ConjunctiveGraph or Dataset."""
    if isinstance(data, rdflib.ConjunctiveGraph):  # Dataset is a ConjunctiveGraph subclass
        for s, p, o, c in data.quads((None, None, None, None)):
            gid = getattr(c, "identifier", c)
            name = str(gid) if isinstance(gid, URIRef) and gid != rdflib.graph.DATASET_DEFAULT_GRAPH_ID else None
            yield s, p, o, name
    else:
        gid = data.identifier
        name = str(gid) if isinstance(gid, URIRef) else None
        for s, p, o in data:
            yield s, p, o, name


def validate(data: rdflib.Graph | rdflib.Dataset, reference: rdflib.Graph | None = None,
             shapes_path: str | Path | None = None) -> Report:
    """Validate ``data`` (a graph or a dataset) with pyshacl; ``reference`` is read for lookups only.

    All graphs (the data's named graphs and the reference) are merged into one graph for pyshacl,
    so that rules can follow links into the reference data. When ``reference`` is given, only focus
    nodes typed in ``data`` are reported.
    """
    import pyshacl

    merged = rdflib.Graph()
    typed_in: dict[rdflib.term.Node, set[str | None]] = defaultdict(set)
    for s, p, o, g in _iter_quads(data):
        merged.add((s, p, o))
        if p == RDF.type:
            typed_in[s].add(g)
    if reference is not None:
        for s, p, o, _g in _iter_quads(reference):
            merged.add((s, p, o))

    shapes = load_shapes(shapes_path)
    try:
        _conforms, rg, _text = pyshacl.validate(
            merged, shacl_graph=shapes, inference="none", advanced=True, meta_shacl=False,
            abort_on_first=False, allow_warnings=False, allow_infos=False,
        )
    except Exception as e:  # noqa: BLE001
        raise ShapesValidationError(f"pyshacl failed: {e}") from e

    results: set[ValidationResult] = set()
    for rep in rg.subjects(RDF.type, SH.ValidationReport):
        for r in rg.objects(rep, SH.result):
            focus = rg.value(r, SH.focusNode)
            if reference is not None and focus not in typed_in:
                continue
            path = rg.value(r, SH.resultPath)
            if path is not None and not isinstance(path, URIRef):
                path = None  # complex paths are not used by our shapes
            sev = rg.value(r, SH.resultSeverity)
            msgs = sorted(rg.objects(r, SH.resultMessage), key=lambda m: (getattr(m, "language", None) != "en", str(m)))
            val = rg.value(r, SH.value)
            graphs = sorted(g for g in typed_in.get(focus, ()) if g)
            results.add(ValidationResult(
                focus_node=_node_id(focus),
                path=str(path) if path is not None else None,
                message=str(msgs[0]) if msgs else "",
                severity=str(sev).rsplit("#", 1)[-1],  # type: ignore[arg-type]
                source_shape=_node_id(rg.value(r, SH.sourceShape)),
                value=_node_value(val) if val is not None else None,
                graph=graphs[0] if graphs else None,
                component=str(rg.value(r, SH.sourceConstraintComponent) or "") or None,
                value_term=val.n3() if val is not None else None,
            ))
    return Report(tuple(sorted(results, key=_sort_key)))


# --------------------------------------------------------------------------- fast path: compiler

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

_FOCUS = "@@FOCUS@@"


def _cls_marker(iri: str) -> str:
    return f"@@CLASSES {iri}@@"


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
class _Emit:
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
class _Query:
    targets: tuple[str, ...]
    text: str
    emits: tuple[_Emit, ...]
    precheck: tuple[str, ...] = ()  # maxCount 1: predicates to pre-check over the whole store
    value_scan: tuple[str, tuple[str, ...]] | None = None  # (predicate, conditions): whole-store plan
    focused: str | None = None  # a variant for a few graphs (focus first), when different


@dataclass
class _ShapeInfo:
    node: rdflib.term.Node
    severity: str
    messages: tuple[str, ...]


class FastValidator:
    """The shapes compiled into SPARQL, evaluated by pyoxigraph over a whole store.

    Per node shape: one scan over its focus nodes' triples for all value-type constraints
    (datatype, class, nodeKind, pattern, in) of all its property shapes; one query for all its
    sh:minCount 1; one for all its sh:maxCount 1 (run only for predicates where a cheap count over
    the whole store shows some subject with two values); one per other count, sh:hasValue,
    sh:or/sh:xone/sh:not and SPARQL constraint. Queries run in a few threads (pyoxigraph releases
    the GIL while evaluating). Lookups read the union of all graphs; focus nodes are found with
    ``GRAPH ?g { ?this a C }``.
    """

    def __init__(self, shapes_path: str | Path | None = None, workers: int | None = None) -> None:
        self.shapes_path = Path(shapes_path or SHAPES_PATH)
        self.workers = workers or min(8, os.cpu_count() or 2)
        self._sg = load_shapes(self.shapes_path)
        self.queries: tuple[_Query, ...] = tuple(self._compile())

    # ------------------------------------------------------------------ compilation

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
                raise UnsupportedShapeError(str(node), _short(str(p)))

    def _deactivated(self, node: rdflib.term.Node) -> bool:
        d = self._sg.value(node, SH.deactivated)
        return d is not None and bool(d.toPython())

    def _compile(self) -> Iterable[_Query]:
        sg = self._sg
        for p in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
            for s in sg.subjects(p, None):
                raise UnsupportedShapeError(str(s), _short(str(p)))
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
                yield _Query(targets, f"SELECT DISTINCT ?this ?g WHERE {{ {_FOCUS} FILTER (!sameTerm(?this, {_sparql_term(v)})) }}",
                             (_Emit(None, HAS_VALUE, sid, None, info.severity, info.messages, "this",
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
            out.append((DATATYPE, cond, f"Value is not a well-formed literal of datatype {_short(d)}"))
        for c in sg.objects(node, SH["class"]):
            out.append((CLASS, f"NOT EXISTS {{ {v} a ?__t . @@VALUES ?__t {c}@@ }}",
                        f"Value is not an instance of {_short(str(c))}"))
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
                          node: rdflib.term.Node) -> _Query | None:
        conds = self._value_conditions(sid, node, "this")
        if not conds:
            return None
        binds, flags, emits = [], [], []
        for i, (comp, cond, generic) in enumerate(conds):
            binds.append(f"BIND (COALESCE({cond}, true) AS ?c{i})")
            flags.append(f"?c{i}")
            emits.append(_Emit(f"c{i}", comp, sid, None, info.severity, info.messages, "this", generic))
        text = (f"SELECT ?this ?g {' '.join(flags)} WHERE {{ {_FOCUS} "
                + " ".join(binds) + f" FILTER ({' || '.join(flags)}) }}")
        return _Query(targets, text, tuple(emits))

    def _properties(self, targets: tuple[str, ...], props: list[rdflib.term.Node]) -> Iterable[_Query]:
        """The queries for all property shapes of one node shape."""
        sg = self._sg
        min1: list[_Emit] = []
        max1: list[_Emit] = []
        for ps in props:
            self._check_params(ps, _PROP_ALLOWED)
            sid = self._sid(ps)
            path = self._path(ps)
            info = self._info(ps)
            p = f"<{path}>"
            mn = sg.value(ps, SH.minCount)
            mx = sg.value(ps, SH.maxCount)
            if mn is not None and int(mn) > 0:
                n = int(mn)
                e = _Emit(None, MIN_COUNT, sid, path, info.severity, info.messages, None,
                          f"Less than {n} values on {_short(path)}", match_p=path if n == 1 else None)
                if n == 1:
                    min1.append(e)
                else:
                    yield _Query(targets, f"SELECT ?this ?g WHERE {{ {_FOCUS} OPTIONAL {{ ?this {p} ?__x }} }} "
                                          f"GROUP BY ?this ?g HAVING (COUNT(DISTINCT ?__x) < {n})", (e,))
            if mx is not None:
                n = int(mx)
                e = _Emit(None, MAX_COUNT, sid, path, info.severity, info.messages, None,
                          f"More than {n} values on {_short(path)}", match_p=path if n == 1 else None)
                if n == 1:
                    max1.append(e)
                elif n == 0:
                    yield _Query(targets, f"SELECT DISTINCT ?this ?g WHERE {{ {_FOCUS} FILTER EXISTS {{ ?this {p} ?__x }} }}", (e,))
                else:
                    yield _Query(targets, f"SELECT ?this ?g WHERE {{ {_FOCUS} ?this {p} ?__x }} "
                                          f"GROUP BY ?this ?g HAVING (COUNT(DISTINCT ?__x) > {n})", (e,))
            for v in sg.objects(ps, SH.hasValue):
                yield _Query(targets, f"SELECT DISTINCT ?this ?g WHERE {{ {_FOCUS} FILTER NOT EXISTS {{ ?this {p} {_sparql_term(v)} }} }}",
                             (_Emit(None, HAS_VALUE, sid, path, info.severity, info.messages, None,
                                    f"Missing value {v} on {_short(path)}"),))
            conds = self._value_conditions(sid, ps, "v")
            if conds:
                binds = " ".join(f"BIND (COALESCE({c}, true) AS ?f{i})" for i, (_k, c, _g) in enumerate(conds))
                flags = " ".join(f"?f{i}" for i in range(len(conds)))
                emits = tuple(_Emit(f"f{i}", comp, sid, path, info.severity, info.messages, "v",
                                    f"{generic} on {_short(path)}") for i, (comp, _c, generic) in enumerate(conds))
                # used as is for a few graphs; for the whole store, the conditions are regrouped per
                # predicate (see _value_scans)
                yield _Query(targets, f"SELECT ?this ?g ?v {flags} WHERE {{ {_FOCUS} ?this {p} ?v . {binds} "
                                      f"FILTER ({' || '.join(f'?f{i}' for i in range(len(conds)))}) }}",
                             emits, value_scan=(path, tuple(c for _k, c, _g in conds)))
        if min1:
            preds = " ".join(sorted({f"<{e.path}>" for e in min1}))
            yield _Query(targets, f"SELECT ?this ?g ?p WHERE {{ {_FOCUS} VALUES ?p {{ {preds} }} "
                                  f"FILTER NOT EXISTS {{ ?this ?p ?__x }} }}", tuple(min1))
        if max1:
            yield _Query(targets, f"SELECT DISTINCT ?this ?g ?p WHERE {{ {_FOCUS} ?this ?p ?__a . "
                                  f"FILTER (?p IN (@@PREDS@@)) "
                                  f"FILTER EXISTS {{ ?this ?p ?__b . FILTER (!sameTerm(?__a, ?__b)) }} }}",
                         tuple(max1), precheck=tuple(sorted({e.path for e in max1})))  # type: ignore[misc]

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

    def _logical(self, sid: str, info: _ShapeInfo, targets: tuple[str, ...], ns: rdflib.term.Node) -> Iterable[_Query]:
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
                text = f"SELECT DISTINCT ?this ?g WHERE {{ {_FOCUS} FILTER ({bad}) }}"
                yield _Query(targets, text, (_Emit(None, comp, sid, None, info.severity, info.messages, "this", generic),))
        for m in sg.objects(ns, SH["not"]):
            e = self._conforms_expr(sid, m, k)
            k += 1
            text = f"SELECT DISTINCT ?this ?g WHERE {{ {_FOCUS} FILTER ({e}) }}"
            yield _Query(targets, text, (_Emit(None, NOT, sid, None, info.severity, info.messages, "this",
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

    def _sparql(self, sid: str, info: _ShapeInfo, targets: tuple[str, ...], c: rdflib.term.Node) -> _Query:
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
        full = f"{self._prefixes(c)}\nSELECT * WHERE {{ {_FOCUS} {{ {text} }} }}"
        focused = None
        body = re.match(r"\s*SELECT\s+(.*?)\s*WHERE\s*\{(.*)\}\s*$", text, re.S | re.I)
        if body and not head.group(1) and "*" not in body.group(1):
            # no solution modifiers after the pattern: the body can follow the focus pattern directly
            focused = f"{self._prefixes(c)}\nSELECT ?g {body.group(1)} WHERE {{ {_FOCUS} {body.group(2)} }}"
        return _Query(targets, full, focused=focused, emits=(_Emit(None, SPARQL, sid, None, info.severity, messages, "value",
                                            "SPARQL constraint violated", path_var=True, substitute=True),))

    # ------------------------------------------------------------------ evaluation

    def _subclasses(self, store: Any, iri: str, cache: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
        if iri not in cache:
            rows = store.query(
                f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>+ <{iri}> }}", use_default_graph_as_union=True
            )
            cache[iri] = tuple(sorted({iri} | {r["c"].value for r in rows if hasattr(r["c"], "value")
                                               and type(r["c"]).__name__ == "NamedNode"}))
        return cache[iri]

    def _render(self, store: Any, text: str, targets: tuple[str, ...], graph_values: str,
                cache: dict[str, tuple[str, ...]]) -> str:
        if _FOCUS in text:
            classes = sorted({c for t in targets for c in self._subclasses(store, t, cache)})
            if len(classes) == 1:
                focus = f"{graph_values} GRAPH ?g {{ ?this a <{classes[0]}> }}"
            else:
                focus = (f"VALUES ?__cls {{ {' '.join(f'<{c}>' for c in classes)} }} {graph_values} "
                         f"GRAPH ?g {{ ?this a ?__cls }}")
            text = text.replace(_FOCUS, focus)

        def values(m: re.Match) -> str:
            var, iri = m.group(1), m.group(2)
            return f"VALUES {var} {{ {' '.join(f'<{c}>' for c in self._subclasses(store, iri, cache))} }}"

        return re.sub(r"@@VALUES (\?\w+) (\S+?)@@", values, text)

    def _dirty_predicates(self, store: Any, preds: Iterable[str], pool: ThreadPoolExecutor) -> set[str]:
        """Predicates for which some subject has more than one triple (over the union of all graphs)."""

        def check(p: str) -> tuple[str, bool]:
            sol = next(iter(store.query(
                f"SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?m) WHERE {{ ?s <{p}> ?o }}",
                use_default_graph_as_union=True)))
            return p, sol["n"].value != sol["m"].value

        return {p for p, dirty in pool.map(check, sorted(set(preds))) if dirty}

    def validate_store(self, store: Any, graphs: Iterable[str] | None = None) -> Report:
        """Validate the focus nodes typed in ``graphs`` (all named graphs when None) of a pyoxigraph Store.

        For the whole store (or more than a couple of thousand graphs), value-type constraints are
        evaluated per predicate over the whole store first and only the violating values are then
        matched to their focus nodes; for a few graphs, every query starts from their focus nodes.
        """
        import pyoxigraph as ox

        gset = None if graphs is None else {str(g) for g in graphs}
        if gset is not None and not gset:
            return Report()
        graph_values = ""
        if gset is not None and len(gset) <= _GRAPH_KEY_LIMIT:
            graph_values = "VALUES ?g { " + " ".join(f"<{g}>" for g in sorted(gset)) + " }"
        restricted = bool(graph_values)
        cache: dict[str, tuple[str, ...]] = {}
        found: dict[tuple, ValidationResult] = {}

        def query(text: str) -> list[dict[str, Any]]:
            try:
                solutions = store.query(text, use_default_graph_as_union=True)
            except (SyntaxError, ValueError, OSError) as e:
                raise ShapesValidationError(f"compiled query failed: {e}\n{text}") from e
            variables = [v.value for v in solutions.variables]
            return [{n: sol[n] for n in variables if sol[n] is not None} for sol in solutions]

        def add(q: _Query, row: dict[str, Any]) -> None:
            g = row.get("g")
            gname = g.value if isinstance(g, ox.NamedNode) else None
            if gset is not None and gname not in gset:
                return
            this = row["this"]
            p = row.get("p")
            for e in q.emits:
                if e.match_p is not None and (p is None or p.value != e.match_p):
                    continue
                if e.flag is not None:
                    f = row.get(e.flag)
                    if not (isinstance(f, ox.Literal) and f.value == "true"):
                        continue
                res = self._result(e, row, this, gname)
                k = res.key() + (res.value, res.message)
                old = found.get(k)
                if old is None or (res.graph or "~") < (old.graph or "~"):
                    found[k] = res

        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            dirty: set[str] | None = None
            if not restricted:  # pre-check maxCount 1 predicates over the whole store
                dirty = self._dirty_predicates(store, (p for q in self.queries for p in q.precheck), pool)
            tasks: list[tuple[_Query, str]] = []
            scans: dict[str, list[tuple[_Query, tuple[str, ...]]]] = defaultdict(list)
            for q in self.queries:
                if q.value_scan is not None and not restricted:
                    scans[q.value_scan[0]].append((q, q.value_scan[1]))
                    continue
                text = q.focused if (restricted and q.focused) else q.text
                text = self._render(store, text, q.targets, graph_values, cache)
                if q.precheck:
                    preds = [p for p in q.precheck if dirty is None or p in dirty]
                    if not preds:
                        continue
                    text = text.replace("@@PREDS@@", ", ".join(f"<{p}>" for p in preds))
                tasks.append((q, text))
            # whole store: one scan per predicate for the value-type constraints of all shapes
            scan_texts: list[tuple[str, list[str], str]] = []
            for pred, entries in sorted(scans.items()):
                conds = sorted({c for _q, cs in entries for c in cs})
                binds = " ".join(f"BIND (COALESCE({c}, true) AS ?s{i})" for i, c in enumerate(conds))
                text = (f"SELECT ?this ?v {' '.join(f'?s{i}' for i in range(len(conds)))} WHERE {{ "
                        f"?this <{pred}> ?v . {binds} FILTER ({' || '.join(f'?s{i}' for i in range(len(conds)))}) }}")
                scan_texts.append((pred, conds, self._render(store, text, (), "", cache)))

            def run_task(item: tuple[_Query, str]) -> tuple[_Query, list[dict[str, Any]]]:
                return item[0], query(item[1])

            def run_scan(item: tuple[str, list[str], str]) -> tuple[str, list[str], list[dict[str, Any]]]:
                return item[0], item[1], query(item[2])

            scan_futures = [pool.submit(run_scan, it) for it in scan_texts]
            for q, rows in pool.map(run_task, tasks):
                for row in rows:
                    add(q, row)
            # candidates of the scans: match them to the focus nodes of each shape using them
            second: list[tuple[_Query, list[dict[str, Any]]]] = []
            for fut in scan_futures:
                pred, conds, rows = fut.result()
                if not rows:
                    continue
                for q, cs in scans[pred]:
                    flagged = []
                    for row in rows:
                        r = {"this": row["this"], "v": row["v"]}
                        hit = False
                        for i, c in enumerate(cs):
                            f = row.get(f"s{conds.index(c)}")
                            r[f"f{i}"] = f
                            hit = hit or (isinstance(f, ox.Literal) and f.value == "true")
                        if hit:
                            flagged.append(r)
                    if flagged:
                        second.append((q, flagged))

            def run_focus(item: tuple[_Query, list[dict[str, Any]]]) -> tuple[_Query, list[dict[str, Any]], set | None]:
                q, flagged = item
                subjects = {r["this"] for r in flagged}
                if any(not isinstance(t, ox.NamedNode) for t in subjects):
                    return q, query(self._render(store, q.text, q.targets, "", cache)), None
                text = (f"SELECT ?this ?g WHERE {{ VALUES ?this {{ {' '.join(str(t) for t in subjects)} }} "
                        f"{_FOCUS} }}")
                rows = query(self._render(store, text, q.targets, "", cache))
                return q, flagged, {(r["this"], r["g"]) for r in rows}

            for q, rows, focus in pool.map(run_focus, second):
                if focus is None:
                    for row in rows:
                        add(q, row)
                    continue
                for this, g in focus:
                    for r in rows:
                        if r["this"] == this:
                            add(q, {**r, "g": g})
        return Report(tuple(sorted(found.values(), key=_sort_key)))

    @staticmethod
    def _result(e: _Emit, row: dict[str, Any], this: Any, gname: str | None) -> ValidationResult:
        import pyoxigraph as ox

        def ident(t: Any) -> str:
            return f"_:{t.value}" if isinstance(t, ox.BlankNode) else t.value

        vnode = None
        if e.value_var == "this":
            vnode = this
        elif e.value_var is not None:
            vnode = row.get(e.value_var)
            if vnode is None and e.component == SPARQL:
                vnode = this
        path = e.path
        if e.path_var and isinstance(row.get("path"), ox.NamedNode):
            path = row["path"].value
        msg = e.messages[0] if e.messages else e.generic
        if e.substitute:
            for name, t in row.items():
                msg = re.sub(r"\{[?$]" + re.escape(name) + r"\}", lambda _m, t=t: ident(t), msg)
        return ValidationResult(
            focus_node=ident(this),
            path=path,
            message=msg,
            severity=e.severity,  # type: ignore[arg-type]
            source_shape=e.shape,
            value=ident(vnode) if vnode is not None else None,
            graph=gname,
            component=e.component,
            value_term=str(vnode) if vnode is not None else None,
        )

    def validate_quads(self, quads: Iterable[Any], reference_store: Any | None = None) -> Report:
        """Validate pyoxigraph Quads (their named graphs' focus nodes), with an optional reference store.

        Copies the quads (and the reference store, if given) into a fresh in-memory store; for big
        reference data prefer loading once and calling :meth:`validate_store` with ``graphs``.
        """
        import pyoxigraph as ox

        store = ox.Store()
        quads = list(quads)
        store.extend(quads)
        if reference_store is not None:
            store.extend(reference_store.quads_for_pattern(None, None, None, None))
        names = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
        return self.validate_store(store, names)
