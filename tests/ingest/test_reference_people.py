"""Persons as the sources name them, askers in no list, and the member list's cut-off, on the real records.

Each test reads the bundled reference lists and a slice of the bundled OData Zaken (the lines naming the
members concerned), so that it runs in well under a second after the module's fixtures.
"""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from ingest.askers_unlisted import printed_fracties, split_odata_name
from ingest.infer import complete_reference
from ingest.names import PREFIX_WORDS, display_name, norm_name
from ingest.periods import OPEN_END, OPEN_START, election_eves, installed_eves, is_listed, list_cutoff
from ingest.records import ReferenceData, SourceRef, ZaakRecord
from ingest.reference import load_reference
from ingest.resolve import Resolver
from ingest.sources.odata import read_jsonl
from ingest.texts.record import parse_text

ODATA = "tk-odata/zaken-schriftelijke-vragen.jsonl.gz"
# the names of the members concerned, as the OData lines print them
SLICE = ("Liane den Haan", "Pepijn van Houwelingen", "Kati Piri", "Sarah Dobbe", "Marijke Synhaeve",
         "Queeny Rajkowski", "Tjeerd de Groot", "Diederik Boomsma", "Jacqueline van den Hil")
DEN_HAAN, VAN_HOUWELINGEN, PIRI, RAJKOWSKI = "lid-202103056", "lid-202103062", "lid-202103047", "lid-202103002"
DE_GROOT = "762e0f40-f100-4896-85a2-b1d8818fae41"


@pytest.fixture(scope="module")
def ref(data_dir: Path) -> ReferenceData:
    return load_reference(data_dir)


