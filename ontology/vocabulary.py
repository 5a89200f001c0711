"""The ontology file read as a list of documented terms: what the ontology page and diagram show.

:func:`load` parses ``ontology/kamergraph.ttl`` (or any OWL file in Turtle) with rdflib and gives a
:class:`Vocabulary`: the ontology's own header (title, description, version, licence, notes) and,
for every term declared in the kg namespace (a subject typed ``owl:Class``, ``owl:ObjectProperty``,
``owl:DatatypeProperty``, ``owl:AnnotationProperty``, ``rdf:Property`` or ``owl:NamedIndividual``),
its labels and definitions per language, notes, domain and range (the members of an ``owl:unionOf``
as a list), super-terms and alignments to outside vocabularies.

:func:`undocumented` is the check that every term has ``rdfs:label`` and ``skos:definition`` in
Dutch and English (the tests run it on the file; a term added without them fails).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from ontology.namespaces import KG, PREFIXES

ONTOLOGY_FILE = Path(__file__).resolve().parent / "kamergraph.ttl"
ONTOLOGY_IRI = "https://w3id.org/kamergraph/def"
LANGS = ("nl", "en")
VANN = "http://purl.org/vocab/vann/"

#: The kinds of term, in the order the page lists them: (kind, the rdf:type that declares it).
KINDS: list[tuple[str, URIRef]] = [
    ("class", OWL.Class),
    ("object", OWL.ObjectProperty),
    ("datatype", OWL.DatatypeProperty),
    ("annotation", OWL.AnnotationProperty),
    ("property", RDF.Property),
    ("individual", OWL.NamedIndividual),
]
_KIND_OF = {t: k for k, t in KINDS}
_CLASS_TYPES = {OWL.Class, RDFS.Class}

#: Alignments shown per term: (predicate, for classes, for properties).
ALIGNMENT_PREDICATES: list[URIRef] = [
    RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf, OWL.equivalentProperty, OWL.inverseOf,
    SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch,
]
SUPER_PREDICATES = (RDFS.subClassOf, RDFS.subPropertyOf)


class OntologyFileError(ValueError):
    """The ontology file cannot be read; the message names the file and the problem."""


@dataclass
class Term:
    """One term of the kg namespace, as the ontology file documents it."""

    iri: str
    kind: str  # class | object | datatype | annotation | property | individual
    labels: dict[str, str] = field(default_factory=dict)  # language -> rdfs:label
    definitions: dict[str, str] = field(default_factory=dict)  # language -> skos:definition
    comments: dict[str, str] = field(default_factory=dict)  # language -> rdfs:comment
    domain: list[str] = field(default_factory=list)  # IRIs; several: the members of an owl:unionOf
    range: list[str] = field(default_factory=list)
    supers: list[str] = field(default_factory=list)  # rdfs:subClassOf / rdfs:subPropertyOf (named terms)
    alignments: list[tuple[str, str]] = field(default_factory=list)  # (predicate IRI, target IRI)
    one_of: list[str] = field(default_factory=list)  # the members of an owl:oneOf class
    types: list[str] = field(default_factory=list)  # other rdf:types (an individual's class)
    notations: list[str] = field(default_factory=list)

    @property
    def local(self) -> str:
        return self.iri[len(KG):] if self.iri.startswith(KG) else self.iri

    @property
    def curie(self) -> str:
        return "kg:" + self.local

    @property
    def is_class(self) -> bool:
        return self.kind == "class"

    @property
    def is_property(self) -> bool:
        return self.kind in ("object", "datatype", "annotation", "property")

    def label(self, lang: str) -> str:
        return _pick(self.labels, lang) or self.local

    def definition(self, lang: str) -> str | None:
        return _pick(self.definitions, lang)


@dataclass
class Vocabulary:
    """The ontology file: its header and its terms (in the file's kinds' order, then by name)."""

    path: Path
    iri: str
    titles: dict[str, str]
    descriptions: dict[str, str]
    comments: dict[str, str]
    version: str | None
    license: str | None
    prefix: str | None
    namespace: str | None
    see_also: list[str]
    terms: list[Term]
    prefixes: dict[str, str]  # prefix -> namespace: the project's and the file's own
    graph: Graph

    def __post_init__(self) -> None:
        self._by_iri = {t.iri: t for t in self.terms}

    def __contains__(self, iri: str) -> bool:
        return iri in self._by_iri

    def get(self, iri: str) -> Term | None:
        return self._by_iri.get(iri)

    def of_kind(self, *kinds: str) -> list[Term]:
        return [t for t in self.terms if t.kind in kinds]

    @property
    def classes(self) -> list[Term]:
        return self.of_kind("class")

    @property
    def properties(self) -> list[Term]:
        return self.of_kind("object", "datatype", "annotation", "property")

    def subclasses(self, iri: str) -> list[Term]:
        return [t for t in self.terms if iri in t.supers]

    def with_domain(self, iri: str) -> list[Term]:
        return [t for t in self.properties if iri in t.domain]

    def with_range(self, iri: str) -> list[Term]:
        return [t for t in self.properties if iri in t.range]

    def curie(self, iri: str) -> str:
        """``kg:Kamervraag`` for an IRI in a known namespace (the longest wins), else the IRI."""
        best: tuple[int, str] | None = None
        for prefix, ns in self.prefixes.items():
            if iri.startswith(ns) and len(iri) > len(ns) and (best is None or len(ns) > best[0]):
                rest = iri[len(ns):]
                if "/" not in rest and "#" not in rest:
                    best = (len(ns), f"{prefix}:{rest}")
        return best[1] if best else iri

    def title(self, lang: str) -> str:
        return _pick(self.titles, lang) or self.iri

    def description(self, lang: str) -> str | None:
        return _pick(self.descriptions, lang)


def _pick(values: Mapping[str, str], lang: str) -> str | None:
    for key in (lang, "en", "nl", ""):
        if values.get(key):
            return values[key]
    return next(iter(values.values()), None)


def _per_lang(g: Graph, s: URIRef, p: URIRef) -> dict[str, str]:
    out: dict[str, str] = {}
    for o in sorted(g.objects(s, p), key=str):
        if isinstance(o, Literal):
            out.setdefault(o.language or "", str(o))
    return out


def _members(g: Graph, node: object) -> list[str]:
    """A named class as [IRI]; an ``owl:unionOf`` class expression as its members' IRIs."""
    if isinstance(node, URIRef):
        return [str(node)]
    if isinstance(node, BNode):
        union = g.value(node, OWL.unionOf)
        if union is not None:
            return [str(m) for m in Collection(g, union) if isinstance(m, URIRef)]
    return []


