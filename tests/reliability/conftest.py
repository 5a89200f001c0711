"""Shared by the reliability tests: a real loopback HTTP listener that counts its connections."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.guard_fuzz import Listener


@pytest.fixture(scope="session")
def loopback_listener() -> Iterator[Listener]:
    """A threaded HTTP server on 127.0.0.1 (a free port) answering SPARQL JSON; ``.contacts``
    counts every connection it accepted, ``.base`` is its ``http://127.0.0.1:PORT``."""
    listener = Listener()
    try:
        yield listener
    finally:
        listener.close()
