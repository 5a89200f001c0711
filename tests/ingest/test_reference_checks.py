"""The consistency rules of load_reference, each on a small slice of the real reference lists.

Each rule is shown to find a real bad row of the bundled lists (named by its record) and to stay
quiet once the register corrects it; a rule the bundled data does not break is shown to fire on a
real row that a correction makes bad (corrected data is checked too). The last test holds the
findings on the whole bundled data to the README, where each is explained.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.reference import load_reference, run_steps
from ingest.reference_checks import check_fractie_in_kamer
from ingest.reference_members import join_kamer_memberships
from ingest.sources import reference as src
from tests.ingest.test_reference_corrections import URL, record_of, register
from tests.ingest.test_reference_steps import DATA, any_of, before, fixture, pids, pks, write_slice

KROL, OK_KROL = "201209016", 734
OK_TIMMERMANS, OK_KOENDERS, OK_HENNIS = 28, 29, 31
VAN_DER_HOEVEN, OK_VAN_DER_HOEVEN = "199106002", 77
README = DATA / "reference" / "README.md"


def findings(report: tuple[str, ...] | list[str], rule: str) -> list[str]:
    return [line for line in report if f": [{rule}] " in line]


def summary(report: tuple[str, ...] | list[str], rule: str) -> str:
    (line,) = [line for line in report if line.startswith(f"check {rule}: ")]
    return line


def _government(*persons: int):
    member = fixture("government.governmentmember", lambda f: f["person"] in persons)
    return any_of(fixture("government.government"), fixture("government.ministry"),
                  fixture("government.governmentposition"), member)


def test_overlapping_fractie_memberships_are_found_until_corrected(tmp_path: Path) -> None:
    d = write_slice(tmp_path, members=pids(KROL))
    denk = record_of(d, src.MEMBER_PERIODS, lambda o: o["Fractie"] == "DENK")
    report = load_reference(d).report
    found = findings(report, "fractie-overlap")
    assert len(found) == 3 and all(line.startswith(f"{denk} / {src.MEMBER_PERIODS}:") for line in found)
    assert "denk 2017-03-23..2021-03-30 overlaps krol 2020-05-03..2020-05-05" in found[0]
    # the 2014 change of fractie shares one day (the list's convention): no finding
    assert not [line for line in found if "2014" in line]
    register(d, {"id": "c1", "record": denk, "field": "fractie", "value": "50plus", "source": URL},
             {"id": "c2", "record": denk, "field": "end", "value": "2020-05-03", "source": URL})
    assert summary(load_reference(d).report, "fractie-overlap") == "check fractie-overlap: 0 findings"


def test_a_fractie_membership_outside_every_kamer_membership_is_found(tmp_path: Path) -> None:
    state = before(join_kamer_memberships, write_slice(tmp_path, members=pids(KROL)))
    check_fractie_in_kamer(state)  # before the Kamer memberships are joined: none holds them
    assert summary(state.report, "fractie-outside-kamer") == f"check fractie-outside-kamer: {len(state.fms)} findings"
    join_kamer_memberships(state)
    check_fractie_in_kamer(state)
    assert state.report[-1] == "check fractie-outside-kamer: 0 findings"


def test_two_holders_of_one_ministers_post_are_found_not_two_staatssecretarissen(tmp_path: Path) -> None:
    d = write_slice(tmp_path, ok_persons=pks("person.person", OK_TIMMERMANS, OK_KOENDERS),
                    government=_government(OK_TIMMERMANS, OK_KOENDERS))
    report = load_reference(d).report
    (found,) = findings(report, "post-two-holders")
    assert "minister-van-buitenlandse-zaken" in found and "2012-11-05..2014-10-18" in found and "2014-10-17..2017-10-26" in found
    assert re.match(rf"{re.escape(src.OK_GOVERNMENT)}:\d+ / {re.escape(src.OK_GOVERNMENT)}:\d+: ", found)
    timmermans = found.split(" / ")[0]
    register(d, {"id": "c6", "record": timmermans, "field": "end", "value": "2014-10-17", "source": URL})
    assert summary(load_reference(d).report, "post-two-holders") == "check post-two-holders: 0 findings"


def test_vice_premiers_of_one_cabinet_are_not_two_holders(tmp_path: Path) -> None:
    d = write_slice(tmp_path, holdings=lambda r: r["post_kind"] == "viceminister-president" and r["cabinet"] == "Rutte III",
                    ministries=lambda r: True, government=fixture("government.government"))
    ref = load_reference(d)
    assert len(ref.holdings) >= 3 and summary(ref.report, "post-two-holders") == "check post-two-holders: 0 findings"


def _hennis(tmp_path: Path, field: str, value: str) -> tuple[Path, str]:
    d = write_slice(tmp_path, ok_persons=pks("person.person", OK_HENNIS), government=_government(OK_HENNIS))
    rec = record_of(d, src.OK_GOVERNMENT, lambda o: o["model"] == "government.governmentmember")
    return register(d, {"id": "x1", "record": rec, "field": field, "value": value, "source": URL}), rec


def test_a_term_past_its_cabinet_is_found_also_when_a_correction_makes_it(tmp_path: Path) -> None:
    d, rec = _hennis(tmp_path, "end", "2017-10-04")
    assert summary(load_reference(d).report, "holding-outside-cabinet") == "check holding-outside-cabinet: 0 findings"
    d, rec = _hennis(tmp_path, "end", "2017-11-01")
    (found,) = findings(load_reference(d).report, "holding-outside-cabinet")
    assert found.startswith(f"{rec}: [holding-outside-cabinet] minister-van-defensie") and "rutte-ii 2012-11-05..2017-10-26" in found


def test_one_person_holding_one_post_twice_at_once_is_found(tmp_path: Path) -> None:
    d, rec = _hennis(tmp_path, "end", "2017-10-26")
    person = next(h.person_key for h in load_reference(d).holdings)
    register(d, {"id": "x2", "record": rec, "field": "successor", "value": f"{person}|2016-01-01|2016-02-01|no",
                 "source": URL})
    (found,) = findings(load_reference(d).report, "holding-overlap")
    assert found.startswith(f"{rec} / reference/corrections.csv:2: [holding-overlap]")


def _on_eve_2006(o: dict) -> bool:
    """A member-list row ending on the 2006 election eve or starting the day after it."""
    return (o["Eindjaar"], o["Eindmaand"], o["Einddag"]) == (2006, 11, 29) or \
        (o["Beginjaar"], o["Beginmaand"], o["Begindag"]) == (2006, 11, 30)


def test_a_minister_seated_in_the_kamer_outside_a_caretaker_span_is_found(tmp_path: Path) -> None:
    d = write_slice(tmp_path, members=any_of(pids(VAN_DER_HOEVEN), _on_eve_2006),
                    ok_persons=pks("person.person", OK_VAN_DER_HOEVEN),
                    parliament=fixture("parliament.parliamentmember", lambda f: f["person"] == OK_VAN_DER_HOEVEN),
                    government=_government(OK_VAN_DER_HOEVEN))
    report = load_reference(d).report
    (found,) = findings(report, "seat-and-post")
    # the seat OpenKamer's membership filled in 2003-05-27..2006-11-29, while she was minister of OCW;
    # her seat from 2006-11-30 (the new Kamer, the cabinet demissionary) is no finding
    assert f" / {src.OK_PARLIAMENT}:" in found and "minister-van-onderwijs-cultuur-en-wetenschap" in found
    assert "2003-05-27..2006-11-29 (2006-07-08..2006-11-29 outside a demissionary span)" in found


def test_a_period_before_the_18th_birthday_is_found(tmp_path: Path) -> None:
    d = write_slice(tmp_path, members=pids(KROL), ok_persons=pks("person.person", OK_KROL))
    assert summary(load_reference(d).report, "under-age") == "check under-age: 0 findings"
    first = record_of(d, src.MEMBER_PERIODS, lambda o: o["Beginjaar"] == 2012)
    register(d, {"id": "x3", "record": first, "field": "start", "value": "1967-01-01", "source": URL})
    (found,) = findings(load_reference(d).report, "under-age")
    assert found.startswith(f"{first}: [under-age]") and "at age 16" in found


def test_every_finding_on_the_bundled_data_is_explained_in_the_readme() -> None:
    state = run_steps(DATA)
    rules = ("fractie-overlap", "fractie-outside-kamer", "post-two-holders", "holding-outside-cabinet",
             "holding-overlap", "seat-and-post", "under-age")
    text = README.read_text(encoding="utf-8")
    for rule in rules:
        n = len(findings(state.report, rule))
        assert summary(state.report, rule) == f"check {rule}: {n} findings"
        assert f"| `{rule}` | {n} |" in text, f"{README}: the table of rules lacks `{rule}` with {n} findings"
    for line in (line for rule in rules for line in findings(state.report, rule)):
        rows = line.split(": [")[0]
        assert f"`{rows}`" in text, f"{README}: the finding on {rows} is not explained"
