"""Names valid on a date: how a ministry or a post is named in the graph over time, and the one function
and the one SPARQL pattern that give the name it had on a given day.

A ministry or post keeps its resource IRI across a renaming (TOOI keeps the ministry's id); each name
it had is a node of its own that is a ``prov:specializationOf`` it (as TOOI's own historical versions
are), with

- ``skos:prefLabel`` the name (Dutch), ``skos:altLabel`` the abbreviation of that name (ministries),
- ``schema:startDate`` / ``schema:endDate`` the first and the last day the name was valid (both
  inclusive; absent: from the beginning, until now),
- ``dcterms:source`` the Staatscourant decree of the renaming (a ministry) or the page that proves it
  (a post), and ``rdfs:comment`` where the name's dates come from.

Every ministry and post has at least one such name, so the pattern below needs no fallback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from ontology.namespaces import DCTERMS, PROV, RDFS, SCHEMA, SKOS

SPECIALIZATION_OF = PROV + "specializationOf"
NAME = SKOS + "prefLabel"
ABBREVIATION = SKOS + "altLabel"
START = SCHEMA + "startDate"
END = SCHEMA + "endDate"
SOURCE = DCTERMS + "source"
COMMENT = RDFS + "comment"

# The SPARQL pattern that binds ?naam to the name ?ding (a ministry or a post) had on ?datum (an
# xsd:date); README "Names on the date" shows it in whole queries.
NAME_ON_DATE_PATTERN = """\
?naamversie prov:specializationOf ?ding ; skos:prefLabel ?naam .
OPTIONAL { ?naamversie schema:startDate ?naamVan }
OPTIONAL { ?naamversie schema:endDate ?naamTot }
FILTER ((!BOUND(?naamVan) || ?naamVan <= ?datum) && (!BOUND(?naamTot) || ?datum <= ?naamTot))"""


@dataclass(frozen=True, slots=True)
class NamePeriod:
    """One name a ministry or post had, from ``start`` to ``end`` (both days included; None: open)."""

    name: str
    start: dt.date | None = None
    end: dt.date | None = None
    abbreviation: str | None = None
    source: str | None = None  # the decree's or the proving page's URL
    basis: str | None = None  # where the name and its dates come from, in words (file and line)

    def valid_on(self, on: dt.date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on <= self.end)


def name_on(periods: Iterable[NamePeriod], on: dt.date | str, default: str | None = None) -> str | None:
    """The name valid on ``on`` (a date or an ISO date text) among ``periods``; ``default`` when none is
    (a date outside every period, or no periods). The build, the pages and the tests all use this one."""
    day = on if isinstance(on, dt.date) else dt.date.fromisoformat(on[:10])
    for p in periods:
        if p.valid_on(day):
            return p.name
    return default


def names_within(periods: Iterable[NamePeriod], start: dt.date | str | None, end: dt.date | str | None) -> str | None:
    """The names among ``periods`` valid on some day from ``start`` to ``end`` (dates or ISO date texts, both
    included; None or "": open), oldest first, each once, joined with " / " ("Ministerie van Justitie /
    Ministerie van Veiligheid en Justitie" over Rutte I); None when no name is valid in that time."""
    def day(x: dt.date | str | None, open_as: dt.date) -> dt.date:
        return x if isinstance(x, dt.date) else dt.date.fromisoformat(x[:10]) if x else open_as

    lo, hi = day(start, dt.date.min), day(end, dt.date.max)
    names = [p.name for p in in_order(periods) if (p.start or dt.date.min) <= hi and lo <= (p.end or dt.date.max)]
    return " / ".join(dict.fromkeys(names)) or None


def in_order(periods: Iterable[NamePeriod]) -> list[NamePeriod]:
    """``periods`` oldest first (an open start first), as a page lists a name history."""
    return sorted(periods, key=lambda p: (p.start or dt.date.min, p.end or dt.date.max, p.name))
