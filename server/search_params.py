"""Reading a request of the list of Kamervragen (``/kamervragen``, and ``/zoeken``, which lands in it): its
parameters, each checked, as a :class:`ListRequest`; a parameter that is unknown, repeated where it may not
be, empty or malformed is a :class:`PageError` (a 400 naming the parameter and the problem)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from starlette.requests import Request

from server.search import KINDS, STATUSES, BadQuery, Filter, SearchIndex, Value, parse_query
from server.search.select import SORTS, Selection

MAX_PAGE = 100_000
MAX_KEY = 300
#: What the list takes: the search text, the facets, the date range, the order, the page, the format, the
#: language, and the text that narrows the member facet's values (``lidnaam``).
LIST_PARAMS = ("q", *KINDS, "van", "tot", "sort", "page", "format", "lang", "lidnaam")
SINGLE = ("q", "van", "tot", "sort", "page", "format", "lang", "lidnaam")
FORMATS = ("html", "csv", "json", "atom")
STATUS_ALIASES = {"answered": "beantwoord", "postponed": "uitgesteld", "open": "open", "beantwoord": "beantwoord",
                  "uitgesteld": "uitgesteld"}
_KEY = re.compile(r"^[^\s\x00-\x1f\x7f<>\"{}|\\^`]+$")
_IRI = re.compile(r"^https?://[^\s\x00-\x1f\x7f<>\"{}|\\^`]+$", re.IGNORECASE)


class PageError(Exception):
    """A request these pages cannot answer: its status and what is wrong, in Dutch and English."""

    def __init__(self, status: int, nl: str, en: str, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.nl = nl
        self.en = en
        self.headers = headers or {}
        super().__init__(en)

    def message(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl


@dataclass(frozen=True)
class ListRequest:
    """A request of the list, read: what it selects, in which order, which page, in which format."""

    items: list[tuple[str, str]]  # the parameters as given
    selection: Selection
    q: str
    sort: str
    page: int
    fmt: str
    lidnaam: str


def wants(request: Request, formats: Sequence[str]) -> str:
    """html | csv | json | atom: from format=, else from Accept (a browser's text/html wins)."""
    if formats:
        return formats[0].strip().lower()
    accept = (request.headers.get("accept") or "").lower()
    if not accept or "text/html" in accept or ("*/*" in accept and "json" not in accept and "csv" not in accept):
        return "html"
    for media, fmt in (("application/json", "json"), ("text/csv", "csv"), ("application/atom+xml", "atom")):
        if media in accept:
            return fmt
    return "html"


def params(request: Request, allowed: Sequence[str]) -> list[tuple[str, str]]:
    """The request's parameters, in order; an unknown one, or one of :data:`SINGLE` given twice, is a 400."""
    items = list(request.query_params.multi_items())
    unknown = sorted({k for k, _ in items if k not in allowed})
    if unknown:
        raise PageError(400, f"Onbekende parameter: {', '.join(unknown)}. Deze pagina kent: {', '.join(allowed)}.",
                        f"Unknown parameter: {', '.join(unknown)}. This page takes: {', '.join(allowed)}.")
    for single in SINGLE:
        values = [v for k, v in items if k == single]
        if len(values) > 1:
            raise PageError(400, f"{single} staat er {len(values)} keer; geef het één keer.",
                            f"{single} is given {len(values)} times; give it once.")
    return items


def one(items: Sequence[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in items if k == name), None)


def page_of(items: Sequence[tuple[str, str]]) -> int:
    raw = one(items, "page")
    if raw is None:
        return 1
    if not raw.strip().isdigit() or not 1 <= int(raw.strip()) <= MAX_PAGE:
        raise PageError(400, f"page={raw!r}: geef een paginanummer van 1 tot {MAX_PAGE}.",
                        f"page={raw!r}: give a page number from 1 to {MAX_PAGE}.")
    return int(raw.strip())


def format_of(request: Request, items: Sequence[tuple[str, str]], allowed: Sequence[str]) -> str:
    fmt = wants(request, [v for k, v in items if k == "format"])
    if fmt not in allowed:
        raise PageError(400, f"format={fmt!r}: kies uit {', '.join(allowed)}.",
                        f"format={fmt!r}: choose one of {', '.join(allowed)}.")
    return fmt


def date_of(items: Sequence[tuple[str, str]], name: str) -> str | None:
    """The ISO date (YYYY-MM-DD) of parameter ``name``, or None when it is not given."""
    raw = one(items, name)
    if raw is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()):
            raise ValueError(raw)
        return date.fromisoformat(raw.strip()).isoformat()
    except ValueError:
        raise PageError(400, f"{name}={raw!r}: geef een datum als JJJJ-MM-DD, zoals {name}=2019-07-01.",
                        f"{name}={raw!r}: give a date as YYYY-MM-DD, like {name}=2019-07-01.") from None


