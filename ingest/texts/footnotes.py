"""Footnotes of a published text: the typed footnote blocks at page ends, the Word footnotes that
:func:`ingest.sources.text.read_docx` writes, the references whose footnote text is lost, and the
marker of every footnote in the body."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.records import Span
from ingest.texts.clean import _is_urlish
from ingest.texts.lines import _BARE_MARKERS, _FN_START, _Line, _heading_kind

_SUPER = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹⁰", "1234567890")


@dataclass
class _FN:
    number: int
    lines: list[_Line]
    marker: tuple[int, int] | None = None  # source range of the marker
    page_start: int = 0
    rest: int | None = None  # source offset where the footnote's text starts, when not read by _FN_START
    origin: str = "typed"  # "typed" (printed / typed by hand), "word" (a Word footnote), "lost" (text missing)


def _pages(lines: list[_Line]) -> list[list[_Line]]:
    """The pages: runs of lines between page footer lines (the footers left out)."""
    pages: list[list[_Line]] = [[]]
    for ln in lines:
        if ln.kind == "footer":
            if pages[-1]:
                pages.append([])
        else:
            pages[-1].append(ln)
    return pages


def _block_start(content: list[_Line], nxt: int) -> int | None:
    """Where a page's footnote block starts in ``content`` (the page's lines, blanks and footnote
    lines left out): the latest line starting with footnote number ``nxt`` after which no heading
    follows (or a garbled number, or ``nxt`` glued to a year), else None."""
    start_idx = None
    for idx in range(len(content) - 1, -1, -1):
        ln = content[idx]
        if _heading_kind(ln) or ln.text.rstrip().endswith("?") and idx > 0 and start_idx is None:
            if _heading_kind(ln):
                break
        if _glued_year(ln.text, nxt):
            start_idx = idx
            continue
        m = _FN_START.match(ln.text)
        if not m:
            continue
        n = m.group("n") or m.group("b")
        if n is not None and int(n) == nxt and not re.match(r"^\s*\d{1,2}\.\s", ln.text):
            if _BARE_MARKERS.match(ln.text):
                continue
            start_idx = idx
        elif m.group("g") and nxt >= 1 and re.match(r"\s*['’‘`°*]\s+(?:https?://|www\.|[A-Z])", ln.text):
            start_idx = idx
    return start_idx


def _read_block(block: list[_Line], page: list[_Line], nxt: int, notes: list[str]) -> list[_FN]:
    """The footnotes of one page's footnote block, numbered from ``nxt`` on: a line starting with
    the number expected next (or a garbled one, first in the block) opens one, other lines continue it."""
    fns: list[_FN] = []
    cur: _FN | None = None
    for ln in block:
        m = _FN_START.match(ln.text)
        n = (m.group("n") or m.group("b")) if m else None
        garbled = bool(m and m.group("g")) and cur is None
        glued = _glued_year(ln.text, nxt)
        if (n is not None and int(n) == nxt and not _BARE_MARKERS.match(ln.text)) or garbled or glued:
            if garbled:
                notes.append(f"footnote {nxt}: its number is garbled in the text ({m.group('g')!r})")  # type: ignore[union-attr]
            cur = _FN(nxt, [ln], page_start=page[0].start)
            if glued:
                cur.rest = ln.start + glued
                notes.append(f"footnote {nxt}: its number is glued to a year ({ln.text.strip()[:12]!r}); read as {nxt} + {ln.text[glued:].strip()[:8]!r}")
            fns.append(cur)
            nxt += 1
        elif cur is not None:
            cur.lines.append(ln)
    return fns


def _find_footnotes(lines: list[_Line], notes: list[str]) -> list[_FN]:
    """The typed footnotes: on each page, the block of numbered lines at its end, numbered on from
    the previous page's. Their lines are marked as footnote lines."""
    fns: list[_FN] = []
    for page in _pages(lines):
        content = [ln for ln in page if ln.kind not in ("blank", "footnote")]
        if not content:
            continue
        start_idx = _block_start(content, len(fns) + 1)
        if start_idx is None:
            continue
        block = content[start_idx:]
        if any(ln.text.rstrip().endswith("?") and not _is_urlish(ln.text.split()[-1]) for ln in block):
            continue  # footnote blocks do not end lines with a question mark; this is body text
        new = _read_block(block, page, len(fns) + 1, notes)
        for fn in new:  # the earlier pages' footnotes are marked already
            for ln in fn.lines:
                ln.kind = "footnote"
        fns += new
    return fns


