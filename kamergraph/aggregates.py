"""Precomputed counts (aggregates) for the counting named queries, kept in a graph of their own.

The counting named queries (questions per fractie per year, per fractie × ministry × year, co-signer
pairs, an EU act's questions per year, the most-cited EU acts) read their figures from the graph
``{base}graph/aggregaten/tellingen`` instead of counting the whole store at every request. The graph is
derived data: :func:`refresh_aggregates` counts the store with SPARQL (the same patterns as the plain
queries in ``queries/reference/``, without their parameters and labels) and replaces the graph as a
whole, so the figures are those of the store at the time of the refresh. The build refreshes it after
loading, every sync after writing (before the dataset description); ``tests/queries/test_aggregates.py``
compares every named query that reads it with its plain query.

The graph is an RDF Data Cube (``qb:``): one ``qb:DataSet`` per count, each described in the graph
itself (its structure, dimensions and measures with Dutch and English labels, and that it is derived
from the dataset: ``prov:wasDerivedFrom``), one ``qb:Observation`` per cell. Dimensions and measures
are in their own namespace, :data:`TELLING` (not under ``kg:``: they describe counts, not the domain).
Every IRI is minted from what the cell counts, so the same store gives the same graph, statement for
statement. A dimension of one count only (``kgt:ministerie``, ``kgt:medeindiener``) picks that count's
cells without its ``qb:DataSet``; the named queries rely on that (a lookup less per cell). The graph is part of the dumps and of the dataset description's counts like any other
named graph (a store loaded from a dump answers the named queries at once).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, serialize

from ontology.namespaces import DCTERMS, PROV, RDF, RDFS, XSD, Iris
from store.base import Store, Term

__all__ = ["CUBES", "QB", "TELLING", "Cube", "aggregates_graph", "aggregate_quads", "refresh_aggregates"]

QB = "http://purl.org/linked-data/cube#"
SKOS_NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
#: The namespace of the dimensions and measures of the counts.
TELLING = "https://w3id.org/kamergraph/def/telling#"

_PREFIXES = """PREFIX kg:      <https://w3id.org/kamergraph/def#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org:     <http://www.w3.org/ns/org#>
PREFIX cito:    <http://purl.org/spar/cito/>
PREFIX eli:     <http://data.europa.eu/eli/ontology#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos:    <http://www.w3.org/2004/02/skos/core#>
PREFIX prov:    <http://www.w3.org/ns/prov#>
PREFIX schema:  <https://schema.org/>
"""

#: Each dimension and measure: (local name, range, label@nl, label@en).
COMPONENTS: dict[str, tuple[str, str, str]] = {
    "fractie": ("https://w3id.org/kamergraph/def#Fractie", "fractie", "parliamentary party"),
    "jaar": (XSD + "integer", "kalenderjaar van indiening", "calendar year of submission"),
    "ministerie": ("https://w3id.org/kamergraph/def#Ministerie", "ministerie", "ministry"),
    "ministerienaam": (XSD + "string", "naam van het ministerie op de datum van de vraag",
                       "name of the ministry on the date of the question"),
    "indiener": ("https://w3id.org/kamergraph/def#Persoon", "eerste vragensteller", "first asker"),
    "indienerFractie": ("https://w3id.org/kamergraph/def#Fractie", "fractie van de eerste vragensteller",
                        "fractie of the first asker"),
    "medeindiener": ("https://w3id.org/kamergraph/def#Persoon", "medeondertekenaar", "co-signer"),
    "medeindienerFractie": ("https://w3id.org/kamergraph/def#Fractie", "fractie van de medeondertekenaar",
                            "fractie of the co-signer"),
    "handeling": (RDFS + "Resource", "aangehaalde EU-handeling, -voorstel of -procedure",
                  "cited EU act, proposal or procedure"),
    "kamervragen": (XSD + "integer", "aantal Kamervragen", "number of Kamervragen"),
    "mogelijk": (XSD + "integer", "aantal Kamervragen mogelijk gericht aan het ministerie",
                 "number of Kamervragen possibly addressed to the ministry"),
    "citaties": (XSD + "integer", "aantal citaties", "number of citations"),
    "uitTitels": (XSD + "integer", "aantal Kamervragen gevonden in de titel", "number of Kamervragen found in the title"),
    "uitTeksten": (XSD + "integer", "aantal Kamervragen gevonden in een vraag, voetnoot of antwoord",
                   "number of Kamervragen found in a question, footnote or answer"),
}


@dataclass(frozen=True, slots=True)
class Cube:
    """One count: its key (``skos:notation`` of its ``qb:DataSet``), its labels, the SPARQL that counts
    it (one row per cell, a column per dimension and measure) and which columns are dimensions."""

    key: str
    label_nl: str
    label_en: str
    sparql: str
    dimensions: tuple[str, ...]
    measures: tuple[str, ...]


_FRACTIE_JAAR = _PREFIXES + """
SELECT ?fractie ?jaar (COUNT(DISTINCT ?kv) AS ?kamervragen) WHERE {
  { SELECT DISTINCT ?kv ?fractie WHERE { ?vs kg:fractie ?fractie . ?kv kg:vraagstelling ?vs } }
  ?kv dcterms:dateSubmitted ?date .
  BIND (YEAR(?date) AS ?jaar)
}
GROUP BY ?fractie ?jaar"""

_FRACTIE_MINISTERIE_JAAR = _PREFIXES + """
SELECT ?fractie ?ministerie ?jaar ?ministerienaam (COUNT(DISTINCT ?certain) AS ?kamervragen)
       (COUNT(DISTINCT ?possible) AS ?mogelijk) WHERE {
  { SELECT DISTINCT ?kv ?ministerie ?date ?certain ?possible WHERE {
      { ?kv kg:gerichtAan ?post . ?post org:postIn ?ministerie . BIND (?kv AS ?certain) }
      UNION
      { ?kv kg:mogelijkGerichtAan ?post . ?post org:postIn ?ministerie .
        FILTER NOT EXISTS { ?kv kg:gerichtAan ?p2 . ?p2 org:postIn ?ministerie }
        BIND (?kv AS ?possible) }
      ?kv dcterms:dateSubmitted ?date . } }
  { SELECT DISTINCT ?kv ?fractie WHERE { ?vs kg:fractie ?fractie . ?kv kg:vraagstelling ?vs } }
  { SELECT ?ministerie ?date ?ministerienaam WHERE {
      { SELECT DISTINCT ?ministerie ?date WHERE {
          { ?kv kg:gerichtAan ?post } UNION { ?kv kg:mogelijkGerichtAan ?post }
          ?post org:postIn ?ministerie . ?kv dcterms:dateSubmitted ?date } }
      OPTIONAL { ?mn prov:specializationOf ?ministerie ; skos:prefLabel ?mName .
        OPTIONAL { ?mn schema:startDate ?mFrom } OPTIONAL { ?mn schema:endDate ?mTo }
        FILTER ((!BOUND(?mFrom) || ?mFrom <= ?date) && (!BOUND(?mTo) || ?date <= ?mTo)) }
      OPTIONAL { ?ministerie rdfs:label ?mLabel }
      BIND (COALESCE(?mName, ?mLabel) AS ?ministerienaam) } }
  BIND (YEAR(?date) AS ?jaar)
}
GROUP BY ?fractie ?ministerie ?jaar ?ministerienaam"""

_MEDEONDERTEKENAARS = _PREFIXES + """
SELECT ?indiener ?indienerFractie ?medeindiener ?medeindienerFractie (COUNT(*) AS ?kamervragen) WHERE {
  ?b kg:rol kg:RolMedeindiener ; kg:fractie ?medeindienerFractie ; kg:persoon ?medeindiener .
  ?kv kg:vraagstelling ?b ; kg:vraagstelling ?a .
  ?a kg:rol kg:RolIndiener ; kg:fractie ?indienerFractie ; kg:persoon ?indiener .
  FILTER (?indienerFractie != ?medeindienerFractie)
}
GROUP BY ?indiener ?indienerFractie ?medeindiener ?medeindienerFractie"""

# where a citation was found: the Kamervraag's title, or a question, a footnote on it or the answer to it
_FOUND = """
  {  ?x a kg:Kamervraag . BIND (?x AS ?kv) BIND (?x AS ?kvTitle) }
  UNION { ?kv kg:heeftVraag ?x . BIND (?kv AS ?kvText) }
  UNION { ?x kg:bijVraag ?v . ?kv kg:heeftVraag ?v . BIND (?kv AS ?kvText) }
  UNION { ?x kg:beantwoordt ?v . ?kv kg:heeftVraag ?v . BIND (?kv AS ?kvText) }"""

_HANDELING_JAAR = _PREFIXES + """
SELECT ?handeling ?jaar (COUNT(DISTINCT ?kv) AS ?kamervragen) (COUNT(DISTINCT ?kvTitle) AS ?uitTitels)
       (COUNT(DISTINCT ?kvText) AS ?uitTeksten) WHERE {
  ?c cito:hasCitedEntity ?handeling ; cito:hasCitingEntity ?x .""" + _FOUND + """
  ?kv dcterms:dateSubmitted ?date .
  BIND (YEAR(?date) AS ?jaar)
}
GROUP BY ?handeling ?jaar"""

_HANDELING = _PREFIXES + """
SELECT ?handeling (COUNT(DISTINCT ?kv) AS ?kamervragen) (COUNT(DISTINCT ?c) AS ?citaties)
       (COUNT(DISTINCT ?kvTitle) AS ?uitTitels) (COUNT(DISTINCT ?kvText) AS ?uitTeksten) WHERE {
  { SELECT DISTINCT ?handeling WHERE {
      VALUES ?type { eli:LegalResource kg:EUVoorstel kg:EUProcedure }
      ?handeling a ?type } }
  ?c cito:hasCitedEntity ?handeling ; cito:hasCitingEntity ?x .""" + _FOUND + """
}
GROUP BY ?handeling"""

#: The counts, each read by one named query (``queries/<query>.rq``; its plain form in ``queries/reference/``).
CUBES: tuple[Cube, ...] = (
    Cube("fractie-jaar", "Kamervragen per fractie per jaar", "Questions per fractie per year",
         _FRACTIE_JAAR, ("fractie", "jaar"), ("kamervragen",)),
    Cube("fractie-ministerie-jaar", "Kamervragen per fractie, ministerie en jaar",
         "Questions per fractie, ministry and year", _FRACTIE_MINISTERIE_JAAR,
         ("fractie", "ministerie", "jaar", "ministerienaam"), ("kamervragen", "mogelijk")),
    Cube("medeondertekenaars", "Medeondertekenaars over fractiegrenzen heen", "Co-signer pairs across fracties",
         _MEDEONDERTEKENAARS, ("indiener", "indienerFractie", "medeindiener", "medeindienerFractie"),
         ("kamervragen",)),
    Cube("handeling-jaar", "Kamervragen over een EU-handeling per jaar", "Questions about an EU act per year",
         _HANDELING_JAAR, ("handeling", "jaar"), ("kamervragen", "uitTitels", "uitTeksten")),
    Cube("handeling", "Geciteerde EU-handelingen", "Cited EU acts",
         _HANDELING, ("handeling",), ("kamervragen", "citaties", "uitTitels", "uitTeksten")),
)


def aggregates_graph(iris: Iris) -> str:
    """The named graph the counts live in."""
    return iris.graph("aggregaten", "tellingen")


def _cell_iri(iris: Iris, cube: Cube, key: Sequence[Term | None]) -> str:
    """The IRI of one cell: the cube's key and a digest of its dimension values."""
    text = "\n".join("" if t is None else f"{type(t).__name__}:{t}" for t in key)
    return iris.id("telling", f"{cube.key}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:20]}")


