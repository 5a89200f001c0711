"""Where the records are complete (kamergraph.coverage): the rule on the bundled OData Zaken, as the
reader of the build reads them, and on small series made for the rule's edge cases; and the dataset
description that states it."""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path

import pytest

from ingest.sources.odata import read_jsonl
from kamergraph import coverage
from kamergraph.coverage import (
    Coverage, complete_from, complete_to, measure, measure_dates, month_of, month_range, short_months,
)
from kamergraph.dataset import DCAT, Stats, dataset_iri, describe
from ontology.namespaces import DCTERMS, RDFS, Iris

ODATA = Path(__file__).resolve().parents[2] / "data" / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz"
IRIS = Iris("https://kamergraph.nl/")


@pytest.fixture(scope="module")
def odata_dates() -> list[str]:
    """The submission date (GestartOp) of every bundled OData Zaak, read with the build's own reader."""
    return [r.gestart_op.isoformat() for r in read_jsonl(ODATA)]


# --------------------------------------------------------------------------- the bundled data


def test_the_bundled_records_are_complete_from_july_2008(odata_dates: list[str]) -> None:
    """The Tweede Kamer's case system starts in mid-2008: it holds 10 Zaken from 2007 and 37 from January
    to June 2008; from July 2008 on every written question is there (issue 15, §4). The extract ends on
    2 October 2024, so October 2024 is incomplete too."""
    cov = measure_dates(odata_dates)
    assert cov is not None
    assert cov.complete_from == "2008-07" and cov.start == "2008-07-01"
    assert cov.complete_to == "2024-09" and cov.end == "2024-09-30"
    assert cov.after == sum(1 for d in odata_dates if d >= "2024-10-01") > 0
    years = Counter(d[:4] for d in odata_dates)
    assert years["2007"] == 10 and sum(1 for d in odata_dates if "2008-01" <= d[:7] <= "2008-06") == 37
    assert cov.before == 10 + 37
    assert (cov.first_date, cov.last_date) == (min(odata_dates), max(odata_dates))
    assert cov.total == len(odata_dates)
    assert [y for y in range(cov.first_year, cov.last_year + 1) if cov.incomplete_year(y)] == [2007, 2008, 2024]


def test_the_start_does_not_hang_on_the_share(odata_dates: list[str]) -> None:
    """Any share between what the start-up months hold (at most 0.09 of their running median) and what
    the thinnest complete month holds (0.42, July 2008) gives the same start; beyond it the start moves."""
    counts = Counter(month_of(d) for d in odata_dates)
    shares = (0.10, 0.15, 0.25, 0.35, 0.42)
    assert {(complete_from(counts, s), complete_to(counts, "2008-07", s)) for s in shares} == {("2008-07", "2024-09")}
    assert complete_from(counts, 0.09) < "2008-07" < complete_from(counts, 0.45)
    assert complete_to(counts, "2008-07", 0.09) == "2024-10"


def test_the_cut_off_last_month_is_not_judged(odata_dates: list[str]) -> None:
    """The extract ends on 2 October 2024: that month holds a tenth of a usual month, but says nothing
    about where completeness starts."""
    counts = Counter(month_of(d) for d in odata_dates)
    last = max(counts)
    assert last == "2024-10" and counts[last] * 4 < counts["2024-09"]
    assert last not in short_months(counts)
    assert all(m < "2008-07" for m in short_months(counts))
    assert complete_to(counts, "2008-07") == "2024-09"  # the end of the complete period does judge it


def test_the_description_states_the_complete_period(odata_dates: list[str]) -> None:
    """dcterms:temporal runs from the first complete month to the last submission date; the comment (nl
    and en) names the earlier questions and the earliest date, so nothing is hidden."""
    months = Counter(month_of(d) for d in odata_dates)
    stats = Stats(triples=1, graphs=1, subjects=1, entities=1, objects=1, first_date=min(odata_dates),
                  last_date=max(odata_dates), months=dict(months))
    triples = describe(IRIS, stats)
    ds = dataset_iri(IRIS)
    period = [t.object.value for t in triples if t.subject.value == ds and t.predicate.value == DCTERMS + "temporal"]
    assert len(period) == 1

    def values(p: str) -> list[str]:
        return [t.object.value for t in triples if t.subject.value == period[0] and t.predicate.value == p]

    assert values(DCAT + "startDate") == ["2008-07-01"] and values(DCAT + "endDate") == ["2024-09-30"]
    comments = {t.object.language: t.object.value for t in triples
                if t.subject.value == period[0] and t.predicate.value == RDFS + "comment"}
    assert set(comments) == {"nl", "en"}
    assert "juli 2008 tot en met september 2024" in comments["nl"] and "July 2008 to September 2024" in comments["en"]
    for text in comments.values():
        assert "2007-01-31" in text and " 47 " in text and "2024-10-02" in text and " 22 " in text


