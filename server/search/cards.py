"""The shapes a page or an API answer is given: facet values, question cards (askers,
addressees, EU acts, a snippet), filters, facet counts and the pages of a list or a search."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from server.search.query import SearchQuery
from server.search.schema import STATUS_LABELS

MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


def date_label(iso: str | None, lang: str = "nl") -> str:
    """``2019-07-18`` as ``18 juli 2019`` (nl) or ``18 July 2019`` (en)."""
    if not iso:
        return ""
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", iso)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return iso
    return f"{int(m.group(3))} {MONTHS.get(lang, MONTHS['nl'])[int(m.group(2)) - 1]} {m.group(1)}"


def local_href(iri: str | None, base: str) -> str | None:
    """Where a resource's page is: ``{base}id/…`` -> ``/id/…``; any other IRI -> ``/resource?iri=…``."""
    if not iri:
        return None
    if base and iri.startswith(base + "id/"):
        return "/" + iri[len(base):]
    return "/resource?" + urlencode({"iri": iri})


@dataclass(frozen=True, slots=True)
class Value:
    """One facet value: ``kind`` and ``key`` as a filter names it, its IRI, labels and page, and the other
    names a search finds it by."""

    id: int
    kind: str
    key: str
    iri: str | None
    label_nl: str | None
    label_en: str | None
    short: str | None
    total: int
    ministries: tuple[int, ...] = ()
    href: str | None = None  # the resource's page (None for a year or a status)
    alt: tuple[str, ...] = ()  # the other names it is found by, never shown (a member's name in the lists)

    def label(self, lang: str = "nl") -> str:
        if self.kind == "status":
            nl, en = STATUS_LABELS.get(self.key, (self.key, self.key))
            return en if lang == "en" else nl
        if lang == "en" and self.label_en:
            return self.label_en
        return self.label_nl or self.label_en or self.key


@dataclass(frozen=True, slots=True)
class Asker:
    name: str
    person: Value | None
    fractie: Value | None


@dataclass(frozen=True, slots=True)
class Addressee:
    post: Value | None
    label: str  # the post's label in the requested language, or the name as the source gave it
    holder: str | None
    holder_href: str | None
    ministries: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Snippet:
    html: Markup
    kind: str  # subject | vraag | antwoord
    nums: tuple[int, ...]
    text: str  # the same passage, plain


@dataclass(frozen=True, slots=True)
class Card:
    """One Kamervraag as a question card shows it (``server/templates/_cards.html``)."""

    id: int
    iri: str
    zaak: str
    subject: str | None
    date: str | None
    year: int | None
    status: str
    askers: tuple[Asker, ...]
    addressees: tuple[Addressee, ...]
    eu: tuple[Value, ...]
    href: str | None = None
    snippet: Snippet | None = None
    subject_html: Markup | None = None
    score: float | None = None

    def date_label(self, lang: str = "nl") -> str:
        return date_label(self.date, lang)

    def status_label(self, lang: str = "nl") -> str:
        nl, en = STATUS_LABELS.get(self.status, (self.status, self.status))
        return en if lang == "en" else nl

    def as_json(self, lang: str = "nl") -> dict[str, Any]:
        d: dict[str, Any] = {
            "iri": self.iri,
            "zaak": self.zaak,
            "subject": self.subject,
            "date": self.date,
            "status": self.status,
            "askers": [{"name": a.name, "iri": a.person.iri if a.person else None,
                        "fractie": a.fractie.label(lang) if a.fractie else None,
                        "fractie_iri": a.fractie.iri if a.fractie else None} for a in self.askers],
            "addressed": [{"post": d.label, "post_iri": d.post.iri if d.post else None, "holder": d.holder,
                           "ministries": [m.label(lang) for m in d.ministries]} for d in self.addressees],
            "eu_acts": [{"iri": e.iri, "label": e.label(lang)} for e in self.eu],
        }
        if self.snippet is not None:
            d["snippet"] = {"text": self.snippet.text, "html": str(self.snippet.html), "in": self.snippet.kind,
                            "numbers": list(self.snippet.nums)}
        return d


@dataclass(frozen=True)
class Filter:
    kind: str
    value: Value


@dataclass
class FacetCount:
    value: Value
    count: int
    selected: bool = False


@dataclass
class ListPage:
    total: int
    page: int
    per_page: int
    cards: list[Card]
    filters: list[Filter]
    facets: dict[str, list[FacetCount]]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass
class SearchPage:
    query: SearchQuery
    total: int
    page: int
    per_page: int
    cards: list[Card]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))
