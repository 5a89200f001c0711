"""A SPARQL 1.1 endpoint elsewhere as the store: Oxigraph server, Virtuoso, or any SPARQL 1.1 server.

Queries go through SPARQLWrapper (the SPARQL 1.1 Protocol, POST form-encoded, with a time limit);
writes go through the Graph Store Protocol where the server has one (Oxigraph ``…/store``,
Virtuoso ``…/sparql-graph-crud(-auth)``) and through SPARQL Update otherwise. Which server is
behind the URL is asked once (its ``Server`` header), because each has its habits:

- **Oxigraph server** keeps its default graph apart from the named graphs; the union of all graphs
  is asked for with the ``union-default-graph`` request parameter. It writes every result format
  itself and takes a whole dataset as N-Quads (``POST …/store``).
- **Virtuoso** makes its default graph the union of all graphs already, including its own system
  graphs (``virtrdf#``, ``owl#`` …, which stay in: its ``define input:default-graph-exclude``
  pragma empties every ``GRAPH <iri>`` pattern in 7.2). It cuts answers at ``ResultSetMaxRows``
  (flagged in the ``X-SPARQL-MaxRows`` header for SELECT only, silently for CONSTRUCT and the
  Graph Store Protocol), so whole graphs are read with SELECT in pages it answers whole (the
  limit is read from its ini through ``bif:cfg_item_value``), and every graph read is checked
  against its count. A query
  past its ``timeout`` parameter comes back partial, flagged ``X-SQL-State: S1TAT``: that is a
  time-out here. Results are read as XML (its JSON writer is some seven times slower), and an
  answer with a control character in a literal, which its XML writes as a character reference
  XML 1.0 forbids, is asked for again as JSON, where it writes stored booleans as 1/0 (read
  back as true/false); blank nodes come as ``nodeID://…``, which are no valid ids, so its answers
  are read here and always written here, never passed on as Virtuoso wrote them. One ``INSERT DATA`` takes at most some 1000 triples (longer ones fail
  with "SQL text has exceeded 10000 lines"), so SPARQL Update loads go in chunks of 500; it
  refuses blank nodes there, so a chunk that has them is sent as ``INSERT { … } WHERE {}``.

The store's dataset is the named graphs under ``graph_prefix`` (``{base}graph/``): those are the
graphs it lists, counts, dumps, replaces and drops. Other graphs on the same server are never
touched.

Writes are not one transaction the way the embedded store's rebuild is (see :meth:`RemoteStore.adopt`):
each graph is replaced in one request, which Oxigraph runs as one transaction.

pyoxigraph 0.5 reads SPARQL XML results with the spaces around literals trimmed, so XML answers
(from servers that send XML whatever was asked) are read with the standard library instead.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import http.client
import io
import itertools
import json
import logging
import math
import os
import re
import shutil
import socket
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import closing
from typing import Any, BinaryIO, Protocol
from xml.etree import ElementTree

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
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
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

from store.base import QueryError, QueryResult, QueryTimeout, Store, StoreError, Term, term_json
from store.embedded import FORMATS, EmbeddedStore
from store.pool import GRAPH_FORMATS, RESULT_FORMATS, Answer, Job
from store.sparqltext import bind, iri_sparql, query_form

log = logging.getLogger("kamergraph.store.remote")

__all__ = ["RemoteStore", "RemoteSettings", "DIALECTS"]

AGENT = "kamergraph (remote store; SPARQLWrapper)"
DIALECTS = ("auto", "oxigraph", "virtuoso", "generic")

RESULT_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_MEDIA = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "nquads": "application/n-quads",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
# The formats each kind of server writes faithfully, and that can be read back to count rows
# (CSV cannot): those are asked for as they are and passed on unless the row limit cut them.
NATIVE: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "oxigraph": (frozenset({"json", "xml", "tsv"}), frozenset(GRAPH_MEDIA)),
    "virtuoso": (frozenset(), frozenset({"ntriples"})),
    "generic": (frozenset({"json", "xml", "tsv"}), frozenset({"turtle", "ntriples", "rdfxml"})),
}
# What is asked for otherwise, and written locally into the wanted format.
EXCHANGE = {"oxigraph": ("json", "ntriples"), "virtuoso": ("xml", "ntriples"), "generic": ("json", "ntriples")}

UPDATE_CHUNK = 500  # triples per INSERT DATA (Virtuoso fails somewhere above 1000)
UPDATE_CHUNK_BYTES = 256_000
POST_BATCH_BYTES = 8_000_000  # N-Quads per dataset POST (Oxigraph)
GRAPH_CACHE_SECONDS = 60.0
DEFAULT_PAGE = 10_000  # rows per page where the server's own limit is not known (Virtuoso's default)
BATCHED_GRAPH = 2000  # a dump reads graphs up to this size in batches, larger ones one by one
_TIMEOUT_CODES = re.compile(r"\b(S1T00|SR171|S1TAT)\b|timed? ?out", re.IGNORECASE)


class RemoteSettings(Protocol):
    """The settings the remote store reads (``kamergraph.settings.Settings`` has them all)."""

    base: str
    update_endpoint: str
    gsp_endpoint: str
    store_user: str
    store_password: Any
    store_auth: str
    store_timeout: float
    store_dialect: str


# --------------------------------------------------------------------------- HTTP authentication


class _HttpAuth:
    """HTTP basic or digest credentials, sent with every request (digest after the server's challenge).

    urllib's own digest handler answers each 401 by sending the request again, which a server
    that closes the connection on a 401 (Virtuoso) turns into a broken upload for large bodies;
    here the challenge is learnt once (with a bodiless request) and then answered up front.
    """

    def __init__(self, user: str, password: str, scheme: str) -> None:
        if scheme not in ("digest", "basic"):
            raise StoreError(f"unknown HTTP authentication {scheme!r}: digest or basic")
        self.user, self.password, self.scheme = user, password, scheme
        self._challenges: dict[str, dict[str, str]] = {}
        self._nc = itertools.count(1)
        self._lock = threading.Lock()

    @staticmethod
    def _origin(url: str) -> str:
        p = urllib.parse.urlsplit(url)
        return f"{p.scheme}://{p.netloc}{p.path}"

    def ready(self, url: str) -> bool:
        return self.scheme == "basic" or self._origin(url) in self._challenges

    def learn(self, url: str, headers: list[str]) -> bool:
        """Keep the server's digest challenge for ``url``; True if there was one."""
        for h in headers:
            scheme, _, rest = h.strip().partition(" ")
            if scheme.lower() == "digest":
                params = {k.lower(): quoted or bare
                          for k, quoted, bare in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]*))', rest)}
                if "nonce" in params and "realm" in params:
                    with self._lock:
                        self._challenges[self._origin(url)] = params
                    return True
            elif scheme.lower() == "basic" and self.scheme == "basic":
                return True
        return False

    def header(self, method: str, url: str) -> str | None:
        if self.scheme == "basic":
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
            return f"Basic {token}"
        ch = self._challenges.get(self._origin(url))
        if ch is None:
            return None
        p = urllib.parse.urlsplit(url)
        uri = p.path + (f"?{p.query}" if p.query else "")
        algorithm = ch.get("algorithm", "MD5")
        name = algorithm.upper().removesuffix("-SESS")
        hash_name = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}.get(name)
        if hash_name is None:
            raise StoreError(f"{url}: the server asks for digest algorithm {algorithm}, which kamergraph does not speak")

        def h(s: str) -> str:
            return hashlib.new(hash_name, s.encode("utf-8")).hexdigest()

        cnonce = os.urandom(8).hex()
        ha1 = h(f"{self.user}:{ch['realm']}:{self.password}")
        if algorithm.upper().endswith("-SESS"):
            ha1 = h(f"{ha1}:{ch['nonce']}:{cnonce}")
        ha2 = h(f"{method}:{uri}")
        qops = [q.strip() for q in ch.get("qop", "").split(",") if q.strip()]
        realm, nonce = ch["realm"], ch["nonce"]
        parts = [f'username="{self.user}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"',
                 f"algorithm={algorithm}"]
        if "auth" in qops:
            with self._lock:
                nc = f"{next(self._nc):08x}"
            response = h(f"{ha1}:{ch['nonce']}:{nc}:{cnonce}:auth:{ha2}")
            parts += [f'response="{response}"', "qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
        else:
            nonce = ch["nonce"]
            parts.append(f'response="{h(f"{ha1}:{nonce}:{ha2}")}"')
        if "opaque" in ch:
            opaque = ch["opaque"]
            parts.append(f'opaque="{opaque}"')
        return "Digest " + ", ".join(parts)


def _server_message(exc: SPARQLWrapperException | urllib.error.HTTPError, limit: int = 600) -> str:
    """The server's own words from an error answer, without the echo of the whole query."""
    if isinstance(exc, urllib.error.HTTPError):
        try:
            raw: Any = exc.read()
        except OSError:
            raw = b""
    else:
        text = str(exc)
        _, sep, tail = text.partition("Response:\n")
        raw = text
        if sep:
            try:
                raw = ast.literal_eval(tail.strip())
            except (ValueError, SyntaxError):
                raw = tail
    msg = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    msg = msg.split("\n\nSPARQL query:", 1)[0]  # Virtuoso echoes the query after its message
    msg = re.sub(r"<[^>]{1,40}>", " ", msg) if msg.lstrip().startswith("<") else msg  # an HTML page
    msg = " ".join(msg.split())
    return msg[:limit] + ("…" if len(msg) > limit else "")


class _Body(io.RawIOBase):
    """A response body read against a deadline, optionally keeping a copy of what was read."""

    def __init__(self, response: Any, deadline: float | None, keep: bool) -> None:
        self.response = response
        self.deadline = deadline
        self.kept: bytearray | None = bytearray() if keep else None
        self.timed_out = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.timed_out = True
            raise TimeoutError("the query ran past its time limit")
        try:
            n = self.response.readinto(buffer)
        except (TimeoutError, socket.timeout):
            self.timed_out = True
            raise
        if n and self.kept is not None:
            self.kept += bytes(memoryview(buffer)[:n])
        return n or 0


# --------------------------------------------------------------------------- the store


class RemoteStore(Store):
    """The named graphs under ``graph_prefix`` on the SPARQL endpoint at ``endpoint``.

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
        graph_prefix: str = "https://kamergraph.nl/graph/",
        page_size: int | None = None,
    ) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise StoreError(f"{endpoint}: a remote store is an http(s):// SPARQL endpoint")
        if dialect not in DIALECTS:
            raise StoreError(f"unknown store dialect {dialect!r}: one of {', '.join(DIALECTS)}")
        self._options: dict[str, Any] = dict(
            update_endpoint=update_endpoint, gsp_endpoint=gsp_endpoint, user=user, password=password, auth=auth,
            timeout=timeout, dialect=dialect, graph_prefix=graph_prefix, page_size=page_size)
        self.endpoint = endpoint
        self._update_setting = update_endpoint
        self._gsp_setting = gsp_endpoint
        self._auth = _HttpAuth(user, password, auth) if user else None
        self.timeout = float(timeout)
        self._dialect_setting = dialect
        self.graph_prefix = graph_prefix
        self.page_size_setting = max(1, page_size) if page_size is not None else None
        self._opener = urllib.request.build_opener()
        self._lock = threading.Lock()
        self._dialect: str | None = None
        self.max_rows: int | None = None  # Virtuoso's ResultSetMaxRows (None: unknown or unlimited)
        self._graph_cache: dict[str, tuple[bool, float]] = {}
        self._staging: set[str] = set()
        self._closed = False

    @classmethod
    def from_settings(cls, location: str, settings: RemoteSettings | None) -> RemoteStore:
        if settings is None:
            return cls(location)
        password = settings.store_password
        if hasattr(password, "get_secret_value"):
            password = password.get_secret_value()
        return cls(
            location,
            update_endpoint=settings.update_endpoint,
            gsp_endpoint=settings.gsp_endpoint,
            user=settings.store_user,
            password=password or "",
            auth=settings.store_auth,
            timeout=settings.store_timeout,
            dialect=settings.store_dialect,
            graph_prefix=f"{settings.base}graph/",
        )

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    def with_options(self, **changes: Any) -> RemoteStore:
        """The same endpoint with some options changed (another ``graph_prefix`` is another
        dataset on the same server)."""
        return RemoteStore(self.endpoint, **{**self._options, **changes})

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
                                 f"(HTTP {exc.code} {exc.reason}: {_server_message(exc, 200)})") from None
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

    def close(self) -> None:
        self._closed = True
        for path in list(self._staging):
            shutil.rmtree(path, ignore_errors=True)
        self._staging.clear()

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
                             f"{_server_message(exc)}") from None
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

    def _query_response(self, text: str, form: str, accept: str, params: list[tuple[str, str]],
                        timeout: float) -> Any:
        """The HTTP response to one protocol query (POST, form-encoded), errors mapped."""
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
                raise QueryError(f"the SPARQL server at {self.endpoint} refused the query: {_server_message(exc)}") \
                    from None
            except URITooLong as exc:
                raise QueryError(f"{self.endpoint}: the query is too long for the server: {_server_message(exc)}") \
                    from None
            except EndPointNotFound:
                raise StoreError(f"{self.endpoint}: no SPARQL endpoint there (HTTP 404)") from None
            except EndPointInternalError as exc:
                msg = _server_message(exc)
                if _TIMEOUT_CODES.search(msg):
                    raise QueryTimeout(timeout) from None
                raise QueryError(f"the SPARQL server at {self.endpoint} failed on the query: {msg}") from None
            except urllib.error.HTTPError as exc:
                msg = _server_message(exc)
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
        native_results, native_graphs = NATIVE[dialect]
        out = job.output
        if kind in ("select", "ask"):
            if out != "rows" and out not in RESULT_FORMATS:
                raise QueryError(f"a{'n' if kind == 'ask' else ''} {kind.upper()} result cannot be written as {out}")
            fetch = out if out in native_results else EXCHANGE[dialect][0]
            accept = RESULT_MEDIA[fetch]
        else:
            if out != "rows" and out not in GRAPH_FORMATS:
                raise QueryError(f"a graph result cannot be written as {out}")
            fetch = out if out in native_graphs else EXCHANGE[dialect][1]
            accept = GRAPH_MEDIA[fetch]
        while True:
            resp = self._query_response(text, form, accept, params, limit)
            with closing(resp):
                if (resp.headers.get("X-SQL-State") or "").upper() == "S1TAT":
                    raise QueryTimeout(limit)
                server_cut = resp.headers.get("X-SPARQL-MaxRows") is not None
                ctype = (resp.headers.get("Content-Type") or accept).split(";")[0].strip().lower()
                body = _Body(resp, deadline, keep=fetch == out)
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

    def _read_results(self, body: _Body, ctype: str, fetch: str, out: str, row_limit: int | None,
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
            solutions = (tuple(_virtuoso_boolean(t) for t in row) for row in solutions)
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
                _drain(body)
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
            _drain(body)
            return Answer("select", body=bytes(body.kept), truncated=False, count=len(rows))
        return Answer("select", body=write_solutions(names, rows, out, truncated), truncated=truncated, count=len(rows))

    def _read_graph(self, body: _Body, ctype: str, fetch: str, out: str, row_limit: int | None,
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
            _drain(body)
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

    # ------------------------------------------------------------------ the dataset's graphs

    def _ours(self, graph: str) -> bool:
        return graph.startswith(self.graph_prefix)

    def _server_graphs(self) -> list[str]:
        """Every named graph on the server that holds statements."""
        if self.dialect == "oxigraph":
            # Oxigraph lists its named graphs directly; empty ones are never left behind by this store
            q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
        else:
            q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
        return [r[0].value for r in self._select_all(q, "?g") if isinstance(r[0], NamedNode)]

    def named_graphs(self) -> list[str]:
        return sorted(g for g in self._server_graphs() if self._ours(g))

    def graph_exists(self, iri: str) -> bool:
        """Is ``iri`` a graph of this store (an ASK on the server, remembered for a minute)?"""
        if not self._ours(iri):
            return False
        now = time.monotonic()
        hit = self._graph_cache.get(iri)
        if hit is not None and now - hit[1] < GRAPH_CACHE_SECONDS:
            return hit[0]
        try:
            q = f"ASK {{ GRAPH {iri_sparql(iri)} {{ ?s ?p ?o }} }}"
        except QueryError:
            return False
        answer = self.run(Job(q, output="rows", union_default_graph=False), min(self.timeout, 30.0))
        exists = bool(answer.boolean)
        if len(self._graph_cache) > 10_000:
            self._graph_cache.clear()
        self._graph_cache[iri] = (exists, now)
        return exists

    def _changed(self) -> None:
        self._graph_cache.clear()

    def _graph_filter(self, var: str = "?g") -> str:
        return f"FILTER(STRSTARTS(STR({var}), {_sparql_string(self.graph_prefix)}))" if self.graph_prefix else ""

    def __len__(self) -> int:
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter()} }}"
        _, rows, _ = self._select(q)
        return int(rows[0][0].value) if rows and rows[0][0] is not None else 0

    def _graph_count(self, graph: str) -> int:
        _, rows, _ = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri_sparql(graph)} {{ ?s ?p ?o }} }}")
        return int(rows[0][0].value) if rows and rows[0][0] is not None else 0

    def _graph_triples(self, graph: str) -> Iterator[Triple]:
        """The statements of one graph, streamed; checked against its count where the server may cut."""
        gsp = self.gsp_url
        if self.dialect == "oxigraph" and gsp:
            url = _with_params(gsp, {"graph": graph})
            try:
                resp = self._send("GET", url, accept=GRAPH_MEDIA["ntriples"], what="read of a graph")
            except StoreError as exc:
                if "HTTP 404" in str(exc):
                    return
                raise
            yield from self._stream(resp, RdfFormat.N_TRIPLES, url)
            return
        expected = self._graph_count(graph)
        got = 0
        g = iri_sparql(graph)
        if self.dialect == "virtuoso":
            # CONSTRUCT as N-Triples: Virtuoso writes them several times faster than SELECT results;
            # pages of its own row limit, each a sorted sub-query, and the count checked at the end
            page = self._page()
            pattern = f"{{ SELECT ?s ?p ?o WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o }}"
            for offset in range(0, max(expected, 1), page):
                q = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}" + \
                    (f" OFFSET {offset} LIMIT {page}" if expected > page else "")
                answer = self.run(Job(q, output="rows", union_default_graph=False), self.timeout)
                assert answer.result is not None
                got += len(answer.result.triples)
                yield from answer.result.triples
        else:
            for s, p, o in self._select_all(f"SELECT ?s ?p ?o WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}", "?s ?p ?o"):
                got += 1
                yield Triple(s, p, o)  # type: ignore[arg-type]
        if got != expected:
            raise StoreError(f"{self.endpoint}: read {got} of the {expected} statements of <{graph}>; "
                             "the server cut its answers short (Virtuoso: raise ResultSetMaxRows)")

    def _stream(self, resp: Any, fmt: RdfFormat, url: str) -> Iterator[Any]:
        """The statements of a Graph Store answer, parsed as they arrive."""
        with closing(resp):
            try:
                yield from parse(_Body(resp, time.monotonic() + self.timeout, keep=False), format=fmt)
            except (OSError, ValueError, SyntaxError) as exc:
                raise StoreError(f"{url.split('?')[0]}: reading the answer failed: {exc}") from None

    def graph_nquads(self, graph: str) -> bytes:
        g = NamedNode(graph)
        return serialize((Quad(t.subject, t.predicate, t.object, g) for t in self._graph_triples(graph)),
                         format=RdfFormat.N_QUADS) or b""

    def quads(self) -> Iterator[Quad]:
        """Every statement of the store's graphs, streamed a page at a time (memory stays bounded)."""
        gsp = self.gsp_url
        if self.dialect == "oxigraph" and gsp:
            resp = self._send("GET", gsp, accept=GRAPH_MEDIA["nquads"], what="read of the dataset")
            for q in self._stream(resp, RdfFormat.N_QUADS, gsp):
                if isinstance(q.graph_name, NamedNode) and self._ours(q.graph_name.value):
                    yield q
            return
        counts: dict[str, int] = {}
        for g, n in self._select_all(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter()} }} GROUP BY ?g",
            "?g",
        ):
            if isinstance(g, NamedNode) and n is not None:
                counts[g.value] = int(n.value)
        page = self._page()
        batch: list[str] = []
        size = 0
        for graph in sorted(counts):
            n = counts[graph]
            if n > min(page, BATCHED_GRAPH):
                gn = NamedNode(graph)
                yield from (Quad(t.subject, t.predicate, t.object, gn) for t in self._graph_triples(graph))
                continue
            if batch and size + n > page:
                yield from self._batch_quads(batch, counts)
                batch, size = [], 0
            batch.append(graph)
            size += n
        if batch:
            yield from self._batch_quads(batch, counts)

    def _batch_quads(self, graphs: list[str], counts: dict[str, int]) -> Iterator[Quad]:
        values = " ".join(iri_sparql(g) for g in graphs)
        q = f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        _, rows, cut = self._select(q)
        got: dict[str, int] = defaultdict(int)
        for g, s, p, o in rows:
            got[g.value] += 1  # type: ignore[union-attr]
        short = [g for g in graphs if got[g] != counts[g]]
        if cut or short:
            raise StoreError(f"{self.endpoint}: the server cut an answer short while reading "
                             f"{len(graphs)} graphs (Virtuoso: raise ResultSetMaxRows)")
        for g, s, p, o in rows:
            yield Quad(s, p, o, g)  # type: ignore[arg-type]

    def dump(self, out: BinaryIO, fmt: str = "nq") -> None:
        rdf_format = FORMATS.get(fmt)
        if rdf_format is None:
            raise StoreError(f"unknown dump format {fmt!r}; one of {', '.join(FORMATS)}")
        if rdf_format in (RdfFormat.N_QUADS, RdfFormat.TRIG):
            serialize(self.quads(), out, format=rdf_format)
        else:  # triple formats: the union of all graphs, streamed
            serialize((q.triple for q in self.quads()), out, format=rdf_format)

    # ------------------------------------------------------------------ writing

    def _update(self, text: str) -> None:
        with closing(self._send("POST", self.update_url, text.encode("utf-8"), "application/sparql-update",
                                what="SPARQL update")) as resp:
            resp.read()

    def remove_graph(self, graph: str) -> None:
        gsp = self.gsp_url
        self._changed()
        if gsp:
            try:
                with closing(self._send("DELETE", _with_params(gsp, {"graph": graph}), what="removal of a graph")) as r:
                    r.read()
            except StoreError as exc:
                if "HTTP 404" not in str(exc):
                    raise
            return
        self._update(f"DROP SILENT GRAPH {iri_sparql(graph)}")

    def replace_graph(self, graph: str, nquads: str | bytes) -> None:
        data = nquads.encode("utf-8") if isinstance(nquads, str) else nquads
        triples = [q.triple for q in parse(data, format=RdfFormat.N_QUADS)] if data else []
        self._put_graph(graph, triples)

    def _put_graph(self, graph: str, triples: list[Triple]) -> None:
        """Replace one graph: one Graph Store PUT, or DROP + INSERT DATA in as few updates as may be."""
        self._changed()
        if not triples:
            self.remove_graph(graph)
            return
        self._send_graph(graph, triples, replace=True)

    def _send_graph(self, graph: str, triples: list[Triple], *, replace: bool) -> None:
        """Send one graph's triples: a Graph Store PUT (``replace``) or POST (add), else SPARQL Update in
        chunks of at most 500 statements, the first one dropping the graph when it replaces it."""
        gsp = self.gsp_url
        if gsp:
            body = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
            with closing(self._send("PUT" if replace else "POST", _with_params(gsp, {"graph": graph}), body,
                                    GRAPH_MEDIA["ntriples"], what=f"load of <{graph}>")) as resp:
                resp.read()
            return
        chunks = list(_chunks(triples))
        if len(chunks) > 1 and _has_blank_nodes(triples):
            raise StoreError(f"<{graph}> has blank nodes and is too large for one SPARQL update; give the "
                             "Graph Store Protocol endpoint (KAMERGRAPH_GSP_ENDPOINT) or skolemise them")
        g = iri_sparql(graph)
        for i, chunk in enumerate(chunks):
            head = f"DROP SILENT GRAPH {g} ;\n" if replace and i == 0 else ""
            self._update(head + _insert(g, chunk))

    def bulk_load(self, nquads: bytes) -> None:
        """Add these N-Quads to the store (nothing is replaced): a dataset POST on Oxigraph, else per graph."""
        if not nquads:
            return
        self._changed()
        gsp = self.gsp_url
        if self.dialect == "oxigraph" and gsp:
            for part in _split_lines(nquads, POST_BATCH_BYTES):
                with closing(self._send("POST", gsp, part, GRAPH_MEDIA["nquads"], what="load")) as resp:
                    resp.read()
            return
        by_graph: dict[str, list[Triple]] = defaultdict(list)
        for q in parse(nquads, format=RdfFormat.N_QUADS):
            if not isinstance(q.graph_name, NamedNode):
                raise StoreError("the remote store keeps statements in named graphs only")
            by_graph[q.graph_name.value].append(q.triple)
        for graph, triples in by_graph.items():
            self._send_graph(graph, triples, replace=False)

    def flush(self) -> None:
        """Nothing to do: every write has been sent."""

    def optimize(self) -> None:
        """Nothing to do: the server compacts its own storage."""

    # ------------------------------------------------------------------ rebuilding

    def begin_rebuild(self) -> EmbeddedStore:
        """A local staging store (in a temporary folder) for the build to fill; :meth:`adopt` sends it."""
        folder = tempfile.mkdtemp(prefix="kamergraph-remote-rebuild-")
        self._staging.add(folder)
        return EmbeddedStore(os.path.join(folder, "store"))

    def adopt(self, rebuilt: Store) -> None:
        """Make the remote store hold exactly the rebuilt graphs. NOT atomic as a whole.

        A remote server offers no way to swap a whole dataset, so this is done in the least bad
        order: first the graphs the server does not have yet are added (in batches: nothing
        that readers see changes), then every graph it has is replaced, one graph per request
        (on Oxigraph one request is one transaction, so a reader sees each graph either old or
        new, never half), and last the graphs that are gone are dropped. While this runs,
        readers see a mix of old and new graphs; if it fails half-way, the store holds that mix
        and running the build again completes it (a build is idempotent).
        """
        path = getattr(rebuilt, "path", None)
        folder = str(path.parent) if path is not None else None
        if not isinstance(rebuilt, EmbeddedStore) or folder not in self._staging:
            raise StoreError("adopt() takes the store begin_rebuild() gave")
        try:
            rebuilt.flush()
            produced = rebuilt.named_graphs()
            existing = set(self.named_graphs())
            fresh = [g for g in produced if g not in existing]
            replaced = [g for g in produced if g in existing]
            ox = rebuilt.ox

            def triples(graph: str) -> list[Triple]:
                return [q.triple for q in ox.quads_for_pattern(None, None, None, NamedNode(graph))]

            if fresh:
                if self.dialect == "oxigraph" and self.gsp_url:
                    batch: list[bytes] = []
                    size = 0
                    for g in fresh:
                        data = rebuilt.graph_nquads(g)
                        if batch and size + len(data) > POST_BATCH_BYTES:
                            self.bulk_load(b"".join(batch))
                            batch, size = [], 0
                        batch.append(data)
                        size += len(data)
                    if batch:
                        self.bulk_load(b"".join(batch))
                else:
                    for g in fresh:
                        self._put_graph(g, triples(g))
            for g in replaced:
                self._put_graph(g, triples(g))
            for g in sorted(existing - set(produced)):
                self.remove_graph(g)
        finally:
            rebuilt.close()
            self._staging.discard(folder)
            shutil.rmtree(folder, ignore_errors=True)
            self._changed()


