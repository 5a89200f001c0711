"""Fixtures for the browser tests: the small real store of the server tests, the app served by
uvicorn on a free loopback port, and what a browser test needs (Playwright, Chromium, the npm files).

A missing piece skips the browser tests, except under CI (``tests.support.ci.in_ci``), where it fails them: CI installs
Chromium (.ci/run) and the npm packages (make setup), so a missing piece there is a broken set-up.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import kg_store, settings_for  # noqa: F401 - the same store fixture
from tests.support.ci import in_ci

CHROMIUM = Path(os.environ.get("KAMERGRAPH_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture
def artifacts(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Where a browser test leaves its screenshots: a folder of its own, in $KAMERGRAPH_ARTIFACTS
    (named after the test) when that is set, else in the test's temporary folder (pytest keeps the
    last runs'), so that tests running at once never write the same file."""
    base = os.environ.get("KAMERGRAPH_ARTIFACTS")
    if not base:
        return tmp_path
    path = Path(base) / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
    path.mkdir(parents=True, exist_ok=True)
    return path


def require(condition: bool, what: str) -> None:
    """Skip (locally) or fail (under CI) when a browser-test prerequisite is missing."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"browser test prerequisite missing under CI: {what}", pytrace=False)
    pytest.skip(f"browser test prerequisite missing: {what}")


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        require(False, "the Python package playwright (pip install -e '.[test]')")
    require(CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK),
            f"Chromium at {CHROMIUM} (apt-get install chromium; or set KAMERGRAPH_CHROMIUM)")
    from server.editor import YASGUI_BUILD, editor_files_present

    require(editor_files_present(), f"the YASGUI bundle in {YASGUI_BUILD} (make setup, or npm ci in frontend/)")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[Any]:
    """A headless Chromium (Debian's) through Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium_path), headless=True,
                              args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            yield b
        finally:
            b.close()


@dataclass(frozen=True)
class LiveServer:
    url: str
    host: str
    port: int
    store: Path


@pytest.fixture(scope="module")
def live_server(kg_store: Path) -> Iterator[LiveServer]:  # noqa: F811 - the imported fixture
    """The app on the small real store, served by uvicorn in a thread on a free 127.0.0.1 port."""
    import uvicorn

    from server.app import create_app

    app = create_app(settings_for(kg_store, query_row_limit=50), kg_store)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", "127.0.0.1", port, kg_store)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
