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


@pytest.fixture(scope="session")
def full_search_index(full_build):  # noqa: ANN001, ANN201 - (store path, build report); (store, index, seconds)
    """The search index of the full build, where a server of that store looks for it (beside the store,
    server.search_pages.index_path_for): built once per session for the search tests, and found current by
    the server of the page tests, which would otherwise build one of its own in the background (40 s of CPU).
    (store path, the index, the seconds its build took)."""
    import time

    from server.search import ensure_index

    store, _report = full_build
    t0 = time.perf_counter()
    index = ensure_index(Path(str(store) + ".search.sqlite"), "https://kamergraph.nl/", store_path=store)
    return store, index, time.perf_counter() - t0


# Folders whose tests share package-scoped fixtures (real servers, with the data built into them): with
# pytest-xdist each goes to one worker whole, so that those start once per run.
WHOLE_FOLDERS = frozenset({"remote"})
# The test files that use the full build (``full_build``): one unit of work, on one worker. When the cache
# has no full build for the current code and data, the first of them builds it (over a minute); the
# others wait for it on the cache's lock, and a worker waiting there does nothing else. On one worker
# they come after the build, and the other worker goes on with everything else.
# (tests/test_build_cache.py checks this list against the files that use the fixture.)
FULL_BUILD_FILES = frozenset({
    "tests/kamergraph/test_audit.py",
    "tests/kamergraph/test_build.py",
    "tests/kamergraph/test_cli.py",
    "tests/queries/test_named_queries.py",
    "tests/server/test_pages_full.py",
    "tests/server/test_search_full.py",
})


def work_unit(nodeid: str) -> str:
    """The unit of work a test belongs to under pytest-xdist: its file, its folder for WHOLE_FOLDERS, or
    ``tests/full-build`` for the files of FULL_BUILD_FILES."""
    path = nodeid.split("::", 1)[0]
    parts = path.split("/")
    if len(parts) > 2 and parts[0] == "tests" and parts[1] in WHOLE_FOLDERS:
        return "/".join(parts[:2])
    if path in FULL_BUILD_FILES:
        return "tests/full-build"
    return path


# The units of work that take longest (measured: a minute and more each, the first two about five), in that
# order: they are handed out first, so that a worker that ends early does not leave one of them running
# alone at the end; the rest follow in the order they are collected. (xdist would otherwise hand out the
# units with the most tests first, and left the slow files of few tests, the member sync among them, for
# last.)
SLOWEST_FIRST = (
    "tests/remote",
    "tests/full-build",
    "tests/kamergraph/test_sync.py",
    "tests/kamergraph/test_sync_reference.py",
    "tests/reliability/test_readonly_and_full_disk.py",
    "tests/store/test_export.py",
    "tests/kamergraph/test_ingest.py",
    "tests/browser/test_pages_browser.py",
    # added this round, each a minute or so under load: 23 page classes at 390 px in Chromium; the one list on
    # the small store; two syncs of the BNC fiches on a base store of their own
    "tests/browser/test_phone_browser.py",
    "tests/server/test_search_list.py",
    "tests/kamergraph/test_sync_bnc.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests of the SLOWEST_FIRST units first, in that order; the others after them, as collected (a
    unit's own tests keep their order). Under pytest-xdist each worker collects the same order, and the
    scheduler hands the units out in it."""
    rank = {unit: i for i, unit in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(work_unit(item.nodeid), len(rank)))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):  # noqa: ANN001, ANN201 - xdist's types
    """Under pytest-xdist (``make test``: ``-n auto``), send each file's tests to one worker, and each
    folder of WHOLE_FOLDERS whole: a file's module fixtures (stores, servers, clients) and a folder's
    package fixtures are then set up once. (xdist's own ``--dist loadgroup`` cannot group by marker
    under pytest 9: it changes node ids that pytest no longer reads back.)"""
    from xdist.scheduler import LoadScopeScheduling

    class FileScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    config.option.loadscopereorder = False  # the units in the order collected (pytest_collection_modifyitems)
    return FileScheduling(config, log)
