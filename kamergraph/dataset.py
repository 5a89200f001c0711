"""The dataset description: VoID, DCAT and the SPARQL 1.1 Service Description of the store.

:func:`compute_stats` counts the store with a handful of SPARQL queries (every count over the named
graphs *without* the description graph itself, so that loading the description does not change the
figures it states); :func:`describe` turns the figures, the dump release's ``manifest.json`` (if
any) and the bundled sources' attribution into one RDF graph; :func:`load_description` puts that
graph into the store as ``{base}graph/dataset/beschrijving``. The build runs it as its last step;
``kamergraph describe`` runs it again, e.g. after a dump release. The server only reads the graph.

Every resource of the description has an IRI under ``{base}id/dataset/kamergraph`` (no blank
nodes, no clock): the same store and the same manifest give the same graph, statement for statement.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, serialize

from ontology.namespaces import DCTERMS, FOAF, KG, OWL, PREFIXES, PROV, RDF, RDFS, XSD, Iris
from kamergraph import coverage
from kamergraph.manifest import DatasetError, DumpFile, Manifest, read_manifest
from store.base import Store

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SD = "http://www.w3.org/ns/sparql-service-description#"
SPDX = "http://spdx.org/rdf/terms#"
FORMATS = "http://www.w3.org/ns/formats/"
IANA = "https://www.iana.org/assignments/media-types/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"

#: Prefixes for writing the description (the project's and the description vocabularies').
DESCRIPTION_PREFIXES: dict[str, str] = {
    **{k: v for k, v in PREFIXES.items() if k not in ("sh", "tk")},
    "void": VOID, "dcat": DCAT, "sd": SD, "spdx": SPDX, "formats": FORMATS,
}
#: Namespaces that name themselves in partition keys (beyond the project's prefixes).
_KEY_PREFIXES = {**PREFIXES, "void": VOID, "dcat": DCAT, "sd": SD, "spdx": SPDX, "vann": "http://purl.org/vocab/vann/"}

# --------------------------------------------------------------------------- IRIs


def description_graph(iris: Iris) -> str:
    """The named graph the description lives in."""
    return iris.graph("dataset", "beschrijving")


def dataset_iri(iris: Iris) -> str:
    return iris.id("dataset", "kamergraph")


def service_iri(iris: Iris) -> str:
    return dataset_iri(iris) + "/sparql"


def endpoint_url(iris: Iris) -> str:
    return iris.base + "sparql"


def dump_url(iris: Iris, file: str) -> str:
    return f"{iris.base}dumps/{file}"


# --------------------------------------------------------------------------- link targets

@dataclass(frozen=True)
class Target:
    key: str
    title: str
    space: str  # the uriSpace of the target dataset
    homepage: str
    exclude: tuple[str, ...] = ()  # vocabulary namespaces inside the space (not links to the data)


TARGETS: tuple[Target, ...] = (
    Target("eli", "European Legislation Identifier (ELI), EUR-Lex", "http://data.europa.eu/eli/",
           "https://eur-lex.europa.eu/eli-register/about.html",
           ("http://data.europa.eu/eli/ontology#", "http://data.europa.eu/eli/eli-draft-legislation-ontology#")),
    Target("cellar", "CELLAR, Publications Office of the European Union", "http://publications.europa.eu/resource/",
           "https://op.europa.eu/"),
    Target("wikidata", "Wikidata", "http://www.wikidata.org/entity/", "https://www.wikidata.org/"),
    Target("officielebekendmakingen", "officielebekendmakingen.nl", "https://zoek.officielebekendmakingen.nl/",
           "https://zoek.officielebekendmakingen.nl/"),
)


# --------------------------------------------------------------------------- the sources (data/README.md)

@dataclass(frozen=True)
class Source:
    key: str
    title: str
    via: str  # what was bundled and through which repository
    licence: str  # the licence's IRI
    licence_label: str
    homepage: str
    agent: str  # who publishes it: the party the attribution names


TK_TERMS = "https://opendata.tweedekamer.nl/"
SOURCES: tuple[Source, ...] = (
    Source("tk-odata", "Tweede Kamer Open Data Portaal (gegevensmagazijn OData v4): Zaken 'Schriftelijke vragen'",
           "via the public repository Nierot/kamervragen", TK_TERMS,
           "Tweede Kamer open-data terms: reuse with attribution", "https://opendata.tweedekamer.nl/",
           agent='Tweede Kamer der Staten-Generaal'),
    Source("tk-kamerleden", "Tweede Kamer member list (membership periods)",
           "via spacejump3/tweedekamer-datavisualisatie", "https://opensource.org/license/mit",
           "MIT", "https://github.com/spacejump3/tweedekamer-datavisualisatie",
           agent='Tweede Kamer der Staten-Generaal'),
    Source("openkamer", "OpenKamer: persons, memberships, parties, cabinets, posts and holders",
           "openkamer/openkamer; fields from Wikidata are CC0", "https://opensource.org/license/mit",
           "MIT", "https://github.com/openkamer/openkamer",
           agent='OpenKamer'),
    Source("rijksoverheid", "rijksoverheid.nl: cabinets, posts and holders", "data/reference/cabinets",
           "https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0", "https://www.rijksoverheid.nl/",
           agent='Rijksoverheid'),
    Source("tooi", "TOOI (KOOP): ministries' identifiers", "data/reference/cabinets",
           "https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0", "https://standaarden.overheid.nl/tooi",
           agent='KOOP (Kennis- en Exploitatiecentrum Officiële Overheidspublicaties)'),
    Source("wikidata", "Wikidata: identifiers of persons and parties", "owl:sameAs links",
           "https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0", "https://www.wikidata.org/",
           agent='Wikidata contributors (Wikimedia Foundation)'),
    Source("parlamint-nl", "ParlaMint-NL: cabinet and post data", "data/reference/cabinets",
           CC_BY, "CC BY 4.0", "https://www.clarin.eu/parlamint",
           agent='ParlaMint (CLARIN ERIC)'),
    Source("polder", "anneschuth/polder: cabinet data", "data/reference/cabinets",
           "https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0 (data)",
           "https://github.com/anneschuth/polder",
           agent='anneschuth/polder'),
    Source("wetsuite", "Parliamentary publication ids of the official publications repository",
           "WetSuiteLeiden/wetsuite-core test files; identifiers are facts",
           "https://interoperable-europe.ec.europa.eu/collection/eupl/eupl-text-eupl-12", "EUPL-1.2",
           "https://github.com/WetSuiteLeiden/wetsuite-core",
           agent='WetSuite (Leiden University)'),
    Source("officielebekendmakingen", "Published texts of questions and answers (officielebekendmakingen.nl)",
           "via jorisheijkant/kamervragen-limburg (no licence stated; official texts)",
           "https://wetten.overheid.nl/BWBR0001886/", "no copyright on official texts (art. 11 and 15b Auteurswet)",
           "https://zoek.officielebekendmakingen.nl/",
           agent='KOOP / Tweede Kamer der Staten-Generaal'),
    Source("codewith-kamervragen", "Answer letters of the Minister of Justice and Security (DOCX)",
           "via robinmeure/codewith-kamervragen", "https://opensource.org/license/mit", "MIT",
           "https://github.com/robinmeure/codewith-kamervragen",
           agent='robinmeure/codewith-kamervragen'),
    Source("eur-lex", "EUR-Lex and the Publications Office of the EU: EU acts, proposals and procedures",
           "© European Union; reuse with acknowledgement (Commission Decision 2011/833/EU)",
           "https://eur-lex.europa.eu/content/legal-notice/legal-notice.html", "© European Union, reuse with "
           "acknowledgement", "https://eur-lex.europa.eu/",
           agent='Publications Office of the European Union'),
)
ATTRIBUTION = "Bron: Tweede Kamer der Staten-Generaal / officielebekendmakingen.nl"


# --------------------------------------------------------------------------- the figures

@dataclass
class Stats:
    """What the store holds, without the description graph."""

    triples: int  # statements in the named graphs (a triple stated in two graphs counts twice)
    graphs: int
    subjects: int
    entities: int  # distinct subjects that are IRIs
    objects: int
    classes: dict[str, int] = field(default_factory=dict)  # class -> distinct instances
    properties: dict[str, int] = field(default_factory=dict)  # property -> statements
    links: dict[tuple[str, str], int] = field(default_factory=dict)  # (target key, predicate) -> statements
    first_date: str | None = None
    last_date: str | None = None
    months: dict[str, int] = field(default_factory=dict)  # YYYY-MM -> Kamervragen submitted in it
    seconds: dict[str, float] = field(default_factory=dict)


_P = "PREFIX kg: <" + KG + ">\nPREFIX dcterms: <" + DCTERMS + ">\n"
# The bound values (?desc: the description graph, ?space: our URI space) are projected, as
# substitution asks; every count leaves the description graph out.
Q_PROPERTIES = ("SELECT ?desc ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != ?desc) } "
                "GROUP BY ?desc ?p")
Q_CLASSES = ("SELECT ?desc ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } FILTER(?g != ?desc) } "
             "GROUP BY ?desc ?c")
Q_SUBJECTS = ("SELECT ?desc (COUNT(*) AS ?n) (SUM(IF(isIRI(?s), 1, 0)) AS ?iris) WHERE { "
              "SELECT DISTINCT ?desc ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != ?desc) } } GROUP BY ?desc")
Q_OBJECTS = ("SELECT ?desc (COUNT(DISTINCT ?o) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != ?desc) } "
             "GROUP BY ?desc")
# Per month of submission: the Kamervragen submitted in it, and its first and last date (the coverage).
Q_DATES = _P + ("SELECT ?desc ?month (COUNT(DISTINCT ?k) AS ?n) (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE { "
                "GRAPH ?g { ?k a kg:Kamervraag ; dcterms:dateSubmitted ?d } FILTER(?g != ?desc) "
                "BIND(SUBSTR(STR(?d), 1, 7) AS ?month) } GROUP BY ?desc ?month")


def _sparql_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def links_query() -> str:
    """Statements whose subject is one of ours ({base}id/…, bound as ?space) and whose object is in a
    target's URI space, per target and predicate (rdf:type statements name classes, not linked
    resources). The regular expression runs once per statement (the most expensive query of the
    description: string functions cost Oxigraph far more per row than scanning); the classification
    only on the few that pass it."""
    alternatives = "|".join(re.escape(t.space) for t in TARGETS)
    pattern = _sparql_string("^(" + alternatives + ")")
    case = '"other"'
    for t in reversed(TARGETS):
        test = f"STRSTARTS(?os, {_sparql_string(t.space)})"
        for ex in t.exclude:
            test += f" && !STRSTARTS(?os, {_sparql_string(ex)})"
        case = f"IF({test}, {_sparql_string(t.key)}, {case})"
    return (
        f"PREFIX rdf: <{RDF}>\n"
        "SELECT ?desc ?space ?t ?p (COUNT(*) AS ?n) WHERE {\n"
        "  GRAPH ?g { ?s ?p ?o } FILTER(?g != ?desc && ?p != rdf:type)\n"
        f"  FILTER(REGEX(STR(?o), {pattern}) && isIRI(?o))\n"
        "  FILTER(STRSTARTS(STR(?s), ?space))\n"
        f"  BIND(STR(?o) AS ?os) BIND({case} AS ?t)\n"
        "} GROUP BY ?desc ?space ?t ?p"
    )


def compute_stats(store: Store, iris: Iris, workers: int = 2) -> Stats:
    """Count the store (all named graphs but the description graph) with SPARQL.

    The queries are independent and each scans the store once; ``workers`` of them run at the same
    time (pyoxigraph releases the GIL while it evaluates; a remote server answers them in parallel).
    """
    desc = NamedNode(description_graph(iris))
    b = {"desc": desc}
    seconds: dict[str, float] = {}

    def run(name: str, sparql: str, bindings: dict[str, Any] | None = None) -> list[dict[str, str | None]]:
        t0 = time.perf_counter()
        res = store.query(sparql, {**b, **(bindings or {})})
        seconds[name] = time.perf_counter() - t0
        return res.values()

    def count_graphs() -> int:
        t0 = time.perf_counter()
        n = sum(1 for g in store.named_graphs() if g != desc.value)
        seconds["graphs"] = time.perf_counter() - t0
        return n

    jobs = {  # the slowest first
        "links": lambda: run("links", links_query(), {"space": Literal(iris.base + "id/")}),
        "subjects": lambda: run("subjects", Q_SUBJECTS),
        "objects": lambda: run("objects", Q_OBJECTS),
        "properties": lambda: run("properties", Q_PROPERTIES),
        "dates": lambda: run("dates", Q_DATES),
        "classes": lambda: run("classes", Q_CLASSES),
        "graphs": count_graphs,
    }
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        try:
            r = {name: f.result() for name, f in futures.items()}
        except Exception as exc:  # noqa: BLE001 - one error family for the stage's callers
            raise DatasetError(f"cannot count the store for its description: {exc}") from exc
    props = {x["p"]: int(x["n"]) for x in r["properties"] if x["p"]}
    classes = {x["c"]: int(x["n"]) for x in r["classes"] if x["c"] and "://" in x["c"]}
    subj = (r["subjects"] or [{"n": "0", "iris": "0"}])[0]
    objects = int((r["objects"] or [{"n": "0"}])[0]["n"] or 0)
    links = {(x["t"], x["p"]): int(x["n"]) for x in r["links"] if x["t"] and x["t"] != "other" and x["p"]}
    months = {x["month"]: int(x["n"] or 0) for x in r["dates"] if x["month"]}
    firsts = [x["first"] for x in r["dates"] if x["first"]]
    lasts = [x["last"] for x in r["dates"] if x["last"]]
    return Stats(
        triples=sum(props.values()), graphs=r["graphs"], subjects=int(subj["n"] or 0), entities=int(subj["iris"] or 0),
        objects=objects, classes=classes, properties=props, links=links,
        first_date=min(firsts, default=None), last_date=max(lasts, default=None), months=months, seconds=seconds,
    )


# --------------------------------------------------------------------------- the graph

def namespace_of(iri: str) -> str:
    for sep in ("#", "/"):
        i = iri.rfind(sep)
        if i > len("https://") and i < len(iri) - 1:
            return iri[: i + 1]
    return iri


_LOCAL = re.compile(r"^[A-Za-z0-9_-]+$")


def term_key(iri: str) -> str:
    """A readable, stable IRI key for a class or property: ``kg-Kamervraag``, ``dcterms-title``."""
    for prefix, ns in _KEY_PREFIXES.items():
        if iri.startswith(ns) and _LOCAL.match(iri[len(ns):]):
            return f"{prefix}-{iri[len(ns):]}"
    return re.sub(r"[^A-Za-z0-9]+", "-", iri.split("://", 1)[-1]).strip("-")


class _G:
    """Collects the description's triples (IRIs and typed literals only)."""

    def __init__(self) -> None:
        self.triples: list[Triple] = []

    def add(self, s: str, p: str, o: str | Literal | NamedNode) -> None:
        obj = NamedNode(o) if isinstance(o, str) else o
        self.triples.append(Triple(NamedNode(s), NamedNode(p), obj))

    def text(self, s: str, p: str, value: str, lang: str | None = None) -> None:
        self.add(s, p, Literal(value, language=lang) if lang else Literal(value))

    def num(self, s: str, p: str, n: int, datatype: str = XSD + "integer") -> None:
        self.add(s, p, Literal(str(int(n)), datatype=NamedNode(datatype)))

    def typed(self, s: str, p: str, value: str, datatype: str) -> None:
        self.add(s, p, Literal(value, datatype=NamedNode(datatype)))


