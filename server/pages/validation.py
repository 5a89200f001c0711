"""What validation said, on the pages: the block on every record's page and ``/validatie``.

Both read the findings graph the build and the sync keep in the store (:mod:`shapes.results`), through
the query workers like every other page, so they show the store's current findings:

- :func:`record_findings`: the SHACL results about one record (its focus node is the resource, a node
  below its IRI, or lies in the record's own graph ``{base}graph/{kind}/{key}``), for the "validation"
  block of its page (``_validation.html``): conforms, each result, or "not known" when the store holds
  no findings graph;
- ``/validatie`` (:func:`install_validation`): every finding of the store, grouped by rule with counts,
  filterable by rule (``?regel=``, a shape's local name or a consistency rule's name) and severity
  (``?ernst=violation|warning|info``) and paged (``?pagina=``), the reference data's consistency
  findings with their source rows; by content negotiation (``Accept``, ``?format=``, like
  ``/dataset``) the findings graph itself, the SHACL validation report, as Turtle, JSON-LD, N-Triples
  or RDF/XML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from pyoxigraph import Literal, NamedNode

from ontology.namespaces import Iris
from server import describe as D
from server.dataset import negotiate_request
from server.endpoint import run_rows
from server.errors import error_response
from server.i18n import page_lang, term_label, tr
from server.pages.base import HTML, Linker, Ref, pager, query_int
from server.render import PageError, render
from shapes.results import findings_graph
from store.pool import Job

if TYPE_CHECKING:
    from server.endpoint import Endpoint

SH = "http://www.w3.org/ns/shacl#"
SHAPES_NS = "https://w3id.org/kamergraph/shapes#"
PAGE_SIZE = 50
SEVERITIES = {"violation": "Violation", "warning": "Warning", "info": "Info"}
SEVERITY_LABELS = {"Violation": ("schending", "violation"), "Warning": ("waarschuwing", "warning"),
                   "Info": ("opmerking", "info")}
_PREFIXES = f"PREFIX sh: <{SH}>\nPREFIX kgsh: <{SHAPES_NS}>\n"

#: The results about one record (?r, its graph ?rg), and a row marking that the findings graph exists.
RECORD_QUERY = _PREFIXES + """SELECT ?r ?rg ?report ?res ?sev ?shape ?comp ?focus ?path ?value ?msg WHERE {
  { GRAPH <FG> { ?report a sh:ValidationReport } }
  UNION
  { GRAPH <FG> {
      ?res a sh:ValidationResult ; sh:focusNode ?focus ; sh:resultSeverity ?sev ; sh:sourceShape ?shape ;
           sh:resultMessage ?msg .
      OPTIONAL { ?res sh:sourceConstraintComponent ?comp } OPTIONAL { ?res sh:resultPath ?path }
      OPTIONAL { ?res sh:value ?value } OPTIONAL { ?res kgsh:focusGraph ?fg } }
    FILTER (?focus = ?r || (BOUND(?fg) && BOUND(?rg) && ?fg = ?rg)
            || (isIRI(?focus) && STRSTARTS(STR(?focus), CONCAT(STR(?r), "/")))) }
} ORDER BY ?sev ?shape ?focus ?path ?msg LIMIT 500"""

#: Per rule (a shape, or a consistency rule's name) and severity: how many findings.
COUNTS_QUERY = _PREFIXES + """SELECT ?kind ?rule ?sev (COUNT(?res) AS ?n) WHERE { GRAPH <FG> {
  { ?res a sh:ValidationResult ; sh:sourceShape ?rule ; sh:resultSeverity ?sev . BIND ("shacl" AS ?kind) }
  UNION
  { ?res a kgsh:ConsistencyFinding ; kgsh:consistencyRule ?rule ; sh:resultSeverity ?sev .
    BIND ("consistency" AS ?kind) } } }
