"""Every named query on the full bundled store (built once per session by ``full_build``):
golden CSV output, what the parameters do (their time on the full store: bench/named_queries.py).

The tests only read the golden files; after a deliberate change, rewrite them with
``python bench/update_golden.py`` (on a full store) and review the diff."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest

from kamergraph.output import to_csv
from queries.catalog import Catalog
from store.embedded import EmbeddedStore
from tests.support.golden import GOLDEN_PARAMS, NAMED_GOLDEN, comparable, concat_columns

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_GOLDEN = ROOT / "tests" / "golden" / "queries"
CATALOG = Catalog.load()


@pytest.fixture(scope="module")
def store(full_build):
    path, _ = full_build
    s = EmbeddedStore(path)
    yield s
    s.close()


def rows(result) -> list[list[str]]:
    return list(csv.reader(io.StringIO(to_csv(result))))


def test_every_named_query_has_a_golden_run() -> None:
    assert set(GOLDEN_PARAMS) == set(CATALOG.names())


@pytest.mark.parametrize("name", sorted(GOLDEN_PARAMS))
def test_named_query_matches_golden_output(store, name: str) -> None:
    got = rows(CATALOG[name].run(store, GOLDEN_PARAMS[name]))
    golden = list(csv.reader(io.StringIO((NAMED_GOLDEN / f"{name}.csv").read_text(encoding="utf-8"))))
    assert got[0] == golden[0]
    assert len(got) > 1, "a named query that returns nothing on the full store shows nothing"
    # only the GROUP_CONCAT columns (their parts in any order) are compared as sets of parts
    concats = concat_columns(CATALOG[name].text)
    assert Counter(comparable(got[1:], got[0], concats)) == Counter(comparable(golden[1:], golden[0], concats))
    # the ORDER BY holds too: the first column runs in the golden order (ties aside)
    assert [r[0] for r in got] == [r[0] for r in golden]


def test_named_query_through_the_time_limited_worker(store) -> None:
    """The same query through the store's worker process (the path the server takes)."""
    r = CATALOG["dual-use"].run(store, {}, timeout=30, row_limit=2)
    assert r.truncated and len(r.rows) == 2


def test_dual_use_paths(store) -> None:
    q = CATALOG["dual-use"]
    by_default = q.run(store).values()
    via = {(r["zaak"], r["question"][:2], r["via"]) for r in by_default}
    assert via == {("2019Z15231", "6.", "vraag"), ("2019Z15231", "7.", "kamerstuk"), ("2019Z15231", "8.", "vraag"),
                   # the titles that name dual-use goods (the regulation in force on their dates: 428/2009)
                   ("2011Z09259", "", "titel"), ("2015Z24015", "", "titel"), ("2018Z19559", "", "titel")}
    kst = next(r for r in by_default if r["via"] == "kamerstuk")
    assert kst["cited"] == "https://kamergraph.nl/id/kamerstuk/22112-2686"
    assert all("GroenLinks" in r["askers"] for r in by_default if r["zaak"] == "2019Z15231")
    # the recast proposal, the procedure and the new regulation lead to the same questions
    for act in ("http://publications.europa.eu/resource/celex/52016PC0616",
                "http://publications.europa.eu/resource/procedure/2016_295",
                "http://data.europa.eu/eli/reg/2021/821/oj"):
        other = q.run(store, {"act": act}).values()
        assert {(r["zaak"], r["question"], r["via"]) for r in other} == {
            (r["zaak"], r["question"], r["via"]) for r in by_default}
        assert {r["act"] for r in other} == {act}
    # an unrelated act: none of these
    unrelated = q.run(store, {"act": "http://data.europa.eu/eli/dir/2022/2464/oj"}).values()
    assert all(r["zaak"] != "2019Z15231" for r in unrelated)


def test_member_questions(store) -> None:
    q = CATALOG["member-questions"]
    key = "cefbf19c-653b-4af7-84a6-e17fba0e4a70"
    by_key = q.run(store, {"person": key}).values()
    by_iri = q.run(store, {"person": f"https://kamergraph.nl/id/persoon/{key}"}).values()
    assert by_key == by_iri and len(by_key) > 100
    assert {r["person"] for r in by_key} == {f"https://kamergraph.nl/id/persoon/{key}"}
    founding = [r for r in by_key if r["zaak"] == "2019Z15231"]
    assert founding and founding[0]["role"] == "indiener" and founding[0]["fractie"] == "GroenLinks"
    # Isabelle Diks co-signed it
    diks = q.run(store, {"person": "a901d2d2-35f6-4341-bbfb-38e5d9b21d07"}).values()
    assert any(r["zaak"] == "2019Z15231" and r["role"] == "medeindiener" for r in diks)
    assert q.run(store, {"person": "no-such-member"}).rows == []


