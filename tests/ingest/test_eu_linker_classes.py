"""The EU linker's classes of names beyond the register's aliases, each on real Zaak titles of the OData extract
(most of them from the labelled set, tests/golden/eu-links/dev.csv and heldout.csv) and on the real titles
nearby that must stay unlinked: Dutch compounds and inflections of a name, an acronym's numbered successor, acts
named by their subject beside EU words (ingest/citations/subjects.py), the accession to Schengen, the Schengen
Information System before SIS II, bare "Dublin" in an asylum text; and the subjects file's own checks."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest

from ingest.citations import find_citations
from ingest.citations.linker import link_title
from ingest.citations.subjects import DEFAULT_SUBJECTS, Subjects, read_subjects
from ingest.errors import ParseError
from ingest.sources.text import read_text_file
from tests.support.eu_links import wrong_title_links

ROOT = Path(__file__).resolve().parents[2]

# Zaak number -> the register key its title names (None: no link), by class.
EXPECTED: dict[str, str | None] = {
    # a name with the tail of a Dutch compound; other "richtlijnen" (guidelines) stay unlinked
    "2023Z00118": "dir-1992-43", "2013Z04626": "dir-1992-43", "2013Z11681": "dir-2003-86",
    "2020Z07850": None, "2020Z15069": None,
    # the singular of a name's last word ("Richtlijn Industriële Emissie")
    "2017Z12966": "dir-2010-75",
    # a numbered successor with a hyphen or without; ETS beside green-growth words
    "2024Z06194": "dir-2023-959", "2024Z12774": "dir-2023-959", "2018Z08273": "dir-2003-87",
    # acts named by their subject beside EU words, on the date (Schiphol, a utility, procures under the utilities
    # directive: fifth round)
    "2010Z17081": "reg-2004-883", "2009Z07400": "dir-2004-18", "2021Z03441": "dir-2014-25",
    "2016Z08840": "reg-2016-679", "2017Z01566": "reg-2016-679",
    "2008Z04473": "dir-2003-86", "2008Z04352": "dir-2003-86", "2015Z14158": "dir-2003-86",
    # a subject without EU words, a subject inside another word, EU words without a subject or the Commission
    "2023Z13473": None, "2019Z00328": None, "2012Z14726": None, "2019Z05226": None, "2018Z07423": None,
    "2014Z17331": None,
    # accession to Schengen is a Council decision, not the Convention
    "2010Z16738": None, "2011Z17954": None,
    # the Schengen Information System in 2009 (SIS I, the Convention); a school called SIS
    "2009Z05223": "convention-2000-922", "2011Z22046": None,
    # Dublin transfers stay a topic phrase
    "2015Z16566": "reg-2013-604",
}


def test_each_class_links_its_titles_and_not_their_neighbours(zaken, register):
    wrong = wrong_title_links({n: {key} if key else set() for n, key in EXPECTED.items()}, zaken, register)
    assert not wrong, "\n".join(wrong)


def test_the_words_and_methods_of_the_new_classes(zaken, register):
    def only(nummer: str):
        title, day = zaken[nummer]
        (link,) = link_title(title, day, register)
        return link.words, link.method

    assert only("2023Z00118") == ("Habitatrichtlijngebieden", "naam")
    assert only("2024Z06194") == ("ETS-2", "naam")
    assert only("2010Z17081") == ("Europese Verordening voor sociale zekerheid", "onderwerp")
    assert only("2017Z01566") == ("nieuwe privacy wetgeving", "onderwerp")
    assert only("2015Z16566") == ("Dublin-overdrachten", "onderwerp")


def test_a_subject_resolves_on_the_date(register):
    # 2009Z07400 (2012Z01403, "Nederland zich niet houdt aan Europese aanbestedingsregels", names no single directive:
    # test_eu_linker_round6.py)
    title = "Het bericht dat een sociaal project door Europese aanbestedingsregels om zeep geholpen dreigt te worden"
    keys = {day.year: {k.resource.key for k in link_title(title, day, register)}
            for day in (dt.date(2012, 1, 27), dt.date(2021, 2, 19))}
    assert keys == {2012: {"dir-2004-18"}, 2021: {"dir-2014-24"}}  # 2014/24 repeals 2004/18
    # a regulation's subject needs "verordening" or a word for rules, not "richtlijn"
    assert link_title("De Europese richtlijn voor sociale zekerheid", dt.date(2010, 11, 18), register) == []
    # an act named already: its subject adds no second link
    title, day = ("Het naleven van de Europese privacyregels van de Algemene verordening gegevensbescherming (AVG) "
                  "bij (uitvoerings)instanties", dt.date(2021, 2, 18))
    assert {k.method for k in link_title(title, day, register)} == {"naam"}


def test_the_schengen_information_system_is_the_convention_only_before_sis_ii(zaken, register):
    title, _ = zaken["2009Z05223"]
    assert [k.resource.key for k in link_title(title, dt.date(2013, 4, 8), register)] == ["convention-2000-922"]
    assert link_title(title, dt.date(2013, 4, 9), register) == []


def test_bare_dublin_in_an_asylum_text(register):
    text = read_text_file(ROOT / "data" / "texts" / "ah-tk-20242025-591.txt")
    found = [c for c in find_citations(text, register=register, on=dt.date(2024, 10, 1)) if c.kind.startswith("eu-")]
    assert [(c.text, c.target) for c in found] == [("Dublin", "http://data.europa.eu/eli/reg/2013/604/oj")]
    assert [c for c in find_citations("Het congres vond plaats in Dublin, waar de minister sprak.",
                                      register=register, on=dt.date(2024, 10, 1)) if c.kind.startswith("eu-")] == []


def test_every_subject_comes_from_its_verified_row(register):
    """A subject is words of the act's official title or of its names, and names a verified row."""
    def fold(s: str) -> str:
        return re.sub(r"[\s\-]+", "", s.lower())

    rows = read_subjects()
    assert len(rows) >= 40
    problems = []
    for key, subject in rows:
        r = register.get(key)
        if r is None:
            problems.append(f"{key}: not a verified row of the register")
        elif fold(subject) not in fold(" ".join((r.title_nl, r.short_title_nl or "", *r.aliases))):
            problems.append(f"{key}: {subject!r} is not in its title or names")
    assert not problems, "\n".join(problems)


