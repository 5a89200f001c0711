"""Display names as the Tweede Kamer prints them (issue 15, §3): married names, roepnamen, tussenvoegsels.

The bundled reference lists and the bundled OData Zaken that name the persons concerned (the real lines,
copied to a small file), completed as the build does; well under a second after the module's fixtures.
"""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import pytest

from ingest.infer import complete_reference
from ingest.name_use import KamerForm, agreed, kamer_form, shown_as
from ingest.records import ReferenceData, ZaakRecord
from ingest.reference import load_reference
from ingest.sources.odata import read_jsonl

ODATA = "tk-odata/zaken-schriftelijke-vragen.jsonl.gz"
# the names as the OData lines print them
SLICE = ("Magda Berndsen-Jansen", "van der Wal-Zeggelink", "C. van der Wal\"", "Veldhuijzen van Zanten-Hyllner",
         "Dezentjé Hamming-Bluemink", "Tony van Dijck", "Marith Volp", "Karien Van Gennip", "Liane den Haan",
         "Gert Leers")
BERNDSEN, VAN_DER_WAL, VELDHUIJZEN = "83a1ccbf-fe6a-4f7a-a0d0-4cf90337ab90", "lid-202312014", "wd-Q440377"
DEZENTJE, VAN_DIJCK, VOLP = "fca3f8b1-2b2d-4621-b18b-c6864f76ae51", "a396ae20-6309-456b-a5ae-e4068dea8a67", \
    "a900b4e7-92d9-4903-ab21-3189f17fe2e0"
VAN_GENNIP, AUKJE_DE_VRIES = "ef9e78ce-980c-40be-bc6d-ea6e69ef4ac6", "b8d002bc-ea6c-4f57-b36e-38415b205e09"


@pytest.fixture(scope="module")
def ref(data_dir: Path) -> ReferenceData:
    return load_reference(data_dir)


