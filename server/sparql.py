"""The SPARQL 1.1 Protocol on the web: ``/sparql``, and the named queries at ``/queries`` and ``/queries/{name}``.

``install_sparql(app, endpoint, catalog)`` adds:

- ``/sparql`` (GET and POST): the protocol's query operation. The request is read as the protocol
  says (a query by ``query=`` or as the body, ``default-graph-uri`` and ``named-graph-uri``, UTF-8
  only, SPARQL Update refused); the answer format is chosen per kind of query from content
  negotiation before the query runs, and the query runs through the endpoint with the guard as the
  job's checker. A GET without a query answers the service description
  (``app.state.service_description``, set by ``server.dataset``) as RDF; a browser (``text/html``
  preferred to JSON, or ``format=html``) gets it as a page with links to the editor and the named
  queries (:func:`service_page`).
- ``/queries``: the named queries with their typed parameters (JSON; the page for browsers);
- ``/queries/{name}``: a named query run with its parameters from the URL (JSON, CSV, TSV; the page
  for browsers).

The HTML variants are the editor's (``server.editor``). Every failure is answered in the one JSON shape.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from kamergraph.dataset import SD, service_description
from ontology.namespaces import RDF, RDFS, Iris
from queries.catalog import Catalog
from queries.errors import QueryRejected
from server.editor import named_query_page, queries_page
from server.endpoint import TRUNCATED_HEADER, ApiError, Endpoint, answer_job
from server.errors import error_response
from server.i18n import page_lang
from server.negotiation import NotAcceptable, UnknownFormat, choose, wants_html
from server.render import render
from store.base import StoreError
from store.pool import Answer, Job

log = logging.getLogger("kamergraph.server")

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"


# --------------------------------------------------------------------------- request reading


def _media_type(header: str | None) -> tuple[str | None, dict[str, str]]:
    if not header:
        return None, {}
    parts = [p.strip() for p in header.split(";")]
    params = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        params[k.strip().lower()] = v.strip().strip('"')
    return parts[0].lower(), params


def _check_charset(params: dict[str, str], what: str) -> None:
    charset = params.get("charset")
    if charset is not None and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise ApiError(415, f"{what} must be UTF-8, not {charset}")


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise ApiError(413, f"the request body ({int(declared):,} bytes) is larger than the limit of {limit:,} bytes")
        except ValueError:
            raise ApiError(400, "Content-Length is not a number") from None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"the request body is larger than the limit of {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"{what} is not valid UTF-8 (byte {exc.start})") from None


def _iri_list(values: list[str], name: str) -> list[str]:
    out = []
    for v in values:
        if not v or any(c in v for c in ' <>"{}|\\^`\n\r\t') or ":" not in v:
            raise ApiError(400, f"{name}: {v!r} is not an absolute IRI")
        out.append(v)
    return out


async def _protocol_request(request: Request, endpoint: Endpoint) -> tuple[str, list[tuple[str, str]]]:
    """The query text and all protocol parameters of a GET or POST, checked as the protocol says."""
    settings = endpoint.settings
    raw_query = request.url.query
    if len(raw_query) > settings.max_body_bytes:
        raise ApiError(414, f"the request URL is longer than the limit of {settings.max_body_bytes:,} bytes")
    try:
        params = parse_qsl(raw_query, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise ApiError(400, "the request URL's parameters are not valid UTF-8") from None
    text: str | None = None
    if request.method == "POST":
        media, mparams = _media_type(request.headers.get("content-type"))
        if media == SPARQL_UPDATE:
            raise ApiError(403, READ_ONLY)
        if media not in (FORM, SPARQL_QUERY):
            raise ApiError(
                415,
                (f"a POST with Content-Type {media} is not a SPARQL query; " if media else "a POST without Content-Type; ")
                + f"use {FORM} (query=…) or {SPARQL_QUERY} (the query as the body)",
            )
        body = await _read_body(request, settings.max_body_bytes)
        if media == FORM:
            _check_charset(mparams, "a form body")
            try:
                params += parse_qsl(_decode(body, "the form body"), keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                raise ApiError(400, "the form body's parameters are not valid UTF-8") from None
        else:
            _check_charset(mparams, "a SPARQL query body")
            text = _decode(body, "the query body")
            if any(k == "query" for k, _ in params):
                raise ApiError(400, "a query in the body and a query= parameter: give one query")
    if any(k in ("update", "using-graph-uri", "using-named-graph-uri") for k, _ in params):
        raise ApiError(403, READ_ONLY)
    if text is None:
        queries = [v for k, v in params if k == "query"]
        if not queries:
            raise ApiError(400, "no query: give query=… (GET or form POST) or POST the query as application/sparql-query")
        if len(queries) > 1:
            raise ApiError(400, f"{len(queries)} query parameters: give exactly one query")
        text = queries[0]
    return text, params


# --------------------------------------------------------------------------- the routes


def install_sparql(app: FastAPI, endpoint: Endpoint, catalog: Catalog) -> None:
    """Add ``/sparql``, ``/queries`` and ``/queries/{name}`` to ``app``, in that order."""

    @app.api_route("/sparql", methods=["GET", "POST"], name="sparql")
    async def sparql(request: Request) -> Response:
        """The SPARQL 1.1 Protocol query operation."""
        try:
            if request.method == "GET" and not any(k not in ("format", "lang") for k in request.query_params):
                if wants_html(request.headers.get("accept"), request.query_params.get("format")):
                    return service_page(request, endpoint)
                return await app.state.service_description(request)  # SPARQL 1.1 Service Description, §2
            return await _answer(request, endpoint)
        except ApiError as exc:
            return error_response(exc.status, exc.detail, exc.headers)
        except Exception:  # noqa: BLE001 - never a traceback to the client
            log.exception("unexpected error answering a SPARQL request")
            return error_response(500, "an unexpected error occurred on the server; it has been logged")

    @app.get("/queries", name="queries")
    async def named_queries(request: Request) -> Response:
        """The named queries, with their titles, descriptions and typed parameters (JSON; HTML for browsers)."""
        if wants_html(request.headers.get("accept"), request.query_params.get("format")):
            return await queries_page(request, endpoint, catalog)
        return JSONResponse(headers={"Vary": "Accept"}, content=_listing(catalog))

    @app.get("/queries/{name}", name="named_query")
    async def named_query(name: str, request: Request) -> Response:
        """Run a named query: its parameters from the URL, bound as typed values; JSON, CSV, TSV or HTML."""
        try:
            return await _named(request, endpoint, catalog, name)
        except ApiError as exc:
            return error_response(exc.status, exc.detail, exc.headers)


# --------------------------------------------------------------------------- the page for browsers

_RDF_ALTERNATES = (("turtle", "Turtle"), ("jsonld", "JSON-LD"), ("ntriples", "N-Triples"), ("rdfxml", "RDF/XML"))


def service_page(request: Request, endpoint: Endpoint) -> Response:
    """``GET /sparql`` for a browser: the service description (:func:`kamergraph.dataset.service_description`)
    as a page: the endpoint, its language, result formats, features and default dataset, in the page's
    language, with links to the editor, the named queries and the description as RDF."""
    lang = page_lang(request)
    iris = Iris(endpoint.settings.base)
    triples = service_description(iris, None)
    svc = next(t.subject.value for t in triples if t.predicate.value == RDF + "type" and t.object.value == SD + "Service")

    def values(s: str, p: str) -> list[str]:
        out = [t.object for t in triples if t.subject.value == s and t.predicate.value == p]
        langs = [o.value for o in out if getattr(o, "language", None) == lang]
        return langs or [o.value for o in out if not getattr(o, "language", None)]

    dataset = (values(svc, SD + "defaultDataset") or [""])[0]
    default_graph = (values(dataset, SD + "defaultGraph") or [""])[0]
    context = {
        "nav": "query",
        "service": svc,
        "endpoint": str(request.url_for("sparql")),
        "languages": [v.rsplit("#", 1)[-1] for v in values(svc, SD + "supportedLanguage")],
        "formats": [v.rsplit("/", 1)[-1].replace("_", " ") for v in values(svc, SD + "resultFormat")],
        "features": [v.rsplit("#", 1)[-1] for v in values(svc, SD + "feature")],
        "comments": values(svc, RDFS + "comment"),
        "default_graph": values(default_graph, RDFS + "comment"),
        "named_graphs": [values(g, SD + "name")[0] for g in values(dataset, SD + "namedGraph") if values(g, SD + "name")],
        "alternates": [(f"/sparql?format={f}", label) for f, label in _RDF_ALTERNATES],
    }
    return render(request, "sparql.html", context, headers={"Vary": "Accept"})


# --------------------------------------------------------------------------- answering


def _listing(catalog: Catalog) -> dict[str, list[dict[str, object]]]:
    """``/queries`` as JSON: each named query's name, titles, description, typed parameters and URL."""
    return {"queries": [
        {
            "name": q.name,
            "title": {"nl": q.title("nl"), "en": q.title("en")},
            "description": q.description,
            "descriptions": dict(q.descriptions),
            "parameters": [
                {"name": p.name, "type": p.type, "default": p.default, "description": p.description}
                for p in q.params
            ],
            "url": f"/queries/{q.name}",
        }
        for q in catalog
    ]}