GROUP BY ?kind ?rule ?sev ORDER BY ?kind ?rule ?sev"""

#: One page of the findings (filtered by the VALUES of ?rule and ?sev), with their details.
LIST_QUERY = _PREFIXES + """SELECT ?res ?kind ?rule ?sev ?comp ?focus ?path ?value ?msg ?fg
  (GROUP_CONCAT(?row; separator="\\n") AS ?rows) WHERE { GRAPH <FG> {
  { ?res a sh:ValidationResult ; sh:sourceShape ?rule ; sh:focusNode ?focus . BIND ("shacl" AS ?kind)
    OPTIONAL { ?res sh:sourceConstraintComponent ?comp } OPTIONAL { ?res sh:resultPath ?path }
    OPTIONAL { ?res sh:value ?value } OPTIONAL { ?res kgsh:focusGraph ?fg } }
  UNION
  { ?res a kgsh:ConsistencyFinding ; kgsh:consistencyRule ?rule . BIND ("consistency" AS ?kind)
    OPTIONAL { ?res kgsh:sourceRow ?row } }
  ?res sh:resultSeverity ?sev ; sh:resultMessage ?msg . } FILTERS }
GROUP BY ?res ?kind ?rule ?sev ?comp ?focus ?path ?value ?msg ?fg
ORDER BY ?kind ?rule ?sev ?focus ?path ?msg ?rows LIMIT {limit} OFFSET {offset}"""

GRAPH_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <FG> { ?s ?p ?o } }"


@dataclass
class FindingView:
    """One finding as a page shows it."""

    severity: str  # Violation | Warning | Info
    severity_label: str
    rule: Ref  # the shape (linked to the shapes page) or the consistency rule
    component: str | None
    focus: Ref | None
    path: Ref | None
    value: str | None
    message: str
    graph: Ref | None = None
    rows: list[str] = field(default_factory=list)  # a consistency finding's source rows


@dataclass
class RecordFindings:
    """The validation block of a record's page: ``known`` is False when the store holds no findings."""

    known: bool
    findings: list[FindingView]

    @property
    def conforms(self) -> bool:
        return not any(f.severity == "Violation" for f in self.findings)


def _v(term: Any) -> str | None:
    return None if term is None else term.value


def _severity(iri: str | None) -> str:
    return (iri or "").removeprefix(SH) or "Violation"


def shape_ref(iri: str, lang: str) -> Ref:
    """A shape by its prefixed name, linked to its place on the shapes page."""
    if iri.startswith(SHAPES_NS):
        local = iri[len(SHAPES_NS):]
        return Ref(iri, "kgsh:" + local, href=f"/def/shapes#{local}")
    return Ref(iri, iri)


def _component(iri: str | None) -> str | None:
    return None if iri is None else iri.removeprefix(SH).removesuffix("ConstraintComponent")


def _value(term: Any) -> str | None:
    if term is None:
        return None
    return term.value if isinstance(term, (Literal, NamedNode)) else str(term)


def _view(row: dict[str, Any], L: Linker) -> FindingView:
    sev = _severity(_v(row.get("sev")))
    nl, en = SEVERITY_LABELS.get(sev, (sev, sev))
    rule = _v(row["rule"]) or ""
    focus, path, fg = _v(row.get("focus")), _v(row.get("path")), _v(row.get("fg"))
    return FindingView(
        sev, tr(L.lang, nl, en),
        shape_ref(rule, L.lang) if row.get("kind") != "consistency" else Ref(rule, rule),
        _component(_v(row.get("comp"))),
        L.ref(focus) if focus else None,
        L.ref(path, term_label(path, L.lang)) if path else None,
        _value(row.get("value")), _v(row.get("msg")) or "",
        L.ref(fg) if fg else None,
        [r for r in (_v(row.get("rows")) or "").split("\n") if r],
    )