# --------------------------------------------------------------------------- helpers


def write_solutions(names: list[str], rows: list[tuple[Term | None, ...]], out: str, truncated: bool) -> bytes:
    """SELECT rows in a result format, written as the embedded pool writes them."""
    doc: dict[str, Any] = {
        "head": {"vars": names},
        "results": {"bindings": [{n: term_json(t) for n, t in zip(names, row) if t is not None} for row in rows]},
    }
    fmt = RESULT_FORMATS[out]
    if fmt == QueryResultsFormat.JSON:
        if truncated:
            doc["truncated"] = True
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return parse_query_results(body, QueryResultsFormat.JSON).serialize(format=fmt) or b""


def write_boolean(value: bool, out: str) -> bytes:
    """An ASK answer in a result format, written by pyoxigraph."""
    doc = json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    return parse_query_results(doc, QueryResultsFormat.JSON).serialize(format=RESULT_FORMATS[out]) or b""


def read_json_results(stream: Any) -> tuple[bool | None, list[str], Iterator[tuple[Term | None, ...]]]:
    """SPARQL JSON results read whole with the standard library (the server's row limit bounds
    them): (the ASK answer or None, the variables, the rows). Blank node labels become valid ids
    (the same label, the same id)."""
    doc = json.load(stream)
    if "boolean" in doc:
        return bool(doc["boolean"]), [], iter(())
    names = list(doc.get("head", {}).get("vars", []))
    bnodes: dict[str, BlankNode] = {}
    rows = ((tuple(_json_term(b[n], bnodes) if n in b else None for n in names))
            for b in doc.get("results", {}).get("bindings", []))
    return None, names, rows


