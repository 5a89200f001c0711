"""The query editor page (``/query``) and the HTML pages of the named queries.

``install_editor(app, endpoint, catalog)`` adds:

- ``/query``: a SPARQL editor. The page is a plain form (a ``query`` textarea, a format choice)
  whose results the server renders as an HTML table, so it works without JavaScript. When the
  YASGUI bundle is installed (``npm ci`` in ``frontend/``: the ``@zazuko/yasgui`` package), the page
  upgrades the form to YASGUI: syntax highlighting, prefix completion from the project's own
  prefixes, results as a table. The editor talks to our own ``/sparql`` and nothing else: no CORS
  proxy, no URL shortener, no prefix.cc or LOV look-ups (``static/editor.js`` switches them off, and
  the pages' Content-Security-Policy lets the browser connect to this origin only).
- ``/static/kamergraph/``: the project's own CSS and JS; ``/static/vendor/yasgui/``: the package's
  built files, served from ``frontend/node_modules`` (nothing is copied into the repository).

The HTML variants of ``/queries`` and ``/queries/{name}`` (:func:`queries_page`,
:func:`named_query_page`) are called by those routes in ``server.sparql`` when the client prefers
HTML. Every value taken from data or from the request is autoescaped by Jinja2.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from ontology.namespaces import PREFIXES
from queries.catalog import QUERIES_DIR, Catalog, NamedQuery, Param
from queries.errors import QueryRejected
from server.endpoint import TRUNCATED_HEADER, Endpoint, guard, run_rows
from server.i18n import page_lang, tr
from server.negotiation import NotAcceptable, UnknownFormat, choose
from server.query_picks import Choice, pick_lists
from server.render import PageError, error_page, render, table
from store.pool import Job

log = logging.getLogger("kamergraph.server.editor")

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
FRONTEND_DIR = HERE.parent / "frontend"
#: Where ``npm ci`` in ``frontend/`` puts the YASGUI bundle the editor page loads.
YASGUI_BUILD = FRONTEND_DIR / "node_modules" / "@zazuko" / "yasgui" / "build"
YASGUI_FILES = ("yasgui.min.js", "yasgui.min.css")
EXAMPLES_DIR = QUERIES_DIR / "examples"

DEFAULT_QUERY = """PREFIX kg: <https://w3id.org/kamergraph/def#>
PREFIX dcterms: <http://purl.org/dc/terms/>

# The twenty most recent Kamervragen: case number, date and subject
SELECT ?zaak ?datum ?onderwerp
WHERE {
  ?kv a kg:Kamervraag ;
      kg:zaaknummer ?zaak ;
      dcterms:dateSubmitted ?datum .
  OPTIONAL { ?kv dcterms:title ?onderwerp }
}
ORDER BY DESC(?datum) ?zaak
LIMIT 20
"""

#: The format choice of the editor form: (value, label) per group; "html" is the table in the page.
FORMAT_CHOICES: list[tuple[str, list[tuple[str, str]]]] = [
    ("SELECT / ASK", [("html", "Tabel op deze pagina (HTML)"), ("csv", "CSV"), ("tsv", "TSV"),
                      ("json", "SPARQL JSON"), ("xml", "SPARQL XML")]),
    ("CONSTRUCT / DESCRIBE", [("turtle", "Turtle"), ("ntriples", "N-Triples"), ("jsonld", "JSON-LD"),
                              ("rdfxml", "RDF/XML")]),
]
#: Download links under a result, per kind of query.
DOWNLOADS: dict[str, list[tuple[str, str]]] = {
    "select": [("csv", "CSV"), ("tsv", "TSV"), ("json", "SPARQL JSON")],
    "ask": [("json", "SPARQL JSON"), ("xml", "SPARQL XML")],
    "construct": [("turtle", "Turtle"), ("ntriples", "N-Triples"), ("jsonld", "JSON-LD")],
    "describe": [("turtle", "Turtle"), ("ntriples", "N-Triples"), ("jsonld", "JSON-LD")],
}
NAMED_DOWNLOADS: list[tuple[str, str]] = [("csv", "CSV"), ("json", "SPARQL JSON"), ("tsv", "TSV")]
EXTENSIONS = {"csv": "csv", "tsv": "tsv", "json": "json", "xml": "xml", "turtle": "ttl", "ntriples": "nt",
              "jsonld": "jsonld", "rdfxml": "rdf"}

# --------------------------------------------------------------------------- examples and forms


def editor_link(text: str) -> str:
    """The editor page with ``text`` in its form, not run (``edit=1``: the visitor runs it from the form)."""
    return "/query?" + urlencode([("query", text), ("edit", "1")])


@dataclass(frozen=True, slots=True)
class Download:
    label: str
    href: str
    filename: str


@dataclass(frozen=True, slots=True)
class Example:
    """A query shown as an example on the editor page."""

    name: str
    title_nl: str
    title_en: str
    description: str
    text: str
    params: tuple[Param, ...] = ()
    named: bool = True  # a named query (with a page of its own), else a plain example file
    descriptions: Mapping[str, str] | None = None  # by language, where the query has more than one

    def describe(self, lang: str = "en") -> str:
        return (self.descriptions or {}).get(lang) or self.description

    def described_in(self, lang: str = "en") -> str:
        return lang if (self.descriptions or {}).get(lang) else "en"

    @property
    def editor_link(self) -> str:
        return editor_link(self.text)


def examples(catalog: Catalog, directory: Path = EXAMPLES_DIR) -> list[Example]:
    """The named queries, then the plain example files (their leading comment is the description)."""
    out = [Example(q.name, q.title("nl"), q.title("en"), q.description, q.text, q.params, True, q.descriptions)
           for q in catalog]
    for path in sorted(directory.glob("*.rq")) if directory.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        comment = []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            comment.append(line.lstrip("#").strip())
        description = " ".join(comment)
        out.append(Example(path.stem, path.stem, path.stem, description, text, named=False))
    return out


@dataclass(frozen=True, slots=True)
class Field:
    """One typed input of a named query's parameter form."""

    id: str
    name: str
    type: str  # the parameter's type, as the catalog says it
    input_type: str  # the HTML input type
    value: str
    required: bool
    description: str
    default: str | None
    hint: str
    choices: tuple[Choice, ...] = ()  # names to pick from (then a <select>), the IRI as each value
    selected: str = ""  # the choice the value means


