"""The corrections register on small slices of the real reference lists, and the bundled register.

A slice (see ``test_reference_steps``) renumbers the records it keeps, so each test writes its own
register naming the slice's records; the last tests check ``data/reference/corrections.csv``
itself against the bundled data.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from ingest.map import map_reference
from ingest.reference import load_reference, run_steps
from ingest.reference_corrections import (
    COLUMNS,
    CORRECTIONS,
    CorrectedFractieMembership,
    CorrectedHolding,
    correct_memberships,
)
from ingest.sources import reference as src
from ontology.namespaces import Iris, T
from tests.ingest.test_reference_steps import DATA, any_of, before, fixture, pids, pks, write_slice

KROL = "201209016"
KROL_GUID = "299782b9-b45f-4cd6-b1db-abee2be08d81"
OK_HENNIS, OK_DIJKHOFF = 31, 41
DIJKHOFF_GUID = "b4e1d8cf-e8cf-4b66-9ded-97fc8176fa4a"
URL = "https://www.trouw.nl/politiek/kunnen-50plus-en-henk-krol-wel-zonder-elkaar~bf5f064d/"
IRIS = Iris("https://kamergraph.nl/")


def register(root: Path, *rows: dict[str, str]) -> Path:
    """Write ``rows`` as the register of the data folder ``root``."""
    with (root / CORRECTIONS).open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, COLUMNS)
        w.writeheader()
        w.writerows({c: r.get(c, "") for c in COLUMNS} for r in rows)
    return root


def record_of(root: Path, rel: str, pred) -> str:
    """The record id (``file:number``) of the one object of ``rel`` in the slice that ``pred`` keeps."""
    objs = json.loads((root / rel).read_text(encoding="utf-8"))
    (i,) = [i for i, o in enumerate(objs, start=1) if pred(o)]
    return f"{rel}:{i}"


def _denk(o: dict) -> bool:
    return o["Fractie"] == "DENK"


def test_a_fractie_correction_changes_the_membership_and_refuses_rows_without_source(tmp_path: Path) -> None:
    d = write_slice(tmp_path, members=pids(KROL))
    denk = record_of(d, src.MEMBER_PERIODS, _denk)
    register(d,
             {"id": "c1", "record": denk, "field": "fractie", "value": "50plus", "source": URL},
             {"id": "c2", "record": denk, "field": "end", "value": "2020-05-03", "source": URL},
             {"id": "c3", "record": denk, "field": "start", "value": "2017-03-24", "source": ""},
             {"id": "c4", "record": f"{src.MEMBER_PERIODS}:999", "field": "end", "value": "2020-01-01", "source": URL},
             {"id": "c5", "record": denk, "field": "fractie", "value": "no-such-fractie", "source": URL},
             {"id": "c6", "record": denk, "field": "colour", "value": "red", "source": URL})
    state = run_steps(d)
    (fm,) = [f for f in state.fms if str(f.source) == denk]
    assert isinstance(fm, CorrectedFractieMembership)
    assert (fm.key, fm.fractie_key, fm.start, fm.end) == (
        f"{fm.person_key}-20170323-50plus", "50plus", dt.date(2017, 3, 23), dt.date(2020, 5, 3))
    assert [(c.id, str(c.row), c.source) for c in fm.corrections] == [
        ("c1", f"{CORRECTIONS}:2", URL), ("c2", f"{CORRECTIONS}:3", URL)]
    assert fm.corrections[0].text == f"c1 ({CORRECTIONS}:2): fractie denk -> 50plus; bron: {URL}"
    assert f"{fm.person_key}-20170323-denk" not in state.fm_keys and fm.key in state.fm_keys
    refused = [line for line in state.report if "correction refused" in line]
    assert refused == [
        f"{CORRECTIONS}:4: correction refused: c3 has no source (a URL or document id that proves it)",
        f"{CORRECTIONS}:6: correction refused: c5: unknown fractie key 'no-such-fractie'",
        f"{CORRECTIONS}:7: correction refused: c6: field 'colour' is not one of ['end', 'fractie', 'start'] of a membership",
        f"{CORRECTIONS}:5: correction refused: c4: record '{src.MEMBER_PERIODS}:999' is no fractie membership or holding of the data",
    ]
    assert f"corrections: 2 of 5 applied ({CORRECTIONS})" in state.report
    # the Kamer membership is joined over the corrected period: it still runs to 2021-03-30
    assert [(k.start, k.end) for k in state.kms if k.start.year == 2014] == [(dt.date(2014, 9, 10), dt.date(2021, 3, 30))]


def test_without_a_register_the_step_changes_nothing(tmp_path: Path) -> None:
    d = write_slice(tmp_path, members=pids(KROL))
    state = before(correct_memberships, d)
    fms = list(state.fms)
    correct_memberships(state)
    assert state.fms == fms and not state.corrections
    assert not any(isinstance(f, CorrectedFractieMembership) for f in fms)


def _defensie_slice(root: Path) -> Path:
    member = fixture("government.governmentmember", lambda f: f["person"] in (OK_HENNIS, OK_DIJKHOFF))
    return write_slice(root, ok_persons=pks("person.person", OK_HENNIS, OK_DIJKHOFF),
                       government=any_of(fixture("government.government"), fixture("government.ministry"),
                                         fixture("government.governmentposition"), member))


def test_a_holding_correction_ends_a_term_and_adds_the_successor_with_provenance(tmp_path: Path) -> None:
    d = _defensie_slice(tmp_path)
    hennis = record_of(d, src.OK_GOVERNMENT, lambda o: o["model"] == "government.governmentmember"
                       and o["fields"]["person"] == OK_HENNIS and o["fields"]["start_date"] == "2012-11-05")
    register(d,
             {"id": "c3", "record": hennis, "field": "end", "value": "2017-10-04", "source": URL},
             {"id": "c4", "record": hennis, "field": "successor",
              "value": f"{DIJKHOFF_GUID}|2017-10-04|2017-10-26|no", "source": URL},
             {"id": "c5", "record": hennis, "field": "successor", "value": "nobody|2017-10-04||no", "source": URL})
    ref = load_reference(d)
    corrected = {h.key: h for h in ref.holdings if isinstance(h, CorrectedHolding)}
    assert sorted((h.person_key, h.post_key, h.start, h.end, h.acting) for h in corrected.values()) == [
        (next(h.person_key for h in corrected.values() if h.person_key != DIJKHOFF_GUID), "minister-van-defensie",
         dt.date(2012, 11, 5), dt.date(2017, 10, 4), False),
        (DIJKHOFF_GUID, "minister-van-defensie", dt.date(2017, 10, 4), dt.date(2017, 10, 26), False),
    ]
    assert any("c5: successor 'nobody|2017-10-04||no' is not" in line for line in ref.report)
    assert "check post-two-holders: 0 findings" in ref.report
    # provenance: the corrected term is derived from the correction (file and row) and its source
    ds = Dataset(default_union=True)
    for g in map_reference(ref, IRIS):
        ds.parse(data=g.nquads, format="nquads")
    new = URIRef(IRIS.ambtsperiode(f"{DIJKHOFF_GUID}-minister-van-defensie-20171004"))
    c4 = URIRef(IRIS.source_record("correctie", "c4"))
    assert set(ds.objects(new, PROV.wasDerivedFrom)) == {c4, URIRef(URL)}
    assert (c4, RDF.type, PROV.Entity) in ds
    assert (c4, URIRef(T.bronregel), Literal(3)) in ds
    assert (c4, URIRef(T.bronbestand), Literal(CORRECTIONS)) in ds
    assert str(ds.value(c4, RDFS.label)).startswith(f"c4 ({CORRECTIONS}:3): successor")
    # an uncorrected term carries no such provenance
    others = [h for h in ref.holdings if not isinstance(h, CorrectedHolding)]
    assert others and not [h.key for h in others if list(ds.objects(URIRef(IRIS.ambtsperiode(h.key)), PROV.wasDerivedFrom))]


# --------------------------------------------------------------------------- the bundled register


@pytest.fixture(scope="module")
def bundled():
    return load_reference(DATA)


def test_every_bundled_correction_has_a_url_and_applies(bundled) -> None:
    with (DATA / CORRECTIONS).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["source"].startswith(("http://", "https://")) for r in rows)
    assert f"corrections: {len(rows)} of {len(rows)} applied ({CORRECTIONS})" in bundled.report
    assert not [line for line in bundled.report if "correction refused" in line]


def test_henk_krol_is_50plus_not_denk_from_2017(bundled) -> None:
    krol = sorted((f.start, f.end, f.fractie_key) for f in bundled.fractie_memberships
                  if f.person_key == KROL_GUID and f.start.year >= 2017)
    assert krol == [(dt.date(2017, 3, 23), dt.date(2020, 5, 3), "50plus"),
                    (dt.date(2020, 5, 3), dt.date(2020, 5, 5), "krol"),
                    (dt.date(2020, 5, 6), dt.date(2020, 8, 5), "groep-krol-vka"),
                    (dt.date(2020, 8, 6), dt.date(2021, 3, 30), "krol")]
