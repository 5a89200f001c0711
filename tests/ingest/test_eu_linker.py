"""The EU linker (ingest/citations/linker.py) on real Zaak titles of the OData extract: the methods, the
resolution on the question's date (act in force, pending proposal, an act adopted later), the context
rules for ambiguous words, no link for unverified rows; and the mapping of title links into a Zaak's
graph (ingest/map.py) and of text citations' method and confidence (ingest/map_text.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from ingest.citations import EURegister, find_citations
from ingest.citations.linker import METHODS, EULink, citation_method, link_title
from ingest.map import GraphBuilder, map_eu_links, node
from tests.support.slices import zaak_titles

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "texts" / "seed" / "kv-tk-2019Z15231.txt"
KG = Namespace("https://w3id.org/kamergraph/def#")
CITO = Namespace("http://purl.org/spar/cito/")
DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")

# The real titles these tests read (Zaak number -> what the test is about).
NUMBERS = {
    "2015Z24015", "2018Z19559", "2011Z09259",  # 'dual use' goederen: topic phrase, dated
    "2012Z00853", "2017Z11825", "2016Z10914",  # ETS with a context word
    "2009Z15892", "2012Z06651",  # GVB: Amsterdam's transport company, not the fisheries policy
    "2013Z21859",  # DMA: the Danish Maritime Authority, not the Digital Markets Act
    "2011Z15436", "2020Z00654", "2023Z19633", "2022Z18376",  # GLB across the CAP regulations
    "2022Z00212",  # REACH by number
    "2015Z14965", "2010Z16738",  # Schengen (the agreements, the area): no act of the register
    "2019Z26191",  # Schengen and border controls: the Schengen Borders Code of the date
    "2010Z01066",  # the Birds Directive in January 2010: the codification 2009/147 not yet in force
    "2011Z00961",  # a Natura 2000 area: the Habitats Directive's network
    "2015Z19752", "2012Z10964",  # illegally felled timber (the Timber Regulation); illegal logging (not linked)
    "2018Z05272",  # ecologische aandachtsgebieden: a greening duty of the CAP's direct payments
    "2023Z18492", "2023Z19638",  # CSDDD and the nature restoration law before adoption
    "2010Z02972",  # "Gemeenschappelijk Visserijbeleid" in 2010: the CFP of 2002, not Regulation 1380/2013
    "2015Z17140",  # the landing obligation: the CFP regulation of the date
    "2010Z04621", "2011Z17954",  # the Schengenverklaring (CISA art. 75); joining "Schengen" (no act of the register)
    "2014Z22447", "2016Z13236", "2016Z12408", "2019Z08232",  # IORP: the proposal while pending, then IORP II
    "2020Z15151", "2024Z12824",  # the visa list beside Schengen; the EU taxonomy
    "2022Z08797", "2022Z25434", "2012Z00121",  # the Russian oil embargo (Iranian oil: not that regulation)
    "2022Z17170", "2021Z13691",  # corona billions beside Brussels (the RRF), of schools (not linked)
    "2008Z05381", "2024Z12394",  # the European arrest warrant (an international one is not)
    "2010Z04555",  # the data retention directive by its Dutch name
    "2009Z16839", "2017Z15945",  # EVOA (the waste shipment regulation); MiFID II
    "2013Z21157", "2014Z10275", "2019Z01300",  # Dublin II and III
    "2018Z08686", "2021Z03370",  # AVG
}


@pytest.fixture(scope="module")
def register() -> EURegister:
    return EURegister.load()


@pytest.fixture(scope="module")
def zaken() -> dict[str, tuple[str, dt.date]]:
    """(title, date) of the Zaken in NUMBERS, read from the OData extract."""
    return zaak_titles(NUMBERS)


def links(zaken, register, nummer: str, on: dt.date | None = None) -> list[EULink]:
    title, day = zaken[nummer]
    return link_title(title, on or day, register)


def keys(found: list[EULink]) -> set[str]:
    return {k.resource.key for k in found}


def test_every_link_is_its_words_with_a_method_and_a_confidence(zaken, register):
    seen = 0
    for nummer, (title, day) in zaken.items():
        for k in link_title(title, day, register):
            assert title[k.start:k.end] == k.words and k.words
            assert k.method in METHODS and 0 < k.confidence <= 1
            assert k.resource.verified
            seen += 1
    assert seen >= 20


def test_dual_use_goods_resolve_to_the_regulation_in_force(zaken, register):
    for nummer in ("2015Z24015", "2018Z19559", "2011Z09259"):
        found = links(zaken, register, nummer)
        assert keys(found) == {"reg-2009-428"}, nummer
        assert [k.method for k in found] == ["onderwerp"]
    # the same words in a question of 2023 are about the recast
    assert keys(links(zaken, register, "2018Z19559", dt.date(2023, 3, 1))) == {"reg-2021-821"}
    # and before the first of them was adopted, nothing is settled: no link
    assert links(zaken, register, "2018Z19559", dt.date(2008, 3, 1)) == []


def test_informal_name_by_date_and_the_pending_proposal(register):
    on_2015, on_2018, on_2023 = dt.date(2015, 6, 1), dt.date(2018, 6, 1), dt.date(2023, 6, 1)
    text = "Het standpunt over de dual use-verordening"
    assert keys(link_title(text, on_2015, register)) == {"reg-2009-428"}
    assert keys(link_title(text, on_2023, register)) == {"reg-2021-821"}
    # the words speak of a revision while COM(2016) 616 is pending: the proposal
    found = link_title("De onderhandelingen over de herziening van de dual use-verordening", on_2018, register)
    assert keys(found) == {"proc-2016-0295-cod"}  # the procedure's own name
    found = link_title("Het Nederlandse standpunt over de voorgestelde wijziging van de dual use-verordening", on_2018,
                       register)
    assert keys(found) == {"com-2016-616"} and found[0].method == "naam" and found[0].confidence < 0.9


def test_names_of_acts_adopted_after_the_date(zaken, register, tmp_path):
    csddd = links(zaken, register, "2023Z18492")  # 2023: the directive is of 2024
    assert keys(csddd) == {"com-2022-71"} and csddd[0].words == "CSDDD"
    nature = links(zaken, register, "2023Z19638")  # December 2023: the proposal COM(2022) 304
    assert keys(nature) == {"com-2022-304"} and nature[0].confidence == 0.8
    # the register without that proposal and its procedure: the act, less surely
    lines = (ROOT / "data" / "eu" / "eu-acts.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    less = tmp_path / "eu-acts.csv"
    less.write_text("".join(x for x in lines if not x.startswith(("com-2022-304,", "proc-2022-0195-cod,"))),
                    encoding="utf-8")
    nature = links(zaken, EURegister.load(less), "2023Z19638")
    assert keys(nature) == {"reg-2024-1991"} and nature[0].confidence < 0.8
    # a policy's name years before the act of that name: the act then in force (Regulation 2371/2002)
    assert keys(links(zaken, register, "2010Z02972")) == {"reg-2002-2371"}
    assert link_title("Gemeenschappelijk Visserijbeleid", dt.date(2000, 1, 1), register) == []
    assert keys(links(zaken, register, "2010Z02972", dt.date(2014, 6, 1))) == {"reg-2013-1380"}


def test_ets_needs_a_context_word(zaken, register):
    for nummer in ("2012Z00853", "2017Z11825", "2016Z10914"):
        assert keys(links(zaken, register, nummer)) == {"dir-2003-87"}, nummer
    assert link_title("Het ETS", dt.date(2018, 1, 1), register) == []


def test_ambiguous_acronyms_of_other_things_are_not_linked(zaken, register):
    for nummer in ("2009Z15892", "2012Z06651", "2013Z21859"):
        assert links(zaken, register, nummer) == [], nummer
    on = dt.date(2020, 1, 1)
    assert link_title("De wachtlijst voor een AVG-arts", on, register) == []
    assert link_title("REACH the targets", on, register) == []  # English, not the regulation
    assert keys(link_title("Het REACH-dossier", on, register)) == {"reg-2006-1907"}


def test_schengen_alone_is_no_act(zaken, register):
    assert links(zaken, register, "2011Z17954") == []  # joining Schengen: a Council decision, not in the register
    # joining "the Schengen treaty" is that decision too (the accession veto), not the Convention
    assert links(zaken, register, "2010Z16738") == []
    assert link_title("Schengen", dt.date(2015, 1, 1), register) == []
    # the treaty by name (the Convention implementing the Schengen Agreement) and its medicines certificate (art. 75)
    for nummer, words in (("2015Z14965", "Schengen-akkoorden"), ("2010Z04621", "Schengenverklaring")):
        found = links(zaken, register, nummer)
        assert keys(found) == {"convention-2000-922"} and found[0].words == words, nummer
    found = links(zaken, register, "2019Z26191")  # "Schengen en de herinvoering van grenscontroles"
    assert keys(found) == {"reg-2016-399"} and found[0].method == "onderwerp"
    assert keys(links(zaken, register, "2019Z26191", dt.date(2015, 1, 1))) == {"reg-2006-562"}


def test_an_act_in_force_from_a_later_day_is_not_its_predecessor(zaken, register):
    found = links(zaken, register, "2010Z01066")  # January 2010: 79/409/EEG was in force
    assert keys(found) == {"dir-1979-409"} and found[0].method == "naam"
    assert keys(links(zaken, register, "2010Z01066", dt.date(2010, 3, 1))) == {"dir-2009-147"}


def test_natura_2000_is_the_habitats_directive(zaken, register):
    found = links(zaken, register, "2011Z00961")
    assert keys(found) == {"dir-1992-43"} and found[0].words == "Natura 2000" and found[0].method == "onderwerp"


def test_topic_phrases_of_timber_and_greening(zaken, register):
    assert keys(links(zaken, register, "2015Z19752")) == {"reg-2010-995"}
    assert links(zaken, register, "2012Z10964") == []
    found = links(zaken, register, "2018Z05272")
    assert keys(found) == {"reg-2013-1307"} and found[0].words == "ecologische aandachtsgebieden"
    assert keys(links(zaken, register, "2018Z05272", dt.date(2024, 1, 1))) == {"reg-2021-2115"}


def test_glb_follows_the_cap_regulations(zaken, register):
    assert links(zaken, register, "2011Z15436") == []  # 2011: neither regulation existed
    assert keys(links(zaken, register, "2020Z00654")) == {"reg-2013-1307"}
    assert keys(links(zaken, register, "2023Z19633")) == {"reg-2021-2115"}
    # October 2022, "het nieuwe Gemeenschappelijk Landbouwbeleid": adopted, applying from 2023 (the title's
    # "7e Actieprogramma" and "derogatiebeschikking" are the Nitrates Directive's)
    assert keys(links(zaken, register, "2022Z18376")) == {"reg-2021-2115", "dir-1991-676"}


def test_dublin_ii_and_iii(zaken, register):
    assert keys(links(zaken, register, "2013Z21157")) == {"reg-2003-343"}
    assert keys(links(zaken, register, "2014Z10275")) == {"reg-2013-604"}
    found = links(zaken, register, "2019Z01300")
    assert keys(found) == {"reg-2013-604"} and found[0].method == "onderwerp"


def test_numbers_and_names(zaken, register):
    reach = links(zaken, register, "2022Z00212")
    assert [(k.resource.key, k.method) for k in reach] == [("reg-2006-1907", "nummer")]
    for nummer in ("2018Z08686", "2021Z03370"):
        found = links(zaken, register, nummer)
        assert keys(found) == {"reg-2016-679"} and {k.method for k in found} == {"naam"}


def test_explicit_citations_from_the_seed_text(register):
    text = "Verordening (EU) 2021/821, COM(2016) 616 en procedure 2016/0295(COD), EUR-Lex CELEX:32009R0428"
    found = link_title(text, dt.date(2021, 6, 1), register)
    assert [(k.resource.key, k.method) for k in found] == [
        ("reg-2021-821", "nummer"), ("com-2016-616", "citaat"), ("proc-2016-0295-cod", "citaat"),
        ("reg-2009-428", "citaat"),
    ]
    assert {k.confidence for k in found if k.method == "citaat"} == {1.0}


def test_unverified_rows_are_never_linked(register):
    on = dt.date(2022, 1, 1)
    for r in register.unverified:
        for alias in r.aliases:
            assert r.key not in keys(link_title(f"De {alias} en de uitvoering", on, register)), (r.key, alias)
        assert r.key not in keys(link_title(f"De richtlijn {r.number}", on, register))


def test_text_citations_get_method_and_confidence(register):
    text = SEED.read_text(encoding="utf-8")
    eu = [c for c in find_citations(text, register=register, on=dt.date(2019, 12, 4)) if c.kind.startswith("eu-")]
    assert eu and all(citation_method(c) == ("naam", 0.95) for c in eu)
    assert citation_method(find_citations("Verordening (EU) 2021/821", register=register)[0]) == ("nummer", 0.98)
    assert citation_method(find_citations("COM(2016) 616", register=register)[0]) == ("citaat", 1.0)


def test_title_links_as_rdf(zaken, register):
    title, day = zaken["2016Z10914"]
    kv_iri = "https://kamergraph.nl/id/kamervraag/2016Z10914"
    b = GraphBuilder("https://kamergraph.nl/graph/kamervraag/2016Z10914")
    map_eu_links(b, node(kv_iri), link_title(title, day, register))
    g = Graph().parse(data="".join(line.rsplit(" ", 2)[0] + " .\n" for line in b.lines), format="nt")
    kv, act = URIRef(kv_iri), URIRef("http://data.europa.eu/eli/dir/2003/87/oj")
    cit = URIRef(kv_iri + "/eu-koppeling/1")
    start = title.index("EU ETS")
    expected = Graph()
    for p, o in (
        (CITO.hasCitingEntity, kv), (CITO.hasCitedEntity, act), (KG.tekstfragment, Literal("EU ETS")),
        (KG.beginpositie, Literal(start)), (KG.eindpositie, Literal(start + 6)),
        (KG.resolutiemethode, Literal("eu-titel:naam")), (KG.koppelmethode, Literal("naam")),
        (KG.betrouwbaarheid, Literal("0.9", datatype=DECIMAL)),
        (URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), KG.Citatie),
    ):
        expected.add((cit, p, o))
    expected.add((kv, CITO.cites, act))
    assert set(g) == set(expected)


def test_texts_read_names_with_the_same_dates_and_context_rules(register):
    def targets(text: str, on: dt.date) -> list[str]:
        return [c.target for c in find_citations(text, register=register, on=on) if c.kind.startswith("eu-")]

    sentence = "Bent u bekend met de uitvoering van de dual use-verordening?"
    assert targets(sentence, dt.date(2015, 6, 1)) == ["http://data.europa.eu/eli/reg/2009/428/oj"]
    assert targets(sentence, dt.date(2023, 6, 1)) == ["http://data.europa.eu/eli/reg/2021/821/oj"]
    revision = "Wat is de inzet bij de voorgestelde wijziging van de dual use-verordening?"
    assert targets(revision, dt.date(2018, 6, 1)) == ["http://publications.europa.eu/resource/celex/52016PC0616"]
    # the revision words of another sentence do not count
    assert targets("Het voorstel ligt er. " + sentence, dt.date(2018, 6, 1)) == [
        "http://data.europa.eu/eli/reg/2009/428/oj"]
    ets = "http://data.europa.eu/eli/dir/2003/87/oj"
    assert targets("Deelt u de zorg dat de prijs van emissierechten in het ETS daalt?", dt.date(2019, 1, 1)) == [ets]
    assert targets("Het ETS van de school is gesloten.", dt.date(2019, 1, 1)) == []
    assert targets("Kunt u de wachtlijst voor de AVG-arts toelichten?", dt.date(2019, 1, 1)) == []


def test_fisheries_policy_by_date(zaken, register):
    gvb = "Het gemeenschappelijk visserijbeleid"
    assert keys(link_title(gvb, dt.date(2013, 12, 31), register)) == {"reg-2002-2371"}
    assert keys(link_title(gvb, dt.date(2014, 1, 1), register)) == {"reg-2013-1380"}  # applies from 1 January 2014
    found = links(zaken, register, "2015Z17140")  # the landing obligation (art. 15 of 1380/2013)
    assert keys(found) == {"reg-2013-1380"} and found[0].method == "onderwerp"


def test_occupational_pensions_proposal_then_directive(zaken, register):
    # "de nieuwe richtlijn voor pensioenen" and "het EU-voorstel inzake bedrijfspensioenfondsen" while
    # COM(2014) 167 is pending; "IORP-2" before Directive 2016/2341 was adopted: its proposal
    for nummer in ("2014Z22447", "2016Z13236", "2016Z12408"):
        found = links(zaken, register, nummer)
        assert keys(found) == {"com-2014-167"} and all(k.confidence <= 0.8 for k in found), nummer
    assert keys(links(zaken, register, "2019Z08232")) == {"dir-2016-2341"}
    assert keys(link_title("De IORP-richtlijn", dt.date(2012, 1, 1), register)) == {"dir-2003-41"}


def test_an_act_and_the_act_repealing_it_under_one_name(register):
    """The visa list regulation 539/2001 and its codification 2018/1806, which repeals it: the name is
    the repealing act from its date."""
    assert keys(link_title("De visumlijstverordening", dt.date(2015, 1, 1), register)) == {"reg-2001-539"}
    assert keys(link_title("De visumlijstverordening", dt.date(2019, 1, 1), register)) == {"reg-2018-1806"}
    # IORP II repeals IORP I, which the register says ended on 12 January 2019: in 2018 the shared name is in doubt
    assert link_title("De IORP-richtlijn", dt.date(2018, 6, 1), register) == []
    assert keys(link_title("De IORP-richtlijn", dt.date(2019, 6, 1), register)) == {"dir-2016-2341"}


def test_topic_phrases_of_visas_taxonomy_sanctions_and_recovery(zaken, register):
    found = links(zaken, register, "2020Z15151")  # "Visumplicht tussen de Schengenzone en Suriname"
    assert keys(found) == {"reg-2018-1806"} and found[0].words == "Visumplicht"
    assert link_title("De visumplicht voor Nederlanders in Rusland", dt.date(2020, 1, 1), register) == []
    assert keys(links(zaken, register, "2024Z12824")) == {"reg-2020-852"}  # EU-taxonomie
    for nummer in ("2022Z08797", "2022Z25434"):  # olieboycot; boycots voor olie uit Rusland
        assert keys(links(zaken, register, nummer)) == {"reg-2014-833"}, nummer
    assert links(zaken, register, "2012Z00121") == []  # Iranian oil: not the Russia sanctions
    found = links(zaken, register, "2022Z17170")  # 'Brussel duldt geen inmenging in besteding coronamiljarden'
    assert keys(found) == {"reg-2021-241"} and found[0].method == "onderwerp"
    assert links(zaken, register, "2021Z13691") == []  # the schools' corona billions: national money


def test_arrest_warrant_and_data_retention_by_name(zaken, register):
    found = links(zaken, register, "2008Z05381")  # "De toepassing van het Europees Aanhoudingsbevel door Frankrijk"
    assert keys(found) == {"dec-framw-2002-584"} and found[0].method == "naam"
    assert links(zaken, register, "2024Z12394") == []  # an international arrest warrant (the ICC's)
    found = links(zaken, register, "2010Z04555")  # "... de Richtlijn bewaarplicht telecomgegevens ..."
    assert keys(found) == {"dir-2006-24"} and found[0].words == "Richtlijn bewaarplicht telecomgegevens"


def test_waste_shipments_and_mifid_by_name(zaken, register):
    found = links(zaken, register, "2009Z16839")  # "De EVOA-beschikkingen voor accu's en batterijen"
    assert keys(found) == {"reg-2006-1013"} and found[0].words == "EVOA" and found[0].confidence == 0.9  # acronym
    found = links(zaken, register, "2017Z15945")  # "... door de herziene richtlijn MIFID II"
    assert keys(found) == {"dir-2014-65"} and found[0].words == "MIFID II"
