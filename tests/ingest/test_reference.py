"""load_reference on the real bundled data."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from ingest.errors import ParseError
from ingest.names import parse_official_name, surname_keys
from ingest.records import ReferenceData
from ingest.reference import load_reference
from ingest.sources import reference as src
from tests.ingest.membership_checks import assert_kamer_memberships_cover_fractie_periods

VAN_OJIK = "cefbf19c-653b-4af7-84a6-e17fba0e4a70"


@pytest.fixture(scope="module")
def ref(data_dir: Path) -> ReferenceData:
    return load_reference(data_dir)


def test_van_ojik_is_one_person_with_all_identifiers(ref: ReferenceData) -> None:
    p = ref.persons[VAN_OJIK]
    assert (p.name, p.family_name, p.prefix, p.given_name) == ("Bram van Ojik", "Ojik", "van", "Bram")
    assert (p.first_names, p.initials, p.birth_date) == ("Abraham", "A.", dt.date(1954, 9, 22))
    assert (p.wikidata, p.parlement_com_id, p.ledenlijst_id) == ("Q2192317", "vg09llpkvfsa", "199304001")
    assert [x for x in ref.persons.values() if x.ledenlijst_id == "199304001"] == [p]


def test_van_ojik_memberships(ref: ReferenceData) -> None:
    fms = sorted((f for f in ref.fractie_memberships if f.person_key == VAN_OJIK), key=lambda f: f.start)
    assert [f.key for f in fms][-1] == f"{VAN_OJIK}-20170323-groenlinks"
    assert {f.fractie_key for f in fms} == {"groenlinks"}
    kms = [k for k in ref.kamer_memberships if k.person_key == VAN_OJIK]
    assert any(k.start == dt.date(2017, 3, 23) and k.end == dt.date(2021, 3, 30) for k in kms)


def test_every_person_has_a_unique_key_and_sound_keys(ref: ReferenceData) -> None:
    assert all(k == p.key for k, p in ref.persons.items())
    guids = Counter(p.tk_guid for p in ref.persons.values() if p.tk_guid)
    assert not [g for g, n in guids.items() if n > 1]
    lids = Counter(p.ledenlijst_id for p in ref.persons.values() if p.ledenlijst_id)
    assert not [g for g, n in lids.items() if n > 1]
    for p in ref.persons.values():
        if p.tk_guid:
            assert p.key == p.tk_guid
        elif p.ledenlijst_id:
            assert p.key == f"lid-{p.ledenlijst_id}"


def test_no_membership_ends_before_it_starts(ref: ReferenceData) -> None:
    for m in (*ref.fractie_memberships, *ref.kamer_memberships, *ref.holdings):
        assert m.end is None or m.end >= m.start, m


def test_keys_unique_and_references_resolve(ref: ReferenceData) -> None:
    for coll in (ref.fractie_memberships, ref.kamer_memberships, ref.holdings):
        keys = [x.key for x in coll]
        assert len(keys) == len(set(keys))
    for f in ref.fractie_memberships:
        assert f.person_key in ref.persons and f.fractie_key in ref.fracties
    for h in ref.holdings:
        assert h.person_key in ref.persons and h.post_key in ref.posts
        assert h.cabinet_key in ref.cabinets
    for p in ref.posts.values():
        assert p.ministry_key is None or p.ministry_key in ref.ministries
    for m in ref.ministries.values():
        assert all(r in ref.ministries for r in m.replaced_by)


def test_kamer_memberships_cover_fractie_memberships_and_do_not_touch(ref: ReferenceData) -> None:
    assert_kamer_memberships_cover_fractie_periods(ref)


def test_fracties_with_names_and_abbreviations(ref: ReferenceData) -> None:
    gl = ref.fracties["groenlinks"]
    assert (gl.name, gl.short_name, gl.wikidata) == ("GroenLinks", "GL", "Q667680")
    assert ref.fracties["gl-pvda"].name == "GroenLinks-PvdA"
    assert ref.fracties["nsc"].name == "Nieuw Sociaal Contract"
    assert ref.fracties["pvdd"].name == "Partij voor de Dieren"
    assert ref.fracties["christenunie"].short_name == "CU"


def test_cabinets(ref: ReferenceData) -> None:
    r3 = ref.cabinets["rutte-iii"]
    assert (r3.start, r3.end, r3.wikidata) == (dt.date(2017, 10, 26), dt.date(2022, 1, 10), "Q42293409")
    assert {"balkenende-iii", "balkenende-iv", "rutte-i", "rutte-ii", "rutte-iv", "schoof"} <= set(ref.cabinets)


def test_ministries_by_tooi_with_renamings(ref: ReferenceData) -> None:
    bz = ref.ministries["mnre1013"]
    assert bz.name == "Ministerie van Buitenlandse Zaken" and bz.tooi.endswith("/mnre1013")
    assert ref.ministries["mnre0170"].replaced_by == ("mnre1130",)  # Verkeer en Waterstaat -> IenM
    assert ref.ministries["mnre1040"].replaced_by == ("mnre1045",)  # EZ (old) -> ELenI
    assert ref.posts["minister-van-justitie"].ministry_key == "mnre1058"


def test_posts_labels_and_kinds(ref: ReferenceData) -> None:
    p = ref.posts["minister-voor-buitenlandse-handel-en-ontwikkelingssamenwerking"]
    assert (p.label, p.kind, p.ministry_key) == (
        "minister voor Buitenlandse Handel en Ontwikkelingssamenwerking", "minister zonder portefeuille", "mnre1013")
    assert ref.posts["minister-van-buitenlandse-zaken"].kind == "minister"
    assert ref.posts["minister-president"].kind == "minister-president"
    assert ref.posts["staatssecretaris-van-financien"].label == "staatssecretaris van Financiën"
    assert not [k for k in ref.posts if "ontwikkelinssamenwerking" in k]


def test_schoof_is_minister_president_and_minister_of_az(ref: ReferenceData) -> None:
    posts = {h.post_key for h in ref.holdings if ref.persons[h.person_key].family_name == "Schoof"}
    assert posts == {"minister-president", "minister-van-algemene-zaken"}


def test_acting_rows_kept(ref: ReferenceData) -> None:
    kaag_bz = [h for h in ref.holdings if h.post_key == "minister-van-buitenlandse-zaken"
               and ref.persons[h.person_key].family_name == "Kaag" and h.start == dt.date(2018, 2, 13)]
    assert len(kaag_bz) == 1 and kaag_bz[0].acting


def test_report_names_the_known_defects(ref: ReferenceData) -> None:
    text = "\n".join(ref.report)
    assert "8141d31f-aada-4f96-9363-8f8e6364dbf1" in text  # GUID shared by Jasper and Jan Jacob van Dijk
    assert "ends (2012-09-19) before it starts" in text


def test_name_helpers() -> None:
    assert surname_keys("Bijsterveldt-Vliegenthart") == {"bijsterveldt vliegenthart": 0, "bijsterveldt": 1, "vliegenthart": 1}
    n = parse_official_name("mr. drs. C.A. (Christophe) van der Maat")
    assert n and (n.initials, n.given, n.prefix, n.surname) == ("C.A.", "Christophe", "van der", "Maat")
    n = parse_official_name("V.P.G. (Vincent) Karremans LL.M., MSc")
    assert n and n.surname == "Karremans"


def test_malformed_row_raises_parse_error_with_place(tmp_path: Path) -> None:
    (tmp_path / "reference").mkdir()
    (tmp_path / src.MEMBER_PERIODS).write_text(
        '[{"Persoon_id": 1, "Naam (Uit personen))": "X", "Fractie": "VVD", "Beginjaar": 2000, '
        '"Beginmaand": 1, "Begindag": 1, "Eindjaar": ""},'
        ' {"Persoon_id": 2, "Naam (Uit personen))": "Y", "Fractie": "VVD", "Beginjaar": 2000,'
        ' "Beginmaand": 13, "Begindag": 1}]', encoding="utf-8")
    with pytest.raises(ParseError) as exc:
        list(src.read_member_periods(tmp_path))
    assert exc.value.file == src.MEMBER_PERIODS and exc.value.line == 2


def test_openkamer_fills_are_marked_and_sound(ref: ReferenceData) -> None:
    fills = [f for f in ref.fractie_memberships if f.derivation]
    assert fills and all(f.derivation.startswith("aangevuld uit OpenKamer") for f in fills)  # type: ignore[union-attr]
    leijten = [f for f in fills if ref.persons[f.person_key].name == "Renske Leijten"]
    assert [(f.start, f.end) for f in leijten] == [(dt.date(2017, 3, 23), dt.date(2019, 12, 8))]
    assert "werkelijk einde onbekend" in (leijten[0].derivation or "")
    text = "\n".join(ref.report)
    assert "year-precise" in text  # Geertsema 1959-01-01..1987-01-01 is not used
    assert not [f for f in fills if ref.persons[f.person_key].name == "Tunahan Kuzu"]


def test_one_person_under_two_list_ids_and_roepnaam_as_first_names(ref: ReferenceData) -> None:
    leon = [p for p in ref.persons.values() if p.family_name == "Jong" and p.birth_year == 1982]
    assert len(leon) == 1 and leon[0].tk_guid
    dennis = [p for p in ref.persons.values() if p.family_name == "Wiersma" and p.birth_year == 1986]
    assert len(dennis) == 1 and dennis[0].ledenlijst_id == "201703001" and dennis[0].initials == "A.D."
