"""Citations in published texts: URLs, Kamerstukken, Aanhangsels, letters and EU legal resources.

Pure functions, no rdflib, no network. :func:`find_citations` reads a (question, answer or
footnote) text and returns :class:`~ingest.records.Citation` records with character spans into
that text (plus ``offset``, so that a caller can pass a slice and get spans into the whole text).

EU legal resources are found in two ways:

* by their number ("Verordening (EU) 2021/821", "Verordening (EG) nr. 428/2009",
  "Richtlijn 2009/147/EG", "COM(2016) 616", "2016/0295(COD)"), method ``"identificatie"``;
  the target is the ELI of the act (``http://data.europa.eu/eli/reg/2021/821/oj``), the CELLAR
  IRI of a Commission proposal (``http://publications.europa.eu/resource/celex/52016PC0616``) or
  of a procedure (``http://publications.europa.eu/resource/procedure/2016_295``);
* by name, from the aliases of the register ``data/eu/eu-acts.csv`` ("de dual use-verordening",
  "AVG", "het voorstel van de Europese Commissie uit 2016 om de dual use-verordening te
  herzien"), method ``"alias"``.

:class:`EURegister` is that register: look-ups by key, CELEX, number, IRI and alias, and
:meth:`EURegister.related` for the links between a proposal, its procedure and the acts.

:func:`repair_publication_id` repairs an official publication id printed with an extraction slip
("kv-tk-2019Z215231") against the official id list.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import string
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from ingest.errors import ParseError
from ingest.records import Citation, CitationKind, Span

DEFAULT_REGISTER = Path(__file__).resolve().parent.parent / "data" / "eu" / "eu-acts.csv"

ELI_BASE = "http://data.europa.eu/eli/"
CELEX_BASE = "http://publications.europa.eu/resource/celex/"
PROCEDURE_BASE = "http://publications.europa.eu/resource/procedure/"

EUKind = Literal["act", "proposal", "procedure"]
_CITATION_KIND: dict[str, CitationKind] = {"act": "eu-act", "proposal": "eu-proposal", "procedure": "eu-procedure"}

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "april": 4, "apr": 4,
    "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip


# =========================================================================== the EU register


@dataclass(frozen=True, slots=True)
class EUResource:
    """One row of the EU register: an act, a Commission proposal or a legislative procedure."""

    key: str  # "reg-2009-428", "com-2016-616", "proc-2016-0295-cod"
    kind: EUKind
    number: str  # "428/2009", "2021/821", "2009/147/EG", "COM(2016) 616", "2016/0295(COD)"
    title_nl: str
    type: str | None = None  # ELI resource type of an act ("reg", "dir", "dec", ...), procedure type ("COD")
    celex: str | None = None
    eli: str | None = None
    cellar: str | None = None
    date: dt.date | None = None  # date of the document (act adopted, proposal issued)
    in_force_from: dt.date | None = None  # only where the register states it
    in_force_to: dt.date | None = None
    short_title_nl: str | None = None
    aliases: tuple[str, ...] = ()
    repeals: tuple[str, ...] = ()  # act -> acts (keys)
    amends: tuple[str, ...] = ()  # act -> acts
    revises: tuple[str, ...] = ()  # proposal -> the acts it proposes to recast, amend or replace
    initiated_by: tuple[str, ...] = ()  # procedure -> proposal
    resulted_in: tuple[str, ...] = ()  # procedure -> acts

    @property
    def iri(self) -> str:
        """The resource's own IRI: the ELI of an act, else its CELLAR IRI."""
        return self.eli or self.cellar or ""

    @property
    def citation_kind(self) -> CitationKind:
        return _CITATION_KIND[self.kind]

    def in_force_on(self, day: dt.date) -> bool:
        if self.in_force_from and day < self.in_force_from:
            return False
        return not (self.in_force_to and day > self.in_force_to)


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (cell or "").split(";") if p.strip())


def _date(cell: str | None, file: str, line: int) -> dt.date | None:
    if not cell:
        return None
    try:
        return dt.date.fromisoformat(cell.strip())
    except ValueError:
        raise ParseError(file, line, f"not an ISO date: {cell!r}") from None


_SEP = r"[\s\-\u00ad\u2010\u2011\u2012\u2013]*"  # between the words of an alias: spaces, hyphens, line breaks, none


