"""SPARQL results for the remote store: the answers read back (JSON and XML solutions, blank node
labels made valid ids, Virtuoso's booleans) and written in a result format as the embedded pool
writes them.

pyoxigraph 0.5 reads SPARQL XML results with the spaces around literals trimmed, so XML answers
are read with the standard library instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

from pyoxigraph import BlankNode, Literal, NamedNode, QueryResultsFormat, Triple, parse_query_results

from store.base import Term, term_json
from store.pool import RESULT_FORMATS

RESULT_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_MEDIA = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "nquads": "application/n-quads",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}


def write_solutions(names: list[str], rows: list[tuple[Term | None, ...]], out: str, truncated: bool) -> bytes:
    """SELECT rows in a result format, written as the embedded pool writes them."""
    doc: dict[str, Any] = {
        "head": {"vars": names},
        "results": {"bindings": [{n: term_json(t) for n, t in zip(names, row) if t is not None} for row in rows]},
    }
    fmt = RESULT_FORMATS[out]
    if fmt == QueryResultsFormat.JSON:
        if truncated:
            doc["truncated"] = True
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return parse_query_results(body, QueryResultsFormat.JSON).serialize(format=fmt) or b""


def write_boolean(value: bool, out: str) -> bytes:
    """An ASK answer in a result format, written by pyoxigraph."""
    doc = json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    return parse_query_results(doc, QueryResultsFormat.JSON).serialize(format=RESULT_FORMATS[out]) or b""


def read_json_results(stream: Any) -> tuple[bool | None, list[str], Iterator[tuple[Term | None, ...]]]:
    """SPARQL JSON results read whole with the standard library (the server's row limit bounds
    them): (the ASK answer or None, the variables, the rows). Blank node labels become valid ids
    (the same label, the same id)."""
    doc = json.load(stream)
    if "boolean" in doc:
        return bool(doc["boolean"]), [], iter(())
    names = list(doc.get("head", {}).get("vars", []))
    bnodes: dict[str, BlankNode] = {}
    rows = ((tuple(_json_term(b[n], bnodes) if n in b else None for n in names))
            for b in doc.get("results", {}).get("bindings", []))
    return None, names, rows


def _json_term(t: dict[str, Any], bnodes: dict[str, BlankNode]) -> Term:
    kind, value = t.get("type"), t.get("value", "")
    if kind == "uri":
        return NamedNode(value)
    if kind in ("literal", "typed-literal"):
        if t.get("xml:lang"):
            return Literal(value, language=t["xml:lang"])
        return Literal(value, datatype=NamedNode(t["datatype"]) if t.get("datatype") else None)
    if kind == "bnode":
        return _bnode(value, bnodes)
    if kind == "triple":
        v = value
        return Triple(_json_term(v["subject"], bnodes), _json_term(v["predicate"], bnodes),  # type: ignore[arg-type]
                      _json_term(v["object"], bnodes))
    raise ValueError(f"unknown term type {kind!r} in SPARQL JSON results")


def _bnode(label: str, bnodes: dict[str, BlankNode]) -> BlankNode:
    """A blank node for a server's label, which need not be a valid id ("nodeID://b1"); the same
    label always gives the same node, across pages too."""
    if label not in bnodes:
        bnodes[label] = BlankNode(hashlib.sha1(label.encode("utf-8")).hexdigest())
    return bnodes[label]


_SR = "{http://www.w3.org/2005/sparql-results#}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def read_xml_results(stream: Any) -> tuple[bool | None, list[str], Iterator[tuple[Term | None, ...]]]:
    """SPARQL XML results, streamed: (the ASK answer or None, the variables, the rows).

    Read with the standard library's XML parser because pyoxigraph 0.5's trims leading and
    trailing spaces of literals (" nog " comes back as "nog")."""
    events = ElementTree.iterparse(stream, events=("start", "end"))
    names: list[str] = []
    for event, el in events:
        if event == "end" and el.tag == _SR + "variable":
            names.append(el.get("name", ""))
        elif event == "end" and el.tag == _SR + "boolean":
            return (el.text or "").strip() == "true", names, iter(())
        elif event == "start" and el.tag == _SR + "results":
            return None, names, _xml_rows(events, names)
    raise ValueError("not SPARQL XML results (no <boolean> and no <results>)")


def _xml_rows(events: Any, names: list[str]) -> Iterator[tuple[Term | None, ...]]:
    index = {n: i for i, n in enumerate(names)}
    bnodes: dict[str, BlankNode] = {}
    for event, el in events:
        if event != "end" or el.tag != _SR + "result":
            continue
        row: list[Term | None] = [None] * len(names)
        for binding in el.findall(_SR + "binding"):
            i = index.get(binding.get("name", ""))
            if i is not None and len(binding):
                row[i] = _xml_term(binding[0], bnodes)
        el.clear()
        yield tuple(row)


def _xml_term(el: Any, bnodes: dict[str, BlankNode]) -> Term:
    tag = el.tag.removeprefix(_SR)
    if tag == "uri":
        return NamedNode(el.text or "")
    if tag == "literal":
        lang, datatype = el.get(_XML_LANG), el.get("datatype")
        if lang:
            return Literal(el.text or "", language=lang)
        return Literal(el.text or "", datatype=NamedNode(datatype) if datatype else None)
    if tag == "bnode":
        return _bnode(el.text or "", bnodes)
    if tag == "triple":
        parts = {c.tag.removeprefix(_SR): _xml_term(c[0], bnodes) for c in el if len(c)}
        return Triple(parts["subject"], parts["predicate"], parts["object"])  # type: ignore[arg-type]
    raise ValueError(f"unknown term <{tag}> in SPARQL XML results")


_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def virtuoso_boolean(term: Term | None) -> Term | None:
    """Virtuoso writes stored xsd:boolean values as 1 and 0 in JSON results: back to true and false."""
    if isinstance(term, Literal) and term.value in ("1", "0") and term.datatype.value == _XSD_BOOLEAN:
        return Literal("true" if term.value == "1" else "false", datatype=term.datatype)
    return term