def _list(g: Graph, node: object) -> list[str]:
    return [str(m) for m in Collection(g, node) if isinstance(m, URIRef)] if node is not None else []


def read(path: Path, data: str | bytes | None = None) -> Vocabulary:
    """The vocabulary of the ontology file at ``path`` (``data``: its text, when already read)."""
    g = Graph(bind_namespaces="none")
    try:
        if data is not None:
            g.parse(data=data, format="turtle", publicID=str(path))
        else:
            g.parse(str(path), format="turtle")
    except OSError as exc:
        raise OntologyFileError(f"{path}: cannot read the ontology file: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises several kinds, each naming the line
        raise OntologyFileError(f"{path}: not valid Turtle: {exc}") from None
    own = {p: str(ns) for p, ns in g.namespaces() if p}  # the file's own prefixes win a tie
    prefixes = {**own, **{p: ns for p, ns in PREFIXES.items() if p not in own and ns not in own.values()}}
    ont = URIRef(ONTOLOGY_IRI)
    if (ont, RDF.type, OWL.Ontology) not in g:
        found = sorted(str(s) for s in g.subjects(RDF.type, OWL.Ontology))
        if not found:
            raise OntologyFileError(f"{path}: no owl:Ontology in the file")
        ont = URIRef(found[0])
    terms: list[Term] = []
    for kind, rdf_type in KINDS:
        for s in sorted({s for s in g.subjects(RDF.type, rdf_type) if isinstance(s, URIRef) and str(s).startswith(KG)},
                        key=lambda x: str(x).lower()):
            if any(t.iri == str(s) for t in terms):
                continue  # declared with two kinds: listed under the first
            terms.append(_term(g, s, kind))
    return Vocabulary(
        path=path, iri=str(ont), titles=_per_lang(g, ont, DCTERMS.title),
        descriptions=_per_lang(g, ont, DCTERMS.description), comments=_per_lang(g, ont, RDFS.comment),
        version=str(g.value(ont, OWL.versionInfo)) if g.value(ont, OWL.versionInfo) is not None else None,
        license=str(g.value(ont, DCTERMS.license)) if g.value(ont, DCTERMS.license) is not None else None,
        prefix=str(g.value(ont, URIRef(VANN + "preferredNamespacePrefix")) or "") or None,
        namespace=str(g.value(ont, URIRef(VANN + "preferredNamespaceUri")) or "") or None,
        see_also=sorted(str(o) for o in g.objects(ont, RDFS.seeAlso)),
        terms=terms, prefixes=prefixes, graph=g,
    )


def _term(g: Graph, s: URIRef, kind: str) -> Term:
    t = Term(str(s), kind, _per_lang(g, s, RDFS.label), _per_lang(g, s, SKOS.definition),
             _per_lang(g, s, RDFS.comment))
    for d in g.objects(s, RDFS.domain):
        t.domain += [m for m in _members(g, d) if m not in t.domain]
    for r in g.objects(s, RDFS.range):
        t.range += [m for m in _members(g, r) if m not in t.range]
    for p in ALIGNMENT_PREDICATES:
        for o in sorted(g.objects(s, p), key=str):
            if isinstance(o, URIRef):
                t.alignments.append((str(p), str(o)))
                if p in SUPER_PREDICATES:
                    t.supers.append(str(o))
    t.one_of = [m for o in g.objects(s, OWL.oneOf) for m in _list(g, o)]
    t.types = sorted(str(o) for o in g.objects(s, RDF.type) if isinstance(o, URIRef) and o not in _KIND_OF
                     and o not in _CLASS_TYPES)
    t.notations = sorted(str(o) for o in g.objects(s, SKOS.notation))
    return t


@lru_cache(maxsize=4)
def _cached(path: str, mtime_ns: int) -> Vocabulary:
    return read(Path(path))


def load(path: Path | str = ONTOLOGY_FILE) -> Vocabulary:
    """The vocabulary of the file, read once per version of the file."""
    p = Path(path)
    try:
        mtime = p.stat().st_mtime_ns
    except OSError as exc:
        raise OntologyFileError(f"{p}: cannot read the ontology file: {exc}") from None
    return _cached(str(p), mtime)


def undocumented(vocab: Vocabulary, langs: Iterable[str] = LANGS) -> list[str]:
    """Every missing label or definition: "kg:X: no rdfs:label@en" (empty when all terms are documented)."""
    problems = []
    for t in vocab.terms:
        for what, values in (("rdfs:label", t.labels), ("skos:definition", t.definitions)):
            for lang in langs:
                if not (values.get(lang) or "").strip():
                    problems.append(f"{vocab.path}: {t.curie} ({t.kind}) has no {what}@{lang}")
    return problems
