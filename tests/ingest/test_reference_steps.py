"""Each step of load_reference on its own, on a small slice of the bundled reference lists.

A slice is a data folder holding only some real rows of each file (the rows of a few persons, one
election eve, one post); the steps before the one tested run over it, then the test runs the step
and checks what it added.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from ingest.periods import OK_FILL_PREFIX, OPEN_END
from ingest.reference import STEPS, Step, load_reference, run_steps
from ingest.reference_government import (
    csv_holdings,
    openkamer_holdings,
    read_cabinets,
    read_ministries,
    report_post_gaps,
)
from ingest.reference_members import (
    fill_gaps_from_openkamer,
    find_election_eves,
    join_kamer_memberships,
    list_memberships,
    name_fracties,
)
from ingest.reference_persons import key_persons, merge_cabinet_persons, merge_openkamer_persons, read_member_list
from ingest.reference_state import ReferenceState
from ingest.sources import reference as src
from ontology.namespaces import slug

DATA = Path(__file__).resolve().parents[2] / "data"

LEIJTEN, LEON_DE_JONG_2010, LEON_DE_JONG_2017, HEUVEL = "200611036", "201006031", "201703013", "192210002"
KUZU, OZTURK, VIJLBRIEF = "201209017", "201211004", "202103036"
OK_RUTTE, OK_LEIJTEN, OK_LEON_DE_JONG, OK_ALIDA_DE_JONG, OK_ALBERTUS_DE_JONG = 1, 391, 737, 214, 229
RUTTE_GUID, LEIJTEN_GUID = "8b3664bd-77e4-468b-af96-f3f4ec27fcce", "e6cc253d-14cb-437b-be88-4966f5fcb1f5"
OK_OZTURK, OZTURK_GUID = 509, "58e27c9a-59be-407b-8213-714cf1d3acc4"
SHARED_GUID = "95dde51d-e12c-48e2-9f28-16f1c40864e1"  # given to two OpenKamer persons (Alida and Albertus de Jong)
RUTTE_WD, VIJLBRIEF_WD, SCHOOF_WD = "Q57792", "Q83779218", "Q22338116"
EVE_2017 = dt.date(2017, 3, 22)

Pred = Callable[[Any], bool]


def _none(_: Any) -> bool:
    return False


@cache
def _json(rel: str) -> list[dict[str, Any]]:
    return json.loads((DATA / rel).read_text(encoding="utf-8"))


@cache
def _csv(rel: str) -> tuple[list[str], list[dict[str, str]]]:
    with (DATA / rel).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or ()), list(reader)


def write_slice(root: Path, *, members: Pred = _none, ok_persons: Pred = _none, parliament: Pred = _none,
                government: Pred = _none, holdings: Pred = _none, ministries: Pred = _none) -> Path:
    """A data folder under ``root`` with the rows of each real reference file that its predicate keeps
    (the member list's objects, the OpenKamer fixtures' objects, the CSVs' rows as dicts)."""
    for rel, pred in ((src.MEMBER_PERIODS, members), (src.OK_PERSONS, ok_persons),
                      (src.OK_PARLIAMENT, parliament), (src.OK_GOVERNMENT, government)):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps([o for o in _json(rel) if pred(o)], ensure_ascii=False), encoding="utf-8")
    for rel, pred in ((src.CAB_HOLDINGS, holdings), (src.CAB_MINISTRIES, ministries)):
        header, rows = _csv(rel)
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, header)
            w.writeheader()
            w.writerows(r for r in rows if pred(r))
    return root


def before(step: Step, data_dir: Path) -> ReferenceState:
    """The state the steps before ``step`` leave."""
    return run_steps(data_dir, STEPS[:STEPS.index(step)])


def pids(*ids: str) -> Pred:
    return lambda o: str(o["Persoon_id"]) in ids


def fixture(model: str, pred: Pred = lambda f: True) -> Pred:
    """An OpenKamer fixture object of ``model`` whose fields ``pred`` keeps."""
    return lambda o: o["model"] == model and pred(o["fields"])


def pks(model: str, *keys: int) -> Pred:
    return lambda o: o["model"] == model and o["pk"] in keys


def any_of(*preds: Pred) -> Pred:
    return lambda o: any(p(o) for p in preds)


def on_eve_2017(o: dict[str, Any]) -> bool:
    """A member-list row ending on the 2017 election eve or starting the day after it."""
    return (o["Eindjaar"], o["Eindmaand"], o["Einddag"]) == (2017, 3, 22) or \
        (o["Beginjaar"], o["Beginmaand"], o["Begindag"]) == (2017, 3, 23)


