"""The number a question's or answer's IRI ends in, also for a part a text prints under a number twice."""

from __future__ import annotations

import pytest

from server.pages.base import tail_number


@pytest.mark.parametrize("iri, number", [
    ("https://kamergraph.nl/id/kamervraag/2019Z15231/vraag/7", 7),
    ("https://kamergraph.nl/id/kamervraag/2019Z15231/antwoord/12", 12),
    ("https://kamergraph.nl/id/kamervraag/2019Z15231/vraag/3-2", 3),  # the second question printed as 3
    ("https://kamergraph.nl/id/kamervraag/2019Z15231/antwoord/3-2", 3),
    ("https://kamergraph.nl/id/kamervraag/2019Z15231", None),
    ("https://kamergraph.nl/id/kamervraag/2019Z15231/vraag/3-", None),
])
def test_tail_number(iri: str, number: int | None) -> None:
    assert tail_number(iri) == number