async def _select(endpoint: Endpoint, text: str, bindings: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    answer = await run_rows(endpoint, Job(text, output="rows", bindings=bindings or {}))
    result = answer.result
    assert result is not None
    return [dict(zip(result.variables, row, strict=False)) for row in result.rows]


def record_graph(iri: str, base: str) -> str | None:
    """The record graph named like a resource (``{base}id/k/x`` -> ``{base}graph/k/x``), or the graph itself."""
    if iri.startswith(base + "id/"):
        return base + "graph/" + iri[len(base + "id/"):]
    if iri.startswith(base + "graph/"):
        return iri
    return None


async def record_findings(endpoint: Endpoint, iri: str, L: Linker) -> RecordFindings:
    """The SHACL results of the store's findings graph about the resource ``iri`` (see the module's text)."""
    base = endpoint.settings.base
    bindings: dict[str, Any] = {"r": NamedNode(iri)}
    rg = record_graph(iri, base)
    if rg is not None:
        bindings["rg"] = NamedNode(rg)
    text = RECORD_QUERY.replace("<FG>", f"<{findings_graph(Iris(base))}>")
    rows = await _select(endpoint, text, bindings)
    known = any(r.get("report") is not None for r in rows)
    views = [_view({**r, "rule": r.get("shape")}, L) for r in rows if r.get("res") is not None]
    return RecordFindings(known, views)


@dataclass
class RuleCount:
    """One rule on ``/validatie``: how many findings of each severity, and the link filtering on it."""

    kind: str  # shacl | consistency
    rule: Ref
    key: str  # the value of ?regel=
    counts: dict[str, int]
    href: str
    current: bool = False


def _rule_key(kind: str, rule: str) -> str:
    return rule[len(SHAPES_NS):] if kind == "shacl" and rule.startswith(SHAPES_NS) else rule


def _filters(rules: list[tuple[str, str]], severity: str | None) -> str:
    """The VALUES clauses restricting ``LIST_QUERY`` to the rules chosen (kind, IRI or name) and a severity."""
    parts = []
    if rules:
        terms = " ".join(f"<{r}>" if k == "shacl" else Literal(r).__str__() for k, r in rules)
        parts.append(f"VALUES ?rule {{ {terms} }}")
    if severity:
        parts.append(f"VALUES ?sev {{ <{SH}{severity}> }}")
    return " ".join(parts)


async def _counts(endpoint: Endpoint, fg: str, request: Request, lang: str, chosen: str | None) -> list[RuleCount]:
    rows = await _select(endpoint, COUNTS_QUERY.replace("<FG>", f"<{fg}>"))
    out: dict[tuple[str, str], RuleCount] = {}
    for r in rows:
        kind, rule = r["kind"].value, r["rule"].value
        key = _rule_key(kind, rule)
        rc = out.get((kind, rule))
        if rc is None:
            ref = shape_ref(rule, lang) if kind == "shacl" else Ref(rule, rule)
            rc = out[(kind, rule)] = RuleCount(kind, ref, key, {}, _href(request, regel=key), key == chosen)
        rc.counts[_severity(r["sev"].value)] = int(r["n"].value)
    return list(out.values())


def _href(request: Request, **params: str | None) -> str:
    """``/validatie`` with these parameters (None leaves one out; the page number starts again)."""
    from urllib.parse import urlencode

    kept = {k: v for k, v in request.query_params.items() if k in ("regel", "ernst")}
    kept.update(params)
    items = [(k, v) for k, v in kept.items() if v]
    return "/validatie" + (f"?{urlencode(items)}" if items else "")


async def validation_context(request: Request, endpoint: Endpoint) -> dict[str, Any]:
    """What ``page_validatie.html`` draws (raises ValueError for a severity that is not one)."""
    lang = page_lang(request)
    base = endpoint.settings.base
    fg = findings_graph(Iris(base))
    ernst = (request.query_params.get("ernst") or "").strip().lower() or None
    if ernst is not None and ernst not in SEVERITIES:
        raise ValueError(f"ernst={ernst!r} is not a severity; one of {', '.join(SEVERITIES)}")
    severity = SEVERITIES.get(ernst or "")
    chosen = (request.query_params.get("regel") or "").strip() or None
    known = bool(await _select(endpoint, f"SELECT ?r WHERE {{ GRAPH <{fg}> {{ ?r a <{SH}ValidationReport> }} }}"))
    rules = await _counts(endpoint, fg, request, lang, chosen)
    picked = [r for r in rules if chosen is None or r.key == chosen]
    total = sum(n for r in picked for s, n in r.counts.items() if severity is None or s == severity)
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(query_int(request, "pagina"), pages)
    findings: list[FindingView] = []
    if picked and total:
        text = (LIST_QUERY.replace("<FG>", f"<{fg}>").replace("{limit}", str(PAGE_SIZE))
                .replace("{offset}", str((number - 1) * PAGE_SIZE))
                .replace("FILTERS", _filters([(r.kind, r.rule.iri) for r in picked] if chosen else [], severity)))
        L = Linker(base, lang)
        findings = [_view(r, L) for r in await _select(endpoint, text)]
    return {
        "lang": lang, "nav": "validatie", "known": known, "rules": rules, "findings": findings,
        "chosen": chosen, "ernst": ernst, "total": total, "unknown_rule": chosen is not None and not picked,
        "pager": pager(request, "pagina", number, pages, total, "bevindingen"),
        "severity_links": [(k, tr(lang, *SEVERITY_LABELS[v]), _href(request, ernst=k), k == ernst)
                           for k, v in SEVERITIES.items()],
        "all_href": _href(request, regel=None, ernst=None),
        "totals": _totals(rules), "severity_labels": {k: tr(lang, *v) for k, v in SEVERITY_LABELS.items()},
    }


def _totals(rules: list[RuleCount]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rules:
        for s, n in r.counts.items():
            out[s] = out.get(s, 0) + n
    return out


_OFFERS = [("text/html", HTML), ("application/xhtml+xml", HTML), *[(m, n) for n, (m, _, _) in D.RDF_FORMATS.items()],
           ("application/x-turtle", "turtle"), ("application/json", "jsonld")]


def _links() -> str:
    parts = ['</validatie>; rel="alternate"; type="text/html"']
    parts += [f'</validatie?format={suffix}>; rel="alternate"; type="{media}"'
              for media, suffix, _ in D.RDF_FORMATS.values()]
    return ", ".join(parts)


def install_validation(app: FastAPI, endpoint: Endpoint) -> None:
    """Add ``/validatie``: every current finding of the store, as a page or as the SHACL report in RDF."""

    @app.get("/validatie", name="validatie", include_in_schema=False)
    async def validatie(request: Request) -> Response:
        """The findings of the store's validation: a page for browsers, the report's RDF by Accept or format=."""
        headers = {"Vary": "Accept", "Link": _links()}
        fmt = negotiate_request(request, _OFFERS)
        if isinstance(fmt, Response):
            return fmt
        try:
            if fmt == HTML:
                return render(request, "page_validatie.html", await validation_context(request, endpoint), 200, headers)
            fg = findings_graph(Iris(endpoint.settings.base))
            answer = await run_rows(endpoint, Job(GRAPH_QUERY.replace("<FG>", f"<{fg}>"), output="rows"))
            triples = answer.result.triples if answer.result is not None else []
        except ValueError as exc:
            return error_response(400, f"/validatie: {exc}", headers)
        except PageError as exc:
            return error_response(exc.status, exc.message, {**headers, **exc.headers})
        media, suffix, _ = D.RDF_FORMATS[fmt]
        if media.startswith("text/") or media == "application/n-triples":
            media += "; charset=utf-8"
        body = D.serialize_graph(triples, fmt, first=None)
        return Response(body, media_type=media, headers={**headers, "Content-Location": f"/validatie?format={suffix}"})
