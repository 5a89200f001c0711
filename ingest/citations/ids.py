"""Repairing an official publication id printed with an extraction slip ("kv-tk-2019Z215231")
against the official id list (:func:`repair_publication_id`)."""

from __future__ import annotations

import string
from collections.abc import Container, Iterator

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