def _structure_quads(iris: Iris, g: NamedNode) -> list[Quad]:
    """The description of the counts: each dataset, its structure and its components (labels nl and en)."""
    out: list[Quad] = []

    def add(s: str, p: str, o: NamedNode | Literal) -> None:
        out.append(Quad(NamedNode(s), NamedNode(p), o, g))

    for name, (rng, nl, en) in COMPONENTS.items():
        kind = "MeasureProperty" if name in {m for c in CUBES for m in c.measures} else "DimensionProperty"
        add(TELLING + name, RDF + "type", NamedNode(QB + kind))
        add(TELLING + name, RDFS + "label", Literal(nl, language="nl"))
        add(TELLING + name, RDFS + "label", Literal(en, language="en"))
        add(TELLING + name, RDFS + "range", NamedNode(rng))
    for cube in CUBES:
        ds, dsd = iris.id("telling", cube.key), iris.id("telling", cube.key + "-structuur")
        add(ds, RDF + "type", NamedNode(QB + "DataSet"))
        add(ds, SKOS_NOTATION, Literal(cube.key))
        add(ds, RDFS + "label", Literal(cube.label_nl, language="nl"))
        add(ds, RDFS + "label", Literal(cube.label_en, language="en"))
        add(ds, DCTERMS + "description", Literal(
            "Afgeleide gegevens: geteld uit de andere grafen van de dataset met SPARQL, na elke build en elke "
            "sync opnieuw (de benoemde queries lezen hier hun aantallen).", language="nl"))
        add(ds, DCTERMS + "description", Literal(
            "Derived data: counted from the dataset's other graphs with SPARQL, afresh after every build and "
            "every sync (the named queries read their figures here).", language="en"))
        add(ds, PROV + "wasDerivedFrom", NamedNode(iris.id("dataset", "kamergraph")))
        add(ds, QB + "structure", NamedNode(dsd))
        add(dsd, RDF + "type", NamedNode(QB + "DataStructureDefinition"))
        for i, comp in enumerate((*cube.dimensions, *cube.measures), start=1):
            spec = f"{dsd}-{comp}"
            add(dsd, QB + "component", NamedNode(spec))
            kind = "dimension" if comp in cube.dimensions else "measure"
            add(spec, QB + kind, NamedNode(TELLING + comp))
            add(spec, QB + "order", Literal(str(i), datatype=NamedNode(XSD + "integer")))
    return out