# --------------------------------------------------------------------------- the rule's edge cases


def series(first: str, counts: list[int]) -> dict[str, int]:
    """Monthly counts from month ``first`` on (zeros left out, as a count of records gives them)."""
    months = month_range(first, "2100-12")[: len(counts)]
    return {m: n for m, n in zip(months, counts) if n}


def test_no_records_no_period() -> None:
    assert complete_from({}) is None and measure({}, "", "") is None and measure_dates([]) is None


def test_one_month_and_steady_months_are_complete_from_the_first() -> None:
    assert complete_from({"2010-03": 5}) == "2010-03" and complete_to({"2010-03": 5}, "2010-03") == "2010-03"
    counts = series("2010-01", [200, 210, 190, 205, 30])  # the last month is cut off
    assert complete_from(counts) == "2010-01" and complete_to(counts, "2010-01") == "2010-04"
    assert complete_to(series("2010-01", [200, 210, 190, 205, 60]), "2010-01") == "2010-05"


def test_a_start_up_longer_than_the_complete_period() -> None:
    """Ten thin months, then six full ones: the median of all months would be a thin one and call
    everything complete; the running median from the judged month on does not."""
    counts = series("2007-01", [2, 1, 0, 3, 1, 2, 0, 1, 2, 1, 250, 240, 260, 255, 245, 250, 12])
    assert complete_from(counts) == "2007-11"
    short = short_months(counts)  # a thin month among thin ones need not be short; the last one is
    assert short[-1] == "2007-10" and set(short) <= set(month_range("2007-01", "2007-10"))
    every_month = [counts.get(m, 0) for m in month_range("2007-01", "2008-04")]
    assert statistics.median(every_month) * coverage.SHARE < 1  # the median of all months is a thin one


def test_empty_months_count_as_zero() -> None:
    """A month without records is in no count, yet it is a month: an empty month after a thin start is short."""
    assert month_range("2007-11", "2008-02") == ["2007-11", "2007-12", "2008-01", "2008-02"]
    counts = {"2007-11": 1, "2008-02": 200, "2008-03": 210, "2008-04": 190, "2008-05": 200}
    assert short_months(counts) == ["2007-11", "2007-12", "2008-01"]
    assert complete_from(counts) == "2008-02"


def test_recesses_and_a_slow_trend_do_not_move_the_start() -> None:
    recess = series("2010-01", [200, 210, 200, 190, 205, 200, 90, 80, 210, 200, 205, 190, 200, 100])
    assert complete_from(recess) == "2010-01"
    growing = series("2010-01", [60 + 10 * i for i in range(30)])  # from 60 to 350 a month
    assert complete_from(growing) == "2010-01"


def test_a_gap_in_the_middle_moves_the_start_past_it() -> None:
    """"No month after the start falls short": the months before an empty month are not stated complete."""
    counts = series("2010-01", [200, 210, 200, 0, 205, 200, 190, 210, 200])
    assert short_months(counts) == ["2010-04"] and complete_from(counts) == "2010-05"
    assert complete_to(counts, "2010-01") == "2010-03"  # judged from an earlier start, the gap ends the period


def test_the_month_before_the_last_is_judged() -> None:
    counts = series("2010-01", [200, 210, 200, 195, 10, 205])
    assert short_months(counts) == []  # 2010-05 against the median of itself alone
    counts = series("2010-01", [200, 210, 200, 195, 10, 205, 200, 3])
    assert short_months(counts) == ["2010-05"]