# --------------------------------------------------------------------------- persons


def test_read_member_list_makes_one_draft_per_persoon_id(tmp_path: Path) -> None:
    d = write_slice(tmp_path, members=pids(LEIJTEN, LEON_DE_JONG_2010, LEON_DE_JONG_2017, HEUVEL))
    state = ReferenceState(d)
    read_member_list(state)
    assert set(state.by_pid) == {LEIJTEN, LEON_DE_JONG_2010, LEON_DE_JONG_2017, HEUVEL}
    assert len(state.periods) == sum(len(rows) for rows in state.by_pid.values())
    assert [p.ledenlijst_id for p in state.people] == list(state.by_pid)
    leijten = state.pid_person[LEIJTEN]
    assert (leijten.family_name, leijten.first_names, leijten.birth_year) == ("Leijten", "Renkse Maria", 1979)
    starts = [r.start for r in state.by_pid[LEIJTEN]]
    assert starts == sorted(starts) and leijten.sources == [state.by_pid[LEIJTEN][0].source]
    assert state.list_index["leijten"] == {LEIJTEN}
    assert state.list_index["jong"] == {LEON_DE_JONG_2010, LEON_DE_JONG_2017}
    assert state.pid_person[HEUVEL].family_name == "Heuvel"
    assert state.report == [f"member list: Persoon_id {HEUVEL} has several surnames ['Heukels', 'Heuvel']; "
                            f"using 'Heuvel'"]


def test_merge_openkamer_persons_merges_list_persons_and_drops_shared_guids(tmp_path: Path) -> None:
    d = write_slice(tmp_path, members=pids(LEIJTEN, LEON_DE_JONG_2010, LEON_DE_JONG_2017),
                    ok_persons=pks("person.person", OK_RUTTE, OK_LEIJTEN, OK_LEON_DE_JONG, OK_ALIDA_DE_JONG,
                                   OK_ALBERTUS_DE_JONG))
    state = before(merge_openkamer_persons, d)
    assert len(state.people) == 3 and not state.ok_person
    merge_openkamer_persons(state)
    leijten = state.pid_person[LEIJTEN]
    assert state.ok_person[OK_LEIJTEN] is leijten
    assert (leijten.given_name, leijten.tk_guid, leijten.wikidata, leijten.birth_date) == (
        "Renske", LEIJTEN_GUID, "Q2501822", dt.date(1979, 3, 17))
    assert leijten.family_name == "Leijten"  # the list's surname stays
    # the two member-list ids of Léon de Jong are one person, merged under the first
    assert state.pid_person[LEON_DE_JONG_2017] is state.pid_person[LEON_DE_JONG_2010] is state.ok_person[OK_LEON_DE_JONG]
    [merged] = [line for line in state.report if "are one person" in line]
    assert "(Léon de Jong, same first names and birth year); merged under 201006031" in merged
    # Rutte and the two older de Jongs are not in this list slice: new drafts
    assert len(state.people) == 3 - 1 + 3
    assert state.ok_person[OK_RUTTE].tk_guid == RUTTE_GUID and state.ok_person[OK_RUTTE].ledenlijst_id is None
    assert state.ok_person[OK_ALIDA_DE_JONG].tk_guid is None and state.ok_person[OK_ALBERTUS_DE_JONG].tk_guid is None
    assert any(line.startswith(f"openkamer: TK GUID {SHARED_GUID} given to 2 persons") for line in state.report)


def _cabinet_slice(root: Path) -> Path:
    return write_slice(root, members=pids(LEIJTEN, VIJLBRIEF, HEUVEL),
                       ok_persons=pks("person.person", OK_RUTTE, OK_LEIJTEN),
                       holdings=lambda r: r["person_wikidata"] in (RUTTE_WD, VIJLBRIEF_WD, SCHOOF_WD))


