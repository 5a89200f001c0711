"""Helpers for the search and facet tests: the facet counts as SPARQL computes them on a store
(written independently of the index's own extraction), and small stores with hand-made data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

BASE = "https://kamergraph.nl/"
PROLOGUE = """PREFIX kg: <https://w3id.org/kamergraph/def#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

#: Per facet: a pattern binding ?v (the value) for a Kamervraag ?kv.
FACET_PATTERNS: dict[str, str] = {
    "fractie": "?kv kg:vraagstelling/kg:fractie ?v .",
    "lid": "?kv kg:vraagstelling/kg:persoon ?v .",
    "post": "?kv (kg:adressering/kg:post)|kg:gerichtAan ?v .",
    "ministerie": "?kv (kg:adressering/kg:post)|kg:gerichtAan ?p . ?p org:postIn ?v .",
    # the candidate posts of ambiguous addressings and their ministries, where the case is not certainly
    # addressed to them: facet values of their own ("…~mogelijk"), never counted in both
    "post~mogelijk": "?kv kg:mogelijkGerichtAan ?v . FILTER NOT EXISTS { ?kv (kg:adressering/kg:post)|kg:gerichtAan ?v }",
    "ministerie~mogelijk": """?kv kg:mogelijkGerichtAan ?p . ?p org:postIn ?v .
        FILTER NOT EXISTS { ?kv (kg:adressering/kg:post)|kg:gerichtAan ?c . ?c org:postIn ?v }""",
    "jaar": "?kv dcterms:dateSubmitted ?d . BIND (STR(YEAR(?d)) AS ?v)",
    "status": """
        BIND (EXISTS { ?kv kg:afgedaan true } || EXISTS { ?kv kg:heeftAntwoord ?a }
              || EXISTS { ?pa kg:betreft ?kv ; kg:publicatiesoort "antwoord" } AS ?answered)
        BIND (EXISTS { ?pu kg:betreft ?kv ; kg:publicatiesoort "uitstel" } AS ?postponed)
        BIND (IF(?answered, "beantwoord", IF(?postponed, "uitgesteld", "open")) AS ?v)""",
    "eu": """
        { SELECT DISTINCT ?kv ?v WHERE {
            { ?kv cito:cites ?v } UNION { GRAPH ?g { ?x cito:cites ?v . ?pub kg:betreft ?kv } }
            FILTER (isIRI(?v))
            FILTER (EXISTS { ?v a ?t . FILTER (?t IN (eli:LegalResource, kg:EUVoorstel, kg:EUProcedure)) }
                    || STRSTARTS(STR(?v), "http://data.europa.eu/eli/")
                    || STRSTARTS(STR(?v), "http://publications.europa.eu/resource/"))
        } }""",
}

KEY_PREFIX = {"fractie": "fractie", "lid": "persoon", "post": "post", "ministerie": "ministerie"}


def key(kind: str, value: str) -> str:
    prefix = f"{BASE}id/{KEY_PREFIX[kind]}/" if kind in KEY_PREFIX else None
    return value[len(prefix):] if prefix and value.startswith(prefix) else value


def sparql_facet_counts(store_path: Path, restrict: str = "") -> dict[tuple[str, str], int]:
    """Kamervragen per (facet, key) by SPARQL on the store, optionally among those matching
    ``restrict`` (graph patterns on ?kv)."""
    from pyoxigraph import Store

    store = Store.read_only(str(store_path))
    try:
        out: dict[tuple[str, str], int] = {}
        for kind, pattern in FACET_PATTERNS.items():
            q = (f"{PROLOGUE}SELECT ?v (COUNT(DISTINCT ?kv) AS ?n) WHERE {{ ?kv a kg:Kamervraag . {restrict} "
                 f"{pattern} }} GROUP BY ?v")
            for row in store.query(q, use_default_graph_as_union=True):
                if row["v"] is not None:
                    facet, _, suffix = kind.partition("~")
                    out[(facet, key(facet, row["v"].value) + (f"~{suffix}" if suffix else ""))] = int(row["n"].value)
        return out
    finally:
        del store