def test_addressed_to_post_and_ministry(store) -> None:
    q = CATALOG["addressed-to"]
    post = q.run(store).values()
    assert post and all("2019-01-01" <= r["date"] <= "2019-12-31" for r in post)
    assert {r["post"] for r in post} == {"minister van Buitenlandse Zaken"}
    assert any(r["zaak"] == "2019Z15231" for r in post)
    ministry = q.run(store, {"addressee": "ministerie/mnre1013"}).values()
    zaken_post, zaken_ministry = {r["zaak"] for r in post}, {r["zaak"] for r in ministry}
    assert zaken_post < zaken_ministry  # BZ also has the minister for BHOS
    assert "minister voor Buitenlandse Handel en Ontwikkelingssamenwerking" in {r["post"] for r in ministry}
    july = q.run(store, {"from": "2019-07-18", "to": "2019-07-18"}).values()
    assert {r["date"] for r in july} == {"2019-07-18"} and "2019Z15231" in {r["zaak"] for r in july}


def test_questions_per_fractie_per_year_agrees_with_the_example(store) -> None:
    got = {(r["label"], r["year"]): r["questions"] for r in CATALOG["questions-per-fractie-per-year"].run(
        store, {"from": "2021", "to": "2024"}).values()}
    assert {y for _, y in got} == {"2021", "2022", "2023", "2024"}
    example = list(csv.DictReader(io.StringIO((EXAMPLE_GOLDEN / "fracties-per-jaar.csv").read_text("utf-8"))))
    assert example
    for r in example:  # queries/examples/fracties-per-jaar.rq counts the same thing
        assert got[(r["fractie"], r["year"])] == r["questions"]


def test_open_questions_and_the_reference_day(store) -> None:
    q = CATALOG["open-questions"]
    end_2024 = q.run(store, {"today": "2024-12-31"}).values()
    assert end_2024 and all(int(r["daysOpen"]) > 21 for r in end_2024)
    october = q.run(store, {"today": "2024-10-01"}).values()
    assert all(r["date"] < "2024-09-10" for r in october)
    assert {r["zaak"] for r in october} < {r["zaak"] for r in end_2024}
    # by default: the day the query runs (the bundled data end in 2024, so all of them, and more days open)
    now = q.run(store).values()
    assert {r["zaak"] for r in now} == {r["zaak"] for r in end_2024}
    assert all(int(a["daysOpen"]) >= int(b["daysOpen"]) for a, b in zip(sorted(now, key=lambda r: r["zaak"]),
                                                                       sorted(end_2024, key=lambda r: r["zaak"])))
    # every one of them is really not afgedaan
    closed = store.query("PREFIX kg: <https://w3id.org/kamergraph/def#> SELECT ?z WHERE { ?kv kg:zaaknummer ?z ; "
                         "kg:afgedaan true }")
    assert not {t.value for t in closed.column("z")} & {r["zaak"] for r in end_2024}


def test_most_cited_eu_acts_threshold(store) -> None:
    q = CATALOG["most-cited-eu-acts"]
    everything = q.run(store).values()
    assert any(r["identifier"] == "2016/0295(COD)" for r in everything)
    counts = [int(r["kamervragen"]) for r in everything]
    assert counts == sorted(counts, reverse=True)
    two = q.run(store, {"min": "2"}).values()
    assert two and all(int(r["kamervragen"]) >= 2 for r in two) and len(two) < len(everything)


def test_cosigner_pairs_threshold(store) -> None:
    q = CATALOG["cosigner-pairs"]
    ten = q.run(store).values()
    assert ten and all(int(r["questions"]) >= 10 and r["askerFractie"] != r["cosignerFractie"] for r in ten)
    fifty = q.run(store, {"min": "50"}).values()
    assert fifty and {tuple(r.values())[:4] for r in fifty} < {tuple(r.values())[:4] for r in ten}



def test_named_queries_name_posts_as_on_the_date(store) -> None:
    """A post renamed under the same key (minister van Economische Zaken, Landbouw en Innovatie from
    2010-10-14 to 2012-11-04, data/reference/cabinets/post_names.csv) is named as it was on each question's date."""
    q = CATALOG["addressed-to"]
    post = {"addressee": "post/minister-van-economische-zaken"}
    in_2011 = q.run(store, {**post, "from": "2011-01-01", "to": "2011-12-31"}).values()
    in_2014 = q.run(store, {**post, "from": "2014-01-01", "to": "2014-12-31"}).values()
    assert in_2011 and in_2014
    assert {r["post"] for r in in_2011} == {"minister van Economische Zaken, Landbouw en Innovatie"}
    assert {r["post"] for r in in_2014} == {"minister van Economische Zaken"}
