"""The SPARQL endpoint under the remote store: which server it is, its update and Graph Store
URLs, authenticated HTTP, and query jobs run on it like a worker of the embedded pool runs them
(see :mod:`store.remote` for each server's habits)."""

from __future__ import annotations

import http.client
import logging
import math
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import closing
from typing import Any
from xml.etree import ElementTree

from pyoxigraph import (
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
    serialize,
)
from SPARQLWrapper import ASK, CONSTRUCT, DESCRIBE, POST, SELECT, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    Unauthorized,
    URITooLong,
)

from store.base import QueryError, QueryResult, QueryTimeout, StoreError, Term
from store.pool import GRAPH_FORMATS, RESULT_FORMATS, Answer, Job
from store.remote_http import AGENT, HttpAuth, ResponseBody, drain, server_message
from store.remote_results import (
    GRAPH_MEDIA,
    RESULT_MEDIA,
    read_json_results,
    read_xml_results,
    virtuoso_boolean,
    write_boolean,
    write_solutions,
)
from store.sparqltext import bind, iri_sparql, query_form

log = logging.getLogger("kamergraph.store.remote")

DIALECTS = ("auto", "oxigraph", "virtuoso", "generic")

# The formats each kind of server writes faithfully, and that can be read back to count rows
# (CSV cannot): those are asked for as they are and passed on unless the row limit cut them.
NATIVE: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "oxigraph": (frozenset({"json", "xml", "tsv"}), frozenset(GRAPH_MEDIA)),
    "virtuoso": (frozenset(), frozenset({"ntriples"})),
    "generic": (frozenset({"json", "xml", "tsv"}), frozenset({"turtle", "ntriples", "rdfxml"})),
}
# What is asked for otherwise, and written locally into the wanted format.
EXCHANGE = {"oxigraph": ("json", "ntriples"), "virtuoso": ("xml", "ntriples"), "generic": ("json", "ntriples")}

DEFAULT_PAGE = 10_000  # rows per page where the server's own limit is not known (Virtuoso's default)
_TIMEOUT_CODES = re.compile(r"\b(S1T00|SR171|S1TAT)\b|timed? ?out", re.IGNORECASE)


