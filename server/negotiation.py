"""Content negotiation for the SPARQL endpoint: ``Accept`` with q-values, or a ``format`` parameter.

Pages that also have an HTML form (the named queries) ask with ``html=True``: HTML is then offered
last, so it is chosen only when the client names ``text/html`` with a higher q than any data format
(a browser's ``text/html,…,*/*;q=0.8``) or asks ``format=html``; ``*/*`` and API clients keep the
data default (SPARQL JSON).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Offer:
    media_type: str  # what the response says it is
    fmt: str  # the worker's format name (store.pool.RESULT_FORMATS / GRAPH_FORMATS)


def _charset(mt: str) -> str:
    return f"{mt}; charset=utf-8" if mt.startswith("text/") or mt == "application/n-triples" else mt


# In the server's order of preference: the first is the default.
SELECT_OFFERS: list[Offer] = [
    Offer("application/sparql-results+json", "json"),
    Offer("application/sparql-results+xml", "xml"),
    Offer("text/csv", "csv"),
    Offer("text/tab-separated-values", "tsv"),
    Offer("application/json", "json"),
    Offer("application/xml", "xml"),
    Offer("text/xml", "xml"),
]
ASK_OFFERS: list[Offer] = [
    Offer("application/sparql-results+json", "json"),
    Offer("application/sparql-results+xml", "xml"),
    Offer("application/json", "json"),
    Offer("application/xml", "xml"),
    Offer("text/xml", "xml"),
]
GRAPH_OFFERS: list[Offer] = [
    Offer("text/turtle", "turtle"),
    Offer("application/n-triples", "ntriples"),
    Offer("application/n-quads", "nquads"),
    Offer("application/ld+json", "jsonld"),
    Offer("application/rdf+xml", "rdfxml"),
    Offer("application/x-turtle", "turtle"),
    Offer("application/json", "jsonld"),
    Offer("application/xml", "rdfxml"),
]

# `format=` names (and full media types) -> worker format, per kind of result.
_FORMAT_NAMES = {
    "json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
    "turtle": "turtle", "ttl": "turtle", "ntriples": "ntriples", "nt": "ntriples", "n-triples": "ntriples",
    "nquads": "nquads", "nq": "nquads", "n-quads": "nquads", "jsonld": "jsonld", "json-ld": "jsonld",
    "rdfxml": "rdfxml", "rdf": "rdfxml", "rdf+xml": "rdfxml", "rdf/xml": "rdfxml",
}
_GRAPH_ALIASES = {"json": "jsonld", "xml": "rdfxml"}


#: The HTML page offered beside the data formats where a page exists (``choose(..., html=True)``).
HTML_OFFER = Offer("text/html", "html")
HTML_FORMAT_NAMES = frozenset({"html", "text/html"})


class NotAcceptable(Exception):
    """Nothing the client accepts fits this kind of result."""


class UnknownFormat(Exception):
    """A ``format`` parameter that names no format at all."""


def offers_for(kind: str) -> list[Offer]:
    if kind == "select":
        return SELECT_OFFERS
    if kind == "ask":
        return ASK_OFFERS
    return GRAPH_OFFERS  # construct, describe


def parse_accept(header: str) -> list[tuple[str, str, float]]:
    """``Accept`` as (type, subtype, q) ranges; malformed ranges are skipped."""
    ranges = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        mt = pieces[0].lower()
        if "/" not in mt:
            continue
        main, sub = mt.split("/", 1)
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append((main.strip(), sub.strip(), q))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, str, float]]) -> float | None:
    """q of the most specific range that matches ``offer`` (None: no range matches)."""
    main, sub = offer.split("/", 1)
    best: tuple[int, float] | None = None
    for r_main, r_sub, q in ranges:
        if r_main == main and r_sub == sub:
            spec = 2
        elif r_main == main and r_sub == "*":
            spec = 1
        elif r_main == "*" and r_sub == "*":
            spec = 0
        else:
            continue
        if best is None or spec > best[0]:
            best = (spec, q)
    return None if best is None else best[1]


def best_of(offers: Sequence[tuple[str, T]], accept: str | None) -> T | None:
    """The value of the offer ``(media type, value)`` with the highest q in ``accept`` (the q of the
    most specific range that matches it); ties go to the earlier offer, no ``Accept`` to the first;
    None: nothing the client accepts is offered."""
    if not accept or not accept.strip():
        return offers[0][1]
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0][1]
    best: tuple[float, T] | None = None
    for media, value in offers:
        q = _quality(media, ranges)
        if q is None or q <= 0:
            continue
        if best is None or q > best[0]:
            best = (q, value)
    return None if best is None else best[1]


def _best(offers: list[Offer], accept: str | None) -> Offer | None:
    """The offer with the highest q for ``accept``; ties go to the earlier offer; None: nothing fits."""
    return best_of([(o.media_type, o) for o in offers], accept)


def choose(kind: str, accept: str | None, format_param: str | None = None, *, html: bool = False) -> tuple[str, str]:
    """(response media type, worker format) for a result of ``kind``.

    With ``html=True`` an HTML page (worker format ``"html"``) is offered too, after every data format.
    Raises :class:`NotAcceptable` (406) or :class:`UnknownFormat` (400).
    """
    offers = offers_for(kind)
    if format_param:
        wanted = format_param.strip().lower()
        if html and wanted.split(";")[0].strip() in HTML_FORMAT_NAMES:
            return _charset(HTML_OFFER.media_type), HTML_OFFER.fmt
        if "/" in wanted:  # a media type
            for o in offers:
                if o.media_type == wanted.split(";")[0].strip():
                    return _charset(o.media_type), o.fmt
            raise NotAcceptable(f"format {format_param!r} does not fit a {kind.upper()} result")
        fmt = _FORMAT_NAMES.get(wanted)
        if fmt is None:
            raise UnknownFormat(
                f"unknown format {format_param!r}; one of json, xml, csv, tsv (SELECT, ASK: json, xml), "
                "turtle, ntriples, nquads, jsonld, rdfxml (CONSTRUCT, DESCRIBE)" + (", html" if html else "")
            )
        if kind in ("construct", "describe"):
            fmt = _GRAPH_ALIASES.get(fmt, fmt)
        for o in offers:
            if o.fmt == fmt:
                return _charset(o.media_type), o.fmt
        raise NotAcceptable(f"format {format_param!r} does not fit a {kind.upper()} result; "
                            f"one of {', '.join(sorted({o.fmt for o in offers}))}")
    candidates = [*offers, HTML_OFFER] if html else offers
    best = _best(candidates, accept)
    if best is None:
        raise NotAcceptable(
            f"none of the accepted media types ({accept}) fits a {kind.upper()} result; offered: "
            + ", ".join(dict.fromkeys(o.media_type for o in candidates))
        )
    return _charset(best.media_type), best.fmt


def wants_html(accept: str | None, format_param: str | None = None) -> bool:
    """For a resource that is JSON by default and HTML for browsers (the list of named queries):
    True for ``format=html`` or when ``text/html`` has a higher q than JSON; never raises."""
    if format_param:
        return format_param.strip().lower().split(";")[0].strip() in HTML_FORMAT_NAMES
    best = _best([Offer("application/json", "json"), HTML_OFFER], accept)
    return best is HTML_OFFER
