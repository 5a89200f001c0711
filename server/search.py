"""Full-text search and the faceted list of Kamervragen, on an SQLite index built from the store.

The store is asked once, when the index is built (:func:`build_index`): a few SPARQL SELECTs
through the :class:`store.base.Store` interface (so a remote store works too) give, per
Kamervraag, its case number, subject, date, status, askers with their fractie on the day, the
addressed posts with their ministries and holders, the EU acts it cites (directly, or through a
citation in one of its published texts) and the texts of its questions and answers. They go into
one SQLite file:

- ``kv``: one row per Kamervraag, numbered newest first (so ``ORDER BY id`` is "newest first"),
  with what a question card shows (``card``, JSON);
- ``value``: every facet value (``kind`` fractie | lid | post | ministerie | jaar | status | eu, its
  ``key`` as the URL gives it, its IRI, labels, and its count over all Kamervragen: the
  whole-graph aggregate, computed here once);
- ``facet``: (value, kv) pairs, indexed both ways, for filtering and counting per request;
- ``text``: the original question and answer texts (for snippets);
- ``fts``: an FTS5 table over normalised (NFKD, no diacritics, lower case) and stemmed (Snowball,
  Dutch) words of the subject, the texts and the case number, ranked with bm25 (subject first).

Per request only SQL runs (:class:`SearchIndex`). The index records the store generation it was
built from (:func:`store.generation.current`); :func:`ensure_index` rebuilds a missing or stale
one. Status: *beantwoord* when the Tweede Kamer's record says the case is dealt with
(``kg:afgedaan true``) or an answer to it is in the store, else *uitgesteld* when a postponement
notice about it is in the store, else *open*.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import threading
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlencode

import snowballstemmer
from markupsafe import Markup, escape

from ontology.namespaces import CITO, DCTERMS, ELI, FOAF, KG, ORG, RDFS, SCHEMA, SKOS
from store import generation as store_generation
from store.base import QueryResult, StoreError, Term

log = logging.getLogger("kamergraph.server.search")

#: Bumped whenever the index's tables or its text analysis change: an older index is rebuilt.
INDEX_VERSION = "2"
STEMMER = "dutch"

KINDS = ("fractie", "lid", "post", "ministerie", "jaar", "status", "eu")
#: The kind in the IRI (``{base}id/{kind}/{key}``) of a facet's values, where it differs.
IRI_KINDS = {"lid": "persoon"}
STATUSES = ("beantwoord", "uitgesteld", "open")
STATUS_LABELS = {
    "beantwoord": ("beantwoord", "answered"),
    "uitgesteld": ("uitgesteld", "postponed"),
    "open": ("open", "open"),
}
#: The FTS columns: stemmed words of the subject and of the question and answer texts, the case
#: number, and the same texts' words unstemmed (only for the prefix of a word being typed).
FTS_COLUMNS = ("subject", "body", "zaak", "subject_words", "body_words")
STEMMED = "subject body zaak"
RAW = "subject_words body_words zaak"
#: bm25 weights of those columns: the subject counts most.
WEIGHTS = (10.0, 1.0, 5.0, 4.0, 0.5)
MIN_PREFIX = 3
MAX_QUERY_CHARS = 500
MAX_TERMS = 24

EU_PREFIXES = ("http://data.europa.eu/eli/", "http://publications.europa.eu/resource/")


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


# --------------------------------------------------------------------------- text analysis

_WORD = re.compile(r"[^\W_]+")
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
    for m in _WORD.finditer(text):
        norm = normalise(m.group())
        for t in _WORD.findall(norm):
            yield m.start(), m.end(), t


def analyse(text: str) -> str:
    """The text as the index stores it: stems of its normalised words, space-separated."""
    return " ".join(stem(t) for t in _WORD.findall(normalise(text)))


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


def highlight(text: str, match: Matcher, *, window: int = 32) -> tuple[Markup, int]:
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
        for h in hits:  # the window starting a little before a hit with the most hits in it
            count = sum(1 for x in hits if h <= x < h + window)
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


# --------------------------------------------------------------------------- extraction from the store


class QueryStore(Protocol):
    """What :func:`build_index` needs of a store: :meth:`store.base.Store.query`."""

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None, *, timeout: float | None = None,
              row_limit: int | None = None, union_default_graph: bool = True) -> QueryResult: ...


PROLOGUE = f"""PREFIX kg: <{KG}>
PREFIX dcterms: <{DCTERMS}>
PREFIX schema: <{SCHEMA}>
PREFIX org: <{ORG}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX foaf: <{FOAF}>
PREFIX cito: <{CITO}>
PREFIX eli: <{ELI}>
"""

#: The SELECTs the index is built from: name -> (query, its variables in the order it projects them:
#: they order its pages when a server cuts the answer short). Most
#: are one triple pattern, joined here in Python: on Oxigraph a pattern streams some 200,000 rows a
#: second, while every join or OPTIONAL costs a lookup per row (the same facts in five queries with
#: OPTIONALs take three times as long).
EXTRACT: dict[str, tuple[str, str]] = {
    "kv": ("SELECT ?s WHERE { ?s a kg:Kamervraag }", "?s"),
    "zaak": ("SELECT ?s ?o WHERE { ?s kg:zaaknummer ?o }", "?s ?o"),
    "title": ("SELECT ?s ?o WHERE { ?s dcterms:title ?o }", "?s ?o"),
    "date": ("SELECT ?s ?o WHERE { ?s dcterms:dateSubmitted ?o }", "?s ?o"),
    "afgedaan": ("SELECT ?s ?o WHERE { ?s kg:afgedaan ?o }", "?s ?o"),
    "vraagstelling": ("SELECT ?s ?o WHERE { ?s kg:vraagstelling ?o }", "?s ?o"),
    "adressering": ("SELECT ?s ?o WHERE { ?s kg:adressering ?o }", "?s ?o"),
    "gerichtAan": ("SELECT ?s ?o WHERE { ?s kg:gerichtAan ?o }", "?s ?o"),
    "position": ("SELECT ?s ?o WHERE { ?s schema:position ?o }", "?s ?o"),
    "rol": ("SELECT ?s ?o WHERE { ?s kg:rol ?o }", "?s ?o"),
    "persoon": ("SELECT ?s ?o WHERE { ?s kg:persoon ?o }", "?s ?o"),
    "fractie": ("SELECT ?s ?o WHERE { ?s kg:fractie ?o }", "?s ?o"),
    "post": ("SELECT ?s ?o WHERE { ?s kg:post ?o }", "?s ?o"),
    # the names as the source gave them, of askers and addressees that did not resolve
    "unresolved": ("SELECT ?s ?o WHERE { ?s kg:onopgelost ?why ; kg:naamInBron ?o }", "?s ?o"),
    "publications": ("""SELECT ?kv ?soort ?ptitle WHERE {
  {
    ?p kg:betreft ?kv .
    OPTIONAL { ?p kg:publicatiesoort ?soort }
    OPTIONAL { ?p dcterms:title ?ptitle }
  } UNION {
    ?kv kg:heeftAntwoord ?a .
    BIND ("antwoord" AS ?soort)
  }
}""", "?kv ?soort ?ptitle"),
    "texts": ("""SELECT ?kv ?part ?kind ?n ?text WHERE {
  {
    ?kv kg:heeftVraag ?part .
    ?part schema:text ?text .
    OPTIONAL { ?part kg:vraagnummer ?n }
    BIND ("vraag" AS ?kind)
  } UNION {
    ?kv kg:heeftAntwoord ?part .
    ?part schema:text ?text .
    OPTIONAL { ?part kg:beantwoordt/kg:vraagnummer ?n }
    BIND ("antwoord" AS ?kind)
  }
}""", "?kv ?part ?kind ?n ?text"),
    # an EU act cited by the Kamervraag itself, or by anything in one of its published texts' graphs
    "eu": ("""SELECT DISTINCT ?kv ?eu WHERE {
  {
    ?kv cito:cites ?eu .
  } UNION {
    GRAPH ?g { ?x cito:cites ?eu . ?p kg:betreft ?kv . }
  }
  FILTER (isIRI(?eu))
  OPTIONAL { ?eu a ?t . FILTER (?t IN (eli:LegalResource, kg:EUVoorstel, kg:EUProcedure)) }
  FILTER (BOUND(?t) || STRSTARTS(STR(?eu), "http://data.europa.eu/eli/")
          || STRSTARTS(STR(?eu), "http://publications.europa.eu/resource/"))
}""", "?kv ?eu"),
    "labels": ("""SELECT ?x ?t ?p ?l WHERE {
  VALUES ?t { kg:Persoon kg:Fractie kg:Post kg:Ministerie eli:LegalResource kg:EUVoorstel kg:EUProcedure }
  ?x a ?t .
  VALUES ?p { rdfs:label skos:prefLabel foaf:name kg:afkorting org:postIn dcterms:identifier }
  ?x ?p ?l .
}""", "?x ?t ?p ?l"),
}


def _select_all(store: QueryStore, name: str) -> list[tuple[Term | None, ...]]:
    """Every row of one extraction SELECT; in pages (ORDER BY, OFFSET) if the server cuts answers."""
    text, order = EXTRACT[name]
    res = store.query(PROLOGUE + text, row_limit=None)
    if not res.truncated:
        return list(res.rows)
    page = max(1, len(res.rows))
    rows: list[tuple[Term | None, ...]] = []
    offset = 0
    while True:
        part = store.query(f"{PROLOGUE}SELECT {order} WHERE {{ {{ {text} }} }} ORDER BY {order} "
                           f"LIMIT {page} OFFSET {offset}", row_limit=None)
        rows.extend(part.rows)
        if len(part.rows) < page and not part.truncated:
            return rows
        if not part.rows:
            return rows
        offset += len(part.rows)


def _v(t: Term | None) -> str | None:
    return None if t is None else t.value


def _lang(t: Term | None) -> str:
    return (getattr(t, "language", None) or "") if t is not None else ""


@dataclass
class _Case:
    iri: str
    zaak: str | None = None
    subject: str | None = None
    date: str | None = None
    afgedaan: bool | None = None
    answered: bool = False
    postponed: bool = False
    pub_titles: list[str] = field(default_factory=list)
    askers: dict[str, dict[str, Any]] = field(default_factory=dict)
    addressees: dict[str, dict[str, Any]] = field(default_factory=dict)
    eu: set[str] = field(default_factory=set)
    texts: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.answered or self.afgedaan:
            return "beantwoord"
        return "uitgesteld" if self.postponed else "open"


@dataclass
class _Labels:
    """Labels per IRI from the store, by predicate preference."""

    by_iri: dict[str, dict[str, dict[str, str]]] = field(default_factory=lambda: defaultdict(dict))
    post_in: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    short: dict[str, str] = field(default_factory=dict)

    ORDER = (RDFS + "label", SKOS + "prefLabel", FOAF + "name")

    def add(self, iri: str, pred: str, value: Term) -> None:
        if pred == ORG + "postIn":
            if value.value not in self.post_in[iri]:
                self.post_in[iri].append(value.value)
            return
        if pred in (KG + "afkorting", DCTERMS + "identifier"):
            self.short.setdefault(iri, value.value)
            return
        lang = _lang(value) or ""
        per_lang = self.by_iri[iri].setdefault(lang, {})
        per_lang.setdefault(pred, value.value)

    def label(self, iri: str, lang: str) -> str | None:
        langs = self.by_iri.get(iri)
        if not langs:
            return None
        candidates = [lang] if lang == "en" else [lang, ""]
        for pred in self.ORDER:
            for lg in candidates:
                if pred in langs.get(lg, {}):
                    return langs[lg][pred]
        if lang == "en":
            return None
        for lg in langs:  # any language at all
            for pred in self.ORDER:
                if pred in langs[lg]:
                    return langs[lg][pred]
        return None


def key_of(iri: str, base: str, kind: str) -> str:
    """The key of a project IRI ``{base}id/{kind}/{key}`` (percent-decoded); any other IRI as it is."""
    prefix = f"{base}id/{kind}/"
    return unquote(iri[len(prefix):]) if iri.startswith(prefix) and len(iri) > len(prefix) else iri


def _int(t: Term | None) -> int | None:
    try:
        return int(t.value) if t is not None else None
    except ValueError:
        return None


def extract(store: QueryStore, base: str) -> tuple[dict[str, _Case], _Labels, dict[str, float]]:
    """Everything the index holds, from the store (a few SELECTs); with the seconds each took."""
    timings: dict[str, float] = {}

    def rows(name: str) -> list[tuple[Term | None, ...]]:
        t0 = time.perf_counter()
        out = _select_all(store, name)
        timings[name] = time.perf_counter() - t0
        return out

    def pairs(name: str) -> Iterator[tuple[str, Term]]:
        for s_, o in rows(name):
            if s_ is not None and o is not None:
                yield s_.value, o

    cases: dict[str, _Case] = {}
    for (kv,) in rows("kv"):
        if kv is not None:
            cases[kv.value] = _Case(kv.value)
    for kv, o in pairs("zaak"):
        c = cases.get(kv)
        if c is not None and (c.zaak is None or o.value < c.zaak):
            c.zaak = o.value
    for kv, o in pairs("title"):
        c = cases.get(kv)
        if c is not None and (c.subject is None or (_lang(o) in ("nl", "") and o.value < c.subject)):
            c.subject = o.value
    for kv, o in pairs("date"):
        c = cases.get(kv)
        if c is not None and (c.date is None or o.value[:10] < c.date):
            c.date = o.value[:10]
    for kv, o in pairs("afgedaan"):
        c = cases.get(kv)
        if c is not None:
            c.afgedaan = bool(c.afgedaan) or o.value in ("true", "1")
    # the qualified relations: who asked (with the fractie on the day), to which post (and holder)
    parts: dict[str, dict[str, Any]] = {}
    for kv, o in pairs("vraagstelling"):
        if kv in cases:
            parts[o.value] = cases[kv].askers.setdefault(
                o.value, {"pos": None, "first": False, "person": None, "name": None, "fractie": None})
    for kv, o in pairs("adressering"):
        if kv in cases:
            parts[o.value] = cases[kv].addressees.setdefault(
                o.value, {"pos": None, "post": None, "person": None, "name": None, "direct": False})
    for x, o in pairs("position"):
        if x in parts:
            parts[x]["pos"] = _int(o)
    for x, o in pairs("rol"):
        if x in parts and o.value == KG + "RolIndiener":
            parts[x]["first"] = True
    for name in ("persoon", "fractie", "post"):
        field_ = "person" if name == "persoon" else name
        for x, o in pairs(name):
            p = parts.get(x)
            if p is not None and field_ in p and (p[field_] is None or o.value < p[field_]):
                p[field_] = o.value
    for x, o in pairs("unresolved"):
        if x in parts:
            parts[x]["name"] = o.value
    for kv, o in pairs("gerichtAan"):  # posts a case names without a qualified adressering
        c = cases.get(kv)
        if c is not None:
            c.addressees.setdefault(f"post:{o.value}",
                                    {"pos": None, "post": o.value, "person": None, "name": None, "direct": True})
    for kv, soort, ptitle in rows("publications"):
        c = cases.get(_v(kv) or "")
        if c is None:
            continue
        s_ = _v(soort)
        if s_ == "antwoord":
            c.answered = True
        elif s_ == "uitstel":
            c.postponed = True
        if ptitle is not None and s_ != "uitstel":
            c.pub_titles.append(ptitle.value)
    for kv, part, kind, n, text in rows("texts"):
        c = cases.get(_v(kv) or "")
        if c is None or part is None or text is None:
            continue
        t = c.texts.setdefault(part.value, {"kind": _v(kind), "n": set(), "text": text.value})
        if n is not None and _int(n) is not None:
            t["n"].add(_int(n))
        if t["kind"] == "antwoord":
            c.answered = True
    for kv, eu in rows("eu"):
        c = cases.get(_v(kv) or "")
        if c is not None and eu is not None:
            c.eu.add(eu.value)
    labels = _Labels()
    for x, _t, p, lit in rows("labels"):
        if x is not None and p is not None and lit is not None:
            labels.add(x.value, p.value, lit)
    # the subject of a case known only from a published text: the title of that text
    for c in cases.values():
        if c.subject is None and c.pub_titles:
            c.subject = sorted(c.pub_titles)[0]
            c.subject = c.subject[:1].upper() + c.subject[1:]
    return cases, labels, timings


# --------------------------------------------------------------------------- building the index

SCHEMA_SQL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE kv (
  id INTEGER PRIMARY KEY,        -- 1 = the newest
  iri TEXT NOT NULL UNIQUE,
  zaak TEXT NOT NULL,
  subject TEXT,
  date TEXT,
  year INTEGER,
  status TEXT NOT NULL,
  card TEXT NOT NULL             -- JSON: askers, addressees, eu (value ids and names)
);
CREATE TABLE value (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  iri TEXT,
  label_nl TEXT,
  label_en TEXT,
  short TEXT,
  extra TEXT,                    -- a post: the value ids of its ministries (JSON)
  total INTEGER NOT NULL DEFAULT 0,
  UNIQUE (kind, key)
);
CREATE TABLE facet (value INTEGER NOT NULL, kv INTEGER NOT NULL, PRIMARY KEY (value, kv)) WITHOUT ROWID;
-- how many Kamervragen have both values: the facet counts of a list with one filter, read, not counted
CREATE TABLE cooc (a INTEGER NOT NULL, b INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE TABLE text (kv INTEGER NOT NULL, ord INTEGER NOT NULL, kind TEXT NOT NULL, nums TEXT NOT NULL,
                   body TEXT NOT NULL, PRIMARY KEY (kv, ord)) WITHOUT ROWID;
CREATE VIRTUAL TABLE fts USING fts5(subject, body, zaak, subject_words, body_words, content='',
                                    tokenize='unicode61 remove_diacritics 0');
"""
POST_INDEX_SQL = """
CREATE INDEX facet_kv ON facet (kv, value);
CREATE INDEX value_kind ON value (kind, total);
INSERT INTO fts(fts) VALUES ('optimize');
ANALYZE;
"""


