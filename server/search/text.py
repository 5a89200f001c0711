"""Text analysis: the words of a text normalised (NFKD, no diacritics, lower case) and stemmed
(Snowball, Dutch), as the index stores them and as a search text is matched against them."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import snowballstemmer

STEMMER = "dutch"

#: A word: a run of letters and digits.
WORD = re.compile(r"[^\W_]+")
_local = threading.local()

#: Dutch function words dropped from queries (not from the index), unless nothing else is left.
STOPWORDS = frozenset(
    """de het een en van in op te dat die der den des voor met aan is zijn er om of over bij als ook naar
    door tot uit dan wat wel niet nog maar hoe u uw dit deze worden wordt werd kan kunnen heeft hebben
    had zij ze wij we ik hij zich al na zo wie waar waarom wanneer welke welk the of and""".split()
)


def normalise(text: str) -> str:
    """NFKD, without combining marks (diacritics), lower case: ``Financiële`` -> ``financiele``."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _stemmer() -> Any:
    st = getattr(_local, "stemmer", None)
    if st is None:
        st = _local.stemmer = snowballstemmer.stemmer(STEMMER)
    return st


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """The Dutch Snowball stem of a normalised token (tokens with digits are kept as they are)."""
    if len(token) < 3 or any(c.isdigit() for c in token):
        return token
    return _stemmer().stemWord(token)


def words(text: str) -> Iterator[tuple[int, int, str]]:
    """The words of ``text`` (NFC) as (start, end, normalised token)."""
    if text.isascii():  # lower case is all normalising does, and keeps the offsets
        for m in WORD.finditer(text.lower()):
            yield m.start(), m.end(), m.group()
        return
    for m in WORD.finditer(text):
        word = m.group()
        if word.isascii():
            yield m.start(), m.end(), word.lower()
            continue
        norm = normalise(word)
        for t in WORD.findall(norm):
            yield m.start(), m.end(), t


def analyse(text: str) -> str:
    """The text as the index stores it: stems of its normalised words, space-separated."""
    return " ".join(stem(t) for t in WORD.findall(normalise(text)))


@lru_cache(maxsize=1)
def stemmer_id() -> str:
    """Which stemmer analysed the words (an index made with another one is rebuilt)."""
    try:
        from importlib.metadata import version

        v = version("snowballstemmer")
    except Exception:  # noqa: BLE001 - an unknown version still names the algorithm
        v = "?"
    return f"snowballstemmer {v} {STEMMER}"