def _glued_year(s: str, n: int) -> int:
    """Offset of the text in a footnote line whose number ``n`` is glued to a year or a Zaak/document
    number ("22023 Annual report" = footnote 2, "32024Z15585/…" = footnote 3), else 0.

    Read so only when the greedy reading ("22", "32") is not the footnote expected next.
    """
    m = re.match(r"\s*(%d)(?=(?:19|20)\d{2}(?:[^\d]|$))" % n, s)
    return m.end(1) if m else 0


_WORD_FN = re.compile(r"^\[\^(?P<n>\d{1,3})\]:[ \t]?")
_WORD_REF = re.compile(r"\[\^(\d+)\](?!:)")


def _word_footnotes(text: str, lines: list[_Line]) -> list[_FN]:
    """Word footnotes as :func:`ingest.sources.text.read_docx` writes them: "[^N]: text" lines at the
    end, "[^N]" where they are referenced. Their lines are marked as footnote lines."""
    out: list[_FN] = []
    first_ref: dict[str, tuple[int, int]] = {}  # "N" -> source range of the first "[^N]" in a body line
    for ln in lines:
        if "[^" in ln.text and not _WORD_FN.match(ln.text):
            for rm in _WORD_REF.finditer(ln.text):
                first_ref.setdefault(rm.group(1), (ln.start + rm.start(), ln.start + rm.end()))
    for ln in lines:
        m = _WORD_FN.match(ln.text)
        if m:
            ln.kind = "footnote"
            fn = _FN(int(m.group("n")), [ln], rest=ln.start + m.end(), origin="word")
            ref = first_ref.get(str(fn.number))
            if ref is not None and ref[0] < ln.start:
                fn.marker = ref
            out.append(fn)
    return out


# a footnote reference typed by hand whose text is lost: glued to a word ("gedrag2)", "Beke3)") or after
# the end of a sentence or quotation ("vraagt? 1)", "projecten'? [2]"), or "(2)" after a word
_LOST_MARKER = r"(?:(?<=[a-zà-ÿ]{2})(?P<g>%(n)d\)|\[%(n)d\])|(?<=[?!.'’”»\]])\s?(?P<p>%(n)d\)|\[%(n)d\])|(?<=[^\W\d_.]\s|\.\s)(?P<q>\(%(n)d\)))(?![\w(])"


def _lost_footnotes(text: str, spans: list[Span], after: int, start_n: int, taken: list[tuple[int, int]]) -> list[_FN]:
    """Footnote references ``start_n``, ``start_n + 1``, … in the questions (``spans``), in order, after
    offset ``after``, whose footnote text is not in the text. Enumerations are not references: a
    candidate "(N)" or "N)" is refused when the same question holds the one before it, "(N-1)"."""
    out: list[_FN] = []
    n = start_n
    pos = after
    while True:
        pat = re.compile(_LOST_MARKER % {"n": n})
        found = None
        for sp in spans:
            if sp.end <= pos:
                continue
            for m in pat.finditer(text, max(pos, sp.start), sp.end):
                a, z = m.start(m.lastgroup), m.end(m.lastgroup)  # type: ignore[arg-type]
                if any(ta <= a < tz for ta, tz in taken):
                    continue
                if m.lastgroup == "g" and "(" in re.split(r"\s", text[max(sp.start, a - 40): a])[-1]:
                    continue  # "(uitstoot in kgco2)": the number closes a parenthesis of its own
                body = text[sp.start: a]
                if n > 1 and re.search(r"(?<![\w(\[])(?:\(%d\)|%d\))" % (n - 1, n - 1), body) and not any(
                    sp.start <= ta < a for ta, _ in taken
                ):
                    continue  # "(1) … (2) …": an enumeration
                if n == 1 and re.match(r"\s+[a-zà-ÿ]", text[z:]):
                    continue  # "1) de kosten …": an enumeration starts
                found = (a, z)
                break
            if found:
                break
        if not found:
            return out
        fn = _FN(n, [], marker=found, origin="lost")
        out.append(fn)
        pos = found[1]
        n += 1