def _media(media_type: str) -> str:
    return IANA + media_type


def describe(iris: Iris, stats: Stats | None, manifest: Manifest | None = None) -> list[Triple]:
    """The description as triples. ``stats`` None: the static parts only (no figures)."""
    g = _G()
    ds = dataset_iri(iris)
    _describe_dataset(g, ds, iris)
    _describe_publisher(g, ds, iris)
    _describe_sources(g, ds)
    if manifest is not None:
        _describe_dumps(g, ds, iris, manifest)
    if stats is not None:
        _describe_figures(g, ds, stats)
    _describe_linksets(g, ds, stats)
    g.triples.extend(service_description(iris, stats))
    return g.triples


def _describe_dataset(g: _G, ds: str, iris: Iris) -> None:
    """The dataset itself (VoID and DCAT): its titles, descriptions, what its figures count, its
    home pages, endpoints, licence, keywords and language."""
    a = RDF + "type"
    graph = description_graph(iris)
    base = iris.base
    for cls in (VOID + "Dataset", DCAT + "Dataset"):
        g.add(ds, a, cls)
    g.text(ds, DCTERMS + "title", "kamergraph", "nl")
    g.text(ds, DCTERMS + "title", "kamergraph", "en")
    g.text(ds, DCTERMS + "description",
           "Een kennisgraaf van de schriftelijke Kamervragen van de Tweede Kamer: de vragen, wie ze "
           "stelde en namens welke fractie, aan welke bewindspersoon en post ze gericht waren, de antwoorden, en de "
           "Kamerstukken en EU-regelgeving die ze aanhalen.", "nl")
    g.text(ds, DCTERMS + "description",
           "A knowledge graph of the written parliamentary questions of the Dutch House of Representatives: "
           "the questions, who asked them and for which parliamentary party, the minister and post "
           "they were addressed to, the answers, and the parliamentary papers and EU legislation they cite.", "en")
    g.text(ds, RDFS + "comment",
           f"De aantallen (void:triples, void:entities, partities, linksets) tellen alle benoemde grafen van de "
           f"dataset behalve deze beschrijving zelf (graaf <{graph}>). void:triples telt uitspraken: een triple "
           "die in twee grafen staat telt twee keer (zoals COUNT(*) over de standaardgraaf van het endpoint).", "nl")
    g.text(ds, RDFS + "comment",
           f"The figures (void:triples, void:entities, partitions, linksets) count every named graph of the "
           f"dataset except this description itself (graph <{graph}>). void:triples counts statements: a triple "
           "stated in two graphs counts twice (as COUNT(*) over the endpoint's default graph does).", "en")
    g.add(ds, FOAF + "homepage", base)
    g.add(ds, DCAT + "landingPage", base + "dataset")
    g.typed(ds, VOID + "uriSpace", base + "id/", XSD + "string")
    g.add(ds, VOID + "sparqlEndpoint", endpoint_url(iris))
    g.add(ds, VOID + "uriLookupEndpoint", base + "resource?iri=")
    g.add(ds, VOID + "exampleResource", iris.kamervraag("2019Z15231"))
    g.add(ds, VOID + "feature", FORMATS + "Turtle")
    g.add(ds, VOID + "feature", FORMATS + "N-Triples")
    g.add(ds, DCTERMS + "license", CC_BY)
    g.add(ds, DCTERMS + "conformsTo", KG.rstrip("#"))
    g.text(ds, DCTERMS + "rights", ATTRIBUTION)
    g.text(ds, DCAT + "keyword", "Kamervragen", "nl")
    g.text(ds, DCAT + "keyword", "Tweede Kamer", "nl")
    g.text(ds, DCAT + "keyword", "written parliamentary questions", "en")
    g.add(ds, DCTERMS + "language", "http://publications.europa.eu/resource/authority/language/NLD")


