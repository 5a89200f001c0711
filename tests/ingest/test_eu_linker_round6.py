"""The EU linker's sixth round: acts named by their subject, each phrase measured over the titles of all Zaken
(bench/eu/name_counts.py, bench/eu/linker_speed.py --show) and tested on real Zaak titles of the OData extract and on
the real titles nearby that must stay unlinked: cookies on websites (the e-privacy directive); "de privacywet" decided
by who processes the data (the GDPR, unless the police or justice alone); the private-copying levy and the Court on
hyperlinking (the copyright directive); airlines' compensation, refunds and vouchers for delayed or cancelled flights
(the air passenger rights regulation); roaming charges from 15 June 2017 until 30 June 2022 (Regulation 2015/2120);
annex IX biofuels from 1 July 2021 (RED II); auctioning of emission allowances between the ETS revision 2009/29 and
2013 (both directives); "het Europese natuurbeleid" (the Birds and Habitats Directives); and a member state that does
not keep to the EU's procurement rules (no single directive: no link)."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest.citations.linker import link_title
from tests.support.eu_links import wrong_title_links

# Zaak number -> the register keys its title names (empty: no link), by class.
EXPECTED: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in {
    # cookies on websites (the NPO's, Dutch websites', the government's); a platform's cookies and supercookies
    "2012Z17372": {"dir-2002-58"}, "2012Z17524": {"dir-2002-58"}, "2014Z04937": {"dir-2002-58"},
    "2015Z10046": {"dir-2002-58"}, "2022Z14322": {"dir-2002-58"}, "2011Z19294": set(), "2015Z14776": set(),
    # "de privacywet(ten)" where the police share data with the COA, or Schiphol's processing in the fight against
    # drug criminals; privacy law on human trafficking reports (as before)
    "2020Z14049": {"reg-2016-679"}, "2024Z13932": {"reg-2016-679"}, "2019Z20134": {"reg-2016-679"},
    # the private-copying levy (thuiskopieheffing, thuiskopievergoeding) and the Court on hyperlinking and embedding;
    # a collecting society invoicing websites that embed a stream, subtitling films as an infringement
    "2010Z18483": {"dir-2001-29"}, "2014Z04461": {"dir-2001-29"}, "2014Z02846": {"dir-2001-29"},
    "2011Z09318": set(), "2013Z23789": set(),
    # airlines' compensation, refunds and vouchers for delayed or cancelled flights; train travellers, an air base's
    # staff, nature compensation at an airfield, compensation for the airport decision of Lelystad
    "2010Z09230": {"reg-2004-261"}, "2012Z10138": {"reg-2004-261"}, "2012Z15020": {"reg-2004-261"},
    "2013Z21857": {"reg-2004-261"}, "2014Z22444": {"reg-2004-261"}, "2015Z14749": {"reg-2004-261"},
    "2015Z14775": {"reg-2004-261"}, "2020Z01651": {"reg-2004-261"}, "2020Z06120": {"reg-2004-261"},
    "2020Z07446": {"reg-2004-261"}, "2015Z24537": set(), "2014Z15753": set(), "2010Z16750": set(),
    "2020Z02134": set(),
    # roaming charges in June 2017; the Commission's fair-use plans of September 2016, before roaming at home prices
    "2017Z08917": {"reg-2015-2120"}, "2016Z16281": set(), "2016Z16931": set(),
    # annex IX biofuels in 2021
    "2021Z15313": {"dir-2018-2001"},
    # auctioning emission allowances in July 2009
    "2009Z14074": {"dir-2003-87", "dir-2009-29"},
    # the Commissioner on the Dutch implementation of the European nature policy; the Commission on the Dutch nature
    # policy
    "2015Z04405": {"dir-1992-43", "dir-2009-147"}, "2011Z13245": set(),
    # the Netherlands not keeping to the EU's procurement rules (the defence directive 2009/81, not in the register); a
    # social project and the EU's procurement rules (2004/18)
    "2012Z01403": set(), "2009Z07400": {"dir-2004-18"},
}.items()}


def test_each_class_links_its_titles_and_not_their_neighbours(zaken, register):
    wrong = wrong_title_links(EXPECTED, zaken, register)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("title, days", [
    # roaming at domestic prices from 15 June 2017 until the recast 2022/612 applied
    ("Roamingkosten in de EU", {dt.date(2017, 6, 14): [], dt.date(2017, 6, 15): ["reg-2015-2120"],
                                dt.date(2022, 6, 30): ["reg-2015-2120"], dt.date(2022, 7, 1): []}),
    # annex IX of RED II from the day it took over from 2009/28
    ("Annex IX biobrandstoffen", {dt.date(2021, 6, 30): [], dt.date(2021, 7, 1): ["dir-2018-2001"]}),
    # auctioning: the ETS directive alone before 2009/29 and once the auctioning it brought in applied
    ("Het veilen van emissierechten", {dt.date(2009, 4, 22): ["dir-2003-87"],
                                       dt.date(2012, 12, 31): ["dir-2003-87", "dir-2009-29"],
                                       dt.date(2013, 1, 1): ["dir-2003-87"]}),
    # the Birds Directive of the date beside the Habitats Directive
    ("Het Europese natuurbeleid", {dt.date(2010, 2, 14): ["dir-1979-409", "dir-1992-43"],
                                   dt.date(2010, 2, 15): ["dir-1992-43", "dir-2009-147"]}),
    # the passenger rights regulation from the day it applied
    ("Compensatie voor vertraagde vluchten", {dt.date(2005, 2, 16): [], dt.date(2005, 2, 17): ["reg-2004-261"]}),
])
def test_the_date_picks_the_act(register, title, days):
    assert {day: sorted(k.resource.key for k in link_title(title, day, register)) for day in days} == days


def test_the_privacy_law_is_not_the_gdpr_where_the_police_alone_process(register):
    """The police's or the public prosecutor's processing falls under their own directive (2016/680); beside another
    body, or with criminals as the people whose data it is, the privacy law is the GDPR."""
    day = dt.date(2021, 3, 1)
    assert link_title("De politie die de privacywet overtreedt", day, register) == []
    assert link_title("Het openbaar ministerie en de privacywetgeving", day, register) == []
    assert [k.resource.key for k in link_title("Gemeenten die de privacywet overtreden bij de aanpak van criminelen",
                                               day, register)] == ["reg-2016-679"]


def test_a_topic_naming_two_acts_links_both_on_the_same_words(register):
    links = link_title("Uitspraken over het Europese natuurbeleid", dt.date(2015, 3, 12), register)
    assert {(k.resource.key, k.words, k.method) for k in links} == {
        ("dir-1992-43", "Europese natuurbeleid", "onderwerp"), ("dir-2009-147", "Europese natuurbeleid", "onderwerp")}
