"""The overview: what the entity pages list and count, computed once per store generation.

A Fractie page shows its questions per year and the ministries its members ask most; a Post page
the questions it received per year, paged; the home page the counts per class and the latest
questions. Asked per request, such lists sort and count thousands of resources (GroenLinks: 3,800
questions; the minister of VWS: 5,300), which costs 50–200 ms in SPARQL. So the server reads the
few facts these lists need — per Kamervraag its case number, date, subject, askers with their
fractie, addressed posts with their holders and cabinets, answer and postponement — once, with
simple whole-graph queries through the endpoint (about 5 s on the full corpus, in the background),
and keeps them in memory (some 30 MB) until the store's generation changes
(:mod:`store.generation`; for a remote store: every ``REMOTE_TTL`` seconds). Entity pages then
page and count from memory; everything else on a page (the resource's own description, its
backlinks) is asked from the store per request, bound to the resource.

Every list here is sorted newest first (submission date, then case number).
"""

from __future__ import annotations

import bisect
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pyoxigraph import Literal

from ontology.namespaces import CITO, DCTERMS, ELI, FOAF, KG, ORG, RDF, RDFS, SCHEMA, SKOS
from store import generation as store_generation
from store.pool import Job

if TYPE_CHECKING:
    from server.app import Endpoint

log = logging.getLogger("kamergraph.server.overview")

REMOTE_TTL = 600.0

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

