"""Each step of the text parser on its own, on real texts from data/texts and data/answers-docx:
lines, ids, footnotes and markers, question starts, the header, the kind and publication id, the
question/answer blocks, their numbering and grouping, and the record's parts and checks.

``prepared`` runs the steps before the one under test in parse_text's order, so each test sees its
step's input as parse_text gives it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.errors import ParseError
from ingest.sources.koop import read_publication_ids
from ingest.sources.text import read_docx, read_text_file
from ingest.texts.blocks import _Block, _group_answers, _headed_blocks, _number_questions, _paragraph_blocks, _question_spans
from ingest.texts.footnotes import _FN, _add_unprinted_footnotes, _find_footnotes, _find_markers, _word_footnotes
from ingest.texts.header import _Flat, _Header, _header_lines, _read_header
from ingest.texts.letter import _derived_id, _kind, _printed_ids, _repair_printed_id
from ingest.texts.lines import _first_mark, _Line, _mark_headings, _mark_question_starts, _split_lines
from ingest.texts.record import _check_parts, _footnote_records, _parts

DATA = Path(__file__).resolve().parents[2] / "data"
TEXTS = DATA / "texts"
SEED = TEXTS / "seed" / "kv-tk-2019Z15231.txt"
DOCX = DATA / "answers-docx"


@pytest.fixture(scope="module")
def known_ids() -> frozenset[str]:
    return read_publication_ids(DATA / "koop" / "parliamentary-ids.txt.xz")


@dataclass
class Prepared:
    text: str
    lines: list[_Line]
    printed_id: str | None
    zaak: str | None
    word_fns: list[_FN]
    fns: list[_FN]
    first_mark: int | None
    header_lines: list[_Line]
    h: _Header
    hflat: _Flat
    kind: str
    notes: list[str]

    def blocks(self) -> list[_Block]:
        if self.first_mark is None:
            return _paragraph_blocks(self.lines, self.header_lines, self.kind, [])
        return _headed_blocks(self.lines, self.first_mark)

    def kinds(self, kind: str) -> list[int]:
        return [ln.no for ln in self.lines if ln.kind == kind]


def read(path: Path) -> str:
    return read_docx(path) if path.suffix == ".docx" else read_text_file(path)


def prepared(path: Path) -> Prepared:
    """The steps up to the blocks, as parse_text runs them."""
    text = read(path)
    notes: list[str] = []
    lines = _split_lines(text)
    printed_id, zaak = _printed_ids(text, lines, notes)
    word_fns = _word_footnotes(text, lines)
    fns = _find_footnotes(lines, notes)
    _mark_headings(lines)
    _find_markers(text, lines, fns, notes)
    _mark_question_starts(lines, [f.marker[0] for f in fns if f.marker])
    first_mark = _first_mark(lines)
    header_lines = _header_lines(text, lines, first_mark)
    h, hflat = _read_header(text, header_lines)
    return Prepared(text, lines, printed_id, zaak, word_fns, fns, first_mark, header_lines, h, hflat,
                    _kind(text, hflat.s, lines, printed_id), notes)


# --------------------------------------------------------------------------- lines


def test_lines_keep_their_place_and_page_furniture_is_found() -> None:
    text = read(SEED)
    lines = _split_lines(text)
    assert [ln.no for ln in lines] == list(range(1, text.count("\n") + 2))
    assert all(text[ln.start: ln.end] == ln.text for ln in lines)
    assert [ln.no for ln in lines if ln.kind == "footer"] == [39, 40]
    assert all(not ln.text.strip() for ln in lines if ln.kind == "blank")
    assert lines[38].text.startswith("kv-tk-2019Z215231") and "s-Gravenhage 2019" in lines[39].text


def test_headings_are_marked() -> None:
    p = prepared(TEXTS / "ah-tk-20242025-558.txt")
    assert p.kinds("qhead")[:5] == [12, 17, 26, 31, 35]
    assert p.kinds("ahead")[:4] == [15, 19, 29, 33]
    assert p.lines[25].text.startswith("Vraag 3 en 4") and p.lines[28].text.startswith("Antwoord 3 en 4")
    assert p.first_mark == 11  # the header ends before "Vraag 1"


def test_bare_numbers_start_questions_where_no_heading_does() -> None:
    p = prepared(TEXTS / "doc-antwoord-op-vragen-van-het-lid-beckerman.txt")
    assert p.kinds("qbare") == [6, 12, 20, 27, 35, 42, 50] and not p.kinds("qhead")
    assert all(p.lines[n - 1].text.strip() == str(i) for i, n in enumerate(p.kinds("qbare"), start=1))
    # with "Vraag N" headings no numbered paragraph or bare number is a question start
    seed = prepared(SEED)
    assert not seed.kinds("qbare") and not seed.kinds("qnum")


# --------------------------------------------------------------------------- ids


def test_printed_ids() -> None:
    p = prepared(SEED)
    assert (p.printed_id, p.zaak) == ("kv-tk-2019Z215231", None)  # the footer's slip, as printed
    nordkamp = prepared(TEXTS / "doc-antwoord-op-vragen-van-het-lid-nordkamp.txt")
    assert (nordkamp.printed_id, nordkamp.zaak) == (None, "2024Z17972")
    assert "Zaak number printed as '2024Z 17972'; read as 2024Z17972" in nordkamp.notes


def test_a_printed_id_is_repaired_to_the_one_official_id_within_edit_distance_1(known_ids) -> None:
    notes: list[str] = []
    assert _repair_printed_id("kv-tk-2019Z215231", known_ids, notes) == ("kv-tk-2019Z15231", "kv-tk-2019Z215231", False)
    assert notes == ["publication id printed as 'kv-tk-2019Z215231'; repaired to 'kv-tk-2019Z15231' "
                     "(the one official id within edit distance 1)"]
    assert _repair_printed_id("ah-tk-20242025-558", known_ids, notes) == ("ah-tk-20242025-558", None, False)
    assert _repair_printed_id("kv-tk-1999Z99999", known_ids, notes) == ("kv-tk-1999Z99999", None, False)
    assert notes[-1] == "publication id 'kv-tk-1999Z99999' is not in the official id list"
    assert _repair_printed_id("kv-tk-2019Z215231", (), []) == ("kv-tk-2019Z215231", None, False)  # no list: as printed


def test_derived_ids(known_ids) -> None:
    p = prepared(TEXTS / "doc-uitstel-beantwoording-vragen-van-de-lede.txt")
    notes: list[str] = []
    on = p.h.received or p.h.submitted
    assert _derived_id(p.text, on, p.zaak, p.kind, known_ids, notes) == "ah-tk-20242025-615"
    assert notes == [f"publication id 'ah-tk-20242025-615' derived from 'AH 615' and the date {on.isoformat()}"]
    assert _derived_id(p.text, on, p.zaak, p.kind, frozenset({"ah-tk-20242025-616"}), []) is None  # not official
    q = prepared(TEXTS / "doc-de-ontbossingswet.txt")
    assert _derived_id(q.text, None, q.zaak, q.kind, known_ids, []) == f"kv-tk-{q.zaak}"
    assert _derived_id(q.text, None, q.zaak, q.kind, frozenset(), []) is None


def test_kind() -> None:
    assert prepared(SEED).kind == "vragen"
    assert prepared(TEXTS / "ah-tk-20242025-558.txt").kind == "antwoord"
    assert prepared(TEXTS / "doc-uitstel-beantwoording-vragen-van-de-lede.txt").kind == "uitstel"
    assert prepared(DOCX / "beantwoording-kamervragen-van-het-lid-teunissen-pvdd-aan-de-minster-va.docx").kind == "antwoord"


# --------------------------------------------------------------------------- footnotes


def test_typed_footnotes_and_their_garbled_markers() -> None:
    p = prepared(SEED)
    assert [(f.number, [ln.no for ln in f.lines], f.origin) for f in p.fns] == [
        (1, [36, 37], "typed"), (2, [74], "typed"), (3, [75, 76], "typed")]
    assert p.kinds("footnote") == [36, 37, 74, 75, 76]
    assert [p.text[f.marker[0]: f.marker[1]] for f in p.fns if f.marker] == ["’", "?", "?"]
    assert p.notes == ["footnote 1: its number is garbled in the text (\"'\")",
                       "footnote 1: marker read from a garbled character '’'",
                       "footnote 2: marker read from a garbled character '?'",
                       "footnote 3: marker read from a garbled character '?'"]


def test_a_footnote_number_glued_to_a_year() -> None:
    p = prepared(TEXTS / "ah-tk-20242025-583.txt")
    fn2 = next(f for f in p.fns if f.number == 2)
    assert fn2.rest is not None and p.text[fn2.rest:].startswith("2023 Annual")
    assert any(n.startswith("footnote 2: its number is glued to a year ('22023 Annual')") for n in p.notes)


def test_word_footnotes_are_numbered_after_the_typed_ones() -> None:
    p = prepared(DOCX / "beantwoording-kamervragen-van-het-lid-teunissen-pvdd-aan-de-minster-va.docx")
    assert [f.number for f in p.fns] == [1, 2, 3] and [f.number for f in p.word_fns] == [1, 2]
    assert all(p.text[f.marker[0]: f.marker[1]] == f"[^{f.number}]" for f in p.word_fns if f.marker)
    notes: list[str] = []
    fns = _add_unprinted_footnotes(p.text, _question_spans(p.blocks()), p.fns, p.word_fns, notes)
    assert [(f.number, f.origin) for f in fns] == [(1, "typed"), (2, "typed"), (3, "typed"), (4, "word"), (5, "word")]
    assert notes == ["Word footnote 1 numbered 4, after the 3 footnotes typed in the text",
                     "Word footnote 2 numbered 5, after the 3 footnotes typed in the text"]


def test_references_whose_footnote_text_is_lost() -> None:
    p = prepared(TEXTS / "doc-antwoord-op-vragen-van-het-lid-slagt-tic.txt")
    assert p.fns == [] and p.word_fns == []
    notes: list[str] = []
    fns = _add_unprinted_footnotes(p.text, _question_spans(p.blocks()), p.fns, p.word_fns, notes)
    assert [(f.number, p.text[f.marker[0]: f.marker[1]], f.origin, f.lines) for f in fns] == [  # type: ignore[index]
        (1, "1)", "lost", []), (2, "2)", "lost", [])]
    assert notes == ["footnote 1: reference '1)' found, but its text is not in the text",
                     "footnote 2: reference '2)' found, but its text is not in the text"]


# --------------------------------------------------------------------------- the header


def test_header_area() -> None:
    p = prepared(SEED)
    assert p.header_lines == p.lines[:p.first_mark]
    notice = prepared(TEXTS / "doc-uitstel-beantwoording-vragen-van-de-lede.txt")
    assert notice.first_mark is None and notice.header_lines == notice.lines  # a notice names the askers in its body
    plain = prepared(TEXTS / "doc-de-ontbossingswet.txt")
    assert plain.first_mark is None and [ln.no for ln in plain.header_lines] == [1, 2, 3, 4, 5]


def test_header_facts() -> None:
    h = prepared(SEED).h
    assert h.found and [(a.name, a.fractie) for a in h.askers] == [("Van Ojik", "GroenLinks"), ("Diks", "GroenLinks")]
    assert [m.label for m in h.addressed] == ["minister van Buitenlandse Zaken",
                                             "minister voor Buitenlandse Handel en Ontwikkelingssamenwerking"]
    assert h.subject == "de export van cybersurveillance technologie"
    assert (h.submitted, h.received, h.person, h.post) == (dt.date(2019, 7, 18), None, None, None)
    answer = prepared(TEXTS / "ah-tk-20242025-594.txt").h
    assert answer.person == "Agema" and answer.post is not None
    assert answer.post.label == "minister van Volksgezondheid, Welzijn en Sport"
    assert (answer.submitted, answer.received) == (dt.date(2024, 10, 30), dt.date(2024, 11, 19))


def test_addressees_from_the_letter_head() -> None:
    p = prepared(DOCX / "beantwoording-kamervragen-van-het-lid-teunissen-pvdd-aan-de-minster-va.docx")
    assert "the addressees are read from the letter head's statement of the title" in p.h.notes
    assert p.h.addressed


# --------------------------------------------------------------------------- blocks


def test_headed_blocks() -> None:
    p = prepared(TEXTS / "ah-tk-20242025-558.txt")
    blocks = p.blocks()
    assert [(b.kind, b.numbers) for b in blocks] == [
        ("q", [1]), ("a", [1]), ("q", [2]), ("a", [2]), ("q", [3, 4]), ("a", [3, 4]), ("q", [5, 6]), ("a", [5, 6]),
        ("q", [7]), ("a", [7])]
    assert all(b.head is not None and b.head.kind == ("qhead" if b.kind == "q" else "ahead") for b in blocks)
    assert [ln.no for ln in blocks[0].lines] == [13, 14]


def test_paragraph_blocks() -> None:
    p = prepared(TEXTS / "doc-de-ontbossingswet.txt")
    notes: list[str] = []
    blocks = _paragraph_blocks(p.lines, p.header_lines, p.kind, notes)
    assert [(b.kind, b.numbers, b.head, [ln.no for ln in b.lines]) for b in blocks] == [
        ("q", [n], None, [5 + 2 * n]) for n in range(1, 8)]
    assert notes == ["the questions are not numbered in the text; numbered by their order"]
    notice = prepared(TEXTS / "doc-uitstel-beantwoording-vragen-van-de-lede.txt")
    assert _paragraph_blocks(notice.lines, notice.header_lines, notice.kind, notes) == []


def test_numbering_keeps_a_repeated_heading_as_printed_and_notes_gaps() -> None:
    blocks = prepared(SEED).blocks()
    notes: list[str] = []
    assert _number_questions(blocks, notes) is False and notes == []
    blocks[2].numbers = [2]  # "Vraag 3" printed as "Vraag 2"
    assert _number_questions(blocks, notes) is True
    assert [b.numbers for b in blocks if b.kind == "q"][:4] == [[1], [2], [2], [4]]  # as printed
    assert notes == ["numbering as printed: question number 2 is printed 2 times (lines 10, 18); kept as printed, "
                     "the later questions identified as '2-2'",
                     "question numbers missing from the sequence: [3]"]
    del blocks[2]
    notes.clear()
    assert _number_questions(blocks, notes) is True and notes == ["question numbers missing from the sequence: [3]"]


def test_answers_without_numbers_answer_the_questions_before() -> None:
    p = prepared(TEXTS / "doc-antwoord-op-vragen-van-het-lid-beckerman.txt")
    blocks = p.blocks()
    assert [b.numbers for b in blocks if b.kind == "a"][:2] == [[], []]  # "Antwoord" without a number
    notes: list[str] = []
    assert _group_answers(blocks, p.kind, notes) is False and notes == []
    assert [b.numbers for b in blocks if b.kind == "a"] == [[n] for n in range(1, 8)]


def test_questions_without_an_answer_heading_get_the_paragraphs_after_them() -> None:
    p = prepared(DOCX / "beantwoording-van-kamervragen-van-de-leden-mutluer-pvda-en-ellemeet-gr.docx")
    blocks = p.blocks()
    _number_questions(blocks, [])
    notes: list[str] = []
    assert _group_answers(blocks, p.kind, notes) is True
    assert [(b.kind, b.numbers, b.head is None) for b in blocks if b.numbers[0] in (5, 6)] == [
        ("q", [5], False), ("a", [5], True), ("q", [6], False), ("a", [6], True)]
    assert notes == ["questions [5, 6] have no answer heading; the paragraphs after each question are read as its answer"]
    # a question text is grouped so only in an answer text
    again = p.blocks()
    assert _group_answers(again, "vragen", []) is False and all(b.head is not None for b in again)


# --------------------------------------------------------------------------- the record


def test_parts_and_footnote_records() -> None:
    p = prepared(SEED)
    blocks = p.blocks()
    notes: list[str] = []
    fns = _add_unprinted_footnotes(p.text, _question_spans(blocks), p.fns, p.word_fns, notes)
    questions, answers, fn_question = _parts(p.text, blocks, fns, p.h.submitted, notes)
    assert [q.number for q in questions] == list(range(1, 11)) and answers == []
    assert fn_question == {1: 1, 2: 7, 3: 10}
    assert all(p.text[q.span.start: q.span.end] == q.raw for q in questions)
    assert "?," not in questions[9].text and "VGEM, bij" in questions[9].text  # the garbled marker is cut out
    footnotes = _footnote_records(p.text, fns, fn_question, p.h.submitted, notes)
    assert [(f.number, f.question) for f in footnotes] == [(1, 1), (2, 7), (3, 10)]
    assert footnotes[1].text == "Kamerstuk 22 112, nr. 2686"
    assert [c.target for c in footnotes[1].citations] == ["kst-22112-2686"]


def test_checks_of_the_record() -> None:
    p = prepared(TEXTS / "ah-tk-20242025-558.txt")
    blocks = p.blocks()
    questions, answers, _ = _parts(p.text, blocks, p.fns, p.h.received, [])
    notes: list[str] = []
    assert _check_parts("t.txt", p.lines, p.h, p.kind, p.hflat.s, questions, answers, notes) is False and notes == []
    assert _check_parts("t.txt", p.lines, p.h, p.kind, p.hflat.s, questions, [], notes) is True
    assert notes == ["an answer text without any answer heading"]
    assert _check_parts("t.txt", p.lines, p.h, p.kind, p.hflat.s, questions, answers[1:], notes) is True
    assert notes[-1] == "questions without an answer heading: [1] (their answers, if any, stay in the question text)"
    with pytest.raises(ParseError, match="no question in the text") as exc:
        _check_parts("t.txt", p.lines, p.h, p.kind, p.hflat.s, [], [], [])
    assert exc.value.line == 1
    with pytest.raises(ParseError, match="no recognisable header"):
        _check_parts("t.txt", p.lines, _Header(), p.kind, p.hflat.s, [], [], [])
    oral = prepared(TEXTS / "kv-tk-2024Z18775.txt")  # oral questions: a title only
    assert _check_parts("t.txt", oral.lines, oral.h, oral.kind, oral.hflat.s, [], [], []) is False