@dataclass(frozen=True)
class BuildInfo:
    path: Path
    kamervragen: int
    values: int
    facet_rows: int
    texts: int
    seconds: float
    bytes: int
    timings: dict[str, float]


@lru_cache(maxsize=1)
def stemmer_id() -> str:
    """Which stemmer analysed the words (an index made with another one is rebuilt)."""
    try:
        from importlib.metadata import version

        v = version("snowballstemmer")
    except Exception:  # noqa: BLE001 - an unknown version still names the algorithm
        v = "?"
    return f"snowballstemmer {v} {STEMMER}"


def _generation_json(gen: Any) -> str:
    return json.dumps(list(gen) if gen is not None else None)


def build_index(store: QueryStore, path: str | os.PathLike[str], base: str, *,
                generation: Any = "auto", location: str | None = None) -> BuildInfo:
    """Build the search and facet index of ``store`` into the SQLite file ``path`` (replaced as a
    whole, atomically). ``base`` is the deployment base of the data IRIs. ``generation`` is the
    store generation to record; by default that of ``store.path`` (an embedded store) read now,
    so call this after the build has written everything. Returns what was built."""
    t0 = time.perf_counter()
    path = Path(path)
    store_path = getattr(store, "path", None)
    if generation == "auto":
        generation = store_generation.current(store_path) if store_path is not None else None
    if location is None:
        location = _location(store)
    cases, labels, timings = extract(store, base)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.unlink(missing_ok=True)
    t1 = time.perf_counter()
    con = sqlite3.connect(tmp)
    try:
        con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=8192;")
        con.executescript(SCHEMA_SQL)
        counts = _fill(con, cases, labels, base)
        meta = {
            "version": INDEX_VERSION,
            "stemmer": stemmer_id(),
            "generation": _generation_json(generation),
            "base": base,
            "location": location,
            "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "kamervragen": str(len(cases)),
        }
        con.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        con.commit()
        con.executescript(POST_INDEX_SQL)
        con.commit()
    finally:
        con.close()
    os.replace(tmp, path)
    timings["write"] = time.perf_counter() - t1
    seconds = time.perf_counter() - t0
    info = BuildInfo(path, len(cases), counts["values"], counts["facet"], counts["texts"], seconds,
                     path.stat().st_size, timings)
    log.info("search index %s: %d Kamervragen, %d facet values, %.1f s, %.1f MB", path, info.kamervragen,
             info.values, seconds, info.bytes / 1e6)
    return info


