"""/dumps/, /dumps/{file} and /def/context.jsonld on a release of the small real store: the
listing (HTML nl/en, JSON), no release yet, ETag and If-None-Match (304), ranges (206, 416), the
gzip files served as they are."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.server.conftest import settings_for
from fastapi.testclient import TestClient
from pyoxigraph import RdfFormat, parse

from ontology.context import jsonld_context
from store.embedded import EmbeddedStore
from store.export import write_release

BASE = "https://kamergraph.nl/"


@pytest.fixture(scope="module")
def release(kg_store: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("dumps") / "dumps"
    with EmbeddedStore(kg_store) as store:
        manifest = write_release(store, out, base=BASE)
    return out, manifest


@pytest.fixture(scope="module")
def client(kg_store: Path, release: tuple[Path, dict]) -> Iterator[TestClient]:
    from server.app import create_app

    app = create_app(settings_for(kg_store, dumps_dir=release[0], query_workers=1), kg_store)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def empty_client(kg_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from server.app import create_app

    nothing = tmp_path_factory.mktemp("no-dumps") / "dumps"
    app = create_app(settings_for(kg_store, dumps_dir=nothing, query_workers=1), kg_store)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_listing_as_json_is_the_manifest(client: TestClient, release: tuple[Path, dict]) -> None:
    _, manifest = release
    for r in (client.get("/dumps/", headers={"Accept": "application/json"}), client.get("/dumps/?format=json")):
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
        body = r.json()
        for key in ("created", "store_generation", "triples", "quads"):
            assert body[key] == manifest[key]
        assert [{k: v for k, v in f.items() if k != "url"} for f in body["files"]] == manifest["files"]
        assert [f["url"] for f in body["files"]] == [BASE + "dumps/" + f["file"] for f in manifest["files"]]
    r = client.get("/dumps/manifest.json")
    assert r.status_code == 200 and json.loads(r.content) == manifest


def test_listing_page_in_dutch_and_english(client: TestClient, release: tuple[Path, dict]) -> None:
    _, manifest = release
    r = client.get("/dumps/", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "De hele graaf downloaden" in page and 'class="site-header"' in page  # base.html
    for f in manifest["files"]:
        assert f'href="/dumps/{f["file"]}"' in page and f["sha256"] in page
        assert f["media_type"] in page
    assert "/def/context.jsonld" in page
    en = client.get("/dumps/?lang=en", headers={"Accept": "text/html"}).text
    assert "Download the whole graph" in en and "De hele graaf downloaden" not in en
    assert client.get("/dumps", follow_redirects=False).status_code == 308


def test_no_release_yet(empty_client: TestClient) -> None:
    page = empty_client.get("/dumps/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "kamergraph dumps" in page.text and "nog geen release" in page.text
    r = empty_client.get("/dumps/", headers={"Accept": "application/json"})
    assert r.status_code == 404 and "kamergraph dumps" in r.json()["error"]["detail"]
    r = empty_client.get("/dumps/kamergraph.nt.gz")
    assert r.status_code == 404 and r.json()["error"]["status"] == 404


def test_files_are_served_as_written(client: TestClient, release: tuple[Path, dict]) -> None:
    out, manifest = release
    for f in manifest["files"]:
        r = client.get(f"/dumps/{f['file']}")
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/gzip"
        assert "content-encoding" not in r.headers
        assert r.headers["etag"] == f'"{f["sha256"]}"'
        assert r.headers["x-content-media-type"] == f["media_type"]
        assert r.headers["accept-ranges"] == "bytes"
        assert f'filename="{f["file"]}"' in r.headers["content-disposition"]
        assert hashlib.sha256(r.content).hexdigest() == f["sha256"] and len(r.content) == f["bytes"]
    nt = client.get("/dumps/kamergraph.nt.gz").content
    nt_entry = next(f for f in manifest["files"] if f["format"] == "nt")
    assert len(list(parse(gzip.decompress(nt), format=RdfFormat.N_TRIPLES))) == nt_entry["triples"] == manifest["quads"]
    head = client.head("/dumps/kamergraph.nq.gz")
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) == manifest["files"][0]["bytes"]
    r = client.get("/dumps/other.nt.gz")
    assert r.status_code == 404 and "kamergraph.nt.gz" in r.json()["error"]["detail"]
    assert client.get("/dumps/..%2Fmanifest.json").status_code == 404


def test_etag_and_if_none_match(client: TestClient, release: tuple[Path, dict]) -> None:
    _, manifest = release
    f = manifest["files"][1]
    etag = f'"{f["sha256"]}"'
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        r = client.get(f"/dumps/{f['file']}", headers={"If-None-Match": header})
        assert r.status_code == 304, header
        assert r.content == b"" and r.headers["etag"] == etag
    r = client.get(f"/dumps/{f['file']}", headers={"If-None-Match": '"0123"'})
    assert r.status_code == 200 and hashlib.sha256(r.content).hexdigest() == f["sha256"]
    m = client.get("/dumps/manifest.json")
    assert client.get("/dumps/manifest.json", headers={"If-None-Match": m.headers["etag"]}).status_code == 304


def test_ranges(client: TestClient, release: tuple[Path, dict]) -> None:
    out, manifest = release
    f = manifest["files"][0]
    whole = (out / f["file"]).read_bytes()
    r = client.get(f"/dumps/{f['file']}", headers={"Range": "bytes=100-1099"})
    assert r.status_code == 206
    assert r.headers["content-range"] == f"bytes 100-1099/{len(whole)}"
    assert r.content == whole[100:1100]
    r = client.get(f"/dumps/{f['file']}", headers={"Range": "bytes=-500"})
    assert r.status_code == 206 and r.content == whole[-500:]
    # resuming a download: the rest of the file, only if it is still the same file
    r = client.get(f"/dumps/{f['file']}", headers={"Range": "bytes=1000-", "If-Range": f'"{f["sha256"]}"'})
    assert r.status_code == 206 and r.content == whole[1000:]
    r = client.get(f"/dumps/{f['file']}", headers={"Range": "bytes=1000-", "If-Range": '"another-file"'})
    assert r.status_code == 200 and r.content == whole
    r = client.get(f"/dumps/{f['file']}", headers={"Range": "bytes=0-9,20-29"})
    assert r.status_code == 206 and r.headers["content-type"].startswith("multipart/byteranges")
    assert whole[0:10] in r.content and whole[20:30] in r.content
    r = client.get(f"/dumps/{f['file']}", headers={"Range": f"bytes={len(whole) + 10}-"})
    assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{len(whole)}"


def test_the_context_is_served(client: TestClient) -> None:
    r = client.get("/def/context.jsonld")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    assert r.json() == {"@context": jsonld_context()}
    assert r.headers["access-control-allow-origin"] == "*"
    assert client.get("/def/context.jsonld", headers={"If-None-Match": r.headers["etag"]}).status_code == 304


def test_the_dumps_name_the_served_context(client: TestClient, release: tuple[Path, dict]) -> None:
    """The JSON-LD dump, with the context fetched from this server (not from a local copy), reads
    back as the same dataset as the N-Quads dump."""
    doc = json.loads(gzip.decompress(client.get("/dumps/kamergraph.jsonld.gz").content))
    assert doc["@context"] == BASE + "def/context.jsonld"
    doc["@context"] = client.get("/" + doc["@context"][len(BASE):]).json()["@context"]
    got = set(parse(json.dumps(doc).encode("utf-8"), format=RdfFormat.JSON_LD))
    expected = set(parse(gzip.decompress(client.get("/dumps/kamergraph.nq.gz").content), format=RdfFormat.N_QUADS))
    assert got == expected and len(got) == release[1]["quads"]


def test_the_home_page_offers_the_download_only_with_a_release(client: TestClient, empty_client: TestClient) -> None:
    """The home page agrees with /dumps/: with a release it links the download; without one it says there is no
    release yet and how one is made, instead of offering a download that /dumps/ then refuses."""
    accept = {"Accept": "text/html"}
    with_release = client.get("/", params={"lang": "nl"}, headers=accept)
    without = empty_client.get("/", params={"lang": "nl"}, headers=accept)
    assert with_release.status_code == 200 and without.status_code == 200
    assert "De hele graaf downloaden (dumps)</a>" in with_release.text and "nog geen release" not in with_release.text
    assert "nog geen release van de dumps" in without.text and "<code>kamergraph dumps</code>" in without.text
    assert "De hele graaf downloaden (dumps)</a>" not in without.text