def _json_term(t: dict[str, Any], bnodes: dict[str, BlankNode]) -> Term:
    kind, value = t.get("type"), t.get("value", "")
    if kind == "uri":
        return NamedNode(value)
    if kind in ("literal", "typed-literal"):
        if t.get("xml:lang"):
            return Literal(value, language=t["xml:lang"])
        return Literal(value, datatype=NamedNode(t["datatype"]) if t.get("datatype") else None)
    if kind == "bnode":
        return _bnode(value, bnodes)
    if kind == "triple":
        v = value
        return Triple(_json_term(v["subject"], bnodes), _json_term(v["predicate"], bnodes),  # type: ignore[arg-type]
                      _json_term(v["object"], bnodes))
    raise ValueError(f"unknown term type {kind!r} in SPARQL JSON results")


def _bnode(label: str, bnodes: dict[str, BlankNode]) -> BlankNode:
    """A blank node for a server's label, which need not be a valid id ("nodeID://b1"); the same
    label always gives the same node, across pages too."""
    if label not in bnodes:
        bnodes[label] = BlankNode(hashlib.sha1(label.encode("utf-8")).hexdigest())
    return bnodes[label]


_SR = "{http://www.w3.org/2005/sparql-results#}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def read_xml_results(stream: Any) -> tuple[bool | None, list[str], Iterator[tuple[Term | None, ...]]]:
    """SPARQL XML results, streamed: (the ASK answer or None, the variables, the rows).

    Read with the standard library's XML parser because pyoxigraph 0.5's trims leading and
    trailing spaces of literals (" nog " comes back as "nog")."""
    events = ElementTree.iterparse(stream, events=("start", "end"))
    names: list[str] = []
    for event, el in events:
        if event == "end" and el.tag == _SR + "variable":
            names.append(el.get("name", ""))
        elif event == "end" and el.tag == _SR + "boolean":
            return (el.text or "").strip() == "true", names, iter(())
        elif event == "start" and el.tag == _SR + "results":
            return None, names, _xml_rows(events, names)
    raise ValueError("not SPARQL XML results (no <boolean> and no <results>)")