@pytest.fixture(scope="module")
def zaken(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[ZaakRecord]:
    """The bundled Zaken that name one of ``SLICE`` (the real lines, copied to a small file)."""
    out = tmp_path_factory.mktemp("slice") / "zaken.jsonl"
    with gzip.open(data_dir / ODATA, "rt", encoding="utf-8") as f:
        out.write_text("".join(line for line in f if any(n in line for n in SLICE)), encoding="utf-8")
    return [z for z in read_jsonl(out, f"data/{ODATA}") if isinstance(z, ZaakRecord)]


@pytest.fixture(scope="module")
def printed(data_dir: Path) -> list:
    """The fracties printed in the title of the bundled texts of Dobbe (SP) and Boomsma (NSC)."""
    docs = [parse_text((data_dir / "texts" / n).read_text(encoding="utf-8"), SourceRef(f"texts/{n}"))
            for n in ("kv-tk-2024Z18562.txt", "ah-tk-20242025-593.txt")]
    return printed_fracties(docs)


@pytest.fixture(scope="module")
def completed(ref: ReferenceData, zaken: list[ZaakRecord], printed: list) -> ReferenceData:
    return complete_reference(ref, zaken, printed)


# ------------------------------------------------------------------------------------------- names


def test_display_name_is_the_roepnaam_with_the_tussenvoegsel(ref: ReferenceData, completed: ReferenceData) -> None:
    # only the member list knows them: first official name, surname without tussenvoegsel
    assert ref.persons[DEN_HAAN].name == "Natalia Haan" and ref.persons[VAN_HOUWELINGEN].name == "Pepijn Houwelingen"
    haan, piri = completed.persons[DEN_HAAN], completed.persons[PIRI]
    assert (haan.name, haan.given_name, haan.prefix, haan.family_name) == ("Liane den Haan", "Liane", "den", "Haan")
    assert completed.persons[VAN_HOUWELINGEN].name == "Pepijn van Houwelingen"
    assert piri.name == "Kati Piri" and piri.prefix == ""
    # the formal names stay their own properties
    assert (haan.first_names, haan.initials) == ("Natalia Liane", "N.L.")
    assert (piri.first_names, piri.initials) == ("Katalin Piroska", "K.P.")
    assert any(line.startswith("naam: lid-202103056 'Natalia Haan' -> 'Liane den Haan'") for line in completed.report)


def test_no_display_name_repeats_its_tussenvoegsel_or_takes_another_surnames(ref: ReferenceData) -> None:
    """Over every person: the display name ends with the surname and holds its tussenvoegsel once (OpenKamer
    splits "Ans Willemse-van | der | Ploeg" and "Wytske | de | Pater-Postma" otherwise than the list)."""
    wrong = []
    for p in ref.persons.values():
        name, fam = norm_name(p.name), norm_name(p.family_name)
        # the surname closes the name, and no word of it sits in the roepnaam ("Ans Willemse-van")
        in_given = set(norm_name(p.given_name or "").split()) & (set(fam.split()) - PREFIX_WORDS)
        if not name.endswith(fam) or in_given:
            wrong.append(p.name)
    assert wrong == []
    assert ref.persons["8264b764-8925-45f3-92eb-27c8873879d7"].name == "Ans Willemse-van der Ploeg"
    assert ref.persons["face7642-1fd8-4ec1-a909-c2579b0bd8d2"].name == "Wytske Postma"
    # OpenKamer's "de | la Court" against the list's "Court": the tussenvoegsel is "de la"
    assert [p.prefix for p in ref.persons.values() if p.family_name == "Court" and p.given_name] == ["de la"]
    assert display_name(None, "Natalia Liane", "", "Haan") == "Natalia Haan"


# ---------------------------------------------------------------------------------- askers in no list


def test_an_asker_in_no_list_is_a_member_with_an_inferred_membership(completed: ReferenceData) -> None:
    dobbe = completed.persons["sarah-dobbe"]
    assert (dobbe.given_name, dobbe.family_name, dobbe.initials) == ("Sarah", "Dobbe", "S.E.M.")
    [km] = [k for k in completed.kamer_memberships if k.person_key == "sarah-dobbe"]
    assert (km.start, km.end) == (dt.date(2023, 12, 18), dt.date(2024, 9, 30))
    assert OPEN_START in km.derivation and OPEN_END in km.derivation and "66 schriftelijke vragen" in km.derivation
    # the fractie only because a published text prints it: "Vragen van het lid Dobbe (SP)"
    [fm] = [f for f in completed.fractie_memberships if f.person_key == "sarah-dobbe"]
    assert fm.fractie_key == "sp" and "texts/kv-tk-2024Z18562.txt" in fm.derivation
    link = Resolver(completed).resolve_asker("Sarah Dobbe (S.E.M.)", "indiener", 1, dt.date(2024, 5, 1))
    assert (link.person_key, link.kamer_membership_key, link.fractie_key) == ("sarah-dobbe", km.key, "sp")


def test_without_a_printed_fractie_the_asker_link_says_so(completed: ReferenceData) -> None:
    assert not [f for f in completed.fractie_memberships if f.person_key == "marijke-synhaeve"]
    link = Resolver(completed).resolve_asker("Marijke Synhaeve (M.)", "indiener", 1, dt.date(2024, 3, 20))
    assert link.person_key == "marijke-synhaeve" and link.fractie_key is None
    assert "no fractie membership" in (link.unresolved_reason or "")


def test_odata_names_split_into_roepnaam_tussenvoegsel_and_surname() -> None:
    assert split_odata_name("Sarah Dobbe (S.E.M.)") == ("Sarah", "", "Dobbe", "S.E.M.")
    assert split_odata_name("Jan van der Berg (J.)") == ("Jan", "van der", "Berg", "J.")


# ------------------------------------------------------------------------------------- the cut-off


def test_the_2023_installation_is_complete_in_the_list(ref: ReferenceData) -> None:
    """The list has a row for all 150 seats from 2023-12-06, so a period ending on the eve 2023-12-05 without
    one is a real end: 80 members left and 69 stayed, as reported on the day
    (https://www.metronieuws.nl/in-het-nieuws/binnenland/2023/12/zo-verandert-tweede-kamer-68-nieuwkomers/).
    The 2017 and 2021 installations lack the re-elected members' rows."""
    fms = ref.fractie_memberships
    eves = election_eves(fms)
    inst = installed_eves(fms, eves)
    assert dt.date(2023, 12, 5) in inst and not {dt.date(2017, 3, 22), dt.date(2021, 3, 30)} & inst
    assert list_cutoff(fms) == dt.date(2023, 12, 11)
    listed = [f for f in fms if is_listed(f)]
    ending = [f for f in listed if f.end == dt.date(2023, 12, 5)]
    on_next = {f.person_key for f in listed if f.start == dt.date(2023, 12, 6)}
    assert (len(ending), sum(f.person_key in on_next for f in ending)) == (149, 69)


def test_a_member_back_after_the_cut_off_has_an_unknown_start_and_end(completed: ReferenceData) -> None:
    # De Groot left on 2023-12-05 and came back for Rooderkerk on 2023-12-12 (kiesraad.nl, 11 Dec 2023): not
    # re-elected from 2023-12-06, a return the list (cut off on 2023-12-11) does not have
    [back] = [f for f in completed.fractie_memberships if f.person_key == DE_GROOT and f.start > dt.date(2023, 12, 5)]
    assert (back.fractie_key, back.start) == ("d66", dt.date(2023, 12, 13))
    assert OPEN_START in back.derivation and OPEN_END in back.derivation
    [km] = [k for k in completed.kamer_memberships if k.person_key == DE_GROOT and k.start == back.start]
    assert OPEN_START in km.derivation and OPEN_END in km.derivation  # the Kamer membership says so too
    # Rajkowski, on leave from 2023-12-08 (her last row ends 2023-12-07), asks again in 2024
    r = Resolver(completed)
    link = r.resolve_asker("Queeny Rajkowski (Q.M.)", "indiener", 1, dt.date(2024, 6, 10))
    assert (link.person_key, link.fractie_key) == (RAJKOWSKI, "vvd")
    assert any("eve 2023-12-05: 149 listed periods end on it; 69 members go on" in line for line in completed.report)


def test_questions_far_apart_are_separate_periods(completed: ReferenceData) -> None:
    """Van den Hil sat for Rajkowski until 2024-03-28 and again from 2024-07-04
    (https://www.tweedekamer.nl/nieuws/kamernieuws/beediging-veertien-nieuwe-kamerleden): her questions of
    2024-03-27 and 2024-08-12 are more than 16 weeks apart, so no period claims the months between."""
    back = sorted((f.start, f.end) for f in completed.fractie_memberships
                  if f.person_key == "lid-202103011" and f.start > dt.date(2023, 12, 5))
    assert back == [(dt.date(2024, 2, 7), dt.date(2024, 3, 27)), (dt.date(2024, 8, 12), dt.date(2024, 8, 12))]
    link = Resolver(completed).resolve_asker("Jacqueline van den Hil (J.)", "indiener", 1, dt.date(2024, 5, 15))
    assert link.person_key is None
