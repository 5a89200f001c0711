"""The EU linker's fourth round: names and subject phrases people use for acts informally, each measured over the
titles of all Zaken (bench/eu/name_counts.py, data/eu/name-counts.csv), tested on real Zaak titles of the OData
extract and on the real titles nearby that must stay unlinked: the European arrest warrant as "arrestatiebevel";
the recovery fund as "EU-herstelfonds", "Europees coronafonds" or "EU recovery fund(s)", the proposal while it was
pending (procedure 2020/0104(COD)), and by its bare name from the day of the proposal; the "Europa-route" of family
migrants (the citizens' directive); a restriction proposal under REACH ("PFAS restrictievoorstel"); the CAP's direct
payments behind its greening duties, the ban on ploughing grassland in Natura 2000 areas and the EU's farm subsidies,
from the day 1307/2013 applied; EU rules "aangaande" a word and a subject joined by "en"; rows verified in this round
by the names titles use (the gas and ecodesign directives, the anti-SLAPP proposal, the CSDDD as a "-richtlijn"); a
Natura 2000 area by its own name beside words of its protection, protected nature areas beside fishing or a
designation (the Habitats Directive); the eel regulation's management plan (aalbeheerplan)."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest.citations.areas import area_spans, read_areas
from ingest.citations.linker import link_title
from ingest.errors import ParseError
from tests.support.eu_links import wrong_title_links


# Zaak number -> the register keys its title names (empty: no link), by class.
EXPECTED: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in {
    # the European arrest warrant by its other Dutch name; arrest warrants of other states
    "2011Z03802": {"dec-framw-2002-584"}, "2011Z08659": {"dec-framw-2002-584"}, "2011Z20846": {"dec-framw-2002-584"},
    "2011Z14246": set(), "2017Z14308": set(), "2018Z00168": set(), "2024Z12394": set(),
    # the recovery fund: the proposal COM(2020) 408 until the act of 12 February 2021; other funds and recovery plans
    "2020Z20254": {"com-2020-408"}, "2021Z14295": {"reg-2021-241"}, "2022Z01330": {"reg-2021-241"},
    "2024Z06435": {"reg-2021-241"}, "2020Z05846": set(), "2012Z18762": set(), "2022Z12637": set(),
    "2024Z12300": set(),
    # the "Europa-route" (family migration through the free movement of Union citizens); EU citizens otherwise
    # (EU citizens expelled by a member state are the citizens' directive since the fifth round: 2014Z00294 there)
    "2015Z03859": {"dir-2004-38"}, "2019Z10387": set(),
    # the recovery fund by its bare name; "Corona Herstelfonds" (the topic was never tried without another topic word)
    "2020Z14342": {"com-2020-408"}, "2020Z16158": {"com-2020-408"}, "2021Z06259": {"reg-2021-241"},
    # REACH restrictions; restrictions and PFAS norms of other kinds
    "2024Z12392": {"reg-2006-1907"}, "2010Z17906": set(), "2022Z03855": set(), "2019Z19066": set(),
    # the CAP's greening, its ploughing ban in Natura 2000 areas and the EU's farm subsidies beside the farmers and
    # eco-schemes they pay for (since the fifth round; 2020Z03683 in its tests), on the date; the
    # proposal years (2012-2013, 73/2009 then: not in the register), Dutch manure rules, greening of other things
    "2015Z05018": {"reg-2013-1307"}, "2016Z23937": {"reg-2013-1307"}, "2022Z15102": {"reg-2013-1307", "dir-1992-43"},
    "2023Z13962": {"reg-2021-2115"}, "2012Z16723": set(), "2013Z03002": set(),
    "2012Z04709": set(), "2019Z02028": set(), "2019Z03347": set(),
    # EU rules about a word and a subject joined by "en"
    "2010Z12632": {"dir-2003-86"},
    # verified in this round, by the names titles use (the proposals while pending); SLAPP without the directive, and
    # rows still unverified (the CRR's revision, the American CHIPS Act)
    "2020Z08568": {"dir-2009-73"}, "2020Z11188": {"dir-2009-125"}, "2023Z14170": {"com-2022-177"},
    "2024Z02056": {"com-2022-71"}, "2022Z23484": set(), "2023Z02666": set(), "2023Z04573": set(),
    # a Natura 2000 area by its name beside fishing, nature compensation, nitrogen or Brussels; the same areas (and a
    # village that shares an area's name) in titles about other things
    "2023Z19351": {"dir-1992-43"}, "2012Z02574": {"dir-1992-43"}, "2023Z14020": {"dir-1992-43"},
    "2021Z17054": {"dir-1992-43"}, "2022Z10571": set(), "2020Z06539": set(), "2019Z15798": set(),
    "2013Z24314": set(), "2012Z20056": set(), "2021Z09223": set(),
    # protected nature areas where fishing is restricted or which are designated for habitats; nature areas otherwise
    "2020Z08881": {"dir-1992-43"}, "2019Z20829": {"dir-1992-43"}, "2021Z18975": set(), "2020Z09972": set(),
    "2009Z05062": set(),
    # the eel management plan the eel regulation requires
    "2022Z16508": {"reg-2007-1100"},
}.items()}


def test_each_class_links_its_titles_and_not_their_neighbours(zaken, register):
    wrong = wrong_title_links(EXPECTED, zaken, register)
    assert not wrong, "\n".join(wrong)


def test_the_recovery_fund_is_its_proposal_until_the_act(register):
    """One name on three dates: nothing before the Commission's proposal of 28 May 2020 was more than two years
    before the act; the proposal while the procedure ran; the act from 12 February 2021."""
    title = "Het EU herstelfonds"
    on = {day: [k.resource.key for k in link_title(title, day, register)]
          for day in (dt.date(2018, 1, 5), dt.date(2020, 9, 1), dt.date(2021, 3, 1))}
    assert on == {dt.date(2018, 1, 5): [], dt.date(2020, 9, 1): ["com-2020-408"],
                  dt.date(2021, 3, 1): ["reg-2021-241"]}


def test_the_areas_file_names_its_sources_and_a_bad_row_is_an_error(tmp_path):
    rows = read_areas()
    assert len(rows) >= 100 and all(src.startswith("http") for _n, _name, src in rows)
    assert {"Voordelta", "Wierdense Veld", "Westerschelde & Saeftinghe"} <= {name for _n, name, _s in rows}
    bad = tmp_path / "areas.csv"
    bad.write_text("number,name,source\n113,Voordelta,https://example.org/list\nx1,Veluwe,\n", encoding="utf-8")
    with pytest.raises(ParseError) as e:
        read_areas(bad)
    assert e.value.line == 3 and str(bad) in str(e.value)


def test_an_area_needs_a_word_of_its_protection(tmp_path):
    """The name is found only beside such a word, by each part of a name of several parts, as written."""
    areas = tmp_path / "areas.csv"
    areas.write_text("number,name,source\n122,Westerschelde & Saeftinghe,https://example.org/list\n", encoding="utf-8")
    assert area_spans("Visserij bij Saeftinghe", areas) and area_spans("Stikstof en de Westerschelde", areas)
    assert not area_spans("PFAS in de Westerschelde", areas)
    assert not area_spans("visserij in de westerschelde", areas)  # not the name as written


def test_the_cheap_test_before_the_area_pattern_lets_every_context_word_through():
    from ingest.citations.areas import CONTEXT, CONTEXT_WORDS

    for words in ("Visserij", "natuurcompensatie", "Beheerplannen", "aanwijzingsbesluit", "instandhoudingsdoelen",
                  "habitats", "Stikstofdepositie", "Brussel", "de Europese  Commissie"):
        assert CONTEXT.search(words) and any(w in words.lower() for w in CONTEXT_WORDS), words
