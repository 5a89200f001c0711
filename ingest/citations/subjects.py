"""Acts named by their subject (``data/eu/eu-subjects.csv``): "de Europese verordening voor sociale zekerheid",
"een EU-richtlijn over gezinshereniging", "Europese regels voor medische hulpmiddelen", "de Europese
privacyregels". Each row of the file gives a register key and a subject taken from the act's official title or
its names ("sociale zekerheid" from "de coördinatie van de socialezekerheidsstelsels"); :func:`subject_spans`
finds where a title speaks of EU rules on such a subject, with the register rows the words may stand for.

A subject counts only beside words that make it EU law: an EU word (Europese, EU, EG, Unie, Brusselse) right
before the word for the rules, and that word before the subject ("Europese verordening voor sociale
zekerheid") or after it in one compound ("EU-privacyregels"). A directive's subject needs "richtlijn" or a word
for rules in general (regels, wetgeving, regelgeving, normen); a regulation's "verordening" or such a word. A
second subject joined to the first by "en" or "of" names its act too ("… voor medische hulpmiddelen en medische
hulpmiddelen voor in-vitro diagnostiek"). The date then picks among the acts, as for a name
(:func:`ingest.citations.names.resolve_among`)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.citations.register import DEFAULT_REGISTER, EURegister, EUResource
from ingest.errors import ParseError
from ingest.records import Span

DEFAULT_SUBJECTS = DEFAULT_REGISTER.with_name("eu-subjects.csv")

_SEP = r"[\s\-\u00ad\u2010\u2011]*"
_EU = r"(?:europese|europees|eu|eg|unie|brusselse)"
_RULES = r"(?:regels|wetgeving|regelgeving|normen)"
_EU_AT = re.compile(rf"(?<![^\W\d_])(?:{_EU}|nieuwe)(?![^\W\d_])", re.IGNORECASE)  # where a subject phrase may start
#: The EU institutions that apply or judge EU law: beside one of them a subject alone names the act ("het rapport
#: van de Europese Commissie … over gezinshereniging", "de uitspraak van het Hof van Justitie … gezinshereniging").
_ACTOR = re.compile(r"(?<![^\W\d_])(?:europese\s+commissie|hof\s+van\s+justitie|europees\s+parlement)", re.IGNORECASE)
_KIND = {"richtlijn": "dir", "richtlijnen": "dir", "verordening": "reg", "verordeningen": "reg"}
_ABOUT = (r"(?:voor|over|bij|inzake|betreffende|omtrent|rond|rondom|aangaande|ten\s+aanzien\s+van|"
          r"op\s+het\s+gebied\s+van|met\s+betrekking\s+tot|tegen|ter|van)")
_DET = r"(?:(?:de|het|een)\s+)?"
#: A word before the subject, joined to it by "en" or "of" ("Europese wetgeving aangaande gezinsvorming en
#: gezinshereniging"): the rules are about the subject too.
_OTHER = rf"[^\W\d_]+\s+(?:en|of)\s+{_DET}"


@dataclass(frozen=True, slots=True)
class SubjectSpan:
    """Words of a title that name EU rules on a subject: the span, the subject and the register rows that have it
    (of the kind the words name: a directive, a regulation, or either)."""

    span: Span
    subject: str
    candidates: tuple[EUResource, ...]


def read_subjects(path: Path | str = DEFAULT_SUBJECTS) -> tuple[tuple[str, str], ...]:
    """The (key, subject) rows of the subjects file; a bad row raises ParseError naming the file and the line."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames != ["key", "subject"]:
                raise ParseError(str(path), 1, f"columns {reader.fieldnames}, expected ['key', 'subject']")
            rows = []
            for line, row in enumerate(reader, start=2):
                key, subject = (row.get("key") or "").strip(), (row.get("subject") or "").strip()
                if not key or not subject:
                    raise ParseError(str(path), line, "a row needs a key and a subject")
                rows.append((key, subject))
    except OSError as exc:
        raise ParseError(str(path), None, f"cannot read the EU subjects: {exc}") from None
    return tuple(rows)