def _xml_rows(events: Any, names: list[str]) -> Iterator[tuple[Term | None, ...]]:
    index = {n: i for i, n in enumerate(names)}
    bnodes: dict[str, BlankNode] = {}
    for event, el in events:
        if event != "end" or el.tag != _SR + "result":
            continue
        row: list[Term | None] = [None] * len(names)
        for binding in el.findall(_SR + "binding"):
            i = index.get(binding.get("name", ""))
            if i is not None and len(binding):
                row[i] = _xml_term(binding[0], bnodes)
        el.clear()
        yield tuple(row)


def _xml_term(el: Any, bnodes: dict[str, BlankNode]) -> Term:
    tag = el.tag.removeprefix(_SR)
    if tag == "uri":
        return NamedNode(el.text or "")
    if tag == "literal":
        lang, datatype = el.get(_XML_LANG), el.get("datatype")
        if lang:
            return Literal(el.text or "", language=lang)
        return Literal(el.text or "", datatype=NamedNode(datatype) if datatype else None)
    if tag == "bnode":
        return _bnode(el.text or "", bnodes)
    if tag == "triple":
        parts = {c.tag.removeprefix(_SR): _xml_term(c[0], bnodes) for c in el if len(c)}
        return Triple(parts["subject"], parts["predicate"], parts["object"])  # type: ignore[arg-type]
    raise ValueError(f"unknown term <{tag}> in SPARQL XML results")


