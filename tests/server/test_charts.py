"""server.charts: the bars are the periods, their heights proportional to the counts, the same counts in a real
table, the graphic scaled to its container and hidden from screen readers. The counts are those of real Zaken
(every 100th record of the bundled OData file, per month of their start)."""

from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ET
from collections import Counter
from itertools import islice

import pytest

from server.charts import MONTHS_UP_TO, bar_chart, period_label, periods_of
from tests.support.slices import ODATA

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def months() -> Counter:
    """The number of Zaken per month of their start ("YYYY-MM") among every 100th record of the OData file."""
    with gzip.open(ODATA, "rt", encoding="utf-8") as fh:
        return Counter(json.loads(line)["GestartOp"][:7] for line in islice(fh, 0, None, 100))


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def test_periods_of_a_long_span_are_years_with_the_gaps_filled(months: Counter) -> None:
    unit, counts = periods_of(months.items())
    years = Counter()
    for month, n in months.items():
        years[month[:4]] += n
    assert unit == "year"
    first, last = int(min(years)), int(max(years))
    assert last - first + 1 > MONTHS_UP_TO / 12
    assert [p for p, _ in counts] == [str(y) for y in range(first, last + 1)]
    assert dict(counts) == {str(y): years.get(str(y), 0) for y in range(first, last + 1)}
    assert sum(n for _, n in counts) == sum(months.values()) > 300


def test_periods_of_a_short_span_are_months(months: Counter) -> None:
    year = Counter({m[:4]: n for m, n in months.items()}).most_common(1)[0][0]
    some = {m: n for m, n in months.items() if m.startswith(year)}
    unit, counts = periods_of(some.items())
    assert unit == "month"
    first, last = min(some), max(some)
    assert counts[0][0] == first and counts[-1][0] == last
    assert len(counts) == int(last[5:]) - int(first[5:]) + 1
    assert {p: n for p, n in counts if n} == some
    assert periods_of([]) == ("year", [])


def test_bars_are_periods_and_heights_are_proportional(months: Counter) -> None:
    unit, counts = periods_of(months.items())
    hrefs = {p: f"/kamervragen?jaar={p}" for p, n in counts if n}
    fig = parse(bar_chart(counts, "nl", ("Kamervragen per jaar", "Questions per year"), unit=unit, hrefs=hrefs,
                          chart_id="per-jaar"))
    assert fig.tag == "figure" and fig.get("id") == "per-jaar"
    svg = fig.find(f"{SVG}svg")
    assert svg.get("aria-hidden") == "true" and svg.get("width") == "100%" and svg.get("viewBox")
    assert svg.find(f"{SVG}title").text == "Kamervragen per jaar"
    total = f"{sum(months.values()):,}".replace(",", ".")
    assert f"samen {total}," in svg.find(f"{SVG}desc").text
    bars = svg.findall(f"{SVG}rect")
    assert [(b.get("data-period"), int(b.get("data-count"))) for b in bars] == counts
    top = max(n for _, n in counts)
    tallest = max(float(b.get("height")) for b in bars)
    for b, (_p, n) in zip(bars, counts, strict=True):
        assert float(b.get("height")) == pytest.approx(tallest * n / top, abs=0.02)
        assert float(b.get("y")) + float(b.get("height")) == pytest.approx(float(bars[0].get("y"))
                                                                           + float(bars[0].get("height")))
    axis_top = int(next(t for t in svg.iter(f"{SVG}text") if t.get("class") == "tick").text.replace(".", ""))
    assert top <= axis_top < 1.5 * top  # the axis' top: a round number just above the largest count
    table = fig.find("details/table")
    rows = table.findall("tbody/tr")
    assert [(r.find("th").itertext().__next__(), r.find("td").text) for r in rows] == [
        (p, f"{n:,}".replace(",", ".")) for p, n in counts]
    assert [a.get("href") for a in table.iter("a")] == list(hrefs.values())
    assert fig.find("figcaption").text.startswith("Kamervragen per jaar")


def test_month_chart_in_english_with_marked_periods(months: Counter) -> None:
    year = Counter({m[:4]: n for m, n in months.items()}).most_common(1)[0][0]
    unit, counts = periods_of((m, n) for m, n in months.items() if m.startswith(year))
    marked = {counts[0][0]}
    fig = parse(bar_chart(counts, "en", ("Kamervragen per maand", "Questions per month"), unit=unit, marked=marked,
                          marked_note="incomplete"))
    assert fig.find("figcaption").text.startswith("Questions per month")
    assert [th.text for th in fig.iter("th") if th.get("scope") == "col"] == ["Month", "Number"]
    first_row = fig.find("details/table/tbody/tr/th").text
    assert first_row == period_label(counts[0][0], "en") + "*"
    assert [b.get("class") for b in fig.iter(f"{SVG}rect")][0] == "bar partial"
    assert len(fig.findall(f"{SVG}svg/{SVG}rect")) == len(counts)


def test_labels_are_escaped_and_no_counts_draw_nothing() -> None:
    fig = parse(bar_chart([("2020", 1)], "nl", ("a < b & c", "x"), note="n = 1 <van> 2"))
    assert fig.find("figcaption").text.startswith("a < b & c")
    assert str(bar_chart([], "nl", ("t", "t"))) == ""
    assert period_label("2019-03", "nl") == "maart 2019" and period_label("2019-03", "en", short=True) == "Mar 2019"