_INTEGER_VALUE = re.compile(r"^[+-]?\d+$")
_DATE_VALUE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _input_type(p: Param, value: str) -> str:
    """The HTML input type for a parameter; "text" for a value the typed input could not show."""
    if p.base_type == "integer":
        return "number" if value == "" or _INTEGER_VALUE.match(value) else "text"
    if p.base_type == "date":
        return "date" if value == "" or _DATE_VALUE.match(value) else "text"
    if p.base_type == "iri" and not p.kinds:
        return "url"
    return "text"


def _hint(p: Param, lang: str = "nl") -> str:
    """What a parameter's input takes, in the page's language (the kinds are the ontology's class names)."""
    if p.base_type == "integer":
        return tr(lang, "geheel getal", "whole number")
    if p.base_type == "date":
        return tr(lang, "datum, JJJJ-MM-DD", "date, YYYY-MM-DD")
    if p.base_type == "iri" and p.kinds:
        return tr(lang, "IRI of sleutel van een ", "IRI or key of a ") + tr(lang, " of ", " or ").join(p.kinds)
    if p.base_type == "iri":
        return "IRI"
    return tr(lang, "tekst", "text")


def _choices(p: Param, value: str, base: str,
             lists: Mapping[str, Sequence[Choice]]) -> tuple[tuple[Choice, ...], str]:
    """The names a parameter is picked from (its lists), and the IRI its value means; a value that is
    in no list (given in the URL) stays a choice of its own, first, so that the form keeps it."""
    names = [c for k in p.picks for c in lists.get(k, ())]
    if not names:
        return (), ""
    try:
        selected = p.convert(value, base).value if value else ""
    except QueryRejected:
        selected = value
    if selected and all(c.value != selected for c in names):
        names.insert(0, Choice(selected, value))
    return tuple(names), selected


def form_fields(query: NamedQuery, values: Mapping[str, str], prefix: str = "", lang: str = "nl",
                lists: Mapping[str, Sequence[Choice]] | None = None) -> list[Field]:
    """The parameter form, prefilled with the given values or else the defaults (``today`` as a date);
    the hints in ``lang``. A parameter with a list of names in ``lists`` (:attr:`Param.picks`) is a
    choice of names, each with its IRI as the value."""
    out = []
    for p in query.params:
        value = values.get(p.name)
        if value is None or value == "":
            value = p.default or ""
            if p.base_type == "date" and value == "today":
                value = dt.date.today().isoformat()
        choices, selected = _choices(p, value, query.base, lists or {})
        if choices and p.optional:  # an optional pick may be left empty: every value (e.g. every fractie)
            choices = (Choice("", tr(lang, "(alle)", "(all)")), *choices)
        hint = tr(lang, "kies een naam", "pick a name") if choices else _hint(p, lang)
        out.append(Field(id=f"{prefix}{p.name}", name=p.name, type=p.type,
                         input_type="select" if choices else _input_type(p, value),
                         value=value, required=p.required, description=p.description, default=p.default,
                         hint=hint, choices=choices, selected=selected))
    return out


