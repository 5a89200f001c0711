"""The web application: the SPARQL 1.1 Protocol endpoint on the embedded store.

``create_app()`` builds the FastAPI application. Every query text that comes from a request runs
in a pooled worker process (``store.pool``) with the guard as the job's checker: the worker checks
the text (read-only, no SERVICE unless allow-listed, FROM only of graphs in the store), then runs
the one normalised text it checked, under one time limit for both, with the row limit, memory
limits and answer size cap of the settings; nothing heavy runs on the event loop. The answer
format is chosen per kind of query from content negotiation before the query runs (the worker
picks by the kind it found). On a remote store the check runs in store-less workers under the
time limit and the checked text goes to the remote endpoint. Every error,
whatever its cause, is answered in one JSON shape::

    {"error": {"status": 400, "title": "Bad Request", "detail": "SPARQL syntax error at line 1, …"}}

and never with a traceback.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from dataclasses import replace
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path
from threading import Lock
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pyoxigraph import NamedNode, Store as OxStore
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from kamergraph.settings import Settings, get_settings
from queries.catalog import Catalog
from queries.errors import QueryRejected
from queries.guard import GuardedQuery, check
from server import isolated
from server.errors import error_response
from server.memory import give_back_large_allocations
from server.middleware import JsonErrors, SingleParameters
from server.editor import install_editor, named_query_page, queries_page
from server.endpoint import ApiError, Endpoint, answer_job
from server.negotiation import NotAcceptable, UnknownFormat, choose, wants_html
from store.base import KindNotAcceptable, QueryTimeout, StoreError
from store.pool import Answer, Job, WorkerPool
from store import generation
from store.generation import Generation
from server.cache import ResultCache
from store.remote import RemoteStore

log = logging.getLogger("kamergraph.server")

TRUNCATED_HEADER = "X-Kamergraph-Truncated"
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


# --------------------------------------------------------------------------- the application


def create_app(settings: Settings | None = None, store_path: str | os.PathLike[str] | None = None) -> FastAPI:
    """The web application on the store at ``store_path`` (default: the ``store`` setting): an
    embedded store's directory, or the http(s):// URL of a remote SPARQL endpoint."""
    settings = settings or get_settings()
    give_back_large_allocations()  # ~1 MB query texts must not stay resident once freed (server.memory)
    location = str(store_path if store_path is not None else settings.store)
    if location.startswith(("http://", "https://")):  # a remote SPARQL endpoint: no worker pool
        endpoint = Endpoint(settings, None, remote=RemoteStore.from_settings(location, settings))
    else:
        endpoint = Endpoint(settings, Path(location))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(endpoint.start)
        try:
            yield
        finally:  # every process the application started ends with it (issue 13 item 15)
            await run_in_threadpool(endpoint.close)

    app = FastAPI(
        title="kamergraph",
        description="A knowledge graph of Dutch written parliamentary questions: SPARQL 1.1 Protocol endpoint.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.endpoint = endpoint
    app.state.settings = settings
    app.add_middleware(JsonErrors)  # a plain-text error from below the routes (Range, static files) as JSON
    app.add_middleware(SingleParameters)  # a repeated parameter is a 400, not "the last one wins"

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.detail, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if exc.status_code == 405:
            detail = f"method {request.method} is not allowed here" + (
                "; the SPARQL endpoint takes GET and POST" if request.url.path.startswith("/sparql") else ""
            )
        elif exc.status_code == 404:
            detail = f"no such page: {request.url.path}"
        return error_response(exc.status_code, detail, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
        return error_response(400, f"invalid request: {problems}")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "an unexpected error occurred on the server; it has been logged")

    @app.api_route("/sparql", methods=["GET", "POST"], name="sparql")
    async def sparql(request: Request) -> Response:
        """The SPARQL 1.1 Protocol query operation."""
        try:
            if request.method == "GET" and not any(k != "format" for k in request.query_params):
                return await app.state.service_description(request)  # SPARQL 1.1 Service Description, §2
            return await _answer(request, endpoint)
        except ApiError as exc:
            return error_response(exc.status, exc.detail, exc.headers)
        except Exception:  # noqa: BLE001 - never a traceback to the client
            log.exception("unexpected error answering a SPARQL request")
            return error_response(500, "an unexpected error occurred on the server; it has been logged")

    catalog = Catalog.load(base=settings.base)

    @app.get("/queries", name="queries")
    async def named_queries(request: Request) -> Response:
        """The named queries, with their titles, descriptions and typed parameters (JSON; HTML for browsers)."""
        if wants_html(request.headers.get("accept"), request.query_params.get("format")):
            return await queries_page(request, catalog)
        return JSONResponse(headers={"Vary": "Accept"}, content={"queries": [
            {
                "name": q.name,
                "title": {"nl": q.title("nl"), "en": q.title("en")},
                "description": q.description,
                "parameters": [
                    {"name": p.name, "type": p.type, "default": p.default, "description": p.description}
                    for p in q.params
                ],
                "url": f"/queries/{q.name}",
            }
            for q in catalog
        ]})

    @app.get("/queries/{name}", name="named_query")
    async def named_query(name: str, request: Request) -> Response:
        """Run a named query: its parameters from the URL, bound as typed values; JSON, CSV, TSV or HTML."""
        try:
            return await _named(request, endpoint, catalog, name)
        except ApiError as exc:
            return error_response(exc.status, exc.detail, exc.headers)

    install_editor(app, endpoint, catalog)  # /query, the HTML pages' static files
    from server.search_pages import index_path_for, install_search  # /zoeken, /kamervragen (SQLite index)

    install_search(app, endpoint, index_path_for(endpoint.location, endpoint.remote is not None))
    from server.pages import install_pages  # /, /id/…, /graph/…, /resource: a page and RDF for every resource

    install_pages(app, endpoint)
    from server.dumps import install_dumps  # /dumps/, /dumps/{file}, /def/context.jsonld

    install_dumps(app, endpoint, settings)
    from server.dataset import install_dataset  # /.well-known/void, /dataset, GET /sparql's service description

    install_dataset(app, endpoint, settings)
    from server.ontology_pages import install_ontology  # /def, /def/shapes, /def/diagram.svg: the vocabulary

    install_ontology(app, endpoint)
    return app


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
