"""Cabinets among the names a search text finds: a cabinet is not a facet of the list, so it is offered with
its page and the list of the Kamervragen submitted during its term (``van``/``tot``: its start and end dates),
counted on the index. The cabinets, their names and dates are asked from the store once per generation."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ontology.namespaces import sparql_prefixes
from server.endpoint import Endpoint, run_rows
from server.search import SearchIndex, local_href
from server.search.entities import matches, query_words
from server.search.select import Selection
from server.search.text import WORD, normalise
from store import generation
from store.pool import Job

CABINETS = sparql_prefixes() + """
SELECT ?k (SAMPLE(?l) AS ?label) (MIN(?s) AS ?start) (MAX(?e) AS ?end) WHERE {
  ?k a kg:Kabinet ; rdfs:label ?l .
  OPTIONAL { ?k schema:startDate ?s } OPTIONAL { ?k schema:endDate ?e }
} GROUP BY ?k
"""
REMOTE_TTL = 60  # seconds a remote store's cabinets are kept


@dataclass(frozen=True)
class Cabinet:
    iri: str
    label: str
    start: str | None
    end: str | None

    @property
    def words(self) -> frozenset[str]:
        return frozenset(WORD.findall(normalise(self.label)))


_CABINETS: dict[tuple[int, Any], list[Cabinet]] = {}


def _generation(endpoint: Endpoint) -> Any:
    path = getattr(endpoint, "store_path", None)
    if path is not None and getattr(endpoint, "remote", None) is None:
        return generation.current(path)
    return int(time.monotonic() // REMOTE_TTL)


async def cabinets(endpoint: Endpoint) -> list[Cabinet]:
    """Every cabinet in the store with its name and term (asked once per generation of the store)."""
    key = (id(endpoint), _generation(endpoint))
    hit = _CABINETS.get(key)
    if hit is not None:
        return hit
    answer = await run_rows(endpoint, Job(CABINETS, output="rows", bindings={}))
    found = [Cabinet(_v(k), _v(label) or _v(k), (_v(s) or "")[:10] or None, (_v(e) or "")[:10] or None)
             for k, label, s, e in answer.result.rows if k is not None]
    if len(_CABINETS) > 16:
        _CABINETS.clear()
    _CABINETS[key] = found
    return found


def _v(term: Any) -> str:
    return "" if term is None else str(getattr(term, "value", term))


def named(found: list[Cabinet], text: str, index: SearchIndex) -> list[tuple[Cabinet, int, str | None]]:
    """The cabinets ``text`` names (every word the start of a word of the name; "kabinet" alone names none),
    each with the number of Kamervragen submitted during its term and its page."""
    words = [w for w in query_words(text) if w != "kabinet"]
    out = []
    for c in found:
        if words and c.start and matches(words, c.words):
            n = index.count(Selection(van=c.start, tot=c.end))
            out.append((c, n, local_href(c.iri, index.base)))
    return out
