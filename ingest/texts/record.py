"""The record of a published text (:func:`parse_text`): the steps header → lines → footnotes →
question/answer blocks put together, the clean texts and citations of every question, answer and
footnote, and the confidence."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Container

from ingest.citations.finder import find_citations
from ingest.errors import ParseError
from ingest.records import Answer, Footnote, Question, SourceRef, Span, TextDocument
from ingest.texts.blocks import (
    _Block, _group_answers, _headed_blocks, _note_answer_numbering, _number_questions, _paragraph_blocks, _question_spans,
)
from ingest.texts.clean import clean_text
from ingest.texts.footnotes import _FN, _add_unprinted_footnotes, _find_footnotes, _find_markers, _word_footnotes
from ingest.texts.header import _Header, _header_lines, _read_header
from ingest.texts.letter import _kind, _printed_ids, _publication_id, _submission_in_notice, _zaak_in_letter_head
from ingest.texts.lines import _FN_START, _first_mark, _Line, _mark_headings, _mark_question_starts, _split_lines


def parse_text(text: str, source: SourceRef, known_ids: Container[str] = ()) -> TextDocument:
    """Parse one published text (questions, answers or a postponement notice) into a record.

    ``source`` names the file (used in errors); ``known_ids`` are the official publication ids
    (``kv-tk-…``, ``ah-tk-…``) against which a printed id is checked and repaired (the one known
    id within edit distance 1). Raises :class:`ParseError` naming the file and the line for an
    empty text, a binary one and one with neither a recognisable header nor any question.

    The body is only the parser's steps in their order (lines and ids → footnotes → header → blocks →
    record), each a function of its own; at some 60 lines it is kept whole, so that the order of
    the steps, and what each hands to the next, can be read in one place.
    """
    _check_text(text, source.file)
    notes: list[str] = []
    # lines, ids and footnotes
    lines = _split_lines(text)
    printed_id, zaak = _printed_ids(text, lines, notes)
    word_fns = _word_footnotes(text, lines)
    fns = _find_footnotes(lines, notes)
    _mark_headings(lines)
    _find_markers(text, lines, fns, notes)
    _mark_question_starts(lines, [f.marker[0] for f in fns if f.marker])
    # the header
    first_mark = _first_mark(lines)
    header_lines = _header_lines(text, lines, first_mark)
    h, hflat = _read_header(text, header_lines)
    notes += h.notes
    if zaak is None:
        zaak = _zaak_in_letter_head(text, header_lines, notes)
    if h.submitted is None:
        h.submitted = _submission_in_notice(text, h.received, header_lines, notes)
    kind = _kind(text, hflat.s, lines, printed_id)
    pub, pub_printed, zaak, low = _publication_id(text, printed_id, zaak, kind, h.received or h.submitted, known_ids, notes)
    # question and answer blocks
    if first_mark is None:
        blocks = _paragraph_blocks(lines, header_lines, kind, notes)
    else:
        blocks = _headed_blocks(lines, first_mark)
    low = _number_questions(blocks, notes) or low
    _note_answer_numbering(blocks, notes)
    low = _group_answers(blocks, kind, notes) or low
    fns = _add_unprinted_footnotes(text, _question_spans(blocks), fns, word_fns, notes)
    # the record
    on_day = h.received or h.submitted
    questions, answers, fn_question = _parts(text, blocks, fns, on_day, notes)
    footnotes = _footnote_records(text, fns, fn_question, on_day, notes)
    low = _check_parts(source.file, lines, h, kind, hflat.s, questions, answers, notes) or low
    return TextDocument(
        source=source,
        kind=kind,  # type: ignore[arg-type]
        publication_id=pub,
        publication_id_printed=pub_printed,
        zaak=zaak,
        subject=h.subject,
        submitted=h.submitted,
        received=h.received,
        askers=tuple(h.askers),
        addressed=tuple(h.addressed),
        answering_person=h.person,
        answering_post=h.post,
        on_behalf_of=tuple(h.on_behalf),
        questions=tuple(questions),
        answers=tuple(answers),
        footnotes=tuple(footnotes),
        notes=tuple(dict.fromkeys(notes)),
        confidence="low" if low else "high",
        text=text,
    )


def _check_text(text: str, file: str) -> None:
    """Raises :class:`ParseError` for what is no text: not a ``str``, empty, or binary (a NUL byte)."""
    if not isinstance(text, str):
        raise ParseError(file, None, f"expected text, got {type(text).__name__}")
    if not text.strip():
        raise ParseError(file, 1, "the text is empty")
    if "\x00" in text:
        raise ParseError(file, text.count("\n", 0, text.index("\x00")) + 1, "binary content (NUL byte) in the text")


def _citations(text: str, sp: Span, on: dt.date | None, notes: list[str]) -> tuple:
    """Citations in ``text[sp]`` with spans into the full text (:func:`ingest.citations.finder.find_citations`)."""
    try:
        return tuple(find_citations(text[sp.start: sp.end], offset=sp.start, on=on))
    except TypeError:
        try:
            return tuple(find_citations(text[sp.start: sp.end], offset=sp.start))
        except Exception as exc:  # pragma: no cover
            notes.append(f"citations not read: {type(exc).__name__}: {exc}")
            return ()
    except Exception as exc:  # a bug in the finder must not stop the parse
        notes.append(f"citations not read at {sp.start}-{sp.end}: {type(exc).__name__}: {exc}")
        return ()


def _block_parts(text: str, b: _Block, excluded: list[tuple[int, int]]) -> list[str]:
    """The source pieces of a block's text (its heading's inline text, then its content lines),
    each with the footnote markers (``excluded``: source ranges) cut out."""
    parts: list[str] = []
    segs: list[tuple[int, int]] = []
    if b.inline:
        segs.append(b.inline)
    for ln in b.lines:
        if ln.kind in ("footer", "footnote", "blank"):
            continue
        segs.append((ln.start, ln.end))
    for a, z in segs:
        s = text[a:z]
        for ea, ez in sorted(excluded, reverse=True):
            if a <= ea and ez <= z:
                s = s[: ea - a] + s[ez - a:]
        parts.append(s)
    return parts


def _block_span(b: _Block) -> Span:
    """A block's source range: from its heading or first content line to its last one."""
    starts = [b.head.start] if b.head else []
    ends = [b.head.end] if b.head else []
    content = [ln for ln in b.lines if ln.kind not in ("blank", "footer", "footnote")]
    if content:
        starts.append(content[0].start)
        ends.append(content[-1].end)
    if not starts:
        return Span(0, 0)
    return Span(min(starts), max(ends))


