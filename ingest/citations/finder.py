"""Finding citations in a text (:func:`find_citations`): URLs first, then Kamerstukken, Aanhangsels,
dated letters, EU resources by number and EU resources by name, each step skipping what an earlier
one found where it says so."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ingest.citations.names import has_context, name_vetoed, resolve_name, vetoed
from ingest.citations.patterns import ACT_RE, COM_RE, PROC_RE, act_identity
from ingest.citations.register import CELEX_BASE, ELI_BASE, PROCEDURE_BASE, EURegister, default_register
from ingest.records import Citation, CitationKind, Span

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "april": 4, "apr": 4,
    "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip


# =========================================================================== patterns

_URL_CHARS = r"A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%"
_URL_START_RE = re.compile(r"(?:https?://|(?<![\w.@/])www\.)", re.IGNORECASE)
_URL_RUN_RE = re.compile(rf"[{_URL_CHARS}]*")
_URL_TOKEN_RE = re.compile(rf"[{_URL_CHARS}]+")
_URL_CONTINUES = tuple("-/_.=&?:~%#+")
_TRAILING = ".,;:!?'\"»«’”)]>"

_VJ = r"(?:19|20)\d{2}\s*[-–—/]\s*(?:(?:19|20)\d{2}|\d{2})"

_KST_RE = re.compile(
    rf"""
    (?<![^\W\d_])(?:Bijlage\s+bij\s+)?
    (?:Kamerstuk(?:ken)?|Kamerstuknummer)
    (?:\s*(?P<kamer>I{{1,2}})(?![\w]))?
    \s*,?\s*(?:vergaderjaar\s*)?(?:(?P<vj>{_VJ})\s*,?\s*)?
    (?P<dossier>\d{{1,2}}\s?\d{{3}})(?!\d)
    (?:\s*[-–]\s*(?P<suf1>[A-Z0-9]{{1,6}})|\s(?P<suf2>[IVXL]{{1,5}}[A-Z]?|[A-Z]))?(?![\w])
    \s*,?\s*
    (?:(?:nr|nummer|no)\.?\s*(?P<num>\d{{1,5}}|[A-Z]{{1,2}})(?![\w])
    | (?:nrs|nummers)\.?\s*
      (?P<nums>(?:\d{{1,5}}|[A-Z]{{1,2}})(?![\w])(?:\s*(?:,|en|&)\s*(?:\d{{1,5}}|[A-Z]{{1,2}})(?![\w]))*)
    )
    """,
    re.VERBOSE,
)
_KST_ID_RE = re.compile(r"(?<![\w-])kst-(?P<d>\d{4,8})(?:-(?P<s>[A-Z0-9]{1,6}?))?-(?P<n>\d{1,5}|[A-Z]{1,2})(?![\w])")
_KST_SHORT_RE = re.compile(r"\(\s*(?P<dossier>\d{2}\s\d{3})\s*[-–]\s*(?P<n>\d{1,5})\s*\)")
_AH_RE = re.compile(
    rf"""
    (?<![^\W\d_])Aanhangsel\s*(?:van\s+de\s+)?Handelingen
    (?:\s*(?P<kamer>I{{1,2}})(?![\w]))?
    \s*,?\s*(?:vergaderjaar\s*)?(?P<vj>{_VJ})\s*,?\s*(?:nr|nummer)\.?\s*(?P<n>\d{{1,5}})(?!\d)
    """,
    re.VERBOSE | re.IGNORECASE,
)
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_BRIEF_RE = re.compile(
    rf"""
    (?<![^\W\d_])(?:(?P<det>uw|de|mijn|onze|zijn|haar|hun|deze|die|een|bij|per)\s+)?
    (?P<word>(?<![^\W\d_])[^\W\d_]{{0,30}}brief)\s*(?:van|d\.\s?d\.|dd\.?|gedateerd)\s*
    (?:
      (?P<d>\d{{1,2}})\s*(?P<mon>{_MONTH_ALT})\.?\s*(?P<y>(?:19|20)\d{{2}})
    | (?P<d2>\d{{1,2}})[-./](?P<m2>\d{{1,2}})[-./](?P<y2>(?:19|20)\d{{2}})
    )(?!\d)
    """,
    re.VERBOSE | re.IGNORECASE,
)
_PROPOSAL_CONTEXT_RE = re.compile(r"(?:voorstel|proposal)[^.;:()]{0,60}$", re.IGNORECASE)


def _proposal_context(text: str, start: int) -> bool:
    """Whether the words just before a COM number (same clause, no other COM between) call it a proposal."""
    before = text[max(0, start - 80) : start]
    m = _PROPOSAL_CONTEXT_RE.search(before)
    return bool(m) and "COM" not in m.group(0)


# =========================================================================== helpers


def _vergaderjaar(raw: str | None) -> str | None:
    if not raw:
        return None
    m = re.match(r"((?:19|20)\d{2})\s*[-–—/]\s*(\d{2,4})", raw)
    if not m:
        return None
    first = int(m.group(1))
    second = m.group(2)
    last = int(second) if len(second) == 4 else (first // 100) * 100 + int(second)
    if len(second) == 2 and last < first:
        last += 100
    return f"{first}-{last}" if last == first + 1 else None


def _eli(eli_type: str, year: int, number: int) -> str:
    return f"{ELI_BASE}{eli_type}/{year}/{number}/oj"


def _overlaps(span: Span, spans: Iterable[Span]) -> bool:
    return any(span.start < s.end and s.start < span.end for s in spans)


# =========================================================================== URLs


def _find_urls(text: str) -> list[tuple[int, int, str]]:
    """(start, end, URL) with PDF line breaks rejoined and trailing punctuation stripped."""
    out: list[tuple[int, int, str]] = []
    pos = 0
    n = len(text)
    while True:
        m = _URL_START_RE.search(text, pos)
        if not m:
            break
        start = m.start()
        end = _URL_RUN_RE.match(text, m.end()).end()
        parts = [text[start:end]]
        # rejoin continuations
        while True:
            raw = "".join(parts)
            nxt = _continuation(text, end, raw)
            if nxt is None:
                break
            cstart, cend = nxt
            parts.append(text[cstart:cend])
            end = cend
        url = "".join(parts)
        # strip trailing punctuation (a closing bracket only when unbalanced)
        while url and url[-1] in _TRAILING:
            ch = url[-1]
            if ch == ")" and url.count("(") >= url.count(")"):
                break
            if ch == "]" and url.count("[") >= url.count("]"):
                break
            url = url[:-1]
        end = _source_end(text, start, url)
        scheme_only = re.fullmatch(r"(?i)https?://|www\.", url)
        if url and not scheme_only:
            out.append((start, end, url))
        pos = max(end, m.end())
        if pos >= n:
            break
    return out


def _source_end(text: str, start: int, url: str) -> int:
    """The end in ``text`` of ``url`` read from ``start``, skipping the whitespace it was rejoined over."""
    i, j = start, 0
    while j < len(url) and i < len(text):
        if text[i] == url[j]:
            j += 1
        i += 1
    return i


def _continuation(text: str, end: int, url: str) -> tuple[int, int] | None:
    """Where the URL ending at ``end`` continues, when the continuation is clearly part of it."""
    if not url:
        return None
    # "…balkenendenorm? share=…": one space after a query mark, then a key=value
    if url[-1] in "?&" and text[end : end + 1] == " ":
        t = _URL_TOKEN_RE.match(text, end + 1)
        if t and re.match(r"[\w.~%+-]+=", t.group(0)):
            return t.start(), t.end()
        return None
    # a line break right after the URL
    k = end
    while k < len(text) and text[k] in " \t":
        k += 1
    if k >= len(text) or text[k] not in "\r\n":
        return None
    if not url.endswith(_URL_CONTINUES) and not re.fullmatch(r"(?i)https?://", url):
        return None
    k += 2 if text[k : k + 2] == "\r\n" else 1
    while k < len(text) and text[k] in " \t":
        k += 1
    t = _URL_TOKEN_RE.match(text, k)
    if not t:
        return None
    token = t.group(0)
    if "://" in token or (token.lower().startswith("www.") and not re.fullmatch(r"(?i)https?://", url)):
        return None
    if re.match(r"\d+[A-Z][a-z]", token):  # a footnote number glued to a word: "2Kamerstukken"
        return None
    core = token.rstrip(_TRAILING)
    if not core:
        return None
    after = text[t.end() : t.end() + 1]
    plain_word = re.fullmatch(r"[^\W\d_]+", core) is not None
    if plain_word and after not in ("", "\n", "\r"):
        return None  # prose continues on that line: "Tweede Kamer, …"
    if re.fullmatch(r"(?i)https?://", url) and not re.match(r"(?i)[a-z0-9-]+\.[a-z]", core):
        return None
    return t.start(), t.end()


# =========================================================================== the finder


@dataclass
class _Found:
    """The citations found in ``text`` so far (spans are ``offset`` + the place in ``text``), and the
    URLs' spans: other patterns inside a URL are not citations of their own."""

    text: str
    offset: int
    citations: list[Citation] = field(default_factory=list)
    url_spans: list[Span] = field(default_factory=list)

    def add(self, kind: CitationKind, start: int, end: int, method: str, **kw) -> None:
        self.citations.append(
            Citation(kind=kind, text=self.text[start:end], span=Span(self.offset + start, self.offset + end), method=method, **kw)
        )

    def free(self, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` lies outside every URL."""
        return not _overlaps(Span(start, end), self.url_spans)


def find_citations(
    text: str, offset: int = 0, register: EURegister | None = None, on: dt.date | None = None
) -> list[Citation]:
    """Every citation in ``text``, in order of place; spans are ``offset`` + the place in ``text``.

    ``register`` defaults to the bundled EU register; ``on`` (the document's date) picks, for an
    alias shared by an act and its successor, the one in force that day.
    """
    reg = register if register is not None else default_register()
    f = _Found(text, offset)
    _urls(f)  # first: other patterns inside a URL are not citations of their own
    _kamerstukken(f)
    _aanhangsels(f)
    _letters(f)
    eu_spans = _eu_procedures(f, reg) + _eu_com_documents(f, reg)
    eu_spans += _eu_acts(f, reg, eu_spans)
    _eu_by_name(f, reg, on, eu_spans)
    f.citations.sort(key=lambda c: (c.span.start, c.span.end, c.kind))
    return f.citations


def _urls(f: _Found) -> None:
    """URLs (``https://…``, ``www.…``), also where a line break split them."""
    for start, end, url in _find_urls(f.text):
        target = url if re.match(r"(?i)https?://", url) else "https://" + url
        f.add("url", start, end, "patroon", target=target)
        f.url_spans.append(Span(start, end))


def _kamerstukken(f: _Found) -> None:
    """Kamerstukken: "Kamerstuk 22 112, nr. 2686" (one citation per number of "nrs. 1 en 2"), the
    id "kst-22112-2686" and the short form "(22 112-2686)", the latter two where no long form is."""
    text = f.text
    kst_spans: list[Span] = []
    for m in _KST_RE.finditer(text):
        if not f.free(m.start(), m.end()):
            continue
        dossier = re.sub(r"\s", "", m.group("dossier"))
        suffix = m.group("suf1") or m.group("suf2")
        if suffix:
            dossier = f"{dossier}-{suffix}"
        vj = _vergaderjaar(m.group("vj"))
        nums = [m.group("num")] if m.group("num") else re.findall(r"\d{1,5}|[A-Z]{1,2}", m.group("nums"))
        for num in nums:
            f.add("kamerstuk", m.start(), m.end(), "patroon", target=f"kst-{dossier}-{num}", dossier=dossier,
                  number=num, vergaderjaar=vj)
        kst_spans.append(Span(m.start(), m.end()))
    for m in _KST_ID_RE.finditer(text):
        if _overlaps(Span(m.start(), m.end()), kst_spans):
            continue
        dossier = m.group("d") + (f"-{m.group('s')}" if m.group("s") else "")
        f.add("kamerstuk", m.start(), m.end(), "identificatie", target=m.group(0), dossier=dossier, number=m.group("n"))
    for m in _KST_SHORT_RE.finditer(text):
        if not f.free(m.start(), m.end()) or _overlaps(Span(m.start(), m.end()), kst_spans):
            continue
        dossier = re.sub(r"\s", "", m.group("dossier"))
        f.add("kamerstuk", m.start(), m.end(), "patroon", target=f"kst-{dossier}-{m.group('n')}", dossier=dossier,
              number=m.group("n"))


def _aanhangsels(f: _Found) -> None:
    """"Aanhangsel van de Handelingen, vergaderjaar 2023-2024, nr. 1234"."""
    for m in _AH_RE.finditer(f.text):
        if not f.free(m.start(), m.end()):
            continue
        vj = _vergaderjaar(m.group("vj"))
        chamber = "ek" if m.group("kamer") == "I" else "tk"
        target = f"ah-{chamber}-{vj.replace('-', '')}-{m.group('n')}" if vj else None
        f.add("aanhangsel", m.start(), m.end(), "patroon", target=target, number=m.group("n"), vergaderjaar=vj)


def _letters(f: _Found) -> None:
    """Letters with a date: "uw brief van 6 december 2023", "de Kamerbrief d.d. 1-2-2024"."""
    for m in _BRIEF_RE.finditer(f.text):
        if not f.free(m.start(), m.end()):
            continue
        try:
            if m.group("d"):
                day = dt.date(int(m.group("y")), MONTHS[m.group("mon").lower()], int(m.group("d")))
            else:
                day = dt.date(int(m.group("y2")), int(m.group("m2")), int(m.group("d2")))
        except ValueError:
            continue
        f.add("brief", m.start(), m.end(), "patroon", date=day)


def _eu_procedures(f: _Found, reg: EURegister) -> list[Span]:
    """EU procedures by number ("2016/0295(COD)"); returns their spans."""
    spans: list[Span] = []
    for m in PROC_RE.finditer(f.text):
        if not f.free(m.start(), m.end()):
            continue
        year, num, typ = int(m.group("y")), int(m.group("n")), m.group("t")
        number = f"{year}/{num:04d}({typ})"
        r = reg.by_number(number)
        target = r.iri if r else f"{PROCEDURE_BASE}{year}_{num}"
        f.add("eu-procedure", m.start(), m.end(), "identificatie", target=target, number=number)
        spans.append(Span(m.start(), m.end()))
    return spans


def _eu_com_documents(f: _Found, reg: EURegister) -> list[Span]:
    """Commission documents by number ("COM(2016) 616"): the register's resource, or a proposal
    where the words before call it one; returns their spans."""
    spans: list[Span] = []
    for m in COM_RE.finditer(f.text):
        if not f.free(m.start(), m.end()):
            continue
        year, num = int(m.group("y") or m.group("y2")), int(m.group("n"))
        number = f"COM({year}) {num}"
        r = reg.by_number(number)
        if r is not None:
            f.add(r.citation_kind, m.start(), m.end(), "identificatie", target=r.iri, number=number)
        elif _proposal_context(f.text, m.start()):
            # a COM document is a proposal (CELEX sector "PC") only when the text says so
            f.add("eu-proposal", m.start(), m.end(), "identificatie", target=f"{CELEX_BASE}5{year}PC{num:04d}",
                  number=number)
        else:
            continue
        spans.append(Span(m.start(), m.end()))
    return spans


def _eu_acts(f: _Found, reg: EURegister, eu_spans: list[Span]) -> list[Span]:
    """EU acts by number ("Verordening (EU) 2021/821", "Richtlijn 2009/147/EG") outside the EU
    numbers found before (``eu_spans``); returns their spans."""
    spans: list[Span] = []
    for m in ACT_RE.finditer(f.text):
        if not f.free(m.start(), m.end()) or _overlaps(Span(m.start(), m.end()), eu_spans + spans):
            continue
        ident = act_identity(m)
        if ident is None:
            continue
        eli_type, year, num, printed = ident
        r = reg.by_act(eli_type, year, num)
        if r is not None:
            f.add(r.citation_kind, m.start(), m.end(), "identificatie", target=r.iri, number=r.number)
        else:
            f.add("eu-act", m.start(), m.end(), "identificatie", target=_eli(eli_type, year, num), number=printed)
        spans.append(Span(m.start(), m.end()))
    return spans


def _eu_by_name(f: _Found, reg: EURegister, on: dt.date | None, eu_spans: list[Span]) -> None:
    """EU resources by the register's aliases ("de dual use-verordening", "AVG"), outside the EU
    numbers found (``eu_spans``), read as the title linker reads them (:func:`resolve_name`: the act in
    force ``on`` that date, the pending proposal where the words around speak of a revision); an
    acronym that means something else there is skipped, one that needs context ("ETS") is taken where
    a context word stands within :data:`CONTEXT_REACH` characters."""
    taken = list(eu_spans)
    for span, alias in reg.alias_spans(f.text):
        if f.free(span.start, span.end) and not _overlaps(span, taken) and not vetoed(f.text, alias):
            around = _around(f.text, span)
            r, _ = (None, 0.0) if name_vetoed(around, alias) else resolve_name(alias, on, reg, around)
            if r is not None:
                f.add(r.citation_kind, span.start, span.end, "alias", target=r.iri, number=r.number)
                taken.append(span)
    for span, alias in reg.context_alias_spans(f.text):
        if f.free(span.start, span.end) and not _overlaps(span, taken) and not vetoed(f.text, alias):
            r, _ = resolve_name(alias, on, reg, _around(f.text, span))
            if r is not None and has_context(f.text, span, r.context_words(alias), CONTEXT_REACH):
                f.add(r.citation_kind, span.start, span.end, "alias", target=r.iri, number=r.number)
                taken.append(span)


CONTEXT_REACH = 200  # characters either side of an alias where its context or revision words count


def _around(text: str, span: Span) -> str:
    """The words around an alias (its clause, at most CONTEXT_REACH characters either side)."""
    before = text[max(0, span.start - CONTEXT_REACH): span.start]
    after = text[span.end: span.end + CONTEXT_REACH]
    before = re.split(r"[.;:?!]\s", before)[-1]
    after = re.split(r"[.;:?!]\s", after)[0]
    return before + text[span.start: span.end] + after