def aggregate_quads(store: Store, iris: Iris, *, timings: dict[str, float] | None = None) -> list[Quad]:
    """Counts ``store`` (every graph: the graph of counts holds none of the patterns counted) into the
    statements of the graph of counts; ``timings`` gets the seconds of each count."""
    g = NamedNode(aggregates_graph(iris))
    out = _structure_quads(iris, g)
    a, in_set = NamedNode(RDF + "type"), NamedNode(QB + "dataSet")
    obs = NamedNode(QB + "Observation")
    for cube in CUBES:
        t0 = time.perf_counter()
        res = store.query(cube.sparql)
        ds = NamedNode(iris.id("telling", cube.key))
        index = {v: i for i, v in enumerate(res.variables)}
        for row in res.rows:
            cell = NamedNode(_cell_iri(iris, cube, [row[index[d]] for d in cube.dimensions]))
            out.append(Quad(cell, a, obs, g))
            out.append(Quad(cell, in_set, ds, g))
            for comp in (*cube.dimensions, *cube.measures):
                value = row[index[comp]]
                if value is not None:
                    out.append(Quad(cell, NamedNode(TELLING + comp), value, g))
        if timings is not None:
            timings[cube.key] = time.perf_counter() - t0
    return out


def refresh_aggregates(store: Store, iris: Iris, *, log: Callable[[str], None] = lambda _m: None) -> dict[str, float]:
    """Recounts ``store`` and replaces the graph of counts (:func:`aggregates_graph`) in one transaction;
    returns the seconds of each count and of the write (``write``)."""
    timings: dict[str, float] = {}
    quads = aggregate_quads(store, iris, timings=timings)
    t0 = time.perf_counter()
    store.replace_graph(aggregates_graph(iris), serialize(quads, format=RdfFormat.N_QUADS))
    timings["write"] = time.perf_counter() - t0
    log(f"counted the aggregates in {sum(timings.values()):.1f} s ({len(quads)} statements)")
    return timings