_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def _virtuoso_boolean(term: Term | None) -> Term | None:
    """Virtuoso writes stored xsd:boolean values as 1 and 0 in JSON results: back to true and false."""
    if isinstance(term, Literal) and term.value in ("1", "0") and term.datatype.value == _XSD_BOOLEAN:
        return Literal("true" if term.value == "1" else "false", datatype=term.datatype)
    return term


def _drain(body: _Body) -> None:
    while body.read(65536):
        pass


def _sparql_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def _with_params(url: str, params: Mapping[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)


def _chunks(triples: list[Triple]) -> Iterator[list[Triple]]:
    chunk: list[Triple] = []
    size = 0
    for t in triples:
        n = len(str(t))
        if chunk and (len(chunk) >= UPDATE_CHUNK or size + n > UPDATE_CHUNK_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(t)
        size += n
    if chunk:
        yield chunk


def _insert(graph: str, triples: list[Triple]) -> str:
    """One SPARQL update adding ``triples`` to ``graph``: INSERT DATA, or, where there are blank
    nodes (which Virtuoso refuses in INSERT DATA), INSERT { … } WHERE {} (one solution, so every
    blank node label stands for one new node)."""
    data = (serialize(triples, format=RdfFormat.N_TRIPLES) or b"").decode("utf-8")
    if _has_blank_nodes(triples):
        return f"INSERT {{ GRAPH {graph} {{\n{data}}} }} WHERE {{}}"
    return f"INSERT DATA {{ GRAPH {graph} {{\n{data}}} }}"


def _has_blank_nodes(triples: Iterable[Triple]) -> bool:
    return any(isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode) for t in triples)


def _split_lines(data: bytes, size: int) -> Iterator[bytes]:
    """N-Quads in parts of about ``size`` bytes, cut at line ends (a statement never spans lines)."""
    start = 0
    n = len(data)
    while start < n:
        end = min(n, start + size)
        if end < n:
            nl = data.rfind(b"\n", start, end)
            end = nl + 1 if nl >= start else data.find(b"\n", end) + 1 or n
        yield data[start:end]
        start = end
