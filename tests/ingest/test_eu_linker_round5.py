"""The EU linker's fifth round: acts named by their subject or by the Dutch law that carries them out, each phrase
measured over the titles of all Zaken (bench/eu/name_counts.py, bench/eu/linker_speed.py --show) and tested on real
Zaak titles of the OData extract and on the real titles nearby that must stay unlinked: "Europese aanbesteding" and
"Europees aanbesteden" (the public procurement directive of the date; a utility's procurement the utilities directive
from 18 April 2016, nothing before; not the EU's joint procurement of medical equipment); animal transport
(Regulation 1/2005); the cookie law and cookie walls (the e-privacy directive); the Wet bewaarplicht
telecommunicatiegegevens (the data retention directive); the UBO register (the fourth anti-money-laundering directive);
"de privacywet" from 25 May 2018 (the GDPR; not the police's); glyphosate's approval since the renewal of 28 November
2023; EU citizens expelled by a member state (the citizens' directive); a commissioner on disinformation (the DSA);
the EU's farm subsidies only beside the farmers they pay."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest.citations.linker import link_title
from tests.support.eu_links import wrong_title_links

# Zaak number -> the register keys its title names (empty: no link), by class.
EXPECTED: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in {
    # European procurement: 2004/18 until 17 April 2016, 2014/24 after; Schiphol's under the utilities directive; an
    # electricity producer's in 2010 (2004/17, not in the register), the EU's joint procurement of medical equipment in
    # April 2020, procurement without an EU word or in Brussels
    "2007Z05117": {"dir-2004-18"}, "2010Z15862": {"dir-2004-18"}, "2012Z19572": {"dir-2004-18"},
    "2019Z17080": {"dir-2014-24"}, "2020Z16972": {"dir-2014-24"}, "2021Z03441": {"dir-2014-25"},
    "2010Z14879": set(), "2020Z07244": set(), "2011Z14234": set(), "2020Z13788": set(),
    # animal transport; transport of people, MRSA among drivers, tachographs, freight
    "2008Z02368": {"reg-2005-1"}, "2010Z00135": {"reg-2005-1"}, "2023Z14672": {"reg-2005-1"},
    "2023Z13592": {"reg-2005-1"}, "2010Z10591": {"reg-2005-1"}, "2015Z13336": {"reg-2005-1"},
    "2011Z15638": set(), "2017Z07014": set(), "2019Z11898": set(), "2009Z20905": set(),
    # the cookie law and cookie walls; supercookies (cookies on websites: the sixth round's tests)
    "2013Z02460": {"dir-2002-58"}, "2014Z15932": {"dir-2002-58"}, "2019Z18899": {"dir-2002-58"},
    "2011Z16469": set(),
    # the Dutch data retention law (and the directive by its name, as before)
    "2015Z04407": {"dir-2006-24"}, "2010Z12134": {"dir-2006-24"}, "2014Z22509": {"dir-2006-24"},
    "2010Z04555": {"dir-2006-24"},
    # the UBO register; a change of the Wwft's UBO rules for PEPs
    "2021Z09330": {"dir-2015-849"}, "2022Z03857": {"dir-2015-849"}, "2022Z23057": {"dir-2015-849"},
    "2018Z18409": set(),
    # "de privacywet" from 25 May 2018; the privacy laws of 2014 (the police beside the COA and the "privacywetten" at
    # Schiphol: the sixth round's tests)
    "2019Z12303": {"reg-2016-679"}, "2022Z10980": {"reg-2016-679"}, "2014Z17449": set(),
    # glyphosate's renewal for ten years; the vote before the act, a national ban, the 2020 articles on the approval
    # of 2017 (not linked: its end and extension are not in the register)
    "2024Z07015": {"reg-impl-2023-2660"}, "2024Z07016": {"reg-impl-2023-2660"}, "2023Z19241": set(),
    "2024Z07014": set(), "2020Z02990": set(),
    # EU citizens expelled; asylum seekers transferred to another member state
    "2013Z00673": {"dir-2004-38"}, "2014Z00294": {"dir-2004-38"}, "2013Z07523": set(), "2013Z15574": set(),
    # a commissioner's letter on disinformation on X; disinformation without the Commission
    "2023Z17120": {"reg-2022-2065"}, "2024Z02574": set(), "2023Z02461": set(),
    # EU farm subsidies for plant-based dairy (the promotion policy, not the direct payments)
    "2020Z03683": set(),
}.items()}


def test_each_class_links_its_titles_and_not_their_neighbours(zaken, register):
    wrong = wrong_title_links(EXPECTED, zaken, register)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("title, days", [
    # the procurement directive of the date, and a utility's from the day the utilities directive applied
    ("Het Europees aanbesteden van schoonmaakdiensten",
     {dt.date(2016, 4, 17): ["dir-2004-18"], dt.date(2016, 4, 18): ["dir-2014-24"]}),
    ("De Europese aanbesteding van onderhoud op Schiphol",
     {dt.date(2016, 4, 17): [], dt.date(2016, 4, 18): ["dir-2014-25"]}),
    # "de privacywet" is the GDPR from the day it applied, not before
    ("Gemeenten die de privacywet overtreden", {dt.date(2018, 5, 24): [], dt.date(2018, 5, 25): ["reg-2016-679"]}),
    # the UBO register from the fourth anti-money-laundering directive's date
    ("Het UBO-register", {dt.date(2015, 5, 19): [], dt.date(2015, 5, 20): ["dir-2015-849"]}),
    # glyphosate's approval: the renewal from its day; the approval before is not read from these words
    ("De toelating van glyfosaat", {dt.date(2023, 11, 27): [], dt.date(2023, 11, 28): ["reg-impl-2023-2660"]}),
])
def test_the_date_picks_the_act(register, title, days):
    assert {day: [k.resource.key for k in link_title(title, day, register)] for day in days} == days


def test_a_new_data_retention_bill_is_no_longer_the_directive(register):
    """The Dutch law that carried out the directive is the directive; a new Dutch bill on data retention is not."""
    day = dt.date(2016, 9, 1)
    assert [k.resource.key for k in link_title("De Wet bewaarplicht telecommunicatiegegevens", day, register)] == [
        "dir-2006-24"]
    assert link_title("Een nieuwe wet bewaarplicht telecommunicatiegegevens", day, register) == []
