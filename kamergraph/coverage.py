"""Where the written-question records are complete: measured from the number of Kamervragen submitted
per calendar month.

The Tweede Kamer's records hold a few written questions from 2007 and the first half of 2008, and every
question from mid-2008 on. Where that start lies is read from the data, not written down:
:func:`complete_from` applies one rule to the monthly counts. The dataset description
(``dcterms:temporal`` and its note, :mod:`kamergraph.dataset`, counted in the store once per build or
``kamergraph describe``) and the pages' overview (``server.overview.Overview.coverage``, for the home
page and the bars per year) state the complete period from that month on, and the earlier records and
the earliest date apart.

The rule. Take every calendar month from the first record's month to the last record's month (a month
without records counts 0). The last month is left out of the judging: the data may end in the middle
of it (the bundled extract ends on 2 October 2024), so it says nothing about where completeness starts.
Every other month is compared with the median of the months from it to the last judged month (the
running median, taken from the newest month back): a month is *short* when it holds less than
:data:`SHARE` of that median. The complete period starts in the month after the last short month (in
the first month when no month is short). So from that month on no month falls below a quarter of what
the months from it on usually hold.

Why this rule: a median is not moved by a few busy or empty months, and taking it over the months
*from* the judged month on (not over all months) keeps the start-up months out of their own reference,
however many of them there are, and follows a slow change in the number of questions (2023–2024 hold
fewer than 2019–2022). Why a quarter: on the bundled data every month from July 2008 on holds at least
0.42 of its running median (July 2008 itself, 94 questions in the first summer recess of the system;
after it at least 0.6, the recesses and election months), while the months before hold at most 0.09
of it (21 questions in June 2008). A quarter lies between the two with a wide margin on each side: any
share from 0.10 to 0.42 gives the same start (the tests check that). Because the condition is "no month
after the start falls short", a month with (almost) no records in the middle of the data moves the
start past it: the months before such a gap are not stated as complete.
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


@dataclass(frozen=True)
class Coverage:
    """The period the data covers: complete from ``complete_from`` (``YYYY-MM``) to ``last_date``, with
    ``before`` records submitted earlier, the earliest on ``first_date`` (ISO dates)."""

    first_date: str
    last_date: str
    complete_from: str
    before: int
    total: int
    share: float = SHARE

    @property
    def start(self) -> str:
        """The first day of the complete period (ISO)."""
        return self.complete_from + "-01"

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

    def incomplete_year(self, year: int) -> bool:
        """Whether the records of calendar ``year`` are incomplete (it has months before the complete period)."""
        return year < self.complete_year


def measure(counts: Mapping[str, int], first_date: str, last_date: str, share: float = SHARE) -> Coverage | None:
    """The coverage of records counted per month (``counts``), the earliest submitted on ``first_date`` and
    the latest on ``last_date``; None when there are none."""
    start = complete_from(counts, share)
    if start is None:
        return None
    before = sum(n for m, n in counts.items() if m < start)
    return Coverage(first_date[:10], last_date[:10], start, before, sum(counts.values()), share)


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
    """What the period means, in ``lang`` (nl or en): from which month the records are complete, how it
    was measured, and the records before it with the earliest date."""
    pct = f"{round(cov.share * 100)}%"
    if lang == "en":
        text = (f"Complete from {month_label(cov.complete_from, 'en')}: from then to the last submission date "
                f"({cov.last_date}) every written question is in the data.")
        if cov.before:
            text += (f" The months before are incomplete: the data also holds {cov.before} earlier questions, "
                     f"the earliest submitted on {cov.first_date}.")
        return text + (f" Measured from the number of questions per month: the complete period starts after the "
                   f"last month holding less than {pct} of the median of the months from it on (the last month "
                   f"of the data is not judged).")
    text = (f"Volledig vanaf {month_label(cov.complete_from, 'nl')}: van dan tot de laatste indieningsdatum "
            f"({cov.last_date}) staat elke schriftelijke vraag in de data.")
    if cov.before:
        text += (f" De maanden daarvoor zijn onvolledig: de data bevat nog {cov.before} eerdere vragen, de eerste "
                 f"ingediend op {cov.first_date}.")
    return text + (f" Gemeten aan het aantal vragen per maand: de volledige periode begint na de laatste maand "
                   f"met minder dan {pct} van de mediaan van de maanden vanaf die maand (de laatste maand van de "
                   f"data telt niet mee).")