def sparql_cases(store_path: Path, restrict: str) -> set[str]:
    """The IRIs of the Kamervragen matching ``restrict`` (graph patterns on ?kv)."""
    from pyoxigraph import Store

    store = Store.read_only(str(store_path))
    try:
        q = f"{PROLOGUE}SELECT DISTINCT ?kv WHERE {{ ?kv a kg:Kamervraag . {restrict} }}"
        return {row["kv"].value for row in store.query(q, use_default_graph_as_union=True)}
    finally:
        del store


def sparql_select(store_path: Path, query: str) -> list[dict[str, str | None]]:
    from pyoxigraph import Store

    store = Store.read_only(str(store_path))
    try:
        res = store.query(PROLOGUE + query, use_default_graph_as_union=True)
        names = [v.value for v in res.variables]
        return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in res]
    finally:
        del store


def index_counts(index) -> dict[tuple[str, str], int]:  # noqa: ANN001
    return {(v.kind, v.key): v.total for v in index.values.values() if v.total}


def counts_of(page) -> Counter:  # noqa: ANN001
    return Counter({(fc.value.kind, fc.value.key): fc.count for items in page.facets.values() for fc in items})


# --------------------------------------------------------------------------- hand-made stores

HOSTILE_TITLE = "<script>alert('title')</script> De \"export\" & <b>verordeningen</b>"
HOSTILE_NAME = "<img src=x onerror=alert('name')>"
HOSTILE_FRACTIE = 'Fractie "<script>x</script>"'
HOSTILE_TEXT = "Is het waar dat <script>alert('text')</script> bedrijven technologieën exporteren?"


def hostile_trig(zaak: str = "2099Z00001", title: str = HOSTILE_TITLE, date: str = "2099-01-02") -> str:
    """One Kamervraag (with a question text) whose subject, asker, fractie and text carry markup."""
    kv = f"<{BASE}id/kamervraag/{zaak}>"
    return f"""
@prefix kg: <https://w3id.org/kamergraph/def#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{BASE}graph/kamervraag/{zaak}> {{
  {kv} a kg:Kamervraag ; kg:zaaknummer "{zaak}" ; dcterms:title {_lit(title)}@nl ;
      dcterms:dateSubmitted "{date}"^^xsd:date ; kg:afgedaan false ;
      kg:vraagstelling <{BASE}id/kamervraag/{zaak}/vraagsteller/1> ;
      kg:heeftVraag <{BASE}id/kamervraag/{zaak}/vraag/1> .
  <{BASE}id/kamervraag/{zaak}/vraagsteller/1> a kg:Vraagstelling ; schema:position 1 ; kg:rol kg:RolIndiener ;
      kg:naamInBron "X" ; kg:persoon <{BASE}id/persoon/p-{zaak}> ; kg:fractie <{BASE}id/fractie/f-hostile> .
  <{BASE}id/kamervraag/{zaak}/vraag/1> a kg:Vraag ; kg:vraagnummer 1 ; schema:text {_lit(HOSTILE_TEXT)}@nl .
}}
<{BASE}graph/referentie/test-{zaak}> {{
  <{BASE}id/persoon/p-{zaak}> a kg:Persoon ; rdfs:label {_lit(HOSTILE_NAME)} .
  <{BASE}id/fractie/f-hostile> a kg:Fractie ; rdfs:label {_lit(HOSTILE_FRACTIE)} .
}}
"""


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def make_store(path: Path, *trigs: str) -> Path:
    """A store at ``path`` holding these TriG documents (added to what is there), closed again,
    with its generation bumped."""
    from pyoxigraph import RdfFormat, Store

    from store import generation

    store = Store(str(path))
    for trig in trigs:
        store.load(trig.encode("utf-8"), format=RdfFormat.TRIG)
    store.flush()
    del store
    generation.bump(path)
    return path