@pytest.fixture(scope="module")
def completed(ref: ReferenceData, data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> ReferenceData:
    """The reference data completed from the bundled Zaken that name one of ``SLICE``."""
    out = tmp_path_factory.mktemp("names") / "zaken.jsonl"
    with gzip.open(data_dir / ODATA, "rt", encoding="utf-8") as f:
        out.write_text("".join(line for line in f if any(n in line for n in SLICE)), encoding="utf-8")
    zaken = [z for z in read_jsonl(out, f"data/{ODATA}") if isinstance(z, ZaakRecord)]
    return complete_reference(ref, zaken)


def test_display_names_are_the_kamers_married_names_and_roepnamen(ref: ReferenceData, completed: ReferenceData):
    before = {k: ref.persons[k].name for k in (BERNDSEN, VAN_DER_WAL, VELDHUIJZEN, DEZENTJE, VAN_DIJCK, VOLP)}
    assert before == {BERNDSEN: "Magda Berndsen", VAN_DER_WAL: "Christianne van der Wal",
                      VELDHUIJZEN: "Marlies Veldhuijzen van Zanten", DEZENTJE: "Ineke Dezentjé Hamming",
                      VAN_DIJCK: "Teun van Dijck", VOLP: "Marith Rebel-Volp"}
    shown = {k: completed.persons[k].name for k in before}
    assert shown == {BERNDSEN: "Magda Berndsen-Jansen", VAN_DER_WAL: "Christianne van der Wal-Zeggelink",
                     VELDHUIJZEN: "Marlies Veldhuijzen van Zanten-Hyllner",
                     DEZENTJE: "Ineke Dezentjé Hamming-Bluemink", VAN_DIJCK: "Tony van Dijck", VOLP: "Marith Volp"}
    # the formal names stay as the lists give them; the roepnaam is the one shown
    magda, tony = completed.persons[BERNDSEN], completed.persons[VAN_DIJCK]
    assert (magda.family_name, magda.first_names, magda.initials) == ("Berndsen", "Magdalena Adriaantje", "M.A.")
    assert (tony.given_name, tony.prefix, tony.family_name, tony.first_names) == (
        "Tony", "van", "Dijck", "Antoine Pierre Cornelis")
    assert completed.persons[VOLP].family_name == "Rebel-Volp"
    assert completed.persons[VELDHUIJZEN].given_name == "Marlies"  # OpenKamer's "Marlies Veldhuijzen"
    # where the display name came from: the first OData record printing it, and a report line with the list's name
    assert tony.sources[-1].file == f"data/{ODATA}" and tony.sources[-1].line
    assert tony.sources[:-1] == ref.persons[VAN_DIJCK].sources
    line = next(x for x in completed.report if x.startswith(f"naam: {VAN_DIJCK} "))
    assert "'Teun van Dijck' -> 'Tony van Dijck': roepnaam" in line and "'Tony van Dijck (A.P.C.)'" in line


def test_the_kamers_short_form_of_a_double_name_agrees_with_the_full_one(completed: ReferenceData) -> None:
    """Van der Wal-Zeggelink is printed "C. van der Wal" from December 2023: a part of the same name."""
    p = completed.persons[VAN_DER_WAL]
    forms = Counter({kamer_form("Ch. van der Wal-Zeggelink", p): 210, kamer_form("C. van der Wal", p): 26})
    assert agreed(forms) == KamerForm(None, "van der Wal-Zeggelink")


def test_names_spelled_otherwise_keep_the_lists_spelling(ref: ReferenceData, completed: ReferenceData) -> None:
    p = ref.persons[VAN_GENNIP]
    assert kamer_form("Karien Van Gennip (C.E.G.)", p) == KamerForm("Karien", "Van Gennip")
    assert shown_as(p, KamerForm("Karien", "Van Gennip")) is None
    assert completed.persons[VAN_GENNIP].name == "Karien van Gennip"
    # a roepnaam that sounds the same: "Gert Leers (GBM)" in the OData, Gerd Leers (parlement.com, the lists)
    assert completed.persons["lid-199009002"].name == "Gerd Leers"
    # den Haan: the tussenvoegsel the list lacks is the Kamer's, and becomes the person's
    haan = completed.persons["lid-202103056"]
    assert (haan.name, haan.prefix, haan.family_name) == ("Liane den Haan", "den", "Haan")


def test_names_that_disagree_leave_the_display_name(ref: ReferenceData) -> None:
    """2017Z03962 names "Albert de Vries (A.A.)", which the resolver gives to Aukje de Vries: two roepnamen."""
    p = ref.persons[AUKJE_DE_VRIES]
    forms = Counter({kamer_form("Aukje de Vries (A.)", p): 306, kamer_form("Albert de Vries (A.A.)", p): 1})
    assert agreed(forms) == "'Albert de Vries' (1x); 'Aukje de Vries' (306x)"


def test_odata_names_read_as_roepnaam_and_surname(ref: ReferenceData) -> None:
    def person(name: str):
        return next(p for p in ref.persons.values() if p.name == name)

    assert kamer_form("Gerrit Jan van Otterloo (G.J.P.)", person("Gerrit-Jan van Otterloo")) == KamerForm(
        "Gerrit Jan", "van Otterloo")
    assert kamer_form("Annie Schreijer-Pierik (J.M.G.)", person("Annie Schreijer-Pierik")) == KamerForm(
        "Annie", "Schreijer-Pierik")
    assert kamer_form("Hirsch Ballin (EMH)", person("Ernst Hirsch Ballin")) == KamerForm(None, "Hirsch Ballin")
    assert kamer_form("Ismail el Abassi (I.)", person("Ismail Abassi")) == KamerForm("Ismail", "el Abassi")
    assert kamer_form("Marith Volp (M.J.J.)", person("Marith Rebel-Volp")) == KamerForm("Marith", "Volp")
    assert kamer_form("Ans Willemse-van der Ploeg (A.A.M.)", person("Ans Willemse-van der Ploeg")) == KamerForm(
        "Ans", "Willemse-van der Ploeg")
    assert kamer_form("I.W. Opstelten", person("Ivo Opstelten")) == KamerForm(None, "Opstelten")
    assert kamer_form("Opstelten (I.W.)", person("Magda Berndsen")) is None  # not her surname
