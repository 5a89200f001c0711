"""The search stage's errors: a missing or unreadable index, and a search text that cannot be used."""

from __future__ import annotations


class SearchError(Exception):
    """The search stage's errors."""


class IndexMissing(SearchError):
    """There is no (readable) index at the path."""


class BadQuery(SearchError):
    """A search text that cannot be used (answered with 400); the message in Dutch and English."""

    def __init__(self, nl: str, en: str) -> None:
        self.nl = nl
        self.en = en
        super().__init__(en)
