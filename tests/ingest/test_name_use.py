"""Display names as the Tweede Kamer prints them (issue 15, §3): married names, roepnamen, tussenvoegsels.

The bundled reference lists and the bundled OData Zaken that name the persons concerned (the real lines,
copied to a small file), completed as the build does; well under a second after the module's fixtures.
"""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import pytest

import dataclasses
import datetime as dt
import re

import rdflib

from ingest.infer import complete_reference
from ingest.map import _persons_graph
from ingest.name_use import KamerForm, agreed, kamer_form, shown_as
from ingest.records import ReferenceData, ZaakRecord
from ingest.reference import load_reference
from ingest.resolve import Resolver
from ontology.namespaces import Iris
from ingest.sources.odata import read_jsonl

ODATA = "tk-odata/zaken-schriftelijke-vragen.jsonl.gz"
# the names as the OData lines print them
SLICE = ("Magda Berndsen-Jansen", "van der Wal-Zeggelink", "C. van der Wal\"", "Veldhuijzen van Zanten-Hyllner",
         "Dezentjé Hamming-Bluemink", "Tony van Dijck", "Marith Volp", "Karien Van Gennip", "Liane den Haan",
         "Gert Leers", "Albert de Vries")
BERNDSEN, VAN_DER_WAL, VELDHUIJZEN = "83a1ccbf-fe6a-4f7a-a0d0-4cf90337ab90", "lid-202312014", "wd-Q440377"
DEZENTJE, VAN_DIJCK, VOLP = "fca3f8b1-2b2d-4621-b18b-c6864f76ae51", "a396ae20-6309-456b-a5ae-e4068dea8a67", \
    "a900b4e7-92d9-4903-ab21-3189f17fe2e0"
VAN_GENNIP, AUKJE_DE_VRIES = "ef9e78ce-980c-40be-bc6d-ea6e69ef4ac6", "b8d002bc-ea6c-4f57-b36e-38415b205e09"
ALBERT_DE_VRIES = "6c2ee55a-fa05-4a41-b522-c878c6a61ce8"


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


def test_where_the_display_name_came_from_and_the_lists_name(ref: ReferenceData, completed: ReferenceData) -> None:
    """Tony van Dijck: the lists' "Teun van Dijck" stays as another name, the display name's origin names the first
    Zaak printing "Tony van Dijck (A.P.C.)"; a person shown as the lists name it has neither."""
    tony = completed.persons[VAN_DIJCK]
    assert tony.alt_names == ("Teun van Dijck",)
    first = tony.sources[-1]
    d = tony.name_derivation or ""
    assert d.startswith("naam zoals de Tweede Kamer OData de persoon noemt (roepnaam): ")
    assert "x 'Tony van Dijck (A.P.C.)' van " in d and d.endswith("naam in de lijsten: 'Teun van Dijck', roepnaam 'Teun'")
    # the first Zaak by its number only: the same text whether the record came from the bundled file or from a
    # sync's pages (a sync equals a build); the file and line stay in the person's sources
    (zaak,) = re.search(r"; eerst in Zaak (\S+); ", d).groups()  # type: ignore[union-attr]
    assert first.line is not None and str(first) not in d
    with gzip.open(Path(__file__).resolve().parents[2] / "data" / ODATA, "rt", encoding="utf-8") as f:
        printed = [x for x in f if "Tony van Dijck (A.P.C.)" in x]
    assert f'"Nummer": "{zaak}"' in printed[0]  # the first record of the bundled file printing the name
    # den Haan: the same name in other words; the lists' "Natalia Haan" is kept as another name
    haan = completed.persons["lid-202103056"]
    assert haan.alt_names == (ref.persons["lid-202103056"].name,) and "naam in de lijsten" in (haan.name_derivation or "")
    gennip = completed.persons[VAN_GENNIP]  # spelled otherwise: the lists' name shown, nothing to say
    assert (gennip.alt_names, gennip.name_derivation) == ((), None)


def test_the_persons_graph_states_the_lists_name_and_the_display_names_origin(completed: ReferenceData) -> None:
    one = dataclasses.replace(completed, persons={VAN_DIJCK: completed.persons[VAN_DIJCK],
                                                  VAN_GENNIP: completed.persons[VAN_GENNIP]})
    mapped = _persons_graph(one, Iris("https://kamergraph.nl/"))
    g = rdflib.Dataset(default_union=True)
    g.parse(data=mapped.nquads, format="nquads")
    skos, kg = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#"), rdflib.Namespace(
        "https://w3id.org/kamergraph/def#")
    tony = rdflib.URIRef(f"https://kamergraph.nl/id/persoon/{VAN_DIJCK}")
    gennip = rdflib.URIRef(f"https://kamergraph.nl/id/persoon/{VAN_GENNIP}")
    assert set(g.objects(tony, skos.altLabel)) == {rdflib.Literal("Teun van Dijck")}
    assert set(g.objects(tony, kg.naamherkomst)) == {rdflib.Literal(completed.persons[VAN_DIJCK].name_derivation)}
    assert set(g.objects(gennip, skos.altLabel)) == set() and set(g.objects(gennip, kg.naamherkomst)) == set()


def test_a_printed_roepnaam_and_initials_not_the_persons_are_another_person(ref: ReferenceData,
                                                                           completed: ReferenceData) -> None:
    """2017Z03962 (2017-03-23) names "Albert de Vries (A.A.)": not Aukje de Vries (A.), a member that day, whose
    first initial alone agrees; Albert de Vries's last period ended on the eve (2017-03-22)."""
    r = Resolver(completed)
    link = r.resolve_asker("Albert de Vries (A.A.)", "indiener", 1, dt.date(2017, 3, 23))
    assert link.person_key is None
    assert link.unresolved_reason and link.unresolved_reason.startswith(
        "roepnaam 'Albert' and initials 'AA' are not those of Aukje de Vries (Aukje, A) on 2017-03-23")
    assert r.resolve_asker("Albert de Vries (A.A.)", "indiener", 1, dt.date(2017, 3, 22)).person_key == ALBERT_DE_VRIES
    # a roepnaam the lists do not know, with all the initials the person's, is the person: OpenKamer's Teun
    assert Resolver(ref).resolve_asker("Tony van Dijck (A.P.C.)", "indiener", 1, dt.date(2018, 6, 1)).person_key == \
        VAN_DIJCK
    # and a first initial that agrees, with a roepnaam that is the person's, still is: Aukje de Vries (A.)
    assert r.resolve_asker("Aukje de Vries (A.A.)", "indiener", 1, dt.date(2017, 3, 23)).person_key == AUKJE_DE_VRIES


def test_questions_on_the_kamers_first_day_alone_prove_no_reelection(completed: ReferenceData) -> None:
    """The Kamer registers on its first day questions its outgoing members submitted: Albert de Vries's of
    2017-03-23 make him no member of the Kamer installed that day (he was not re-elected)."""
    assert not [f for f in completed.fractie_memberships
                if f.person_key == ALBERT_DE_VRIES and f.end and f.end > dt.date(2017, 3, 22)]
    line = next(x for x in completed.report if x.startswith(f"afgeleid: Albert de Vries ({ALBERT_DE_VRIES})"))
    assert "not inferred re-elected" in line and "2017Z03962" in line and "eve 2017-03-22" in line