def test_merge_cabinet_persons_by_wikidata_then_by_name_and_initials(tmp_path: Path) -> None:
    state = before(merge_cabinet_persons, _cabinet_slice(tmp_path))
    n_people = len(state.people)
    merge_cabinet_persons(state)
    assert {r.person_wikidata for r in state.holding_rows} == {RUTTE_WD, VIJLBRIEF_WD, SCHOOF_WD}
    assert set(state.csv_person) == {RUTTE_WD, VIJLBRIEF_WD, SCHOOF_WD}
    rutte = state.csv_person[RUTTE_WD]
    assert rutte is state.ok_person[OK_RUTTE]  # by Wikidata id
    assert sum(s.file == src.CAB_HOLDINGS for s in rutte.sources) == sum(
        r.person_wikidata == RUTTE_WD for r in state.holding_rows)
    vijlbrief = state.csv_person[VIJLBRIEF_WD]
    assert vijlbrief is state.pid_person[VIJLBRIEF]  # by surname and initials (not in OpenKamer)
    assert (vijlbrief.wikidata, vijlbrief.initials, vijlbrief.given_name) == (VIJLBRIEF_WD, "J.A.", "Hans")
    schoof = state.csv_person[SCHOOF_WD]  # in neither list: a new person
    assert (schoof.family_name, schoof.initials, schoof.wikidata, schoof.ledenlijst_id) == (
        "Schoof", "H.W.M.", SCHOOF_WD, None)
    assert len(state.people) == n_people + 1


def test_key_persons_keys_by_guid_list_id_wikidata(tmp_path: Path) -> None:
    state = before(key_persons, _cabinet_slice(tmp_path))
    key_persons(state)
    key = {id(p): state.person_key[id(p)] for p in state.people}
    assert key[id(state.ok_person[OK_RUTTE])] == RUTTE_GUID
    assert key[id(state.pid_person[LEIJTEN])] == LEIJTEN_GUID
    assert key[id(state.pid_person[VIJLBRIEF])] == f"lid-{VIJLBRIEF}"
    assert key[id(state.pid_person[HEUVEL])] == f"lid-{HEUVEL}"
    assert key[id(state.csv_person[SCHOOF_WD])] == f"wd-{SCHOOF_WD}"
    assert list(state.persons) == list(key.values())
    assert state.persons[RUTTE_GUID].name == "Mark Rutte"
    assert state.persons[f"lid-{HEUVEL}"].initials is not None
    # Heuvel alone has neither roepnaam nor an OpenKamer or CSV record
    assert state.report[-1].startswith("1 persons known only from the member list")


# --------------------------------------------------------------------------- fracties and periods


def test_name_fracties_names_each_list_label(tmp_path: Path) -> None:
    d = write_slice(tmp_path, members=pids(KUZU), parliament=fixture("parliament.politicalparty"))
    state = before(name_fracties, d)
    name_fracties(state)
    assert state.ok_parties and all(p.source.file == src.OK_PARLIAMENT for p in state.ok_parties)
    groep = slug("Groep Kuzu/Öztürk")
    assert set(state.fracties) == {"pvda", "denk", groep}
    pvda = state.fracties["pvda"]
    assert (pvda.name, pvda.short_name) == ("Partij van de Arbeid", "PvdA")
    denk = [p for p in state.ok_parties if p.name == "DENK"]
    assert denk and state.fracties["denk"].wikidata == denk[0].wikidata
    assert state.fracties[groep].name == "Groep Kuzu/Öztürk" and state.fracties[groep].short_name is None


def test_list_memberships_one_period_per_row(tmp_path: Path) -> None:
    state = before(list_memberships, write_slice(tmp_path, members=pids(KUZU)))
    list_memberships(state)
    rows = state.by_pid[KUZU]
    assert [(f.start, f.end, f.fractie_key) for f in state.fms] == [(r.start, r.end, slug(r.fractie)) for r in rows]
    assert state.fms[0].key == f"lid-{KUZU}-20120920-pvda"
    assert state.fm_keys == {f.key for f in state.fms}
    assert all(f.derivation is None and f.function is None for f in state.fms)


def test_find_election_eves_needs_enough_rows_on_both_sides(tmp_path: Path) -> None:
    state = before(find_election_eves, write_slice(tmp_path / "all", members=on_eve_2017))
    find_election_eves(state)
    assert state.eves == (EVE_2017,)
    ending = [o for o in _json(src.MEMBER_PERIODS) if on_eve_2017(o) and o["Eindjaar"] == 2017]
    assert len(ending) >= 50
    dropped = {id(o) for o in ending[49:]}  # 49 rows ending on the eve: no longer an eve
    state = before(find_election_eves, write_slice(tmp_path / "few", members=lambda o: on_eve_2017(o)
                                                   and id(o) not in dropped))
    find_election_eves(state)
    assert state.eves == ()


def _leijten_slice(root: Path) -> Path:
    """Leijten's and Öztürk's rows, the rows around the 2017 eve, their OpenKamer persons, parties and
    memberships."""
    ok = (OK_LEIJTEN, OK_OZTURK)
    return write_slice(
        root, members=any_of(pids(LEIJTEN, OZTURK), on_eve_2017),
        ok_persons=pks("person.person", *ok),
        parliament=any_of(fixture("parliament.politicalparty"),
                          fixture("parliament.parliamentmember", lambda f: f["person"] in ok),
                          fixture("parliament.partymember", lambda f: f["person"] in ok)))


