"""The lists of Kamervragen that pages of persons, fracties, posts, ministries and cabinets show
(paged, with a bar per year, from the overview), and the answer times of such a list."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from fastapi import Request

from server import describe as D
from server.overview import Case, Overview
from server.pages.base import Linker, Pager, QuestionItem, Ref, YearBar, list_href, pager, query_int, url_with

PAGE_SIZE = 20


def question_items(cases: Iterable[Case], L: Linker, ov: Overview, with_askers: bool = True) -> list[QuestionItem]:
    """The list entries of ``cases``, each noting its first askers (with their fractie) or else its first posts."""
    out = []
    for c in cases:
        note: list[Ref] = []
        if with_askers:
            for person, fractie, _role in c.askers[:3]:
                text = ov.label(person, L.lang) or D.iri_label(person, L.base, L.lang)
                if fractie:
                    text += f" ({ov.label(fractie, L.lang) or D.iri_label(fractie, L.base, L.lang)})"
                note.append(L.ref(person, text))
        else:
            for post in c.posts[:3]:
                note.append(L.ref(post, ov.label(post, L.lang) or D.iri_label(post, L.base, L.lang)))
        out.append(QuestionItem(L.ref(c.iri, c.title or c.zaak), c.zaak, c.date, c.title, c.status, note))
    return out


@dataclass
class QuestionList:
    """A paged list of questions with a bar per year (the year links filter the list)."""

    id: str
    heading: str
    total: int
    years: list[YearBar]
    year: int | None
    items: list[QuestionItem]
    pager: Pager | None
    all_href: str | None  # the faceted list with this filter
    clear_year_href: str | None


def question_list(request: Request, ov: Overview, L: Linker, list_id: str, heading: str, kind: str, key: str,
                  facet: str | None, with_askers: bool = True) -> QuestionList:
    """The questions of the overview's ``kind`` ``key`` (asker, post, fractie, …) as a paged list with year
    bars; the parameters ``{list_id}_jaar`` and ``{list_id}_p`` choose the year and the page."""
    year_param, page_param = f"{list_id}_jaar", f"{list_id}_p"
    years = ov.years(kind, key)
    year = query_int(request, year_param, 0, 0, 3000) or None
    if year is not None and year not in {y for y, _ in years}:
        year = None
    number = query_int(request, page_param)
    total_all = ov.count(kind, key)
    first = ov.page(kind, key, year=year, offset=0, limit=PAGE_SIZE)
    pages = max(1, -(-first.total // PAGE_SIZE))
    number = min(number, pages)
    pg = ov.page(kind, key, year=year, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE) if number > 1 else first
    top = max((n for _, n in years), default=1)
    bars = [YearBar(y, n, round(100 * n / top, 1), url_with(request, {year_param: y, page_param: None}, list_id),
                    y == year, ov.incomplete_year(y)) for y, n in years]
    return QuestionList(
        list_id, heading, total_all, bars, year, question_items(pg.items, L, ov, with_askers),
        pager(request, page_param, number, pages, pg.total, list_id),
        list_href(L.base, **{facet: key}) if facet else None,
        url_with(request, {year_param: None, page_param: None}, list_id) if year else None,
    )


@dataclass
class AnswerTimes:
    total: int
    status: dict[str, int]
    measured: int
    median: float | None
    p90: float | None


def answer_times(ov: Overview, kind: str, key: str) -> AnswerTimes:
    """How many questions of ``kind`` ``key`` there are, their status counts, and the median and 90th percentile
    of the days they took to be answered."""
    days = ov.answer_days(kind, key)
    p90 = days[min(len(days) - 1, int(round(0.9 * (len(days) - 1))))] if days else None
    return AnswerTimes(ov.count(kind, key), ov.status_counts(kind, key), len(days),
                       statistics.median(days) if days else None, p90)