def _sort_key(c: _Case) -> tuple[int, str, str]:
    # newest first; undated last
    return (0 if c.date else 1, _neg(c.date or ""), _neg(c.zaak or c.iri))


def _neg(s: str) -> str:
    return "".join(chr(0x10FFFF - ord(ch)) for ch in s)


def _fill(con: sqlite3.Connection, cases: dict[str, _Case], labels: _Labels, base: str) -> dict[str, int]:
    values: dict[tuple[str, str], int] = {}
    value_rows: list[tuple[Any, ...]] = []
    totals: dict[int, int] = defaultdict(int)
    cooc: dict[tuple[int, int], int] = defaultdict(int)

    def value(kind: str, iri: str | None, key: str | None = None) -> int:
        k = key if key is not None else key_of(iri or "", base, IRI_KINDS.get(kind, kind))
        vid = values.get((kind, k))
        if vid is None:
            vid = values[(kind, k)] = len(values) + 1
            if kind == "status":
                nl, en = STATUS_LABELS[k]
                short = None
            elif kind == "jaar":
                nl, en, short = k, None, None
            else:
                nl = labels.label(iri or "", "nl") or (k if kind != "eu" else _eu_fallback(k))
                en = labels.label(iri or "", "en")
                short = labels.short.get(iri or "")
            extra = None
            if kind == "post":
                extra = json.dumps([value("ministerie", m) for m in labels.post_in.get(iri or "", [])])
            value_rows.append((vid, kind, k, iri, nl, en, short, extra))
        return vid

    for s in STATUSES:
        value("status", None, s)
    kv_rows, facet_rows, text_rows, fts_rows = [], [], [], []
    ordered = sorted(cases.values(), key=_sort_key)
    for i, c in enumerate(ordered, start=1):
        zaak = c.zaak or key_of(c.iri, base, "kamervraag")
        vids: set[int] = {value("status", None, c.status)}
        year = int(c.date[:4]) if c.date and c.date[:4].isdigit() else None
        if year is not None:
            vids.add(value("jaar", None, str(year)))
        askers = []
        for a in sorted(c.askers.values(), key=lambda a: (a["pos"] if a["pos"] is not None else 99, not a["first"],
                                                        a["name"] or "")):
            pid = value("lid", a["person"]) if a["person"] else None
            fid = value("fractie", a["fractie"]) if a["fractie"] else None
            vids.update(v for v in (pid, fid) if v is not None)
            name = (labels.label(a["person"], "nl") if a["person"] else None) or a["name"] or "?"
            askers.append([pid, name, fid])
        addressees = []
        direct = {a["post"] for a in c.addressees.values() if not a["direct"] and a["post"]}
        for a in sorted(c.addressees.values(), key=lambda a: (a["direct"], a["pos"] if a["pos"] is not None else 99,
                                                             a["post"] or "")):
            if a["direct"] and a["post"] in direct:
                continue  # kg:gerichtAan restating a qualified adressering
            postid = value("post", a["post"]) if a["post"] else None
            if postid is not None:
                vids.add(postid)
                for m in labels.post_in.get(a["post"], []):
                    vids.add(value("ministerie", m))
            holder = labels.label(a["person"], "nl") if a["person"] else None
            if holder is None and postid is not None and a["name"]:
                # an unresolved holder: the name as the source gave it, unless that is just the post
                post_label = labels.label(a["post"], "nl") or ""
                holder = a["name"] if normalise(a["name"]).strip() != normalise(post_label).strip() else None
            addressees.append([postid, None if postid else (a["name"] or "?"), holder, a["person"]])
        eu = [value("eu", e) for e in sorted(c.eu)]
        vids.update(eu)
        card = {"a": askers, "p": addressees, "e": eu}
        kv_rows.append((i, c.iri, zaak, c.subject, c.date, year, c.status,
                        json.dumps(card, ensure_ascii=False, separators=(",", ":"))))
        facet_rows.extend((v, i) for v in vids)
        for v in vids:
            totals[v] += 1
            for w in vids:
                cooc[(v, w)] += 1
        parts = sorted(c.texts.values(), key=lambda t: (t["kind"] != "vraag", min(t["n"]) if t["n"] else 999))
        for j, t in enumerate(parts):
            text_rows.append((i, j, t["kind"], ",".join(str(n) for n in sorted(t["n"])), t["text"]))
        body = "\n".join(t["text"] for t in parts)
        fts_rows.append((i, analyse(c.subject or ""), analyse(body), normalise(zaak),
                         " ".join(_WORD.findall(normalise(c.subject or ""))), " ".join(_WORD.findall(normalise(body)))))
    con.executemany("INSERT INTO value (id, kind, key, iri, label_nl, label_en, short, extra) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", value_rows)
    con.executemany("UPDATE value SET total = ? WHERE id = ?", [(n, v) for v, n in totals.items()])
    con.executemany("INSERT INTO kv VALUES (?, ?, ?, ?, ?, ?, ?, ?)", kv_rows)
    con.executemany("INSERT INTO facet (value, kv) VALUES (?, ?)", sorted(facet_rows))
    con.executemany("INSERT INTO cooc (a, b, n) VALUES (?, ?, ?)", sorted((a, b, n) for (a, b), n in cooc.items()))
    con.executemany("INSERT INTO text VALUES (?, ?, ?, ?, ?)", text_rows)
    con.executemany("INSERT INTO fts (rowid, subject, body, zaak, subject_words, body_words) "
                    "VALUES (?, ?, ?, ?, ?, ?)", fts_rows)
    return {"values": len(value_rows), "facet": len(facet_rows), "texts": len(text_rows)}


