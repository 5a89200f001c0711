"""The description of a resource as the tests expect it, walked over the store triple pattern by triple
pattern — written from the rules that :mod:`server.describe` documents, not from its query, so that a
description that loses a part (a branch of the CONSTRUCT, the backlinks to the wholes, a graph's
provenance) fails the tests that compare against it.

The rules, for a resource ``r`` (every graph counts, as in the union default graph):

1. every triple with ``r`` as subject;
2. every triple of ``r``'s parts, reached from ``r`` along :data:`PARTS`;
3. for every object of 1–2, the triples that name it (:data:`NAMING`);
4. the links from the wholes ``r`` is a part of (:data:`WHOLES`) and 5. the links to ``r`` that belong to
   its description (:data:`POINTERS`), each with the naming triples of its subject;
6. for every named graph holding a triple of ``r``, what that graph's record says of its kind and source
   (:data:`GRAPH_RECORD`); and for a post, every triple of its terms of office (``kg:Ambtsperiode``
   ``kg:post r``) with the naming triples of their objects.
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Store, Triple

KG = "https://w3id.org/kamergraph/def#"
CITO = "http://purl.org/spar/cito/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: The triples that name a resource.
NAMING = [RDF_TYPE, "http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
          "http://xmlns.com/foaf/0.1/name", "http://purl.org/dc/terms/title", "http://purl.org/dc/terms/identifier",
          KG + "publicatieId", KG + "vraagnummer"]

#: How the data model nests: from a resource, the links to its parts (``^`` follows a link backwards), and
#: from each part the links to its own parts.
PARTS: dict[str, dict] = {
    KG + "vraagstelling": {},
    KG + "adressering": {},
    KG + "heeftVraag": {KG + "voetnoot": {"^" + CITO + "hasCitingEntity": {}}, "^" + CITO + "hasCitingEntity": {}},
    KG + "heeftAntwoord": {"^" + CITO + "hasCitingEntity": {}},
    KG + "publicatie": {},
    KG + "voetnoot": {"^" + CITO + "hasCitingEntity": {}},
    "^" + KG + "beantwoordt": {"^" + CITO + "hasCitingEntity": {}},
    "^" + CITO + "hasCitingEntity": {},
}
#: The links from a whole to its parts, kept when they point at ``r``.
WHOLES = [KG + "heeftVraag", KG + "heeftAntwoord", KG + "vraagstelling", KG + "adressering", KG + "voetnoot"]
#: The other links to ``r`` that belong to its description.
POINTERS = [CITO + "cites", CITO + "hasCitedEntity", "http://www.w3.org/2002/07/owl#sameAs",
            "http://xmlns.com/foaf/0.1/page", KG + "tooi"]
#: What a named graph's record says about itself that a description carries.
GRAPH_RECORD = [RDF_TYPE, "http://www.w3.org/ns/prov#wasDerivedFrom", KG + "bronbestand", KG + "bronregel",
                "http://purl.org/dc/terms/modified"]


def _triples(store: Store, s=None, p: str | None = None, o=None) -> list[Triple]:
    return [Triple(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(s, NamedNode(p) if p else None, o, None)]


def _naming(store: Store, node) -> list[Triple]:
    if isinstance(node, Literal):
        return []
    return [t for p in NAMING for t in _triples(store, node, p)]


def _parts(store: Store, node, steps: dict[str, dict]) -> list:
    """Every resource reached from ``node`` along the tree of ``steps``."""
    found = []
    for step, further in steps.items():
        if step.startswith("^"):
            reached = [t.subject for t in _triples(store, None, step[1:], node)]
        else:
            reached = [t.object for t in _triples(store, node, step) if not isinstance(t.object, Literal)]
        for x in reached:
            found.append(x)
            found += _parts(store, x, further)
    return found


def description(store: Store, iri: str) -> set[Triple]:
    """The description of ``iri`` by the rules above, over every graph of ``store``."""
    r = NamedNode(iri)
    out: set[Triple] = set()
    for subject in [r, *_parts(store, r, PARTS)]:
        for t in _triples(store, subject):
            out.add(t)
            out.update(_naming(store, t.object))
    for p in WHOLES + POINTERS:
        for t in _triples(store, None, p, r):
            out.add(t)
            out.update(_naming(store, t.subject))
    holding = NamedNode(KG + "Ambtsperiode")  # a post's terms of office, whole, with their objects named
    for h in {t.subject for t in _triples(store, None, KG + "post", r)}:
        if Triple(h, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), holding) in _triples(store, h):
            for t in _triples(store, h):
                out.add(t)
                out.update(_naming(store, t.object))
    graphs = {q.graph_name for q in store.quads_for_pattern(r, None, None, None) if isinstance(q.graph_name, NamedNode)}
    for g in graphs:
        for p in GRAPH_RECORD:
            out.update(_triples(store, g, p))
    return out
