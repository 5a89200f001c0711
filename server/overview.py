"""The overview: what the entity pages list and count, computed once per store generation.

A Fractie page shows its questions per year and the ministries its members ask most; a Post page
the questions it received per year, paged; the home page the counts per class and the latest
questions (and, measured with :mod:`kamergraph.coverage` on the same Kamervragen, from which month the
records are complete: :attr:`Overview.coverage`, so that the years before can be marked). Asked per
request, such lists sort and count thousands of resources (GroenLinks: 3,300 questions; the minister
of VWS: 5,300), which costs 50–200 ms in SPARQL. So the server reads the
few facts these lists need — per Kamervraag its case number, date, subject, askers with their
fractie, addressed posts with their holders and cabinets, answer and postponement — once, with
simple whole-graph queries, and keeps them in memory (some 30 MB) until the store's generation
changes (:mod:`store.generation`; for a remote store: every
:data:`server.overview_holder.REMOTE_TTL` seconds), which
:class:`server.overview_holder.OverviewHolder` sees to. For the embedded store the queries run in a
process of its own that opens the store read-only (5–30 s on the full corpus, in the background,
started by the first page request), never in the endpoint's query workers; for a remote store they
go through the endpoint. Entity pages then page and count
from memory; everything else on a page (the resource's own description, its backlinks) is asked
from the store per request, bound to the resource.

Every list here is sorted newest first (submission date, then case number).
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from kamergraph.coverage import Coverage, measure_dates
from ontology.namespaces import CITO, DCTERMS, ELI, FOAF, KG, ORG, RDF, RDFS, SCHEMA, SKOS

PREFIXES = f"""PREFIX kg: <{KG}>
PREFIX dcterms: <{DCTERMS}>
PREFIX org: <{ORG}>
PREFIX schema: <{SCHEMA}>
PREFIX skos: <{SKOS}>
PREFIX rdfs: <{RDFS}>
PREFIX rdf: <{RDF}>
PREFIX foaf: <{FOAF}>
PREFIX eli: <{ELI}>
PREFIX cito: <{CITO}>
"""

#: The whole-graph queries the overview is made of: single patterns where it can be (each fast on
#: its own, about a second on the full store), joined in Python; a join of three patterns with
#: OPTIONALs takes four times as long, and the per-query time limit applies to each.
QUERIES: dict[str, str] = {
    "kv": "SELECT ?kv WHERE { ?kv a kg:Kamervraag }",
    "zaak": "SELECT ?kv ?v WHERE { ?kv kg:zaaknummer ?v }",
    "date": "SELECT ?kv ?v WHERE { ?kv dcterms:dateSubmitted ?v }",
    "title": "SELECT ?kv ?v WHERE { ?kv dcterms:title ?v }",
    "done": "SELECT ?kv ?v WHERE { ?kv kg:afgedaan ?v }",
    "vraagstelling": "SELECT ?kv ?vs WHERE { ?kv kg:vraagstelling ?vs }",
    "persoon": "SELECT ?x ?person WHERE { ?x kg:persoon ?person }",
    "fractie": "SELECT ?vs ?fractie WHERE { ?vs kg:fractie ?fractie }",
    "indiener": "SELECT ?kv ?person WHERE { ?kv kg:indiener ?person }",
    "gerichtAan": "SELECT ?kv ?post WHERE { ?kv kg:gerichtAan ?post }",
    "gerichtAanPersoon": "SELECT ?kv ?person WHERE { ?kv kg:gerichtAanPersoon ?person }",
    "mogelijkGerichtAan": "SELECT ?kv ?post WHERE { ?kv kg:mogelijkGerichtAan ?post }",
    "adressering": "SELECT ?kv ?a WHERE { ?kv kg:adressering ?a }",
    "ambtsperiode": "SELECT ?a ?ap WHERE { ?a kg:ambtsperiode ?ap }",
    "publications": """SELECT ?kv ?pub ?soort ?received WHERE {
  ?pub kg:betreft ?kv ; kg:publicatiesoort ?soort . OPTIONAL { ?pub kg:ontvangenOp ?received } }""",
    "labels": """SELECT ?x ?type ?label ?pref ?name WHERE {
  VALUES ?type { kg:Persoon kg:Fractie kg:Post kg:Ministerie kg:Kabinet kg:Kamer kg:EUVoorstel kg:EUProcedure eli:LegalResource }
  ?x a ?type .
  OPTIONAL { ?x rdfs:label ?label } OPTIONAL { ?x skos:prefLabel ?pref } OPTIONAL { ?x foaf:name ?name } }""",
    "memberships": """SELECT ?m ?type ?person ?org ?start ?end WHERE {
  VALUES ?type { kg:Fractielidmaatschap kg:Kamerlidmaatschap }
  ?m a ?type ; org:member ?person ; org:organization ?org .
  OPTIONAL { ?m schema:startDate ?start } OPTIONAL { ?m schema:endDate ?end } }""",
    "terms": """SELECT ?ap ?person ?post ?kabinet ?start ?end ?acting WHERE {
  ?ap a kg:Ambtsperiode ; kg:persoon ?person ; kg:post ?post .
  OPTIONAL { ?ap kg:kabinet ?kabinet } OPTIONAL { ?ap schema:startDate ?start }
  OPTIONAL { ?ap schema:endDate ?end } OPTIONAL { ?ap kg:waarnemend ?acting } }""",
    "posts": "SELECT ?post ?ministry WHERE { ?post a kg:Post ; org:postIn ?ministry }",
    "classes": "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class",
    # per EU resource, the Kamervragen that cite it: in their title, or in a question, answer or footnote
    # (each branch starts from the few cito:cites statements; the set is made once, then joined)
    "eu": """SELECT ?x ?identifier ?date (COUNT(DISTINCT ?kv) AS ?n) WHERE {
  VALUES ?type { eli:LegalResource kg:EUVoorstel kg:EUProcedure } ?x a ?type .
  OPTIONAL { ?x dcterms:identifier ?identifier } OPTIONAL { ?x dcterms:date ?date }
  OPTIONAL { { SELECT DISTINCT ?x ?kv WHERE {
      { ?kv cito:cites ?x . ?kv a kg:Kamervraag }
      UNION { ?part cito:cites ?x . ?kv kg:heeftVraag ?part }
      UNION { ?part cito:cites ?x . ?kv kg:heeftAntwoord ?part }
      UNION { ?fn cito:cites ?x . ?v kg:voetnoot ?fn . ?kv kg:heeftVraag ?v } } } }
} GROUP BY ?x ?identifier ?date""",
}

KIND_OF_TYPE = {
    KG + "Persoon": "persoon", KG + "Fractie": "fractie", KG + "Post": "post", KG + "Ministerie": "ministerie",
    KG + "Kabinet": "kabinet", KG + "Kamer": "kamer", KG + "EUVoorstel": "eu", KG + "EUProcedure": "eu", ELI + "LegalResource": "eu",
}


@dataclass(slots=True)
class Case:
    """What lists show of one Kamervraag."""

    iri: str
    zaak: str = ""
    date: str = ""  # ISO date of submission, "" when unknown
    title: str = ""
    done: bool | None = None  # the Tweede Kamer's "afgedaan"
    askers: list[tuple[str, str | None, str]] = field(default_factory=list)  # (person, fractie, role)
    posts: list[str] = field(default_factory=list)
    possible_posts: list[str] = field(default_factory=list)  # candidates of ambiguous addressings, not in posts
    addressees: list[str] = field(default_factory=list)
    cabinets: list[str] = field(default_factory=list)
    answered: str | None = None  # the date an answer was received, when a published answer says so
    has_answer: bool = False
    postponed: bool = False

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if len(self.date) >= 4 and self.date[:4].isdigit() else None

    @property
    def status(self) -> str:
        """beantwoord | uitgesteld | open, as the list of Kamervragen (server.search) says it: answered
        when the Tweede Kamer's record says the case is dealt with (afgedaan) or an answer is in the
        store, else postponed when a postponement notice is, else open."""
        if self.has_answer or self.done:
            return "beantwoord"
        if self.postponed:
            return "uitgesteld"
        return "open"


@dataclass(frozen=True, slots=True)
class Membership:
    iri: str
    kind: str  # fractie | kamer
    person: str
    org: str
    start: str
    end: str


@dataclass(frozen=True, slots=True)
class Term:
    """An Ambtsperiode: a person holding a post in a cabinet."""

    iri: str
    person: str
    post: str
    cabinet: str | None
    start: str
    end: str
    acting: bool


@dataclass(frozen=True, slots=True)
class EUEntry:
    iri: str
    identifier: str
    date: str
    kamervragen: int  # the Kamervragen citing it (title, question, answer or footnote)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: its items, the total, and where it starts."""

    items: list[Any]
    total: int
    offset: int
    limit: int

    @property
    def number(self) -> int:
        return self.offset // self.limit + 1 if self.limit else 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit)) if self.limit else 1