def _parts(
    text: str, blocks: list[_Block], fns: list[_FN], on_day: dt.date | None, notes: list[str]
) -> tuple[list[Question], list[Answer], dict[int, int]]:
    """The questions and answers of the blocks, with their clean texts, the footnote markers in each
    question and their citations (read as on ``on_day``); and which question each footnote belongs
    to (the first one holding its marker)."""
    excluded: list[tuple[int, int]] = [f.marker for f in fns if f.marker]
    questions: list[Question] = []
    answers: list[Answer] = []
    fn_question: dict[int, int] = {}
    for b in blocks:
        sp = _block_span(b)
        clean = clean_text(_block_parts(text, b, excluded), text)
        cites = _citations(text, sp, on_day, notes)
        if b.kind == "q":
            markers = tuple(f.number for f in fns if f.marker and sp.start <= f.marker[0] < sp.end)
            for n in b.numbers:
                questions.append(Question(n, clean, text[sp.start: sp.end], sp, markers, cites))
            for fnum in markers:
                fn_question.setdefault(fnum, b.numbers[0])
        else:
            answers.append(Answer(tuple(b.numbers), clean, text[sp.start: sp.end], sp, cites))
    if any(b.kind == "q" and len(b.numbers) > 1 for b in blocks):
        notes.append("some questions are printed together under one heading ('Vraag 2 en 3'); each number shares the text")
    return questions, answers, fn_question


def _footnote_records(
    text: str, fns: list[_FN], fn_question: dict[int, int], on_day: dt.date | None, notes: list[str]
) -> list[Footnote]:
    """The footnotes with their clean texts and citations; a footnote whose text is lost is its
    reference alone."""
    footnotes: list[Footnote] = []
    for f in fns:
        if not f.lines:  # the text is lost: the footnote is its reference
            sp = Span(*f.marker) if f.marker else Span(0, 0)
            footnotes.append(Footnote(f.number, "", sp, fn_question.get(f.number), ()))
            continue
        first = f.lines[0]
        if f.rest is not None:
            rest_start = f.rest
        else:
            m = _FN_START.match(first.text)
            rest_start = first.start + (m.start("rest") if m else 0)
        parts = [text[rest_start: first.end]] + [ln.text for ln in f.lines[1:]]
        sp = Span(first.start, f.lines[-1].end)
        ftext = clean_text(parts, text)
        footnotes.append(Footnote(f.number, ftext, sp, fn_question.get(f.number), _citations(text, sp, on_day, notes)))
    return footnotes


def _check_parts(
    file: str, lines: list[_Line], h: _Header, kind: str, head_text: str,
    questions: list[Question], answers: list[Answer], notes: list[str],
) -> bool:
    """What the record lacks: raises :class:`ParseError` for a text with neither a header nor a
    question, or (not a notice, not oral questions) without any question; notes the rest. Returns
    whether the confidence drops."""
    low = False
    if not h.found:
        if not questions and not answers:
            first_text = next((ln for ln in lines if ln.kind != "blank"), lines[0])
            raise ParseError(file, first_text.no, "no recognisable header ('Vragen van …', 'Antwoord van …', 'Mededeling van …') and no questions")
        notes.append("no recognisable header ('Vragen van …', 'Antwoord van …'); header facts are missing")
        low = True
    oral = bool(re.search(r"Mondelinge", head_text))  # oral questions: the publication is a title only
    if kind != "uitstel" and not questions and not answers and not oral:
        first_text = next((ln for ln in lines if ln.kind != "blank"), lines[0])
        raise ParseError(file, first_text.no, "no question in the text: a text of written questions or answers "
                         "holds at least one ('Vraag 1 …', a numbered paragraph, or a paragraph with a '?')")
    if kind == "vragen" and not questions and not oral:
        notes.append("no questions found")
        low = True
    if kind == "antwoord" and questions and not answers:
        notes.append("an answer text without any answer heading")
        low = True
    elif kind == "antwoord" and questions:
        unanswered = sorted({q.number for q in questions} - {n for a in answers for n in a.numbers})
        if unanswered:
            notes.append(f"questions without an answer heading: {unanswered} (their answers, if any, stay in the question text)")
            low = True
    if h.found and kind == "vragen" and h.submitted is None:
        notes.append("no submission date ('ingezonden …') found")
    if kind != "uitstel" and not h.askers and h.found:
        notes.append("no askers found in the header")
    return low