def _describe_publisher(g: _G, ds: str, iris: Iris) -> None:
    """The publisher of the dataset."""
    a = RDF + "type"
    base = iris.base
    pub = ds + "/uitgever"
    g.add(ds, DCTERMS + "publisher", pub)
    g.add(pub, a, FOAF + "Organization")
    g.text(pub, FOAF + "name", "kamergraph")
    g.add(pub, FOAF + "homepage", base)


def _describe_sources(g: _G, ds: str) -> None:
    """Every bundled source (data/README.md) with its licence, publisher and attribution."""
    a = RDF + "type"
    for src in SOURCES:
        s_iri = f"{ds}/bron/{src.key}"
        g.add(ds, DCTERMS + "source", s_iri)
        g.add(s_iri, a, DCAT + "Dataset")
        g.text(s_iri, DCTERMS + "title", src.title)
        g.text(s_iri, RDFS + "comment", src.via)
        g.add(s_iri, DCTERMS + "license", src.licence)
        g.text(s_iri, DCTERMS + "rights", src.licence_label)
        g.add(s_iri, FOAF + "homepage", src.homepage)
        agent = f"{s_iri}/uitgever"
        g.add(s_iri, DCTERMS + "publisher", agent)
        g.add(agent, a, FOAF + "Agent")
        g.add(agent, a, PROV + "Agent")
        g.text(agent, FOAF + "name", src.agent)
        att = f"{ds}/toeschrijving/{src.key}"
        g.add(ds, PROV + "qualifiedAttribution", att)
        g.add(att, a, PROV + "Attribution")
        g.add(att, PROV + "agent", agent)
        g.add(att, DCAT + "hadRole", "http://registry.it.csiro.au/def/isotc211/CI_RoleCode/originator")
        g.text(att, RDFS + "comment", f"{src.title} ({src.licence_label})")
        g.add(ds, PROV + "wasDerivedFrom", s_iri)