def _fold(text: str) -> str:
    """Alias normal form: lower case, words joined by single spaces, hyphens as spaces."""
    return " ".join(re.split(r"[\s\-\u00ad\u2010\u2011\u2012\u2013]+", text.strip().lower()))


def _is_acronym(alias: str) -> bool:
    """Acronyms ("AVG", "DSA", "RED-III", "NIS2") are matched case-sensitively, other aliases not."""
    return not any(c.islower() for c in alias)


def _alias_pattern(alias: str) -> str:
    words = [w for w in re.split(r"[\s\-\u00ad\u2010\u2011\u2012\u2013]+", alias.strip()) if w]
    body = _SEP.join(re.escape(w) for w in words)
    return f"(?-i:{body})" if _is_acronym(alias) else body


class EURegister:
    """The register of EU legal resources (``data/eu/eu-acts.csv``)."""

    def __init__(self, resources: Iterable[EUResource]) -> None:
        self._by_key: dict[str, EUResource] = {}
        for r in resources:
            if r.key in self._by_key:
                raise ValueError(f"duplicate EU register key {r.key!r}")
            self._by_key[r.key] = r
        for r in self._by_key.values():
            for rel in ("repeals", "amends", "revises", "initiated_by", "resulted_in"):
                for k in getattr(r, rel):
                    if k not in self._by_key:
                        raise ValueError(f"EU register {r.key}: {rel} names an unknown key {k!r}")
        self._by_celex = {r.celex.upper(): r for r in self._by_key.values() if r.celex}
        self._by_iri = {i: r for r in self._by_key.values() for i in (r.eli, r.cellar) if i}
        self._by_number = {_number_key(r.number): r for r in self._by_key.values()}
        self._by_act: dict[tuple[str, int, int], EUResource] = {}
        for r in self._by_key.values():
            m = re.match(r"^http://data\.europa\.eu/eli/([a-z_]+)/(\d{4})/(\d+)/oj$", r.eli or "")
            if m:
                self._by_act[(m.group(1).split("_")[0], int(m.group(2)), int(m.group(3)))] = r
        self._by_alias: dict[str, list[EUResource]] = {}
        for r in self._by_key.values():
            for a in r.aliases:
                self._by_alias.setdefault(_fold(a), []).append(r)
        self._aliases = sorted({a for r in self._by_key.values() for a in r.aliases}, key=lambda a: (-len(a), a))

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls, path: Path | str | None = None) -> EURegister:
        """Reads the register CSV (default ``data/eu/eu-acts.csv``); a bad row raises ParseError."""
        path = Path(path) if path is not None else DEFAULT_REGISTER
        resources = []
        try:
            with open(path, encoding="utf-8", newline="") as fh:
                for line, row in enumerate(csv.DictReader(fh), start=2):
                    kind = (row.get("kind") or "").strip()
                    if kind not in _CITATION_KIND:
                        raise ParseError(str(path), line, f"unknown kind {kind!r}")
                    key = (row.get("key") or "").strip()
                    if not key or not (row.get("number") or "").strip():
                        raise ParseError(str(path), line, "a row needs a key and a number")
                    r = EUResource(
                        key=key,
                        kind=kind,  # type: ignore[arg-type]
                        number=row["number"].strip(),
                        title_nl=(row.get("title_nl") or "").strip(),
                        type=(row.get("type") or "").strip() or None,
                        celex=(row.get("celex") or "").strip() or None,
                        eli=(row.get("eli") or "").strip() or None,
                        cellar=(row.get("cellar") or "").strip() or None,
                        date=_date(row.get("date"), str(path), line),
                        in_force_from=_date(row.get("in_force_from"), str(path), line),
                        in_force_to=_date(row.get("in_force_to"), str(path), line),
                        short_title_nl=(row.get("short_title_nl") or "").strip() or None,
                        aliases=_split(row.get("aliases")),
                        repeals=_split(row.get("repeals")),
                        amends=_split(row.get("amends")),
                        revises=_split(row.get("revises")),
                        initiated_by=_split(row.get("initiated_by")),
                        resulted_in=_split(row.get("resulted_in")),
                    )
                    if kind == "act" and not r.eli:
                        raise ParseError(str(path), line, f"act {key} has no ELI")
                    if kind != "act" and not r.cellar:
                        raise ParseError(str(path), line, f"{kind} {key} has no CELLAR IRI")
                    resources.append(r)
        except OSError as exc:
            raise ParseError(str(path), None, f"cannot read the EU register: {exc}") from None
        try:
            return cls(resources)
        except ValueError as exc:
            raise ParseError(str(path), None, str(exc)) from None

    # ------------------------------------------------------------------ look-ups

    def __iter__(self) -> Iterator[EUResource]:
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def get(self, key: str) -> EUResource | None:
        return self._by_key.get(key)

    def __getitem__(self, key: str) -> EUResource:
        return self._by_key[key]

    def by_celex(self, celex: str) -> EUResource | None:
        return self._by_celex.get(celex.strip().upper())

    def by_iri(self, iri: str) -> EUResource | None:
        return self._by_iri.get(iri.strip())

    def by_number(self, number: str) -> EUResource | None:
        """By the number as the register writes it, spacing and case aside:
        "2021/821", "428/2009", "2009/147/EG", "COM(2016) 616", "COM(2016)616 final", "2016/0295(COD)"."""
        return self._by_number.get(_number_key(number))

    def by_act(self, eli_type: str, year: int, number: int) -> EUResource | None:
        """An act by ELI type family ("reg", "dir", "dec"; "reg_impl" counts as "reg"), year and number."""
        return self._by_act.get((eli_type.split("_")[0], year, number))

    def by_alias(self, name: str, on: dt.date | None = None) -> EUResource | None:
        """The resource an alias names; an alias shared by several resources (the "dual
        use-verordening" before and after its recast) goes to the one in force ``on`` that
        date, or without a date to the first in the register."""
        found = self._by_alias.get(_fold(name))
        if not found:
            return None
        if on is not None:
            for r in found:
                if r.in_force_on(on):
                    return r
        return found[0]

    @cached_property
    def _alias_re(self) -> re.Pattern[str]:
        alts = "|".join(f"(?P<a{i}>{_alias_pattern(a)})" for i, a in enumerate(self._aliases)) or r"(?!x)x"
        return re.compile(rf"(?<![^\W\d_])(?:{alts})(?![^\W_])", re.IGNORECASE)

    def find_aliases(self, text: str, on: dt.date | None = None) -> list[tuple[Span, EUResource]]:
        """Every alias in ``text``, longest first at a place, never overlapping (spans into ``text``).

        Words may be joined by spaces, hyphens, a line break or nothing ("dual use-verordening",
        "dual-useverordening", "dual use-\nverordening"); acronyms match in capitals only."""
        out = []
        for m in self._alias_re.finditer(text):
            alias = self._aliases[int(m.lastgroup[1:])] if m.lastgroup else m.group(0)
            r = self.by_alias(alias, on)
            if r is not None:
                out.append((Span(m.start(), m.end()), r))
        return out

    # ------------------------------------------------------------------ relations

    def related(self, key: str) -> dict[str, tuple[EUResource, ...]]:
        """The resources linked to ``key``, by relation name, only the non-empty ones.

        Relation names: ``repeals``, ``repealed_by``, ``amends``, ``amended_by`` (acts);
        ``revises`` (proposal -> acts it proposes to recast or amend; for an act: the acts its
        proposal revised), ``revised_by`` (act -> proposals); ``procedure`` (proposal or act ->
        procedure); ``proposal`` (procedure or act -> the proposal that started it);
        ``resulted_in`` (proposal or procedure -> the acts the procedure produced).
        """
        r = self._by_key.get(key)
        if r is None:
            raise KeyError(key)
        everyone = list(self._by_key.values())

        def keys(ks: Iterable[str]) -> tuple[EUResource, ...]:
            seen: dict[str, EUResource] = {}
            for k in ks:
                if k in self._by_key and k != key:
                    seen.setdefault(k, self._by_key[k])
            return tuple(seen.values())

        rel: dict[str, tuple[EUResource, ...]] = {}
        if r.kind == "act":
            procs = [p for p in everyone if p.kind == "procedure" and key in p.resulted_in]
            proposals = [k for p in procs for k in p.initiated_by]
            rel["repeals"] = keys(r.repeals)
            rel["repealed_by"] = keys(o.key for o in everyone if key in o.repeals)
            rel["amends"] = keys(r.amends)
            rel["amended_by"] = keys(o.key for o in everyone if key in o.amends)
            rel["revised_by"] = keys(o.key for o in everyone if key in o.revises)
            rel["procedure"] = keys(p.key for p in procs)
            rel["proposal"] = keys(proposals)
            rel["revises"] = keys(k for pk in proposals for k in self._by_key[pk].revises)
        elif r.kind == "proposal":
            procs = [p for p in everyone if p.kind == "procedure" and key in p.initiated_by]
            rel["procedure"] = keys(p.key for p in procs)
            rel["revises"] = keys(r.revises)
            rel["resulted_in"] = keys(k for p in procs for k in p.resulted_in)
        else:
            rel["proposal"] = keys(r.initiated_by)
            rel["resulted_in"] = keys(r.resulted_in)
            rel["revises"] = keys(k for pk in r.initiated_by if pk in self._by_key for k in self._by_key[pk].revises)
        return {name: rs for name, rs in rel.items() if rs}


