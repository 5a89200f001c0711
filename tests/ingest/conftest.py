"""Fixtures the EU-linker class tests share (a module may define its own of the same name instead)."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest.citations import EURegister
from tests.support.slices import zaak_titles


@pytest.fixture(scope="module")
def register() -> EURegister:
    """The bundled register of EU acts."""
    return EURegister.load()


@pytest.fixture(scope="module")
def zaken(request: pytest.FixtureRequest) -> dict[str, tuple[str, dt.date]]:
    """(title, date) of the Zaken in the test module's EXPECTED, read from the OData extract."""
    return zaak_titles(request.module.EXPECTED)
