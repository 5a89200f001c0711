"""The whole filtered list of Kamervragen in a format to take away: CSV, JSON (a head saying what was
selected and how many, then every item) and an Atom feed (RFC 4287: newest first, an entry per Kamervraag
with its page, its askers as authors and a summary), each streamed in chunks."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any
from xml.sax import saxutils

from server.search import Card, SearchIndex
from server.search.select import Selection

CSV_COLUMNS = ("zaak", "datum", "onderwerp", "status", "vragenstellers", "fracties", "gericht_aan", "ministeries",
               "eu_handelingen", "iri")
ATOM = "http://www.w3.org/2005/Atom"
CHUNK = 500
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 does not allow


def escape(text: str) -> str:
    """Text for XML content: escaped, without the characters XML cannot hold."""
    return saxutils.escape(_NOT_XML.sub("", text))


def quoteattr(text: str) -> str:
    """Text as a quoted XML attribute value, without the characters XML cannot hold."""
    return saxutils.quoteattr(_NOT_XML.sub("", text))


def _csv_row(card: Card, lang: str) -> list[str]:
    ministries: list[str] = []
    for d in card.addressees:
        for m in d.ministries:
            if m.label(lang) not in ministries:
                ministries.append(m.label(lang))
    fracties: list[str] = []
    for a in card.askers:
        if a.fractie is not None and a.fractie.label(lang) not in fracties:
            fracties.append(a.fractie.label(lang))
    return [
        card.zaak,
        card.date or "",
        card.subject or "",
        card.status,
        "; ".join(a.name + (f" ({a.fractie.label(lang)})" if a.fractie else "") for a in card.askers),
        "; ".join(fracties),
        "; ".join(d.label + (f" ({d.holder})" if d.holder else "") for d in card.addressees),
        "; ".join(ministries),
        "; ".join(e.iri or "" for e in card.eu),
        card.iri,
    ]


def stream_csv(index: SearchIndex, sel: Selection, lang: str, sort: str = "-datum") -> Iterator[bytes]:
    """The selection as CSV (:data:`CSV_COLUMNS`), a row per Kamervraag in the order ``sort`` asks."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    n = 0
    for card in index.export(sel, lang, sort):
        w.writerow(_csv_row(card, lang))
        n += 1
        if n % CHUNK == 0:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("utf-8")


def stream_json(index: SearchIndex, sel: Selection, head: dict[str, Any], lang: str,
                sort: str = "-datum") -> Iterator[bytes]:
    """``head`` (what was selected, how many) with the selection's items after it, in the order ``sort`` asks."""
    yield (json.dumps(head, ensure_ascii=False)[:-1] + ', "items": [').encode("utf-8")
    chunk: list[str] = []
    first = True
    for card in index.export(sel, lang, sort, snippets=True):
        chunk.append(("" if first else ",") + json.dumps(card.as_json(lang), ensure_ascii=False))
        first = False
        if len(chunk) >= CHUNK:
            yield "\n".join(chunk).encode("utf-8")
            chunk = []
    chunk.append("]}\n")
    yield "\n".join(chunk).encode("utf-8")


def rfc3339(iso_date: str | None, fallback: str) -> str:
    """A Kamervraag's date as an RFC 3339 date-time (midnight UTC), or ``fallback`` when it has none."""
    return f"{iso_date[:10]}T00:00:00Z" if iso_date and len(iso_date) >= 10 else fallback


def _entry(card: Card, site: str, fallback: str, lang: str) -> str:
    """One ``atom:entry``: id (the Kamervraag's IRI), title, updated, its askers as authors, its page as the
    alternate link, a summary (case number, date, askers, addressees, status) and the status as a category."""
    title = card.subject or f"Kamervraag {card.zaak}"
    href = site.rstrip("/") + card.href if card.href and card.href.startswith("/") else (card.href or card.iri)
    authors = "".join(f"<author><name>{escape(a.name)}</name>"
                      + (f"<uri>{escape(a.person.iri)}</uri>" if a.person and a.person.iri else "") + "</author>"
                      for a in card.askers)
    asked = ", ".join(a.name + (f" ({a.fractie.label(lang)})" if a.fractie else "") for a in card.askers)
    to = "; ".join(d.label + (f" ({d.holder})" if d.holder else "") for d in card.addressees)
    summary = " · ".join(x for x in (card.zaak, card.date_label(lang), asked, to, card.status_label(lang)) if x)
    return (f"<entry><id>{escape(card.iri)}</id><title>{escape(title)}</title>"
            f"<updated>{rfc3339(card.date, fallback)}</updated>{authors}"
            f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(href)}/>"
            f"<summary>{escape(summary)}</summary><category term={quoteattr(card.status)}/></entry>\n")


def stream_atom(index: SearchIndex, sel: Selection, feed: dict[str, str], lang: str) -> Iterator[bytes]:
    """The selection as an Atom feed, newest first. ``feed``: ``id`` and ``self`` (the feed's own URL),
    ``alternate`` (the list's page), ``title``, ``site`` (the site's root URL, for the entries' links) and
    ``built`` (when the index was built, RFC 3339: the feed's ``updated`` when no entry has a date)."""
    cards = index.export(sel, lang, "-datum")
    first = next(cards, None)
    updated = rfc3339(first.date if first else None, feed["built"])
    head = (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="{ATOM}" xml:lang="{lang}">\n'
            f"<id>{escape(feed['id'])}</id><title>{escape(feed['title'])}</title><updated>{updated}</updated>\n"
            f"<author><name>Kamergraph</name><uri>{escape(feed['site'])}</uri></author>\n"
            f"<link rel=\"self\" type=\"application/atom+xml\" href={quoteattr(feed['self'])}/>\n"
            f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(feed['alternate'])}/>\n"
            f"<generator uri={quoteattr(feed['site'])}>Kamergraph</generator>\n")
    parts = [head]
    if first is not None:
        parts.append(_entry(first, feed["site"], feed["built"], lang))
    for card in cards:
        parts.append(_entry(card, feed["site"], feed["built"], lang))
        if len(parts) >= CHUNK:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append("</feed>\n")
    yield "".join(parts).encode("utf-8")