def sort_of(items: Sequence[tuple[str, str]], has_query: bool) -> str:
    """The order asked (default: by relevance with a search text, else newest first)."""
    raw = one(items, "sort")
    if raw is None:
        return "relevantie" if has_query else "-datum"
    key = raw.strip().lower()
    if key not in SORTS:
        raise PageError(400, f"sort={raw!r}: kies uit {', '.join(SORTS)}.",
                        f"sort={raw!r}: choose one of {', '.join(SORTS)}.")
    if key == "relevantie" and not has_query:
        raise PageError(400, "sort=relevantie: alleen met een zoekterm (q=…).",
                        "sort=relevantie: only with a search text (q=…).")
    return key


def _key(kind: str, raw: str) -> str:
    """A filter's value checked (and a status under its Dutch name)."""
    key = raw.strip()
    if not key:
        raise PageError(400, f"{kind}= is leeg: geef een waarde of laat de parameter weg.",
                        f"{kind}= is empty: give a value or leave the parameter out.")
    if len(key) > MAX_KEY:
        raise PageError(400, f"{kind}: de waarde is langer dan {MAX_KEY} tekens.",
                        f"{kind}: the value is longer than {MAX_KEY} characters.")
    if kind == "jaar" and not re.fullmatch(r"\d{4}", key):
        raise PageError(400, f"jaar={key!r}: geef een jaartal van vier cijfers, zoals jaar=2019.",
                        f"jaar={key!r}: give a four-digit year, like jaar=2019.")
    if kind == "status":
        if key.lower() not in STATUS_ALIASES:
            raise PageError(400, f"status={key!r}: kies uit {', '.join(STATUSES)}.",
                            f"status={key!r}: choose one of {', '.join(STATUSES)} (or answered, postponed).")
        return STATUS_ALIASES[key.lower()]
    if kind == "eu" and not _IRI.match(key):
        raise PageError(400, f"eu={key!r}: geef het volledige IRI van een EU-handeling (ELI of CELLAR), zoals "
                             "http://data.europa.eu/eli/reg/2021/821/oj.",
                        f"eu={key!r}: give the full IRI of an EU act (ELI or CELLAR), like "
                        "http://data.europa.eu/eli/reg/2021/821/oj.")
    if kind != "eu" and not _KEY.match(key):
        raise PageError(400, f"{kind}={key!r} is geen geldige sleutel: het laatste deel van het IRI van de bron, "
                             "zoals fractie=groenlinks.",
                        f"{kind}={key!r} is not a valid key: the last segment of the resource's IRI, like "
                        "fractie=groenlinks.")
    return key


def filters_of(index: SearchIndex, items: Sequence[tuple[str, str]]) -> list[Filter]:
    """The filters of the request, in the order given (each value once). A malformed value is a
    :class:`PageError`; a well-formed value no Kamervraag has selects nothing (with others of its kind: adds
    nothing)."""
    out: dict[tuple[str, str], Filter] = {}
    unknown = 0
    for kind, raw in items:
        if kind not in KINDS:
            continue
        key = _key(kind, raw)
        if (kind, key) in out:
            continue
        value = index.value(kind, key)
        if value is None:  # nothing has it: a value of its own, which selects nothing
            unknown += 1
            value = Value(-unknown, kind, key, key if kind == "eu" else None, None, None, None, 0)
        out[(kind, key)] = Filter(kind, value)
    return list(out.values())


def same(kind: str, raw: str, key: str) -> bool:
    """Whether the parameter value ``raw`` names the filter value ``key``."""
    raw = raw.strip()
    if kind == "status":
        return STATUS_ALIASES.get(raw.lower()) == key
    return raw == key


def read_list(request: Request, index: SearchIndex, items: list[tuple[str, str]], fmt: str) -> ListRequest:
    """The request's selection, order and page, each parameter checked (a :class:`PageError` names the one
    that is wrong)."""
    q = (one(items, "q") or "").strip()  # an empty search box: no search text
    try:
        query = parse_query(q) if q else None
    except BadQuery as exc:
        raise PageError(400, f"q: {exc.nl}", f"q: {exc.en}") from None
    van, tot = date_of(items, "van"), date_of(items, "tot")
    if van and tot and van > tot:
        raise PageError(400, f"van={van} ligt na tot={tot}: geef een begin vóór het einde.",
                        f"van={van} is after tot={tot}: give a start before the end.")
    selection = Selection(tuple(filters_of(index, items)), query, van, tot)
    return ListRequest(items, selection, q, sort_of(items, query is not None), page_of(items), fmt,
                       (one(items, "lidnaam") or "").strip()[:100])