def _describe_dumps(g: _G, ds: str, iris: Iris, manifest: Manifest) -> None:
    """The dump release (``manifest``): its files as DCAT distributions and void:dataDump, with size,
    media type, checksum and date."""
    a = RDF + "type"
    g.typed(ds, DCTERMS + "issued", manifest.created, XSD + "dateTime")
    for f in manifest.files:
        dist = f"{ds}/distributie/{f.file}"
        url = dump_url(iris, f.file)
        g.add(ds, DCAT + "distribution", dist)
        g.add(ds, VOID + "dataDump", url)
        g.add(dist, a, DCAT + "Distribution")
        g.text(dist, DCTERMS + "title", f"kamergraph ({f.format}{', ' + f.encoding if f.encoding else ''})")
        g.add(dist, DCAT + "downloadURL", url)
        g.add(dist, DCAT + "accessURL", url)
        g.add(dist, DCAT + "mediaType", _media(f.media_type))
        if f.encoding == "gzip":
            g.add(dist, DCAT + "compressFormat", _media("application/gzip"))
        g.num(dist, DCAT + "byteSize", f.bytes, XSD + "nonNegativeInteger")
        g.typed(dist, DCTERMS + "issued", f.created, XSD + "dateTime")
        g.add(dist, DCTERMS + "license", CC_BY)
        if f.triples is not None:
            g.num(dist, VOID + "triples", f.triples)
        chk = dist + "/sha256"
        g.add(dist, SPDX + "checksum", chk)
        g.add(chk, a, SPDX + "Checksum")
        g.add(chk, SPDX + "algorithm", SPDX + "checksumAlgorithm_sha256")
        g.typed(chk, SPDX + "checksumValue", f.sha256, XSD + "hexBinary")


