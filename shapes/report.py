"""The validation report: every result (focus node, shape, path, severity, constraint component, value,
graph) in a fixed order, as text, JSON or a SHACL validation report graph."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

import rdflib
from rdflib import RDF, BNode, URIRef
from rdflib import Literal as RLiteral
from rdflib.namespace import RDFS, SH, XSD

Severity = Literal["Violation", "Warning", "Info"]


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


def sort_key(r: ValidationResult) -> tuple:
    """The order of a report's results: by graph, focus node, shape, path, component, value and message."""
    return (r.graph or "", r.focus_node, r.source_shape, r.path or "", r.component or "", r.value or "", r.message)


def short(iri: str | None) -> str:
    """An IRI as it is shown in messages: prefixed where a known prefix fits, else in angle brackets."""
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
            comp = short(r.component).replace("sh:", "").replace("ConstraintComponent", "") if r.component else ""
            lines.append(
                f"{r.severity}: {short(r.focus_node)} {short(r.path) if r.path else ''}".rstrip()
                + (f" = {r.value}" if r.value is not None and r.value != r.focus_node else "")
                + f"\n    {r.message}\n    shape {short(r.source_shape)}"
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
        return Report(tuple(sorted(set(self.results) | set(other.results), key=sort_key)))


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
