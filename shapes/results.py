"""The findings graph: what validation said about the store, kept in the store itself.

The build writes every result of its SHACL validation (:class:`shapes.report.ValidationResult`) and
every finding of the reference data's consistency rules (:mod:`ingest.reference_checks`) into one
named graph, ``{base}graph/validatie/bevindingen``; a sync puts the results of validating the graphs it
writes (validated once, before writing) there in place of those of the graphs it wrote or removed, and
``kamergraph ingest`` re-validates the graphs it wrote and does the same. The record pages, ``/validatie``,
the SPARQL endpoint and the dumps all read that one graph, so they show the same, current findings.

What the graph holds:

* one ``sh:ValidationReport`` (``{base}id/validatie/rapport``) with ``sh:conforms`` and an
  ``sh:result`` for every result;
* per result an ``sh:ValidationResult`` (``{base}id/validatie/bevinding-{hash}``) with the focus
  node, the path, the severity, the message, the source shape, the constraint component, the value
  and the named graph of the focus node (``kgsh:focusGraph``). A Violation here is the finding that
  kept that version of a record out of the store (the build keeps the previous version, if any);
* per consistency finding a ``kgsh:ConsistencyFinding`` (``{base}id/validatie/controle-{hash}``),
  an ``sh:AbstractResult`` with the rule (``kgsh:consistencyRule``), every source row
  (``kgsh:sourceRow``, ``file:line``), the message and ``sh:Warning`` (they are reported, not
  blocking).

The IRIs of results are hashes of what they say, so the same findings give the same graph.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, parse, serialize

from ontology.namespaces import Iris
from shapes.report import Report, ValidationResult

SH = "http://www.w3.org/ns/shacl#"
KGSH = "https://w3id.org/kamergraph/shapes#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_BOOLEAN = NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
FOCUS_GRAPH = KGSH + "focusGraph"
CONSISTENCY_FINDING = KGSH + "ConsistencyFinding"
CONSISTENCY_RULE = KGSH + "consistencyRule"
SOURCE_ROW = KGSH + "sourceRow"

#: A consistency rule's report line: ``rows: [rule] what is wrong`` (rows ``file:line`` joined by " / ").
_FINDING_LINE = re.compile(r"^(?P<rows>.+?): \[(?P<rule>[a-z0-9-]+)\] (?P<text>.+)$", re.S)


def findings_graph(iris: Iris) -> str:
    """The IRI of the named graph holding the findings."""
    return iris.graph("validatie", "bevindingen")


def report_node(iris: Iris) -> str:
    """The IRI of the validation report in the findings graph."""
    return iris.id("validatie", "rapport")


@dataclass(frozen=True)
class ConsistencyFinding:
    """One finding of a consistency rule of the reference data: the rule, its source rows, the problem."""

    rule: str
    rows: tuple[str, ...]
    message: str


def consistency_findings(notes: Iterable[str]) -> list[ConsistencyFinding]:
    """The findings of the consistency rules among the reference data's report lines ``notes`` (the build
    report's ``reference_notes``): every line ``rows: [rule] text``; the other notes are left out."""
    out = []
    for line in notes:
        m = _FINDING_LINE.match(line)
        if m is None:
            continue
        rows = tuple(r.strip() for r in m.group("rows").split(" / ") if r.strip() and r.strip() != "(no source row)")
        out.append(ConsistencyFinding(m.group("rule"), rows, m.group("text")))
    return out


