"""A search text as terms (words, phrases, the prefix being typed), its FTS5 expression, and the
best passage of a text with the words it matched marked (for snippets)."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from server.search.errors import BadQuery
from server.search.schema import RAW, STEMMED
from server.search.text import STOPWORDS, stem, words

MIN_PREFIX = 3
MAX_QUERY_CHARS = 500
MAX_TERMS = 24


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """One term of a search: a word, or a phrase (several words in order)."""

    tokens: tuple[str, ...]  # normalised
    phrase: bool = False
    prefix: bool = False  # the last word, still being typed: also matches longer words

    @property
    def stems(self) -> tuple[str, ...]:
        return tuple(stem(t) for t in self.tokens)

    @property
    def is_prefix(self) -> bool:
        return self.prefix and not self.phrase and len(self.tokens) == 1 and len(self.tokens[0]) >= MIN_PREFIX

    def fts(self, exact: bool = False) -> str:
        """This term as an FTS5 expression: stems in the stemmed columns; a prefix term also as
        the start of a word in the unstemmed columns (stems need not begin like their words:
        ``woningen`` -> ``woon``). ``exact``: without the prefix."""
        stems = '"' + " ".join(self.stems) + '"'
        if exact or not self.is_prefix:
            return f"{{{STEMMED}}} : {stems}"
        return f'({{{STEMMED}}} : {stems} OR {{{RAW}}} : "{self.tokens[0]}"*)'


@dataclass(frozen=True, slots=True)
class SearchQuery:
    text: str
    terms: tuple[QueryTerm, ...]

    @property
    def has_prefix(self) -> bool:
        return any(t.is_prefix for t in self.terms)

    def fts(self, exact: bool = False) -> str:
        return " AND ".join(t.fts(exact) for t in self.terms)

    def matcher(self) -> Matcher:
        exact: set[str] = set()
        prefixes: set[str] = set()
        for t in self.terms:
            exact.update(t.stems)
            if t.is_prefix:
                prefixes.add(t.tokens[0])
        return Matcher(frozenset(exact), tuple(sorted(prefixes)))


@dataclass(frozen=True, slots=True)
class Matcher:
    """Which words of an original text a query matched (for highlighting)."""

    stems: frozenset[str]
    prefixes: tuple[str, ...]

    def __call__(self, token: str) -> bool:
        return stem(token) in self.stems or any(token.startswith(p) for p in self.prefixes)


_PHRASE = re.compile(r'"([^"]*)"?')


def parse_query(text: str) -> SearchQuery:
    """A search text as terms: quoted phrases, words (a word with inner punctuation, like
    ``dual-use`` or ``2019Z15231``, is a phrase of its parts), the last word as a prefix when the
    text does not end with a space or a quote. Dutch function words are dropped unless nothing
    else is left. Raises :class:`BadQuery` for an empty or too long text."""
    if text is None or not text.strip():
        raise BadQuery("Geef een zoekterm (q=…).", "Give a search text (q=…).")
    if len(text) > MAX_QUERY_CHARS:
        raise BadQuery(f"De zoekterm is langer dan {MAX_QUERY_CHARS} tekens.",
                       f"The search text is longer than {MAX_QUERY_CHARS} characters.")
    text = unicodedata.normalize("NFC", text)
    terms: list[QueryTerm] = []
    pos = 0
    trailing_open = not text[-1:].isspace() and not text.endswith('"')
    chunks: list[tuple[str, bool]] = []  # (text, quoted)
    for m in _PHRASE.finditer(text):
        chunks.append((text[pos:m.start()], False))
        chunks.append((m.group(1), True))
        pos = m.end()
    chunks.append((text[pos:], False))
    for chunk, quoted in chunks:
        if quoted:
            toks = tuple(t for _, _, t in words(chunk))
            if toks:
                terms.append(QueryTerm(toks, phrase=True))
            continue
        for raw in chunk.split():
            toks = tuple(t for _, _, t in words(raw))
            if toks:
                terms.append(QueryTerm(toks, phrase=len(toks) > 1))
    if not terms:
        raise BadQuery("De zoekterm bevat geen woorden om op te zoeken.", "The search text has no words to search for.")
    # the last word is a prefix when the text ends in it (someone may still be typing it)
    last = terms[-1]
    if trailing_open and not last.phrase and not text.rstrip().endswith('"'):
        terms[-1] = QueryTerm(last.tokens, prefix=True)
    kept = [t for t in terms if t.phrase or t.tokens[0] not in STOPWORDS]
    if kept:
        terms = kept
    return SearchQuery(text, tuple(terms[:MAX_TERMS]))


def highlight(text: str, match: Callable[[str], bool], *, window: int = 32) -> tuple[Markup, int]:
    """The best passage of ``text`` (about ``window`` words around the densest run of matched
    words), escaped, with the matched words in ``<mark>``, and how many words matched in it."""
    text = unicodedata.normalize("NFC", text)
    toks = list(words(text))
    hits = [i for i, (_, _, t) in enumerate(toks) if match(t)]
    if not toks:
        return Markup(""), 0
    if not hits:
        start_i, end_i = 0, min(len(toks), window)
    else:
        best, best_count = hits[0], 0
        for k, h in enumerate(hits):  # the window starting a little before a hit with the most hits in it
            count = bisect_left(hits, h + window, k) - k
            if count > best_count:
                best, best_count = h, count
        start_i = max(0, best - 6)
        end_i = min(len(toks), start_i + window)
        start_i = max(0, min(start_i, end_i - window))
    start = 0 if start_i == 0 else toks[start_i][0]
    end = len(text) if end_i >= len(toks) else toks[end_i - 1][1]
    hitset = set(hits)
    out: list[str] = ["… " if start > 0 else ""]
    cur = start
    n = 0
    for i in range(start_i, end_i):
        s, e, _ = toks[i]
        if i in hitset:
            out.append(str(escape(text[cur:s])))
            out.append(f"<mark>{escape(text[s:e])}</mark>")
            cur = e
            n += 1
    out.append(str(escape(text[cur:end])))
    if end < len(text):
        out.append(" …")
    return Markup("".join(out).replace("\n", " ")), n