def with_format(path: str, items: Iterable[tuple[str, str]], fmt: str) -> str:
    """``path?…&format=fmt`` with the request's other parameters kept, in order."""
    kept = [(k, v) for k, v in items if k != "format"]
    return f"{path}?{urlencode([*kept, ('format', fmt)])}"


# --------------------------------------------------------------------------- the pages


def _sparql_path(request: Request) -> str:
    return request.url_for("sparql").path


def _editor_context(request: Request, catalog: Catalog, text: str | None, fmt: str) -> dict[str, Any]:
    """The editor page's context before any query ran: the form (``text`` or the default query), the
    format choice, the examples and prefixes, and YASGUI's settings."""
    sparql = _sparql_path(request)
    return {
        "nav": "query",
        "query": text if text is not None else "",
        "initial_query": text if text else DEFAULT_QUERY,
        "format": fmt,
        "format_choices": FORMAT_CHOICES,
        "examples": examples(catalog),
        "prefixes": PREFIXES,
        "result": None,
        "error": None,
        "downloads": [],
        "editor_config": {
            "endpoint": sparql,
            "prefixes": PREFIXES,
            "query": text if text else DEFAULT_QUERY,
            "download_label": tr(page_lang(request), "Downloaden: ", "Download: "),
            "download_name": tr(page_lang(request), "resultaat", "result"),
        },
    }


def _check_request(request: Request, max_bytes: int, texts: list[str], formats: list[str]) -> None:
    """A PageError for a request the editor cannot take: a URL past the limit, more than one query or format."""
    if len(request.url.query) > max_bytes:
        raise PageError(414, f"the request URL is longer than the limit of {max_bytes:,} bytes; "
                             f"POST the query to {_sparql_path(request)} instead")
    if len(texts) > 1:
        raise PageError(400, f"{len(texts)} query parameters: give exactly one query")
    if len(formats) > 1:
        raise PageError(400, f"more than one format: {', '.join(formats)}")


async def _download(request: Request, endpoint: Endpoint, text: str, fmt: str) -> Response:
    """A download from the form: the query is checked first (the format must fit its kind), then the
    browser is sent to /sparql for it."""
    guarded = await guard(endpoint, text)
    try:
        choose(guarded.kind, None, fmt)
    except UnknownFormat as exc:
        raise PageError(400, str(exc)) from None
    except NotAcceptable as exc:
        raise PageError(406, str(exc)) from None
    sparql = _sparql_path(request)
    return RedirectResponse(f"{sparql}?{urlencode([('query', text), ('format', fmt)])}", status_code=303)


async def _results(request: Request, endpoint: Endpoint, text: str, context: dict[str, Any],
                   headers: dict[str, str]) -> None:
    """Run ``text`` and add its results table and download links to ``context`` (and the truncation
    flag to ``headers``)."""
    settings = endpoint.settings
    sparql = _sparql_path(request)
    job = Job(
        text,
        output="rows",
        row_limit=settings.query_row_limit,
        base_iri=str(request.url_for("sparql")),  # the same BASE as /sparql, so downloads agree
        checker=endpoint.checker,  # checked and run in the worker, under one time limit
    )
    answer = await run_rows(endpoint, job)
    assert answer.result is not None
    # 10,000 rows take a while to turn into cells and HTML: in a thread, off the event loop
    context["result"] = await run_in_threadpool(table, answer.result, settings.query_row_limit)
    stem = tr(page_lang(request), "resultaat", "result")
    context["downloads"] = [
        Download(label, f"{sparql}?{urlencode([('query', text), ('format', f)])}", f"{stem}.{EXTENSIONS[f]}")
        for f, label in DOWNLOADS[answer.checked.kind]  # the kind the guard found
    ]
    if answer.truncated:
        headers[TRUNCATED_HEADER] = "true"


