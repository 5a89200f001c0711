"""The ontology page's view of the vocabulary: each kg term with its labels, definitions, domain,
range, alignments and example, in sections by kind, and the outside terms the data reuses, grouped by
namespace."""

from __future__ import annotations

from dataclasses import dataclass

from ontology.namespaces import KG
from ontology.vocabulary import Term, Vocabulary
from server import describe as D
from server.i18n import term_label, tr
from server.ontology_examples import REUSED_NAMESPACES, Example, Examples

KIND_TITLES = {
    "class": ("Klassen", "Classes"), "object": ("Objecteigenschappen", "Object properties"),
    "datatype": ("Gegevenseigenschappen", "Datatype properties"),
    "annotation": ("Annotatie-eigenschappen", "Annotation properties"),
    "property": ("Overige eigenschappen", "Other properties"), "individual": ("Individuen", "Individuals"),
}
KIND_NAMES = {
    "class": ("klasse", "class"), "object": ("objecteigenschap", "object property"),
    "datatype": ("gegevenseigenschap", "datatype property"),
    "annotation": ("annotatie-eigenschap", "annotation property"),
    "property": ("eigenschap", "property"), "individual": ("individu", "individual"),
}


@dataclass(frozen=True)
class TermRef:
    text: str  # kg:Kamervraag, prov:Entity
    href: str | None
    title: str  # the full IRI
    outside: bool


@dataclass
class TermView:
    id: str
    iri: str
    curie: str
    kind: str
    kind_name: str
    label: str
    labels: list[tuple[str, str]]  # (lang, label), the page's language first
    definitions: list[tuple[str, str]]
    comments: list[tuple[str, str]]
    domain: list[TermRef]
    range: list[TermRef]
    alignments: list[tuple[TermRef, TermRef]]  # (predicate, target)
    subterms: list[TermRef]
    domain_of: list[TermRef]
    range_of: list[TermRef]
    one_of: list[TermRef]
    types: list[TermRef]
    notations: list[str]
    example: Example | None
    example_predicate: TermRef | None


@dataclass
class Section:
    id: str
    title: str
    terms: list[TermView]


@dataclass
class ReusedTerm:
    ref: TermRef
    label: str
    kind: str  # class | property
    example: Example
    example_predicate: TermRef | None
    aligned: list[TermRef]  # kg terms that are aligned to it


@dataclass
class ReusedGroup:
    prefix: str
    namespace: str
    terms: list[ReusedTerm]


def ordered(values: dict[str, str], lang: str) -> list[tuple[str, str]]:
    """The values by language: the page's language first, then Dutch, then the others."""
    keys = sorted(values, key=lambda k: (k != lang, k != "nl", k))
    return [(k, values[k]) for k in keys]


def term_ref(vocab: Vocabulary, iri: str) -> TermRef:
    """A link to a term: a kg term to its anchor on the page, an outside term to its own IRI."""
    if iri.startswith(KG):
        local = iri[len(KG):]
        return TermRef("kg:" + local, f"#{local}", iri, False)
    return TermRef(vocab.curie(iri), D.external_href(iri), iri, True)


def term_views(vocab: Vocabulary, examples: Examples, lang: str) -> list[Section]:
    """The kg terms by kind, each kind a section of the page."""
    sections = []
    for kind, (nl, en) in KIND_TITLES.items():
        terms = vocab.of_kind(kind)
        if not terms:
            continue
        views = [_view(vocab, t, examples, lang) for t in terms]
        sections.append(Section(f"h-{kind}", tr(lang, nl, en), views))
    return sections


def _view(vocab: Vocabulary, t: Term, examples: Examples, lang: str) -> TermView:
    ref = lambda iri: term_ref(vocab, iri)  # noqa: E731
    subs = vocab.subclasses(t.iri)
    example = examples.terms.get(t.iri)
    return TermView(
        id=t.local, iri=t.iri, curie=t.curie, kind=t.kind, kind_name=tr(lang, *KIND_NAMES[t.kind]),
        label=t.label(lang), labels=ordered(t.labels, lang), definitions=ordered(t.definitions, lang),
        comments=ordered(t.comments, lang), domain=[ref(i) for i in t.domain], range=[ref(i) for i in t.range],
        alignments=[(ref(p), ref(o)) for p, o in t.alignments], subterms=[ref(s.iri) for s in subs],
        domain_of=[ref(p.iri) for p in vocab.with_domain(t.iri)] if t.is_class else [],
        range_of=[ref(p.iri) for p in vocab.with_range(t.iri)] if t.is_class else [],
        one_of=[ref(i) for i in t.one_of], types=[ref(i) for i in t.types], notations=t.notations,
        example=example, example_predicate=ref(example.predicate) if example and example.predicate else None,
    )


def reused_groups(vocab: Vocabulary, examples: Examples, lang: str) -> list[ReusedGroup]:
    """The outside terms the data uses, by namespace, each with its example and the kg terms aligned to it."""
    aligned: dict[str, list[str]] = {}
    for t in vocab.terms:
        for _, target in t.alignments:
            aligned.setdefault(target, []).append(t.iri)
        for x in t.domain + t.range:
            if not x.startswith(KG):
                aligned.setdefault(x, []).append(t.iri)
    groups: dict[str, ReusedGroup] = {}
    for iri, (kind, example) in sorted(examples.reused.items()):
        prefix, ns = max(((p, n) for p, n in REUSED_NAMESPACES.items() if iri.startswith(n)), key=lambda x: len(x[1]))
        group = groups.setdefault(prefix, ReusedGroup(prefix, ns, []))
        group.terms.append(ReusedTerm(
            term_ref(vocab, iri), term_label(iri, lang), kind, example,
            term_ref(vocab, example.predicate) if example.predicate else None,
            [term_ref(vocab, k) for k in sorted(set(aligned.get(iri, [])))]))
    return [groups[p] for p in sorted(groups)]
