"""The inside of a query worker: the job it is given, how it runs it, what it sends back.

A worker opens the Oxigraph store read-only once (or no store at all, for a pool that only
checks queries for a remote store), shuts itself off from the network unless told otherwise
(:mod:`store.sandbox`), then runs one :class:`Job` at a time: the job's checker first (the guard,
under the same time limit), then the checked text with the row limit, the dataset the caller
names and the answer size cap, and serialises the answer itself so that only bytes cross the pipe.
"""

from __future__ import annotations

import importlib
import json
import json.encoder
import os
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import (
    DefaultGraph,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store as OxStore,
    Triple,
    Variable,
    parse_query_results,
    serialize,
)

from store import sandbox
from store.base import XSD_STRING, KindNotAcceptable, QueryError, QueryResult, Term, term_json

#: Result formats a worker writes for SELECT and ASK.
RESULT_FORMATS: dict[str, QueryResultsFormat] = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}
#: RDF formats a worker writes for CONSTRUCT and DESCRIBE.
GRAPH_FORMATS: dict[str, RdfFormat] = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
}
_GRAPH_KINDS = ("construct", "describe")
_NETWORK_REFUSED = "outgoing network connections are disabled in the query workers (no SERVICE is allowed)"


@dataclass
class Job:
    """One query for a worker.

    ``output`` is "rows" (a :class:`QueryResult`), a format name, or a dict {query kind: format
    name} from which the worker picks by the kind of the query (:class:`KindNotAcceptable` when
    the kind is missing). ``checker`` (picklable: a module-level function or a
    ``functools.partial`` of one) is called in the worker as ``checker(sparql, graph_exists=fn)``;
    the worker then runs the text it returns (``.text``), never ``sparql`` itself, and with
    ``check_only`` only checks.
    """

    sparql: str
    output: str | dict[str, str] = "rows"
    bindings: dict[str, Term] = field(default_factory=dict)
    row_limit: int | None = None
    default_graph: list[str] | None = None  # protocol dataset: default graph IRIs
    named_graphs: list[str] | None = None  # protocol dataset: named graph IRIs
    union_default_graph: bool = True  # without a protocol dataset: the union of all graphs
    base_iri: str | None = None
    checker: Callable[..., Any] | None = None
    check_only: bool = False


@dataclass
class Answer:
    """What a worker sends back: serialised bytes, or the rows themselves."""

    kind: str  # select | ask | graph | check
    body: bytes | None = None
    result: QueryResult | None = None
    truncated: bool = False  # cut by the row limit or the answer size cap
    count: int = 0  # rows or triples in the answer (after the limits)
    boolean: bool | None = None
    checked: Any = None  # what the job's checker returned
    format: str | None = None  # the format name the body is written in (None for rows)


# --------------------------------------------------------------------------- running one job

def _dataset_kwargs(job: Job, checked: Any) -> dict[str, Any]:
    if job.default_graph is None and job.named_graphs is None:
        union = job.union_default_graph
        if checked is not None and (getattr(checked, "from_graphs", ()) or getattr(checked, "from_named", ())):
            union = False  # the query names its own dataset
        return {"use_default_graph_as_union": union}
    default = [NamedNode(g) for g in job.default_graph] if job.default_graph is not None else [DefaultGraph()]
    named = [NamedNode(g) for g in job.named_graphs] if job.named_graphs is not None else []
    return {"default_graph": default, "named_graphs": named}


def _graph_lookup(store: OxStore | None) -> Callable[[str], bool] | None:
    if store is None:
        return None

    def graph_exists(iri: str) -> bool:
        try:
            return store.contains_named_graph(NamedNode(iri))
        except ValueError:
            return False

    return graph_exists


def _format_for(job: Job, kind: str) -> str:
    """The format name to write a ``kind`` query's answer in."""
    if not isinstance(job.output, dict):
        return job.output
    fmt = job.output.get(kind)
    if fmt is None and kind in _GRAPH_KINDS:  # without a checker CONSTRUCT and DESCRIBE look alike
        fmt = next((job.output[k] for k in _GRAPH_KINDS if k in job.output), None)
    if fmt is None:
        raise KindNotAcceptable(kind)
    return fmt


