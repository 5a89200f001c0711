"""Issue 13, the server's limits over real HTTP (uvicorn on loopback, configured as `kamergraph serve`
configures it): long URLs get 414 and unparsable requests 400, both in the one JSON error shape;
a malformed Range is a JSON error too; JSON errors send nosniff; a repeated parameter is a 400;
rendering 10,000 rows on /query does not block the event loop; guard work is off the event loop
and counts against the query's time limit; the SERVICE bypass is refused on every route."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from store.embedded import EmbeddedStore
from store.export import write_release
from tests.server.conftest import SEED, kg_store, serving, settings_for  # noqa: F401 - kg_store: a fixture
from tests.support.listener import Listener  # the one loopback listener that counts connections

SEED_IRI = f"https://kamergraph.nl/id/kamervraag/{SEED}"
POINT = f"SELECT ?p ?o WHERE {{ <{SEED_IRI}> ?p ?o }}"
#: 10,000 rows without touching the store: two lists of 100 values crossed.
# 10,000 rows of four cells, two of them long texts: a page that takes the server well over 0.2 s to
# draw on any machine, so that a stall of the event loop for its drawing cannot hide under the probe's noise.
TEN_THOUSAND = ("SELECT ?a ?b ?c ?d WHERE { VALUES ?a { " + " ".join(f'"a{i}"' for i in range(100)) + " } VALUES ?b { "
                + " ".join(f"<https://kamergraph.nl/id/x/{i}>" for i in range(100)) + " } "
                + 'BIND(CONCAT(?a, " ", STR(?b), " Vragen van het lid over de export van cybersurveillance technologie") AS ?c) '
                + 'BIND(STRLANG(CONCAT("Antwoord op ", ?a, ": de dual-use-verordening geldt voor deze goederen"), "nl") AS ?d) }')


def assert_json_error(r: httpx.Response, status: int, *words: str) -> dict:
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/json"), r.headers
    assert r.headers.get("x-content-type-options") == "nosniff", r.headers
    err = r.json()["error"]
    assert set(err) == {"status", "title", "detail"} and err["status"] == status, err
    for w in words:
        assert w in err["detail"], err
    return err


@pytest.fixture(scope="module")
def release(kg_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dumps") / "dumps"
    with EmbeddedStore(kg_store) as store:
        write_release(store, out, base="https://kamergraph.nl/")
    return out


@pytest.fixture(scope="module")
def url(kg_store: Path, release: Path) -> Iterator[str]:
    from server.app import create_app

    app = create_app(settings_for(kg_store, dumps_dir=release, query_row_limit=10_000, query_timeout=10.0), kg_store)
    with serving(app) as base:
        yield base


def raw(url: str, request: bytes, timeout: float = 10.0) -> bytes:
    """Send bytes as they are and read the answer until the server closes or the head and body are in."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(request)
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            data += chunk
    return data


# --------------------------------------------------------------------------- long URLs, bad requests


