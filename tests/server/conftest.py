"""Fixtures for the server tests: small real stores and the app on them (real worker pools)."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.build_cache import cached_store

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
ODATA = DATA / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz"
W3C = ROOT / "tests" / "data" / "w3c-sparql11-protocol"
SEED = "2019Z15231"
KASEI = "http://kasei.us/2009/09/sparql/data/"


def build_kg(path: Path) -> None:
    """A real store at ``path`` built from a slice of the bundled OData (60 Zaken and the founding case)."""
    from kamergraph.build import build
    from ontology.namespaces import Iris
    from store.embedded import EmbeddedStore

    with gzip.open(ODATA, "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    seed = next(ln for ln in lines if f'"{SEED}"' in ln)
    odata = path.parent / "slice.jsonl.gz"
    odata.write_bytes(gzip.compress(("\n".join([*lines[:60], seed]) + "\n").encode("utf-8")))
    store = EmbeddedStore(path)
    report = build(store, DATA, Iris("https://kamergraph.nl/"), odata_file=odata,
                   texts=[DATA / "texts" / "seed" / "kv-tk-2019Z15231.txt"])
    assert report.counts() == {"loaded": 62}
    store.close()


@pytest.fixture(scope="session")
def kg_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real store built from a slice of the bundled OData (60 Zaken and the founding case): a copy of
    its own of the store tests.support.build_cache keeps between runs and workers."""
    path = tmp_path_factory.mktemp("kg") / "store"
    cached_store("kg", build_kg, path)
    return path


@pytest.fixture(scope="session")
def w3c_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The W3C protocol tests' data: data1-3.nt loaded under the kasei.us graph IRIs the manifest
    names (nothing is fetched), and data0.rdf, which the manifest names but does not provide, as an
    empty graph."""
    from pyoxigraph import NamedNode, RdfFormat, Store

    path = tmp_path_factory.mktemp("w3c") / "store"
    store = Store(str(path))
    for i in (1, 2, 3):
        store.load(path=str(W3C / f"data{i}.nt"), format=RdfFormat.N_TRIPLES, to_graph=NamedNode(f"{KASEI}data{i}.rdf"))
    store.add_graph(NamedNode(f"{KASEI}data0.rdf"))
    store.flush()
    del store
    return path


def settings_for(store: Path, **overrides):
    from kamergraph.settings import Settings

    values = {"store": str(store), "query_workers": 3, "query_timeout": 10.0}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="module")
def kg_client(kg_store: Path) -> Iterator[TestClient]:
    from server.app import create_app

    app = create_app(settings_for(kg_store, query_row_limit=50), kg_store)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@contextmanager
def serving(app) -> Iterator[str]:
    """The app under a real uvicorn server on a free loopback port, configured as `kamergraph serve`
    configures it (server.http: its HTTP protocol, the lifespan, a bounded graceful shutdown); on
    exit the server stops and with it everything the app started (its lifespan's end).

    The socket is bound here and handed to uvicorn as it is (no port number to bind again, which
    another process could take in between)."""
    import uvicorn

    from server.http import config

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(config(app, "127.0.0.1", port, "warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not server.started:
            assert thread.is_alive(), "uvicorn stopped while starting"
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not stop"
