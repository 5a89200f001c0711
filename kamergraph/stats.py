"""`kamergraph stats`: counts per class, per kind of named graph, the unresolved names, the ambiguous
addressings per year (a person holding several posts on the date, no published text naming one: the
addressing names every post of the date, :mod:`ingest.resolve`), and the EU links per method, found in
the titles of the Kamervragen or in the published texts (:mod:`ingest.citations.linker`), with the
Kamervragen linked to at least one EU act, proposal or procedure and the distinct ones linked."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ontology.namespaces import sparql_prefixes
from store.base import Store

CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class }
GROUP BY ?class ORDER BY DESC(?n) ?class
"""

GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"

UNRESOLVED = sparql_prefixes() + """
SELECT ?kind ?reason (COUNT(*) AS ?n) WHERE {
  { ?x a kg:Vraagstelling ; kg:onopgelost ?reason . BIND("vraagsteller" AS ?kind) }
  UNION
  { ?x a kg:Adressering ; kg:onopgelost ?reason . BIND("geadresseerde" AS ?kind)
    FILTER NOT EXISTS { ?x kg:kandidaatpost ?_c } }
}
GROUP BY ?kind ?reason ORDER BY DESC(?n) ?kind ?reason
"""

# ambiguous addressings (several candidate posts) per year of submission; askers whose fractie periods on
# the date name different fracties (resolution method "…; meerduidig") likewise
AMBIGUOUS = sparql_prefixes() + """
SELECT ?kind ?year (COUNT(DISTINCT ?x) AS ?n) WHERE {
  { ?kv kg:adressering ?x . ?x kg:kandidaatpost ?_c . BIND("geadresseerde" AS ?kind) }
  UNION
  { ?kv kg:vraagstelling ?x . ?x kg:resolutiemethode ?m . FILTER (STRENDS(?m, "; meerduidig"))
    BIND("vraagsteller" AS ?kind) }
  ?kv dcterms:dateSubmitted ?d .
  BIND (YEAR(?d) AS ?year)
}
GROUP BY ?kind ?year ORDER BY ?kind ?year
"""

RESOLVED_SHARE = sparql_prefixes() + """
SELECT
  (COUNT(DISTINCT ?vs) AS ?askers)
  (COUNT(DISTINCT ?vsOk) AS ?askersResolved)
  (COUNT(DISTINCT ?ad) AS ?addressees)
  (COUNT(DISTINCT ?adOk) AS ?addresseesResolved)
WHERE {
  { ?vs a kg:Vraagstelling .
    OPTIONAL { ?vs kg:persoon ?_p ; kg:fractielidmaatschap ?_m . BIND(?vs AS ?vsOk) } }
  UNION
  { ?ad a kg:Adressering .
    OPTIONAL { ?ad kg:persoon ?_q ; kg:post ?_po ; kg:ambtsperiode ?_h . BIND(?ad AS ?adOk) } }
}
"""


# EU links (kg:Citatie with a kg:koppelmethode): per place found (the Kamervraag's title: the citing entity is
# the Kamervraag itself; a BNC fiche a sync brought: a Kamerstuk; a published text: a Vraag, Antwoord or Voetnoot)
# and method
EU_LINKS = sparql_prefixes() + """
SELECT ?where ?method (COUNT(DISTINCT ?c) AS ?n) WHERE {
  ?c kg:koppelmethode ?method ; cito:hasCitingEntity ?e .
  BIND (IF(EXISTS { ?e a kg:Kamervraag }, "titel", IF(EXISTS { ?e a kg:Kamerstuk }, "fiche", "tekst")) AS ?where)
}
GROUP BY ?where ?method ORDER BY ?where ?method
"""

# the Kamervragen linked to at least one EU resource, and the distinct resources: by title, by text, by either
EU_BY_TITLE = """
  { ?c kg:koppelmethode ?_m ; cito:hasCitingEntity ?kv ; cito:hasCitedEntity ?act . ?kv a kg:Kamervraag . }
"""
EU_BY_TEXT = """
  { GRAPH ?g { ?c kg:koppelmethode ?_m ; cito:hasCitingEntity ?e ; cito:hasCitedEntity ?act . ?pub kg:betreft ?kv . }
    FILTER NOT EXISTS { ?e a kg:Kamervraag } }
"""
EU_LINKED = sparql_prefixes() + """
SELECT (COUNT(DISTINCT ?kv) AS ?kamervragen) (COUNT(DISTINCT ?act) AS ?resources) WHERE { %s }
"""


def eu_links(store: Store) -> dict[str, Any]:
    """The EU links per place ("titel", "tekst", "fiche": a BNC fiche citing a proposal) and method, and the Kamervragen linked to at least one EU
    resource and the distinct resources, by "titel", by "tekst" and by either ("alle")."""
    per_method = [(r["where"], r["method"], int(r["n"] or 0)) for r in store.query(EU_LINKS).values()]
    linked = {}
    for where, pattern in (("titel", EU_BY_TITLE), ("tekst", EU_BY_TEXT), ("alle", f"{EU_BY_TITLE} UNION {EU_BY_TEXT}")):
        row = store.query(EU_LINKED % pattern).values()[0]
        linked[where] = {"kamervragen": int(row["kamervragen"] or 0), "resources": int(row["resources"] or 0)}
    return {"per_method": per_method, "linked": linked}


