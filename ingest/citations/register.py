"""The register of EU legal resources (``data/eu/eu-acts.csv``): acts, Commission proposals and
procedures, with look-ups by key, CELEX, number, IRI and alias (:class:`EURegister`), and the links
between a proposal, its procedure and the acts (:meth:`EURegister.related`).

Every row says whether its identifiers were checked against a public page (``status``, with the
pages in ``verified_by``); the rows marked ``unverified`` are read and kept aside
(:attr:`EURegister.unverified`), out of every look-up and so out of the links. Aliases that mean
an EU act only next to certain words (``context_required``: "ETS" beside "emissierechten") are
looked up by name but not matched in running text."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from ingest.errors import ParseError
from ingest.records import CitationKind, Span

DEFAULT_REGISTER = Path(__file__).resolve().parents[2] / "data" / "eu" / "eu-acts.csv"

ELI_BASE = "http://data.europa.eu/eli/"
CELEX_BASE = "http://publications.europa.eu/resource/celex/"
PROCEDURE_BASE = "http://publications.europa.eu/resource/procedure/"

EUKind = Literal["act", "proposal", "procedure"]
STATUSES = ("verified", "unverified")
_CITATION_KIND: dict[str, CitationKind] = {"act": "eu-act", "proposal": "eu-proposal", "procedure": "eu-procedure"}


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
    status: str = "verified"  # "verified": identifiers checked on the pages in verified_by
    verified_by: tuple[str, ...] = ()  # URLs of the public pages the identifiers were checked on
    context_required: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (alias, words one of which must co-occur)
    applies_from: dt.date | None = None  # date of application, where the register states it
    implemented_by: tuple[str, ...] = ()  # Dutch laws that implement the act, where known

    @property
    def iri(self) -> str:
        """The resource's own IRI: the ELI of an act, else its CELLAR IRI."""
        return self.eli or self.cellar or ""

    @property
    def citation_kind(self) -> CitationKind:
        return _CITATION_KIND[self.kind]

    @property
    def verified(self) -> bool:
        return self.status == "verified"

    def context_words(self, alias: str) -> tuple[str, ...]:
        """The words one of which must stand near ``alias`` for it to name this resource; () if none."""
        folded = _fold(alias)
        return next((words for a, words in self.context_required if _fold(a) == folded), ())

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


_WORD_BREAK = re.compile(r"[\s\-\u00ad\u2010\u2011\u2012\u2013]+")  # between the words of an alias


_NUMBERED = re.compile(r"^([A-Z]{2,})(\d+|I{2,3}|IV|V|VI)$")  # "ETS2", "NIS2", "MiFIDII": an acronym and its generation
_ACT_WORD_END = re.compile(r"(?:richtlijn|verordening)$", re.IGNORECASE)


def _alias_words(alias: str) -> list[str]:
    """The words of an alias; an acronym's generation number is a word of its own ("ETS2" -> "ETS", "2"), so
    that "ETS-2" and "ETS 2" match it too."""
    words = [w for w in _WORD_BREAK.split(alias.strip()) if w]
    if _is_acronym(alias) and words and _NUMBERED.match(words[-1]):
        words[-1:] = list(_NUMBERED.match(words[-1]).groups())
    return words


def _alias_pattern(alias: str) -> str:
    """The pattern of an alias: its words with :data:`_SEP` between them; an acronym in capitals only. The last
    word of a name takes its plural or singular ("richtlijn industriële emissies" also in "Richtlijn Industriële
    Emissie"), and a name ending in -richtlijn or -verordening the tail of a Dutch compound
    ("Habitatrichtlijngebieden", "Vogelrichtlijnsoorten", "gezinsherenigingsrichtlijnen")."""
    words = [re.escape(w) for w in _alias_words(alias)]
    if _is_acronym(alias):
        return f"(?-i:{_SEP.join(words)})"
    last = words[-1]
    if _ACT_WORD_END.search(last):
        words[-1] = last + r"[^\W\d_]*"
    elif len(last) >= 5 and last.endswith("es"):
        words[-1] = last[:-1] + "s?"  # emissies, emissie
    elif len(last) >= 5 and last.endswith("e"):
        words[-1] = last + "s?"  # emissie, emissies
    return _SEP.join(words)


def _cell(row: dict[str, str | None], name: str) -> str:
    return (row.get(name) or "").strip()