def test_a_month_at_exactly_the_share_is_not_short() -> None:
    counts = series("2010-01", [50, 200, 200, 200, 7])  # 50 is a quarter of the running median, 200
    assert complete_from(counts) == "2010-01"
    assert complete_from(series("2010-01", [49, 200, 200, 200, 7])) == "2010-02"


def test_years_before_the_complete_period() -> None:
    mid = Coverage("2007-01-31", "2024-10-02", "2008-07", "2024-09", 47, 22, 42994)
    assert (mid.complete_year, mid.incomplete_year(2008), mid.incomplete_year(2009)) == (2009, True, False)
    assert (mid.last_complete_year, mid.incomplete_year(2023), mid.incomplete_year(2024)) == (2023, False, True)
    assert (mid.start, mid.end) == ("2008-07-01", "2024-09-30")
    january = Coverage("2007-01-31", "2025-01-02", "2009-01", "2024-12", 300, 5, 42994)
    assert (january.complete_year, january.incomplete_year(2008), january.incomplete_year(2009)) == (2009, True, False)
    assert (january.last_complete_year, january.incomplete_year(2024), january.end) == (2024, False, "2024-12-31")
    assert Coverage("2008-01-02", "2008-03-01", "2008-01", "2008-02", 0, 3, 90).end == "2008-02-29"


def test_bad_dates_name_the_value() -> None:
    with pytest.raises(ValueError, match="'31-01-2007'"):
        month_of("31-01-2007")
    with pytest.raises(ValueError, match="not an ISO date"):
        measure_dates(["2008-07-01", "2008"])


def test_the_note_in_both_languages() -> None:
    cov = Coverage("2007-01-31", "2024-10-02", "2008-07", "2024-09", 47, 22, 42994)
    assert coverage.note(cov, "nl").startswith("Volledig van juli 2008 tot en met september 2024")
    assert coverage.note(cov, "en").startswith("Complete from July 2008 to September 2024")
    whole = Coverage("2010-01-04", "2010-12-20", "2010-01", "2010-12", 0, 0, 2400)
    assert "2010-01-04" not in coverage.note(whole, "en") and "2010-12-20" not in coverage.note(whole, "nl")
    assert "data also holds" not in coverage.note(whole, "en") and "bevat ook" not in coverage.note(whole, "nl")


# --------------------------------------------------------------------------- the pages


def test_the_overview_measures_its_questions() -> None:
    """The pages' overview measures the Kamervragen it holds with the same rule (each at its date)."""
    from server.overview import Case, Overview, _index_cases

    dates = ["2007-03-01", "2007-11-20", "", "2008-02-30x"]  # no date, a bad date: left out
    dates += [f"{m}-{d:02d}" for m in month_range("2008-01", "2009-06") for d in range(1, 21)]
    cases = {f"kv/{i}": Case(iri=f"kv/{i}", zaak=f"{i}", date=d) for i, d in enumerate(dates)}
    ov = Overview()
    _index_cases(ov, cases)
    assert ov.coverage is not None and ov.coverage == measure_dates([d for d in dates if len(d) == 10])
    assert ov.coverage.complete_from == "2008-01" and ov.coverage.before == 2
    assert ov.coverage.complete_to == "2009-06" and ov.coverage.after == 0
    assert [y for y in (2007, 2008, 2009) if ov.incomplete_year(y)] == [2007, 2009]
    assert not Overview().incomplete_year(2007)  # nothing measured: nothing marked


