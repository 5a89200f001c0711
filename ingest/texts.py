"""Parse a published text of written questions, answers or a postponement notice.

``parse_text(text, source, known_ids=()) -> TextDocument``. Pure: no network, no store.

The texts come from PDF/DOCX extraction and are untidy: hyphenation at line ends, page headers and
footers in the middle of a question, footnotes between the questions, missing spaces where lines
were joined, OCR slips. The parser works from patterns that hold across the corpus (headings
"Vraag N" / "Antwoord N" / numbered paragraphs, the "Vragen van … aan … over …" sentence, page
footers, footnote blocks at page ends) and repairs only with evidence: a Dutch word list
(pyspellchecker's ``nl`` dictionary), the reference names of ministries and posts, and the
document's own spelling elsewhere. Every repair that changes a fact is noted in ``notes``;
what cannot be repaired is noted too, and the confidence drops to "low" where honest.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ingest.errors import ParseError
from ingest.records import Answer, Footnote, PersonMention, PostMention, Question, SourceRef, Span, TextDocument

__all__ = ["parse_text", "clean_text"]

_DATA = Path(__file__).resolve().parent.parent / "data" / "reference"

MONTHS = {
    "januari": 1, "februari": 2, "maart": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
    "augustus": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
}
_DATE = re.compile(r"(\d{1,2})\s*(" + "|".join(MONTHS) + r")\s*(\d{4})", re.I)

# --------------------------------------------------------------------------- evidence: words and names


@dataclass
class _Vocab:
    freq: dict[str, int]
    names: frozenset[str]  # lower-cased name tokens (persons, ministries)

    def known(self, w: str) -> bool:
        lw = w.lower()
        return lw in self.freq or lw in self.names

    def f(self, w: str) -> int:
        return self.freq.get(w.lower(), 0)


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    freq: dict[str, int] = {}
    try:
        from spellchecker import SpellChecker  # pyspellchecker

        freq = dict(SpellChecker(language="nl", distance=1).word_frequency.dictionary)
    except Exception:  # pragma: no cover - without the word list no word repairs are made
        freq = {}
    names: set[str] = set()
    for n in _post_names():
        names.update(t.lower() for t in re.findall(r"[^\W\d_]+", n.name))
    try:
        with (_DATA / "cabinets" / "bewindspersonen.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                names.update(t.lower() for t in re.findall(r"[^\W\d_]+", row.get("person_name") or ""))
    except OSError:
        pass
    try:
        import json

        with (_DATA / "tk-kamerleden-perioden.json").open(encoding="utf-8") as fh:
            data = json.load(fh)
        rows = data if isinstance(data, list) else next((v for v in data.values() if isinstance(v, list)), [])
        for row in rows:
            if isinstance(row, dict):
                for k, v in row.items():
                    if isinstance(v, str) and k.lower() in ("achternaam", "surname", "naam", "roepnaam", "voornamen"):
                        names.update(t.lower() for t in re.findall(r"[^\W\d_]+", v))
    except (OSError, ValueError, StopIteration):
        pass
    return _Vocab(freq=freq, names=frozenset(names))


@dataclass(frozen=True)
class _PostName:
    name: str  # "Buitenlandse Zaken"
    preps: frozenset[str]  # which of "van"/"voor" make a real post with it
    pattern: re.Pattern[str]


@lru_cache(maxsize=1)
def _post_names() -> tuple[_PostName, ...]:
    preps: dict[str, set[str]] = {}
    try:
        with (_DATA / "cabinets" / "ministries.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                n = (row.get("name_nl") or "").removeprefix("Ministerie van ").strip()
                if n:
                    preps.setdefault(n, set()).add("van")
    except OSError:
        pass
    try:
        with (_DATA / "cabinets" / "bewindspersonen.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                t = (row.get("post_title_nl") or "").strip()
                m = re.match(r"(?:minister|staatssecretaris) (van|voor) (.+?)(?: \(.*\))?$", t)
                if m:
                    preps.setdefault(m.group(2), set()).add(m.group(1))
                    m2 = re.search(r"\((.+)\)$", t)  # portfolio: "(Buitenlandse Handel en Ontwikkelingshulp)"
                    if m2:
                        preps.setdefault(m2.group(1), set()).add("voor")
    except OSError:
        pass
    if not preps:  # minimal fallback so that the parser still works without the reference files
        for n in ("Buitenlandse Zaken", "Justitie en Veiligheid", "Volksgezondheid, Welzijn en Sport"):
            preps[n] = {"van"}
    out = []
    for n, ps in preps.items():
        words = re.split(r"\s+", n)
        pat = r"\s*".join(re.escape(w) for w in words)
        out.append(_PostName(n, frozenset(ps), re.compile(pat, re.I)))
    out.sort(key=lambda p: -len(p.name))  # longest first
    return tuple(out)


# --------------------------------------------------------------------------- lines and page furniture


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
_BARENUM = re.compile(r"^\s*(?P<n>\d{1,2})\s*$")
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


# --------------------------------------------------------------------------- cleaning


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


# --------------------------------------------------------------------------- the header


@dataclass
class _Flat:
    """Text built from ranges of the source, with a map back to source offsets."""

    s: str = ""
    pos: list[int] = field(default_factory=list)

    def span(self, a: int, b: int) -> Span:
        if not self.pos:
            return Span(0, 0)
        a = min(max(a, 0), len(self.pos) - 1)
        b = min(max(b, a + 1), len(self.pos))
        return Span(self.pos[a], self.pos[b - 1] + 1)


def _flatten(text: str, lines: list[_Line]) -> _Flat:
    """The lines joined into one text (paragraph and sentence ends as newlines, line-end hyphens
    repaired), with the source offset of every character. Each line costs its own length only: the
    decisions look at the last characters joined so far (``end``), never at the whole text."""
    parts: list[str] = []
    pos: list[int] = []
    end = ""  # the last _TAIL characters of the text so far
    prev_blank = False
    for ln in lines:
        if ln.kind == "blank":
            prev_blank = True
            continue
        if ln.kind in ("footer", "footnote"):
            continue
        s = ln.text.strip()
        if not s:
            continue
        off = ln.start + (len(ln.text) - len(ln.text.lstrip()))
        left = _trailing_word(end) if end.endswith("-") else None
        if left and _LETTER_START.match(s):
            right = _LETTER_START.match(s).group(0)  # type: ignore[union-attr]
            if not _keep_hyphen(left, right, text, True):
                parts[-1] = parts[-1][:-1]
                pos.pop()
                end = end[:-1]
        elif parts and (prev_blank or _SENTENCE_END.search(end[-2:])):
            parts.append("\n")  # a paragraph (or sentence) ends with the line
            pos.append(pos[-1])
            end += "\n"
        elif parts:
            parts.append(" ")
            pos.append(pos[-1])
            end += " "
        prev_blank = False
        parts.append(s)
        pos.extend(range(off, off + len(s)))
        end = (end + s)[-_TAIL:]
    return _Flat("".join(parts), pos)


def _date(s: str | None) -> dt.date | None:
    if not s:
        return None
    m = _DATE.search(s)
    if not m:
        return None
    try:
        return dt.date(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
    except ValueError:
        return None


_ROLE = re.compile(
    r"(?P<role>minister-president|viceminister-president|ministers?|staats?secretaris(?:sen)?)(?-i:(?![a-z]))", re.I
)


def _norm_post(role: str, prep: str | None, name: str | None, notes: list[str]) -> str:
    role = role.lower()
    if role.startswith("minister-president"):
        return "minister-president"
    if role.startswith("viceminister"):
        return "viceminister-president"
    if role.startswith("staat"):
        if not role.startswith("staatssecretaris"):  # "Staatsecretaris": a known misspelling
            notes.append(f"'{role}' is a misspelling of 'staatssecretaris'; read as staatssecretaris")
        role = "staatssecretaris"
    else:
        role = "minister"
    if not name:
        return role
    printed_prep = prep
    prep = (prep or "van").lower()
    known = next((p for p in _post_names() if p.name.lower() == name.lower()), None)
    if known is not None:
        name = known.name
        if printed_prep is None and prep not in known.preps and len(known.preps) == 1:
            prep = next(iter(known.preps))  # nothing printed ("Minister Agema (…)"): the reference's own
        elif prep not in known.preps and role == "minister":
            # kept as printed: the text is the evidence; which post is meant is for resolution to decide
            notes.append(
                f"post printed as '{role} {prep} {name}', which the reference list does not know "
                f"(it has '{role} {'/'.join(sorted(known.preps))} {name}'); kept as printed"
            )
    return f"{role} {prep} {name}"


def _parse_posts(f: _Flat, start: int, stop_words: str = r"over|op|\(|mede namens") -> tuple[list[PostMention], int, list[str]]:
    """Posts from ``f.s[start:]``: "de ministers van A en voor B en de staatssecretaris van C"."""
    s = f.s
    i = start
    posts: list[PostMention] = []
    notes: list[str] = []
    role: str | None = None
    pending: list[tuple[str, int]] = []
    while i < len(s):
        m = re.match(r"\s*(?:,\s*|en\s+)?(?:(?:de|het)\s+)?", s[i:])
        j = i + (m.end() if m else 0)
        rm = _ROLE.match(s, j)
        pstart = j
        if rm:
            role = rm.group("role")
            j = rm.end()
            if role.lower().endswith("president"):
                posts.append(PostMention(_norm_post(role, None, None, notes), s[pstart:j], f.span(pstart, j)))
                i = j
                continue
        if role is None:
            break
        # "de Minister en de Staatssecretaris van VWS": a role without a name shares the next one's
        em = re.match(r"\s+en\s+(?:de\s+|het\s+)?(?=" + _ROLE.pattern + r")", s[j:], re.I) if rm else None
        if em:
            pending.append((role, pstart))
            i = j + em.end()
            continue
        pm = re.match(r"\s*(van|voor)(?:\s+|(?=[A-Z]))", s[j:])
        if not pm and not rm:
            break
        prep = pm.group(1) if pm else None
        k = j + (pm.end() if pm else 0)
        name = None
        for pn in _post_names():
            nm = pn.pattern.match(s, k)
            if nm:
                after = s[nm.end():]
                if not after or not after[0].isalpha() or after.lower().startswith("over"):
                    name, end = pn.name, nm.end()
                    break
        if name is None:
            fm = re.match(r"(.+?)(?=\s+en\s+(?:de|het|van|voor)\b|\s*,\s*(?:de|het)\b|\s*(?:" + stop_words + r")\b|\s*\(|$)", s[k:])
            if not fm or not fm.group(1).strip():
                break
            name, end = fm.group(1).strip(" ,."), k + fm.end()
            if name:
                notes.append(f"post name '{name}' is not in the reference list of ministries and posts")
        for prole, ppos in pending:
            posts.append(PostMention(_norm_post(prole, prep, name, notes), s[ppos:end].strip(), f.span(ppos, end)))
        pending = []
        posts.append(PostMention(_norm_post(role, prep, name, notes), s[pstart:end].strip(), f.span(pstart, end)))
        i = end
        # the list goes on: ", de minister …", "en van B", "en vanBuitenlandse Zaken" (a lost space)
        nxt = re.match(r"\s*(?:,\s*|en\s+)(?:(?:de|het)\s+)?(?:" + _ROLE.pattern + r"|(?i:van|voor)(?:\b|(?=[A-Z])))", s[i:], re.I)
        if not nxt:
            break
    return posts, i, notes


def _split_name(name: str) -> str:
    name = re.sub(r"([a-zà-ÿ])([A-Z])", r"\1 \2", name)  # "DaniëlleJansen" -> "Daniëlle Jansen"
    name = re.sub(r"([^\W\d_]) ?([´¨ˇ])", lambda m: unicodedata.normalize("NFC", m.group(1) + _SPACING_ACCENTS[m.group(2)]), name)
    return re.sub(r"\s+", " ", name).strip(" ,")


def _parse_askers(f: _Flat, a: int, b: int) -> list[PersonMention]:
    seg = f.s[a:b]
    out: list[PersonMention] = []
    for m in re.finditer(r"(?P<names>[^()]+?)\s*\((?P<fr>[^()]*)\)", seg):
        names, fr = m.group("names"), m.group("fr")
        fr = re.sub(r"^\s*(?:beiden|beide|allen|alle)\s+", "", fr).strip() or None
        base = m.start("names")
        for nm in re.finditer(r"[^,]+?(?=\s*,|\s+en\s+|$)", names):
            raw = nm.group(0)
            raw = re.sub(r"^\s*(?:en\s+)?(?:lid\s+|leden\s+)?", "", raw)
            name = _split_name(raw)
            if not name or name.lower() in ("en",):
                continue
            off = base + names.find(raw, nm.start())
            out.append(PersonMention(name, fr, f.span(a + off, a + off + len(raw))))
    if not out:  # no parentheses: names only
        for nm in re.finditer(r"[^,]+?(?=\s*,|\s+en\s+|$)", seg):
            raw = re.sub(r"^\s*(?:en\s+)?(?:lid\s+)?", "", nm.group(0))
            name = _split_name(raw)
            if name:
                off = seg.find(raw, nm.start())
                out.append(PersonMention(name, None, f.span(a + off, a + off + len(raw))))
    return out


@dataclass
class _Header:
    askers: list[PersonMention] = field(default_factory=list)
    addressed: list[PostMention] = field(default_factory=list)
    subject: str | None = None
    submitted: dt.date | None = None
    received: dt.date | None = None
    person: str | None = None
    post: PostMention | None = None
    on_behalf: list[PostMention] = field(default_factory=list)
    found: bool = False
    notes: list[str] = field(default_factory=list)


_VRAGEN_VAN = re.compile(
    r"(?:Kamer)?[Vv]ra(?:ag|gen)\s+van\s+(?:het\s+van\s+het\s+|het\s+|de\s+)?(?:lid|leden)\s+(?:van\s+)?"
    r"|(?:hebben|heeft)\s+(?:de\s+leden|het\s+lid)\s+"
)
_ANSWER_BY = re.compile(
    r"(?P<kind>Antwoord(?:en)?|Mededeling)\s+van\s+(?:de\s+|het\s+)?(?P<role>minister-president|minister|staatssecretaris)\b", re.I
)


_AAN = re.compile(r"\s+aan\s+(?=(?:de|het)\s)")
_OVER = re.compile(r"\s+over\s+")
_LONGEST_ASKERS = 2000  # characters: the askers of a statement (the longest printed list is a few hundred)
_MOST_STATEMENTS = 20  # statements of the title ("Vragen van …") read for their addressees, the last first


def _parse_header(f: _Flat, text: str) -> _Header:
    h = _Header()
    s = f.s
    ms = list(_VRAGEN_VAN.finditer(s))
    m = ms[-1] if ms else None  # the last one: letterheads before it repeat the title in short
    if m:
        h.found = True
        a = m.end()
        rest = s[a:]
        am = re.search(r"\s+aan\s+(?=(?:de|het)\s)", rest)
        om = re.search(r"\s+over\s+", rest)
        stop = min([x.start() for x in (am, om) if x] or [min(len(rest), 300)])
        h.askers = _parse_askers(f, a, a + min(stop, _LONGEST_ASKERS))
        j = a + stop
        if am and am.start() == stop:
            posts, j, pnotes = _parse_posts(f, a + am.end())
            h.addressed = posts
            h.notes += pnotes
        elif len(ms) > 1:
            # the last statement of the title names no addressee ("Antwoorden … op Kamervragen van het lid X
            # over …"): a letter head repeats the full title ("Onderwerp", "Projectnaam"); take its posts,
            # preferring a statement whose posts are all in the reference list (the copies have slips)
            cands: list[tuple[list[PostMention], list[str]]] = []
            for m2 in reversed(ms[-1 - _MOST_STATEMENTS:-1]):
                am2 = _AAN.search(s, m2.end())
                om2 = _OVER.search(s, m2.end())
                if am2 and am2.start() - m2.end() < 300 and (not om2 or am2.start() < om2.start()):
                    p2, _, n2 = _parse_posts(f, am2.end())
                    if p2:
                        cands.append((p2, n2))
            if cands:
                p2, n2 = next((c for c in cands if not any("not in the reference list" in n for n in c[1])), cands[0])
                h.addressed = p2
                h.notes += n2
                h.notes.append("the addressees are read from the letter head's statement of the title")
        sm = re.match(r"\s*,?\s*over\s*", s[j:])
        if not sm:
            sm2 = re.search(r"[\s,]over\s+", s[j:])
            if sm2:
                between = s[j: j + sm2.start()].strip(" ,")
                if between:
                    h.notes.append(f"text between the addressed posts and the subject not parsed: {between!r}")
                sm = sm2
        if sm:
            k = j + sm.end()
            em = re.search(r"\s*\((?:ingezonden|ontvangen)\b|\.?\s*(?:Antwoord(?:en)?|Mededeling)\s+van\b|\n|$", s[k:])
            end = k + (em.start() if em else len(s) - k)
            subj = s[k:end].strip().rstrip(".")
            h.subject = clean_text([subj], text) if subj else None
    im = re.search(r"\(\s*ingezonden\s+([^)]*?)\)", s) or re.search(r"ingezonden\s+(\d{1,2}\s*\w+\s*\d{4})", s)
    if im:
        h.submitted = _date(im.group(1))
        h.found = True
    rm = re.search(r"\(\s*ontvangen\s+([^)]*?)\)", s) or re.search(r"ontvangen\s+(\d{1,2}\s*\w+\s*\d{4})", s)
    if rm:
        h.received = _date(rm.group(1))
    bm = _ANSWER_BY.search(s)
    if bm:
        h.found = True
        j = bm.end()
        role = bm.group("role")
        pm = re.match(r"\s*(van|voor)\s*", s[j:])
        if pm and not any(pn.pattern.match(s, j + pm.end()) for pn in _post_names()):
            pm = None
        if pm:  # "Antwoorden van de minister van Justitie en Veiligheid"
            posts, j, pnotes = _parse_posts(f, bm.start("role"))
            h.notes += pnotes
            h.post = posts[0] if posts else None
            # the signature: "D. Yeşilgöz-Zegerius" on a line of its own before the heading
            sig = None
            for sm2 in re.finditer(r"(?:^|\s)((?:[A-Z][a-z]?\.\s*){1,4}(?:[a-z]+\s+)*[A-ZÀ-Ý][^\s(),]+)", s[: bm.start()]):
                sig = sm2.group(1)
            h.person = _split_name(sig) if sig else None
        else:  # "Antwoord van Minister Agema (Volksgezondheid, Welzijn en Sport)"
            nm = re.match(r"\s*([^(),]+?)\s*\(", s[j:])
            if nm:
                h.person = _split_name(nm.group(1))
                k = j + nm.end()
                name = None
                for pn in _post_names():
                    x = pn.pattern.match(s, k)
                    if x:
                        name, end = pn.name, x.end()
                        break
                if name is None:
                    x = re.match(r"[^()]+", s[k:])
                    end = k + (x.end() if x else 0)
                    name = s[k:end].strip() or None
                    if name:
                        h.notes.append(f"answering post '{name}' is not in the reference list")
                prep = "voor" if name and any(p.name == name and p.preps == {"voor"} for p in _post_names()) else "van"
                label = _norm_post(role, prep, name, h.notes)
                h.post = PostMention(label, s[bm.start("role"): end + 1].strip(), f.span(bm.start("role"), end + 1))
                j = end
                also = re.match(r"\)?\s*en\s+(?:van\s+)?((?:" + _ROLE.pattern + r")\s+[^()]+\([^()]*\)?)", s[j:], re.I)
                if also:
                    h.notes.append(f"also answered by {also.group(1).strip()!r} (not a 'mede namens'; kept only in this note)")
        mn = re.search(r"mede\s+namens\s+", s[j: j + 400])
        if mn:
            posts, _, pnotes = _parse_posts(f, j + mn.end())
            h.on_behalf = posts
            h.notes += pnotes
    return h


# --------------------------------------------------------------------------- footnotes and markers


_SUPER = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹⁰", "1234567890")


@dataclass
class _FN:
    number: int
    lines: list[_Line]
    marker: tuple[int, int] | None = None  # source range of the marker
    page_start: int = 0
    rest: int | None = None  # source offset where the footnote's text starts, when not read by _FN_START
    origin: str = "typed"  # "typed" (printed / typed by hand), "word" (a Word footnote), "lost" (text missing)


def _heading_kind(ln: _Line) -> str | None:
    s = ln.text
    if _QHEAD.match(s):
        return "qhead"
    am = _AHEAD.match(s)
    if am and not re.match(r"^\s*Antwoord(?:en)?\s+van\b", s):
        return "ahead"
    return None


def _find_footnotes(lines: list[_Line], notes: list[str]) -> list[_FN]:
    # pages: runs of lines between footer lines
    pages: list[list[_Line]] = [[]]
    for ln in lines:
        if ln.kind == "footer":
            if pages[-1]:
                pages.append([])
        else:
            pages[-1].append(ln)
    fns: list[_FN] = []
    nxt = 1
    for page in pages:
        content = [ln for ln in page if ln.kind not in ("blank", "footnote")]
        if not content:
            continue
        # the footnote block: the latest line starting with footnote number `nxt` after which no heading follows
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
        if start_idx is None:
            continue
        block = content[start_idx:]
        if any(ln.text.rstrip().endswith("?") and not _is_urlish(ln.text.split()[-1]) for ln in block):
            continue  # footnote blocks do not end lines with a question mark; this is body text
        cur: _FN | None = None
        first_new = len(fns)
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
        for fn in fns[first_new:]:  # the earlier pages' footnotes are marked already
            for ln in fn.lines:
                ln.kind = "footnote"
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


# --------------------------------------------------------------------------- the body


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


def _citations(text: str, sp: Span, on: dt.date | None, notes: list[str]) -> tuple:
    """Citations in ``text[sp]`` with spans into the full text (``ingest.citations``, where present)."""
    try:
        from ingest.citations import find_citations
    except ImportError:  # pragma: no cover - the citation finder is optional
        return ()
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


def _ids_within_1(s: str, known: Container[str]) -> list[str]:
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyzZ-"
    cands: set[str] = set()
    for i in range(len(s) + 1):
        if i < len(s):
            cands.add(s[:i] + s[i + 1:])
            for c in alphabet:
                cands.add(s[:i] + c + s[i + 1:])
        for c in alphabet:
            cands.add(s[:i] + c + s[i:])
    cands.discard(s)
    out = []
    for c in sorted(cands):
        try:
            if c in known:
                out.append(c)
        except TypeError:
            return []
    return out


def _vergaderjaar(d: dt.date) -> str:
    y = d.year if d.month >= 9 else d.year - 1
    return f"{y}{y + 1}"


_ZAAK_LABEL = re.compile(
    r"(?P<label>\buw\s+brief\s+van\s+[^,\n]{0,40}?,?\s*(?:nr\.?|nummer|kenmerk)"
    r"|(?<!ons\s)\b(?:Uw\s+)?(?:kenmerk|[Zz]aak(?:nummer|nr\.?)?))"
    r"\s*:?\s*(?P<y>20\d{2})\s?Z\s?(?P<n>\d{5})\b",
    re.I,
)
_NOTICE_ASKED = re.compile(
    r"\bOp\s+(?P<d>\d{1,2})\s+(?P<m>" + "|".join(MONTHS) + r")(?:\s+(?P<y>\d{4}))?\s*(?P<jl>j\.?\s?l\.?)?"
    r"\s+(?:hebben|heeft)\b[^.]{0,400}?\bvragen\s+(?:gesteld|ingediend)",
    re.I,
)


def _letter_date(text: str, header_lines: list[_Line]) -> dt.date | None:
    """The date of a letter: the "Datum" field of its head (the date may stand on the next line)."""
    head_end = header_lines[-1].end if header_lines else len(text)
    m = re.search(r"^[^\S\n]*Datum\b[\s:]*(" + _DATE.pattern + r")", text[:head_end], re.M | re.I)
    return _date(m.group(1)) if m else None


def _submitted_in_notice(text: str, ref: dt.date | None) -> tuple[dt.date, str] | None:
    """The date questions were asked, from "Op 6 november jl. hebben de leden … vragen gesteld".

    Without a printed year the date is the last such day before ``ref`` (the notice's received or
    letter date): "jl." (jongstleden) means just that. Without ``ref`` no year can be given.
    """
    m = _NOTICE_ASKED.search(text)
    if not m:
        return None
    month, day = MONTHS[m.group("m").lower()], int(m.group("d"))
    try:
        if m.group("y"):
            d = dt.date(int(m.group("y")), month, day)
            return d, f"submission date {d.isoformat()} read from {m.group(0)[:40]!r}…"
        if ref is None:
            return None
        d = dt.date(ref.year, month, day)
        if d > ref:
            d = dt.date(ref.year - 1, month, day)
    except ValueError:
        return None
    return d, f"submission date {d.isoformat()} read from {m.group(0)[:40]!r}…; the year follows from the notice's date {ref.isoformat()}"


def parse_text(text: str, source: SourceRef, known_ids: Container[str] = ()) -> TextDocument:
    """Parse one published text (questions, answers or a postponement notice) into a record.

    ``source`` names the file (used in errors); ``known_ids`` are the official publication ids
    (``kv-tk-…``, ``ah-tk-…``) against which a printed id is checked and repaired (the one known
    id within edit distance 1). Raises :class:`ParseError` naming the file and the line for an
    empty text, a binary one and one with neither a recognisable header nor any question.
    """
    file = source.file
    if not isinstance(text, str):
        raise ParseError(file, None, f"expected text, got {type(text).__name__}")
    if not text.strip():
        raise ParseError(file, 1, "the text is empty")
    if "\x00" in text:
        raise ParseError(file, text.count("\n", 0, text.index("\x00")) + 1, "binary content (NUL byte) in the text")
    notes: list[str] = []
    low = False
    lines = _split_lines(text)

    # --- publication id, Zaak, Aanhangsel number
    printed_id = None
    for ln in lines:
        m = re.search(r"\b((?:kv|ah)-tk-[0-9A-Za-z-]{1,40}?)(?=\s*\.?\s*$|\s)", ln.text)  # ids have < 30 characters
        if m:
            printed_id = m.group(1)
            break
    zm = re.search(r"^[^\S\n]*(\d{4})\s?Z\s?(\d{5})\s*$", text, re.M)
    zaak = f"{zm.group(1)}Z{zm.group(2)}" if zm else None
    if zm and " " in zm.group(0).strip():
        notes.append(f"Zaak number printed as {zm.group(0).strip()!r}; read as {zaak}")

    # --- footnotes, headings, markers
    word_fns = _word_footnotes(text, lines)
    fns = _find_footnotes(lines, notes)
    for ln in lines:
        if ln.kind == "body":
            hk = _heading_kind(ln)
            if hk:
                ln.kind = hk
    _find_markers(text, lines, fns, notes)

    qheads = [ln for ln in lines if ln.kind == "qhead"]
    aheads = [ln for ln in lines if ln.kind == "ahead"]
    body_lines = [ln for ln in lines if ln.kind not in ("footer", "footnote", "blank")]

    # --- question starts without "Vraag N": numbered paragraphs, bare numbers, or plain paragraphs
    if not qheads:
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
                if not any(f.marker and f.marker[0] == ln.start for f in fns):
                    ln.kind = "qbare"
                    expected += 1

    # --- the header area: everything before the first heading / numbered question
    first_mark = next((i for i, ln in enumerate(lines) if ln.kind in ("qhead", "ahead", "qnum", "qbare")), None)
    header_lines = lines[:first_mark] if first_mark is not None else lines
    unnumbered = first_mark is None
    if unnumbered:
        # the header is the paragraph (up to a blank line) holding "Vragen van …" / "Antwoord van …"
        idx = next((i for i, ln in enumerate(lines) if _VRAGEN_VAN.search(ln.text) or _ANSWER_BY.search(ln.text)), None)
        if re.search(r"^[^\S\n]*Mededeling\s+van\b", text, re.M):
            header_lines = lines  # a notice: the askers are named in its body ("hebben de leden … vragen gesteld")
        elif idx is not None:
            end = idx
            while end + 1 < len(lines) and lines[end + 1].kind not in ("blank",) and not lines[end + 1].text.rstrip().endswith("?"):
                end += 1
            header_lines = lines[: end + 1]
    hflat = _flatten(text, [ln for ln in header_lines if not any(p.match(ln.text) for p in _FRONT)])
    h = _parse_header(hflat, text)
    notes += h.notes
    if zaak is None:
        # a letter names the Zaak it answers in its head: "In antwoord op uw brief van 6 december 2023,
        # nr. 2023Z19677", or in a labelled field "Uw kenmerk" / "Zaaknummer" (the label may stand on the
        # line above). Only the header counts: Zaak numbers further on belong to other Zaken.
        head_end = header_lines[-1].end if header_lines else len(text)
        lm = _ZAAK_LABEL.search(text, 0, head_end)
        if lm:
            zaak = f"{lm.group('y')}Z{lm.group('n')}"
            notes.append(f"Zaak number {zaak} read from {' '.join(lm.group('label').split())!r} in the letter head")
    if h.submitted is None:
        ref = h.received or _letter_date(text, header_lines)
        sub = _submitted_in_notice(text, ref)
        if sub is not None:
            h.submitted, note = sub
            notes.append(note)

    # --- kind
    head_text = hflat.s
    if re.search(r"\bMededeling\b", head_text) or (
        not qheads and not aheads and re.search(r"(?:niet binnen de gebruikelijke termijn|uitstel)", text, re.I)
        and not re.search(r"\?\s*$", text, re.M)
    ):
        kind = "uitstel"
    elif aheads or re.search(r"Antwoord(?:en)?\s+van\b|Aanhangsel van de Handelingen|^[^\S\n]*AH\s+\d+", head_text, re.M) or (
        printed_id or ""
    ).startswith("ah-"):
        kind = "antwoord"
    else:
        kind = "vragen"

    # --- publication id repair
    pub = printed_id
    pub_printed = None
    if printed_id and known_ids:
        try:
            ok = printed_id in known_ids
        except TypeError:
            ok = True
        if not ok:
            near = _ids_within_1(printed_id, known_ids)
            if len(near) == 1:
                pub, pub_printed = near[0], printed_id
                notes.append(f"publication id printed as {printed_id!r}; repaired to {near[0]!r} (the one official id within edit distance 1)")
            elif near:
                notes.append(f"publication id {printed_id!r} is not official; several official ids are within edit distance 1: {near[:5]}")
                low = True
            else:
                notes.append(f"publication id {printed_id!r} is not in the official id list")
    if pub is None:
        am = re.search(r"^[^\S\n]*AH\s+(\d+)\s*$", text, re.M)
        d = h.received or h.submitted
        if am and d:
            cand = f"ah-tk-{_vergaderjaar(d)}-{am.group(1)}"
            try:
                inlist = bool(known_ids) and cand in known_ids
            except TypeError:
                inlist = False
            if inlist or not known_ids:
                pub = cand
                notes.append(f"publication id {cand!r} derived from 'AH {am.group(1)}' and the date {d.isoformat()}")
        elif zaak and kind == "vragen":
            cand = f"kv-tk-{zaak}"
            try:
                if known_ids and cand in known_ids:
                    pub = cand
                    notes.append(f"publication id {cand!r} derived from the Zaak number")
            except TypeError:
                pass
    if zaak is None and pub and pub.startswith("kv-tk-"):
        m = re.match(r"kv-tk-(\d{4}Z\d{5})$", pub)
        zaak = m.group(1) if m else None

    # --- blocks
    blocks: list[_Block] = []
    if not unnumbered:
        cur: _Block | None = None
        for ln in lines[first_mark:]:  # type: ignore[index]
            if ln.kind in ("qhead", "qnum", "qbare"):
                if ln.kind == "qhead":
                    m = _QHEAD.match(ln.text)
                    nums = _nums(m.group("nums"))  # type: ignore[union-attr]
                    rest = m.group("rest") if m else None  # type: ignore[union-attr]
                    inline = (ln.start + m.start("rest"), ln.start + m.end("rest")) if rest else None  # type: ignore[union-attr]
                elif ln.kind == "qnum":
                    m = _NUMPAR.match(ln.text)
                    nums = [int(m.group("n"))]  # type: ignore[union-attr]
                    inline = (ln.start + m.start("rest"), ln.end)  # type: ignore[union-attr]
                else:
                    nums = [int(_BARENUM.match(ln.text).group("n"))]  # type: ignore[union-attr]
                    inline = None
                cur = _Block("q", nums, ln, [], inline)
                blocks.append(cur)
            elif ln.kind == "ahead":
                m = _AHEAD.match(ln.text)
                nums = _nums(m.group("nums"))  # type: ignore[union-attr]
                inline = (ln.start + m.start("rest"), ln.start + m.end("rest")) if m and m.group("rest") else None  # type: ignore[union-attr]
                cur = _Block("a", nums, ln, [], inline)
                blocks.append(cur)
            elif cur is not None:
                cur.lines.append(ln)
    else:
        # plain paragraphs after the header; those holding a "?" are questions, numbered by sequence
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
        if kind != "uitstel":
            n = 0
            for p in paras:
                joined = " ".join(x.text for x in p)
                if "?" in joined or (blocks and not re.search(r"\?", joined) and False):
                    n += 1
                    blocks.append(_Block("q", [n], None, p))
                elif blocks and blocks[-1].kind == "q":
                    blocks[-1].lines.extend(p)
            if blocks:
                notes.append("the questions are not numbered in the text; numbered by their order")

    # --- number the questions: slips, gaps
    seen: list[int] = []
    for b in blocks:
        if b.kind != "q":
            continue
        if len(b.numbers) == 1 and seen and b.numbers[0] in seen:
            old = b.numbers[0]
            new = max(seen) + 1
            b.numbers = [new]
            notes.append(f"line {b.head.no if b.head else '?'}: heading 'Vraag {old}' repeats an earlier number; renumbered {new} by sequence")
        seen.extend(n for n in b.numbers if n not in seen)
    if seen:
        missing = sorted(set(range(1, max(seen) + 1)) - set(seen))
        if missing:
            notes.append(f"question numbers missing from the sequence: {missing}")
            low = True
    # answers without numbers answer the questions since the previous answer
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
            low = True  # the answer's start is inferred, not printed

    # --- footnotes whose text is lost (typed references in the questions), then the Word footnotes
    qspans = [Span(b.head.start if b.head else b.lines[0].start, (b.lines[-1].end if b.lines else b.head.end))  # type: ignore[union-attr]
              for b in blocks if b.kind == "q" and (b.head or b.lines)]
    last = max((f.marker[1] for f in fns if f.marker), default=0)
    lost = _lost_footnotes(text, qspans, last, len(fns) + 1, [f.marker for f in fns if f.marker])
    for f in lost:
        notes.append(f"footnote {f.number}: reference {text[f.marker[0]: f.marker[1]].strip()!r} found, but its text is not in the text")  # type: ignore[index]
    fns += lost
    if word_fns:
        k = len(fns)
        for f in word_fns:
            if k:
                notes.append(f"Word footnote {f.number} numbered {f.number + k}, after the {k} footnotes typed in the text")
            f.number += k
            if f.marker is None:
                notes.append(f"Word footnote {f.number}: no reference found in the text")
        fns += word_fns

    # --- markers in blocks; clean texts
    excluded: list[tuple[int, int]] = [f.marker for f in fns if f.marker]

    def block_parts(b: _Block) -> list[str]:
        parts: list[str] = []
        segs: list[tuple[int, int]] = []
        if b.inline:
            segs.append(b.inline)
        if b.head is not None and b.head.kind == "qbare":
            pass
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

    def block_span(b: _Block) -> Span:
        starts = [b.head.start] if b.head else []
        ends = [b.head.end] if b.head else []
        content = [ln for ln in b.lines if ln.kind not in ("blank", "footer", "footnote")]
        if content:
            starts.append(content[0].start)
            ends.append(content[-1].end)
        if not starts:
            return Span(0, 0)
        return Span(min(starts), max(ends))

    questions: list[Question] = []
    answers: list[Answer] = []
    fn_question: dict[int, int] = {}
    on_day = h.received or h.submitted
    for b in blocks:
        sp = block_span(b)
        clean = clean_text(block_parts(b), text)
        cites = _citations(text, sp, on_day, notes)
        if b.kind == "q":
            markers = tuple(f.number for f in fns if f.marker and sp.start <= f.marker[0] < sp.end)
            for n in b.numbers:
                questions.append(Question(n, clean, text[sp.start: sp.end], sp, markers, cites))
            for fnum in markers:
                fn_question.setdefault(fnum, b.numbers[0])
        else:
            answers.append(Answer(tuple(b.numbers), clean, text[sp.start: sp.end], sp, cites))
    if len({q.number for q in questions}) < len(questions):
        notes.append("some questions are printed together under one heading ('Vraag 2 en 3'); each number shares the text")

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

    # --- confidence
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