#: The whole-graph queries the overview is made of: simple patterns, each fast on its own, joined
#: in Python (one big query with OPTIONALs takes three times as long).
QUERIES: dict[str, str] = {
    "kv": "SELECT ?kv WHERE { ?kv a kg:Kamervraag }",
    "zaak": "SELECT ?kv ?v WHERE { ?kv kg:zaaknummer ?v }",
    "date": "SELECT ?kv ?v WHERE { ?kv dcterms:dateSubmitted ?v }",
    "title": "SELECT ?kv ?v WHERE { ?kv dcterms:title ?v }",
    "done": "SELECT ?kv ?v WHERE { ?kv kg:afgedaan ?v }",
    "askers": """SELECT ?kv ?person ?fractie ?rol ?pos WHERE {
  ?kv kg:vraagstelling ?vs . ?vs kg:persoon ?person .
  OPTIONAL { ?vs kg:fractie ?fractie } OPTIONAL { ?vs kg:rol ?rol } OPTIONAL { ?vs schema:position ?pos } }""",
    "addressed": """SELECT ?kv ?post ?person ?kabinet WHERE {
  ?kv kg:adressering ?a .
  OPTIONAL { ?a kg:post ?post } OPTIONAL { ?a kg:persoon ?person }
  OPTIONAL { ?a kg:ambtsperiode ?ap . ?ap kg:kabinet ?kabinet } }""",
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
    "eu": """SELECT ?x ?identifier ?date (COUNT(DISTINCT ?citing) AS ?n) WHERE {
  VALUES ?type { eli:LegalResource kg:EUVoorstel kg:EUProcedure } ?x a ?type .
  OPTIONAL { ?x dcterms:identifier ?identifier } OPTIONAL { ?x dcterms:date ?date }
  OPTIONAL { ?citing cito:cites ?x } } GROUP BY ?x ?identifier ?date""",
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
    citations: int


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
        self.built_seconds = 0.0
        self._years: dict[tuple[str, str], list[tuple[int, int]]] = {}
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

    def page(self, kind: str, key: str, *, year: int | None = None, offset: int = 0, limit: int = 20) -> Page:
        """One page of a list of questions (newest first), optionally of one year."""
        idx = self.lists.get((kind, key), [])
        if year is not None:
            lo, hi = self._year_bounds(idx, year)
            idx = idx[lo:hi]
        offset = max(0, min(offset, max(0, len(idx) - 1)))
        return Page([self.cases[i] for i in idx[offset:offset + limit]], len(idx), offset, limit)

    def _year_bounds(self, idx: list[int], year: int) -> tuple[int, int]:
        """The slice of ``idx`` (sorted newest first) holding ``year``'s questions."""
        keys = [-(self.cases[i].year or 0) for i in idx] if len(idx) < 64 else None
        if keys is not None:
            lo = bisect.bisect_left(keys, -year)
            hi = bisect.bisect_right(keys, -year)
            return lo, hi
        # binary search without building the key list
        lo, hi = 0, len(idx)
        while lo < hi:
            mid = (lo + hi) // 2
            if (self.cases[idx[mid]].year or 0) > year:
                lo = mid + 1
            else:
                hi = mid
        start = lo
        lo, hi = start, len(idx)
        while lo < hi:
            mid = (lo + hi) // 2
            if (self.cases[idx[mid]].year or 0) >= year:
                lo = mid + 1
            else:
                hi = mid
        return start, lo

    def latest(self, n: int = 10) -> list[Case]:
        return [self.cases[i] for i in self.lists.get(("all", ""), [])[:n]]

    def top(self, kind: str, key: str, facet: Callable[[Case], Iterable[str]], n: int = 10) -> list[tuple[str, int]]:
        """The most frequent values of ``facet`` over a list's questions (each counted once per question)."""
        counts: Counter[str] = Counter()
        for i in self.lists.get((kind, key), ()):
            counts.update(set(facet(self.cases[i])))
        return counts.most_common(n)

    def ministries(self, case: Case) -> list[str]:
        return [m for m in (self.post_ministry.get(p) for p in case.posts) if m]

    def answer_days(self, kind: str, key: str) -> list[int]:
        """Days from submission to a received answer, for the list's questions where both are known."""
        import datetime as dt

        out = []
        for i in self.lists.get((kind, key), ()):
            c = self.cases[i]
            if c.answered and c.date:
                try:
                    out.append((dt.date.fromisoformat(c.answered[:10]) - dt.date.fromisoformat(c.date[:10])).days)
                except ValueError:
                    continue
        return out

    def status_counts(self, kind: str, key: str) -> dict[str, int]:
        return dict(Counter(self.cases[i].status for i in self.lists.get((kind, key), ())))


# --------------------------------------------------------------------------- building


def _v(term: Any) -> str | None:
    return None if term is None else term.value


def _lang(term: Any) -> str:
    return term.language or "" if isinstance(term, Literal) else ""


def build(run: Callable[[str], Sequence[tuple[Any, ...]]], *, workers: int = 3) -> Overview:
    """Build an overview; ``run(sparql)`` returns a query's rows (tuples of pyoxigraph terms)."""
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="kamergraph-overview") as ex:
        futures = {name: ex.submit(run, PREFIXES + text) for name, text in QUERIES.items()}
        rows = {name: f.result() for name, f in futures.items()}
    ov = Overview()
    cases: dict[str, Case] = {}
    for (kv,) in rows["kv"]:
        cases[kv.value] = Case(kv.value)
    for kv, v in rows["zaak"]:
        c = cases.get(kv.value)
        if c is not None:
            c.zaak = v.value
    for kv, v in rows["date"]:
        c = cases.get(kv.value)
        if c is not None and (not c.date or v.value < c.date):
            c.date = v.value[:10]
    for kv, v in rows["title"]:
        c = cases.get(kv.value)
        if c is not None and not c.title:
            c.title = v.value
    for kv, v in rows["done"]:
        c = cases.get(kv.value)
        if c is not None:
            c.done = v.value == "true"
    askers: dict[str, list[tuple[int, str, str | None, str]]] = {}
    for kv, person, fractie, rol, pos in rows["askers"]:
        role = "indiener" if _v(rol) == KG + "RolIndiener" else "medeindiener" if rol is not None else ""
        try:
            n = int(pos.value) if pos is not None else 99
        except ValueError:
            n = 99
        askers.setdefault(kv.value, []).append((n, person.value, _v(fractie), role))
    for kv, items in askers.items():
        c = cases.get(kv)
        if c is not None:
            c.askers = [(p, f, r) for _, p, f, r in sorted(set(items))]
    for kv, post, person, cabinet in rows["addressed"]:
        c = cases.get(kv.value)
        if c is None:
            continue
        for value, target in ((_v(post), c.posts), (_v(person), c.addressees), (_v(cabinet), c.cabinets)):
            if value and value not in target:
                target.append(value)
    for kv, _pub, soort, received in rows["publications"]:
        c = cases.get(kv.value)
        if c is None:
            continue
        if soort.value == "antwoord":
            c.has_answer = True
            if received is not None and (c.answered is None or received.value < c.answered):
                c.answered = received.value[:10]
        elif soort.value == "uitstel":
            c.postponed = True

    for x, type_, label, pref, name in rows["labels"]:
        kind = KIND_OF_TYPE.get(type_.value)
        if kind:
            ov.kinds.setdefault(x.value, kind)
        labels = ov.labels.setdefault(x.value, {})
        for t in (pref, name, label):  # the short rdfs:label wins over a long skos:prefLabel (EU acts)
            if t is not None:
                labels[_lang(t)] = t.value
    for m, type_, person, org, start, end in rows["memberships"]:
        kind = "fractie" if type_.value == KG + "Fractielidmaatschap" else "kamer"
        ms = Membership(m.value, kind, person.value, org.value, _v(start) or "", _v(end) or "")
        ov.memberships_of.setdefault(ms.person, []).append(ms)
        ov.members_of.setdefault(ms.org, []).append(ms)
    for lst in (*ov.memberships_of.values(), *ov.members_of.values()):
        lst.sort(key=lambda m: (m.start, m.end, m.iri), reverse=True)
    for ap, person, post, cabinet, start, end, acting in rows["terms"]:
        t = Term(ap.value, person.value, post.value, _v(cabinet), _v(start) or "", _v(end) or "",
                 _v(acting) == "true")
        ov.terms_of_person.setdefault(t.person, []).append(t)
        ov.terms_of_post.setdefault(t.post, []).append(t)
        if t.cabinet:
            ov.terms_of_cabinet.setdefault(t.cabinet, []).append(t)
    for lst in (*ov.terms_of_person.values(), *ov.terms_of_post.values(), *ov.terms_of_cabinet.values()):
        lst.sort(key=lambda t: (t.start, t.end, t.iri), reverse=True)
    for post, ministry in rows["posts"]:
        ov.post_ministry[post.value] = ministry.value
        ov.posts_of_ministry.setdefault(ministry.value, []).append(post.value)
    for cls, n in rows["classes"]:
        ov.class_counts[cls.value] = int(n.value)
    ov.eu = sorted((EUEntry(x.value, _v(ident) or "", _v(date) or "", int(n.value)) for x, ident, date, n in rows["eu"]),
                   key=lambda e: (-e.citations, e.date), reverse=False)

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
        for person in c.addressees:
            add("addressee", person, i)
        for cabinet in c.cabinets:
            add("kabinet", cabinet, i)
    ov.lists = lists
    ov.built_seconds = time.perf_counter() - t0
    return ov


