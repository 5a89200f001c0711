"""Lines of a published text: each line's place in the source and its kind (blank, page footer,
footnote, a question or answer heading, a numbered question start), and the page furniture."""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass

@dataclass
class _Line:
    no: int  # 1-based
    start: int
    end: int  # exclusive, without the newline
    text: str
    kind: str = "body"  # body | blank | footer | footnote | marker | qhead | ahead


_FOOTER = [
    re.compile(r"^\s*(?:kv|ah)-tk-[\w-]+\s*\.?\s*$", re.I),
    re.compile(r"['’]s-Gravenhage\s*\d{4}"),
    re.compile(r"^\s*(?:ISSN\s.*)?Tweede Kamer, vergaderjaar\s*\d{4}\s*[–-]\s*\d{4}\s*,\s*(?:Vragen|Aanhangsel)\b(?:\s*\d+)?\s*$"),
    re.compile(r"^\s*ISSN\s+\d{4}\s*-\s*\d{3,4}"),
]
_FRONT = [
    re.compile(r"^\s*Tweede Kamer der Staten-Generaal\s*\d*\s*$"),
    re.compile(r"^\s*Vergaderjaar\s+\d{4}\s*[–-]\s*\d{4}\b"),
    re.compile(r"^\s*Vragen gesteld door de leden der Kamer"),
    re.compile(r"^\s*regering gegeven antwoorden\s*$"),
]

_NUMS = r"\d{1,3}(?:\s*(?:,\s*en\b|,|\ben\b|t/m|tot en met|[-–])\s*\d{1,3})*"
_QHEAD = re.compile(r"^\s*Vra(?:ag|gen)\s+(?P<nums>" + _NUMS + r")\s*(?:[:.]\s*(?P<rest>.*?))?\s*$")
_AHEAD = re.compile(
    r"^\s*Antwoord(?:en)?(?:\s+op)?(?:\s+(?:de\s+)?vra(?:ag|gen))?\s*(?P<nums>" + _NUMS + r")?\s*(?:[:.]\s*(?P<rest>.*?))?\s*$"
)
_NUMPAR = re.compile(r"^\s*(?P<n>\d{1,2})\s*[.)]\s+(?P<rest>\S.*)$")
_BARENUM = re.compile(r"^\s*(?P<n>\d{1,2})\s*[.)]?\s*$")  # "1", "1." or "1)" on a line of its own
_BARE_MARKERS = re.compile(r"^\s*\d{1,2}(?:\s+\d{1,2})*\s*$")
_FN_START = re.compile(r"^\s*(?:(?P<n>\d{1,2})(?:\)\s*|\]\s*|\s*)|\[(?P<b>\d{1,2})\]\s*|(?P<g>['’‘`°*])\s+)(?P<rest>\S.*)$")


def _nums(s: str | None) -> list[int]:
    if not s:
        return []
    out: list[int] = []
    for m in re.finditer(r"(\d{1,3})\s*(?:(t/m|tot en met|[-–])\s*(\d{1,3}))?", s):
        a = int(m.group(1))
        if m.group(2):
            b = int(m.group(3))
            if a <= b <= a + 50:
                out.extend(range(a, b + 1))
                continue
        out.append(a)
    seen: list[int] = []
    for n in out:
        if n not in seen:
            seen.append(n)
    return seen


def _split_lines(text: str) -> list[_Line]:
    lines, pos = [], 0
    for no, s in enumerate(text.split("\n"), start=1):
        ln = _Line(no, pos, pos + len(s), s)
        if not s.strip():
            ln.kind = "blank"
        elif any(p.search(s) for p in _FOOTER):
            ln.kind = "footer"
        lines.append(ln)
        pos += len(s) + 1
    return lines


def _heading_kind(ln: _Line) -> str | None:
    s = ln.text
    if _QHEAD.match(s):
        return "qhead"
    am = _AHEAD.match(s)
    if am and not re.match(r"^\s*Antwoord(?:en)?\s+van\b", s):
        return "ahead"
    return None


def _mark_headings(lines: list[_Line]) -> None:
    """Body lines that are a question heading ("Vraag 3") become "qhead", an answer heading
    ("Antwoord 3", "Antwoord op vraag 3 en 4") "ahead"."""
    for ln in lines:
        if ln.kind == "body":
            hk = _heading_kind(ln)
            if hk:
                ln.kind = hk


def _mark_question_starts(lines: list[_Line], marker_starts: Container[int]) -> None:
    """In a text without any "Vraag N" heading, the question starts: numbered paragraphs ("1. Kent
    u …", kind "qnum") and bare numbers on a line of their own before body text ("qbare": "1", "1."
    or "1)", the question on the next line, as freshly submitted questions print them), each the
    number expected next. A bare number that is a footnote marker (``marker_starts``: source
    offsets of the markers) is no question start."""
    if any(ln.kind == "qhead" for ln in lines):
        return
    body_lines = [ln for ln in lines if ln.kind not in ("footer", "footnote", "blank")]
    expected = 1
    for i, ln in enumerate(body_lines):
        if ln.kind != "body":
            continue
        m = _NUMPAR.match(ln.text)
        if m and int(m.group("n")) == expected:
            ln.kind = "qnum"
            expected += 1
            continue
        m = _BARENUM.match(ln.text)
        if m and int(m.group("n")) == expected and i + 1 < len(body_lines) and body_lines[i + 1].kind == "body":
            if ln.start not in marker_starts:
                ln.kind = "qbare"
                expected += 1


def _first_mark(lines: list[_Line]) -> int | None:
    """The index of the first heading or numbered question start: where the header area ends (None:
    the questions are not numbered)."""
    return next((i for i, ln in enumerate(lines) if ln.kind in ("qhead", "ahead", "qnum", "qbare")), None)