def _eu_fallback(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1] if "/" in iri else iri


# --------------------------------------------------------------------------- reading the index


MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


def date_label(iso: str | None, lang: str = "nl") -> str:
    """``2019-07-18`` as ``18 juli 2019`` (nl) or ``18 July 2019`` (en)."""
    if not iso:
        return ""
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", iso)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return iso
    return f"{int(m.group(3))} {MONTHS.get(lang, MONTHS['nl'])[int(m.group(2)) - 1]} {m.group(1)}"


def local_href(iri: str | None, base: str) -> str | None:
    """Where a resource's page is: ``{base}id/…`` -> ``/id/…``; any other IRI -> ``/resource?iri=…``."""
    if not iri:
        return None
    if base and iri.startswith(base + "id/"):
        return "/" + iri[len(base):]
    return "/resource?" + urlencode({"iri": iri})


@dataclass(frozen=True, slots=True)
class Value:
    """One facet value: ``kind`` and ``key`` as a filter names it, its IRI, labels and page."""

    id: int
    kind: str
    key: str
    iri: str | None
    label_nl: str | None
    label_en: str | None
    short: str | None
    total: int
    ministries: tuple[int, ...] = ()
    href: str | None = None  # the resource's page (None for a year or a status)

    def label(self, lang: str = "nl") -> str:
        if self.kind == "status":
            nl, en = STATUS_LABELS.get(self.key, (self.key, self.key))
            return en if lang == "en" else nl
        if lang == "en" and self.label_en:
            return self.label_en
        return self.label_nl or self.label_en or self.key