def _subject_pattern(subject: str, compound: bool = True) -> str:
    """The words of a subject; the last one with the tail of a compound ("privacyregels") or, where ``compound`` is
    false, only a plural ending."""
    words = [re.escape(w) for w in re.split(r"[\s\-]+", subject.strip()) if w]
    return _SEP.join(words[:-1] + [words[-1] + (r"[^\W\d_]*" if compound else "(?:s|en)?")])


class Subjects:
    """The subjects of the register's verified rows, as one pattern over a title."""

    def __init__(self, rows: tuple[tuple[str, str], ...], reg: EURegister) -> None:
        by_subject: dict[str, list[EUResource]] = {}
        for key, subject in rows:
            r = reg.get(key)
            if r is not None:  # an unverified or unknown row is never a candidate
                by_subject.setdefault(subject.lower(), []).append(r)
        self._subjects = sorted(by_subject, key=lambda s: (-len(s), s))
        self._by_subject = by_subject
        alts = "|".join(f"(?P<s{i}>{_subject_pattern(s)})" for i, s in enumerate(self._subjects)) or r"(?!x)x"
        kind = "|".join(_KIND)
        self._pattern = re.compile(
            rf"{_EU}{_SEP}(?:(?P<kind>{kind})|{_RULES})"
            rf"(?:\s+[^\W\d_]+){{0,3}}?\s+{_ABOUT}\s+{_DET}(?:{_OTHER})?(?:{alts})(?![^\W\d_])"
            rf"|{_EU}{_SEP}(?:{alts.replace('(?P<s', '(?P<t')}){_SEP}"
            rf"(?:(?P<kind2>{kind})|{_RULES})(?![^\W\d_])"
            rf"|nieuwe\s+(?:{alts.replace('(?P<s', '(?P<n')}){_SEP}(?:wetgeving|regelgeving|regels)(?![^\W\d_])",
            re.IGNORECASE,
        )
        # a second subject coordinated with the first ("… voor medische hulpmiddelen en medische hulpmiddelen voor
        # in-vitrodiagnostiek"): the same rules on both
        more = alts.replace("(?P<s", "(?P<m")
        self._more = re.compile(rf"\s+(?:en|of)\s+{_DET}(?:{more})(?![^\W\d_])", re.IGNORECASE)
        bare = "|".join(f"(?P<b{i}>{_subject_pattern(s, False)})" for i, s in enumerate(self._subjects)) or r"(?!x)x"
        self._bare = re.compile(rf"(?<![^\W\d_])(?:{bare})(?![^\W\d_])", re.IGNORECASE)

    def spans(self, title: str) -> list[SubjectSpan]:
        """Where ``title`` speaks of EU rules on a subject of the file (:class:`SubjectSpan`), in order."""
        out = []
        for at in _EU_AT.finditer(title):
            m = self._pattern.match(title, at.start())
            if m is None:
                continue
            group = next(g for g, v in m.groupdict().items() if v is not None and g[0] in "stn" and g[1:].isdigit())
            subject = self._subjects[int(group[1:])]
            kind = _KIND.get((m.group("kind") or m.group("kind2") or "").lower())
            found = tuple(r for r in self._by_subject[subject] if kind is None or (r.type or "").startswith(kind))
            if found:
                out.append(SubjectSpan(Span(m.start(), m.end()), subject, found))
            more = self._more.match(title, m.end())
            if more is not None:
                subject = self._subjects[int(more.lastgroup[1:])]
                found = tuple(r for r in self._by_subject[subject] if kind is None or (r.type or "").startswith(kind))
                if found:
                    out.append(SubjectSpan(Span(more.start(), more.end()), subject, found))
        if not out and _ACTOR.search(title):
            for m in self._bare.finditer(title):
                subject = self._subjects[int(m.lastgroup[1:])]
                out.append(SubjectSpan(Span(m.start(), m.end()), subject, tuple(self._by_subject[subject])))
        return out


@lru_cache(maxsize=4)
def _subjects_for(reg: EURegister, path: str) -> Subjects:
    return Subjects(read_subjects(path), reg)


def subject_spans(title: str, reg: EURegister, path: Path | str = DEFAULT_SUBJECTS) -> list[SubjectSpan]:
    """Where ``title`` names EU rules by their subject, with the rows of ``reg`` that have the subject (the file
    read once per register)."""
    return _subjects_for(reg, str(path)).spans(title)