def execute(store: OxStore | None, job: Job, *, max_answer_bytes: int | None = None) -> Answer:
    """Run one job on an open store (in a worker, or in-process for tests and scripts).

    ``max_answer_bytes`` caps the answer: rows stop once the serialised answer passes it (a
    single row bigger than it has its values cut) and the answer is flagged truncated.
    """
    checked = None
    sparql = job.sparql
    if job.checker is not None:
        checked = job.checker(job.sparql, graph_exists=_graph_lookup(store))
        sparql = checked.text
        if job.check_only:
            return Answer("check", checked=checked)
        if isinstance(job.output, dict):
            _format_for(job, checked.kind)  # refuse before running
    elif job.check_only:
        raise QueryError("a check-only job needs a checker")
    if store is None:
        raise QueryError("this query worker has no store: it only checks queries")
    subs = {Variable(k): v for k, v in job.bindings.items()}
    try:
        res = store.query(sparql, base_iri=job.base_iri, substitutions=subs or None, **_dataset_kwargs(job, checked))
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(_engine_message(exc)) from None
    kind = getattr(checked, "kind", None)
    try:
        answer = _answer(res, job, kind, _Budget(max_answer_bytes))
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(_engine_message(exc)) from None
    answer.checked = checked
    return answer


def _engine_message(exc: BaseException) -> str:
    text = str(exc)
    if "Operation not permitted" in text or "os error 1)" in text:
        return f"{_NETWORK_REFUSED}: {text}"
    return text


def _answer(res: Any, job: Job, kind: str | None, budget: _Budget) -> Answer:
    if isinstance(res, QueryBoolean):
        value = bool(res)
        fmt_name = _format_for(job, kind or "ask")
        if fmt_name == "rows":
            return Answer("ask", result=QueryResult(kind="ask", boolean=value), boolean=value)
        fmt = RESULT_FORMATS.get(fmt_name)
        if fmt is None:
            raise QueryError(f"an ASK result cannot be written as {fmt_name}")
        return Answer("ask", body=res.serialize(format=fmt), boolean=value, format=fmt_name)
    if isinstance(res, QuerySolutions):
        return _select(res, _format_for(job, kind or "select"), job.row_limit, budget)
    if isinstance(res, QueryTriples):
        return _graph(res, _format_for(job, kind or "construct"), job.row_limit, budget)
    raise QueryError(f"unexpected query result {type(res).__name__}")


