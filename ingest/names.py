"""Names of persons as the reference lists and the OData write them, normalised for matching.

Shared by the reference steps (:mod:`ingest.reference`), the resolver (:mod:`ingest.resolve`)
and the Tweede Kamer overlay (:mod:`ingest.tk_reference`); imports none of them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

PREFIX_WORDS = frozenset(
    "van de der den het ter ten te in op t s la le du des da dos von zu tot d l".split()
)


@lru_cache(maxsize=1 << 17)
def norm_name(text: str) -> str:
    """Lower case ASCII, hyphens as spaces, other punctuation dropped: "Gill'ard" -> "gillard".

    Remembered (the reference steps and the resolver normalise the same few thousand names
    hundreds of thousands of times in a build)."""
    s = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = s.replace("’", "").replace("'", "").replace("-", " ")
    s = re.sub(r"[^a-z ]+", " ", s)
    return " ".join(s.split())


def strip_prefix(normed: str) -> str:
    """Drop leading tussenvoegsel words of a normalised surname: "van der wal" -> "wal"."""
    words = normed.split()
    while len(words) > 1 and words[0] in PREFIX_WORDS:
        words = words[1:]
    return " ".join(words)


def surname_keys(family_name: str, prefix: str = "") -> dict[str, int]:
    """Index keys of a surname with their strength: 0 = the whole surname, 1 = a hyphen part.

    "Bijsterveldt-Vliegenthart" -> {"bijsterveldt vliegenthart": 0, "bijsterveldt": 1, "vliegenthart": 1}
    """
    keys: dict[str, int] = {}
    full = strip_prefix(norm_name(f"{prefix} {family_name}"))
    if full:
        keys[full] = 0
    parts = [strip_prefix(norm_name(p)) for p in re.split(r"-", family_name)]
    if len(parts) > 1:
        for p in parts:
            if p and p not in keys:
                keys[p] = 1
    return keys


_INITIAL_RE = re.compile(r"([A-ZÀ-Ý])[a-zà-ÿ]{0,2}\.")


def initial_letters(initials: str | None) -> str:
    """"S.Th.M." -> "STM" (one letter per initial)."""
    if not initials:
        return ""
    return "".join(_INITIAL_RE.findall(initials)).upper() or "".join(
        c for c in initials if c.isalpha() and c.isupper()
    )


def letters_of_names(first_names: str | None) -> str:
    """"Abraham Johannes" -> "AJ"."""
    if not first_names:
        return ""
    out = []
    for w in re.split(r"[\s]+", first_names.strip()):
        if w:
            out.append(norm_name(w)[:1].upper() or w[:1].upper())
    return "".join(out)


_TITLE_RE = re.compile(r"^(?:(?:prof|dr|drs|mr|ir|ing|bc|ds)\.?\s+)+", re.I)
_DEGREE_RE = re.compile(r"(?:,?\s+(?:MSc|MA|MPA|MBA|BSc|LL\.M\.|PhD|MPhil|LLM)(?=,|\s|$))+\s*$")
_OFFICIAL_RE = re.compile(
    r"^(?P<ini>(?:[A-ZÀ-Ý][a-zà-ÿ]{0,2}\.\s*)*[A-ZÀ-Ý][a-zà-ÿ]{0,2}\.?)\s*(?:\((?P<given>[^)]+)\)\s*)(?P<rest>.+)$"
    r"|^(?P<ini2>(?:[A-ZÀ-Ý][a-zà-ÿ]{0,2}\.\s*)+)\s*(?P<rest2>.+)$"
)


@dataclass(frozen=True, slots=True)
class ParsedOfficialName:
    """A name as the cabinet CSV writes it ("mr. drs. C.A. (Christophe) van der Maat"), in parts."""

    initials: str | None
    given: str | None
    prefix: str
    surname: str


def split_prefix_surname(rest: str) -> tuple[str, str]:
    """"van der Maat" -> ("van der", "Maat"); "El Yassini" -> ("", "El Yassini")."""
    words = rest.split()
    i = 0
    while i < len(words) - 1 and norm_name(words[i]) in PREFIX_WORDS and words[i][:1].islower():
        i += 1
    return " ".join(words[:i]), " ".join(words[i:])


def parse_official_name(text: str) -> ParsedOfficialName | None:
    """"mr. drs. C.A. (Christophe) van der Maat" -> initials C.A., given Christophe, van der, Maat."""
    s = _TITLE_RE.sub("", text.strip())
    s = _DEGREE_RE.sub("", s).strip()
    m = _OFFICIAL_RE.match(s)
    if not m:
        return None
    ini = m.group("ini") or m.group("ini2")
    rest = m.group("rest") or m.group("rest2")
    prefix, surname = split_prefix_surname(rest.strip())
    ini = ini.replace(" ", "")
    return ParsedOfficialName(ini if ini.endswith(".") else ini + ".", m.group("given"), prefix, surname)


def display_name(given: str | None, first_names: str | None, prefix: str, family: str) -> str:
    """The name a person is shown by: roepnaam (else the first official first name), tussenvoegsel,
    achternaam. A tussenvoegsel the surname already carries is not repeated (a surname
    "Willemse-van der Ploeg" with the tussenvoegsel "Willemse-van der": "Ans Willemse-van der Ploeg")."""
    g = given or (first_names.split()[0] if first_names else None)
    if prefix and norm_name(family).startswith(norm_name(prefix) + " "):
        prefix = ""
    return " ".join(p for p in (g, prefix, family) if p)