def _sort_key(c: Case) -> tuple[str, str]:
    return (c.date, c.zaak or c.iri)


class Overview:
    """The in-memory overview of one store generation (see the module's docstring)."""

    def __init__(self) -> None:
        self.cases: list[Case] = []
        self.by_iri: dict[str, int] = {}
        self.lists: dict[tuple[str, str], list[int]] = {}
        self.labels: dict[str, dict[str, str]] = {}  # iri -> {lang: label}
        self.kinds: dict[str, str] = {}
        self.memberships_of: dict[str, list[Membership]] = {}
        self.members_of: dict[str, list[Membership]] = {}
        self.terms_of_person: dict[str, list[Term]] = {}
        self.terms_of_post: dict[str, list[Term]] = {}
        self.terms_of_cabinet: dict[str, list[Term]] = {}
        self.post_ministry: dict[str, str] = {}
        self.posts_of_ministry: dict[str, list[str]] = {}
        self.class_counts: dict[str, int] = {}
        self.eu: list[EUEntry] = []
        self.coverage: Coverage | None = None  # from which month the records are complete (kamergraph.coverage)
        self.built_seconds = 0.0
        self._years: dict[tuple[str, str], list[tuple[int, int]]] = {}
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:  # sent from the process that builds it: no lock, no cache
        state = dict(self.__dict__)
        state.pop("_lock")
        state["_cache"], state["_years"] = {}, {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # -- reading
    def label(self, iri: str | None, lang: str = "nl") -> str | None:
        if not iri:
            return None
        labels = self.labels.get(iri)
        if not labels:
            return None
        return labels.get(lang) or labels.get("nl") or labels.get("") or next(iter(labels.values()))

    def case(self, iri: str) -> Case | None:
        i = self.by_iri.get(iri)
        return self.cases[i] if i is not None else None

    def count(self, kind: str, key: str) -> int:
        return len(self.lists.get((kind, key), ()))

    def possibly(self, kind: str, key: str) -> int:
        """How many questions are possibly addressed to a post or ministry (``kind``) and not certainly: an
        addressee held several posts that day, this one among them, and no published text names one.
        Counted apart: never in :meth:`count` of ``post``/``ministerie`` (their list is ``post-mogelijk``…)."""
        return self.count(f"{kind}-mogelijk", key)

    def years(self, kind: str, key: str) -> list[tuple[int, int]]:
        """(year, number of questions) for a list, oldest year first."""
        with self._lock:
            hit = self._years.get((kind, key))
        if hit is not None:
            return hit
        counts = Counter(self.cases[i].year for i in self.lists.get((kind, key), ()))
        out = sorted((y, n) for y, n in counts.items() if y is not None)
        with self._lock:
            self._years[(kind, key)] = out
        return out

    def months(self, kind: str, key: str) -> list[tuple[str, int]]:
        """("YYYY-MM", number of questions) for a list, oldest month first: one pass over the list, kept (the
        charts of the pages, :func:`server.charts.periods_of`, read it)."""
        return self._memo(("months", kind, key), lambda: sorted(Counter(
            self.cases[i].date[:7] for i in self.lists.get((kind, key), ()) if _ISO_DATE.match(self.cases[i].date)
        ).items()))

    def page(self, kind: str, key: str, *, year: int | None = None, offset: int = 0, limit: int = 20) -> Page:
        """One page of a list of questions (newest first), optionally of one year."""
        idx = self.lists.get((kind, key), [])
        if year is not None:
            lo, hi = self._year_bounds(idx, year)
            idx = idx[lo:hi]
        offset = max(0, min(offset, max(0, len(idx) - 1)))
        return Page([self.cases[i] for i in idx[offset:offset + limit]], len(idx), offset, limit)

    def _year_bounds(self, idx: list[int], year: int) -> tuple[int, int]:
        """The slice of ``idx`` (sorted newest first) holding ``year``'s questions (two binary searches)."""
        def first(pred: Callable[[int], bool]) -> int:
            lo, hi = 0, len(idx)
            while lo < hi:
                mid = (lo + hi) // 2
                if pred(self.cases[idx[mid]].year or 0):
                    lo = mid + 1
                else:
                    hi = mid
            return lo

        return first(lambda y: y > year), first(lambda y: y >= year)

    def latest(self, n: int = 10) -> list[Case]:
        return [self.cases[i] for i in self.lists.get(("all", ""), [])[:n]]

    def _memo(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """A figure over a whole list, computed once (lists do not change within a generation)."""
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        value = compute()
        with self._lock:
            self._cache[key] = value
        return value

    FACETS: dict[str, Callable[[Overview, Case], Iterable[str]]] = {
        "ministerie": lambda ov, c: ov.ministries(c),
        "fractie": lambda ov, c: [f for _, f, _ in c.askers if f],
    }

    def top(self, kind: str, key: str, facet: str, n: int = 10) -> list[tuple[str, int]]:
        """The most frequent values of a facet (``ministerie``, ``fractie``) over a list's questions,
        each counted once per question; equal counts in IRI order (so that every server start shows
        the same bars: a set's order follows the string hash, which changes per process)."""
        def compute() -> list[tuple[str, int]]:
            counts: Counter[str] = Counter()
            get = self.FACETS[facet]
            for i in self.lists.get((kind, key), ()):
                counts.update(set(get(self, self.cases[i])))
            return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

        return self._memo(("top", kind, key, facet), compute)[:n]

    def ministries(self, case: Case) -> list[str]:
        return [m for m in (self.post_ministry.get(p) for p in case.posts) if m]

    def answer_days(self, kind: str, key: str) -> list[int]:
        """Days from submission to a received answer, for the list's questions where both are known."""
        import datetime as dt

        def compute() -> list[int]:
            out = []
            for i in self.lists.get((kind, key), ()):
                c = self.cases[i]
                if c.answered and c.date:
                    try:
                        out.append((dt.date.fromisoformat(c.answered[:10]) - dt.date.fromisoformat(c.date[:10])).days)
                    except ValueError:
                        continue
            return sorted(out)

        return self._memo(("days", kind, key), compute)

    def status_counts(self, kind: str, key: str) -> dict[str, int]:
        return self._memo(("status", kind, key),
                          lambda: dict(Counter(self.cases[i].status for i in self.lists.get((kind, key), ()))))

    def year_range(self) -> tuple[int | None, int | None]:
        def compute() -> tuple[int | None, int | None]:
            years = [c.year for c in self.cases if c.year]
            return (min(years), max(years)) if years else (None, None)

        return self._memo(("year_range",), compute)

    def incomplete_year(self, year: int) -> bool:
        """Whether the records of calendar ``year`` are incomplete: it has months before the period from
        which the data holds every question (:attr:`coverage`)."""
        return self.coverage is not None and self.coverage.incomplete_year(year)

    def counted(self, kind: str, list_kind: str) -> list[tuple[str, int]]:
        """Every resource of a kind (fractie, ministerie, …) with the length of its list, longest first."""
        return self._memo(("counted", kind, list_kind), lambda: sorted(
            ((x, self.count(list_kind, x)) for x, k in self.kinds.items() if k == kind),
            key=lambda x: (-x[1], x[0])))


# --------------------------------------------------------------------------- building

#: A row of a query as SPARQL JSON gives it: per variable the term's dict, or None when unbound.
Row = Sequence[dict[str, Any] | None]


def _v(cell: Any) -> str | None:
    """The value of a cell: a SPARQL JSON term (a dict) or a pyoxigraph term."""
    if cell is None:
        return None
    return cell["value"] if isinstance(cell, dict) else cell.value


def _lang(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, dict):
        return cell.get("xml:lang", "")
    return getattr(cell, "language", None) or ""


def rows_of(body: bytes) -> list[list[dict[str, Any] | None]]:
    """The rows of a SPARQL JSON result, in the order of its variables."""
    import json

    doc = json.loads(body)
    names = doc["head"]["vars"]
    return [[b.get(n) for n in names] for b in doc["results"]["bindings"]]


_POSITION = re.compile(r"/(\d+)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def build(run: Callable[[str], Sequence[Row]], *, workers: int = 3) -> Overview:
    """Build an overview; ``run(sparql)`` returns a query's rows (see :data:`Row`)."""
    t0 = time.perf_counter()
    rows = _run_queries(run, workers)
    ov = Overview()
    cases = _cases(rows)
    _add_askers(cases, rows)
    _add_addressees(cases, rows)
    _add_publications(cases, rows)
    _add_labels(ov, rows)
    _add_memberships(ov, rows)
    _add_terms(ov, rows)
    _add_posts_counts_and_eu(ov, rows)
    _index_cases(ov, cases)
    ov.built_seconds = time.perf_counter() - t0
    return ov


def _run_queries(run: Callable[[str], Sequence[Row]], workers: int) -> dict[str, Sequence[Row]]:
    """The rows of every query of :data:`QUERIES`, asked ``workers`` at a time."""
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="kamergraph-overview") as ex:
        futures = {name: ex.submit(run, PREFIXES + text) for name, text in QUERIES.items()}
        return {name: f.result() for name, f in futures.items()}


def _cases(rows: dict[str, Sequence[Row]]) -> dict[str, Case]:
    """Every Kamervraag with its zaak number, its first date, its title and whether it is done."""
    cases: dict[str, Case] = {}
    for (kv,) in rows["kv"]:
        cases[_v(kv) or ""] = Case(_v(kv) or "")
    for kv, v in rows["zaak"]:
        c = cases.get(_v(kv) or "")
        if c is not None:
            c.zaak = _v(v) or ""
    for kv, v in rows["date"]:
        c = cases.get(_v(kv) or "")
        d = (_v(v) or "")[:10]
        if c is not None and d and (not c.date or d < c.date):
            c.date = d
    for kv, v in rows["title"]:
        c = cases.get(_v(kv) or "")
        if c is not None and not c.title:
            c.title = _v(v) or ""
    for kv, v in rows["done"]:
        c = cases.get(_v(kv) or "")
        if c is not None:
            c.done = _v(v) == "true"
    return cases


def _add_askers(cases: dict[str, Case], rows: dict[str, Sequence[Row]]) -> None:
    """Each case's askers in their order in the source, with their fractie and their role."""
    person_of: dict[str, str] = {}
    for x, person in rows["persoon"]:
        person_of[_v(x) or ""] = _v(person) or ""
    fractie_of = {_v(vs) or "": _v(f) or "" for vs, f in rows["fractie"]}
    first_askers: dict[str, set[str]] = {}
    for kv, person in rows["indiener"]:
        first_askers.setdefault(_v(kv) or "", set()).add(_v(person) or "")
    askers: dict[str, list[tuple[int, str, str | None]]] = {}
    for kv, vs in rows["vraagstelling"]:
        vs_iri = _v(vs) or ""
        person = person_of.get(vs_iri)
        if person:
            m = _POSITION.search(vs_iri)
            askers.setdefault(_v(kv) or "", []).append((int(m.group(1)) if m else 99, person, fractie_of.get(vs_iri)))
    for kv, items in askers.items():
        c = cases.get(kv)
        if c is not None:
            firsts = first_askers.get(kv, set())
            c.askers = [(p, f, "indiener" if p in firsts else "medeindiener") for _, p, f in sorted(set(items))]


def _add_addressees(cases: dict[str, Case], rows: dict[str, Sequence[Row]]) -> None:
    """Each case's posts and persons addressed, and the cabinets of the terms of office addressed."""
    for kv, post in rows["gerichtAan"]:
        c = cases.get(_v(kv) or "")
        if c is not None and _v(post) not in c.posts:
            c.posts.append(_v(post) or "")
    for kv, post in rows["mogelijkGerichtAan"]:
        c = cases.get(_v(kv) or "")
        if c is not None and _v(post) not in c.possible_posts:
            c.possible_posts.append(_v(post) or "")
    for kv, person in rows["gerichtAanPersoon"]:
        c = cases.get(_v(kv) or "")
        if c is not None and _v(person) not in c.addressees:
            c.addressees.append(_v(person) or "")
    term_of = {_v(a) or "": _v(ap) or "" for a, ap in rows["ambtsperiode"]}
    cabinet_of = {_v(ap) or "": _v(cab) for ap, _person, _post, cab, *_ in rows["terms"]}
    for kv, a in rows["adressering"]:
        c = cases.get(_v(kv) or "")
        cabinet = cabinet_of.get(term_of.get(_v(a) or "", ""))
        if c is not None and cabinet and cabinet not in c.cabinets:
            c.cabinets.append(cabinet)


def _add_publications(cases: dict[str, Case], rows: dict[str, Sequence[Row]]) -> None:
    """Whether each case has an answer (and the first day one was received) or was postponed."""
    for kv, _pub, soort, received in rows["publications"]:
        c = cases.get(_v(kv) or "")
        if c is None:
            continue
        if _v(soort) == "antwoord":
            c.has_answer = True
            r = (_v(received) or "")[:10]
            if r and (c.answered is None or r < c.answered):
                c.answered = r
        elif _v(soort) == "uitstel":
            c.postponed = True


def _add_labels(ov: Overview, rows: dict[str, Sequence[Row]]) -> None:
    """The kind and the labels per language of every labelled resource."""
    for x, type_, label, pref, name in rows["labels"]:
        kind = KIND_OF_TYPE.get(_v(type_) or "")
        if kind:
            ov.kinds.setdefault(_v(x) or "", kind)
        labels = ov.labels.setdefault(_v(x) or "", {})
        for t in (pref, name, label):  # the short rdfs:label wins over a long skos:prefLabel (EU acts)
            if t is not None:
                labels[_lang(t)] = _v(t) or ""


def _add_memberships(ov: Overview, rows: dict[str, Sequence[Row]]) -> None:
    """The memberships (of the Kamer, of a fractie) per person and per organisation, latest first."""
    for m, type_, person, org, start, end in rows["memberships"]:
        kind = "fractie" if _v(type_) == KG + "Fractielidmaatschap" else "kamer"
        ms = Membership(_v(m) or "", kind, _v(person) or "", _v(org) or "", (_v(start) or "")[:10], (_v(end) or "")[:10])
        ov.memberships_of.setdefault(ms.person, []).append(ms)
        ov.members_of.setdefault(ms.org, []).append(ms)
    for lst in (*ov.memberships_of.values(), *ov.members_of.values()):
        lst.sort(key=lambda m: (m.start, m.end, m.iri), reverse=True)


def _add_terms(ov: Overview, rows: dict[str, Sequence[Row]]) -> None:
    """The terms of office per person, per post and per cabinet, latest first."""
    for ap, person, post, cabinet, start, end, acting in rows["terms"]:
        t = Term(_v(ap) or "", _v(person) or "", _v(post) or "", _v(cabinet), (_v(start) or "")[:10],
                 (_v(end) or "")[:10], _v(acting) == "true")
        ov.terms_of_person.setdefault(t.person, []).append(t)
        ov.terms_of_post.setdefault(t.post, []).append(t)
        if t.cabinet:
            ov.terms_of_cabinet.setdefault(t.cabinet, []).append(t)
    for lst in (*ov.terms_of_person.values(), *ov.terms_of_post.values(), *ov.terms_of_cabinet.values()):
        lst.sort(key=lambda t: (t.start, t.end, t.iri), reverse=True)


def _add_posts_counts_and_eu(ov: Overview, rows: dict[str, Sequence[Row]]) -> None:
    """The ministry of each post (and the posts of each ministry), the count per class, and the EU acts by
    the number of Kamervragen that cite them."""
    for post, ministry in rows["posts"]:
        ov.post_ministry[_v(post) or ""] = _v(ministry) or ""
        ov.posts_of_ministry.setdefault(_v(ministry) or "", []).append(_v(post) or "")
    for cls, n in rows["classes"]:
        ov.class_counts[_v(cls) or ""] = int(_v(n) or 0)
    ov.eu = sorted((EUEntry(_v(x) or "", _v(ident) or "", (_v(date) or "")[:10], int(_v(n) or 0))
                    for x, ident, date, n in rows["eu"]), key=lambda e: (-e.kamervragen, e.date))


def _index_cases(ov: Overview, cases: dict[str, Case]) -> None:
    """The cases newest first, and per asker, fractie, post, ministry, addressee and cabinet the positions
    of its cases in that order (the lists the pages page through)."""
    ov.cases = sorted(cases.values(), key=_sort_key, reverse=True)
    ov.by_iri = {c.iri: i for i, c in enumerate(ov.cases)}
    lists: dict[tuple[str, str], list[int]] = {("all", ""): list(range(len(ov.cases)))}

    def add(kind: str, key: str | None, i: int) -> None:
        if key:
            lst = lists.setdefault((kind, key), [])
            if not lst or lst[-1] != i:
                lst.append(i)

    for i, c in enumerate(ov.cases):
        for person, fractie, _role in c.askers:
            add("asker", person, i)
            add("fractie", fractie, i)
        for post in c.posts:
            add("post", post, i)
            add("ministerie", ov.post_ministry.get(post), i)
        certain = {*c.posts, *ov.ministries(c)}  # an ambiguous addressing: counted apart, never in both
        for post in c.possible_posts:
            m = ov.post_ministry.get(post)
            add("post-mogelijk", post if post not in certain else None, i)
            add("ministerie-mogelijk", m if m not in certain else None, i)
        for person in c.addressees:
            add("addressee", person, i)
        for cabinet in c.cabinets:
            add("kabinet", cabinet, i)
    ov.lists = lists
    ov.coverage = measure_dates(c.date for c in ov.cases if _ISO_DATE.match(c.date))


def build_from_store(path: str) -> Overview:
    """Build an overview from the embedded store at ``path``, opened read-only here (run in a process
    of its own by :class:`server.overview_holder.OverviewHolder`: no query worker is taken and no query time limit applies,
    so the pages never compete with the endpoint's queries for the pool)."""
    from pyoxigraph import Store

    store = Store.read_only(path)

    def run(sparql: str) -> list[tuple[Any, ...]]:
        return [tuple(solution) for solution in store.query(sparql, use_default_graph_as_union=True)]

    return build(run, workers=2)