class _Budget:
    """How many more bytes the answer may take (no cap: never runs out)."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.left = limit
        self.truncated = False

    def admit(self, row: tuple[Any, ...], size: int, first: bool) -> tuple[Any, ...] | None:
        """``row`` if its ``size`` bytes still fit; the first row always does, its values cut to the
        cap when it alone is bigger; None when the answer is full (flags it truncated)."""
        if self.left is None or size <= self.left:
            if self.left is not None:
                self.left -= size
            return row
        self.truncated = True
        if not first:
            return None
        self.left = max(0, self.left - 512) // max(1, len(row))  # each value's share, less the markup
        cut = tuple(self.cut(t) for t in row)
        self.left = 0
        return cut

    def cut(self, term: Term | None) -> Term | None:
        """``term``, its value cut to the cap when it alone is bigger (flags the answer truncated)."""
        if self.left is None or not isinstance(term, Literal):
            return term
        raw = term.value.encode("utf-8")
        if len(raw) <= self.left:
            return term
        self.truncated = True
        short = raw[: max(0, self.left)].decode("utf-8", errors="ignore")
        if term.language:
            return Literal(short, language=term.language)
        return Literal(short, datatype=term.datatype)


def _term_size(t: Term | None) -> int:
    if t is None:
        return 0
    if isinstance(t, Triple):
        return 8 + _term_size(t.subject) + _term_size(t.predicate) + _term_size(t.object)
    return 24 + len(t.value) + (len(t.datatype.value) if isinstance(t, Literal) else 0)


def _limited(items: Iterable[Any], limit: int | None) -> Iterator[Any]:
    for n, item in enumerate(items):
        if limit is not None and n >= limit:
            raise _RowLimit
        yield item


class _RowLimit(Exception):
    pass


def _select(res: QuerySolutions, fmt_name: str, limit: int | None, budget: _Budget) -> Answer:
    names = [v.value for v in res.variables]
    width = range(len(names))
    rows: list[tuple[Term | None, ...]] = []
    parts: list[str] = []  # JSON bindings, one per row, when writing JSON
    as_json = fmt_name != "rows"
    if as_json and fmt_name not in RESULT_FORMATS:
        raise QueryError(f"a SELECT result cannot be written as {fmt_name}")
    truncated = False
    keys = [_json_text(n) + ":" for n in names]
    memo: dict[Term, str] = {}  # the JSON of the IRIs seen in this answer (predicates, classes repeat)
    try:
        for sol in _limited(res, limit):
            row = tuple(sol)
            if len(row) != len(width):  # pragma: no cover - a solution has a value (or None) per variable
                row = tuple(sol[i] for i in width)
            part = _row_text(keys, row, memo) if as_json else ""
            size = (len(part) if part.isascii() else len(part.encode("utf-8"))) + 1 if as_json else \
                sum(_term_size(t) for t in row)
            admitted = budget.admit(row, size, not rows)
            if admitted is None:
                break
            if as_json:
                parts.append(part if admitted is row else _row_text(keys, admitted, memo))
            row = admitted
            rows.append(row)
    except _RowLimit:
        truncated = True
    truncated = truncated or budget.truncated
    if not as_json:
        result = QueryResult(kind="select", variables=names, rows=rows, truncated=truncated)
        return Answer("select", result=result, truncated=truncated, count=len(rows))
    head = json.dumps({"vars": names}, ensure_ascii=False, separators=(",", ":"))
    fmt = RESULT_FORMATS[fmt_name]

    def render(parts: list[str], truncated: bool) -> bytes:
        tail = ',"truncated":true}' if truncated and fmt == QueryResultsFormat.JSON else "}"
        body = f'{{"head":{head},"results":{{"bindings":[{",".join(parts)}]}}{tail}'.encode("utf-8")
        if fmt != QueryResultsFormat.JSON:  # Oxigraph's own writers for the other formats
            body = parse_query_results(body, QueryResultsFormat.JSON).serialize(format=fmt)
        return body

    parts, body, truncated = _fit(parts, render, truncated, budget.limit)
    return Answer("select", body=body, truncated=truncated, count=len(parts), format=fmt_name)


def _fit(items: list[Any], render: Callable[[list[Any], bool], bytes], truncated: bool,
         cap: int | None) -> tuple[list[Any], bytes, bool]:
    """``render(items)``, with fewer items while the body is over ``cap`` (XML and the RDF formats
    write more than the JSON-sized estimate the rows were counted by)."""
    body = render(items, truncated)
    while cap is not None and len(body) > cap and len(items) > 1:
        items = items[: max(1, int(len(items) * cap / len(body) * 0.9))]
        truncated = True
        body = render(items, truncated)
    return items, body, truncated


def _row_text(keys: list[str], row: tuple[Term | None, ...], memo: dict[Term, str]) -> str:
    """One solution as a SPARQL JSON binding, the text ``json.dumps`` writes for
    :func:`store.base.term_json` (compact, not ASCII-escaped), written directly: ``keys`` are the
    variables' names as JSON keys with their colon; ``memo`` keeps the text of IRIs already written."""
    return "{" + ",".join(key + _term_text(t, memo) for key, t in zip(keys, row) if t is not None) + "}"


_json_text = json.encoder.encode_basestring  # a str as JSON text, not ASCII-escaped (as ensure_ascii=False)


