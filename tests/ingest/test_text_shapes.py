"""Shapes of published texts the parser had not seen (issue 15, section 6), each a rule tested on
real texts: the published texts in data/texts-parser-cases (outside the build), the bundled texts
in data/texts and the DOCX letters in data/answers-docx.

Where no real text shows a shape exactly, the closest real text is used with the slip the
extraction is seen to make elsewhere in the bundled texts (each test says which); nothing here is
an invented text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rdflib import Dataset, Literal, URIRef

from ingest.map_text import map_text
from ingest.records import SourceRef, TextDocument
from ingest.resolve_text import ResolvedText, publication_key
from ingest.sources.text import read_docx, read_text_file
from ingest.texts import parse_text
from ingest.texts.header import _flatten, _Header, _header_lines, _on_behalf_in_signature
from ingest.texts.lines import _FRONT, _first_mark, _mark_headings, _mark_question_starts, _split_lines
from ontology.namespaces import Iris, T
from shapes.validate import validate

DATA = Path(__file__).resolve().parents[2] / "data"
CASES = DATA / "texts-parser-cases"
TEXTS = DATA / "texts"
DOCX = DATA / "answers-docx"
IRIS = Iris("https://kamergraph.nl/")


def parse(text: str, name: str) -> TextDocument:
    return parse_text(text, SourceRef(name))


def case(name: str) -> str:
    return read_text_file(CASES / name)


def labels(posts) -> list[str]:
    return [p.label for p in posts]


# --------------------------------------------------------------------------- one role, several posts


def test_a_plural_role_over_several_ministries_is_one_post_each() -> None:
    # kv-tk-2020Z14556: "aan de Ministers van Volksgezondheid, Welzijn en Sport en van Onderwijs, Cultuur
    # en Wetenschap en de Staatssecretaris van Financiën": the names hold " en " themselves
    doc = parse(case("kv-tk-2020Z14556.txt"), "kv-tk-2020Z14556.txt")
    assert labels(doc.addressed) == [
        "minister van Volksgezondheid, Welzijn en Sport",
        "minister van Onderwijs, Cultuur en Wetenschap",
        "staatssecretaris van Financiën",
    ]
    # the same title as the shape of issue 15 prints it, the preposition not repeated ("en Onderwijs,
    # Cultuur en Wetenschap"): split by the known names, not by the first " en "
    text = case("kv-tk-2020Z14556.txt").replace("Sport en van Onderwijs", "Sport en Onderwijs", 1)
    shared = parse(text, "kv-tk-2020Z14556.txt")
    assert labels(shared.addressed) == labels(doc.addressed)
    assert any("one role printed over several posts" in n and "'Onderwijs, Cultuur en Wetenschap'" in n for n in shared.notes)
    assert not any("not parsed" in n for n in shared.notes)


def test_a_singular_role_over_two_ministries() -> None:
    # kv-tk-2022Z06460: "aan de Minister van Buitenlandse Zaken en van Defensie"; without the second "van"
    # the same two posts
    doc = parse(case("kv-tk-2022Z06460.txt"), "kv-tk-2022Z06460.txt")
    assert labels(doc.addressed) == ["minister van Buitenlandse Zaken", "minister van Defensie"]
    shared = parse(case("kv-tk-2022Z06460.txt").replace("Zaken en van Defensie", "Zaken en Defensie", 1), "x")
    assert labels(shared.addressed) == labels(doc.addressed)
    assert shared.subject == doc.subject == "oorlogsmisdaden door het Oekraïense leger"


def test_plural_roles_with_mixed_prepositions_and_a_mede_namens_list() -> None:
    # the answer to 2022Z10576 (tweedekamer.nl 2022D31072): three ministers under one "Ministers", and a
    # "mede namens" list mixing "voor" and "van"
    doc = parse(case("tk-2022D31072.txt"), "tk-2022D31072.txt")
    assert labels(doc.addressed) == [
        "staatssecretaris van Infrastructuur en Waterstaat",
        "minister van Infrastructuur en Waterstaat",
        "minister voor Volkshuisvesting en Ruimtelijke Ordening",
        "minister voor Landbouw, Natuur en Voedselkwaliteit",  # as printed; the reference has "van" (noted)
    ]
    assert doc.answering_post.label == "staatssecretaris van Infrastructuur en Waterstaat"
    assert labels(doc.on_behalf_of) == [
        "minister voor Volkshuisvesting en Ruimtelijke Ordening",
        "minister van Landbouw, Natuur en Voedselkwaliteit",
        "minister voor Armoedebeleid, Participatie en Pensioenen",
        "staatssecretaris van Volksgezondheid, Welzijn en Sport",
    ]


def test_a_plural_role_with_one_post_name_is_noted_not_guessed() -> None:
    # ah-tk-20232024-214: "mede namens de Staatssecretarissen van Financiën, de heer Van Rij en mevrouw De Vries"
    doc = parse(case("ah-tk-20232024-214.txt"), "ah-tk-20232024-214.txt")
    assert labels(doc.on_behalf_of) == ["staatssecretaris van Financiën"]
    assert any("'Staatssecretarissen' (plural)" in n and "several posts of that name" in n for n in doc.notes)


# --------------------------------------------------------------------------- a post glued to the word before it


def test_the_extraction_glues_articles_to_the_next_word() -> None:
    # the slip as the bundled texts show it: "en deEuropese", "en hetVerenigd", "hetMinisterie"
    assert "en deEuropese Centrale Bank" in read_text_file(TEXTS / "kv-tk-2024Z18653.txt")
    assert "en hetVerenigd" in read_text_file(TEXTS / "ah-tk-20242025-595.txt")


@pytest.mark.parametrize("name, printed", [
    ("kv-tk-2020Z14556.txt", "en de Staatssecretaris van Financiën"),
    ("ah-tk-20142015-1365.txt", "en de Staatssecretaris van Veiligheid en Justitie"),
])
def test_a_post_glued_to_its_article(name: str, printed: str) -> None:
    # no published text with "deStaatssecretaris" was found; the closest real titles, with the slip the
    # extraction makes in the bundled texts ("en deEuropese"), give the same posts, and the repair is noted
    text = case(name)
    assert printed in text
    glued = parse(text.replace(printed, printed.replace("de Staats", "deStaats"), 1), name)
    assert labels(glued.addressed) == labels(parse(text, name).addressed)
    assert "'deStaatssecretaris' read as 'de Staatssecretaris' (a space lost in the extraction)" in glued.notes


def test_a_glued_aan_de_and_a_glued_word_that_is_no_post() -> None:
    text = case("kv-tk-2022Z06460.txt")
    doc = parse(text.replace("aan de Minister", "aan deMinister", 1), "kv-tk-2022Z06460.txt")
    assert labels(doc.addressed) == ["minister van Buitenlandse Zaken", "minister van Defensie"]
    # "hetMinisterie van Landbouw" (ah-tk-20242025-558, line 40) is a ministry, not a post
    line = read_text_file(TEXTS / "ah-tk-20242025-558.txt").split("\n")[39]
    assert "hetMinisterie van Landbouw" in line
    assert not any("Ministerie" in p.text for p in parse_text(read_text_file(TEXTS / "ah-tk-20242025-558.txt"),
                                                               SourceRef("texts/ah-tk-20242025-558.txt")).addressed)


# --------------------------------------------------------------------------- answer letters: "mede namens"


def _signature_reading(path: Path) -> _Header:
    """The "mede namens" of a letter's signature, read on its own (the heading's left out)."""
    text = read_docx(path)
    lines = _split_lines(text)
    _mark_headings(lines)
    _mark_question_starts(lines, [])
    header = _header_lines(text, lines, _first_mark(lines))
    flat = _flatten(text, [ln for ln in header if not any(p.match(ln.text) for p in _FRONT)])
    h = _Header()
    _on_behalf_in_signature(h, flat, flat.s.index("Antwoorden van"))
    return h


@pytest.mark.parametrize("name, addressed, answering, behalf", [
    ("beantwoording-kamervragen-van-het-lid-teunissen-pvdd-aan-de-minster-va.docx",
     ["minister van Justitie en Veiligheid", "minister van Landbouw, Visserij, Voedselzekerheid en Natuur"],
     "minister van Justitie en Veiligheid", ["minister van Landbouw, Visserij, Voedselzekerheid en Natuur"]),
    ("beantwoording-van-kamervragen-van-het-van-het-lid-beckerman-sp-aan-de.docx",
     ["staatssecretaris van Infrastructuur", "minister van Justitie en Veiligheid"],
     "minister van Justitie en Veiligheid", ["staatssecretaris van Infrastructuur en Waterstaat"]),
])
def test_an_answer_letter_to_two_posts_one_answering_on_behalf_of_the_other(name, addressed, answering, behalf) -> None:
    doc = parse_text(read_docx(DOCX / name), SourceRef(f"answers-docx/{name}"))
    assert labels(doc.addressed) == addressed
    assert doc.answering_post.label == answering
    assert labels(doc.on_behalf_of) == behalf
    # the signature ("Mede namens de Minister van B, / de Minister van A") is read on its own and agrees
    # with the heading; its last line (the signatory) is not one of those on whose behalf
    h = _signature_reading(DOCX / name)
    assert labels(h.on_behalf) == behalf
    assert any("read from the letter's signature" in n for n in h.notes)
    assert not any("the heading's are kept" in n for n in doc.notes)


def test_a_letter_without_mede_namens_has_none() -> None:
    h = _signature_reading(DOCX / "beantwoording-kamervragen-van-de-leden-temmink-en-van-nispen-sp-aan-de.docx")
    assert h.on_behalf == [] and h.notes == []


# --------------------------------------------------------------------------- "1." on a line of its own


def test_numbers_on_a_line_of_their_own_start_the_questions() -> None:
    # questions as a party published them on the day they were submitted (PvdA, 14 July 2003): "1." on a
    # line of its own, the question on the next line
    text = case("pvda-2003-07-14-vragen-ocw.txt")
    assert re.search(r"^1\.\s*$", text, re.M)
    doc = parse(text, "pvda-2003-07-14-vragen-ocw.txt")
    assert [q.number for q in doc.questions] == [1, 2, 3, 4, 5]
    assert doc.questions[2].text.startswith("Bent U bereid de Kamer te informeren")
    assert not any("numbered by their order" in n for n in doc.notes)  # the printed numbers, not the order
    assert [p.label for p in doc.addressed] == ["minister van Onderwijs, Cultuur en Wetenschappen"]  # as printed (noted)
    # without the blank lines (as a fresh question document prints them) the same questions, where
    # paragraphs alone would make one
    tight = re.sub(r"\n{2,}", "\n", text)
    assert [(q.number, q.text) for q in parse(tight, "x").questions] == [(q.number, q.text) for q in doc.questions]


# --------------------------------------------------------------------------- numbering as printed


def test_an_answer_number_printed_twice_and_one_skipped_are_kept_and_noted() -> None:
    # ah-tk-20242025-546 (bundled) with its "Antwoord 3" printed as "Antwoord 4"
    text = read_text_file(TEXTS / "ah-tk-20242025-546.txt")
    doc = parse(text, "texts/ah-tk-20242025-546.txt")
    assert not any(n.startswith("numbering as printed") for n in doc.notes)
    slipped = parse(re.sub(r"^Antwoord 3$", "Antwoord 4", text, count=1, flags=re.M), "texts/ah-tk-20242025-546.txt")
    assert [a.numbers for a in slipped.answers][:4] == [(1,), (2,), (4,), (4,)]  # as printed
    assert [a.text for a in slipped.answers] == [a.text for a in doc.answers]  # no text moved
    assert any(n.startswith("numbering as printed: answer number 4 is printed 2 times") for n in slipped.notes)
    assert "numbering as printed: answer numbers [3] are skipped in the answer headings; kept as printed" in slipped.notes
    assert slipped.confidence == "low"  # question 3 has no answer


def test_a_question_number_printed_twice_is_kept_as_printed() -> None:
    # ah-tk-20242025-559 (bundled) with its question and answer 4 printed under number 3 again
    text = read_text_file(TEXTS / "ah-tk-20242025-559.txt")
    doc = parse(text, "texts/ah-tk-20242025-559.txt")
    slipped = parse(_slip(text, 4, 3), "texts/ah-tk-20242025-559.txt")
    assert [q.number for q in slipped.questions] == [1, 2, 3, 3, 5, 6, 7, 8, 9, 10, 11, 12]  # as printed
    assert [a.numbers for a in slipped.answers][:5] == [(1,), (2,), (3,), (3,), (5,)]
    assert [q.text for q in slipped.questions] == [q.text for q in doc.questions]  # no text moved
    assert [a.text for a in slipped.answers] == [a.text for a in doc.answers]
    assert not any("renumbered" in n for n in slipped.notes)
    assert [n for n in slipped.notes if n.startswith(("numbering as printed", "question numbers missing"))] == [
        "numbering as printed: question number 3 is printed 2 times (lines 19, 27); kept as printed, "
        "the later questions identified as '3-2'",
        "question numbers missing from the sequence: [4]",
        "numbering as printed: answer number 3 is printed 2 times (lines 24, 30); kept as printed",
        "numbering as printed: answer numbers [4] are skipped in the answer headings; kept as printed",
    ]
    assert doc.confidence == "high" and slipped.confidence == "low"


def _slip(text: str, number: int, printed: int) -> str:
    """``text`` with the headings "Vraag {number}" and "Antwoord {number}" printed as ``printed``."""
    for word in ("Vraag", "Antwoord"):
        text = re.sub(rf"^{word} {number}$", f"{word} {printed}", text, count=1, flags=re.M)
    return text


def _dataset(doc: TextDocument) -> Dataset:
    """``doc``'s own graph (its parts described, the Kamervraag described elsewhere)."""
    rt = ResolvedText(doc, "2024Z17370", "zaaknummer", publication_key(doc), (), (), None, None, ())
    ds = Dataset()
    ds.parse(data=map_text(rt, IRIS).nquads, format="nquads")
    return ds


