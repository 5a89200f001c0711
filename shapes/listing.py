"""The SHACL shapes file read as a list of shapes: what the shapes page (``/def/shapes``) shows.

:func:`read` gives every node shape with its targets, its node-level constraints (``sh:or`` of member
shapes, …), its property shapes (path, cardinality, every other constraint, the message) and its
SPARQL constraints (severity, message, the SELECT), in the order of the file's shape names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from ontology.namespaces import PREFIXES

SHAPES_FILE = Path(__file__).resolve().parent / "kamergraph.shapes.ttl"
SHAPES_NS = "https://w3id.org/kamergraph/shapes#"

#: sh: predicates that are not constraints (shown apart, or not at all).
_NOT_CONSTRAINTS = {SH.path, SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group, SH.property,
                    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.sparql,
                    SH.minCount, SH.maxCount, SH.deactivated, SH.prefixes, SH.declare}


class ShapesFileError(ValueError):
    """The shapes file cannot be read; the message names the file and the problem."""


@dataclass
class Constraint:
    name: str  # sh:datatype, …
    value: str  # as text: prefixed names, lists in ( … )
    iris: list[str] = field(default_factory=list)  # the IRIs in the value (to link them)


@dataclass
class PropertyShape:
    id: str  # the local name (the page's anchor), or "" for a blank node
    iri: str | None
    path: str
    path_iri: str | None
    min_count: int | None
    max_count: int | None
    constraints: list[Constraint]
    messages: dict[str, str]
    severity: str | None

    @property
    def cardinality(self) -> str:
        lo = self.min_count or 0
        hi = "*" if self.max_count is None else str(self.max_count)
        return f"{lo}..{hi}"


@dataclass
class SparqlConstraint:
    messages: dict[str, str]
    select: str
    severity: str | None


@dataclass
class NodeShape:
    id: str
    iri: str
    targets: list[tuple[str, str]]  # (sh:targetClass …, IRI)
    constraints: list[Constraint]
    properties: list[PropertyShape]
    sparql: list[SparqlConstraint]
    messages: dict[str, str]
    severity: str | None


@dataclass
class Shapes:
    path: Path
    iri: str | None
    label: str | None
    node_shapes: list[NodeShape]
    member_shapes: list[PropertyShape]  # property shapes that are no node shape's sh:property (used in sh:or …)
    prefixes: dict[str, str]
    graph: Graph

    def curie(self, iri: str) -> str:
        return _curie(iri, self.prefixes)


def _curie(iri: str, prefixes: dict[str, str]) -> str:
    best: tuple[int, str] | None = None
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and len(iri) > len(ns) and (best is None or len(ns) > best[0]):
            rest = iri[len(ns):]
            if "/" not in rest and "#" not in rest:
                best = (len(ns), f"{prefix}:{rest}")
    return best[1] if best else f"<{iri}>"


def _local(node: object) -> str:
    if isinstance(node, URIRef):
        s = str(node)
        return s.rsplit("#", 1)[-1] if "#" in s else s.rsplit("/", 1)[-1]
    return ""


def _per_lang(g: Graph, s: object, p: URIRef) -> dict[str, str]:
    out: dict[str, str] = {}
    for o in sorted(g.objects(s, p), key=str):
        if isinstance(o, Literal):
            out.setdefault(o.language or "", str(o))
    return out


def _text(g: Graph, node: object, prefixes: dict[str, str], iris: list[str]) -> str:
    if isinstance(node, URIRef):
        iris.append(str(node))
        return _curie(str(node), prefixes)
    if isinstance(node, Literal):
        return str(node)
    if isinstance(node, BNode):
        if g.value(node, RDF.first) is not None or node == RDF.nil:
            return "( " + " ".join(_text(g, m, prefixes, iris) for m in Collection(g, node)) + " )"
        inverse = g.value(node, SH.inversePath)
        if inverse is not None:
            return "^" + _text(g, inverse, prefixes, iris)
        return "[ " + " ; ".join(f"{_curie(str(p), prefixes)} {_text(g, o, prefixes, iris)}"
                                 for p, o in sorted(g.predicate_objects(node), key=str)) + " ]"
    return str(node)


def _int(g: Graph, s: object, p: URIRef) -> int | None:
    v = g.value(s, p)
    try:
        return int(v) if v is not None else None
    except ValueError:
        return None


def _constraints(g: Graph, s: object, prefixes: dict[str, str]) -> list[Constraint]:
    out = []
    for p, o in sorted(g.predicate_objects(s), key=lambda po: (str(po[0]), str(po[1]))):
        if not str(p).startswith(str(SH)) or p in _NOT_CONSTRAINTS:
            continue
        iris: list[str] = []
        out.append(Constraint(_curie(str(p), prefixes), _text(g, o, prefixes, iris), iris))
    return out


def _severity(g: Graph, s: object, prefixes: dict[str, str]) -> str | None:
    v = g.value(s, SH.severity)
    return _curie(str(v), prefixes) if v is not None else None


def _property_shape(g: Graph, s: object, prefixes: dict[str, str]) -> PropertyShape:
    path = g.value(s, SH.path)
    iris: list[str] = []
    return PropertyShape(
        id=_local(s), iri=str(s) if isinstance(s, URIRef) else None,
        path=_text(g, path, prefixes, iris) if path is not None else "",
        path_iri=str(path) if isinstance(path, URIRef) else None,
        min_count=_int(g, s, SH.minCount), max_count=_int(g, s, SH.maxCount),
        constraints=_constraints(g, s, prefixes), messages=_per_lang(g, s, SH.message),
        severity=_severity(g, s, prefixes),
    )


def read(path: Path = SHAPES_FILE) -> Shapes:
    g = Graph(bind_namespaces="none")
    try:
        g.parse(str(path), format="turtle")
    except OSError as exc:
        raise ShapesFileError(f"{path}: cannot read the shapes file: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises several kinds, each naming the line
        raise ShapesFileError(f"{path}: not valid Turtle: {exc}") from None
    own = {p: str(ns) for p, ns in g.namespaces() if p}
    prefixes = {**own, **{p: ns for p, ns in PREFIXES.items() if p not in own and ns not in own.values()}}
    from rdflib.namespace import OWL

    header = next((s for s in g.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef)), None)
    label = g.value(header, RDFS.label) if header is not None else None
    used_as_property: set[object] = set(g.objects(None, SH.property))
    node_shapes = []
    target_predicates = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    node_subjects = set(g.subjects(RDF.type, SH.NodeShape))
    node_subjects |= {s for p in target_predicates for s in g.subjects(p, None)}
    for s in sorted((s for s in node_subjects if isinstance(s, URIRef)), key=lambda x: _order_key(g, x)):
        targets = [(_curie(str(p), prefixes), str(o)) for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
                                                                 SH.targetObjectsOf)
                   for o in sorted(g.objects(s, p), key=str)]
        props = [_property_shape(g, ps, prefixes) for ps in sorted(g.objects(s, SH.property), key=_sort_name)]
        sparql = []
        for c in sorted(g.objects(s, SH.sparql), key=str):
            sparql.append(SparqlConstraint(_per_lang(g, c, SH.message), _dedent(str(g.value(c, SH.select) or "")),
                                           _severity(g, c, prefixes) or _severity(g, s, prefixes)))
        node_shapes.append(NodeShape(_local(s), str(s), targets, _constraints(g, s, prefixes), props, sparql,
                                     _per_lang(g, s, SH.message), _severity(g, s, prefixes)))
    members = [_property_shape(g, s, prefixes)
               for s in sorted(g.subjects(RDF.type, SH.PropertyShape), key=_sort_name)
               if s not in used_as_property and isinstance(s, URIRef)]
    return Shapes(path, str(header) if header is not None else None, str(label) if label is not None else None,
                  node_shapes, members, prefixes, g)


def _sort_name(node: object) -> str:
    return str(node)


def _order_key(g: Graph, s: URIRef) -> tuple[int, str]:
    """Shapes with a sh:property list first (the class shapes), SPARQL rules after, by name."""
    return (0 if (s, SH.property, None) in g else 1, str(s).lower())


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).strip("\n")


@lru_cache(maxsize=2)
def _cached(path: str, mtime_ns: int) -> Shapes:
    return read(Path(path))


def load(path: Path | str = SHAPES_FILE) -> Shapes:
    p = Path(path)
    try:
        mtime = p.stat().st_mtime_ns
    except OSError as exc:
        raise ShapesFileError(f"{p}: cannot read the shapes file: {exc}") from None
    return _cached(str(p), mtime)
