"""The EU linker's third round of classes, each on real Zaak titles of the OData extract (most of them from the
labelled sets, tests/golden/eu-links/) and on the real titles nearby that must stay unlinked: a name of an act not
yet adopted on the question's date goes to its proposal (and to the act where the title says it was voted days
before its date); two names that share their head ("Vogel- en Habitatrichtlijn"); the names people write for the
family reunification and temporary protection directives; a Schengen visa is the Visa Code's; a second subject
coordinated with the first ("medische hulpmiddelen en medische hulpmiddelen voor in-vitro diagnostiek"), and EU
rules "bij" a subject."""

from __future__ import annotations



from ingest.citations.linker import link_title
from tests.support.eu_links import wrong_title_links


# Zaak number -> the register keys its title names (empty: no link), by class.
EXPECTED: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in {
    # a name before its act's date: the pending proposal; "aangenomen" days before the act's date: the act;
    # natuurherstel as a Dutch policy, no EU words
    # (every title of the extract that names a verified act before its date: bench/eu/linker_speed.py --show)
    "2023Z19638": {"com-2022-304"}, "2024Z10981": {"reg-2024-1991"}, "2012Z14601": set(), "2021Z06772": set(),
    "2016Z00724": {"com-2012-11"}, "2016Z12408": {"com-2014-167"}, "2016Z21925": {"com-2014-167"},
    "2023Z18492": {"com-2022-71"},
    # two names sharing their head; Dutch laws written the same way
    "2015Z06527": {"dir-2009-147", "dir-1992-43"}, "2009Z01068": set(), "2011Z26165": set(), "2015Z06530": set(),
    # the names people write for two directives
    "2014Z07854": {"dir-2003-86"}, "2023Z18151": {"dir-2001-55"},
    # rows verified in this round, by the names the titles use
    "2023Z06664": {"dir-2010-13"}, "2016Z19081": {"reg-2007-1100"}, "2018Z05431": {"dir-2015-1535"},
    "2018Z15530": {"reg-2015-2120"},
    # a Schengen visa; visas of other states and the visa requirement without Schengen
    "2022Z13323": {"reg-2009-810"}, "2008Z09529": set(), "2011Z07445": set(), "2009Z13902": set(),
    # a second subject coordinated with the first; EU rules "bij" a subject (on the date: 2004/18 in July 2015);
    # medical devices without EU rules, and a European tender (not rules) for them
    "2020Z07920": {"reg-2017-745", "reg-2017-746"}, "2015Z14342": {"dir-2004-18"},
    "2020Z06635": set(), "2021Z04392": set(), "2020Z07244": set(),
}.items()}


def test_each_class_links_its_titles_and_not_their_neighbours(zaken, register):
    wrong = wrong_title_links(EXPECTED, zaken, register)
    assert not wrong, "\n".join(wrong)


def test_the_words_and_methods(zaken, register):
    def links(nummer: str):
        title, day = zaken[nummer]
        return [(k.words.strip(), k.method) for k in link_title(title, day, register)]

    assert links("2015Z06527") == [("Vogel-", "naam"), ("Habitatrichtlijn", "naam")]
    assert links("2022Z13323") == [("Schengenvisum", "onderwerp")]
    assert links("2020Z07920") == [
        ("Europese wetgeving voor de beschikbaarheid van medische hulpmiddelen", "onderwerp"),
        ("en medische hulpmiddelen voor in-vitro diagnostiek", "onderwerp"),
    ]