class OverviewHolder:
    """The current overview of an endpoint's store, rebuilt when the store's generation changes.

    :meth:`get` blocks until an overview is there (call it from a thread); a first call starts the
    build. A store that moves while an overview exists gets a new one built in the background, and
    the old one is served until it is ready.
    """

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._overview: Overview | None = None
        self._generation: Any = None
        self._built_at = 0.0
        self._lock = threading.Lock()
        self._building: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def _current_generation(self) -> Any:
        path = getattr(self.endpoint, "store_path", None)
        if path is not None:
            return store_generation.current(path)
        return int(time.monotonic() // REMOTE_TTL)  # a remote store: refreshed every REMOTE_TTL seconds

    def _run(self, sparql: str) -> Sequence[tuple[Any, ...]]:
        answer = self.endpoint.run(Job(sparql, output="rows", row_limit=None))
        assert answer.result is not None
        return answer.result.rows

    def _build(self, gen: Any) -> None:
        try:
            workers = max(1, getattr(self.endpoint.settings, "query_workers", 2) - 1)
            ov = build(self._run, workers=workers)
            log.info("overview of the store built in %.1f s: %d Kamervragen", ov.built_seconds, len(ov.cases))
            with self._lock:
                self._overview, self._generation, self._error = ov, gen, None
        except BaseException as exc:  # noqa: BLE001 - kept and raised to the waiting requests
            log.warning("the overview of the store could not be built: %s", exc)
            with self._lock:
                self._error = exc
        finally:
            with self._lock:
                self._building = None
            self._ready.set()

    def start(self) -> None:
        """Start building in the background if nothing is there or being built for this generation."""
        gen = self._current_generation()
        with self._lock:
            if self._building is not None or (self._overview is not None and self._generation == gen):
                return
            if self._overview is None:
                self._ready.clear()
            self._building = threading.Thread(target=self._build, args=(gen,), daemon=True,
                                              name="kamergraph-overview-build")
            self._building.start()

    def get(self, timeout: float | None = 120.0) -> Overview:
        self.start()
        with self._lock:
            ov = self._overview
        if ov is not None:
            return ov
        if not self._ready.wait(timeout):
            raise TimeoutError("the overview of the store is still being built")
        with self._lock:
            if self._overview is None:
                raise RuntimeError(f"the overview of the store could not be built: {self._error}")
            return self._overview

    def peek(self) -> Overview | None:
        """The overview if one is there, without waiting."""
        with self._lock:
            return self._overview