@dataclass(frozen=True, slots=True)
class Asker:
    name: str
    person: Value | None
    fractie: Value | None


@dataclass(frozen=True, slots=True)
class Addressee:
    post: Value | None
    label: str  # the post's label in the requested language, or the name as the source gave it
    holder: str | None
    holder_href: str | None
    ministries: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Snippet:
    html: Markup
    kind: str  # subject | vraag | antwoord
    nums: tuple[int, ...]
    text: str  # the same passage, plain


@dataclass(frozen=True, slots=True)
class Card:
    """One Kamervraag as a question card shows it (``server/templates/_cards.html``)."""

    id: int
    iri: str
    zaak: str
    subject: str | None
    date: str | None
    year: int | None
    status: str
    askers: tuple[Asker, ...]
    addressees: tuple[Addressee, ...]
    eu: tuple[Value, ...]
    href: str | None = None
    snippet: Snippet | None = None
    subject_html: Markup | None = None
    score: float | None = None

    def date_label(self, lang: str = "nl") -> str:
        return date_label(self.date, lang)

    def status_label(self, lang: str = "nl") -> str:
        nl, en = STATUS_LABELS.get(self.status, (self.status, self.status))
        return en if lang == "en" else nl

    def as_json(self, lang: str = "nl") -> dict[str, Any]:
        d: dict[str, Any] = {
            "iri": self.iri,
            "zaak": self.zaak,
            "subject": self.subject,
            "date": self.date,
            "status": self.status,
            "askers": [{"name": a.name, "iri": a.person.iri if a.person else None,
                        "fractie": a.fractie.label(lang) if a.fractie else None,
                        "fractie_iri": a.fractie.iri if a.fractie else None} for a in self.askers],
            "addressed": [{"post": d.label, "post_iri": d.post.iri if d.post else None, "holder": d.holder,
                           "ministries": [m.label(lang) for m in d.ministries]} for d in self.addressees],
            "eu_acts": [{"iri": e.iri, "label": e.label(lang)} for e in self.eu],
        }
        if self.snippet is not None:
            d["snippet"] = {"text": self.snippet.text, "html": str(self.snippet.html), "in": self.snippet.kind,
                            "numbers": list(self.snippet.nums)}
        return d


@dataclass(frozen=True)
class Filter:
    kind: str
    value: Value


@dataclass
class FacetCount:
    value: Value
    count: int
    selected: bool = False


@dataclass
class ListPage:
    total: int
    page: int
    per_page: int
    cards: list[Card]
    filters: list[Filter]
    facets: dict[str, list[FacetCount]]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass
class SearchPage:
    query: SearchQuery
    total: int
    page: int
    per_page: int
    cards: list[Card]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class SearchIndex:
    """An index file, opened read-only; one SQLite connection per thread."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise IndexMissing(f"no search index at {self.path}")
        self._uri = self.path.resolve().as_uri() + "?mode=ro&immutable=1"
        self._local = threading.local()
        try:
            con = self.connect()
            self.meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            if self.meta.get("version") != INDEX_VERSION:
                raise IndexMissing(f"the search index at {self.path} is of version {self.meta.get('version')}, "
                                   f"not {INDEX_VERSION}")
            self.values: dict[int, Value] = {}
            self.by_key: dict[tuple[str, str], Value] = {}
            for vid, kind, key, iri, nl, en, short, extra, total in con.execute(
                    "SELECT id, kind, key, iri, label_nl, label_en, short, extra, total FROM value"):
                v = Value(vid, kind, key, iri, nl, en, short, total, tuple(json.loads(extra)) if extra else (),
                          local_href(iri, self.meta.get("base", "")))
                self.values[vid] = v
                self.by_key[(kind, key)] = v
            self.size = con.execute("SELECT COUNT(*) FROM kv").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise IndexMissing(f"the search index at {self.path} cannot be read: {exc}") from None
        self.generation = json.loads(self.meta.get("generation", "null"))
        if isinstance(self.generation, list):
            self.generation = tuple(self.generation)
        self.base = self.meta.get("base", "")

    def connect(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = self._open()
        return con

    def _open(self) -> sqlite3.Connection:
        con = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
        con.execute("PRAGMA cache_size=-32000")
        return con

    # -- filters

    def value(self, kind: str, key: str) -> Value | None:
        return self.by_key.get((kind, key))

    def values_of(self, kind: str) -> list[Value]:
        return [v for v in self.values.values() if v.kind == kind]

    def _selection(self, filters: Sequence[Filter]) -> tuple[str, list[Any]]:
        """SQL for the ids of the Kamervragen that have every filter's value (AND)."""
        if not filters:
            return "SELECT id AS kv FROM kv", []
        ordered = sorted({f.value.id: f for f in filters}.values(), key=lambda f: f.value.total)
        sql = "SELECT f0.kv AS kv FROM facet f0 WHERE f0.value = ?"
        args: list[Any] = [ordered[0].value.id]
        for i, f in enumerate(ordered[1:], start=1):
            sql += f" AND EXISTS (SELECT 1 FROM facet f{i} WHERE f{i}.value = ? AND f{i}.kv = f0.kv)"
            args.append(f.value.id)
        return sql, args

    @staticmethod
    def _condition(filters: Sequence[Filter]) -> tuple[str, list[Any]]:
        """The same selection as a condition on ``kv.id`` (to scan ``kv`` newest first and stop early)."""
        ids = list(dict.fromkeys(f.value.id for f in filters))
        if not ids:
            return "1", []
        return " AND ".join(f"EXISTS (SELECT 1 FROM facet c{i} WHERE c{i}.value = ? AND c{i}.kv = kv.id)"
                            for i in range(len(ids))), ids

    def count(self, filters: Sequence[Filter] = ()) -> int:
        sel, args = self._selection(filters)
        return self.connect().execute(f"SELECT COUNT(*) FROM ({sel})", args).fetchone()[0]

    def facet_counts(self, filters: Sequence[Filter] = (), total: int | None = None) -> dict[int, int]:
        """Counts per facet value over the Kamervragen that pass ``filters`` (``total``: how many
        do, when known). Without filters, or with one, these were computed when the index was
        built (the totals, the pair counts); for more filters they are counted, over the selection
        or, when it holds more than half of all Kamervragen, over the rest (subtracted from the
        totals: fewer rows to count)."""
        if not filters:
            return {v.id: v.total for v in self.values.values() if v.total}
        con = self.connect()
        ids = {f.value.id for f in filters}
        if len(ids) == 1:  # one filter: the pair counts computed when the index was built
            return dict(con.execute("SELECT b, n FROM cooc WHERE a = ?", (ids.pop(),)).fetchall())
        sel, args = self._selection(filters)
        if total is None:
            total = con.execute(f"SELECT COUNT(*) FROM ({sel})", args).fetchone()[0]
        if total * 2 <= self.size:
            sql = f"SELECT f.value, COUNT(*) FROM ({sel}) s JOIN facet f ON f.kv = s.kv GROUP BY f.value"
            return dict(con.execute(sql, args).fetchall())
        sql = f"SELECT f.value, COUNT(*) FROM facet f WHERE f.kv IN (SELECT id FROM kv EXCEPT {sel}) GROUP BY f.value"
        rest = dict(con.execute(sql, args).fetchall())
        counts = {v.id: v.total - rest.get(v.id, 0) for v in self.values.values()}
        return {vid: n for vid, n in counts.items() if n}

    def list_page(self, filters: Sequence[Filter] = (), page: int = 1, per_page: int = 50,
                  lang: str = "nl", facet_limit: int | None = None) -> ListPage:
        sel, args = self._selection(filters)
        con = self.connect()
        total = con.execute(f"SELECT COUNT(*) FROM ({sel})", args).fetchone()[0]
        if total * 4 >= self.size:  # a large share: scan newest first, stop at the page's end
            cond, cargs = self._condition(filters)
            rows = con.execute(
                f"SELECT kv.id, kv.iri, kv.zaak, kv.subject, kv.date, kv.year, kv.status, kv.card FROM kv "
                f"WHERE {cond} ORDER BY kv.id LIMIT ? OFFSET ?", [*cargs, per_page, (page - 1) * per_page]).fetchall()
        else:
            rows = con.execute(
                f"SELECT kv.id, kv.iri, kv.zaak, kv.subject, kv.date, kv.year, kv.status, kv.card FROM kv "
                f"WHERE kv.id IN ({sel}) ORDER BY kv.id LIMIT ? OFFSET ?",
                [*args, per_page, (page - 1) * per_page]).fetchall()
        cards = [self._card(r, lang) for r in rows]
        counts = self.facet_counts(filters, total)
        selected = {f.value.id for f in filters}
        facets: dict[str, list[FacetCount]] = {k: [] for k in KINDS}
        for vid, n in counts.items():
            v = self.values[vid]
            facets[v.kind].append(FacetCount(v, n, vid in selected))
        for kind, items in facets.items():
            if kind == "jaar":
                items.sort(key=lambda fc: fc.value.key, reverse=True)
            elif kind == "status":
                items.sort(key=lambda fc: STATUSES.index(fc.value.key))
            else:
                items.sort(key=lambda fc: (-fc.count, fc.value.label(lang).lower()))
        return ListPage(total, page, per_page, cards, list(filters), facets)

    def export(self, filters: Sequence[Filter] = (), lang: str = "nl") -> Iterator[Card]:
        """Every Kamervraag that passes ``filters``, newest first (its own connection: for streaming)."""
        sel, args = self._selection(filters)
        con = self._open()
        try:
            cur = con.execute(
                f"SELECT kv.id, kv.iri, kv.zaak, kv.subject, kv.date, kv.year, kv.status, kv.card FROM kv "
                f"WHERE kv.id IN ({sel}) ORDER BY kv.id", args)
            while True:
                batch = cur.fetchmany(500)
                if not batch:
                    break
                for r in batch:
                    yield self._card(r, lang)
        finally:
            con.close()

    def latest(self, n: int = 10, lang: str = "nl") -> list[Card]:
        """The ``n`` newest Kamervragen as cards (for a home page)."""
        return self.list_page((), 1, n, lang).cards

    def cards(self, iris: Iterable[str], lang: str = "nl") -> list[Card]:
        """Cards of these Kamervragen (by IRI), in the order given; unknown IRIs are left out."""
        iris = list(iris)
        if not iris:
            return []
        rows = self.connect().execute(
            "SELECT id, iri, zaak, subject, date, year, status, card FROM kv WHERE iri IN "
            f"({','.join('?' * len(iris))})", iris).fetchall()
        by_iri = {r[1]: self._card(r, lang) for r in rows}
        return [by_iri[i] for i in iris if i in by_iri]

    def _card(self, row: Sequence[Any], lang: str, **extra: Any) -> Card:
        vid, iri, zaak, subject, date, year, status, card_json = row
        card = json.loads(card_json)
        V = self.values
        askers = tuple(Asker(name, V.get(pid) if pid else None, V.get(fid) if fid else None)
                       for pid, name, fid in card["a"])
        addressees = []
        for postid, name, holder, holder_iri in card["p"]:
            post = V.get(postid) if postid else None
            addressees.append(Addressee(post, post.label(lang) if post else (name or "?"), holder,
                                        local_href(holder_iri, self.base),
                                        tuple(V[m] for m in post.ministries if m in V) if post else ()))
        return Card(vid, iri, zaak, subject, date, year, status, askers, tuple(addressees),
                    tuple(V[e] for e in card["e"] if e in V), local_href(iri, self.base), **extra)

    # -- full-text search

    def _ranked(self, con: sqlite3.Connection, q: SearchQuery, offset: int, limit: int
                ) -> tuple[int, list[tuple[int, float]]]:
        """How many Kamervragen match, and ``limit`` of them from ``offset`` by rank: bm25 (the
        subject weighing most), newest first among equals; with a prefix term, the Kamervragen
        that match the words as typed come before those that only match the prefix."""
        weights = ", ".join(str(w) for w in WEIGHTS)
        ranked = (f"SELECT rowid, bm25(fts, {weights}) AS r FROM fts WHERE fts MATCH ? "
                  "ORDER BY r, rowid LIMIT ? OFFSET ?")

        def count(expr: str) -> int:
            return con.execute("SELECT COUNT(*) FROM fts WHERE fts MATCH ?", (expr,)).fetchone()[0]

        full = q.fts()
        total = count(full)
        if not q.has_prefix:
            return total, con.execute(ranked, (full, limit, offset)).fetchall()
        exact = q.fts(exact=True)
        n_exact = count(exact)
        hits = con.execute(ranked, (exact, limit, offset)).fetchall() if offset < n_exact else []
        if len(hits) < limit and total > n_exact:
            rest = f"({full}) NOT ({exact})" if n_exact else full
            hits += con.execute(ranked, (rest, limit - len(hits), max(0, offset - n_exact))).fetchall()
        return total, hits

    def search(self, query: SearchQuery | str, page: int = 1, per_page: int = 20, lang: str = "nl") -> SearchPage:
        q = parse_query(query) if isinstance(query, str) else query
        con = self.connect()
        try:
            total, hits = self._ranked(con, q, (page - 1) * per_page, per_page)
        except sqlite3.OperationalError as exc:  # should not happen: terms are plain words
            raise BadQuery(f"De zoekterm kan niet worden gebruikt: {exc}", f"The search text cannot be used: {exc}") from None
        if not hits:
            return SearchPage(q, total, page, per_page, [])
        ids = [h[0] for h in hits]
        score = {h[0]: h[1] for h in hits}
        rows = {r[0]: r for r in con.execute(
            "SELECT id, iri, zaak, subject, date, year, status, card FROM kv WHERE id IN "
            f"({','.join('?' * len(ids))})", ids)}
        texts: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
        for kv, kind, nums, body in con.execute(
                f"SELECT kv, kind, nums, body FROM text WHERE kv IN ({','.join('?' * len(ids))}) ORDER BY kv, ord",
                ids):
            texts[kv].append((kind, nums, body))
        match = q.matcher()
        cards = []
        for i in ids:
            r = rows[i]
            subject_html, subject_hits = highlight(r[3] or "", match, window=10_000)
            snippet = None
            best = 0
            for kind, nums, body in texts.get(i, ()):
                html, n = highlight(body, match)
                if n > best:
                    best = n
                    snippet = Snippet(html, kind, tuple(int(x) for x in nums.split(",") if x), _plain(html))
            if snippet is None and subject_hits:
                snippet = Snippet(subject_html, "subject", (), r[3] or "")
            cards.append(self._card(r, lang, snippet=snippet, subject_html=subject_html if subject_hits else None,
                                    score=-score[i]))
        return SearchPage(q, total, page, per_page, cards)


