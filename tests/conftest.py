"""Shared test set-up: the repository root on sys.path and the bundled data folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA = ROOT / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def full_build(tmp_path_factory: pytest.TempPathFactory):
    """The whole bundled corpus built once into an embedded store: (store path, build report).

    The store is closed again, so that each test can open it (one at a time) or run the CLI on it.
    """
    from kamergraph.build import build
    from ontology.namespaces import Iris
    from store.embedded import EmbeddedStore

    path = tmp_path_factory.mktemp("full") / "store"
    store = EmbeddedStore(path)
    report = build(store, DATA, Iris("https://kamergraph.nl/"))
    store.close()
    return path, report