def _hash(*parts: object) -> str:
    return hashlib.sha1("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def _node(s: str) -> NamedNode | BlankNode:
    return BlankNode(s[2:]) if s.startswith("_:") else NamedNode(s)


def _value_term(r: ValidationResult) -> Any:
    """The result's value as a term: from its N-Triples form when known, else a plain literal."""
    nt = r.value_term
    if nt:
        if nt.startswith("<"):
            return NamedNode(nt[1:-1])
        if not nt.startswith("_:"):
            quad = next(iter(parse(f"<urn:x:s> <urn:x:p> {nt} .".encode(), format=RdfFormat.N_TRIPLES)))
            return quad.object
    return Literal(r.value or "")


def result_quads(r: ValidationResult, iris: Iris) -> list[Quad]:
    """The statements of one SHACL result in the findings graph."""
    g = NamedNode(findings_graph(iris))
    n = NamedNode(iris.id("validatie", "bevinding-" + _hash(*r.key(), r.value, r.message)))
    out = [Quad(n, RDF_TYPE, NamedNode(SH + "ValidationResult"), g),
           Quad(n, NamedNode(SH + "focusNode"), _node(r.focus_node), g),
           Quad(n, NamedNode(SH + "resultSeverity"), NamedNode(SH + r.severity), g),
           Quad(n, NamedNode(SH + "resultMessage"), Literal(r.message, language="en"), g),
           Quad(n, NamedNode(SH + "sourceShape"), _node(r.source_shape), g)]
    if r.path:
        out.append(Quad(n, NamedNode(SH + "resultPath"), NamedNode(r.path), g))
    if r.component:
        out.append(Quad(n, NamedNode(SH + "sourceConstraintComponent"), NamedNode(r.component), g))
    if r.value is not None:
        out.append(Quad(n, NamedNode(SH + "value"), _value_term(r), g))
    if r.graph:
        out.append(Quad(n, NamedNode(FOCUS_GRAPH), NamedNode(r.graph), g))
    return out


def finding_quads(f: ConsistencyFinding, iris: Iris) -> list[Quad]:
    """The statements of one consistency finding in the findings graph."""
    g = NamedNode(findings_graph(iris))
    n = NamedNode(iris.id("validatie", "controle-" + _hash(f.rule, *f.rows, f.message)))
    out = [Quad(n, RDF_TYPE, NamedNode(CONSISTENCY_FINDING), g),
           Quad(n, NamedNode(CONSISTENCY_RULE), Literal(f.rule), g),
           Quad(n, NamedNode(SH + "resultSeverity"), NamedNode(SH + "Warning"), g),
           Quad(n, NamedNode(SH + "resultMessage"), Literal(f.message, language="en"), g)]
    out += [Quad(n, NamedNode(SOURCE_ROW), Literal(row), g) for row in f.rows]
    return out


def _nodes(nquads: bytes) -> dict[str, list[Quad]]:
    """The statements of a findings graph (N-Quads) by subject, the report node's left out."""
    out: dict[str, list[Quad]] = defaultdict(list)
    for q in parse(nquads, format=RdfFormat.N_QUADS):
        if q.predicate.value != SH + "result" and q.predicate.value != SH + "conforms":
            out[q.subject.value].append(q)
    return out


def _focus_graph(quads: list[Quad]) -> str | None:
    return next((q.object.value for q in quads if q.predicate.value == FOCUS_GRAPH), None)


def _is_result(quads: list[Quad]) -> bool:
    return any(q.predicate == RDF_TYPE and q.object.value == SH + "ValidationResult" for q in quads)


def assemble(iris: Iris, nodes: Iterable[list[Quad]]) -> bytes:
    """The findings graph as N-Quads: ``nodes`` (the statements of each result and finding) and the report
    linking every result, which conforms when no result is a Violation."""
    g = NamedNode(findings_graph(iris))
    rep = NamedNode(report_node(iris))
    quads = [Quad(rep, RDF_TYPE, NamedNode(SH + "ValidationReport"), g)]
    conforms = True
    for node in nodes:
        quads += node
        if _is_result(node):
            quads.append(Quad(rep, NamedNode(SH + "result"), node[0].subject, g))
            conforms = conforms and not any(q.object.value == SH + "Violation" for q in node)
    quads.append(Quad(rep, NamedNode(SH + "conforms"), Literal("true" if conforms else "false", datatype=XSD_BOOLEAN), g))
    quads = sorted(set(quads), key=lambda q: (q.subject.value, q.predicate.value, str(q.object)))
    return serialize(quads, format=RdfFormat.N_QUADS) or b""


def load_findings(fresh: Any, iris: Iris, validation: Report | None, notes: Iterable[str],
                  validated: Iterable[str] = ()) -> int:
    """Writes the findings graph of a build into ``fresh`` (after the carried-over graphs are in it): every
    result of ``validation``, every consistency finding in ``notes``, and the results already in ``fresh``'s
    findings graph (carried over from the previous store) of the graphs this build did not validate
    (``validated``) that are still in ``fresh``. Returns the number of results and findings written."""
    fg = findings_graph(iris)
    done = set(validated)
    kept = []
    if fg in set(fresh.named_graphs()):
        present = set(fresh.named_graphs())
        kept = [n for n in _nodes(fresh.graph_nquads(fg)).values()
                if _is_result(n) and _focus_graph(n) not in done and _focus_graph(n) in present]
    nodes = kept + [result_quads(r, iris) for r in (validation.results if validation else ())]
    nodes += [finding_quads(f, iris) for f in consistency_findings(notes)]
    fresh.replace_graph(fg, assemble(iris, nodes))
    return len({n[0].subject.value for n in nodes})


def refresh_findings(store: Any, iris: Iris, checked: Iterable[str], removed: Iterable[str] = (),
                     validator: Any = None) -> int:
    """After ``kamergraph ingest`` wrote the graphs ``checked`` (and removed ``removed``): validates the
    ``checked`` graphs as they now are in ``store`` (with ``validator``, a :class:`shapes.fast.FastValidator`,
    else a new one) and puts their results in the findings graph (:func:`replace_results`). Returns the
    number of results of the checked graphs."""
    checked = list(checked)
    if checked:
        present = set(store.named_graphs())
        checked = [g for g in checked if g in present]
    report = Report()
    if checked:
        if validator is None:
            from shapes.fast import FastValidator

            validator = FastValidator()
        report = validator.validate_store(_validation_store(store, checked), graphs=checked)
    return replace_results(store, iris, report.results, checked, removed)


def replace_results(store: Any, iris: Iris, results: Iterable[ValidationResult], checked: Iterable[str],
                    removed: Iterable[str] = ()) -> int:
    """After a sync wrote the graphs ``checked`` and removed ``removed``: puts ``results`` (what validating
    the ``checked`` graphs found, before or after they were written) in the findings graph in place of the
    results it held for those graphs and for the removed ones; everything else there stays. Nothing is
    validated here. Returns the number of ``results``."""
    results, checked, removed = list(results), list(checked), list(removed)
    if not checked and not removed:
        return 0
    fg = findings_graph(iris)
    present = set(store.named_graphs())
    gone = set(checked) | set(removed)
    old = _nodes(store.graph_nquads(fg)).values() if fg in present else []
    kept = [n for n in old if not (_is_result(n) and _focus_graph(n) in gone)]
    nodes = kept + [result_quads(r, iris) for r in results]
    if nodes or fg in present:
        store.replace_graph(fg, assemble(iris, nodes))
    return len(results)


def _validation_store(store: Any, graphs: list[str]) -> Any:
    """A pyoxigraph store to validate ``graphs`` of ``store`` in: the embedded store itself, else an
    in-memory copy of every graph (a remote store)."""
    ox = getattr(store, "ox", None)
    if ox is not None:
        return ox
    from pyoxigraph import Store as OxStore

    staging = OxStore()
    for g in store.named_graphs():
        staging.bulk_load(store.graph_nquads(g), format=RdfFormat.N_QUADS)
    return staging


__all__ = [
    "CONSISTENCY_FINDING", "CONSISTENCY_RULE", "FOCUS_GRAPH", "SOURCE_ROW", "ConsistencyFinding", "assemble",
    "consistency_findings", "finding_quads", "findings_graph", "load_findings", "refresh_findings", "replace_results",
    "report_node", "result_quads",
]