_TAG = re.compile(r"</?mark>")


def _plain(html: Markup) -> str:
    return Markup(_TAG.sub("", str(html))).unescape()


# --------------------------------------------------------------------------- keeping the index fresh


def read_meta(path: str | os.PathLike[str]) -> dict[str, str] | None:
    """The meta table of the index at ``path``, or None when there is none (or it is unreadable)."""
    p = Path(path)
    if not p.is_file():
        return None
    try:
        con = sqlite3.connect(p.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            return dict(con.execute("SELECT key, value FROM meta").fetchall())
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return None


def is_stale(meta: Mapping[str, str] | None, base: str, gen: Any, location: str | None = None) -> str | None:
    """Why the index described by ``meta`` must be rebuilt (None: it is current). ``location``:
    the store it must have been built from (checked for remote stores, which have no generation)."""
    if meta is None:
        return "there is no index"
    if location is not None and meta.get("location") != location:
        return f"it was built from {meta.get('location')}"
    if meta.get("version") != INDEX_VERSION:
        return f"index version {meta.get('version')} is not {INDEX_VERSION}"
    if meta.get("base") != base:
        return f"it was built for base {meta.get('base')}"
    if meta.get("stemmer") != stemmer_id():
        return f"it was built with {meta.get('stemmer')}, not {stemmer_id()}"
    recorded = json.loads(meta.get("generation", "null"))
    if gen is not None and (recorded is None or tuple(recorded) != tuple(gen)):
        return "the store has changed since"
    return None


class _ReadOnlyOxigraph:
    """The embedded store at ``path`` opened read-only, with :meth:`store.base.Store.query`."""

    def __init__(self, path: Path) -> None:
        from pyoxigraph import Store as OxStore

        self.path = path
        try:
            self._ox = OxStore.read_only(str(path))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path} read-only: {exc}") from None

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None, *, timeout: float | None = None,
              row_limit: int | None = None, union_default_graph: bool = True) -> QueryResult:
        from store.pool import Job, execute

        answer = execute(self._ox, Job(sparql, output="rows", bindings=dict(bindings or {}), row_limit=row_limit,
                                       union_default_graph=union_default_graph))
        assert answer.result is not None
        return answer.result

    def close(self) -> None:
        del self._ox


