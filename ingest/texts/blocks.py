"""The body of a published text as question and answer blocks: the lines under each heading (or
numbered paragraph, or unnumbered paragraph with a question mark), the questions numbered, and each
answer given the questions it answers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.records import Span
from ingest.texts.lines import _AHEAD, _BARE_MARKERS, _BARENUM, _NUMPAR, _QHEAD, _Line, _nums

@dataclass
class _Block:
    kind: str  # "q" | "a"
    numbers: list[int]
    head: _Line | None
    lines: list[_Line]
    inline: tuple[int, int] | None = None  # inline text on the heading line (source range)


_QUESTION_END = re.compile(r"\?\s*(?:[’'”»]\s*)?(?:\d{1,2}\)|\[\^?\d{1,2}\]|\(\d{1,2}\)|\s)*$")


def _split_unheaded_answers(blocks: list[_Block], notes: list[str]) -> list[int]:
    """An answer text where some questions have no answer heading ("Vraag 5 … ?" followed straight by
    the answer): the paragraphs after the question's last line ending in "?" are its answer.

    Only for questions that no answer heading covers, and only when there is text after the question.
    """
    answered = {n for b in blocks if b.kind == "a" for n in b.numbers}
    split: list[int] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if b.kind == "q" and b.numbers and not set(b.numbers) & answered:
            content = [k for k, ln in enumerate(b.lines) if ln.kind not in ("blank", "footer", "footnote")]
            qend = next((k for k in reversed(content) if _QUESTION_END.search(b.lines[k].text)), None)
            if qend is None and b.inline and _QUESTION_END.search(b.head.text if b.head else ""):
                qend = -1  # the question stands on the heading line ("1. Kent u …?")
            if qend is not None:
                rest = [ln for ln in b.lines[qend + 1:] if ln.kind not in ("footer", "footnote")]
                if any(ln.kind != "blank" and not _BARE_MARKERS.match(ln.text) and re.search(r"[^\W\d_]{2}", ln.text) for ln in rest):
                    blocks.insert(i + 1, _Block("a", list(b.numbers), None, b.lines[qend + 1:]))
                    b.lines = b.lines[: qend + 1]
                    split.extend(b.numbers)
                    i += 1
        i += 1
    if split:
        notes.append(f"questions {split} have no answer heading; the paragraphs after each question are read as its answer")
    return split


def _heading_block(ln: _Line) -> _Block:
    """The block a heading line opens: "Vraag 2 en 3: …", "1. Kent u …", a bare "1", "Antwoord 2"."""
    if ln.kind == "qhead":
        m = _QHEAD.match(ln.text)
        nums = _nums(m.group("nums"))  # type: ignore[union-attr]
        rest = m.group("rest") if m else None  # type: ignore[union-attr]
        inline = (ln.start + m.start("rest"), ln.start + m.end("rest")) if rest else None  # type: ignore[union-attr]
        return _Block("q", nums, ln, [], inline)
    if ln.kind == "qnum":
        m = _NUMPAR.match(ln.text)
        return _Block("q", [int(m.group("n"))], ln, [], (ln.start + m.start("rest"), ln.end))  # type: ignore[union-attr]
    if ln.kind == "qbare":
        return _Block("q", [int(_BARENUM.match(ln.text).group("n"))], ln, [], None)  # type: ignore[union-attr]
    m = _AHEAD.match(ln.text)
    nums = _nums(m.group("nums"))  # type: ignore[union-attr]
    inline = (ln.start + m.start("rest"), ln.start + m.end("rest")) if m and m.group("rest") else None  # type: ignore[union-attr]
    return _Block("a", nums, ln, [], inline)


def _headed_blocks(lines: list[_Line], first_mark: int) -> list[_Block]:
    """The blocks from the first heading (``lines[first_mark]``) on: each heading opens a block and
    the lines up to the next heading are its lines."""
    blocks: list[_Block] = []
    for ln in lines[first_mark:]:
        if ln.kind in ("qhead", "qnum", "qbare", "ahead"):
            blocks.append(_heading_block(ln))
        elif blocks:
            blocks[-1].lines.append(ln)
    return blocks


def _paragraph_blocks(lines: list[_Line], header_lines: list[_Line], kind: str, notes: list[str]) -> list[_Block]:
    """Questions without headings or numbers: the paragraphs after the header; those holding a "?"
    are questions, numbered by sequence, and the paragraphs after one belong to it. A notice
    (``kind`` "uitstel") holds no questions."""
    body_start = header_lines[-1].no if header_lines else 0
    para: list[_Line] = []
    paras: list[list[_Line]] = []
    for ln in lines[body_start:]:
        if ln.kind == "blank":
            if para:
                paras.append(para)
                para = []
        elif ln.kind in ("body", "marker"):
            para.append(ln)
    if para:
        paras.append(para)
    blocks: list[_Block] = []
    if kind == "uitstel":
        return blocks
    for p in paras:
        joined = " ".join(x.text for x in p)
        if "?" in joined:
            blocks.append(_Block("q", [len(blocks) + 1], None, p))
        elif blocks and blocks[-1].kind == "q":
            blocks[-1].lines.extend(p)
    if blocks:
        notes.append("the questions are not numbered in the text; numbered by their order")
    return blocks


def _number_questions(blocks: list[_Block], notes: list[str]) -> bool:
    """The question numbers as printed in the headings, checked and never repaired: a number printed
    again under a later heading stays that number (the graph tells the two apart by their order,
    :mod:`ingest.texts.numbering`) and is noted; numbers missing from the sequence are noted.
    Returns whether the confidence drops (a number printed twice, or numbers missing)."""
    where: dict[int, list[int | None]] = {}
    for b in blocks:
        if b.kind == "q":
            for n in dict.fromkeys(b.numbers):
                where.setdefault(n, []).append(b.head.no if b.head else None)
    low = False
    for n, nos in where.items():
        if len(nos) > 1:
            lines = ", ".join(str(x) if x is not None else "?" for x in nos)
            later = ", ".join(f"'{n}-{k}'" for k in range(2, len(nos) + 1))
            notes.append(f"numbering as printed: question number {n} is printed {len(nos)} times (lines {lines}); "
                         f"kept as printed, the later questions identified as {later}")
            low = True
    if where:
        missing = sorted(set(range(1, max(where) + 1)) - set(where))
        if missing:
            notes.append(f"question numbers missing from the sequence: {missing}")
            low = True
    return low


def _note_answer_numbering(blocks: list[_Block], notes: list[str]) -> None:
    """The answer numbers as printed in the headings ("Antwoord 3"), checked and never repaired: a
    number printed twice, numbers skipped in the sequence, and a number no question has are noted;
    the answers keep the numbers printed (an answer printed under a wrong number stays there, for
    the reader to judge from the note)."""
    printed = [(b.numbers, b.head.no if b.head else None) for b in blocks if b.kind == "a" and b.numbers]
    if not printed:
        return
    where: dict[int, list[int | None]] = {}
    for nums, no in printed:
        for n in nums:
            where.setdefault(n, []).append(no)
    for n, nos in where.items():
        if len(nos) > 1:
            notes.append(f"numbering as printed: answer number {n} is printed {len(nos)} times (lines {', '.join(str(x) for x in nos)}); kept as printed")
    skipped = sorted(set(range(1, max(where) + 1)) - set(where))
    if skipped:
        notes.append(f"numbering as printed: answer numbers {skipped} are skipped in the answer headings; kept as printed")
    asked = {n for b in blocks if b.kind == "q" for n in b.numbers}
    stray = sorted(n for n in where if asked and n not in asked)
    if stray:
        notes.append(f"numbering as printed: answer numbers {stray} have no question of that number; kept as printed")


def _group_answers(blocks: list[_Block], kind: str, notes: list[str]) -> bool:
    """Each answer given the questions it answers: an answer heading without numbers answers the
    questions since the previous answer; in an answer text, a question no answer heading covers is
    answered by the paragraphs after it (:func:`_split_unheaded_answers`). Returns whether the
    confidence drops (an answer's start is inferred, not printed)."""
    pending: list[int] = []
    for b in blocks:
        if b.kind == "q":
            pending.extend(b.numbers)
        elif b.kind == "a":
            if not b.numbers:
                b.numbers = list(pending)
                if not b.numbers:
                    notes.append(f"line {b.head.no if b.head else '?'}: an answer without a number and no question before it")
            pending = []
    if kind == "antwoord" and any(b.kind == "a" for b in blocks):
        if _split_unheaded_answers(blocks, notes):
            return True
    return False


def _question_spans(blocks: list[_Block]) -> list[Span]:
    """The source range of every question block, from its heading (or first line) to its last line."""
    return [Span(b.head.start if b.head else b.lines[0].start, (b.lines[-1].end if b.lines else b.head.end))  # type: ignore[union-attr]
            for b in blocks if b.kind == "q" and (b.head or b.lines)]