def _describe_figures(g: _G, ds: str, stats: Stats) -> None:
    """The figures: triples, entities, subjects, objects, classes and properties, the vocabularies, a
    partition per class and per property, and the period the questions cover."""
    a = RDF + "type"
    g.num(ds, VOID + "triples", stats.triples)
    g.num(ds, VOID + "entities", stats.entities)
    g.num(ds, VOID + "distinctSubjects", stats.subjects)
    g.num(ds, VOID + "distinctObjects", stats.objects)
    g.num(ds, VOID + "classes", len(stats.classes))
    g.num(ds, VOID + "properties", len(stats.properties))
    for ns in sorted({namespace_of(t) for t in (*stats.classes, *stats.properties)}):
        g.add(ds, VOID + "vocabulary", ns)
    for c, n in sorted(stats.classes.items()):
        part = f"{ds}/klasse/{term_key(c)}"
        g.add(ds, VOID + "classPartition", part)
        g.add(part, a, VOID + "Dataset")
        g.add(part, VOID + "class", c)
        g.num(part, VOID + "entities", n)
    for p, n in sorted(stats.properties.items()):
        part = f"{ds}/eigenschap/{term_key(p)}"
        g.add(ds, VOID + "propertyPartition", part)
        g.add(part, a, VOID + "Dataset")
        g.add(part, VOID + "property", p)
        g.num(part, VOID + "triples", n)
    _describe_period(g, ds, stats)


