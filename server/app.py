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
from server.editor import answer_job, install_editor, named_query_page, queries_page
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


class ApiError(Exception):
    """An error answered in the one JSON shape."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        super().__init__(detail)


def _without_text(answer: Answer) -> Answer:
    """The answer to keep: the guard's verdict without its copy of the query text (the key holds the
    text already; the routes read only the verdict's kind and dataset)."""
    checked = answer.checked
    if checked is None or not getattr(checked, "text", None):
        return answer
    try:
        return replace(answer, checked=replace(checked, text=""))
    except TypeError:  # not a dataclass: kept as it is (the cache counts it)
        return answer


class Endpoint:
    """What the routes share: the settings, and the store behind the endpoint — the embedded
    store's worker pool (with a read-only view for graph checks), or a remote SPARQL endpoint
    (``remote``, a :class:`store.remote.RemoteStore`): every query goes through :meth:`run`
    and every graph check through :meth:`graph_exists`, whichever it is."""

    def __init__(self, settings: Settings, store_path: Path | None, remote: RemoteStore | None = None) -> None:
        if (store_path is None) == (remote is None):
            raise ValueError("an endpoint runs on an embedded store (store_path) or a remote one (remote)")
        self.settings = settings
        self.store_path = store_path
        self.remote = remote
        limits = {
            "query_memory_mb": settings.query_memory_mb,
            "pool_memory_mb": settings.pool_memory_mb,
            "long_query_after": settings.long_query_after,
            "max_long_queries": settings.max_long_queries,
            "max_answer_bytes": settings.max_answer_bytes,
        }
        size = max(1, settings.query_workers)
        # the embedded store's query workers; for a remote store, workers without a store that run the
        # guard under the time limit (the query itself then goes to the remote endpoint)
        self.pool = WorkerPool(store_path if remote is None else None, size=size,
                               allow_network=bool(settings.allowed_services) and remote is None,
                               preload=("queries.guard",), **limits)  # the checker's module, imported once
        #: The guard, as every request's query text is checked in the worker that runs it.
        self.checker = functools.partial(check, allowed_services=tuple(settings.allowed_services))
        # answers of repeated queries, valid while the store's generation stays the same
        self.cache = ResultCache(settings.result_cache_mb * 1_000_000 if remote is None else 0)
        self._generation_seen = False
        self._meta: OxStore | None = None
        self._meta_lock = Lock()

    @property
    def location(self) -> str:
        return self.remote.endpoint if self.remote is not None else str(self.store_path)

    def start(self) -> None:
        if self.remote is not None:
            self.remote.check()  # an endpoint that is not there fails the start, naming the URL
        self.pool.start()

    def close(self) -> None:
        """Stop everything the endpoint started: its isolated helper processes (the pages' store
        overview), its query workers, the remote store's connections."""
        isolated.stop_all(self)
        if self.remote is not None:
            self.remote.close()
        self.pool.close()
        self._meta = None

    @property
    def meta(self) -> OxStore:
        with self._meta_lock:
            if self._meta is None:
                try:
                    self._meta = OxStore.read_only(str(self.store_path))
                except OSError as exc:
                    raise StoreError(f"cannot open the store read-only: {exc}") from None
            return self._meta

    def run(self, job: Job) -> Answer:
        """Run one query job with the settings' time limit (blocking: call it from a thread).

        Every route runs its queries through here, whatever the store behind the endpoint.
        """
        if self.remote is not None:  # no answer cache: a remote store can change behind our back
            return self._run_remote(job, self.settings.query_timeout)
        hit = self.cached(job)
        if hit is not None:
            return hit
        gen = generation.current(self.store_path)  # the generation the answer is computed on
        answer = self.pool.run(job, self.settings.query_timeout)
        self.cache.put(job, _without_text(answer), gen)
        return answer

    def _run_remote(self, job: Job, timeout: float) -> Answer:
        """A job on the remote store: its checker first, in a store-less worker under the time limit,
        then the checked text (in the format for its kind) on the remote endpoint in the time left."""
        if job.checker is None:
            return self.remote.run(job, timeout)  # type: ignore[union-attr]
        started = time.monotonic()
        checked = self.pool.run(replace(job, check_only=True, output="rows"), timeout).checked
        # a store-less worker cannot look graphs up: FROM and FROM NAMED are checked on the remote store
        for keyword, graphs in (("FROM", checked.from_graphs), ("FROM NAMED", checked.from_named)):
            for g in graphs:
                if not self.remote.graph_exists(g):  # type: ignore[union-attr]
                    raise QueryRejected(f"{keyword} <{g}>: no such graph in this store", 403)
        if job.check_only:
            return Answer("check", checked=checked)
        output = job.output
        if isinstance(output, dict):
            output = output.get(checked.kind) or (
                next((output[k] for k in ("construct", "describe") if k in output), None)
                if checked.kind in ("construct", "describe") else None)
            if output is None:
                raise KindNotAcceptable(checked.kind)
        union = job.union_default_graph and not (checked.from_graphs or checked.from_named)
        left = max(0.1, timeout - (time.monotonic() - started))
        try:
            answer = self.remote.run(replace(job, sparql=checked.text, checker=None, output=output,  # type: ignore[union-attr]
                                             union_default_graph=union), left)
        except QueryTimeout:
            raise QueryTimeout(timeout) from None  # the one limit of the check and the query together
        answer.checked = checked
        return answer

    def check(self, text: str) -> GuardedQuery:
        """The guard's verdict on a request's query text, from a worker under the time limit (blocking:
        call it from a thread); raises QueryRejected as the guard does."""
        job = Job(text, checker=self.checker, check_only=True)
        if self.remote is not None:
            return self._run_remote(job, self.settings.query_timeout).checked
        return self.pool.run(job, self.settings.query_timeout).checked

    def cached(self, job: Job) -> Answer | None:
        """The kept answer of this job on the store as it is now, if there is one (cheap: a
        ``stat`` and a dictionary look-up, so the routes call it before handing work to a thread)."""
        if self.remote is not None:
            return None
        self.sync_generation()
        return self.cache.get(job)

    def sync_generation(self) -> Generation:
        """The embedded store's generation now; when it has moved since the last request (a build
        swapped the store, an ingest wrote to it), the workers reopen the store and every kept
        answer and guard verdict is dropped, so nothing stale is ever served."""
        assert self.store_path is not None
        gen = generation.current(self.store_path)
        if self.cache.sync(gen):
            if self._generation_seen:
                log.info("the store at %s has changed: reloading the query workers", self.store_path)
                self.pool.reload()
                with self._meta_lock:
                    self._meta = None
            self._generation_seen = True
        return gen

    def graph_exists(self, iri: str) -> bool:
        if self.remote is not None:
            return self.remote.graph_exists(iri)  # an ASK on the server, remembered for a minute
        try:
            return self.meta.contains_named_graph(NamedNode(iri))
        except ValueError:
            return False


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