def graph_kind(iri: str) -> str:
    """'…/graph/kamervraag/2019Z15231' -> 'kamervraag' (one per record); the reference and
    ontology graphs keep their name ('referentie/personen')."""
    rest = iri.split("/graph/", 1)[-1]
    kind, _, key = rest.partition("/")
    return f"{kind}/{key}" if kind in ("referentie", "ontologie") and key else kind


def collect(store: Store) -> dict[str, Any]:
    classes = [(r["class"], int(r["n"] or 0)) for r in store.query(CLASS_COUNTS).values()]
    graphs: Counter[str] = Counter()
    graph_count: Counter[str] = Counter()
    for r in store.query(GRAPH_SIZES).values():
        kind = graph_kind(r["g"] or "")
        graphs[kind] += int(r["n"] or 0)
        graph_count[kind] += 1
    unresolved = [(r["kind"], r["reason"], int(r["n"] or 0)) for r in store.query(UNRESOLVED).values()]
    share = store.query(RESOLVED_SHARE).values()[0]
    share = {k: int(v or 0) for k, v in share.items()}
    ambiguous = [(r["kind"], int(r["year"] or 0), int(r["n"] or 0)) for r in store.query(AMBIGUOUS).values()]
    return {
        "quads": len(store),
        "classes": classes,
        "graphs": [(k, graph_count[k], graphs[k]) for k in sorted(graphs)],
        "resolution": share,
        "unresolved": unresolved,
        "ambiguous": ambiguous,
        "eu": eu_links(store),
    }


def render(stats: dict[str, Any], top: int = 25) -> str:
    from kamergraph.output import compact

    lines = [f"quads in the store: {stats['quads']:,}", "", "resources per class:"]
    lines += [f"  {n:>9,}  {compact(c)}" for c, n in stats["classes"]]
    lines += ["", "named graphs (kind, graphs, quads):"]
    lines += [f"  {k:<28} {g:>8,} {q:>11,}" for k, g, q in stats["graphs"]]
    r = stats["resolution"]

    def pct(a: int, b: int) -> str:
        return f"{100 * a / b:.2f} %" if b else "-"

    lines += [
        "",
        "resolution:",
        f"  askers resolved to person and fractie:  {r['askersResolved']:,} of {r['askers']:,} "
        f"({pct(r['askersResolved'], r['askers'])})",
        f"  addressees resolved to person and post: {r['addresseesResolved']:,} of {r['addressees']:,} "
        f"({pct(r['addresseesResolved'], r['addressees'])})",
        "",
        f"unresolved names ({sum(n for *_, n in stats['unresolved']):,}), most frequent reasons:",
    ]
    lines += [f"  {n:>6,}  {kind}: {reason}" for kind, reason, n in stats["unresolved"][:top]]
    return "\n".join(lines + ambiguous_lines(stats.get("ambiguous", [])) + eu_lines(stats.get("eu")))


def ambiguous_lines(ambiguous: list[tuple[str, int, int]]) -> list[str]:
    """The ambiguous addressings (and askers) per year, as ``render`` prints them."""
    lines = ["", "ambiguous addressings (person known, several posts on the date, none named by a text), per year:"]
    for kind in ("geadresseerde", "vraagsteller"):
        rows = [(y, n) for k, y, n in ambiguous if k == kind]
        if kind == "vraagsteller" and not rows:
            continue
        if kind == "vraagsteller":
            lines.append("ambiguous askers (several fracties on the date), per year:")
        lines += [f"  {y}  {n:>6,}" for y, n in rows]
        lines.append(f"  total {sum(n for _, n in rows):>6,}")
    return lines


def eu_lines(eu: dict[str, Any] | None) -> list[str]:
    """The EU links per method (in titles, in texts) and the Kamervragen and resources linked, as ``render``
    prints them."""
    if not eu:
        return []
    lines = ["", "EU links per method (found in the titles of all Kamervragen; in the published texts in the graph):"]
    for where, label in (("titel", "titles"), ("tekst", "texts"), ("fiche", "BNC fiches")):
        rows = [(m, n) for w, m, n in eu["per_method"] if w == where]
        if where == "fiche" and not rows:
            continue  # only a sync brings fiches
        lines.append(f"  {label}: " + (", ".join(f"{m} {n:,}" for m, n in rows) or "none")
                     + f" ({sum(n for _, n in rows):,} links)")
    for where, label in (("titel", "by title"), ("tekst", "by text"), ("alle", "by either")):
        k = eu["linked"][where]
        lines.append(f"  Kamervragen linked {label}: {k['kamervragen']:,}, to {k['resources']:,} distinct EU resources")
    return lines