class RemoteEndpoint:
    """A SPARQL endpoint at ``endpoint``, asked what server it is on first use.

    ``update_endpoint``: where SPARQL Update goes ("" derives it: ``…/query`` -> ``…/update``;
    Virtuoso ``…/sparql`` with credentials -> ``…/sparql-auth``; else ``endpoint`` itself).
    ``gsp_endpoint``: the Graph Store Protocol endpoint ("auto" derives it: ``…/query`` ->
    ``…/store``; Virtuoso ``…/sparql`` -> ``…/sparql-graph-crud(-auth)``; "" uses SPARQL Update).
    ``timeout``: seconds an HTTP request other than a time-limited query may take.
    ``page_size``: rows per request when reading whole graphs from servers that cut long answers
    (default: Virtuoso's ResultSetMaxRows, read from the server, else 10000).
    """

    def __init__(
        self,
        endpoint: str,
        *,
        update_endpoint: str = "",
        gsp_endpoint: str = "auto",
        user: str = "",
        password: str = "",
        auth: str = "digest",
        timeout: float = 300.0,
        dialect: str = "auto",
        page_size: int | None = None,
    ) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise StoreError(f"{endpoint}: a remote store is an http(s):// SPARQL endpoint")
        if dialect not in DIALECTS:
            raise StoreError(f"unknown store dialect {dialect!r}: one of {', '.join(DIALECTS)}")
        self.endpoint = endpoint
        self._update_setting = update_endpoint
        self._gsp_setting = gsp_endpoint
        self._auth = HttpAuth(user, password, auth) if user else None
        self.timeout = float(timeout)
        self._dialect_setting = dialect
        self.page_size_setting = max(1, page_size) if page_size is not None else None
        self._opener = urllib.request.build_opener()
        self._lock = threading.Lock()
        self._dialect: str | None = None
        self.max_rows: int | None = None  # Virtuoso's ResultSetMaxRows (None: unknown or unlimited)
        self._closed = False

    # ------------------------------------------------------------------ the server

    @property
    def dialect(self) -> str:
        """'oxigraph', 'virtuoso' or 'generic': asked of the server once (its Server header)."""
        if self._dialect is None:
            self.check()
        assert self._dialect is not None
        return self._dialect

    def check(self) -> None:
        """Ask the endpoint an empty ASK: it must answer like a SPARQL endpoint (StoreError otherwise)."""
        with self._lock:
            if self._dialect is not None:
                return
            url = self.endpoint + ("&" if "?" in self.endpoint else "?") + urllib.parse.urlencode({"query": "ASK {}"})
            req = urllib.request.Request(url, headers={"Accept": f"{RESULT_MEDIA['xml']}, {RESULT_MEDIA['json']};q=0.9",
                                                       "User-Agent": AGENT})
            try:
                with closing(self._open(req, min(self.timeout, 30.0), learn_auth=True)) as resp:
                    server = resp.headers.get("Server", "") or ""
                    ctype = (resp.headers.get("Content-Type", "") or "").split(";")[0].strip().lower()
                    resp.read(65536)
            except TimeoutError:
                raise StoreError(f"{self.endpoint}: the SPARQL endpoint did not answer within "
                                 f"{min(self.timeout, 30.0):g} s") from None
            except urllib.error.HTTPError as exc:
                raise StoreError(f"{self.endpoint}: not a SPARQL endpoint that answers queries "
                                 f"(HTTP {exc.code} {exc.reason}: {server_message(exc, 200)})") from None
            if ctype not in (RESULT_MEDIA["xml"], RESULT_MEDIA["json"], "application/xml", "text/xml",
                             "application/json"):
                raise StoreError(f"{self.endpoint}: does not answer like a SPARQL endpoint "
                                 f"(an ASK query came back as {ctype or 'no content type'})")
            if self._dialect_setting != "auto":
                dialect = self._dialect_setting
            elif server.lower().startswith("oxigraph"):
                dialect = "oxigraph"
            elif "virtuoso" in server.lower():
                dialect = "virtuoso"
            else:
                dialect = "generic"
            self._dialect = dialect
        if dialect == "virtuoso":
            self._learn_virtuoso_limits()

    def _learn_virtuoso_limits(self) -> None:
        q = ("SELECT (bif:cfg_item_value(bif:virtuoso_ini_path(), 'SPARQL', 'ResultSetMaxRows') AS ?m) WHERE {}")
        try:
            _, rows, _ = self._select(q)
            value = rows[0][0].value if rows and rows[0][0] is not None else ""
            self.max_rows = int(value) if value and int(value) > 0 else None
        except (StoreError, ValueError) as exc:
            log.info("%s: cannot read Virtuoso's ResultSetMaxRows (%s); reading in pages of %d rows",
                     self.endpoint, exc, self._page())

    def _derived(self, old: str, new: str) -> str | None:
        p = urllib.parse.urlsplit(self.endpoint)
        if p.path.endswith(old):
            return urllib.parse.urlunsplit(p._replace(path=p.path[: -len(old)] + new))
        return None

    @property
    def update_url(self) -> str:
        if self._update_setting:
            return self._update_setting
        oxigraph_style = self._derived("/query", "/update")
        if oxigraph_style:
            return oxigraph_style
        if self.dialect == "virtuoso" and self._auth is not None:
            return self._derived("/sparql", "/sparql-auth") or self.endpoint
        return self.endpoint

    @property
    def gsp_url(self) -> str | None:
        setting = self._gsp_setting
        if setting == "auto":
            oxigraph_style = self._derived("/query", "/store")
            if oxigraph_style:
                return oxigraph_style
            if self.dialect == "virtuoso":
                return self._derived("/sparql", "/sparql-graph-crud-auth" if self._auth else "/sparql-graph-crud")
            return None
        return setting or None


    # ------------------------------------------------------------------ HTTP

    def _open(self, req: urllib.request.Request, timeout: float, *, learn_auth: bool = False) -> Any:
        """Send ``req`` with the credentials; once more after a (new) digest challenge."""
        where = req.full_url.split("?")[0]
        for attempt in (1, 2):
            if self._auth is not None:
                hdr = self._auth.header(req.get_method(), req.full_url)
                if hdr:
                    req.add_header("Authorization", hdr)
            try:
                return self._opener.open(req, timeout=timeout)
            except urllib.error.HTTPError as exc:
                if attempt == 1 and exc.code == 401 and self._auth is not None and \
                        self._auth.learn(req.full_url, exc.headers.get_all("WWW-Authenticate") or []):
                    exc.close()
                    continue
                if exc.code == 401 and learn_auth:
                    raise StoreError(f"{where}: the server asks for credentials (HTTP 401); "
                                     "set KAMERGRAPH_STORE_USER and KAMERGRAPH_STORE_PASSWORD") from None
                raise
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                    raise TimeoutError(str(exc.reason)) from None
                raise StoreError(f"cannot reach the SPARQL server at {where}: {exc.reason}") from None
            except (http.client.HTTPException, ConnectionError) as exc:
                raise StoreError(f"the connection to {where} failed: {exc}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method: str, url: str, body: bytes | None = None, content_type: str | None = None,
              accept: str | None = None, what: str = "request") -> Any:
        """A write (or a Graph Store read) that must succeed: StoreError naming the URL otherwise."""
        if self._auth is not None and not self._auth.ready(url):
            self._learn_challenge(url)
        headers = {"User-Agent": AGENT}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            return self._open(req, self.timeout)
        except urllib.error.HTTPError as exc:
            if exc.code == 401:
                raise StoreError(f"{url.split('?')[0]}: the server refused the credentials for the {what} "
                                 f"(HTTP 401); check KAMERGRAPH_STORE_USER, _PASSWORD and _AUTH") from None
            raise StoreError(f"{url.split('?')[0]}: the {what} failed (HTTP {exc.code} {exc.reason}): "
                             f"{server_message(exc)}") from None
        except TimeoutError:
            raise StoreError(f"{url.split('?')[0]}: the {what} took longer than {self.timeout:g} s "
                             "(KAMERGRAPH_STORE_TIMEOUT)") from None

    def _learn_challenge(self, url: str) -> None:
        req = urllib.request.Request(url, method="GET", headers={"User-Agent": AGENT})
        try:
            with closing(self._opener.open(req, timeout=min(self.timeout, 30.0))) as resp:
                resp.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 401 and self._auth is not None:
                self._auth.learn(url, exc.headers.get_all("WWW-Authenticate") or [])
            exc.close()
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise StoreError(f"cannot reach the SPARQL server at {url.split('?')[0]}: "
                             f"{getattr(exc, 'reason', exc)}") from None

    # ------------------------------------------------------------------ queries

    def _protocol_query(self, text: str, form: str, accept: str, params: list[tuple[str, str]],
                        timeout: float) -> SPARQLWrapper:
        """One protocol query (POST, form-encoded) made ready to send, without credentials."""
        sw = SPARQLWrapper(self.endpoint, agent=AGENT)
        sw.setOnlyConneg(True)
        sw.setMethod(POST)
        sw.setRequestMethod(URLENCODED)
        sw.setQuery(text)
        # SPARQLWrapper guesses the form with a regular expression over the text (an IRI holding
        # "add" or "load" would make it an update); the form is known here, so it is set.
        sw.queryType = {"select": SELECT, "ask": ASK, "construct": CONSTRUCT, "describe": DESCRIBE}[form]
        for k, v in params:
            sw.addParameter(k, v)
        sw.addCustomHttpHeader("Accept", accept)
        sw.setTimeout(max(1, math.ceil(timeout)))
        return sw

    def _query_response(self, text: str, form: str, accept: str, params: list[tuple[str, str]],
                        timeout: float) -> Any:
        """The HTTP response to one protocol query (POST, form-encoded), errors mapped."""
        sw = self._protocol_query(text, form, accept, params, timeout)
        for attempt in (1, 2):
            if self._auth is not None:
                hdr = self._auth.header("POST", self.endpoint)
                if hdr:
                    sw.addCustomHttpHeader("Authorization", hdr)
            try:
                return sw.query().response
            except Unauthorized:
                if attempt == 1 and self._auth is not None:
                    self._learn_challenge(self.endpoint)
                    continue
                raise StoreError(f"{self.endpoint}: the server asks for credentials to query (HTTP 401); "
                                 "set KAMERGRAPH_STORE_USER and KAMERGRAPH_STORE_PASSWORD") from None
            except QueryBadFormed as exc:
                raise QueryError(f"the SPARQL server at {self.endpoint} refused the query: {server_message(exc)}") \
                    from None
            except URITooLong as exc:
                raise QueryError(f"{self.endpoint}: the query is too long for the server: {server_message(exc)}") \
                    from None
            except EndPointNotFound:
                raise StoreError(f"{self.endpoint}: no SPARQL endpoint there (HTTP 404)") from None
            except EndPointInternalError as exc:
                msg = server_message(exc)
                if _TIMEOUT_CODES.search(msg):
                    raise QueryTimeout(timeout) from None
                raise QueryError(f"the SPARQL server at {self.endpoint} failed on the query: {msg}") from None
            except urllib.error.HTTPError as exc:
                msg = server_message(exc)
                if exc.code in (406, 415):
                    raise QueryError(f"{self.endpoint} cannot answer this query as {accept} "
                                     f"(HTTP {exc.code}): {msg}") from None
                if exc.code in (408, 504):
                    raise QueryTimeout(timeout) from None
                raise StoreError(f"{self.endpoint}: the query failed (HTTP {exc.code} {exc.reason}): {msg}") from None
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                    raise QueryTimeout(timeout) from None
                raise StoreError(f"cannot reach the SPARQL server at {self.endpoint}: {exc.reason}") from None
            except (TimeoutError, socket.timeout):
                raise QueryTimeout(timeout) from None
            except (http.client.HTTPException, ConnectionError) as exc:
                raise StoreError(f"the connection to {self.endpoint} failed: {exc}") from None
        raise StoreError(f"{self.endpoint}: no answer")  # pragma: no cover

    def _dataset(self, job: Job, text: str) -> tuple[str, list[tuple[str, str]]]:
        """The protocol parameters that give the query the job's dataset (and the service BASE)."""
        params: list[tuple[str, str]] = []
        head = ""
        if job.default_graph is not None or job.named_graphs is not None:
            params += [("default-graph-uri", g) for g in job.default_graph or []]
            params += [("named-graph-uri", g) for g in job.named_graphs or []]
        elif job.union_default_graph:
            if self.dialect == "oxigraph":
                params.append(("union-default-graph", ""))
            # Virtuoso's default graph is the union of all its graphs already (its own system
            # graphs included: `define input:default-graph-exclude` would leave those out, but in
            # Virtuoso 7.2 it breaks every GRAPH <iri> pattern of the query); others: their own
        if job.base_iri:
            head += f"BASE {iri_sparql(job.base_iri)} "
        # on the query's first line, so that the server's line numbers stay those of the text
        return head + text, params

    def run(self, job: Job, timeout: float | None = None) -> Answer:
        """Run one query job on the endpoint, like a worker of the embedded pool does.

        The answer is asked for in ``job.output`` when the server writes that format faithfully,
        else in an exchange format and written here with pyoxigraph (the same writers as the
        pool). Rows past ``job.row_limit`` are not read (``truncated``), nor are rows the server
        itself cut off. Past ``timeout`` seconds: QueryTimeout; a syntax or evaluation error:
        QueryError with the server's message; no server: StoreError naming the URL.
        """
        if self._closed:
            raise StoreError(f"{self.endpoint}: the store is closed")
        limit = timeout if timeout is not None else self.timeout
        deadline = time.monotonic() + limit
        form = query_form(job.sparql)
        kind = {"select": "select", "ask": "ask"}.get(form, "graph")
        text, params = self._dataset(job, bind(job.sparql, job.bindings))
        dialect = self.dialect
        if dialect == "virtuoso":
            params.append(("timeout", str(max(1, int(limit * 1000)))))
        out = job.output
        fetch, accept = _fetch_format(kind, out, dialect)
        while True:
            resp = self._query_response(text, form, accept, params, limit)
            with closing(resp):
                if (resp.headers.get("X-SQL-State") or "").upper() == "S1TAT":
                    raise QueryTimeout(limit)
                server_cut = resp.headers.get("X-SPARQL-MaxRows") is not None
                ctype = (resp.headers.get("Content-Type") or accept).split(";")[0].strip().lower()
                body = ResponseBody(resp, deadline, keep=fetch == out)
                try:
                    if kind == "graph":
                        return self._read_graph(body, ctype, fetch, out, job.row_limit, server_cut)
                    return self._read_results(body, ctype, fetch, out, job.row_limit, server_cut)
                except QueryError:
                    raise
                except ElementTree.ParseError as exc:
                    if dialect == "virtuoso" and fetch == "xml" and "invalid character" in str(exc):
                        # a literal with a control character, which XML 1.0 cannot carry: ask again in JSON
                        fetch, accept = "json", RESULT_MEDIA["json"]
                        continue
                    raise StoreError(f"{self.endpoint}: cannot read the server's answer: {exc}") from None
                except (OSError, ValueError, SyntaxError, TimeoutError) as exc:
                    if body.timed_out:
                        raise QueryTimeout(limit) from None
                    raise StoreError(f"{self.endpoint}: cannot read the server's answer: {exc}") from None

    def _read_results(self, body: ResponseBody, ctype: str, fetch: str, out: str, row_limit: int | None,
                      server_cut: bool) -> Answer:
        fmt = QueryResultsFormat.from_media_type(ctype)
        if fmt is None or fmt == QueryResultsFormat.CSV:
            raise QueryError(f"{self.endpoint} answered the query as {ctype}, which cannot be read back")
        if fmt == QueryResultsFormat.XML:  # read here: pyoxigraph 0.5 trims the spaces around XML literals
            boolean, names, solutions = read_xml_results(body)
        elif fmt == QueryResultsFormat.JSON and self._dialect == "virtuoso":
            # read here: Virtuoso's blank nodes ("nodeID://b1") are no valid ids for pyoxigraph's
            # reader, and it writes stored booleans as 1/0
            boolean, names, solutions = read_json_results(body)
            solutions = (tuple(virtuoso_boolean(t) for t in row) for row in solutions)
        else:
            res = parse_query_results(body, fmt)
            boolean = bool(res) if isinstance(res, QueryBoolean) else None
            names = [v.value for v in res.variables] if isinstance(res, QuerySolutions) else []
            solutions = (tuple(sol[i] for i in range(len(names))) for sol in res) \
                if isinstance(res, QuerySolutions) else iter(())
        if boolean is not None:
            if out == "rows":
                return Answer("ask", result=QueryResult(kind="ask", boolean=boolean), boolean=boolean)
            if fetch == out and body.kept is not None and fmt == RESULT_FORMATS[out]:
                drain(body)
                return Answer("ask", body=bytes(body.kept), boolean=boolean)
            return Answer("ask", body=write_boolean(boolean, out), boolean=boolean)
        rows: list[tuple[Term | None, ...]] = []
        truncated = False
        for row in solutions:
            if row_limit is not None and len(rows) >= row_limit:
                truncated = True
                break
            rows.append(row)
        if server_cut:
            truncated = True
        if out == "rows":
            result = QueryResult(kind="select", variables=names, rows=rows, truncated=truncated)
            return Answer("select", result=result, truncated=truncated, count=len(rows))
        if not truncated and fetch == out and body.kept is not None and fmt == RESULT_FORMATS[out]:
            drain(body)
            return Answer("select", body=bytes(body.kept), truncated=False, count=len(rows))
        return Answer("select", body=write_solutions(names, rows, out, truncated), truncated=truncated, count=len(rows))

    def _read_graph(self, body: ResponseBody, ctype: str, fetch: str, out: str, row_limit: int | None,
                    server_cut: bool) -> Answer:
        fmt = RdfFormat.from_media_type(ctype)
        if fmt is None:
            raise QueryError(f"{self.endpoint} answered the query as {ctype}, which cannot be read back")
        triples: list[Triple] = []
        truncated = False
        for t in parse(body, format=fmt):
            if row_limit is not None and len(triples) >= row_limit:
                truncated = True
                break
            triples.append(t.triple if isinstance(t, Quad) else t)
        if server_cut or (self._dialect == "virtuoso" and self.max_rows and len(triples) >= self.max_rows):
            truncated = True  # Virtuoso cuts CONSTRUCT answers at ResultSetMaxRows without a word
        if out == "rows":
            result = QueryResult(kind="graph", triples=triples, truncated=truncated)
            return Answer("graph", result=result, truncated=truncated, count=len(triples))
        if not truncated and fetch == out and body.kept is not None and fmt == GRAPH_FORMATS[out]:
            drain(body)
            return Answer("graph", body=bytes(body.kept), truncated=False, count=len(triples))
        return Answer("graph", body=serialize(triples, format=GRAPH_FORMATS[out]) or b"", truncated=truncated,
                      count=len(triples))

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        timeout: float | None = None,
        row_limit: int | None = None,
        union_default_graph: bool = True,
    ) -> QueryResult:
        job = Job(sparql, output="rows", bindings=dict(bindings or {}), row_limit=row_limit,
                  union_default_graph=union_default_graph)
        answer = self.run(job, timeout)
        assert answer.result is not None
        return answer.result

    def _select(self, text: str) -> tuple[list[str], list[tuple[Term | None, ...]], bool]:
        """An internal SELECT (no row limit): variables, rows, whether the server cut it."""
        answer = self.run(Job(text, output="rows", union_default_graph=False), self.timeout)
        assert answer.result is not None
        return answer.result.variables, answer.result.rows, answer.truncated

    def _page(self) -> int:
        """Rows per page: the server's own row limit where it is known (fewer pages: each page of
        a large graph costs the server a sort of the whole graph), else the page size."""
        if self.page_size_setting is not None:
            return min(self.page_size_setting, self.max_rows or self.page_size_setting)
        return self.max_rows or DEFAULT_PAGE

    def _select_all(self, inner: str, order: str) -> Iterator[tuple[Term | None, ...]]:
        """Every row of the SELECT ``inner`` (full IRIs only, no prologue), in pages the server answers whole."""
        if self.dialect == "oxigraph":
            _, rows, cut = self._select(inner)
            if cut:
                raise StoreError(f"{self.endpoint}: the server cut an answer short")
            yield from rows
            return
        page = self._page()
        offset = 0
        while True:
            if self.dialect == "virtuoso":  # a sorted sub-query: no MaxSortedTopRows limit on the offset
                q = f"SELECT * WHERE {{ {{ {inner} ORDER BY {order} }} }} OFFSET {offset} LIMIT {page}"
            else:
                q = f"{inner} ORDER BY {order} OFFSET {offset} LIMIT {page}"
            _, rows, cut = self._select(q)
            if cut and len(rows) < page:  # the server's own limit is lower: take pages of its size
                if not rows:
                    raise StoreError(f"{self.endpoint}: the server answers no rows at all")
                page = len(rows)
                continue
            yield from rows
            if len(rows) < page:
                return
            offset += page


def _fetch_format(kind: str, out: str, dialect: str) -> tuple[str, str]:
    """The format to ask the server for an answer wanted as ``out`` (``out`` itself where the
    server writes it faithfully, else the exchange format) and its media type."""
    native_results, native_graphs = NATIVE[dialect]
    if kind in ("select", "ask"):
        if out != "rows" and out not in RESULT_FORMATS:
            raise QueryError(f"a{'n' if kind == 'ask' else ''} {kind.upper()} result cannot be written as {out}")
        fetch = out if out in native_results else EXCHANGE[dialect][0]
        return fetch, RESULT_MEDIA[fetch]
    if out != "rows" and out not in GRAPH_FORMATS:
        raise QueryError(f"a graph result cannot be written as {out}")
    fetch = out if out in native_graphs else EXCHANGE[dialect][1]
    return fetch, GRAPH_MEDIA[fetch]
