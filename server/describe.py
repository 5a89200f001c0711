"""What the graph says about one resource: its RDF description, its backlinks, and the data of its page.

The description
---------------

``describe(r)`` is one CONSTRUCT query, bound to the resource ``r`` (never pasted into the text),
over all graphs. The description of ``r`` is:

1. every triple whose subject is ``r``;
2. every triple of ``r``'s *parts*: the resources reached from ``r`` along the part-of paths of
   :data:`PART_PATHS` — a Kamervraag's askers (``kg:vraagstelling``), addressings
   (``kg:adressering``), questions (``kg:heeftVraag``), answers (``kg:heeftAntwoord``) and
   publications (``kg:publicatie``); the footnotes on a question (``kg:voetnoot``); the answer to
   a question (``^kg:beantwoordt``); and the citations (``^cito:hasCitingEntity``) of any of these,
   with the words they were extracted from;
3. for every resource named as an object in 1–2, its type and its labels (``rdf:type``,
   ``rdfs:label``, ``skos:prefLabel``, ``foaf:name``, ``dcterms:title``, ``dcterms:identifier``,
   ``kg:publicatieId``, ``kg:vraagnummer``) — enough to name it, not to describe it;
4. the resources ``r`` is a part of (``^kg:heeftVraag``, ``^kg:heeftAntwoord``, ``^kg:vraagstelling``,
   ``^kg:adressering``, ``^kg:voetnoot``), with that link and their labels;
5. what cites ``r`` (``cito:cites``, ``cito:hasCitedEntity``) and what is the same as, or a web page
   of, or an identifier of ``r`` (``owl:sameAs``, ``foaf:page``, ``kg:tooi``), with those links and
   the labels of their subjects — so that an outside resource the graph only points at (a news
   article, an officielebekendmakingen.nl page) has a description too;
6. the terms of office of ``r`` when it is a post (every ``kg:Ambtsperiode`` whose ``kg:post`` is
   ``r``, with its holder, cabinet and dates, and their labels): the holders its page lists;
7. the named graphs ``r``'s own triples are in, with their provenance (``prov:wasDerivedFrom``,
   ``kg:bronbestand``, ``kg:bronregel``: which source file and line they were read from).

Every other link to ``r`` (a fractie's thousands of askers, a post's questions) is a backlink: the
pages list them with counts and paging (:func:`backlinks`), and SPARQL has them all; they are not
in the description, which stays the same size whatever links to ``r``.

A resource that is in no triple at all, as subject or object, does not exist here (404).

The page data
-------------

The pages are drawn from the description (:class:`Graph`), the backlinks, the in-memory overview
(:mod:`server.overview`) for long lists, and, for a few classes, one more query bound to the resource
(:data:`CITED_BY`, :data:`SIBLINGS`).

Oxigraph plans a query before the bound values are known, so every query here starts each branch
at the bound resource with single-predicate steps (alternatives and ``+`` paths in a join would be
planned from the other end and scan the store).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from ontology.namespaces import CITO, DCTERMS, ELI, FOAF, KG, ORG, OWL, PREFIXES, PROV, RDF, RDFS, SCHEMA, SKOS, T
from server.endpoint import run_rows
from store.pool import Job

if TYPE_CHECKING:
    from server.endpoint import Endpoint

__all__ = [
    "BACKLINKS", "CITED_BY", "DESCRIBE", "DESCRIBE_KAMERVRAAG", "DESCRIBE_WITHOUT_PARTS", "PART_PATHS",
    "describe_query", "Backlink", "BacklinkGroup", "Graph", "RDF_FORMATS",
    "backlink_page", "backlinks", "cited_by", "describe", "serialize_graph",
]

# --------------------------------------------------------------------------- the queries

_PREFIXES = f"""PREFIX kg: <{KG}>
PREFIX cito: <{CITO}>
PREFIX dcterms: <{DCTERMS}>
PREFIX rdfs: <{RDFS}>
PREFIX rdf: <{RDF}>
PREFIX skos: <{SKOS}>
PREFIX foaf: <{FOAF}>
PREFIX owl: <{OWL}>
PREFIX prov: <{PROV}>
PREFIX schema: <{SCHEMA}>
PREFIX org: <{ORG}>
PREFIX eli: <{ELI}>
"""

#: The properties that name a resource (item 3 of the description).
LABEL_PROPERTIES = [T.type, T.label, T.pref_label, T.name, T.title, T.identifier, T.publicatie_id, T.vraagnummer]
_LABELS_IN = ", ".join(f"<{p}>" for p in LABEL_PROPERTIES)

#: Part-of paths from a resource to its parts (item 2); ``^p`` follows ``p`` backwards. Together they
#: are the property path ``(kg:vraagstelling|kg:adressering|kg:heeftVraag|kg:heeftAntwoord|kg:publicatie
#: |kg:voetnoot|^kg:beantwoordt|^cito:hasCitingEntity)+`` as far as the data model nests (three steps),
#: spelled out so that each branch starts at the bound resource.
PART_PATHS: list[tuple[str, ...]] = [
    ("kg:vraagstelling",), ("kg:adressering",), ("kg:heeftVraag",), ("kg:heeftAntwoord",), ("kg:publicatie",),
    ("kg:voetnoot",), ("^kg:beantwoordt",), ("^cito:hasCitingEntity",),
    ("kg:heeftVraag", "kg:voetnoot"), ("kg:heeftVraag", "^cito:hasCitingEntity"),
    ("kg:heeftAntwoord", "^cito:hasCitingEntity"), ("kg:voetnoot", "^cito:hasCitingEntity"),
    ("^kg:beantwoordt", "^cito:hasCitingEntity"),
    ("kg:heeftVraag", "kg:voetnoot", "^cito:hasCitingEntity"),
]
#: The links from a whole to its parts, followed backwards from ``r`` (item 4).
WHOLE_PROPERTIES = ["kg:heeftVraag", "kg:heeftAntwoord", "kg:vraagstelling", "kg:adressering", "kg:voetnoot"]
#: Links to ``r`` that belong to its description (item 5).
POINTER_PROPERTIES = ["cito:cites", "cito:hasCitedEntity", "owl:sameAs", "foaf:page", "kg:tooi"]

_EXPAND = {"kg:": KG, "cito:": CITO, "owl:": OWL, "foaf:": FOAF}


def _full(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return _EXPAND[prefix + ":"] + local


WHOLE_IRIS = [_full(p) for p in WHOLE_PROPERTIES]
POINTER_IRIS = [_full(p) for p in POINTER_PROPERTIES]


def _step(a: str, prop: str, b: str) -> str:
    return f"?{b} {prop[1:]} ?{a} ." if prop.startswith("^") else f"?{a} {prop} ?{b} ."


#: The part-of paths that can start at a Kamervraag itself (its questions' and answers' own parts
#: follow); the others start at a question, an answer or a footnote.
KAMERVRAAG_PATHS = [p for p in PART_PATHS if p[0] in ("kg:vraagstelling", "kg:adressering", "kg:heeftVraag",
                                                       "kg:heeftAntwoord", "kg:publicatie",
                                                       "^cito:hasCitingEntity")]  # its title's EU links


def _describe_query(parts: bool = True, paths: list[tuple[str, ...]] | None = None, wholes: bool = True) -> str:
    branches = [f"{{ ?r ?p0 ?o0 . OPTIONAL {{ ?o0 ?lp0 ?lv0 . FILTER (?lp0 IN ({_LABELS_IN})) }} }}"]
    for path in (PART_PATHS if paths is None else paths) if parts else []:
        names = ["r", *[f"x{i}" for i in range(1, len(path))], "s"]
        steps = " ".join(_step(names[i], p, names[i + 1]) for i, p in enumerate(path))
        branches.append(f"{{ {steps} ?s ?p ?o . OPTIONAL {{ ?o ?lp ?lv . FILTER (?lp IN ({_LABELS_IN})) }} }}")
    for prop in (WHOLE_PROPERTIES if parts and wholes else []) + POINTER_PROPERTIES:
        branches.append(f"{{ ?w {prop} ?r . BIND ({prop} AS ?wp) "
                        f"OPTIONAL {{ ?w ?wlp ?wlv . FILTER (?wlp IN ({_LABELS_IN})) }} }}")
    # a post's holdings (kg:Ambtsperiode kg:post ?r), as its page lists them: the holder, the cabinet, the dates
    branches.append(f"{{ ?h kg:post ?r . ?h a kg:Ambtsperiode . ?h ?hp ?ho . "
                    f"OPTIONAL {{ ?ho ?hlp ?hlv . FILTER (?hlp IN ({_LABELS_IN})) }} }}")
    branches.append("{ GRAPH ?g { ?r ?gp0 ?go0 } ?g ?gp ?go . "
                    "FILTER (?gp IN (rdf:type, prov:wasDerivedFrom, kg:bronbestand, kg:bronregel, dcterms:modified)) }")
    return (_PREFIXES + "CONSTRUCT {\n  ?r ?p0 ?o0 . ?o0 ?lp0 ?lv0 . ?s ?p ?o . ?o ?lp ?lv .\n"
            "  ?w ?wp ?r . ?w ?wlp ?wlv . ?h ?hp ?ho . ?ho ?hlp ?hlv . ?g ?gp ?go .\n}\nWHERE {\n  " + "\n  UNION ".join(branches) + "\n}\n")


#: The description of ``?r`` (see the module's docstring).
DESCRIBE = _describe_query()
#: The same for a resource that has no parts and is part of nothing: the part-of properties have
#: Kamervragen, their questions, answers and footnotes as their domain and range, and those all have
#: IRIs under ``{base}id/kamervraag/`` and ``{base}id/publicatie/``; for every other IRI the part
#: branches of :data:`DESCRIBE` are empty, and this query, without them, gives the same graph faster.
DESCRIBE_WITHOUT_PARTS = _describe_query(parts=False)
#: The same for a Kamervraag itself (``{base}id/kamervraag/{zaak}``): only the part-of paths that can
#: start at a Kamervraag, and no wholes (a Kamervraag is part of nothing).
DESCRIBE_KAMERVRAAG = _describe_query(paths=KAMERVRAAG_PATHS, wholes=False)


def describe_query(iri: str, base: str) -> str:
    """The query that describes ``iri``: :data:`DESCRIBE`, or one of its shortcuts, which give the same
    graph for the IRIs they are used for (the tests check this)."""
    kv = base + "id/kamervraag/"
    if iri.startswith(kv):
        return DESCRIBE if "/" in iri[len(kv):] else DESCRIBE_KAMERVRAAG
    if iri.startswith(base + "id/publicatie/") and "/" in iri[len(base + "id/publicatie/"):]:
        return DESCRIBE  # a publication's footnotes and their citations
    return DESCRIBE_WITHOUT_PARTS

#: Backlinks of ``?r``: the number of subjects per predicate (rows with ``?n``), and the first 100
#: links in the store's own order (rows with ``?s``), each with a label of its subject where there is one.
BACKLINKS = _PREFIXES + f"""SELECT ?r ?p ?n ?s ?l WHERE {{
  {{ SELECT ?r ?p (COUNT(DISTINCT ?s0) AS ?n) WHERE {{ ?s0 ?p ?r }} GROUP BY ?r ?p }}
  UNION
  {{ SELECT ?r ?p ?s ?l WHERE {{ ?s ?p ?r OPTIONAL {{ ?s ?lp ?l . FILTER (?lp IN ({_LABELS_IN})) }} }} LIMIT 100 }}
}}"""

#: One page of the backlinks of ``?r`` by the predicate ``?p`` (LIMIT and OFFSET are validated integers).
BACKLINK_PAGE = _PREFIXES + f"""SELECT DISTINCT ?r ?p ?s ?l WHERE {{
  ?s ?p ?r OPTIONAL {{ ?s ?lp ?l . FILTER (?lp IN ({_LABELS_IN})) }}
}} LIMIT {{limit}} OFFSET {{offset}}"""

#: The questions, answers and footnotes that cite ``?r``, with their Kamervraag, and the words each
#: citation was extracted from.
CITED_BY = _PREFIXES + """SELECT ?r ?citing ?kind ?kv ?zaak ?title ?date ?n ?fragment WHERE {
  ?citing cito:cites ?r .
  { ?kv kg:heeftVraag ?citing . ?citing kg:vraagnummer ?n . BIND ("vraag" AS ?kind) }
  UNION { ?kv kg:heeftAntwoord ?citing . BIND ("antwoord" AS ?kind) }
  UNION { ?citing kg:bijVraag ?v . ?kv kg:heeftVraag ?v . ?v kg:vraagnummer ?n . BIND ("voetnoot" AS ?kind) }
  OPTIONAL { ?kv kg:zaaknummer ?zaak }
  OPTIONAL { ?kv dcterms:title ?title }
  OPTIONAL { ?kv dcterms:dateSubmitted ?date }
  OPTIONAL { ?cit cito:hasCitingEntity ?citing ; cito:hasCitedEntity ?r ; kg:tekstfragment ?fragment }
} LIMIT 500"""

#: The questions of the Kamervraag that ``?r`` (a question or an answer) belongs to, with their numbers.
SIBLINGS = _PREFIXES + """SELECT ?r ?v ?n WHERE {
  { ?kv kg:heeftVraag ?r . ?kv kg:heeftVraag ?v . ?v kg:vraagnummer ?n }
  UNION { ?kv kg:heeftAntwoord ?r . ?kv kg:heeftVraag ?v . ?v kg:vraagnummer ?n }
}"""

#: How the EU acts, proposals and procedures relate (the whole register is small).
EU_RELATIONS = _PREFIXES + """SELECT ?x ?p ?y WHERE {
  { ?x kg:herziet ?y . BIND (kg:herziet AS ?p) } UNION { ?x kg:procedure ?y . BIND (kg:procedure AS ?p) }
  UNION { ?x kg:leiddeTot ?y . BIND (kg:leiddeTot AS ?p) } UNION { ?x eli:repeals ?y . BIND (eli:repeals AS ?p) }
  UNION { ?x eli:amends ?y . BIND (eli:amends AS ?p) }
}"""

# --------------------------------------------------------------------------- RDF formats

#: format name -> (media type, file suffix, pyoxigraph format)
RDF_FORMATS: dict[str, tuple[str, str, RdfFormat]] = {
    "turtle": ("text/turtle", "ttl", RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", "jsonld", RdfFormat.JSON_LD),
    "ntriples": ("application/n-triples", "nt", RdfFormat.N_TRIPLES),
    "rdfxml": ("application/rdf+xml", "rdf", RdfFormat.RDF_XML),
}
SUFFIXES = {suffix: name for name, (_, suffix, _) in RDF_FORMATS.items()}
SERIALIZE_PREFIXES = {k: v for k, v in PREFIXES.items() if k not in ("sh", "tk")}


def serialize_graph(triples: Sequence[Triple], fmt: str, first: str | None = None) -> bytes:
    """The triples in a format, the resource ``first`` first, then by subject and predicate."""
    def key(t: Triple) -> tuple[int, str, str, str]:
        s = t.subject.value if isinstance(t.subject, (NamedNode, BlankNode)) else str(t.subject)
        return (0 if s == first else 1, s, t.predicate.value, str(t.object))

    ordered = sorted(triples, key=key)
    rdf_format = RDF_FORMATS[fmt][2]
    prefixes = SERIALIZE_PREFIXES if rdf_format in (RdfFormat.TURTLE, RdfFormat.RDF_XML) else None
    return serialize(ordered, format=rdf_format, prefixes=prefixes) or b""


# --------------------------------------------------------------------------- a description as a graph

LABEL_ORDER = [T.label, T.pref_label, T.name, T.title]


def _key(term: Any) -> str:
    if isinstance(term, NamedNode):
        return term.value
    if isinstance(term, BlankNode):
        return "_:" + term.value
    return str(term)


class Graph:
    """The triples of a description, indexed for the pages."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.triples: list[Triple] = list(triples)
        self.out: dict[str, dict[str, list[Any]]] = {}
        self.inv: dict[str, dict[str, list[Any]]] = {}
        for t in self.triples:
            s, o = _key(t.subject), _key(t.object)
            self.out.setdefault(s, {}).setdefault(t.predicate.value, []).append(t.object)
            if not isinstance(t.object, Literal):
                self.inv.setdefault(o, {}).setdefault(t.predicate.value, []).append(t.subject)

    def __len__(self) -> int:
        return len(self.triples)

    def __contains__(self, iri: str) -> bool:
        return iri in self.out

    def properties(self, s: str) -> dict[str, list[Any]]:
        return self.out.get(s, {})

    def objects(self, s: str, p: str) -> list[Any]:
        return self.out.get(s, {}).get(p, [])

    def iris(self, s: str, p: str) -> list[str]:
        return sorted({o.value for o in self.objects(s, p) if isinstance(o, NamedNode)})

    def subjects(self, p: str, o: str) -> list[str]:
        return sorted({_key(x) for x in self.inv.get(o, {}).get(p, [])})

    def types(self, s: str) -> list[str]:
        return self.iris(s, T.type)

    def literal(self, s: str, p: str, lang: str = "nl") -> str | None:
        """The value of a literal, in ``lang`` if there is one, else Dutch, else untagged, else any."""
        values = [o for o in self.objects(s, p) if isinstance(o, Literal)]
        if not values:
            return None
        for want in (lang, "nl", None):
            for v in values:
                if (v.language or None) == want:
                    return v.value
        return sorted(v.value for v in values)[0]

    def literals(self, s: str, p: str) -> list[str]:
        return sorted({o.value for o in self.objects(s, p) if isinstance(o, Literal)})

    def number(self, s: str, p: str) -> int | None:
        v = self.literal(s, p)
        try:
            return int(v) if v is not None else None
        except ValueError:
            return None

    def flag(self, s: str, p: str) -> bool | None:
        v = self.literal(s, p)
        return None if v is None else v == "true"

    def label(self, s: str, lang: str = "nl") -> str | None:
        for p in LABEL_ORDER:
            v = self.literal(s, p, lang)
            if v:
                return v
        return None


