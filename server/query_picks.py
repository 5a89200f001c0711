"""The lists of names a named query's parameters are picked from: members, fracties, posts, ministries
and EU acts by name, each with its IRI as the value.

A visitor of ``/queries`` or ``/queries/{name}`` picks a member, a fractie, a post, a ministry or an
EU act from a ``<select>`` of names rather than typing an IRI or a key: :func:`pick_lists` reads the
lists a query's parameters need (:attr:`queries.catalog.Param.picks`) from the store, through the
endpoint's query workers (whose result cache keeps an answer until the store changes), one small
query per list. Only what can be asked about is listed: the persons who asked or co-signed a
Kamervraag, the fracties of an asker, the posts and ministries a Kamervraag was addressed to (or
possibly addressed to), the EU acts, proposals and procedures something cites. A list that cannot be
read (a store that is down, a query past its time) is left out, and the page falls back to the
typed input for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from ontology.namespaces import CITO, ELI, FOAF, KG, ORG, RDFS, SKOS
from queries.catalog import NamedQuery
from server.endpoint import Endpoint, run_rows
from server.render import PageError
from store.pool import Job

log = logging.getLogger("kamergraph.server.picks")

_PREFIXES = f"""PREFIX kg: <{KG}>
PREFIX foaf: <{FOAF}>
PREFIX skos: <{SKOS}>
PREFIX rdfs: <{RDFS}>
PREFIX org: <{ORG}>
PREFIX eli: <{ELI}>
PREFIX cito: <{CITO}>
"""

#: Per list: a query giving ``?v`` (the IRI) and ``?label`` (its name), in the order shown.
PICK_QUERIES: dict[str, str] = {
    "persoon": _PREFIXES + """SELECT ?v (SAMPLE(?n) AS ?label) WHERE {
  { SELECT DISTINCT ?v WHERE { ?kv kg:vraagstelling ?vs . ?vs kg:persoon ?v } }
  ?v foaf:name ?n .
} GROUP BY ?v ORDER BY LCASE(?label) ?v""",
    "fractie": _PREFIXES + """SELECT ?v (SAMPLE(?n) AS ?label) WHERE {
  ?v a kg:Fractie ; skos:prefLabel ?n .
  FILTER EXISTS { ?vs kg:fractie ?v . ?kv kg:vraagstelling ?vs }
} GROUP BY ?v ORDER BY LCASE(?label) ?v""",
    "post": _PREFIXES + """SELECT ?v (SAMPLE(?n) AS ?label) WHERE {
  ?v a kg:Post ; rdfs:label ?n .
  FILTER (LANG(?n) = "" || LANGMATCHES(LANG(?n), "nl"))
  FILTER EXISTS { { ?kv kg:gerichtAan ?v } UNION { ?kv kg:mogelijkGerichtAan ?v } }
} GROUP BY ?v ORDER BY LCASE(?label) ?v""",
    "ministerie": _PREFIXES + """SELECT ?v (SAMPLE(?n) AS ?label) WHERE {
  ?v a kg:Ministerie ; rdfs:label ?n .
  FILTER (LANG(?n) = "" || LANGMATCHES(LANG(?n), "nl"))
} GROUP BY ?v ORDER BY LCASE(?label) ?v""",
    "eu-act": _PREFIXES + """SELECT ?v (SAMPLE(?full) AS ?label) WHERE {
  VALUES ?type { eli:LegalResource kg:EUVoorstel kg:EUProcedure }
  ?v a ?type .
  FILTER EXISTS { ?c cito:hasCitedEntity ?v }
  OPTIONAL { ?v rdfs:label ?l }
  OPTIONAL { ?v <http://purl.org/dc/terms/identifier> ?id }
  BIND (IF(BOUND(?l) && BOUND(?id), CONCAT(STR(?l), " (", STR(?id), ")"), COALESCE(STR(?l), STR(?id), STR(?v)))
        AS ?full)
} GROUP BY ?v ORDER BY LCASE(?label) ?v""",
}


@dataclass(frozen=True, slots=True)
class Choice:
    """One name to pick: its IRI (the value sent) and the name shown."""

    value: str
    label: str


async def read_list(endpoint: Endpoint, kind: str) -> list[Choice] | None:
    """The names of one list (:data:`PICK_QUERIES`), or None when the store could not give them."""
    try:
        answer = await run_rows(endpoint, Job(PICK_QUERIES[kind], output="rows"))
    except PageError as exc:
        log.warning("the list of %s names could not be read: %s", kind, exc.message)
        return None
    result = answer.result
    if result is None:
        return None
    out = []
    for v, label in result.rows:
        if v is not None:
            out.append(Choice(v.value, label.value if label is not None else v.value))
    return out


async def pick_lists(endpoint: Endpoint, queries: Iterable[NamedQuery]) -> dict[str, list[Choice]]:
    """The lists the parameters of ``queries`` are picked from, by list name (each read once)."""
    wanted = sorted({k for q in queries for p in q.params for k in p.picks})
    found = await asyncio.gather(*(read_list(endpoint, kind) for kind in wanted))  # on the workers side by side
    return {kind: names for kind, names in zip(wanted, found, strict=True) if names}