@pytest.mark.parametrize("size", [70_000, 1_000_000])
def test_long_urls_get_414_in_the_json_shape(url: str, size: int) -> None:
    """Over ~64 KB uvicorn answered a plain-text 400 "Invalid HTTP request received" (httptools keeps
    URL offsets in 16 bits) and read any length into memory."""
    t = time.monotonic()
    answer = raw(url, b"GET /sparql?query=" + b"A" * size + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414 "), head[:200]
    assert b"content-type: application/json" in head.lower() and b"x-content-type-options: nosniff" in head.lower()
    import json

    err = json.loads(body)["error"]
    assert err["status"] == 414 and "65,535 bytes" in err["detail"] and "POST" in err["detail"]
    assert time.monotonic() - t < 5


def test_a_huge_url_is_cut_off_while_it_is_sent(url: str) -> None:
    """64 MB of URL: the server stops reading at the limit and closes (the client may see the 414 or a
    reset while it is still sending); nothing of it is kept, and the server answers the next request."""
    t = time.monotonic()
    try:
        answer = raw(url, b"GET /sparql?query=" + b"A" * 64_000_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert answer == b"" or answer.startswith(b"HTTP/1.1 414 "), answer[:200]
    except (ConnectionResetError, BrokenPipeError):
        pass
    assert time.monotonic() - t < 10
    assert httpx.get(f"{url}/queries", headers={"Accept": "application/json"}, timeout=10).status_code == 200


def test_a_long_url_within_the_limit_is_answered(url: str) -> None:
    text = POINT + " #" + "x" * 60_000
    r = httpx.get(f"{url}/sparql", params={"query": text}, headers={"Accept": "application/sparql-results+json"},
                  timeout=30)
    assert r.status_code == 200, r.text[:300]
    assert r.json()["results"]["bindings"]
    head, _, body = raw(url, f"GET /sparql?query={quote(text)}{'x' * 70_000} HTTP/1.1\r\nHost: x\r\n\r\n"
                        .encode("ascii")).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414 ") and b"65,535" in body, head


def test_an_unparsable_request_is_a_json_400(url: str) -> None:
    head, _, body = raw(url, b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n").partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ") and b"application/json" in head, head
    assert b'"status": 400' in body


# --------------------------------------------------------------------------- Range, nosniff


def test_a_malformed_range_is_a_json_error(url: str, release: Path) -> None:
    """Starlette's FileResponse answered a malformed Range in plain text."""
    name = next(p.name for p in sorted(next(release.iterdir()).iterdir()) if p.name.endswith(".gz")) \
        if any(p.is_dir() for p in release.iterdir()) else None
    listing = httpx.get(f"{url}/dumps/?format=json", timeout=10).json()
    name = listing["files"][0]["file"] if name is None or name not in {f["file"] for f in listing["files"]} else name
    for bad in ("bytes=x-y", "lines=0-10", "bytes=10-5", "bytes="):
        r = httpx.get(f"{url}/dumps/{name}", headers={"Range": bad}, timeout=10)
        assert_json_error(r, 400)
    r = httpx.get(f"{url}/dumps/{name}", headers={"Range": "bytes=999999999-"}, timeout=10)
    err = assert_json_error(r, 416)
    assert r.headers["content-range"].startswith("bytes */") and err["detail"]
    r = httpx.get(f"{url}/static/kamergraph/kamergraph.css", headers={"Range": "bytes=9-1"}, timeout=10)
    assert_json_error(r, 400)
    r = httpx.get(f"{url}/dumps/{name}", headers={"Range": "bytes=0-9"}, timeout=10)
    assert r.status_code == 206 and len(r.content) == 10  # a good range still works


def test_json_errors_send_nosniff(url: str) -> None:
    assert_json_error(httpx.get(f"{url}/no/such/page", headers={"Accept": "application/json"}, timeout=10), 404)
    assert_json_error(httpx.get(f"{url}/sparql", params={"query": "SELEKT"}, timeout=10), 400)
    assert_json_error(httpx.put(f"{url}/sparql", timeout=10), 405)
    assert_json_error(httpx.get(f"{url}/queries/nope", headers={"Accept": "application/json"}, timeout=10), 404)


# --------------------------------------------------------------------------- repeated parameters


REPEATED = [
    ("/sparql?query=ASK%7B%7D&format=json&format=json", "format"),
    ("/sparql?query=ASK%7B%7D&query=ASK%7B%7D", "query"),
    ("/sparql?format=json&format=xml", "format"),
    ("/queries?format=json&format=json", "format"),
    ("/queries/kamervragen-per-fractie?format=csv&format=json", "format"),
    ("/queries/vragen-van-persoon?persoon=a&persoon=b", "persoon"),
    ("/query?query=ASK%7B%7D&query=ASK%7B%7D", "query"),
    ("/query?query=ASK%7B%7D&format=html&format=csv", "format"),
    (f"/id/kamervraag/{SEED}?format=turtle&format=jsonld", "format"),
    ("/resource?iri=http://example.org/a&iri=http://example.org/b", "iri"),
    (f"/id/kamervraag/{SEED}?bl=1&bl=2", "bl"),
    ("/dumps/?format=json&format=html", "format"),
    ("/dataset?format=turtle&format=jsonld", "format"),
    ("/def?format=turtle&format=turtle", "format"),
    ("/?lang=nl&lang=en", "lang"),
    ("/zoeken?q=export&page=1&page=2", "page"),
    ("/kamervragen?page=1&page=2", "page"),
]


@pytest.mark.parametrize(("path", "name"), REPEATED)
def test_a_repeated_parameter_is_a_400(url: str, path: str, name: str) -> None:
    r = httpx.get(url + path, headers={"Accept": "application/json"}, timeout=30)
    assert r.status_code == 400, (path, r.status_code, r.text[:300])
    assert name in r.text


def test_list_parameters_may_repeat(url: str) -> None:
    graph = f"https://kamergraph.nl/graph/kamervraag/{SEED}"
    r = httpx.get(f"{url}/sparql", params=[("query", "SELECT * { ?s ?p ?o } LIMIT 1"), ("default-graph-uri", graph),
                                           ("default-graph-uri", graph)],
                  headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200, r.text[:300]


# --------------------------------------------------------------------------- the event loop stays free


class Prober:
    """Asks a cheap route again and again in a thread and keeps the slowest answer time."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.times: list[float] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=60) as c:
            while not self._stop.is_set():
                t = time.monotonic()
                r = c.get(f"{self.url}/queries", headers={"Accept": "application/json"})
                self.times.append(time.monotonic() - t)
                if r.status_code != 200:
                    self.errors.append(f"{r.status_code} {r.text[:100]}")
                time.sleep(0.02)

    def __enter__(self) -> Prober:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(60)


def test_rendering_ten_thousand_rows_does_not_block_the_event_loop(url: str) -> None:
    """Drawn on the event loop, a 10,000-row table held every other request for the whole drawing
    (0.4-0.6 s here); in a thread, a cheap route keeps answering in milliseconds. Three rounds, the
    calmest counts (a garbage collection can stop every thread once)."""
    rounds = []
    with httpx.Client(timeout=60) as c:
        c.get(f"{url}/query", params={"query": TEN_THOUSAND})  # warm: the answer is cached from now on
        for _ in range(3):
            with Prober(url) as probe:
                time.sleep(0.3)
                t = time.monotonic()
                r = c.get(f"{url}/query", params={"query": TEN_THOUSAND})
                took = time.monotonic() - t
                time.sleep(0.3)
            assert r.status_code == 200 and r.text.count("<tr") >= 10_000, r.text[:300]
            assert not probe.errors, probe.errors[:3]
            rounds.append((max(probe.times), took))
    stall, took = min(rounds)
    assert took > 0.2, f"the page took {took:.2f} s: too fast to tell whether it blocked (rounds {rounds})"
    assert stall < max(0.15, took / 3), f"a cheap route waited {stall:.2f} s while a {took:.2f} s page was drawn"


# --------------------------------------------------------------------------- the guard off the event loop


def big_in_query(n: int = 20_000) -> str:
    """The issue's 569 KB query: rdflib took 26 s to parse it, on the event loop."""
    return "ASK { FILTER(<http://example.org/x> IN (" + ", ".join(f"<http://example.org/x/{i}>" for i in range(n)) + ")) }"


@pytest.fixture(scope="module")
def slow_url(kg_store: Path) -> Iterator[str]:
    """The app with a short time limit, so a query the guard takes long over ends soon."""
    from server.app import create_app

    app = create_app(settings_for(kg_store, query_timeout=4.0, query_workers=3, result_cache_mb=0), kg_store)
    with serving(app) as base:
        yield base


def test_a_huge_query_freezes_no_route_and_its_check_counts_against_the_limit(slow_url: str) -> None:
    """The guard parsed on the event loop: a 569 KB query froze every route for 26 s, past the 10 s
    limit. Now it is checked in the worker that runs it, under the query's time limit."""
    text = big_in_query()
    assert len(text.encode()) > 500_000
    page = f"{slow_url}/id/kamervraag/{SEED}"
    with httpx.Client(timeout=60) as c:  # warm: the page's overview and the workers
        assert c.get(page, headers={"Accept": "text/html"}).status_code == 200
        assert c.get(f"{slow_url}/sparql", params={"query": POINT}).status_code == 200
    result: dict[str, object] = {}

    def big() -> None:
        t = time.monotonic()
        r = httpx.post(f"{slow_url}/sparql", content=text.encode(), timeout=60,
                       headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
        result["status"], result["took"], result["body"] = r.status_code, time.monotonic() - t, r.text[:300]

    thread = threading.Thread(target=big)
    thread.start()
    time.sleep(0.5)  # the big query is being read, checked
    slowest = 0.0
    with httpx.Client(timeout=60) as c:
        for i in range(6):
            for url, params, headers in ((page, None, {"Accept": "text/html"}),
                                         (f"{slow_url}/sparql", {"query": POINT + f" LIMIT {100 + i}"}, None)):
                t = time.monotonic()
                r = c.get(url, params=params, headers=headers)
                took = time.monotonic() - t
                assert r.status_code == 200, (url, r.status_code, r.text[:300])
                slowest = max(slowest, took)
            time.sleep(0.3)
    thread.join(60)
    # the margin is wide (the tests run in parallel): on the event loop the check froze them for 26 s
    assert slowest < 5.0, f"a page or a point query took {slowest:.2f} s while the big query was checked"
    assert result["status"] in (200, 504), result
    assert result["took"] < 4.0 + 3.0, result  # the time limit and a margin, check included


# --------------------------------------------------------------------------- the SERVICE bypass


def test_the_service_bypass_is_refused_on_every_route(url: str) -> None:
    """Issue 13 item 1: rdflib decoded the \\u0022 escapes before parsing, so the guard saw one long
    string where Oxigraph saw a SERVICE call, and the engine called the listener."""
    listener = Listener()
    try:
        attack = (r'SELECT ?s WHERE { BIND("\u0022" AS ?x) SERVICE <http://127.0.0.1:' + str(listener.port)
                  + r'/x> { ?s ?p ?o } BIND("\u0022" AS ?y) }')
        with httpx.Client(timeout=30) as c:
            answers = {
                "GET /sparql": c.get(f"{url}/sparql", params={"query": attack}),
                "POST /sparql form": c.post(f"{url}/sparql", data={"query": attack}),
                "POST /sparql sparql-query": c.post(f"{url}/sparql", content=attack.encode(),
                                                    headers={"Content-Type": "application/sparql-query"}),
                "GET /query": c.get(f"{url}/query", params={"query": attack}),
                "GET /query csv": c.get(f"{url}/query", params={"query": attack, "format": "csv"},
                                        follow_redirects=True),
            }
        time.sleep(0.5)
        for route, r in answers.items():
            assert r.status_code in (400, 403), (route, r.status_code, r.text[:300])
        assert listener.contacts == 0
    finally:
        listener.close()
