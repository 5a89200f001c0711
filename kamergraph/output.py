"""Query results as text: an aligned table, SPARQL JSON, CSV and TSV (SPARQL 1.1 result formats)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, serialize

from ontology.namespaces import PREFIXES
from store.base import QueryResult, Term, term_json

def compact(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


def term_text(t: Term | None) -> str:
    if t is None:
        return ""
    if isinstance(t, NamedNode):
        return compact(t.value)
    if isinstance(t, BlankNode):
        return f"_:{t.value}"
    if isinstance(t, Literal):
        if t.language:
            return f"{t.value}@{t.language}"
        return t.value
    return str(t)


def to_json(r: QueryResult) -> str:
    if r.kind == "ask":
        return json.dumps({"head": {}, "boolean": r.boolean})
    if r.kind == "graph":
        raise ValueError("a CONSTRUCT/DESCRIBE result is a graph: use --format turtle or ntriples")
    body: dict[str, Any] = {
        "head": {"vars": r.variables},
        "results": {
            "bindings": [
                {v: term_json(t) for v, t in zip(r.variables, row, strict=True) if t is not None} for row in r.rows
            ]
        },
    }
    if r.truncated:
        body["truncated"] = True
    return json.dumps(body, ensure_ascii=False, indent=1)


def to_csv(r: QueryResult) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if r.kind == "ask":
        w.writerow(["boolean"])
        w.writerow(["true" if r.boolean else "false"])
        return buf.getvalue()
    w.writerow(r.variables)
    for row in r.rows:
        w.writerow([("" if t is None else (f"_:{t.value}" if isinstance(t, BlankNode) else t.value)) for t in row])
    return buf.getvalue()


def to_tsv(r: QueryResult) -> str:
    if r.kind == "ask":
        return "?boolean\n" + ("true" if r.boolean else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in r.variables)]
    for row in r.rows:
        lines.append("\t".join("" if t is None else str(t) for t in row))
    return "\n".join(lines) + "\n"


def to_table(r: QueryResult, max_width: int = 60) -> str:
    if r.kind == "ask":
        return "yes" if r.boolean else "no"
    if r.kind == "graph":
        return serialize(r.triples, format=RdfFormat.TURTLE, prefixes=PREFIXES).decode("utf-8")
    cells = [[_clip(term_text(t), max_width) for t in row] for row in r.rows]
    widths = [len(v) for v in r.variables]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    sep = "-+-".join("-" * w for w in widths)
    out = [" | ".join(v.ljust(w) for v, w in zip(r.variables, widths, strict=True)), sep]
    out += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    out.append(f"({len(r.rows)} row{'s' if len(r.rows) != 1 else ''}{', truncated at the row limit' if r.truncated else ''})")
    return "\n".join(out)


def _clip(s: str, n: int) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def graph_text(r: QueryResult, fmt: str) -> str:
    rdf = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES, "table": RdfFormat.TURTLE}.get(fmt)
    if rdf is None:
        raise ValueError(f"a graph result cannot be written as {fmt}: use turtle or ntriples")
    if rdf == RdfFormat.TURTLE:
        return serialize(r.triples, format=rdf, prefixes=PREFIXES).decode("utf-8")
    return serialize(r.triples, format=rdf).decode("utf-8")


def render(r: QueryResult, fmt: str) -> str:
    if r.kind == "graph":
        return graph_text(r, fmt)
    return {"table": to_table, "json": to_json, "csv": to_csv, "tsv": to_tsv}[fmt](r)
