"""Shared by the reliability tests: a real loopback HTTP listener that counts its connections."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.guard_fuzz import LISTENER_ANSWER
from tests.support.listener import Listener


@pytest.fixture(scope="session")
def loopback_listener() -> Iterator[Listener]:
    """A threaded HTTP server on 127.0.0.1 (a free port) answering SPARQL JSON; ``.contacts``
    counts every connection it accepted, ``.base`` is its ``http://127.0.0.1:PORT``."""
    listener = Listener(LISTENER_ANSWER)
    try:
        yield listener
    finally:
        listener.close()