def ensure_index(path: str | os.PathLike[str], base: str, *, store_path: str | os.PathLike[str] | None = None,
                 store: QueryStore | None = None, force: bool = False) -> SearchIndex:
    """The index at ``path``, rebuilt first when it is missing, stale or of another version.

    Give ``store_path`` for an embedded store (its generation decides staleness; it is opened
    read-only just for the build) or ``store`` for any other (e.g. remote) store, whose index is
    built when missing and otherwise kept (a remote store has no generation to compare).
    """
    if (store_path is None) == (store is None):
        raise ValueError("ensure_index needs store_path (embedded) or store (any other)")
    gen = store_generation.current(store_path) if store_path is not None else None
    location = None if store is None else _location(store)
    reason = "a rebuild was asked for" if force else is_stale(read_meta(path), base, gen, location)
    if reason is None:
        try:
            return SearchIndex(path)
        except IndexMissing as exc:
            reason = str(exc)
    log.info("building the search index %s: %s", path, reason)
    if store_path is not None:
        ro = _ReadOnlyOxigraph(Path(store_path))
        try:
            build_index(ro, path, base, generation=gen, location=str(store_path))
        finally:
            ro.close()
    else:
        assert store is not None
        build_index(store, path, base, generation=None, location=location)
    return SearchIndex(path)


def _location(store: QueryStore) -> str:
    return str(getattr(store, "endpoint", None) or getattr(store, "path", None) or type(store).__name__)


class SearchService:
    """The index a running server uses: built or rebuilt in a background thread when missing or
    stale (checked at most every ``check_every`` seconds, one ``stat``); while a rebuild runs the
    previous index keeps answering."""

    def __init__(self, path: str | os.PathLike[str], base: str, *, store_path: str | os.PathLike[str] | None = None,
                 store: QueryStore | None = None, check_every: float = 2.0) -> None:
        self.path = Path(path)
        self.base = base
        self.store_path = Path(store_path) if store_path is not None else None
        self.store = store
        self.check_every = check_every
        self._index: SearchIndex | None = None
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._building: threading.Thread | None = None
        self._checked = 0.0
        self.error: str | None = None

    def _build(self) -> None:
        try:
            index = ensure_index(self.path, self.base, store_path=self.store_path, store=self.store)
            with self._lock:
                self._index = index
                self.error = None
        except Exception as exc:  # noqa: BLE001 - reported on the pages, logged here
            log.exception("the search index could not be built")
            with self._lock:
                self.error = str(exc) or type(exc).__name__
        finally:
            with self._lock:
                self._building = None
            self._ready.set()

    def start(self) -> None:
        """Make sure the index is there and current (a build starts in a thread when it is not)."""
        with self._lock:
            if self._building is not None:
                return
            self._ready.clear()
            self._building = threading.Thread(target=self._build, name="search-index", daemon=True)
            self._building.start()

    def _fresh(self, index: SearchIndex) -> bool:
        if self.store_path is None:
            return True
        return is_stale({"version": INDEX_VERSION, "base": index.base, "stemmer": stemmer_id(),
                         "generation": json.dumps(list(index.generation) if index.generation else None)},
                        self.base, store_generation.current(self.store_path)) is None

    def get(self, wait: float = 120.0) -> SearchIndex:
        """The current index; waits up to ``wait`` s for a first build. Raises :class:`IndexMissing`."""
        now = time.monotonic()
        index = self._index
        if index is not None:
            if now - self._checked > self.check_every:
                self._checked = now
                if not self._fresh(index):
                    self.start()  # rebuild in the background; the old index answers meanwhile
            return index
        self.start()
        self._ready.wait(wait)
        index = self._index
        if index is None:
            raise IndexMissing(self.error or "the search index is still being built")
        self._checked = time.monotonic()
        return index

    def join(self, timeout: float | None = None) -> None:
        t = self._building
        if t is not None:
            t.join(timeout)
