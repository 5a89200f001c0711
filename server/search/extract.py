"""What the index holds, read from the store: a few SPARQL SELECTs through the
:class:`store.base.Store` interface (so a remote store works too), joined here in Python into one
:class:`Case` per Kamervraag and the :class:`Labels` of the values it names."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import unquote

from ontology.namespaces import CITO, DCTERMS, ELI, FOAF, KG, ORG, RDFS, SCHEMA, SKOS
from server.search.text import normalise
from store.base import QueryResult, Term


class QueryStore(Protocol):
    """What :func:`server.search.build.build_index` needs of a store: :meth:`store.base.Store.query`."""

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
    # the candidate posts of an ambiguous addressing (several posts on the date, none named by a text)
    "kandidaatpost": ("SELECT ?s ?o WHERE { ?s kg:kandidaatpost ?o }", "?s ?o"),
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
  VALUES ?p { rdfs:label skos:prefLabel foaf:name skos:altLabel kg:afkorting org:postIn dcterms:identifier }
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
class Case:
    """One Kamervraag as the store gives it: what its card, its facets and its texts are made of."""

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
class Labels:
    """Labels per IRI from the store, by predicate preference; and the other names a value is known by
    (``skos:altLabel``: a person's name as the member lists give it where the Kamer prints another), found
    by search but never shown as its label."""

    by_iri: dict[str, dict[str, dict[str, str]]] = field(default_factory=lambda: defaultdict(dict))
    post_in: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    short: dict[str, str] = field(default_factory=dict)
    alt: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    ORDER = (RDFS + "label", SKOS + "prefLabel", FOAF + "name")

    def add(self, iri: str, pred: str, value: Term) -> None:
        if pred == ORG + "postIn":
            if value.value not in self.post_in[iri]:
                self.post_in[iri].append(value.value)
            return
        if pred in (KG + "afkorting", DCTERMS + "identifier"):
            self.short.setdefault(iri, value.value)
            return
        if pred == SKOS + "altLabel":
            if value.value not in self.alt[iri]:
                self.alt[iri].append(value.value)
            return
        lang = _lang(value) or ""
        per_lang = self.by_iri[iri].setdefault(lang, {})
        per_lang.setdefault(pred, value.value)

    def alt_names(self, iri: str, shown: Iterable[str | None] = ()) -> list[str]:
        """The other names of ``iri`` (sorted), but those equal to one of the names ``shown``."""
        known = {normalise(x) for x in shown if x}
        return sorted({a for a in self.alt.get(iri, ()) if normalise(a) not in known})

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

def store_location(store: QueryStore) -> str:
    """Where ``store`` is, as the index records it: a remote store's endpoint, an embedded one's path."""
    return str(getattr(store, "endpoint", None) or getattr(store, "path", None) or type(store).__name__)


class _Reader:
    """The extraction SELECTs of one store, each run when asked for, with the seconds it took."""

    def __init__(self, store: QueryStore) -> None:
        self.store = store
        self.timings: dict[str, float] = {}

    def rows(self, name: str) -> list[tuple[Term | None, ...]]:
        t0 = time.perf_counter()
        out = _select_all(self.store, name)
        self.timings[name] = time.perf_counter() - t0
        return out

    def pairs(self, name: str) -> Iterator[tuple[str, Term]]:
        for s_, o in self.rows(name):
            if s_ is not None and o is not None:
                yield s_.value, o


def extract(store: QueryStore, base: str) -> tuple[dict[str, Case], Labels, dict[str, float]]:
    """Everything the index holds, from the store (a few SELECTs); with the seconds each took."""
    read = _Reader(store)
    cases = _read_cases(read)
    _read_parts(read, cases)
    _read_publications(read, cases)
    _read_texts(read, cases)
    _read_eu(read, cases)
    labels = _read_labels(read)
    _subjects_from_publications(cases)
    return cases, labels, read.timings


def _read_cases(read: _Reader) -> dict[str, Case]:
    """Reads the Kamervragen and adds to each its case number, subject, date and whether the
    Tweede Kamer's record says it is dealt with (the smallest value where there are several)."""
    cases: dict[str, Case] = {}
    for (kv,) in read.rows("kv"):
        if kv is not None:
            cases[kv.value] = Case(kv.value)
    for kv, o in read.pairs("zaak"):
        c = cases.get(kv)
        if c is not None and (c.zaak is None or o.value < c.zaak):
            c.zaak = o.value
    for kv, o in read.pairs("title"):
        c = cases.get(kv)
        if c is not None and (c.subject is None or (_lang(o) in ("nl", "") and o.value < c.subject)):
            c.subject = o.value
    for kv, o in read.pairs("date"):
        c = cases.get(kv)
        if c is not None and (c.date is None or o.value[:10] < c.date):
            c.date = o.value[:10]
    for kv, o in read.pairs("afgedaan"):
        c = cases.get(kv)
        if c is not None:
            c.afgedaan = bool(c.afgedaan) or o.value in ("true", "1")
    return cases


def _read_parts(read: _Reader, cases: dict[str, Case]) -> None:
    """Reads the qualified relations and adds them to the cases: who asked (with the fractie on
    the day), to which post (and holder); and the posts a case names without a qualified one."""
    parts: dict[str, dict[str, Any]] = {}
    for kv, o in read.pairs("vraagstelling"):
        if kv in cases:
            parts[o.value] = cases[kv].askers.setdefault(
                o.value, {"pos": None, "first": False, "person": None, "name": None, "fractie": None})
    for kv, o in read.pairs("adressering"):
        if kv in cases:
            parts[o.value] = cases[kv].addressees.setdefault(
                o.value, {"pos": None, "post": None, "person": None, "name": None, "direct": False,
                          "candidates": []})
    for x, o in read.pairs("position"):
        if x in parts:
            parts[x]["pos"] = _int(o)
    for x, o in read.pairs("rol"):
        if x in parts and o.value == KG + "RolIndiener":
            parts[x]["first"] = True
    for name in ("persoon", "fractie", "post"):
        field_ = "person" if name == "persoon" else name
        for x, o in read.pairs(name):
            p = parts.get(x)
            if p is not None and field_ in p and (p[field_] is None or o.value < p[field_]):
                p[field_] = o.value
    for x, o in read.pairs("kandidaatpost"):
        if x in parts and "candidates" in parts[x]:
            parts[x]["candidates"] = sorted({*parts[x]["candidates"], o.value})
    for x, o in read.pairs("unresolved"):
        if x in parts:
            parts[x]["name"] = o.value
    for kv, o in read.pairs("gerichtAan"):  # posts a case names without a qualified adressering
        c = cases.get(kv)
        if c is not None:
            c.addressees.setdefault(f"post:{o.value}",
                                    {"pos": None, "post": o.value, "person": None, "name": None, "direct": True,
                                     "candidates": []})


def _read_publications(read: _Reader, cases: dict[str, Case]) -> None:
    """Reads the published texts about each case: an answer makes it answered, a postponement
    notice postponed; the titles of the others are kept (a subject for a case without one)."""
    for kv, soort, ptitle in read.rows("publications"):
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


def _read_texts(read: _Reader, cases: dict[str, Case]) -> None:
    """Reads the texts of the questions and answers and adds them to their cases, with their
    question numbers; a case with an answer text is answered."""
    for kv, part, kind, n, text in read.rows("texts"):
        c = cases.get(_v(kv) or "")
        if c is None or part is None or text is None:
            continue
        t = c.texts.setdefault(part.value, {"kind": _v(kind), "n": set(), "text": text.value})
        if n is not None and _int(n) is not None:
            t["n"].add(_int(n))
        if t["kind"] == "antwoord":
            c.answered = True


def _read_eu(read: _Reader, cases: dict[str, Case]) -> None:
    """Reads the EU acts each case cites (directly or in one of its published texts) and adds them."""
    for kv, eu in read.rows("eu"):
        c = cases.get(_v(kv) or "")
        if c is not None and eu is not None:
            c.eu.add(eu.value)


def _read_labels(read: _Reader) -> Labels:
    """Reads the labels, short names and ministries of the values the cases name."""
    labels = Labels()
    for x, _t, p, lit in read.rows("labels"):
        if x is not None and p is not None and lit is not None:
            labels.add(x.value, p.value, lit)
    return labels


def _subjects_from_publications(cases: dict[str, Case]) -> None:
    """Gives the subject of a case known only from a published text: the title of that text."""
    for c in cases.values():
        if c.subject is None and c.pub_titles:
            c.subject = sorted(c.pub_titles)[0]
            c.subject = c.subject[:1].upper() + c.subject[1:]