def _term_text(t: Term, memo: dict[Term, str]) -> str:
    """``json.dumps(term_json(t), ensure_ascii=False, separators=(",", ":"))``, faster."""
    if isinstance(t, NamedNode):
        text = memo.get(t)
        if text is None:
            text = memo[t] = '{"type":"uri","value":' + _json_text(t.value) + "}"
        return text
    if isinstance(t, Literal):
        head = '{"type":"literal","value":' + _json_text(t.value)
        if t.language:
            return head + ',"xml:lang":' + _json_text(t.language) + "}"
        datatype = t.datatype.value
        return head + "}" if datatype == XSD_STRING else head + ',"datatype":' + _json_text(datatype) + "}"
    return json.dumps(term_json(t), ensure_ascii=False, separators=(",", ":"))  # blank nodes, triples


def _graph(res: QueryTriples, fmt_name: str, limit: int | None, budget: _Budget) -> Answer:
    if fmt_name != "rows" and fmt_name not in GRAPH_FORMATS:
        raise QueryError(f"a graph result cannot be written as {fmt_name}")
    triples: list[Triple] = []
    truncated = False
    try:
        for t in _limited(res, limit):
            parts = (t.subject, t.predicate, t.object)
            admitted = budget.admit(parts, _term_size(t), not triples)
            if admitted is None:
                break
            triples.append(t if admitted is parts else Triple(*admitted))
    except _RowLimit:
        truncated = True
    truncated = truncated or budget.truncated
    if fmt_name == "rows":
        result = QueryResult(kind="graph", triples=triples, truncated=truncated)
        return Answer("graph", result=result, truncated=truncated, count=len(triples))
    rdf = GRAPH_FORMATS[fmt_name]
    triples, body, truncated = _fit(triples, lambda ts, _t: serialize(ts, format=rdf) or b"", truncated, budget.limit)
    return Answer("graph", body=body, truncated=truncated, count=len(triples), format=fmt_name)


# --------------------------------------------------------------------------- the worker process

@dataclass(frozen=True)
class WorkerConfig:
    """How a worker sets itself up (sent with the process's start)."""

    path: str | None  # the store, or None: a worker that only checks
    allow_network: bool = False
    memory_backstop_bytes: int | None = None  # RLIMIT_AS beyond the opened store's size
    max_answer_bytes: int | None = None
    preload: tuple[str, ...] = ()


def _set_up(config: WorkerConfig) -> OxStore | None:
    for name in config.preload:
        importlib.import_module(name)
    store = OxStore.read_only(config.path) if config.path is not None else None
    if not config.allow_network:
        sandbox.forbid_network()
    if config.memory_backstop_bytes is not None:
        sandbox.limit_address_space(config.memory_backstop_bytes)
    sandbox.no_core_dumps()  # a worker the kernel stops at a limit leaves no core file behind
    return store


def worker_main(conn: Any, config: WorkerConfig) -> None:
    """The worker's loop: set up, say ready, then answer jobs until the pipe closes."""
    try:
        store = _set_up(config)
    except sandbox.SandboxUnavailable as exc:
        conn.send(("sandbox", str(exc)))
        conn.close()
        return
    except BaseException:  # noqa: BLE001 - reported to the parent
        conn.send(("error", traceback.format_exc(limit=3)))
        conn.close()
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            item = conn.recv()
        except (EOFError, OSError):
            return
        if item is None:
            return
        job, timeout = item
        sandbox.cpu_deadline(timeout)  # the kernel stops a runaway query even with no parent left
        try:
            reply: tuple[str, Any] = ("ok", execute(store, job, max_answer_bytes=config.max_answer_bytes))
        except QueryError as exc:
            reply = ("query-error", str(exc))
        except Exception as exc:  # noqa: BLE001 - the checker's refusal, KindNotAcceptable …: raised again
            reply = ("raised", exc) if _picklable(exc) else ("error", traceback.format_exc(limit=3))
        except BaseException:  # noqa: BLE001 - reported to the parent, which raises
            reply = ("error", traceback.format_exc(limit=3))
        finally:
            sandbox.cpu_deadline(None)
        conn.send(reply)


def _picklable(exc: BaseException) -> bool:
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001
        return False
    return True