def test_a_bad_subjects_file_names_the_file_and_the_line(tmp_path, register):
    bad = tmp_path / "subjects.csv"
    bad.write_text("key,subject\ndir-2003-86,gezinshereniging\nreg-2004-883,\n", encoding="utf-8")
    with pytest.raises(ParseError) as e:
        read_subjects(bad)
    assert str(bad) in str(e.value) and "3" in str(e.value) and "subject" in str(e.value)
    wrong = tmp_path / "columns.csv"
    wrong.write_text("key;subject\n", encoding="utf-8")
    with pytest.raises(ParseError, match="columns"):
        read_subjects(wrong)
    # an unknown or unverified key is never a candidate
    unverified = next(r.key for r in register.unverified)
    subjects = Subjects((("no-such-key", "gezinshereniging"), (unverified, "gezinshereniging")), register)
    assert subjects.spans("De Europese richtlijn over gezinshereniging") == []
    with open(DEFAULT_SUBJECTS, encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == ["key", "subject"]


def test_texts_read_the_accession_veto_in_the_clause(register):
    def targets(text: str) -> list[str]:
        return [c.target for c in find_citations(text, register=register, on=dt.date(2011, 9, 19))
                if c.kind.startswith("eu-")]

    convention = "http://data.europa.eu/eli/convention/2000/922/oj"
    assert targets("Nederland blokkeert de toetreding van Roemenië tot het Schengen-verdrag.") == []
    assert targets("Artikel 75 van het Schengen-verdrag regelt de verklaring.") == [convention]
    # the accession words of another sentence do not count
    assert targets("De toetreding is uitgesteld. Artikel 75 van het Schengen-verdrag regelt de verklaring.") == [
        convention]
