"""Shared test set-up: the repository root on sys.path, the bundled data folder, the full build, and
the grouping of tests for parallel workers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.build_cache import cached_store  # noqa: E402 - needs the root on sys.path

DATA = ROOT / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


def build_full(path: Path):
    """The whole bundled corpus built into an embedded store at ``path`` (closed again); the build report."""
    from kamergraph.build import build
    from ontology.namespaces import Iris
    from store.embedded import EmbeddedStore

    store = EmbeddedStore(path)
    report = build(store, DATA, Iris("https://kamergraph.nl/"))
    store.close()
    return report


@pytest.fixture(scope="session")
def full_build(tmp_path_factory: pytest.TempPathFactory):
    """The whole bundled corpus built into an embedded store: (store path, build report).

    Built once and kept between runs and test workers (tests.support.build_cache, keyed by the data and
    the code); each session gets a copy of its own. The store is closed, so that each test can open it
    (one at a time) or run the CLI on it.
    """
    path = tmp_path_factory.mktemp("full") / "store"
    report = cached_store("full", build_full, path)
    return path, report


# Folders whose tests share package-scoped fixtures (real servers, with the data built into them): under
# pytest-xdist's ``--dist loadgroup`` each goes to one worker whole, so that those start once per run.
WHOLE_FOLDERS = frozenset({"remote"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With pytest-xdist, put each test in a group (``xdist_group``) of its file, or of its folder for
    WHOLE_FOLDERS: a file's module fixtures (stores, servers, clients) are then set up by one worker only."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    tests = ROOT / "tests"
    for item in items:
        relative = Path(item.path).resolve().relative_to(tests)
        group = relative.parts[0] if relative.parts[0] in WHOLE_FOLDERS else relative.as_posix()
        item.add_marker(pytest.mark.xdist_group(group))
