"""The register of EU legal resources (``data/eu/eu-acts.csv``): acts, Commission proposals and
procedures, with look-ups by key, CELEX, number, IRI and alias (:class:`EURegister`), and the links
between a proposal, its procedure and the acts (:meth:`EURegister.related`)."""

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