def _number_key(number: str) -> str:
    n = re.sub(r"\s+", "", number).upper()
    n = re.sub(r"(FINAL|DEF(INITIEF)?\.?)$", "", n)
    n = re.sub(r"^COM/(\d{4})/0*(\d+)$", r"COM(\1)\2", n)
    n = re.sub(r"^(COM\(\d{4}\))0*(\d+)$", r"\1\2", n)
    n = re.sub(r"^NR\.?", "", n)
    return n


_DEFAULT_REGISTER: EURegister | None = None


def default_register() -> EURegister:
    """The bundled register, read once."""
    global _DEFAULT_REGISTER
    if _DEFAULT_REGISTER is None:
        _DEFAULT_REGISTER = EURegister.load()
    return _DEFAULT_REGISTER


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
_ACT_RE = re.compile(
    r"""
    (?<![^\W\d_])
    (?P<mod>gedelegeerde?\s+|delegated\s+|implementing\s+|framework\s+)?
    (?P<pre>[^\W\d_]{0,20}?)
    (?P<base>verordening|richtlijn|besluit|regulation|directive|decision)
    \s*(?:\(\s*(?P<des>EU|EG|EEG|EC|EEC|EGKS|EU,\s*Euratom|EG,\s*Euratom|Euratom|GBVB|CFSP)\s*\)\s*)?
    (?:(?P<nr>nr|no|n°)\.?\s*)?
    (?P<open>\(\s*)?(?P<a>\d{2,4})\s*/\s*(?P<b>\d{1,4})(?![\d])
    (?:\s*/\s*(?P<suf>EU|EG|EEG|EC|EEC|Euratom|GBVB|CFSP|JBZ|JHA)(?![\w]))?
    (?(open)\s*\)?)
    """,
    re.VERBOSE | re.IGNORECASE,
)
_COM_RE = re.compile(
    r"(?<![^\W\d_])COM\s*(?:\(\s*(?P<y>(?:19|20)\d{2})\s*\)|/\s*(?P<y2>(?:19|20)\d{2})\s*/)\s*(?P<n>\d{1,4})(?!\d)"
    r"(?:\s*(?:final|def(?:initief)?\.?)(?![\w]))?"
)
_PROC_RE = re.compile(
    r"(?<![\w/])(?P<y>(?:19|20)\d{2})\s*/\s*(?P<n>\d{1,4})\s*\(\s*"
    r"(?P<t>COD|CNS|APP|NLE|BUD|DEC|INI|RSP|INL|SYN|AVC|ACI|DCE|IMM|REG|RPS|RSO|DEA)\s*\)"
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


def _year(raw: str) -> int | None:
    y = int(raw)
    if len(raw) == 2:
        return 1900 + y if y >= 50 else 2000 + y
    if len(raw) == 4 and 1950 <= y <= 2099:
        return y
    return None


_ELI_TYPES = {"verordening": "reg", "regulation": "reg", "richtlijn": "dir", "directive": "dir",
              "besluit": "dec", "decision": "dec"}  # fmt: skip
_SECTOR = {"reg": "R", "dir": "L", "dec": "D"}


def _act_identity(m: re.Match[str]) -> tuple[str, int, int, str] | None:
    """(ELI type, year, number, number as printed) of an act matched by _ACT_RE, or None."""
    base = _ELI_TYPES[m.group("base").lower()]
    pre = (m.group("pre") or "").lower()
    mod = (m.group("mod") or "").lower()
    eli_type = base
    if pre.startswith("uitvoerings") or mod.startswith("implementing"):
        eli_type = f"{base}_impl"
    elif mod.startswith(("gedelegeerd", "delegated")):
        eli_type = f"{base}_del"
    elif base == "dec" and (pre.startswith("kader") or mod.startswith("framework")):
        eli_type = "dec_framw"
    elif base == "reg" and pre and not (m.group("des") or m.group("nr") or m.group("suf")):
        return None  # "noodverordening 2024/3": a national word, not an EU act
    a, b = m.group("a"), m.group("b")
    des = (m.group("des") or "").upper()
    if m.group("nr"):
        year, number = _year(b), int(a)
    elif base == "reg":
        ya, yb = _year(a) if len(a) == 4 else None, _year(b)
        if ya is not None and ya >= 2015 and (des in ("", "EU") or des.startswith("EU")):
            year, number = ya, int(b)
        elif yb is not None and (len(b) == 2 or yb < 2015):
            year, number = yb, int(a)
        else:
            year, number = (ya, int(b)) if ya is not None else (None, 0)
    else:
        year, number = _year(a), int(b)
    if year is None or number <= 0:
        return None
    printed = re.sub(r"\s+", "", f"{a}/{b}")
    if m.group("suf"):
        printed += "/" + m.group("suf")
    return eli_type, year, number, printed


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


def find_citations(
    text: str, offset: int = 0, register: EURegister | None = None, on: dt.date | None = None
) -> list[Citation]:
    """Every citation in ``text``, in order of place; spans are ``offset`` + the place in ``text``.

    ``register`` defaults to the bundled EU register; ``on`` (the document's date) picks, for an
    alias shared by an act and its successor, the one in force that day.
    """
    reg = register if register is not None else default_register()
    found: list[Citation] = []

    def add(kind: CitationKind, start: int, end: int, method: str, **kw) -> None:
        found.append(Citation(kind=kind, text=text[start:end], span=Span(offset + start, offset + end), method=method, **kw))

    # URLs first: other patterns inside a URL are not citations of their own
    url_spans: list[Span] = []
    for start, end, url in _find_urls(text):
        target = url if re.match(r"(?i)https?://", url) else "https://" + url
        add("url", start, end, "patroon", target=target)
        url_spans.append(Span(start, end))

    def free(start: int, end: int) -> bool:
        return not _overlaps(Span(start, end), url_spans)

    # Kamerstukken
    kst_spans: list[Span] = []
    for m in _KST_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        dossier = re.sub(r"\s", "", m.group("dossier"))
        suffix = m.group("suf1") or m.group("suf2")
        if suffix:
            dossier = f"{dossier}-{suffix}"
        vj = _vergaderjaar(m.group("vj"))
        nums = [m.group("num")] if m.group("num") else re.findall(r"\d{1,5}|[A-Z]{1,2}", m.group("nums"))
        for num in nums:
            add("kamerstuk", m.start(), m.end(), "patroon", target=f"kst-{dossier}-{num}", dossier=dossier,
                number=num, vergaderjaar=vj)
        kst_spans.append(Span(m.start(), m.end()))
    for m in _KST_ID_RE.finditer(text):
        if _overlaps(Span(m.start(), m.end()), kst_spans):
            continue
        dossier = m.group("d") + (f"-{m.group('s')}" if m.group("s") else "")
        add("kamerstuk", m.start(), m.end(), "identificatie", target=m.group(0), dossier=dossier, number=m.group("n"))
    for m in _KST_SHORT_RE.finditer(text):
        if not free(m.start(), m.end()) or _overlaps(Span(m.start(), m.end()), kst_spans):
            continue
        dossier = re.sub(r"\s", "", m.group("dossier"))
        add("kamerstuk", m.start(), m.end(), "patroon", target=f"kst-{dossier}-{m.group('n')}", dossier=dossier,
            number=m.group("n"))

    # Aanhangsel van de Handelingen
    for m in _AH_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        vj = _vergaderjaar(m.group("vj"))
        chamber = "ek" if m.group("kamer") == "I" else "tk"
        target = f"ah-{chamber}-{vj.replace('-', '')}-{m.group('n')}" if vj else None
        add("aanhangsel", m.start(), m.end(), "patroon", target=target, number=m.group("n"), vergaderjaar=vj)

    # letters with a date
    for m in _BRIEF_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        try:
            if m.group("d"):
                day = dt.date(int(m.group("y")), MONTHS[m.group("mon").lower()], int(m.group("d")))
            else:
                day = dt.date(int(m.group("y2")), int(m.group("m2")), int(m.group("d2")))
        except ValueError:
            continue
        add("brief", m.start(), m.end(), "patroon", date=day)

    # EU resources by number
    eu_spans: list[Span] = []
    for m in _PROC_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        year, num, typ = int(m.group("y")), int(m.group("n")), m.group("t")
        number = f"{year}/{num:04d}({typ})"
        r = reg.by_number(number)
        target = r.iri if r else f"{PROCEDURE_BASE}{year}_{num}"
        add("eu-procedure", m.start(), m.end(), "identificatie", target=target, number=number)
        eu_spans.append(Span(m.start(), m.end()))
    for m in _COM_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        year, num = int(m.group("y") or m.group("y2")), int(m.group("n"))
        number = f"COM({year}) {num}"
        r = reg.by_number(number)
        if r is not None:
            add(r.citation_kind, m.start(), m.end(), "identificatie", target=r.iri, number=number)
        elif _proposal_context(text, m.start()):
            # a COM document is a proposal (CELEX sector "PC") only when the text says so
            add("eu-proposal", m.start(), m.end(), "identificatie", target=f"{CELEX_BASE}5{year}PC{num:04d}",
                number=number)
        else:
            continue
        eu_spans.append(Span(m.start(), m.end()))
    for m in _ACT_RE.finditer(text):
        if not free(m.start(), m.end()) or _overlaps(Span(m.start(), m.end()), eu_spans):
            continue
        ident = _act_identity(m)
        if ident is None:
            continue
        eli_type, year, num, printed = ident
        r = reg.by_act(eli_type, year, num)
        if r is not None:
            add(r.citation_kind, m.start(), m.end(), "identificatie", target=r.iri, number=r.number)
        else:
            add("eu-act", m.start(), m.end(), "identificatie", target=_eli(eli_type, year, num), number=printed)
        eu_spans.append(Span(m.start(), m.end()))

    # EU resources by name
    for span, r in reg.find_aliases(text, on):
        if not free(span.start, span.end) or _overlaps(span, eu_spans):
            continue
        add(r.citation_kind, span.start, span.end, "alias", target=r.iri, number=r.number)

    found.sort(key=lambda c: (c.span.start, c.span.end, c.kind))
    return found


# =========================================================================== publication ids

_ID_ALPHABET = string.ascii_lowercase + string.digits + "-" + "ZDAB"


def _edits1(word: str) -> Iterator[str]:
    for i in range(len(word) + 1):
        left, right = word[:i], word[i:]
        if right:
            yield left + right[1:]  # deletion
        for c in _ID_ALPHABET:
            yield left + c + right  # insertion
            if right and c != right[0]:
                yield left + c + right[1:]  # substitution


def repair_publication_id(printed: str, known: Container[str]) -> tuple[str, str | None]:
    """An official publication id for ``printed``, checked against ``known`` (the official list).

    * ``printed`` is known: ``(printed, None)``;
    * exactly one known id lies within edit distance 1: ``(that id, note)``, the note saying what
      was repaired ("kv-tk-2019Z215231" -> "kv-tk-2019Z15231");
    * none, or more than one: ``(printed, "unknown id …")``.
    """
    pid = printed.strip()
    if pid in known:
        return pid, None
    hits = sorted({c for c in _edits1(pid) if c in known})
    if len(hits) == 1:
        return hits[0], (
            f"publication id repaired: printed {pid!r}, the only official id within edit distance 1 is {hits[0]!r}"
        )
    if not hits:
        return pid, f"unknown id {pid!r}: not in the official id list, and no official id within edit distance 1"
    return pid, f"unknown id {pid!r}: not in the official id list; ambiguous repair ({', '.join(hits)})"