# --------------------------------------------------------------------------- backlinks

_TEXT_TYPES = {"http://www.w3.org/2001/XMLSchema#string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}


def _is_text(term: Any) -> bool:
    """A literal that can name something (not a number such as a question's kg:vraagnummer)."""
    return isinstance(term, Literal) and (term.language is not None or term.datatype.value in _TEXT_TYPES)


@dataclass(frozen=True, slots=True)
class Backlink:
    subject: str
    label: str | None


@dataclass
class BacklinkGroup:
    predicate: str
    count: int
    items: list[Backlink] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return len(self.items) >= self.count


# --------------------------------------------------------------------------- running


async def _rows(endpoint: Endpoint, sparql: str, bindings: dict[str, Any], row_limit: int | None = None) -> Any:
    answer = await run_rows(endpoint, Job(sparql, output="rows", bindings=bindings, row_limit=row_limit))
    assert answer.result is not None
    return answer.result


async def describe(endpoint: Endpoint, iri: str) -> Graph:
    """The description of ``iri`` (raises PageError for a store failure; an unknown IRI gives an empty graph)."""
    result = await _rows(endpoint, describe_query(iri, endpoint.settings.base), {"r": NamedNode(iri)})
    return Graph(result.triples)


async def backlinks(endpoint: Endpoint, iri: str) -> list[BacklinkGroup]:
    """The predicates linking to ``iri`` with their counts, and the first links of each (up to 100 in all)."""
    result = await _rows(endpoint, BACKLINKS, {"r": NamedNode(iri)})
    groups: dict[str, BacklinkGroup] = {}
    seen: set[tuple[str, str]] = set()
    labels: dict[tuple[str, str], str] = {}
    samples: list[tuple[str, str]] = []
    for row in result.rows:
        _r, p, n, s, label = row
        if p is None:
            continue
        if n is not None:
            groups.setdefault(p.value, BacklinkGroup(p.value, 0)).count = int(n.value)
        elif s is not None:
            key = (p.value, _key(s))
            if key not in seen:
                seen.add(key)
                samples.append(key)
            if _is_text(label) and (key not in labels or label.language in ("nl", "")):
                labels[key] = label.value
    for p, s in samples:
        g = groups.setdefault(p, BacklinkGroup(p, 0))
        g.items.append(Backlink(s, labels.get((p, s))))
    for g in groups.values():
        g.items.sort(key=lambda b: (b.label or "~", b.subject))
    return sorted(groups.values(), key=lambda g: (-g.count, g.predicate))


async def backlink_page(endpoint: Endpoint, iri: str, predicate: str, offset: int, limit: int) -> list[Backlink]:
    """One page of the subjects linking to ``iri`` by ``predicate`` (the store's order, stable for a store)."""
    offset, limit = max(0, int(offset)), max(1, min(500, int(limit)))
    text = BACKLINK_PAGE.replace("{limit}", str(limit)).replace("{offset}", str(offset))
    result = await _rows(endpoint, text, {"r": NamedNode(iri), "p": NamedNode(predicate)})
    out: dict[str, str | None] = {}
    for _r, _p, s, label in result.rows:
        k = _key(s)
        if k not in out or (out[k] is None and _is_text(label)):
            out[k] = label.value if _is_text(label) else None
    return [Backlink(s, label) for s, label in out.items()]


@dataclass(frozen=True, slots=True)
class Citing:
    """A question, answer or footnote citing a resource, with its Kamervraag."""

    citing: str
    kind: str  # vraag | antwoord | voetnoot
    kv: str
    zaak: str
    title: str
    date: str
    number: int | None
    fragment: str | None


async def cited_by(endpoint: Endpoint, iri: str) -> list[Citing]:
    result = await _rows(endpoint, CITED_BY, {"r": NamedNode(iri)})
    out: dict[tuple[str, str], Citing] = {}
    for _r, citing, kind, kv, zaak, title, date, n, fragment in result.rows:
        key = (citing.value, kind.value)
        if key in out and out[key].fragment:
            continue
        out[key] = Citing(citing.value, kind.value, kv.value, zaak.value if zaak else "", title.value if title else "",
                          date.value[:10] if date else "", int(n.value) if n is not None else None,
                          fragment.value if fragment is not None else None)
    return sorted(out.values(), key=lambda c: (c.date, c.zaak, c.number or 0, c.kind), reverse=True)


async def siblings(endpoint: Endpoint, iri: str) -> list[tuple[int, str]]:
    """(number, question IRI) of every question in the Kamervraag ``iri`` is a question or answer of."""
    result = await _rows(endpoint, SIBLINGS, {"r": NamedNode(iri)})
    out = set()
    for _r, v, n in result.rows:
        try:
            out.add((int(n.value), v.value))
        except ValueError:
            continue
    return sorted(out)


async def eu_relations(endpoint: Endpoint) -> list[tuple[str, str, str]]:
    result = await _rows(endpoint, EU_RELATIONS, {})
    return [(x.value, p.value, y.value) for x, p, y in result.rows]


# --------------------------------------------------------------------------- IRIs, links and labels

_KIND_NAMES = {
    "kamervraag": ("Kamervraag", "question set"), "vraag": ("vraag", "question"), "antwoord": ("antwoord", "answer"),
    "vraagsteller": ("vraagsteller", "asker"), "adressering": ("adressering", "addressing"),
    "citatie": ("citatie", "citation"), "voetnoot": ("voetnoot", "footnote"), "persoon": ("persoon", "person"),
    "fractie": ("fractie", "party group"), "post": ("post", "post"), "ministerie": ("ministerie", "ministry"),
    "kabinet": ("kabinet", "cabinet"), "publicatie": ("publicatie", "publication"),
    "kamerstuk": ("Kamerstuk", "parliamentary paper"), "dossier": ("dossier", "dossier"),
    "ambtsperiode": ("ambtsperiode", "term of office"), "fractielidmaatschap": ("fractielidmaatschap", "party membership"),
    "kamerlidmaatschap": ("Kamerlidmaatschap", "House membership"), "bronrecord": ("bronrecord", "source record"),
    "orgaan": ("orgaan", "body"),
}
_KAMERSTUK = re.compile(r"^(\d+(?:-[A-Z0-9]+)?)-(\d+[a-z]?)$")


def iri_label(iri: str, base: str, lang: str = "nl") -> str:
    """A readable name made from one of our IRIs: ``…/id/kamervraag/2019Z15231/vraag/6`` ->
    "Kamervraag 2019Z15231, vraag 6"; an outside IRI as it is."""
    for prefix in (base + "id/", base + "graph/"):
        if iri.startswith(prefix):
            parts = unquote(iri[len(prefix):]).split("/")
            words = []
            for i in range(0, len(parts), 2):
                kind = parts[i]
                key = parts[i + 1] if i + 1 < len(parts) else ""
                name = _KIND_NAMES.get(kind)
                kind_text = (name[1] if lang == "en" else name[0]) if name else kind
                if kind == "kamerstuk" and _KAMERSTUK.match(key):
                    m = _KAMERSTUK.match(key)
                    assert m is not None
                    key = f"{m.group(1)}, nr. {m.group(2)}"
                words.append(f"{kind_text} {key}".strip())
            text = ", ".join(words)
            if prefix.endswith("graph/"):
                text = ("graph: " if lang == "en" else "graaf: ") + text
            return text[:1].upper() + text[1:]
    return iri


def kind_of(iri: str, base: str) -> tuple[str, str] | None:
    """(kind, key) of one of our ``{base}id/{kind}/{key}`` IRIs, else None."""
    prefix = base + "id/"
    if not iri.startswith(prefix):
        return None
    kind, _, key = iri[len(prefix):].partition("/")
    return (kind, key) if kind and key else None


def local_path(iri: str, base: str) -> str | None:
    """The path at which this server answers for one of our IRIs (``/id/…``, ``/graph/…``), else None."""
    for part in ("id/", "graph/"):
        if iri.startswith(base + part) and len(iri) > len(base + part):
            return "/" + iri[len(base):]
    return None


#: The vocabularies of the dataset description (VoID, DCAT, the SPARQL service description, SPDX, VANN):
#: the store uses their terms as predicates and types and describes none of them, so a link to one of
#: them (the "via void:exampleResource" of a backlink) goes to the vocabulary's own page, not to
#: ``/resource?iri=…``, where nothing is known about it (404).
OUTSIDE_VOCABULARIES = (
    "http://rdfs.org/ns/void#", "http://www.w3.org/ns/dcat#", "http://www.w3.org/ns/sparql-service-description#",
    "http://spdx.org/rdf/terms#", "http://purl.org/vocab/vann/",
)


def resource_href(iri: str, base: str) -> str:
    """Where a browser reads about ``iri`` here: its own path, or ``/resource?iri=…`` for an outside IRI
    (a term of :data:`OUTSIDE_VOCABULARIES`: its own IRI)."""
    if iri.startswith(OUTSIDE_VOCABULARIES):
        return iri
    return local_path(iri, base) or "/resource?iri=" + quote(iri, safe="")


_SAFE_EXTERNAL = re.compile(r"^https?://[^\s<>\"]+$", re.IGNORECASE)


def external_href(iri: str) -> str | None:
    """An outside IRI a browser may follow as it is (http and https only: never javascript: and such)."""
    return iri if _SAFE_EXTERNAL.match(iri) else None


def iter_parts(g: Graph, r: str, prop: str) -> Iterator[str]:
    yield from g.iris(r, prop)
