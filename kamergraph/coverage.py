"""Where the written-question records are complete: measured from the number of Kamervragen submitted
per calendar month.

The Tweede Kamer's records hold a few written questions from 2007 and the first half of 2008, and every
question from mid-2008 on; an extract (or a sync) ends in the middle of a month. Where the complete
period lies is read from the data, not written down: :func:`complete_from` and :func:`complete_to` apply
one rule to the monthly counts. The dataset description (``dcterms:temporal`` and its note,
:mod:`kamergraph.dataset`, counted in the store once per build or ``kamergraph describe``) and the pages'
overview (``server.overview.Overview.coverage``, for the home page and the bars per year) state the
complete period, and the records outside it with the earliest and the latest date apart.

The rule. Take every calendar month from the first record's month to the last record's month (a month
without records counts 0). A month is *short* when it holds less than :data:`SHARE` of the median of
the months it is compared with. The start: every month but the last (the data may end in the middle of
it, so it says nothing about where completeness starts) is compared with the months from it to the last
but one (the running median, taken from the newest month back); the complete period starts in the month
after the last short month (in the first month when none is short). So from the start on no month falls
below a quarter of what the months from it on usually hold. The end: from the start on, every month,
the last one too, is compared with the months from the start to it (the running median, taken forward);
the complete period ends in the month before the first short one (in the last month when none is). On
the bundled data: July 2008 to September 2024 (the extract ends on 2 October 2024).

Why this rule: a median is not moved by a few busy or empty months, and taking it over the months on
one side of the judged month (not over all months) keeps the start-up months out of their own reference,
however many of them there are, and follows a slow change in the number of questions (2023–2024 hold
fewer than 2019–2022). Why a quarter: on the bundled data every month from July 2008 on holds at least
0.42 of its running median (July 2008 itself, 94 questions in the first summer recess of the system;
after it at least 0.6, the recesses and election months), while the months before hold at most 0.09
of it (21 questions in June 2008), and the cut-off October 2024 0.1. A quarter lies between the two
with a wide margin on each side: any share from 0.10 to 0.42 gives the same period (the tests check
that). Because the start's condition is "no month after the start falls short", a month with (almost)
no records in the middle of the data moves the start past it: the months before such a gap are not
stated as complete.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: A month is short when it holds less than this share of the running median (see the module's docstring).
SHARE = 0.25


def month_of(date: str | dt.date) -> str:
    """``2008-07`` for a date (``2008-07-15``, a date-time, or a :class:`datetime.date`)."""
    text = date.isoformat() if isinstance(date, dt.date) else str(date)
    if len(text) < 7 or text[4] != "-" or not (text[:4].isdigit() and text[5:7].isdigit()):
        raise ValueError(f"not an ISO date: {date!r}")
    return text[:7]


def _next_month(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    """Every calendar month from ``first`` to ``last`` (both ``YYYY-MM``), in order."""
    out, m = [], first
    while m <= last:
        out.append(m)
        m = _next_month(m)
    return out


def _median(sorted_values: list[int]) -> float:
    n = len(sorted_values)
    mid = n // 2
    return float(sorted_values[mid]) if n % 2 else (sorted_values[mid - 1] + sorted_values[mid]) / 2


def short_months(counts: Mapping[str, int], share: float = SHARE) -> list[str]:
    """The months (``YYYY-MM``) that hold less than ``share`` of the median of the months from them to
    the last judged month; the last month of the data is not judged (see the module's docstring)."""
    if not counts:
        return []
    months = month_range(min(counts), max(counts))[:-1]  # the last month may be cut off
    seen: list[int] = []  # the counts from the judged month on, sorted
    short = []
    for m in reversed(months):
        n = counts.get(m, 0)
        bisect.insort(seen, n)
        if n < share * _median(seen):
            short.append(m)
    return sorted(short)


def complete_from(counts: Mapping[str, int], share: float = SHARE) -> str | None:
    """The first month (``YYYY-MM``) of the complete period: the month after the last short month
    (:func:`short_months`), else the first month of ``counts``; None for no counts."""
    if not counts:
        return None
    short = short_months(counts, share)
    return _next_month(short[-1]) if short else min(counts)


def complete_to(counts: Mapping[str, int], start: str, share: float = SHARE) -> str:
    """The last month (``YYYY-MM``) of the complete period that starts in ``start``: the month before the
    first month from ``start`` on that holds less than ``share`` of the median of the months from ``start``
    to it (the running median, taken forward; the last month of the data is judged here), else the last
    month of ``counts``."""
    months = month_range(start, max(counts))
    seen: list[int] = []
    for i, m in enumerate(months):
        n = counts.get(m, 0)
        bisect.insort(seen, n)
        if n < share * _median(seen):  # never the first month: it is the median of itself
            return months[i - 1]
    return months[-1]


def _last_day(month: str) -> str:
    nxt = _next_month(month)
    return (dt.date(int(nxt[:4]), int(nxt[5:7]), 1) - dt.timedelta(days=1)).isoformat()


@dataclass(frozen=True)
class Coverage:
    """The period the data covers: complete from month ``complete_from`` to month ``complete_to``
    (``YYYY-MM``), with ``before`` records submitted earlier (the earliest on ``first_date``) and ``after``
    later (the latest on ``last_date``), ``total`` in all."""

    first_date: str
    last_date: str
    complete_from: str
    complete_to: str
    before: int
    after: int
    total: int
    share: float = SHARE

    @property
    def start(self) -> str:
        """The first day of the complete period (ISO)."""
        return self.complete_from + "-01"

    @property
    def end(self) -> str:
        """The last day of the complete period (ISO)."""
        return _last_day(self.complete_to)

    @property
    def first_year(self) -> int:
        return int(self.first_date[:4])

    @property
    def last_year(self) -> int:
        return int(self.last_date[:4])

    @property
    def complete_year(self) -> int:
        """The first calendar year whose every month lies in the complete period."""
        year = int(self.complete_from[:4])
        return year if self.complete_from.endswith("-01") else year + 1

    @property
    def last_complete_year(self) -> int:
        """The last calendar year whose every month lies in the complete period."""
        year = int(self.complete_to[:4])
        return year if self.complete_to.endswith("-12") else year - 1

    def incomplete_year(self, year: int) -> bool:
        """Whether the records of calendar ``year`` are incomplete: it has months outside the complete period."""
        return year < self.complete_year or year > self.last_complete_year


def measure(counts: Mapping[str, int], first_date: str, last_date: str, share: float = SHARE) -> Coverage | None:
    """The coverage of records counted per month (``counts``), the earliest submitted on ``first_date`` and
    the latest on ``last_date``; None when there are none."""
    start = complete_from(counts, share)
    if start is None:
        return None
    end = complete_to(counts, start, share)
    before = sum(n for m, n in counts.items() if m < start)
    after = sum(n for m, n in counts.items() if m > end)
    return Coverage(first_date[:10], last_date[:10], start, end, before, after, sum(counts.values()), share)


def measure_dates(dates: Iterable[str | dt.date], share: float = SHARE) -> Coverage | None:
    """The coverage of records by their submission dates (ISO strings or dates), one date per record."""
    days = sorted(d.isoformat() if isinstance(d, dt.date) else str(d)[:10] for d in dates)
    if not days:
        return None
    return measure(Counter(month_of(d) for d in days), days[0], days[-1], share)


MONTH_NAMES = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


def month_label(month: str, lang: str) -> str:
    """``2008-07`` as "juli 2008" (nl) or "July 2008" (en)."""
    return f"{MONTH_NAMES['en' if lang == 'en' else 'nl'][int(month[5:7]) - 1]} {month[:4]}"


def note(cov: Coverage, lang: str) -> str:
    """What the period means, in ``lang`` (nl or en): the months the records are complete for, the
    records outside them with the earliest and the latest date, and how it was measured."""
    pct = f"{round(cov.share * 100)}%"
    if lang == "en":
        text = (f"Complete from {month_label(cov.complete_from, 'en')} to {month_label(cov.complete_to, 'en')}: "
                "every written question submitted in those months is in the data.")
        if cov.before:
            text += (f" The data also holds {cov.before} questions from the incomplete months before, the earliest "
                     f"submitted on {cov.first_date}.")
        if cov.after:
            text += (f" The data also holds {cov.after} questions from the incomplete months after, the latest "
                     f"submitted on {cov.last_date}.")
        return text + (f" Measured from the number of questions per month: the complete period starts after the "
                       f"last month holding less than {pct} of the median of the months from it on (the last "
                       f"month not judged), and ends before the first month from then on holding less than {pct} "
                       "of the median of the months from the start to it.")
    text = (f"Volledig van {month_label(cov.complete_from, 'nl')} tot en met {month_label(cov.complete_to, 'nl')}: "
            "elke schriftelijke vraag die in die maanden is ingediend staat in de data.")
    if cov.before:
        text += (f" De data bevat ook {cov.before} vragen uit de onvolledige maanden daarvoor, de eerste ingediend "
                 f"op {cov.first_date}.")
    if cov.after:
        text += (f" De data bevat ook {cov.after} vragen uit de onvolledige maanden daarna, de laatste ingediend "
                 f"op {cov.last_date}.")
    return text + (f" Gemeten aan het aantal vragen per maand: de volledige periode begint na de laatste maand met "
                   f"minder dan {pct} van de mediaan van de maanden vanaf die maand (de laatste maand niet "
                   f"meegerekend), en eindigt vóór de eerste maand daarna met minder dan {pct} van de mediaan van "
                   "de maanden vanaf het begin tot en met die maand.")