async def query_page(request: Request, endpoint: Endpoint, catalog: Catalog) -> Response:
    """``GET /query``: the editor; with ``query=`` the query's results as a table (or a download)."""
    texts = request.query_params.getlist("query")
    formats = request.query_params.getlist("format")
    fmt = (formats[0] if formats else "html").strip().lower() or "html"
    text = texts[0] if texts else None
    edit_only = request.query_params.get("edit") not in (None, "", "0")  # an example link: fill the form
    context = _editor_context(request, catalog, text, fmt)
    status = 200
    headers: dict[str, str] = {}
    try:
        _check_request(request, endpoint.settings.max_body_bytes, texts, formats)
        if text is not None and not edit_only:
            if not text.strip():
                raise PageError(400, "the query is empty")
            if fmt != "html":  # a download: checked first (the format must fit the kind), then /sparql
                return await _download(request, endpoint, text, fmt)
            await _results(request, endpoint, text, context, headers)
    except PageError as exc:
        status = exc.status
        context["error"] = exc.message
        headers.update(exc.headers)
    return await run_in_threadpool(render, request, "query.html", context, status, headers)


async def queries_page(request: Request, endpoint: Endpoint, catalog: Catalog) -> Response:
    """``GET /queries`` for browsers: every named query with its parameter form (names to pick from
    where a parameter has them) and links."""
    lang = page_lang(request)
    lists = await pick_lists(endpoint, catalog)
    items = [
        {
            "query": q,
            "fields": form_fields(q, {}, prefix=f"{q.name}-", lang=lang, lists=lists),
            "downloads": [Download(label, f"/queries/{q.name}?format={f}", f"{q.name}.{EXTENSIONS[f]}")
                          for f, label in NAMED_DOWNLOADS],
            "editor_link": editor_link(q.text),
        }
        for q in catalog
    ]
    return render(request, "queries.html", {"nav": "queries", "items": items}, headers={"Vary": "Accept"})


async def named_query_page(request: Request, endpoint: Endpoint, catalog: Catalog, name: str,
                           params: Sequence[tuple[str, str]]) -> Response:
    """``GET /queries/{name}`` for browsers: the form prefilled with the values, the results, downloads."""
    query = catalog.get(name)
    headers = {"Vary": "Accept"}
    if query is None:
        return error_page(request, 404, f"no named query {name!r}", headers)
    # ?lang= picks the page's language: no parameter of the query (unless it has one of that name),
    # and not passed on to the download links (the API would reject it)
    params = [(k, v) for k, v in params if k != "lang" or any(p.name == "lang" for p in query.params)]
    values = {k: v for k, v in params if k != "format"}
    path = request.url.path
    lists = await pick_lists(endpoint, [query])
    context: dict[str, Any] = {
        "nav": "queries",
        "query": query,
        "fields": form_fields(query, values, lang=page_lang(request), lists=lists),
        "result": None,
        "error": None,
        "downloads": [Download(label, with_format(path, params, f), f"{name}.{EXTENSIONS[f]}")
                      for f, label in NAMED_DOWNLOADS],
        "editor_link": editor_link(query.text),
    }
    status = 200
    try:
        try:
            bindings = query.bind(values)
        except QueryRejected as exc:
            raise PageError(exc.status, exc.message) from None
        job = Job(query.text, output="rows", bindings=bindings, row_limit=endpoint.settings.query_row_limit)
        answer = await run_rows(endpoint, job)
        assert answer.result is not None
        context["result"] = await run_in_threadpool(table, answer.result, endpoint.settings.query_row_limit)
        if answer.truncated:
            headers[TRUNCATED_HEADER] = "true"
    except PageError as exc:
        status = exc.status
        context["error"] = exc.message
        context["downloads"] = []
        headers.update(exc.headers)
    return await run_in_threadpool(render, request, "named_query.html", context, status, headers)


# --------------------------------------------------------------------------- wiring


def editor_files_present(build: Path = YASGUI_BUILD) -> bool:
    return all((build / f).is_file() for f in YASGUI_FILES)


def install_editor(app: FastAPI, endpoint: Endpoint, catalog: Catalog, *, yasgui_build: Path | None = None) -> None:
    """Add the editor page and the static files to ``app`` (call once, at the end of ``create_app``)."""
    build = yasgui_build if yasgui_build is not None else YASGUI_BUILD
    app.mount("/static/kamergraph", StaticFiles(directory=STATIC_DIR), name="static")
    installed = editor_files_present(build)
    if installed:
        app.mount("/static/vendor/yasgui", StaticFiles(directory=build), name="vendor-yasgui")
    else:
        log.warning("the YASGUI editor is not installed (no %s); /query works as a plain form. "
                    "Run `npm ci` in %s (make setup does).", build / YASGUI_FILES[0], FRONTEND_DIR)
    app.state.editor_installed = installed

    @app.get("/query", name="query_editor", include_in_schema=False)
    async def query_editor(request: Request) -> Response:
        """The SPARQL query editor; ``?query=…`` runs a query and shows its results as a table."""
        return await query_page(request, endpoint, catalog)