def _graph(doc: TextDocument) -> set[tuple]:
    return {(s, p, o) for s, p, o, _g in _dataset(doc).quads()}


KV = "https://kamergraph.nl/id/kamervraag/2024Z17370"


def test_parts_printed_under_one_number_are_told_apart_in_the_graph() -> None:
    # the same slip: the graph is the text's graph with question and answer 4 named '3-2' (their
    # number as printed), footnote 1 still with the question that holds its marker, and the notes
    text = read_text_file(TEXTS / "ah-tk-20242025-559.txt")
    original = _graph(parse(text, "texts/ah-tk-20242025-559.txt"))
    slipped = _graph(parse(_slip(text, 4, 3), "texts/ah-tk-20242025-559.txt"))
    names = {f"{KV}/vraag/4": f"{KV}/vraag/3-2", f"{KV}/antwoord/4": f"{KV}/antwoord/3-2"}

    def renamed(x):
        if isinstance(x, URIRef):
            for old, new in names.items():
                if str(x) == old or str(x).startswith(old + "/"):
                    return URIRef(new + str(x)[len(old):])
        return x

    def expected(t: tuple) -> tuple:
        s, p, o = (renamed(x) for x in t)
        if p == URIRef(T.vraagnummer) and s == URIRef(f"{KV}/vraag/3-2"):
            o = Literal(3)
        elif p == URIRef(T.ruwe_tekst):
            o = Literal(_slip(str(o), 4, 3))
        return s, p, o

    own = {URIRef(T.zekerheid), URIRef(T.comment)}
    assert {t for t in slipped if t[1] not in own} == {expected(t) for t in original if t[1] not in own}
    answers = lambda g, a: {o for s, p, o in g if s == URIRef(f"{KV}/antwoord/{a}") and p == URIRef(T.beantwoordt)}
    assert answers(slipped, "3") == {URIRef(f"{KV}/vraag/3")}
    assert answers(slipped, "3-2") == {URIRef(f"{KV}/vraag/3-2")}  # the question 3 printed last before it
    assert (URIRef(f"{KV}/vraag/3-2"), URIRef(T.voetnoot), URIRef(PUB + "/voetnoot/1")) in slipped
    notes = {(s, o) for s, p, o in slipped if p == URIRef(T.comment)}
    assert notes == {(URIRef(PUB), Literal(text, lang=lang)) for lang, text in (
        ("nl", "Vraagnummer 3 staat meer dan eens afgedrukt; zo overgenomen, de latere als 3-2 enzovoort."),
        ("en", "Question number 3 is printed more than once; kept as printed, the later ones as 3-2 and so on."),
        ("nl", "Vraagnummer 4 ontbreekt in de nummering van de vragen."),
        ("en", "Question number 4 is missing from the numbering of the questions."),
        ("nl", "Antwoordnummer 3 staat meer dan eens afgedrukt; zo overgenomen."),
        ("en", "Answer number 3 is printed more than once; kept as printed."),
        ("nl", "Antwoordnummer 4 wordt overgeslagen in de antwoorden; zo overgenomen."),
        ("en", "Answer number 4 is skipped in the answers; kept as printed."),
    )}
    assert not any(p == URIRef(T.comment) for s, p, o in original)
    assert (URIRef(PUB), URIRef(T.zekerheid), Literal("laag")) in slipped


