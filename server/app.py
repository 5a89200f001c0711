"""The web application: the SPARQL 1.1 Protocol endpoint on the embedded store, and its pages.

``create_app()`` builds the FastAPI application from its parts and adds nothing of its own: the
endpoint (``server.endpoint``: the query service every route runs its queries through), the error
handlers and middleware, the SPARQL protocol routes (``server.sparql``), then each kind of page
(``server.editor``, ``server.search_pages``, ``server.pages``, ``server.dumps``, ``server.dataset``,
``server.ontology_pages``), in that order.

Every query text that comes from a request runs in a pooled worker process (``store.pool``) with the
guard as the job's checker: the worker checks the text (read-only, no SERVICE unless allow-listed,
FROM only of graphs in the store), then runs the one normalised text it checked, under one time
limit for both, with the row limit, memory limits and answer size cap of the settings; nothing heavy
runs on the event loop. The answer format is chosen per kind of query from content negotiation
before the query runs (the worker picks by the kind it found). On a remote store the check runs in
store-less workers under the time limit and the checked text goes to the remote endpoint. Every
error, whatever its cause, is answered in one JSON shape::

    {"error": {"status": 400, "title": "Bad Request", "detail": "SPARQL syntax error at line 1, …"}}

and never with a traceback.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from http import HTTPStatus
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from kamergraph.settings import Settings, get_settings
from queries.catalog import Catalog
from server.dataset import install_dataset
from server.dumps import install_dumps
from server.editor import install_editor
from server.endpoint import ApiError, Endpoint
from server.errors import error_response
from server.memory import give_back_large_allocations
from server.middleware import JsonErrors, SingleParameters
from server.ontology_pages import install_ontology
from server.pages import install_pages
from server.pages.validation import install_validation
from server.search_pages import index_path_for, install_search
from server.sparql import install_sparql
from store.remote import RemoteStore

log = logging.getLogger("kamergraph.server")


def create_app(settings: Settings | None = None, store_path: str | os.PathLike[str] | None = None) -> FastAPI:
    """The web application on the store at ``store_path`` (default: the ``store`` setting): an
    embedded store's directory, or the http(s):// URL of a remote SPARQL endpoint."""
    settings = settings or get_settings()
    give_back_large_allocations()  # ~1 MB query texts must not stay resident once freed (server.memory)
    endpoint = _endpoint(settings, store_path)
    app = FastAPI(
        title="kamergraph",
        description="A knowledge graph of Dutch written parliamentary questions: SPARQL 1.1 Protocol endpoint.",
        lifespan=_lifespan(endpoint),
        docs_url=None,
        redoc_url=None,
    )
    app.state.endpoint = endpoint
    app.state.settings = settings
    app.add_middleware(JsonErrors)  # a plain-text error from below the routes (Range, static files) as JSON
    app.add_middleware(SingleParameters)  # a repeated parameter is a 400, not "the last one wins"
    _install_error_handlers(app)
    catalog = Catalog.load(base=settings.base)
    install_sparql(app, endpoint, catalog)  # /sparql, /queries, /queries/{name}
    _install_pages(app, endpoint, settings, catalog)
    return app


def _endpoint(settings: Settings, store_path: str | os.PathLike[str] | None) -> Endpoint:
    """The endpoint on ``store_path`` (default: the ``store`` setting): a remote SPARQL endpoint for an
    http(s):// URL (no worker pool), else the embedded store in that directory."""
    location = str(store_path if store_path is not None else settings.store)
    if location.startswith(("http://", "https://")):  # a remote SPARQL endpoint: no worker pool
        return Endpoint(settings, None, remote=RemoteStore.from_settings(location, settings))
    return Endpoint(settings, Path(location))


def _lifespan(endpoint: Endpoint) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The application's lifespan: the endpoint starts with it and stops with it."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(endpoint.start)
        try:
            yield
        finally:  # every process the application started ends with it (issue 13 item 15)
            await run_in_threadpool(endpoint.close)

    return lifespan


def _install_error_handlers(app: FastAPI) -> None:
    """Every error, whatever raised it, answered in the one JSON shape (never a traceback)."""

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


def _install_pages(app: FastAPI, endpoint: Endpoint, settings: Settings, catalog: Catalog) -> None:
    """Each kind of page, in this order (the order of the routes is the order they are matched in)."""
    install_editor(app, endpoint, catalog)  # /query, the HTML pages' static files
    install_search(app, endpoint, index_path_for(endpoint.location, endpoint.remote is not None))  # /zoeken, /kamervragen
    install_pages(app, endpoint)  # /, /id/…, /graph/…, /resource: a page and RDF for every resource
    install_validation(app, endpoint)  # /validatie: every current finding of the store, as a page or SHACL report
    install_dumps(app, endpoint, settings)  # /dumps/, /dumps/{file}, /def/context.jsonld
    install_dataset(app, endpoint, settings)  # /.well-known/void, /dataset, GET /sparql's service description
    install_ontology(app, endpoint)  # /def, /def/shapes, /def/diagram.svg: the vocabulary