def _format(kind: str, request: Request, formats: list[str], *, html: bool = False) -> tuple[str, str]:
    """The media type and writer format for a query of this kind, by Accept or format= (``html``: a page too)."""
    try:
        return choose(kind, request.headers.get("accept"), formats[0] if formats else None, html=html)
    except NotAcceptable as exc:
        raise ApiError(406, str(exc)) from None
    except UnknownFormat as exc:
        raise ApiError(400, str(exc)) from None


def _body_response(endpoint: Endpoint, answer: Answer, media_type: str) -> Response:
    """An answer's body as the response (flagged when the row limit or the size cap cut it)."""
    headers = {"Vary": "Accept"}
    if answer.truncated:
        headers[TRUNCATED_HEADER] = "true"
        headers["X-Kamergraph-Row-Limit"] = str(endpoint.settings.query_row_limit)
    return Response(answer.body or b"", media_type=media_type, headers=headers)


async def _respond(endpoint: Endpoint, job: Job, media_type: str) -> Response:
    """Run a job in the worker pool and answer with its body; failures become ApiErrors."""
    return _body_response(endpoint, await answer_job(endpoint, job, ApiError), media_type)


async def _named(request: Request, endpoint: Endpoint, catalog: Catalog, name: str) -> Response:
    params = list(request.query_params.multi_items())
    formats = [v for k, v in params if k == "format"]
    values = {k: v for k, v in params if k != "format"}
    known = catalog.get(name)
    try:
        media_type, fmt = _format(known.kind if known else "select", request, formats, html=True)
    except ApiError:
        if known is None:
            raise ApiError(404, f"no named query {name!r}") from None
        raise
    if fmt == "html":  # a browser: the page with the form, the results table and download links
        return await named_query_page(request, endpoint, catalog, name, params)
    try:
        query = catalog[name]
        bindings = query.bind(values)
    except QueryRejected as exc:
        raise ApiError(404 if name not in catalog else exc.status, exc.message) from None
    job = Job(query.text, output=fmt, bindings=bindings, row_limit=endpoint.settings.query_row_limit)
    return await _respond(endpoint, job, media_type)


