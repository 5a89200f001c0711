"""The names a ministry or post had over time, as pages show them (see :mod:`ontology.dated_names`): the
history on the page of a ministry or post, and the name on a question's date on the Kamervraag page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyoxigraph import NamedNode

from ontology.dated_names import NamePeriod, in_order, name_on, names_within
from ontology.namespaces import sparql_prefixes
from server.endpoint import run_rows
from store.pool import Job

if TYPE_CHECKING:
    from server.endpoint import Endpoint

# The names of ?r and, for a post, of its ministry (?of is ?r itself or the ministry it is a post in).
NAMES = sparql_prefixes() + """
SELECT ?r ?of ?naam ?van ?tot ?afk ?bron WHERE {
  ?r org:postIn? ?of .
  ?naamversie prov:specializationOf ?of ; skos:prefLabel ?naam .
  OPTIONAL { ?naamversie schema:startDate ?van }
  OPTIONAL { ?naamversie schema:endDate ?tot }
  OPTIONAL { ?naamversie skos:altLabel ?afk }
  OPTIONAL { ?naamversie dcterms:source ?bron }
}"""


def _day(term) -> dt.date | None:  # noqa: ANN001 - a pyoxigraph literal or None
    return dt.date.fromisoformat(term.value[:10]) if term is not None else None


@dataclass(frozen=True)
class Names:
    """The names of a post or ministry (``own``) and, for a post, of its ministry (``ministry``, by IRI)."""

    own: list[NamePeriod]
    ministry: dict[str, list[NamePeriod]]


async def names_of(endpoint: Endpoint, iri: str) -> Names:
    """The names over time of the ministry or post ``iri`` and of the ministry a post is in, oldest first."""
    answer = await run_rows(endpoint, Job(NAMES, output="rows", bindings={"r": NamedNode(iri)}))
    assert answer.result is not None
    own: list[NamePeriod] = []
    ministry: dict[str, list[NamePeriod]] = {}

    for _r, of, naam, van, tot, afk, bron in answer.result.rows:
        p = NamePeriod(naam.value, _day(van), _day(tot), afk.value if afk is not None else None,
                       bron.value if bron is not None else None)
        (own if of.value == iri else ministry.setdefault(of.value, [])).append(p)
    return Names(in_order(own), {m: in_order(ps) for m, ps in ministry.items()})


@dataclass(frozen=True)
class NameOnDate:
    """A post and its ministry as named on a date (None: no name known for that day)."""

    post: str | None
    ministry_iri: str | None
    ministry: str | None


async def names_on(endpoint: Endpoint, post_iri: str, on: str | None) -> NameOnDate:
    """The post ``post_iri`` and its ministry under their names on ``on`` (an ISO date)."""
    names = await names_of(endpoint, post_iri)
    m_iri = next(iter(sorted(names.ministry)), None)
    if not on:
        return NameOnDate(None, m_iri, None)
    return NameOnDate(name_on(names.own, on), m_iri, name_on(names.ministry.get(m_iri, []), on) if m_iri else None)


# The names of several ministries or posts at once (?r bound by VALUES): their own names only.
_NAMES_OF_MANY = sparql_prefixes() + """
SELECT ?r ?naam ?van ?tot WHERE {
  VALUES ?r { %s }
  ?naamversie prov:specializationOf ?r ; skos:prefLabel ?naam .
  OPTIONAL { ?naamversie schema:startDate ?van }
  OPTIONAL { ?naamversie schema:endDate ?tot }
}"""


async def names_during(endpoint: Endpoint, spans: dict[str, list[tuple[str | None, str | None]]]) -> dict[str, list[str | None]]:
    """For each ministry or post IRI of ``spans``, per (start, end) span of it (ISO dates; None or "": open),
    its names valid in that time (:func:`ontology.dated_names.names_within`), in one query for them all; None
    where no dated name is known (the page then shows the label)."""
    if not spans:
        return {}
    values = " ".join(str(NamedNode(iri)) for iri in sorted(spans))
    answer = await run_rows(endpoint, Job(_NAMES_OF_MANY % values, output="rows"))
    assert answer.result is not None
    periods: dict[str, list[NamePeriod]] = {}

    for r, naam, van, tot in answer.result.rows:
        periods.setdefault(r.value, []).append(NamePeriod(naam.value, _day(van), _day(tot)))
    return {iri: [names_within(periods.get(iri, []), a, b) for a, b in ss] for iri, ss in spans.items()}
