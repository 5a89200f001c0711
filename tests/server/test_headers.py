"""Issue 13 item 12: IRIs and paths with characters outside Latin-1 (``/id/kamervraag/€``) answered 500,
because the ``Link`` header could not be encoded. Every header built from an IRI or a path is now
written as an ASCII URI (percent-encoded UTF-8); each route class is asked for such a path."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from server.headers import header_uri

EURO = "%E2%82%AC"  # €, outside Latin-1
PATHS = [
    f"/id/kamervraag/{EURO}",
    f"/id/kamervraag/2019Z15231{EURO}",
    f"/id/kamervraag/{EURO}.ttl",
    f"/id/persoon/{EURO}.jsonld",
    f"/graph/kamervraag/{EURO}",
    f"/resource?iri=http://example.org/{EURO}",
    f"/resource?iri=http://example.org/{EURO}&format=ttl",
    f"/resource?iri=https://kamergraph.nl/id/kamervraag/{EURO}",
    f"/def/{EURO}",
    f"/def.{EURO}",
    f"/dumps/{EURO}",
    f"/queries/{EURO}",
    f"/{EURO}",
    f"/zoeken?q={EURO}",
    f"/kamervragen?onderwerp={EURO}",
    f"/sparql/{EURO}",
]


def test_header_uri_percent_encodes_what_a_header_cannot_hold() -> None:
    assert header_uri("https://kamergraph.nl/id/kamervraag/€") == f"https://kamergraph.nl/id/kamervraag/{EURO}"
    assert header_uri("/resource?iri=http%3A%2F%2Fx.org%2F&format=ttl") == "/resource?iri=http%3A%2F%2Fx.org%2F&format=ttl"
    assert header_uri('http://x.org/a b<">') == "http://x.org/a%20b%3C%22%3E"  # cannot end a <…> or a "…"
    assert header_uri("https://kamergraph.nl/id/ministerie/ocw#x") == "https://kamergraph.nl/id/ministerie/ocw#x"


@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "application/json"])
@pytest.mark.parametrize("path", PATHS)
def test_non_latin1_paths_never_answer_500(kg_client: TestClient, path: str, accept: str) -> None:
    r = kg_client.get(path, headers={"Accept": accept}, follow_redirects=False)
    assert r.status_code < 500, (path, r.status_code, r.text[:300])
    for name in ("link", "location", "content-location"):
        value = r.headers.get(name)
        if value is not None:
            assert value.isascii() and "€" not in value, (name, value)
    if path.startswith(("/id/", "/graph/")):
        assert EURO in r.headers["link"]  # the canonical IRI and the alternates, percent-encoded
