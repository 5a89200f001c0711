"""The evidence the text parser repairs with: the Dutch word list, the reference names of persons,
ministries and posts, and the Dutch month names of printed dates.

Reads pyspellchecker's ``nl`` dictionary and data/reference (cabinets/ministries.csv,
cabinets/bewindspersonen.csv, tk-kamerleden-perioden.json), once per process.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).resolve().parents[2] / "data" / "reference"

MONTHS = {
    "januari": 1, "februari": 2, "maart": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
    "augustus": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
}
_DATE = re.compile(r"(\d{1,2})\s*(" + "|".join(MONTHS) + r")\s*(\d{4})", re.I)


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