def _check_graphs(endpoint: Endpoint, default_graphs: list[str], named_graphs: list[str]) -> None:
    """The protocol dataset's graphs must be in the store (a look-up; an ASK on a remote store)."""
    for name, graphs in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
        for g in graphs:
            if not endpoint.graph_exists(g):
                raise ApiError(403, f"{name} <{g}>: no such graph in this store")


KINDS = ("select", "ask", "construct", "describe")


def _outputs(request: Request, formats: list[str]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """For each kind of query: the worker format and the media type the client accepts (by Accept or
    format=), and why a kind fits nothing; 406 when no kind fits, 400 for an unknown format."""
    outputs: dict[str, str] = {}
    media: dict[str, str] = {}
    refused: dict[str, str] = {}
    for kind in KINDS:
        try:
            media[kind], outputs[kind] = choose(kind, request.headers.get("accept"), formats[0] if formats else None)
        except NotAcceptable as exc:
            refused[kind] = str(exc)
        except UnknownFormat as exc:
            raise ApiError(400, str(exc)) from None
    if not outputs:
        raise ApiError(406, refused["select"])
    return outputs, media, refused


def kind_of(answer: Answer) -> str:
    """The kind of query an answer is for (the checker's verdict, else the answer's own kind)."""
    kind = getattr(answer.checked, "kind", None)
    return kind if kind in KINDS else {"graph": "construct"}.get(answer.kind, answer.kind)


async def _answer(request: Request, endpoint: Endpoint) -> Response:
    settings = endpoint.settings
    text, params = await _protocol_request(request, endpoint)
    default_graphs = _iri_list([v for k, v in params if k == "default-graph-uri"], "default-graph-uri")
    named_graphs = _iri_list([v for k, v in params if k == "named-graph-uri"], "named-graph-uri")
    formats = [v for k, v in params if k in ("format", "output")]
    if len(formats) > 1:
        raise ApiError(400, f"more than one format: {', '.join(formats)}; give one")
    outputs, media, refused = _outputs(request, formats)
    if default_graphs or named_graphs:
        try:
            await run_in_threadpool(_check_graphs, endpoint, default_graphs, named_graphs)
        except StoreError as exc:
            raise ApiError(500, str(exc)) from None
    protocol_dataset = bool(default_graphs or named_graphs)
    job = Job(
        text,
        output=outputs,  # the worker picks by the kind the guard finds
        row_limit=settings.query_row_limit,
        default_graph=default_graphs if protocol_dataset else None,
        named_graphs=named_graphs if protocol_dataset else None,
        union_default_graph=True,  # unless the query names its own dataset (the worker sees its FROM)
        base_iri=str(request.url.replace(query="", fragment="")),  # the service-defined BASE
        checker=endpoint.checker,  # the guard, in the worker, under the query's time limit
    )
    answer = await answer_job(endpoint, job, ApiError, refused=refused)
    return _body_response(endpoint, answer, media[kind_of(answer)])