def _context(cell: str, aliases: tuple[str, ...], file: str, line: int) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``context_required``: "ETS=emissie|CO2;ESR=klimaat" -> (("ETS", ("emissie", "CO2")), ...)."""
    out = []
    for part in _split(cell):
        alias, sep, words = part.partition("=")
        ws = tuple(w.strip() for w in words.split("|") if w.strip())
        if not sep or not ws:
            raise ParseError(file, line, f"context_required entry {part!r} is not ALIAS=word|word")
        if _fold(alias) not in {_fold(a) for a in aliases}:
            raise ParseError(file, line, f"context_required names {alias.strip()!r}, which is not an alias of the row")
        out.append((alias.strip(), ws))
    return tuple(out)


def _resource(row: dict[str, str | None], file: str, line: int) -> EUResource:
    """One CSV row as an EUResource; a bad row raises ParseError naming the file and line."""
    kind, key, status = _cell(row, "kind"), _cell(row, "key"), _cell(row, "status")
    if kind not in _CITATION_KIND:
        raise ParseError(file, line, f"unknown kind {kind!r}")
    if not key or not _cell(row, "number"):
        raise ParseError(file, line, "a row needs a key and a number")
    if status not in STATUSES:
        raise ParseError(file, line, f"{key}: status is {status!r}, not one of {', '.join(STATUSES)}")
    urls = _split(row.get("verified_by"))
    if any(not re.match(r"https?://\S+$", u) for u in urls):
        raise ParseError(file, line, f"{key}: verified_by holds something that is not a URL")
    if status == "verified" and not urls:
        raise ParseError(file, line, f"{key}: a verified row names the page it was verified on (verified_by)")
    aliases = _split(row.get("aliases"))
    r = EUResource(
        key=key,
        kind=kind,  # type: ignore[arg-type]
        number=_cell(row, "number"),
        title_nl=_cell(row, "title_nl"),
        type=_cell(row, "type") or None,
        celex=_cell(row, "celex") or None,
        eli=_cell(row, "eli") or None,
        cellar=_cell(row, "cellar") or None,
        date=_date(row.get("date"), file, line),
        in_force_from=_date(row.get("in_force_from"), file, line),
        in_force_to=_date(row.get("in_force_to"), file, line),
        short_title_nl=_cell(row, "short_title_nl") or None,
        aliases=aliases,
        repeals=_split(row.get("repeals")),
        amends=_split(row.get("amends")),
        revises=_split(row.get("revises")),
        initiated_by=_split(row.get("initiated_by")),
        resulted_in=_split(row.get("resulted_in")),
        status=status,
        verified_by=urls,
        context_required=_context(_cell(row, "context_required"), aliases, file, line),
        applies_from=_date(row.get("applies_from"), file, line),
        implemented_by=_split(row.get("implemented_by")),
    )
    if kind == "act" and not r.eli:
        raise ParseError(file, line, f"act {key} has no ELI")
    if kind != "act" and not r.cellar:
        raise ParseError(file, line, f"{kind} {key} has no CELLAR IRI")
    return r


class EURegister:
    """The register of EU legal resources (``data/eu/eu-acts.csv``): the verified rows, with the
    unverified ones kept aside in :attr:`unverified`."""

    def __init__(self, resources: Iterable[EUResource]) -> None:
        everyone: dict[str, EUResource] = {}
        for r in resources:
            if r.key in everyone:
                raise ValueError(f"duplicate EU register key {r.key!r}")
            everyone[r.key] = r
        for r in everyone.values():
            for rel in ("repeals", "amends", "revises", "initiated_by", "resulted_in"):
                for k in getattr(r, rel):
                    if k not in everyone:
                        raise ValueError(f"EU register {r.key}: {rel} names an unknown key {k!r}")
        #: the rows whose identifiers are not verified: read, but out of every look-up
        self.unverified: tuple[EUResource, ...] = tuple(r for r in everyone.values() if not r.verified)
        self._by_key: dict[str, EUResource] = {k: r for k, r in everyone.items() if r.verified}
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
        needs_context = {_fold(a) for r in self._by_key.values() for a, _ in r.context_required}
        self._aliases = sorted(
            {a for r in self._by_key.values() for a in r.aliases if _fold(a) not in needs_context},
            key=lambda a: (-len(a), a),
        )

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls, path: Path | str | None = None) -> EURegister:
        """Reads the register CSV (default ``data/eu/eu-acts.csv``); a bad row raises ParseError
        naming the file, the line and the problem."""
        path = Path(path) if path is not None else DEFAULT_REGISTER
        try:
            with open(path, encoding="utf-8", newline="") as fh:
                resources = [_resource(row, str(path), line) for line, row in enumerate(csv.DictReader(fh), start=2)]
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
    def _alias_heads(self) -> dict[str, list[int]]:
        """The aliases (their indexes in ``_aliases``, in its order) by the first one or two characters of
        their first word, lower-cased."""
        heads: dict[str, list[int]] = {}
        for i, a in enumerate(self._aliases):
            words = _alias_words(a)
            if words:
                heads.setdefault(words[0][:2].lower(), []).append(i)
        return heads

    @cached_property
    def _alias_starts(self) -> re.Pattern[str]:
        """The places an alias may start: not after a letter, where the first word of an alias stands (a
        first word of one or two letters with the head of the second: "e-pr" of "e-privacyrichtlijn"), as
        one pattern shaped like a tree of the words' letters, so that a place is rejected at its first
        letters."""
        starts = set()
        for a in self._aliases:
            words = [w.lower() for w in _alias_words(a)]
            if words:
                starts.add(words[0] + ("\x00" + words[1][:2] if len(words[0]) < 3 and len(words) > 1 else ""))
        body = _trie_pattern(sorted(starts)) if starts else r"(?!x)x"
        return re.compile(rf"(?<![^\W\d_])(?={body})", re.IGNORECASE)

    def _aliases_at(self, text: str, i: int) -> re.Pattern[str] | None:
        """The pattern of the aliases whose head ``text`` has at ``i`` (in the order of ``_aliases``, so the
        first alternative that matches is the one the pattern of all aliases would match there); remembered."""
        key = (text[i:i + 1].lower(), text[i:i + 2].lower())
        cache = self.__dict__.setdefault("_patterns_at", {})
        if key not in cache:
            heads = self._alias_heads
            idx = sorted(set(heads.get(key[0], [])) | set(heads.get(key[1], [])))
            alts = "|".join(f"(?P<a{i}>{_alias_pattern(self._aliases[i])})" for i in idx)
            cache[key] = re.compile(rf"(?<![^\W\d_])(?:{alts})(?![^\W_])", re.IGNORECASE) if idx else None
        return cache[key]

    def find_aliases(self, text: str, on: dt.date | None = None) -> list[tuple[Span, EUResource]]:
        """Every alias in ``text``, longest first at a place, never overlapping (spans into ``text``),
        with the resource :meth:`by_alias` gives for it on ``on``.

        Words may be joined by spaces, hyphens, a line break or nothing ("dual use-verordening",
        "dual-useverordening", "dual use-\nverordening"); acronyms match in capitals only."""
        out = []
        for span, alias in self.alias_spans(text):
            r = self.by_alias(alias, on)
            if r is not None:
                out.append((span, r))
        return out

    def alias_spans(self, text: str) -> list[tuple[Span, str]]:
        """Every alias that needs no context in ``text`` as (span, the alias as the register writes it),
        longest first at a place, never overlapping. The aliases are tried only where one may start
        (:attr:`_alias_starts`), and there only those with that head: one pattern of hundreds of
        alternatives tried at every character cost seconds on a long text."""
        out = []
        end = 0
        for start in self._alias_starts.finditer(text):
            i = start.start()
            if i < end:
                continue
            pattern = self._aliases_at(text, i)
            m = pattern.match(text, i) if pattern is not None else None
            if m is None:
                continue
            end = m.end()
            alias = self._aliases[int(m.lastgroup[1:])] if m.lastgroup else m.group(0)
            out.append((Span(m.start(), m.end()), alias))
        return out

    @cached_property
    def _context_pattern(self) -> re.Pattern[str] | None:
        aliases = sorted({a for r in self._by_key.values() for a, _ in r.context_required}, key=lambda a: (-len(a), a))
        if not aliases:
            return None
        alts = "|".join(f"(?P<c{i}>{_alias_pattern(a)})" for i, a in enumerate(aliases))
        self.__dict__["_context_aliases"] = aliases
        return re.compile(rf"(?<![^\W\d_])(?:{alts})(?![^\W_])", re.IGNORECASE)

    def context_alias_spans(self, text: str) -> list[tuple[Span, str]]:
        """Every alias that names a resource only next to certain words (``context_required``: "ETS",
        "GVB") in ``text``, as (span, alias); whether the words are there is for the caller to check."""
        pattern = self._context_pattern
        if pattern is None:
            return []
        aliases = self.__dict__["_context_aliases"]
        return [(Span(m.start(), m.end()), aliases[int(m.lastgroup[1:])]) for m in pattern.finditer(text)]

    def named(self, name: str) -> tuple[EUResource, ...]:
        """Every resource that has ``name`` as an alias (an act and its successor may share one), in
        register order."""
        return tuple(dict.fromkeys(self._by_alias.get(_fold(name), ())))

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


def _trie_pattern(words: list[str]) -> str:
    """A pattern matching any of ``words`` (a NUL stands for the separator between an alias's words),
    nested by common prefix: "dual|duurzaam" -> "du(?:al|urzaam)"."""
    tree: dict = {}
    for w in words:
        node = tree
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = []
        for ch in sorted(node):
            if ch == "":
                alts.append("")
                continue
            alts.append((_SEP if ch == "\x00" else re.escape(ch)) + emit(node[ch]))
        if "" in node:  # a word ends here: it matches already, the longer ones too
            return ""
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(tree)


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
