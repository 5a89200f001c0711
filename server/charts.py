"""Bar charts of counts per period (a year or a month), drawn on the server as SVG.

A chart is a ``<figure>``: a caption, an SVG graphic and the same counts as a real ``<table>``. The
graphic scales to its container (a ``viewBox``, ``width="100%"``; the stylesheet keeps it within the
screen) and is hidden from screen readers (``aria-hidden``; its ``<title>`` and ``<desc>`` say what it
draws for whoever reads the markup); the table under it, in a ``<details>`` that everyone can open, is
what screen readers read, with a link per period when the caller gives one. A bar is a period: the
periods between the first and the last that have no count are drawn as empty bars, and a bar's height
is proportional to its count (the tallest bar is the largest count).

How to call it::

    from server.charts import bar_chart, periods_of

    # counts per month from one query ("YYYY-MM", n); a span of up to MONTHS_UP_TO months is shown
    # per month, a longer one per year; the missing periods in between get 0
    unit, counts = periods_of([("2019-03", 4), ("2019-05", 1)])   # "month", [("2019-03", 4), ("2019-04", 0), …]
    html = bar_chart(counts, "nl", ("Kamervragen per maand", "Questions per month"), unit=unit,
                     hrefs={"2019-03": "/kamervragen?van=2019-03-01&tot=2019-03-31"}, chart_id="vragen-per-maand")

``html`` is :class:`markupsafe.Markup`: put it in a template as it is (``{{ chart }}``). Years may be
given as ``int`` or as ``"YYYY"``; ``marked`` names periods whose records are incomplete (drawn paler,
with an asterisk in the table, and ``marked_note`` under the chart says why).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

from markupsafe import Markup, escape

from server.i18n import MONTHS, fmt_int

__all__ = ["MONTHS_UP_TO", "bar_chart", "period_label", "periods_of"]

#: A span of up to this many months (first to last, both counted) is charted per month, a longer one per year.
MONTHS_UP_TO = 36

WIDTH, HEIGHT = 640, 240  # the viewBox; the graphic is scaled to its container's width
LEFT, RIGHT, TOP, BOTTOM = 72, 8, 14, 34  # the margins around the bars (axis numbers left, period labels below)
MAX_SLOT = 48  # the widest a bar's place may be (a chart of 1 or 2 periods)
MAX_LABELS = 9  # at most this many period labels under the bars (every k-th period)


def _month_index(period: str) -> int:
    year, month = period.split("-")[:2]
    return int(year) * 12 + int(month) - 1


def periods_of(month_counts: Iterable[tuple[str, int]],
               months_up_to: int = MONTHS_UP_TO) -> tuple[str, list[tuple[str, int]]]:
    """From counts per month (``"YYYY-MM"``, n; in any order, a month may come more than once) the counts
    to chart: ``("month", …)`` when the first and the last month are at most ``months_up_to`` months apart
    (both counted), else ``("year", …)`` with the counts added up per year (``"YYYY"``); every period from
    the first to the last is there, those without questions with 0. No counts give ``("year", [])``."""
    per_month: dict[int, int] = defaultdict(int)
    for period, n in month_counts:
        per_month[_month_index(str(period))] += int(n)
    if not per_month:
        return "year", []
    first, last = min(per_month), max(per_month)
    if last - first + 1 <= months_up_to:
        return "month", [(f"{i // 12:04d}-{i % 12 + 1:02d}", per_month.get(i, 0)) for i in range(first, last + 1)]
    per_year: dict[int, int] = defaultdict(int)
    for i, n in per_month.items():
        per_year[i // 12] += n
    return "year", [(f"{y:04d}", per_year.get(y, 0)) for y in range(first // 12, last // 12 + 1)]


def period_label(period: str | int, lang: str, short: bool = False) -> str:
    """A period as a reader reads it: ``"2019"``; ``"2019-03"`` as "maart 2019" / "March 2019" (``short``: "mrt
    2019" in Dutch, "Mar 2019" in English)."""
    text = str(period)
    if len(text) < 7:
        return text
    name = MONTHS.get(lang, MONTHS["nl"])[int(text[5:7]) - 1]
    if short:
        name = {"maart": "mrt"}.get(name, name[:3])
    return f"{name} {text[:4]}"


def _nice_top(n: int) -> int:
    """The smallest whole number of 1, 1.5, 2, 3, 4, 5, 6, 8 times a power of ten that is at least ``n`` (the top
    of the axis: 1, 2, 3, …, 8, 10, 15, 20, 30, …)."""
    step = 1
    while True:
        for m in (1, 1.5, 2, 3, 4, 5, 6, 8):
            top = step * m
            if top >= n and top == int(top):
                return int(top)
        step *= 10


def _svg(counts: Sequence[tuple[str, int]], lang: str, title: str, desc: str, marked: Collection[str]) -> str:
    """The graphic: a bar per period, heights proportional to the counts, the axis' top and some period labels."""
    n = len(counts)
    top = _nice_top(max((c for _, c in counts), default=0) or 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = min(plot_w / n, MAX_SLOT)  # few bars stay narrow, from the left
    gap = min(slot * 0.2, 4.0)
    every = max(1, -(-n // MAX_LABELS))
    parts = [f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMidYMid meet"'
             f' aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>", f"<desc>{escape(desc)}</desc>",
             f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}"/>',
             f'<line class="grid" x1="{LEFT}" y1="{TOP}" x2="{WIDTH - RIGHT}" y2="{TOP}"/>',
             f'<text class="tick" x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{escape(fmt_int(top, lang))}</text>',
             f'<text class="tick" x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end">0</text>']
    for i, (period, count) in enumerate(counts):
        h = round(plot_h * count / top, 2)
        x = round(LEFT + i * slot + gap / 2, 2)
        cls = "bar partial" if period in marked else "bar"
        parts.append(f'<rect class="{cls}" data-period="{escape(period)}" data-count="{count}" x="{x}"'
                     f' y="{round(TOP + plot_h - h, 2)}" width="{round(slot - gap, 2)}" height="{h}"/>')
        if i % every == 0:
            label = period if len(period) == 4 else period_label(period, lang, short=True)
            parts.append(f'<text class="period" x="{round(LEFT + (i + 0.5) * slot, 2)}" y="{HEIGHT - 8}"'
                         f' text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(counts: Sequence[tuple[str | int, int]], lang: str, title: tuple[str, str], *, unit: str = "year",
              count_label: tuple[str, str] = ("Aantal", "Number"), hrefs: Mapping[str, str] | None = None,
              marked: Collection[str] = (), marked_note: Markup | str | None = None, note: Markup | str | None = None,
              chart_id: str = "grafiek") -> Markup:
    """A ``<figure>`` with the bar chart of ``counts`` (period, n) and the table of the same counts.

    ``title`` and ``count_label`` are (Dutch, English); ``unit`` is ``"year"`` or ``"month"`` (the table's
    first column); ``hrefs`` maps a period to a link (in the table); ``marked`` periods are incomplete
    (``marked_note`` says why); ``note`` goes under the caption (say there what the counts cover);
    ``chart_id`` is the figure's id. No counts give an empty Markup."""
    if not counts:
        return Markup("")
    rows = [(str(p), int(n)) for p, n in counts]
    marked = {str(p) for p in marked}
    hrefs = hrefs or {}
    nl = lang == "nl"
    heading = title[0] if nl else title[1]
    total = sum(n for _, n in rows)
    first, last = period_label(rows[0][0], lang), period_label(rows[-1][0], lang)
    desc = (f"{len(rows)} staven, van {first} tot en met {last}; samen {fmt_int(total, lang)}, hoogste "
            f"{fmt_int(max(n for _, n in rows), lang)}." if nl else
            f"{len(rows)} bars, from {first} to {last}; {fmt_int(total, lang)} in all, highest "
            f"{fmt_int(max(n for _, n in rows), lang)}.")
    cid = escape(chart_id)
    out = [f'<figure class="chart" id="{cid}" aria-labelledby="{cid}-cap">',
           f'<figcaption id="{cid}-cap">{escape(heading)} <span class="count">({escape(fmt_int(total, lang))})</span>'
           "</figcaption>"]
    if note:
        out.append(f'<p class="hint chart-note">{escape(note)}</p>')
    out.append(_svg(rows, lang, heading, desc, marked))
    if marked and marked_note:
        out.append(f'<p class="hint chart-note">* {escape(marked_note)}</p>')
    out += _table(rows, lang, heading, unit, count_label, hrefs, marked)
    out.append("</figure>")
    return Markup("".join(out))


def _table(rows: list[tuple[str, int]], lang: str, heading: str, unit: str, count_label: tuple[str, str],
           hrefs: Mapping[str, str], marked: Collection[str]) -> list[str]:
    """The counts as a table in a ``<details>`` (a row per period, a link where given, ``*`` on marked ones)."""
    nl = lang == "nl"
    period_head = ("Maand" if nl else "Month") if unit == "month" else ("Jaar" if nl else "Year")
    out = ['<details class="chart-data">', f"<summary>{'De getallen als tabel' if nl else 'The numbers as a table'}"
           "</summary>", '<table class="chart-table">', f"<caption>{escape(heading)}</caption>",
           f'<thead><tr><th scope="col">{period_head}</th>'
           f'<th scope="col">{escape(count_label[0] if nl else count_label[1])}</th></tr></thead><tbody>']
    for period, n in rows:
        label = escape(period_label(period, lang)) + ("*" if period in marked else "")
        href = hrefs.get(period)
        cell = f'<a href="{escape(href)}">{label}</a>' if href else label
        out.append(f'<tr><th scope="row">{cell}</th><td>{escape(fmt_int(n, lang))}</td></tr>')
    out += ["</tbody></table>", "</details>"]
    return out