def test_fill_gaps_from_openkamer_fills_the_gap_after_the_eve(tmp_path: Path) -> None:
    state = before(fill_gaps_from_openkamer, _leijten_slice(tmp_path))
    assert state.eves == (EVE_2017,)
    listed = list(state.fms)
    fill_gaps_from_openkamer(state)
    assert state.fms[:len(listed)] == listed
    added = state.fms[len(listed):]
    assert added and all(f.derivation.startswith(OK_FILL_PREFIX) for f in added)
    assert {f.person_key for f in added} == {LEIJTEN_GUID, OZTURK_GUID}
    [after_eve] = [f for f in added if f.person_key == LEIJTEN_GUID and f.start == EVE_2017 + dt.timedelta(days=1)]
    assert (after_eve.key, after_eve.fractie_key, after_eve.end) == (
        f"{LEIJTEN_GUID}-20170323-sp", "sp", src.OK_FIXTURE_DATE)
    assert OPEN_END in after_eve.derivation and after_eve.key in state.fm_keys
    assert any(line.endswith("member-list gap of Renske Leijten filled 2017-03-23..2019-12-08 as sp (continues "
                             f"{src.MEMBER_PERIODS}:{state.by_pid[LEIJTEN][-1].source.line}) (open in openkamer: "
                             "end is the fixture date, real end unknown)") for line in state.report)
    assert state.report[-1] == f"openkamer: {len(added)} gaps of the member list filled"
    # across the eve a fractie the list no longer has goes on under the name its members sit in
    [ozturk] = [f for f in added if f.person_key == OZTURK_GUID and f.start == EVE_2017 + dt.timedelta(days=1)]
    assert (ozturk.key, ozturk.fractie_key) == (f"{OZTURK_GUID}-20170323-denk", "denk")
    assert "fractie groep-kuzu-ozturk komt na 2017-03-22 niet meer voor in de ledenlijst" in ozturk.derivation
    assert ozturk.derivation.endswith(f"voortgezet als denk; einde 2019-12-08 is de datum van de OpenKamer-gegevens, "
                                      f"{OPEN_END}")


def test_join_kamer_memberships_runs_over_listed_and_filled_periods(tmp_path: Path) -> None:
    state = before(join_kamer_memberships, _leijten_slice(tmp_path))
    join_kamer_memberships(state)
    mine = [k for k in state.kms if k.person_key == LEIJTEN_GUID]
    assert [k.key for k in mine] == sorted(k.key for k in mine)
    [last] = [k for k in mine if k.start <= EVE_2017 <= (k.end or dt.date.max)]
    assert last.end == src.OK_FIXTURE_DATE
    assert "samengesteld uit" in last.derivation and OPEN_END in last.derivation
    for f in state.fms:  # every period lies within one Kamer membership of its person
        assert any(k.person_key == f.person_key and k.start <= f.start and (k.end is None or (
            f.end is not None and f.end <= k.end)) for k in state.kms), f
    assert {k.person_key for k in state.kms} == {f.person_key for f in state.fms}


# --------------------------------------------------------------------------- government


def test_read_ministries_one_per_code_with_successors(tmp_path: Path) -> None:
    d = write_slice(tmp_path, ministries=lambda r: r["tooi_id"].rsplit("/", 1)[-1] in ("mnre0170", "mnre0180",
                                                                                         "mnre1130"))
    state = before(read_ministries, d)
    read_ministries(state)
    assert list(state.ministries) == ["mnre0170", "mnre0180", "mnre1130"]
    vw = state.ministries["mnre0170"]
    assert (vw.name, vw.valid_to, vw.replaced_by) == ("Ministerie van Verkeer en Waterstaat", dt.date(2010, 10, 13),
                                                     ("mnre1130",))
    assert state.ministries["mnre0180"].replaced_by == ("mnre1130",)
    ienw = state.ministries["mnre1130"]
    assert (ienw.name, ienw.valid_to, ienw.replaced_by) == ("Ministerie van Infrastructuur en Waterstaat", None, ())


