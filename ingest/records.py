"""Typed records that cross the stage boundaries. No rdflib in here.

Keys (``key`` fields) are the ``{key}`` part of ``{base}id/{kind}/{key}``; the mapper turns
them into IRIs with :class:`ontology.namespaces.Iris`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a record came from: a file (path relative to the data folder) and a 1-based line."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file


# --------------------------------------------------------------------------- reference data


@dataclass(frozen=True, slots=True)
class Person:
    key: str  # TK person GUID where known, else "lid-<ledenlijst id>", else "wd-<Qid>", else a slug
    name: str  # display name, e.g. "Bram van Ojik"
    family_name: str  # surname without prefix: "Ojik"
    prefix: str = ""  # tussenvoegsel: "van"
    given_name: str | None = None  # roepnaam: "Bram"
    first_names: str | None = None  # official first names: "Abraham"
    initials: str | None = None  # "A."
    birth_date: dt.date | None = None
    birth_year: int | None = None
    tk_guid: str | None = None
    wikidata: str | None = None  # "Q2192317"
    parlement_com_id: str | None = None
    ledenlijst_id: str | None = None  # Persoon_id of the member-period list
    sources: tuple[SourceRef, ...] = ()


@dataclass(frozen=True, slots=True)
class Fractie:
    key: str  # slug of the name: "groenlinks", "gl-pvda"
    name: str  # "GroenLinks"
    short_name: str | None = None
    alt_names: tuple[str, ...] = ()
    wikidata: str | None = None


@dataclass(frozen=True, slots=True)
class FractieMembership:
    key: str
    person_key: str
    fractie_key: str
    start: dt.date
    end: dt.date | None  # None: still running at the end of the list
    function: str | None = None  # "fractievoorzitter"
    source: SourceRef | None = None
    derivation: str | None = None  # set when the period is inferred, not listed: how and from what


@dataclass(frozen=True, slots=True)
class KamerMembership:
    key: str
    person_key: str
    start: dt.date
    end: dt.date | None
    source: SourceRef | None = None
    derivation: str | None = None  # set when (part of) the period is inferred: how and from what


@dataclass(frozen=True, slots=True)
class Ministry:
    key: str  # TOOI code where known ("mnre1013"), else a slug
    name: str  # "Ministerie van Buitenlandse Zaken"
    abbreviation: str | None = None
    tooi: str | None = None  # full TOOI IRI
    wikidata: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    replaced_by: tuple[str, ...] = ()  # ministry keys


@dataclass(frozen=True, slots=True)
class Cabinet:
    key: str  # "rutte-iii"
    name: str  # "Kabinet-Rutte III"
    start: dt.date
    end: dt.date | None
    wikidata: str | None = None


PostKind = Literal[
    "minister",
    "minister zonder portefeuille",
    "staatssecretaris",
    "minister-president",
    "viceminister-president",
]


@dataclass(frozen=True, slots=True)
class Post:
    key: str  # slug of the label: "minister-van-buitenlandse-zaken"
    label: str  # "minister van Buitenlandse Zaken"
    kind: PostKind
    ministry_key: str | None = None
    portfolio: str | None = None  # "Buitenlandse Handel en Ontwikkelingssamenwerking"


@dataclass(frozen=True, slots=True)
class PostHolding:
    key: str
    post_key: str
    person_key: str
    cabinet_key: str | None
    start: dt.date
    end: dt.date | None
    acting: bool = False
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True)
class ReferenceData:
    persons: dict[str, Person]
    fracties: dict[str, Fractie]
    fractie_memberships: tuple[FractieMembership, ...]
    kamer_memberships: tuple[KamerMembership, ...]
    ministries: dict[str, Ministry]
    cabinets: dict[str, Cabinet]
    posts: dict[str, Post]
    holdings: tuple[PostHolding, ...]
    report: tuple[str, ...] = ()  # what the merge noticed (conflicts, gaps), one line each


# --------------------------------------------------------------------------- OData Zaak


@dataclass(frozen=True, slots=True)
class ZaakRecord:
    """One OData ``Zaak`` of Soort "Schriftelijke vragen", parsed."""

    id: str  # Zaak GUID
    nummer: str  # "2019Z15231"
    soort: str
    onderwerp: str | None
    gestart_op: dt.date
    vergaderjaar: str | None  # "2018-2019"
    status: str | None
    afgedaan: bool | None
    gewijzigd_op: dt.datetime | None
    verwijderd: bool
    indieners: tuple[str, ...]
    medeindieners: tuple[str, ...]
    gericht_aan: tuple[str, ...]
    voortouwcommissie: tuple[str, ...]
    source: SourceRef


# --------------------------------------------------------------------------- resolution


@dataclass(frozen=True, slots=True)
class AskerLink:
    """A name in ``Indiener``/``Medeindiener`` and what it resolved to on the submission date."""

    name_in_source: str
    role: Literal["indiener", "medeindiener"]
    position: int  # 1-based, the Indiener first
    person_key: str | None = None
    kamer_membership_key: str | None = None
    fractie_membership_key: str | None = None
    fractie_key: str | None = None
    method: str | None = None  # how it was resolved, e.g. "achternaam+voorletters+datum"
    unresolved_reason: str | None = None  # set when person_key is None (or fractie unknown)


@dataclass(frozen=True, slots=True)
class AddresseeLink:
    """A name in ``GerichtAan`` and the person and post held on the submission date."""

    name_in_source: str
    position: int
    person_key: str | None = None
    post_key: str | None = None
    holding_key: str | None = None
    method: str | None = None
    unresolved_reason: str | None = None


@dataclass(frozen=True, slots=True)
class ResolvedKamervraag:
    zaak: ZaakRecord
    askers: tuple[AskerLink, ...]
    addressees: tuple[AddresseeLink, ...]
    publication_id: str | None = None  # "kv-tk-2019Z15231" when the official id list has it
    notes: tuple[str, ...] = field(default=())