PUB = "https://kamergraph.nl/id/publicatie/ah-tk-20242025-559"


def test_an_answer_printed_under_a_later_number_answers_that_number() -> None:
    # ah-tk-20242025-546 with its "Antwoord 3" printed as "Antwoord 4": two answers 4 ('4', '4-2'), each
    # answering question 4 as printed (none the question in the same position), question 3 answered by none
    text = read_text_file(TEXTS / "ah-tk-20242025-546.txt")
    slipped = parse(re.sub(r"^Antwoord 3$", "Antwoord 4", text, count=1, flags=re.M), "texts/ah-tk-20242025-546.txt")
    g = _graph(slipped)
    kv = URIRef(KV)
    answers = sorted(str(o) for s, p, o in g if s == kv and p == URIRef(T.heeft_antwoord))
    assert answers == [f"{KV}/antwoord/{k}" for k in ("1", "2", "4", "4-2", "5", "6")]
    answered = {(str(s), str(o)) for s, p, o in g if p == URIRef(T.beantwoordt)}
    assert (f"{KV}/antwoord/4", f"{KV}/vraag/4") in answered and (f"{KV}/antwoord/4-2", f"{KV}/vraag/4") in answered
    assert not any(o.endswith("/vraag/3") for _s, o in answered)
    notes = {str(o) for s, p, o in g if p == URIRef(T.comment)}
    assert notes == {"Antwoordnummer 4 staat meer dan eens afgedrukt; zo overgenomen.",
                     "Answer number 4 is printed more than once; kept as printed.",
                     "Antwoordnummer 3 wordt overgeslagen in de antwoorden; zo overgenomen.",
                     "Answer number 3 is skipped in the answers; kept as printed."}
    # two answers, two resources: the shapes find nothing the text's own graph does not have (one
    # resource for both had two texts, spans and raw texts)
    original = parse(text, "texts/ah-tk-20242025-546.txt")
    assert validate(_dataset(slipped)).by_shape() == validate(_dataset(original)).by_shape()