def _describe_period(g: _G, ds: str, stats: Stats) -> None:
    """The period the questions cover (``dcterms:temporal``): the months the records are complete for
    (:mod:`kamergraph.coverage`, measured on the monthly counts), from the first day of the first to the
    last day of the last; the comment (nl, en) says so and names the records outside it with the earliest
    and the latest date."""
    cov = coverage.measure(stats.months, stats.first_date or "", stats.last_date or "")
    if cov is None or not stats.first_date or not stats.last_date:
        return
    period = ds + "/periode"
    g.add(ds, DCTERMS + "temporal", period)
    g.add(period, RDF + "type", DCTERMS + "PeriodOfTime")
    g.typed(period, DCAT + "startDate", cov.start, XSD + "date")
    g.typed(period, DCAT + "endDate", cov.end, XSD + "date")
    for lang in ("nl", "en"):
        g.text(period, RDFS + "comment", coverage.note(cov, lang), lang)


def _describe_linksets(g: _G, ds: str, stats: Stats | None) -> None:
    """The outside datasets our resources ({base}id/…) link to, and a linkset per target and predicate
    (with ``stats``: only the targets linked to, with their counts)."""
    a = RDF + "type"
    for t in TARGETS:
        target = f"{ds}/doel/{t.key}"
        preds = sorted((p, n) for (k, p), n in (stats.links.items() if stats else ()) if k == t.key)
        if stats is not None and not preds:
            continue
        g.add(target, a, VOID + "Dataset")
        g.text(target, DCTERMS + "title", t.title)
        g.typed(target, VOID + "uriSpace", t.space, XSD + "string")
        g.add(target, FOAF + "homepage", t.homepage)
        for p, n in preds:
            ls = f"{ds}/linkset/{t.key}/{term_key(p)}"
            g.add(ds, VOID + "subset", ls)
            g.add(ls, a, VOID + "Linkset")
            g.add(ls, VOID + "subjectsTarget", ds)
            g.add(ls, VOID + "objectsTarget", target)
            g.add(ls, VOID + "linkPredicate", p)
            g.num(ls, VOID + "triples", n)


RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "N-Quads", "JSON-LD", "RDF_XML")


def service_description(iris: Iris, stats: Stats | None) -> list[Triple]:
    """The SPARQL 1.1 Service Description of the endpoint ({base}sparql)."""
    g = _G()
    a = RDF + "type"
    svc = service_iri(iris)
    ds = dataset_iri(iris)
    sd_ds = svc + "/dataset"
    default = svc + "/standaardgraaf"
    g.add(svc, a, SD + "Service")
    g.add(svc, SD + "endpoint", endpoint_url(iris))
    g.add(svc, SD + "supportedLanguage", SD + "SPARQL11Query")
    for f in RESULT_FORMATS:
        g.add(svc, SD + "resultFormat", FORMATS + f)
    g.add(svc, SD + "feature", SD + "UnionDefaultGraph")
    g.add(svc, SD + "defaultEntailmentRegime", "http://www.w3.org/ns/entailment/Simple")
    g.text(svc, RDFS + "comment",
           "Alleen lezen (SPARQL Update wordt geweigerd); SERVICE alleen naar toegestane endpoints; elke query "
           "heeft een tijdslimiet en een rijlimiet.", "nl")
    g.text(svc, RDFS + "comment",
           "Read-only (SPARQL Update is refused); SERVICE only to allow-listed endpoints; every query has a time "
           "limit and a row limit.", "en")
    g.add(svc, SD + "defaultDataset", sd_ds)
    g.add(sd_ds, a, SD + "Dataset")
    g.add(sd_ds, RDFS + "seeAlso", ds)
    g.add(sd_ds, SD + "defaultGraph", default)
    g.add(default, a, SD + "Graph")
    g.text(default, RDFS + "comment", "De standaardgraaf is de vereniging van alle benoemde grafen.", "nl")
    g.text(default, RDFS + "comment", "The default graph is the union of all named graphs.", "en")
    for name in (description_graph(iris), iris.ontology_graph()):
        ng = f"{svc}/graaf/{name.rsplit('/graph/', 1)[-1].replace('/', '-')}"
        g.add(sd_ds, SD + "namedGraph", ng)
        g.add(ng, a, SD + "NamedGraph")
        g.add(ng, SD + "name", name)
    if stats is not None:
        g.num(default, VOID + "triples", stats.triples)
        extent = sd_ds + "/aantal-grafen"
        g.add(sd_ds, DCTERMS + "extent", extent)
        g.add(extent, a, DCTERMS + "SizeOrDuration")
        g.num(extent, RDF + "value", stats.graphs + 1)
        g.text(extent, RDFS + "label", f"{stats.graphs + 1} benoemde grafen (met deze beschrijving)", "nl")
        g.text(extent, RDFS + "label", f"{stats.graphs + 1} named graphs (this description included)", "en")
    return g.triples


