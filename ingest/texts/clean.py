"""Cleaning extracted text: line-end hyphens kept or dropped on evidence, missing spaces restored,
soft hyphens and spacing accents repaired (:func:`clean_text`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from ingest.texts.evidence import _vocab

_PRINTED_LINE = 110  # characters: longer "lines" are several printed lines joined by the extraction
_SPACING_ACCENTS = {"´": "\u0301", "¨": "\u0308", "ˇ": "\u030c", "`": "\u0300"}
_WORD = re.compile(r"[^\W\d_]+")


def _is_urlish(tok: str) -> bool:
    return "://" in tok or tok.lower().startswith("www.") or "@" in tok or bool(re.search(r"\.(nl|com|org|eu|net)\b", tok))


@dataclass(frozen=True)
class _DocWords:
    """The words of a document, indexed once: every word (a maximal run of letters) lower-cased, and
    every pair of words joined by one hyphen ("use-verordening" as ("use", "verordening")) as printed.

    Looking a word up here replaces a search through the whole document per hyphen, which made the
    parser quadratic in the text's length (a 1 MB text took over a minute).
    """

    words: frozenset[str]
    hyphened: frozenset[tuple[str, str]]
    fixed: dict[tuple[str, bool], str] = field(default_factory=dict)  # tokens repaired (see _fix_token)


_LETTERS = r"[^\W\d_]+"
_LETTER_START = re.compile(_LETTERS)
_SENTENCE_END = re.compile(r"[.!?]['’”»]?$")
# No word of a published text is longer than _LONGEST_WORD letters, and no token (a run without white
# space) longer than _LONGEST_TOKEN characters, URLs included (the bundled texts: 36 letters, 193
# characters). Longer runs are not words: they are left as they are, which keeps every step linear.
_LONGEST_WORD = 64
_LONGEST_TOKEN = 1000
_TAIL = _LONGEST_TOKEN + 2


def _trailing_word(end: str) -> str | None:
    """The letters before the hyphen ``end`` ends with ("verschil" of "… verschil-"), or None."""
    i = len(end) - 1
    while i > 0 and _LETTER_START.match(end[i - 1]):
        i -= 1
    return end[i:-1] or None

_HYPHENED = re.compile(r"(?<![^\W\d_])(" + _LETTERS + r")-(?=(" + _LETTERS + r"))")


@lru_cache(maxsize=4)
def _doc_words(doc: str) -> _DocWords:
    return _DocWords(
        frozenset(w.lower() for w in _WORD.findall(doc)),
        frozenset((m.group(1), m.group(2)) for m in _HYPHENED.finditer(doc)),
    )


def _keep_hyphen(left: str, right: str, doc: str, at_line_end: bool) -> bool:
    """Keep the hyphen between ``left`` and ``right`` (word parts), or join them? Decided on evidence."""
    if len(left) > _LONGEST_WORD or len(right) > _LONGEST_WORD:
        return True  # no word is that long: nothing to join
    v = _vocab()
    joined = left + right
    words = _doc_words(doc)
    if at_line_end and (left, right) in words.hyphened:
        return True  # the document spells it with a hyphen elsewhere ("dual use-verordening")
    if joined.lower() in words.words:
        return False  # the document spells it joined elsewhere ("Zorgakkoord")
    if right[:1].isupper() or (len(left) > 1 and left.isupper()) or any(c.isdigit() for c in left + right):
        return True  # "Slagt-Tichelman", "COA-data"
    if v.known(joined):
        return False  # "ministe-rie" -> "ministerie", "verschil-lende" -> "verschillende"
    if len(left) <= 2:
        return True  # "e-mail", "ex-minister"
    if not at_line_end and left[:1].isupper():
        return True  # "Phyllis-onderzoek"
    if v.known(left):
        return True  # "geboorte-gerelateerde", "niet-noodgevallen"
    if not v.freq:
        return not at_line_end
    return False  # "gezichtsher-kenningssoftware": the left part is no word of its own


# Dutch closed-class words (articles, pronouns, prepositions, conjunctions, auxiliaries, common adverbs).
# A missing space is restored between two known words only when one of them is such a word or the
# case changes at the join ("DaniëlleJansen"): two content words glued together are far more often a
# compound missing from the word list ("surveillancestaat") than a lost space.
_FUNCTION_WORDS = frozenset(
    """de het een en of maar want dus dat die dit deze wat wie welke waar waarom hoe wanneer hoeveel
    u uw ik je jij hij zij ze wij we hun hen haar hem zijn is was waren ben bent wordt worden werd
    werden zal zullen zou zouden kan kunnen kon konden moet moeten mag mogen wil willen heeft hebben
    had hadden gaat gaan doet doen van voor in op aan met bij naar uit over onder tussen door tegen
    om tot als dan zo ook nog al niet geen wel er hier daar te toe zodat omdat terwijl indien mits
    mee reeds zelfs alleen echter nu per via sinds vanaf rond rondom binnen buiten zonder volgens
    zoals waarbij waarin waarop waarvan daarbij daarin daarop daarvan hierbij hierover daarover meer
    minder veel weinig elk elke ieder iedere alle beide andere ander""".split()
)


def _split_word(tok: str) -> str | None:
    """``tok`` with a missing space restored ("Sportover" -> "Sport over"), or None."""
    v = _vocab()
    if not v.freq or len(tok) < 4 or len(tok) > _LONGEST_WORD or v.known(tok):
        return None
    best: tuple[int, str] | None = None
    for i in range(1, len(tok)):
        a, b = tok[:i], tok[i:]
        if len(a) == 1 and a.lower() != "u":
            continue
        if len(b) == 1:
            continue
        if not (v.known(a) and v.known(b)):
            continue
        case_change = a[-1].islower() and b[0].isupper()
        if not case_change and b[0].isupper():
            continue
        if a[0].isupper() and not case_change and len(a) > 1 and a[1:].isupper():
            continue  # acronyms: "COAdata" stays
        fa, fb = v.f(a), v.f(b)
        if case_change:
            score = 10**9 + min(fa, fb)
        elif (a.lower() in _FUNCTION_WORDS and len(b) >= 3) or (b.lower() in _FUNCTION_WORDS and len(a) >= 3) or (
            a.lower() in _FUNCTION_WORDS and b.lower() in _FUNCTION_WORDS
        ):
            score = min(fa, fb) + 1
        else:
            continue
        if best is None or score > best[0]:
            best = (score, a + " " + b)
    return best[1] if best else None


def _join_lines(lines: list[str], doc: str) -> str:
    """Stripped lines joined: a URL broken over two lines is glued, a line-end hyphen kept or
    dropped (:func:`_keep_hyphen`), other lines joined with a space. Each decision looks at the last
    _TAIL characters joined so far: a token longer than _LONGEST_TOKEN is no URL."""
    pieces: list[str] = []
    end = ""  # the last _TAIL characters of the text so far (it never ends with white space)
    for ln in lines:
        if not pieces:
            pieces.append(ln)
            end = ln[-_TAIL:]
            continue
        n = _LETTER_START.match(ln)
        left = _trailing_word(end) if end.endswith("-") else None
        last_tok = end.rsplit(None, 1)[-1]
        if end[-1] in "-/_.=?&" and (len(last_tok) <= _LONGEST_TOKEN and _is_urlish(last_tok)):
            sep = ""  # a URL broken over two lines
        elif left and n and not end.endswith(" -") and not end.endswith("--"):
            sep = "" if _keep_hyphen(left, n.group(0), doc, True) else "-"
        else:
            sep = " "
        if sep == "-":  # the hyphen goes
            pieces[-1] = pieces[-1][:-1]
            end = end[:-1]
            sep = ""
        pieces.append(sep + ln)
        end = (end + sep + ln)[-_TAIL:]
    return "".join(pieces)


def clean_text(parts: Iterable[str], doc: str = "", notes: list[str] | None = None) -> str:
    """Join extracted lines into clean text: hyphenation, missing spaces, soft hyphens, accents.

    A hyphen inside a line is taken for a lost line-end hyphen (and maybe removed) only in lines
    much longer than a printed line (the extraction lost the line breaks there).
    """
    lines = [p.replace("\u00ad", "").replace("\u00a0", " ").rstrip() for p in parts]
    merged = any(len(p) > _PRINTED_LINE for p in lines)
    out = _join_lines([ln.strip() for ln in lines if ln.strip()], doc)
    # spacing accents: "Kostic ´" -> "Kostić"
    out = re.sub(r"([^\W\d_]) ?([´¨ˇ])", lambda m: unicodedata.normalize("NFC", m.group(1) + _SPACING_ACCENTS[m.group(2)]), out)

    fixed = _doc_words(doc).fixed
    out = _TOKEN.sub(lambda m: _fix_token(m.group(0), merged, doc, fixed), out)
    out = re.sub(r"[ \t]+", " ", out).strip()
    return out


_TOKEN = re.compile(r"\S+")
_IN_HYPHEN = re.compile(r"(?<![^\W\d_])([^\W\d_]+)-([^\W\d_]+)")
_AFTER_PUNCT = re.compile(r"([^\W_]{2,}[,;:?!)»”])([^\W\d_]{2,})")
_AFTER_STOP = re.compile(r"([^\W\d_]{2,}[a-zà-ÿ][.])([A-Z][^\W\d_]+)")
_WORD_NUMBER = re.compile(r"(?<![^\s(«“‘'])([^\W\d_]{2,})(\d+)(?!\w)")
_DIGIT = re.compile(r"\d")
_PUNCT = frozenset(",;:?!)»”")


def _fix_token(tok: str, merged: bool, doc: str, fixed: dict[tuple[str, bool], str]) -> str:
    """One token (a run without white space) repaired: hyphens of lost line breaks (when ``merged``),
    missing spaces after punctuation, between a word and a number and between two words. A token
    depends only on itself and the document, so each distinct one is repaired once (``fixed``)."""
    key = (tok, merged)
    done = fixed.get(key)
    if done is None:
        done = fixed[key] = _repair_token(tok, merged, doc)
    return done


def _repair_token(tok: str, merged: bool, doc: str) -> str:
    if len(tok) > _LONGEST_TOKEN or _is_urlish(tok):
        return tok
    # hyphens inside a token whose line break was lost: "maatrege-len" -> "maatregelen"
    if merged and "-" in tok:
        tok = _IN_HYPHEN.sub(
            lambda h: h.group(0) if _keep_hyphen(h.group(1), h.group(2), doc, False) else h.group(1) + h.group(2), tok
        )
    # missing space after punctuation: "pakken,zodat", "veranderen.Verschillende"
    if not _PUNCT.isdisjoint(tok):
        tok = _AFTER_PUNCT.sub(r"\1 \2", tok)
    if "." in tok:
        tok = _AFTER_STOP.sub(r"\1 \2", tok)
    # missing space between a word and a number: "november2024", "en28"
    if _DIGIT.search(tok):
        tok = _WORD_NUMBER.sub(lambda d: d.group(1) + " " + d.group(2) if _vocab().known(d.group(1)) else d.group(0), tok)
    # missing space between two words: only when both parts are known and the whole is not
    return _WORD.sub(_fix_word, tok)


def _fix_word(w: re.Match[str]) -> str:
    tok = w.group(0)
    v = _vocab()
    if v.freq and not v.known(tok) and "é" in tok:  # OCR slip: "ministeriéle" -> "ministeriële"
        alt = tok.replace("é", "ë")
        if v.known(alt):
            return alt
    return _split_word(tok) or tok
