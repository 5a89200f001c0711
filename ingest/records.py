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
    alt_names: tuple[str, ...] = ()  # other names of the person: the lists' display name where the Kamer's differs
    name_derivation: str | None = None  # set when the display name is not the lists': where it came from


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
    # ambiguous (the person held several posts on the date and no published text names one): every
    # post and holding of the date; post_key and holding_key stay None
    candidate_posts: tuple[str, ...] = ()
    candidate_holdings: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        """Whether the person is known but the post is one of several (``candidate_posts``)."""
        return bool(self.candidate_posts)


@dataclass(frozen=True, slots=True)
class PostEvidence:
    """A post a published text names for a Kamervraag: in its heading ("aan de Minister van
    Justitie", ``kind`` "aanhef") or as the answering post (``kind`` "beantwoording")."""

    post_key: str
    document: str  # the publication id, "kv-tk-2010Z11782", or "doc-<file name>"
    kind: Literal["aanhef", "beantwoording"]


@dataclass(frozen=True, slots=True)
class ResolvedKamervraag:
    zaak: ZaakRecord
    askers: tuple[AskerLink, ...]
    addressees: tuple[AddresseeLink, ...]
    publication_id: str | None = None  # "kv-tk-2019Z15231" when the official id list has it
    notes: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------- published texts


@dataclass(frozen=True, slots=True)
class Span:
    """Characters [start, end) of the source text a fact was read from."""

    start: int
    end: int


CitationKind = Literal["url", "kamerstuk", "aanhangsel", "brief", "eu-act", "eu-proposal", "eu-procedure"]


@dataclass(frozen=True, slots=True)
class Citation:
    """Something a question, answer or footnote cites, with the words it was found in."""

    kind: CitationKind
    text: str  # the words as they stand in the text: "Kamerstuk 22 112, nr. 2686"
    span: Span
    method: str  # how it was found: "patroon", "alias", "identificatie"
    target: str | None = None  # an IRI (URL, ELI/CELLAR) or a publication id ("kst-22112-2686")
    dossier: str | None = None  # Kamerstuk dossier number: "22112"
    number: str | None = None  # Kamerstuk / Aanhangsel number: "2686"
    vergaderjaar: str | None = None  # "2024-2025" (Aanhangsel, Kamerstukken II 2018/19)
    date: dt.date | None = None  # a letter's date ("uw brief van 29 augustus 2018")


@dataclass(frozen=True, slots=True)
class Footnote:
    number: int
    text: str
    span: Span
    question: int | None = None  # the question that carries the marker, where known
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True, slots=True)
class Question:
    number: int
    text: str  # clean: hyphenation, missing spaces, headers/footers, footnote text repaired
    raw: str  # as extracted
    span: Span
    footnote_markers: tuple[int, ...] = ()
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True, slots=True)
class Answer:
    numbers: tuple[int, ...]  # the questions it answers: "Antwoord 2 en 3" -> (2, 3)
    text: str
    raw: str
    span: Span
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True, slots=True)
class PersonMention:
    """A member as printed: "Van Ojik" with "GroenLinks" (from "beiden GroenLinks")."""

    name: str
    fractie: str | None
    span: Span


@dataclass(frozen=True, slots=True)
class PostMention:
    """An addressed or answering post as printed, normalised: "minister van Buitenlandse Zaken"."""

    label: str
    text: str  # as printed
    span: Span


TextKind = Literal["vragen", "antwoord", "uitstel"]


@dataclass(frozen=True, slots=True)
class TextDocument:
    """One published text (questions, answers or a postponement notice), parsed."""

    source: SourceRef
    kind: TextKind
    publication_id: str | None  # repaired against the official id list where needed
    publication_id_printed: str | None  # as printed in the text, when it differs
    zaak: str | None  # "2019Z15231"
    subject: str | None
    submitted: dt.date | None  # "(ingezonden 18 juli 2019)"
    received: dt.date | None  # answers: "(ontvangen …)"
    askers: tuple[PersonMention, ...]
    addressed: tuple[PostMention, ...]
    answering_person: str | None
    answering_post: PostMention | None
    on_behalf_of: tuple[PostMention, ...]  # "mede namens"
    questions: tuple[Question, ...]
    answers: tuple[Answer, ...]
    footnotes: tuple[Footnote, ...]
    notes: tuple[str, ...] = ()  # what was repaired, and what could not be
    confidence: Literal["high", "low"] = "high"
    text: str = ""  # the full extracted text the spans point into
