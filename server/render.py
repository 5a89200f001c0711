"""Rendering HTML: the one Jinja2 environment of every page, the page errors and the result tables.

Every page module renders through :func:`render` (the pages' security headers, the request's language,
``text/html; charset=utf-8``) from the one :data:`templates` environment (``server/templates``,
autoescaped, with the i18n helpers installed); a failure a page shows is a :class:`PageError`, and
:func:`error_page` answers it as HTML. :func:`table` turns a query result into :class:`Cell` rows for
the results tables of the editor and the named queries. This module imports no page module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from ontology.namespaces import PREFIXES, XSD
from server.i18n import install as install_i18n, page_lang
from store.base import QueryResult

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"

HTML_MEDIA = "text/html; charset=utf-8"
#: The browser may load scripts, styles, images and data from this origin only (YASGUI sets some
#: styles inline and uses data: images for its icons).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

_LOCAL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_LINKABLE = re.compile(r"^https?://", re.IGNORECASE)


class PageError(Exception):
    """A failure shown in the page, with the HTTP status the page is answered with."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.message = message
        self.headers = headers or {}
        super().__init__(message)


# --------------------------------------------------------------------------- results as cells


@dataclass(frozen=True, slots=True)
class Cell:
    """One RDF term as the page shows it. ``href`` is set for http(s) IRIs only (never javascript:)."""

    kind: str  # iri | bnode | literal | triple | empty
    text: str = ""
    href: str | None = None
    title: str | None = None  # the full IRI when ``text`` is its prefixed name
    lang: str | None = None
    datatype: str | None = None  # prefixed name of a datatype other than xsd:string


@dataclass(frozen=True, slots=True)
class Table:
    """A query result ready for the page: a SELECT's rows, an ASK's answer or a graph's triples."""

    kind: str  # select | ask | graph
    columns: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False
    row_limit: int | None = None


def compact(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str | None:
    """``kg:Kamervraag`` for an IRI in a known namespace (the longest wins), else None."""
    best: tuple[int, str] | None = None
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and _LOCAL.match(iri[len(ns):]) and (best is None or len(ns) > best[0]):
            best = (len(ns), f"{prefix}:{iri[len(ns):]}")
    return best[1] if best else None


def cell(term: object) -> Cell:
    if term is None:
        return Cell("empty")
    if isinstance(term, NamedNode):
        iri = term.value
        short = compact(iri)
        return Cell("iri", short or iri, href=iri if _LINKABLE.match(iri) else None, title=iri if short else None)
    if isinstance(term, BlankNode):
        return Cell("bnode", f"_:{term.value}")
    if isinstance(term, Literal):
        if term.language:
            return Cell("literal", term.value, lang=term.language)
        dtype = term.datatype.value
        if dtype == XSD + "string":
            return Cell("literal", term.value)
        return Cell("literal", term.value, datatype=compact(dtype) or dtype)
    if isinstance(term, Triple):
        return Cell("triple", f"<< {term.subject} {term.predicate} {term.object} >>")
    return Cell("literal", str(term))


def table(result: QueryResult, row_limit: int | None) -> Table:
    if result.kind == "ask":
        return Table("ask", boolean=result.boolean, row_limit=row_limit)
    if result.kind == "graph":
        rows = [[cell(t.subject), cell(t.predicate), cell(t.object)] for t in result.triples]
        return Table("graph", ["subject", "predicate", "object"], rows, truncated=result.truncated,
                     row_limit=row_limit)
    rows = [[cell(t) for t in row] for row in result.rows]
    return Table("select", list(result.variables), rows, truncated=result.truncated, row_limit=row_limit)


# --------------------------------------------------------------------------- templates


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,  # every template, whatever its name: data never becomes markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    install_i18n(env)  # tr(), lang_url() … for base.html and the editor's pages (the resource pages share this env)
    return env


templates = Jinja2Templates(env=_environment())


def render(request: Request, name: str, context: dict[str, Any], status: int = 200,
           headers: Mapping[str, str] | None = None) -> Response:
    """A page from ``name``; ``lang`` is the request's (``?lang=``, the cookie, else Dutch) unless the
    context sets it."""
    ctx = {
        "editor_installed": bool(getattr(request.app.state, "editor_installed", False)),
        "lang": page_lang(request),
        "status": status,
        **context,
    }
    all_headers = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", **(headers or {})}
    return templates.TemplateResponse(request, name, ctx, status_code=status, headers=all_headers,
                                      media_type=HTML_MEDIA)


def error_page(request: Request, status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """An error as an HTML page (for requests that asked for HTML); API requests keep the JSON shape."""
    return render(request, "error.html", {"status": status, "message": message, "nav": ""}, status, headers)
