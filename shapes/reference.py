"""The reference evaluator: pySHACL over an rdflib graph (no inference). Exact, but slow; for one record or
a small batch and for tests (see :mod:`shapes.validate`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import rdflib
from rdflib import RDF, BNode, URIRef
from rdflib.namespace import SH
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor

from shapes.errors import ShapesValidationError
from shapes.report import Report, ValidationResult, sort_key
from shapes.shapes_graph import load_shapes


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


class PreparedQueries(SPARQLProcessor):
    """rdflib's SPARQL processor, which parses and translates each distinct query text once per process.

    pySHACL evaluates a SPARQL-based constraint by passing its text to ``Graph.query`` for every shape
    it checks, and rdflib parses that text again each time (with pyparsing: about 60 ms a query, three
    quarters of the time a validation of one record took). The translated query is what
    ``rdflib.plugins.sparql.prepareQuery`` returns, made for evaluating again with other bindings; the
    answers are the same. :func:`validate` registers this processor as rdflib's ``sparql`` processor
    (rdflib's plugin registry), for every rdflib query of the process after it."""

    def query(self, strOrQuery: str | Query, initBindings: Mapping[str, Any] | None = None,  # noqa: N803
              initNs: Mapping[str, Any] | None = None, base: str | None = None, DEBUG: bool = False  # noqa: N803
              ) -> Mapping[str, Any]:
        if isinstance(strOrQuery, str):
            strOrQuery = _prepared(strOrQuery, base, tuple(sorted((initNs or {}).items())))
        return super().query(strOrQuery, initBindings, initNs, base, DEBUG)


@lru_cache(maxsize=2048)
def _prepared(text: str, base: str | None, ns: tuple[tuple[str, Any], ...]) -> Query:
    from rdflib.plugins.sparql.algebra import translateQuery

    return translateQuery(parseQuery(text), base, dict(ns))


def _use_prepared_queries() -> None:
    rdflib.plugin.register("sparql", Processor, "shapes.reference", "PreparedQueries")


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
    _use_prepared_queries()
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
    return Report(tuple(sorted(results, key=sort_key)))