def test_read_cabinets_from_openkamer_and_the_csv(tmp_path: Path) -> None:
    d = write_slice(tmp_path, government=fixture("government.government"),
                    holdings=lambda r: r["cabinet"] in ("Rutte III", "Rutte IV"))
    state = before(read_cabinets, d)
    read_cabinets(state)
    assert len(state.ok_govs) == 5 and set(state.csv_cabs) == {"Rutte III", "Rutte IV"}
    r3, r4 = state.cabinets["rutte-iii"], state.cabinets["rutte-iv"]
    assert (r3.name, r3.wikidata) == ("Kabinet-Rutte III", "Q42293409")  # OpenKamer's
    assert r3.start == min(r.start for r in state.csv_cabs["Rutte III"]) == dt.date(2017, 10, 26)
    assert r3.end == r4.start == min(r.start for r in state.csv_cabs["Rutte IV"])
    assert (r4.name, r4.wikidata) == ("Kabinet-Rutte IV", None)
    assert "rutte-i" in state.cabinets and state.cabinets["rutte-i"].start == dt.date(2010, 10, 14)


def _rutte_slice(root: Path) -> Path:
    return write_slice(root, ok_persons=pks("person.person", OK_RUTTE),
                       government=any_of(fixture("government.government"), fixture("government.ministry"),
                                         fixture("government.governmentposition"),
                                         fixture("government.governmentmember", lambda f: f["person"] == OK_RUTTE)),
                       holdings=lambda r: r["person_wikidata"] == RUTTE_WD, ministries=lambda r: True)


def test_csv_holdings_split_minister_president_and_algemene_zaken(tmp_path: Path) -> None:
    state = before(csv_holdings, _rutte_slice(tmp_path))
    csv_holdings(state)
    assert set(state.posts) == {"minister-president", "minister-van-algemene-zaken"}
    assert state.posts["minister-president"].ministry_key == "mnre1010"
    assert [(h.key, h.cabinet_key) for h in state.holdings] == [
        (f"{RUTTE_GUID}-minister-president-20171026", "rutte-iii"),
        (f"{RUTTE_GUID}-minister-van-algemene-zaken-20171026", "rutte-iii"),
        (f"{RUTTE_GUID}-minister-president-20220110", "rutte-iv"),
        (f"{RUTTE_GUID}-minister-van-algemene-zaken-20220110", "rutte-iv"),
    ]
    assert state.hold_keys == {h.key for h in state.holdings}


def test_openkamer_holdings_before_rutte_iii(tmp_path: Path) -> None:
    state = before(openkamer_holdings, _rutte_slice(tmp_path))
    n_csv = len(state.holdings)
    openkamer_holdings(state)
    added = state.holdings[n_csv:]
    assert [(h.key, h.cabinet_key, h.source.file) for h in added] == [  # newest cabinet first
        (f"{RUTTE_GUID}-minister-president-20121105", "rutte-ii", src.OK_GOVERNMENT),
        (f"{RUTTE_GUID}-minister-van-algemene-zaken-20121105", "rutte-ii", src.OK_GOVERNMENT),
        (f"{RUTTE_GUID}-minister-president-20101014", "rutte-i", src.OK_GOVERNMENT),
        (f"{RUTTE_GUID}-minister-van-algemene-zaken-20101014", "rutte-i", src.OK_GOVERNMENT),
    ]
    # the OpenKamer ministry "algemene zaken" maps onto its TOOI code, and the CSV's posts keep their keys
    assert {state.posts[h.post_key].ministry_key for h in added} == {"mnre1010"}
    assert set(state.posts) == {"minister-president", "minister-van-algemene-zaken"}
    members = [o for o in _json(src.OK_GOVERNMENT)
               if o["model"] == "government.governmentmember" and o["fields"]["person"] == OK_RUTTE]
    assert state.report[-1] == (f"openkamer: {len(members) - len(added)} holdings of cabinets covered by the CSV "
                                f"(Rutte III) not used")


def test_report_post_gaps_reports_a_post_without_holder(tmp_path: Path) -> None:
    d = write_slice(tmp_path, holdings=lambda r: r["post_title_nl"] == "minister voor Medische Zorg",
                    ministries=lambda r: True, government=fixture("government.government"))
    state = before(report_post_gaps, d)
    n_report = len(state.report)
    report_post_gaps(state)
    assert state.report[n_report:] == [
        "gap: post minister-voor-medische-zorg (rutte-iii) has no holder from 2020-03-19 to 2020-03-23"]


# --------------------------------------------------------------------------- the sequence


def test_load_reference_is_the_steps_in_order(tmp_path: Path) -> None:
    d = _leijten_slice(tmp_path)
    assert load_reference(d) == run_steps(d).result()
    partial = run_steps(d, STEPS[:STEPS.index(list_memberships)])
    assert partial.persons and not partial.fms
    with pytest.raises(ValueError):
        STEPS.index(lambda state: None)
