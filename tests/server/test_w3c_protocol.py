"""The W3C SPARQL 1.1 Protocol test manifest, replayed against the app.

The manifest (tests/data/w3c-sparql11-protocol/manifest.ttl, read with rdflib) describes each
test as HTTP exchanges in RDF (the ht: vocabulary). Every request is replayed against the app
with its method, path (``/sparql/`` rewritten to ``/sparql``), headers and body (in the
encoding the manifest names), and the answer is checked against the expected status class,
result format and boolean.

The endpoint is read-only, so the update tests get its documented refusal instead of the
manifest's 2xx: every update request is answered 403 in the error shape, and a follow-up ASK
that would see the update's effect answers false (nothing changed). Update requests the manifest
expects to fail (4xx) must fail.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from tests.server.conftest import KASEI, W3C, settings_for

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

SRX = "{http://www.w3.org/2005/sparql-results#}"
BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = BOOLEAN_TYPES | {"text/csv", "text/tab-separated-values"}
RDF_TYPES = {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json", "application/n-quads"}


@dataclass
class Exchange:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]  # "2xx", "4xx" …
    boolean: bool | None
    fmt: str | None


@dataclass
class Entry:
    name: str
    label: str
    graphs: list[str] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def is_update(self) -> bool:
        return self.name.startswith(("update_", "bad_update_"))


def read_manifest(path: Path) -> list[Entry]:
    g = Graph()
    g.parse(path, format="turtle", publicID=path.as_uri())
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    entries = []
    for node in Collection(g, g.value(manifest, MF.entries)):
        name = str(node).rsplit("#", 1)[-1]
        entry = Entry(name, str(g.value(node, MF.name)))
        for gd in g.objects(node, UT.graphData):
            entry.graphs.append(str(g.value(gd, RDFS.label)))
        action = g.value(node, MF.action)
        for req in Collection(g, g.value(action, HT.requests)):
            headers = {}
            hlist = g.value(req, HT.headers)
            if hlist is not None:
                for h in Collection(g, hlist):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            body = None
            b = g.value(req, HT.body)
            if b is not None:
                encoding = str(g.value(b, CNT.characterEncoding) or "UTF-8")
                body = str(g.value(b, CNT.chars)).encode(encoding.lower())
            resp = g.value(req, HT.resp)
            statuses = {str(s).rsplit("StatusCode", 1)[-1] for s in g.objects(resp, MF.expectedStatus)}
            expected_bool = g.value(resp, MF.expectedBoolean)
            fmt = g.value(resp, MF.expectedFormat)
            entry.exchanges.append(Exchange(
                method=str(g.value(req, HT.methodName)),
                path=str(g.value(req, HT.absolutePath)),
                headers=headers,
                body=body,
                statuses=statuses,
                boolean=None if expected_bool is None else bool(expected_bool.toPython()),
                fmt=None if fmt is None else str(fmt),
            ))
        entries.append(entry)
    return entries


def is_update_request(ex: Exchange) -> bool:
    ctype = ex.headers.get("content-type", "").split(";")[0].strip().lower()
    params = [k for k, _ in parse_qsl(urlsplit(ex.path).query)]
    if ex.body is not None and ctype == "application/x-www-form-urlencoded":
        params += [k for k, _ in parse_qsl(ex.body.decode("utf-8", "replace"))]
    return ctype == "application/sparql-update" or "update" in params


def _rewrite(path: str) -> str:
    rest = path[len("/sparql/"):]
    return "/sparql" + (rest if rest.startswith("?") or not rest else "/" + rest)


def media(resp) -> str:
    return resp.headers.get("content-type", "").split(";")[0].strip().lower()


def boolean_of(resp) -> bool:
    mt = media(resp)
    if mt == "application/sparql-results+json":
        return resp.json()["boolean"]
    if mt == "application/sparql-results+xml":
        el = ET.fromstring(resp.content).find(f"{SRX}boolean")
        assert el is not None
        return el.text.strip() == "true"
    raise AssertionError(f"a boolean result as {mt}")


def is_error_shape(resp) -> bool:
    try:
        body = resp.json()
    except ValueError:
        return False
    err = body.get("error") if isinstance(body, dict) else None
    return (
        media(resp) == "application/json"
        and isinstance(err, dict)
        and set(err) == {"status", "title", "detail"}
        and err["status"] == resp.status_code
        and "Traceback" not in resp.text
    )


def check_exchange(client: TestClient, entry: Entry, ex: Exchange, refused_update: bool) -> str | None:
    """None if the exchange passes, else what went wrong."""
    resp = client.request(ex.method, _rewrite(ex.path), headers=ex.headers, content=ex.body)
    status_class = f"{resp.status_code // 100}xx"
    update = is_update_request(ex)
    if update and "2xx" in ex.statuses:  # the documented refusal of the read-only endpoint
        if resp.status_code != 403 or not is_error_shape(resp):
            return f"update: expected the read-only refusal 403, got {resp.status_code} {resp.text[:200]}"
        return None
    if status_class not in ex.statuses:
        return f"expected {sorted(ex.statuses)}, got {resp.status_code} {resp.text[:200]}"
    if resp.status_code >= 400:
        if update and resp.status_code not in (403, 405, 415):
            return f"update: expected a refusal, got {resp.status_code}"
        if not is_error_shape(resp):
            return f"error not in the one JSON shape: {resp.text[:200]}"
        return None
    mt = media(resp)
    if ex.fmt == "boolean" and mt not in BOOLEAN_TYPES:
        return f"expected a boolean result format, got {mt}"
    if ex.fmt == "tabular" and mt not in TABULAR_TYPES:
        return f"expected a tabular result format, got {mt}"
    if ex.fmt == "RDF" and mt not in RDF_TYPES:
        return f"expected an RDF format, got {mt}"
    if ex.boolean is not None:
        # after a refused update, the store is unchanged: the ASK that looks for its effect is false
        expected = False if refused_update else ex.boolean
        got = boolean_of(resp)
        if got is not expected:
            return f"expected boolean {expected}, got {got}"
    return None


@pytest.fixture(scope="module")
def w3c_client(w3c_store: Path):
    from server.app import create_app

    with TestClient(create_app(settings_for(w3c_store, query_workers=2), w3c_store), raise_server_exceptions=False) as c:
        yield c


def test_manifest_is_read_whole() -> None:
    entries = read_manifest(W3C / "manifest.ttl")
    assert len(entries) == 34
    assert sum(e.is_update for e in entries) == 13
    assert sum(len(e.exchanges) for e in entries) == 39
    # the graphs the dataset tests name are the ones the fixture loads (and nothing is fetched)
    assert {g for e in entries for g in e.graphs} == {f"{KASEI}data{i}.rdf" for i in (1, 2, 3)}


def test_w3c_protocol_manifest(w3c_client: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    entries = read_manifest(W3C / "manifest.ttl")
    failures: dict[str, str] = {}
    passed = {"query": 0, "update": 0}
    for entry in entries:
        refused = False
        problem = None
        for i, ex in enumerate(entry.exchanges):
            problem = check_exchange(w3c_client, entry, ex, refused)
            if problem:
                problem = f"request {i + 1}: {problem}"
                break
            refused = refused or (is_update_request(ex) and "2xx" in ex.statuses)
        if problem:
            failures[entry.name] = problem
        else:
            passed["update" if entry.is_update else "query"] += 1
    total = len(entries)
    n_update = sum(e.is_update for e in entries)
    with capsys.disabled():
        print(
            f"\nW3C SPARQL 1.1 Protocol: {sum(passed.values())}/{total} entries passed "
            f"({passed['query']}/{total - n_update} query entries, "
            f"{passed['update']}/{n_update} update entries refused as documented)"
        )
        for name, problem in failures.items():
            print(f"  FAIL {name}: {problem}")
    assert not failures, json.dumps(failures, indent=1)