def _page(template: str, lang: str, **context):
    from starlette.requests import Request

    from server.render import templates

    request = Request({"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": []})
    return templates.env.get_template(template).render(request=request, lang=lang, **context)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_year_bars_mark_the_incomplete_years(lang: str) -> None:
    from dataclasses import dataclass

    from server.render import templates

    @dataclass
    class Bar:
        year: int
        count: int
        width: float = 50.0
        href: str = "#"
        current: bool = False
        incomplete: bool = False

    macros = templates.env.get_template("page_macros.html").make_module({"lang": lang})
    html = str(macros.year_bars([Bar(2007, 10, incomplete=True), Bar(2008, 1500, incomplete=True), Bar(2009, 2900)],
                                "per jaar"))
    assert html.count(' incomplete"') == 2 and ">2007*<" in html and ">2008*<" in html and ">2009<" in html
    assert "* 2007, 2008: " + ("incomplete" if lang == "en" else "onvolledig") in html
    assert 'href="/dataset"' in html
    plain = str(macros.year_bars([Bar(2009, 2900), Bar(2010, 3000)], "per jaar"))
    assert "incomplete" not in plain and "*" not in plain and "/dataset" not in plain


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_home_page_states_the_complete_period(lang: str) -> None:
    context = {"nav": "home", "status": 200, "editor_installed": False, "stats": [], "fracties": [],
               "ministries": [], "eu": [], "latest": [], "founding": None, "first_year": 2007, "last_year": 2024,
               "n_cases": 42994, "has_release": False}
    cov = Coverage("2007-01-31", "2024-10-02", "2008-07", "2024-09", 47, 22, 42994)
    html = _page("home.html", lang, coverage=cov, **context)
    if lang == "en":
        assert "submitted from 1 July 2008 to 30 September 2024, and 47 from before and 22 from after — 42,994" \
            in html
        assert "complete from 1 July 2008 to 30 September 2024" in html and "31 January 2007" in html
        assert "2 October 2024" in html and "years before 2009 and after 2023 are therefore incomplete" in html
    else:
        assert ("ingediend van 1 juli 2008 tot en met 30 september 2024, en 47 van daarvoor en 22 van daarna "
                "— 42.994") in html
        assert "volledig van 1 juli 2008 tot en met 30 september 2024" in html and "31 januari 2007" in html
        assert "2 oktober 2024" in html and "jaren vóór 2009 en na 2023 zijn dus onvolledig" in html
    assert "2007 t" not in html
    # without a measured period (a page that passes none): the years, and where the complete period is stated
    html = _page("home.html", lang, **context)
    assert 'id="coverage-note"' not in html and '<a href="/dataset">' in html
    assert ("from 2007 to 2024 (" if lang == "en" else "van 2007 tot en met 2024 (") in html


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_year_facet_marks_the_incomplete_years(lang: str) -> None:
    from types import SimpleNamespace as NS

    def item(label: str, count: int, **extra) -> NS:
        return NS(label=label, count=count, href="#", title=None, selected=False, **extra)

    def page(years: list[NS], chips: list[NS] = []) -> str:
        box = NS(kind="jaar", title="Jaar", shown=years[:2], more=years[2:], left_out=0)
        result = NS(total=0, page=1, pages=1, cards=[])
        return _page("list.html", lang, nav="", status=200, editor_installed=False, facets=[box], chips=chips,
                     result=result, csv_href="#", json_href="#", pages=None, clear_href="#", atom_href="#",
                     atom_title="Kamervragen", list_path="/kamervragen", q="", filtered=bool(chips), sorts=[],
                     sort_title="", van="", tot="", lidnaam="", hidden=[], hidden_q=[], hidden_lid=[], searched="",
                     chart="", eu_found="", suggested=[])

    marked = page([item("2009", 2900, incomplete=False), item("2008", 1500, incomplete=True),
                   item("2007", 10, incomplete=True)])
    assert ">2008*</a>" in marked and ">2007*</a>" in marked and ">2009</a>" in marked
    assert "* 2008, 2007: " + ("incomplete" if lang == "en" else "onvolledig") in marked
    plain = page([item("2009", 2900), item("2010", 3000)])  # facet items that say nothing of completeness
    assert "*</a>" not in plain and "onvolledig" not in plain and "incomplete (" not in plain
    # a chosen incomplete year: its chip is marked and the count above is said not to be the year's
    chip = lambda label: NS(kind_title="Jaar", label=label, remove_href="#", empty=False)
    chosen = page([item("2007", 10, incomplete=True), item("2009", 2900)], [chip("2007")])
    assert "</span> 2007*" in chosen and 'class="notice incomplete-years">* 2007: ' in chosen
    assert ("the records of this year are incomplete" if lang == "en" else "de gegevens van dit jaar zijn onvolledig") in chosen
    complete = page([item("2009", 2900, incomplete=False)], [chip("2009")])
    assert "</span> 2009*" not in complete and "incomplete-years" not in complete