def to_nquads(triples: Iterable[Triple], graph: str) -> bytes:
    g = NamedNode(graph)
    return serialize((Quad(t.subject, t.predicate, t.object, g) for t in triples), format=RdfFormat.N_QUADS) or b""


def to_turtle(triples: Iterable[Triple]) -> bytes:
    return serialize(sorted(triples, key=lambda t: (t.subject.value, t.predicate.value, str(t.object))),
                     format=RdfFormat.TURTLE, prefixes=DESCRIPTION_PREFIXES) or b""


@dataclass
class Loaded:
    triples: list[Triple]
    stats: Stats
    manifest: Manifest | None
    seconds: float


def load_description(store: Store, iris: Iris, dumps_dir: Path | None = None) -> Loaded:
    """Count the store, describe it and (re)place the description graph in it."""
    t0 = time.perf_counter()
    manifest = read_manifest(dumps_dir)  # a bad manifest fails before anything is counted
    stats = compute_stats(store, iris)
    triples = describe(iris, stats, manifest)
    store.replace_graph(description_graph(iris), to_nquads(triples, description_graph(iris)))
    return Loaded(triples, stats, manifest, time.perf_counter() - t0)


__all__ = [
    "DatasetError", "DumpFile", "Loaded", "Manifest", "OWL", "Stats", "compute_stats", "dataset_iri", "describe",
    "description_graph", "load_description", "read_manifest", "service_description", "to_turtle",
]