def _find_markers(text: str, lines: list[_Line], fns: list[_FN], notes: list[str]) -> None:
    lo = 0
    for fn in fns:
        k = fn.number
        region_start = max(fn.page_start, lo)
        region_end = fn.lines[0].start
        cands: list[tuple[int, int, str]] = []
        for ln in lines:
            if ln.end <= region_start or ln.start >= region_end or ln.kind in ("footer", "footnote", "blank"):
                continue
            t = ln.text
            if ln.kind in ("body", "marker") and _BARE_MARKERS.match(t) and str(k) in t.split():
                cands.append((ln.start, ln.end, "line"))
                continue
            if ln.kind in ("qhead", "ahead"):
                continue
            for m in re.finditer(r"(?:(?<=[^\s\d(\[/:.,\-–])|(?<=[^\W\d_][.,]))(%d)(?=[\s.,;:)?!»”’]|$)" % k, t.translate(_SUPER)):
                cands.append((ln.start + m.start(1), ln.start + m.end(1), "digit"))
            for m in re.finditer(r"(\s?\(%d\)|\s%d\)|\s?\[%d\])" % (k, k, k), t):
                cands.append((ln.start + m.start(1), ln.start + m.end(1), "paren"))
            m = re.match(r"^(\s*%d\s)(?=[^\W\d_])|^(\s*%d)(?=[»”’),.;:?!])" % (k, k), t)
            if m:
                cands.append((ln.start, ln.start + m.end(), "linestart"))
        prev = [f.marker for f in fns if f.marker and f.number < k]
        cands = [c for c in cands if c[0] >= region_start and c[1] <= region_end and (c[2] == "line" or (c[0], c[1]) not in prev)]
        if cands:
            cands.sort()
            fn.marker = cands[0][:2]
        else:
            # garbled superscripts: "?;" "?," or a stray quote after a question mark
            garb: list[tuple[int, int]] = []
            for ln in lines:
                if ln.end <= region_start or ln.start >= region_end or ln.kind not in ("body",):
                    continue
                for m in re.finditer(r"\?(?=[,;])|(?<=[?!.»”])[’'](?![\w])", ln.text):
                    pos = ln.start + m.start()
                    if region_start <= pos < region_end and (pos, pos + 1) not in prev:
                        garb.append((pos, pos + 1))
            if garb:
                garb.sort()
                fn.marker = garb[0]
                notes.append(f"footnote {k}: marker read from a garbled character {text[garb[0][0]]!r}")
            else:
                notes.append(f"footnote {k}: no marker found in the text")
        if fn.marker:
            lo = fn.marker[0]  # the next marker may share a line of bare numbers ("1 2")


def _add_unprinted_footnotes(text: str, qspans: list[Span], fns: list[_FN], word_fns: list[_FN], notes: list[str]) -> list[_FN]:
    """All footnotes in their order: the typed ones (``fns``), then the references in the questions
    (``qspans``) whose footnote text is lost, then the Word footnotes, numbered on after those."""
    last = max((f.marker[1] for f in fns if f.marker), default=0)
    lost = _lost_footnotes(text, qspans, last, len(fns) + 1, [f.marker for f in fns if f.marker])
    for f in lost:
        notes.append(f"footnote {f.number}: reference {text[f.marker[0]: f.marker[1]].strip()!r} found, but its text is not in the text")  # type: ignore[index]
    fns = fns + lost
    if word_fns:
        k = len(fns)
        for f in word_fns:
            if k:
                notes.append(f"Word footnote {f.number} numbered {f.number + k}, after the {k} footnotes typed in the text")
            f.number += k
            if f.marker is None:
                notes.append(f"Word footnote {f.number}: no reference found in the text")
        fns = fns + word_fns
    return fns
