"""The ontology (ontology/kamergraph.ttl) against its contract, ontology.namespaces.T.

Every kg: term the code uses is declared with the right kind, labelled and defined in Dutch and
English, aligned to outside vocabularies, and nothing under kg: is declared or used beyond T.
Tests are parametrised per term so that a failure names the term.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
import rdflib.namespace as rns
from rdflib import OWL, RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS

from ontology.namespaces import KG, PREFIXES, T

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_FILE = ROOT / "ontology" / "kamergraph.ttl"
TK_MODEL_FILE = ROOT / "data" / "tk-model" / "TK_Informatiemodel_ODP_0.90.ttl"

ONTOLOGY_IRI = URIRef("https://w3id.org/kamergraph/def")
# The TK information model's real IRIs are slash IRIs below this (not the '#' namespace).
TK_MODEL_NS = "https://opendata.tweedekamer.nl/documentatie"
VANN = "http://purl.org/vocab/vann/"
CC_BY_4 = URIRef("https://creativecommons.org/licenses/by/4.0/")

INDIVIDUALS = {"RolIndiener", "RolMedeindiener"}
ELI = "http://data.europa.eu/eli/ontology#"
PROV_ENTITY = "http://www.w3.org/ns/prov#Entity"
# Vocabularies that appear only as alignment targets in the ontology, never in the data (so they are
# not among ontology.namespaces.PREFIXES): DoCO for the footnote, Web Annotation for text positions.
ALIGNMENT_ONLY_NAMESPACES = ("http://purl.org/spar/doco/", "http://www.w3.org/ns/oa#")

# Datatype properties and their ranges (the literals in docs/example-graph.trig).
DATATYPE_RANGES: dict[str, URIRef] = {
    **{
        name: rns.XSD.string
        for name in (
            "zaaknummer tkId vergaderjaar status naamInBron resolutiemethode onopgelost "
            "tussenvoegsel voornamen voorletters tkPersoonId ledenlijstId parlementComId functie "
            "afkorting postsoort portefeuille publicatieId dossiernummer ondernummer bronbestand "
            "voortouwcommissie herkomst publicatiesoort zekerheid ruweTekst tekstfragment celex koppelmethode "
            "naamherkomst"
        ).split()
    },
    "afgedaan": rns.XSD.boolean,
    "waarnemend": rns.XSD.boolean,
    "geboortejaar": rns.XSD.gYear,
    "ontvangenOp": rns.XSD.date,
    "bronregel": rns.XSD.integer,
    "vraagnummer": rns.XSD.integer,
    "voetnootnummer": rns.XSD.integer,
    "beginpositie": rns.XSD.integer,
    "eindpositie": rns.XSD.integer,
    "betrouwbaarheid": rns.XSD.decimal,
}

# Object properties with a single named range class.
OBJECT_RANGES: dict[str, URIRef] = {
    "indiener": URIRef(KG + "Persoon"),
    "medeindiener": URIRef(KG + "Persoon"),
    "gerichtAanPersoon": URIRef(KG + "Persoon"),
    "persoon": URIRef(KG + "Persoon"),
    "gerichtAan": URIRef(KG + "Post"),
    "mogelijkGerichtAan": URIRef(KG + "Post"),
    "kandidaatpost": URIRef(KG + "Post"),
    "post": URIRef(KG + "Post"),
    "vraagstelling": URIRef(KG + "Vraagstelling"),
    "adressering": URIRef(KG + "Adressering"),
    "publicatie": URIRef(KG + "Publicatie"),
    "heeftVraag": URIRef(KG + "Vraag"),
    "heeftAntwoord": URIRef(KG + "Antwoord"),
    "beantwoordt": URIRef(KG + "Vraag"),
    "rol": URIRef(KG + "Vraagstellersrol"),
    "fractie": URIRef(KG + "Fractie"),
    "kamerlidmaatschap": URIRef(KG + "Kamerlidmaatschap"),
    "fractielidmaatschap": URIRef(KG + "Fractielidmaatschap"),
    "ambtsperiode": URIRef(KG + "Ambtsperiode"),
    "kabinet": URIRef(KG + "Kabinet"),
    "dossier": URIRef(KG + "Kamerstukdossier"),
    "tooi": RDFS.Resource,
    # published texts
    "betreft": URIRef(KG + "Kamervraag"),
    "antwoordDoor": URIRef(KG + "Persoon"),
    "antwoordVanuitPost": URIRef(KG + "Post"),
    "medeNamens": URIRef(KG + "Post"),
    "voetnoot": URIRef(KG + "Voetnoot"),
    "bijVraag": URIRef(KG + "Vraag"),
    # EU legislation
    "procedure": URIRef(KG + "EUProcedure"),
    "leiddeTot": URIRef(ELI + "LegalResource"),
    "herziet": URIRef(ELI + "LegalResource"),
}

# Every property's domain: a class, or the members of its owl:unionOf.
_SPAN_PARTS = frozenset({"Citatie", "Vraag", "Antwoord", "Voetnoot"})
DOMAINS: dict[str, frozenset[str]] = {
    **{n: frozenset({"Kamervraag"}) for n in (
        "zaaknummer tkId vergaderjaar status afgedaan voortouwcommissie indiener medeindiener vraagstelling "
        "gerichtAan gerichtAanPersoon mogelijkGerichtAan adressering heeftVraag heeftAntwoord").split()},
    **{n: frozenset({"Persoon"}) for n in (
        "tussenvoegsel voornamen voorletters geboortejaar tkPersoonId ledenlijstId parlementComId").split()},
    **{n: frozenset({"Publicatie"}) for n in (
        "publicatieId publicatiesoort ontvangenOp zekerheid betreft antwoordDoor antwoordVanuitPost medeNamens").split()},
    **{n: frozenset({"Vraagstelling"}) for n in "rol fractie kamerlidmaatschap fractielidmaatschap".split()},
    **{n: frozenset({"Vraagstelling", "Adressering"}) for n in ("naamInBron", "onopgelost")},
    "resolutiemethode": frozenset({"Vraagstelling", "Adressering", "Citatie"}),
    "publicatie": frozenset({"Kamervraag", "Antwoord", "Kamerstuk"}),  # as the shapes allow
    "persoon": frozenset({"Vraagstelling", "Adressering", "Ambtsperiode"}),
    "post": frozenset({"Adressering", "Ambtsperiode"}),
    "ambtsperiode": frozenset({"Adressering"}),
    "kandidaatpost": frozenset({"Adressering"}),
    "kabinet": frozenset({"Ambtsperiode"}),
    "waarnemend": frozenset({"Ambtsperiode"}),
    "beantwoordt": frozenset({"Antwoord"}),
    "vraagnummer": frozenset({"Vraag"}),
    "functie": frozenset({"Fractielidmaatschap"}),
    "herkomst": frozenset({"Kamerlidmaatschap", "Fractielidmaatschap"}),
    "naamherkomst": frozenset({"Persoon"}),
    "afkorting": frozenset({"Fractie", "Ministerie"}),
    "postsoort": frozenset({"Post"}),
    "portefeuille": frozenset({"Post"}),
    "tooi": frozenset({"Ministerie"}),
    "dossier": frozenset({"Kamerstuk"}),
    "ondernummer": frozenset({"Kamerstuk"}),
    "dossiernummer": frozenset({"Kamerstukdossier", "Kamerstuk"}),
    "bronbestand": frozenset({PROV_ENTITY}),
    "bronregel": frozenset({PROV_ENTITY}),
    # published texts
    "ruweTekst": frozenset({"Vraag", "Antwoord", "Voetnoot"}),
    "voetnoot": frozenset({"Vraag", "Antwoord"}),
    "voetnootnummer": frozenset({"Voetnoot"}),
    "bijVraag": frozenset({"Voetnoot"}),
    "tekstfragment": _SPAN_PARTS,
    "beginpositie": _SPAN_PARTS,
    "eindpositie": _SPAN_PARTS,
    # EU legislation
    "celex": frozenset({ELI + "LegalResource", "EUVoorstel"}),
    "koppelmethode": frozenset({"Citatie"}),
    "betrouwbaarheid": frozenset({"Citatie"}),
    "procedure": frozenset({"EUVoorstel"}),
    "herziet": frozenset({"EUVoorstel"}),
    "leiddeTot": frozenset({"EUProcedure"}),
}

ALIGNMENT_PREDICATES = (
    RDFS.subClassOf,
    OWL.equivalentClass,
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
)
ALL_ALIGNMENT_PREDICATES = (
    *ALIGNMENT_PREDICATES,
    RDFS.subPropertyOf,
    OWL.equivalentProperty,
    SKOS.relatedMatch,
)
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual)


def local(iri: str) -> str:
    return iri[len(KG) :] if iri.startswith(KG) else iri


def expected_kind(name: str) -> URIRef:
    if name in INDIVIDUALS:
        return OWL.NamedIndividual
    if name[0].isupper():
        return OWL.Class
    if name in DATATYPE_RANGES:
        return OWL.DatatypeProperty
    return OWL.ObjectProperty


T_KG_TERMS: list[str] = sorted(
    {v for k, v in vars(T).items() if not k.startswith("_") and isinstance(v, str) and v.startswith(KG)}
)
T_KG_NAMES = [local(t) for t in T_KG_TERMS]


@lru_cache(maxsize=1)
def load() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def _safe_graph() -> Graph:
    """The graph for collecting parameters; an empty one if it does not parse (test_parses fails)."""
    try:
        return load()
    except Exception:  # noqa: BLE001 - reported by test_parses
        return Graph()


def declared(g: Graph) -> set[URIRef]:
    return {s for kind in KINDS for s in g.subjects(RDF.type, kind) if isinstance(s, URIRef) and s.startswith(KG)}


def used(g: Graph) -> set[URIRef]:
    return {n for triple in g for n in triple if isinstance(n, URIRef) and n.startswith(KG)}


_G = _safe_graph()
DECLARED = sorted(declared(_G))
DECLARED_CLASSES = sorted(c for c in DECLARED if (c, RDF.type, OWL.Class) in _G)
DECLARED_PROPERTIES = sorted(
    p for p in DECLARED if (p, RDF.type, OWL.ObjectProperty) in _G or (p, RDF.type, OWL.DatatypeProperty) in _G
)
USED = sorted(used(_G))
TK_IRIS = sorted({o for o in _G.objects() if isinstance(o, URIRef) and o.startswith(TK_MODEL_NS + "/")})
OUTSIDE_ALIGNMENT_TARGETS = sorted(
    {
        o
        for p in ALL_ALIGNMENT_PREDICATES
        for s, o in _G.subject_objects(p)
        if isinstance(o, URIRef) and not o.startswith(KG)
    }
)


def ids(terms: list[URIRef]) -> list[str]:
    return [local(str(t)) for t in terms]


@pytest.fixture(scope="module")
def g() -> Graph:
    return load()


@pytest.fixture(scope="module")
def tk_model() -> Graph:
    return Graph().parse(TK_MODEL_FILE, format="turtle")


def class_members(g: Graph, node) -> set:
    """A named class, or the members of an owl:unionOf class expression."""
    if isinstance(node, BNode):
        union = g.value(node, OWL.unionOf)
        assert union is not None, "a class expression other than owl:unionOf"
        return set(Collection(g, union))
    return {node}


# ------------------------------------------------------------------------------- the file


def test_parses() -> None:
    g = load()
    assert len(g) > 100


def test_loads_in_oxigraph() -> None:
    pyoxigraph = pytest.importorskip("pyoxigraph")
    store = pyoxigraph.Store()
    store.load(path=str(ONTOLOGY_FILE), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(load())


def test_ontology_header(g: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert g.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    for prop in (DCTERMS.title, DCTERMS.description):
        langs = {o.language for o in g.objects(ONTOLOGY_IRI, prop) if isinstance(o, Literal)}
        assert {"nl", "en"} <= langs, f"{prop} needs @nl and @en"
    assert (ONTOLOGY_IRI, DCTERMS.license, CC_BY_4) in g
    assert (ONTOLOGY_IRI, URIRef(VANN + "preferredNamespacePrefix"), Literal("kg")) in g
    comments = " ".join(str(c) for c in g.objects(ONTOLOGY_IRI, RDFS.comment))
    for example in (
        "http://data.europa.eu/eli/reg/2009/428/oj",
        "http://publications.europa.eu/resource/celex/52016PC0616",
        "http://publications.europa.eu/resource/procedure/2016_295",
        "eli:LegalResource",
    ):
        assert example in comments, f"the comment on EU legal resources should mention {example}"


# ------------------------------------------------------------------------------- contract with T


def test_t_has_kg_terms() -> None:
    assert len(T_KG_TERMS) > 50


@pytest.mark.parametrize("name", T_KG_NAMES)
def test_t_term_declared_with_kind(g: Graph, name: str) -> None:
    term = URIRef(KG + name)
    kind = expected_kind(name)
    kinds = {k for k in KINDS if (term, RDF.type, k) in g}
    assert kinds, f"kg:{name} is in T but not declared in the ontology"
    assert kind in kinds, f"kg:{name} should be a {local(kind)}, is {sorted(map(str, kinds))}"
    if kind == OWL.NamedIndividual:
        assert (term, RDF.type, URIRef(KG + "Vraagstellersrol")) in g
    else:
        assert kinds == {kind}, f"kg:{name} is declared with more than one kind: {sorted(map(str, kinds))}"


@pytest.mark.parametrize("term", DECLARED, ids=ids(DECLARED))
def test_declared_term_is_in_t(term: URIRef) -> None:
    assert str(term) in T_KG_TERMS, f"{local(term)} is declared but not in ontology.namespaces.T"


@pytest.mark.parametrize("term", USED, ids=ids(USED))
def test_used_kg_term_is_declared(g: Graph, term: URIRef) -> None:
    assert term in declared(g), f"kg:{local(term)} is used in the ontology but not declared"


# ------------------------------------------------------------------------------- labels, definitions


@pytest.mark.parametrize("term", DECLARED, ids=ids(DECLARED))
def test_labels_and_definitions(g: Graph, term: URIRef) -> None:
    for prop in (RDFS.label, SKOS.definition):
        values = [o for o in g.objects(term, prop) if isinstance(o, Literal)]
        for lang in ("nl", "en"):
            of_lang = [v for v in values if v.language == lang]
            assert len(of_lang) == 1, f"kg:{local(term)} needs exactly one {prop.n3(g.namespace_manager)}@{lang}"
            assert str(of_lang[0]).strip(), f"kg:{local(term)} has an empty {prop}@{lang}"
    labels = {str(o).lower() for o in g.objects(term, RDFS.label)}
    for d in g.objects(term, SKOS.definition):
        text = str(d)
        assert len(text.split()) >= 5, f"kg:{local(term)}: definition@{d.language} is too short: {text!r}"
        assert text.endswith("."), f"kg:{local(term)}: definition@{d.language} should be a sentence: {text!r}"
        assert text.lower().rstrip(".") not in labels, f"kg:{local(term)}: definition repeats the label"
    assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in g, f"kg:{local(term)} lacks rdfs:isDefinedBy"


# ------------------------------------------------------------------------------- properties


@pytest.mark.parametrize("prop", DECLARED_PROPERTIES, ids=ids(DECLARED_PROPERTIES))
def test_property_has_domain_and_range(g: Graph, prop: URIRef) -> None:
    domains = list(g.objects(prop, RDFS.domain))
    ranges = list(g.objects(prop, RDFS.range))
    assert len(domains) == 1, f"kg:{local(prop)} needs exactly one rdfs:domain, has {len(domains)}"
    assert len(ranges) == 1, f"kg:{local(prop)} needs exactly one rdfs:range, has {len(ranges)}"
    for cls in class_members(g, domains[0]):
        assert isinstance(cls, URIRef), f"kg:{local(prop)}: nested class expression in the domain"
        if cls.startswith(KG):
            assert (cls, RDF.type, OWL.Class) in g, f"kg:{local(prop)}: domain {local(cls)} is not a class"


@pytest.mark.parametrize("name", sorted(DATATYPE_RANGES))
def test_datatype_property_range(g: Graph, name: str) -> None:
    prop = URIRef(KG + name)
    assert (prop, RDF.type, OWL.DatatypeProperty) in g, f"kg:{name} is not a datatype property"
    assert list(g.objects(prop, RDFS.range)) == [DATATYPE_RANGES[name]], f"kg:{name} has the wrong range"


@pytest.mark.parametrize("name", sorted(OBJECT_RANGES))
def test_object_property_range(g: Graph, name: str) -> None:
    prop = URIRef(KG + name)
    assert (prop, RDF.type, OWL.ObjectProperty) in g, f"kg:{name} is not an object property"
    assert list(g.objects(prop, RDFS.range)) == [OBJECT_RANGES[name]], f"kg:{name} has the wrong range"


def test_every_object_property_in_t_has_an_expected_range() -> None:
    object_props = {n for n in T_KG_NAMES if expected_kind(n) == OWL.ObjectProperty}
    assert object_props == set(OBJECT_RANGES), "OBJECT_RANGES in this test is out of step with T"


def test_every_property_in_t_has_an_expected_domain() -> None:
    props = {n for n in T_KG_NAMES if expected_kind(n) in (OWL.ObjectProperty, OWL.DatatypeProperty)}
    assert props == set(DOMAINS), (
        f"DOMAINS in this test is out of step with T: missing {sorted(props - set(DOMAINS))}, "
        f"extra {sorted(set(DOMAINS) - props)}")


@pytest.mark.parametrize("name", sorted(DOMAINS))
def test_property_domain(g: Graph, name: str) -> None:
    (domain,) = g.objects(URIRef(KG + name), RDFS.domain)
    expected = {URIRef(c if ":" in c else KG + c) for c in DOMAINS[name]}
    assert class_members(g, domain) == expected, f"kg:{name} has the wrong domain"


def test_persoon_domain_is_the_union_of_the_qualified_relations(g: Graph) -> None:
    (domain,) = g.objects(URIRef(T.persoon), RDFS.domain)
    assert class_members(g, domain) == {URIRef(T.Vraagstelling), URIRef(T.Adressering), URIRef(T.Ambtsperiode)}


def test_roles_are_the_two_asker_roles(g: Graph) -> None:
    members = {
        m for one_of in g.objects(URIRef(T.Vraagstellersrol), OWL.oneOf) for m in Collection(g, one_of)
    }
    assert members == {URIRef(T.RolIndiener), URIRef(T.RolMedeindiener)}


# ------------------------------------------------------------------------------- alignment


@pytest.mark.parametrize("cls", DECLARED_CLASSES, ids=ids(DECLARED_CLASSES))
def test_class_is_aligned_to_an_outside_term(g: Graph, cls: URIRef) -> None:
    outside = {
        o
        for p in ALIGNMENT_PREDICATES
        for o in g.objects(cls, p)
        if isinstance(o, URIRef) and not o.startswith(KG) and o not in (OWL.Thing, RDFS.Resource)
    }
    assert outside, f"kg:{local(cls)} is not aligned to any term outside kg:"


@pytest.mark.parametrize(
    ("name", "superterm"),
    [
        ("Persoon", "http://xmlns.com/foaf/0.1/Person"),
        ("Persoon", "https://schema.org/Person"),
        ("Fractie", "http://www.w3.org/ns/org#Organization"),
        ("Fractielidmaatschap", "http://www.w3.org/ns/org#Membership"),
        ("Kamerlidmaatschap", "http://www.w3.org/ns/org#Membership"),
        ("Post", "http://www.w3.org/ns/org#Post"),
        ("Ministerie", "http://www.w3.org/ns/org#FormalOrganization"),
        ("Kamer", "http://www.w3.org/ns/org#FormalOrganization"),
        ("Kabinet", "http://www.w3.org/ns/org#Organization"),
        ("Kamervraag", "http://www.w3.org/ns/prov#Entity"),
        ("Bronrecord", "http://www.w3.org/ns/prov#Entity"),
        ("Vraag", "https://schema.org/Question"),
        ("Antwoord", "https://schema.org/Answer"),
        ("Publicatie", "http://xmlns.com/foaf/0.1/Document"),
        ("Citatie", "http://purl.org/spar/cito/Citation"),
        ("Voetnoot", "http://purl.org/spar/doco/Footnote"),
        ("EUProcedure", "http://www.w3.org/ns/prov#Activity"),
        ("indiener", "http://purl.org/dc/terms/creator"),
        ("medeindiener", "http://purl.org/dc/terms/contributor"),
        ("antwoordDoor", "http://purl.org/dc/terms/creator"),
        ("ontvangenOp", "http://purl.org/dc/terms/dateAccepted"),
        ("voetnootnummer", "https://schema.org/position"),
        ("celex", "http://purl.org/dc/terms/identifier"),
        ("leiddeTot", "http://www.w3.org/ns/prov#generated"),
    ],
)
def test_key_alignments(g: Graph, name: str, superterm: str) -> None:
    term = URIRef(KG + name)
    pred = RDFS.subClassOf if name[0].isupper() else RDFS.subPropertyOf
    assert (term, pred, URIRef(superterm)) in g, f"kg:{name} should be {local(pred)} <{superterm}>"


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("EUVoorstel", "http://data.europa.eu/eli/eli-draft-legislation-ontology#DraftLegislationWork"),
        ("EUProcedure", "http://data.europa.eu/eli/eli-draft-legislation-ontology#LegislativeProcess"),
        ("celex", "http://data.europa.eu/eli/ontology#id_local"),
        ("beginpositie", "http://www.w3.org/ns/oa#start"),
        ("eindpositie", "http://www.w3.org/ns/oa#end"),
        ("tekstfragment", "http://www.w3.org/ns/oa#exact"),
    ],
)
def test_close_matches(g: Graph, name: str, match: str) -> None:
    assert (URIRef(KG + name), SKOS.closeMatch, URIRef(match)) in g, f"kg:{name} should be skos:closeMatch <{match}>"


def test_eu_proposal_is_not_an_eli_legal_resource(g: Graph) -> None:
    """A proposal is not an adopted act: the shapes for eli:LegalResource must not reach it."""
    assert (URIRef(T.EUVoorstel), RDFS.subClassOf, URIRef(T.EULegalResource)) not in g
    # eli:id_local's domain would make every proposal with a CELEX number an ELI resource
    assert (URIRef(T.celex), RDFS.subPropertyOf, URIRef(ELI + "id_local")) not in g


def test_aligned_to_the_tk_model() -> None:
    assert TK_IRIS, "no alignment to the Tweede Kamer information model"


@pytest.mark.parametrize("iri", TK_IRIS, ids=[str(i).rsplit("/", 1)[-1] for i in TK_IRIS])
def test_tk_iri_exists_in_the_tk_model(tk_model: Graph, iri: URIRef) -> None:
    assert (iri, RDF.type, None) in tk_model, f"<{iri}> is not declared in {TK_MODEL_FILE.name}"


@pytest.mark.parametrize("iri", OUTSIDE_ALIGNMENT_TARGETS, ids=[str(i) for i in OUTSIDE_ALIGNMENT_TARGETS])
def test_alignment_target_is_in_a_known_namespace(iri: URIRef) -> None:
    namespaces = [ns for p, ns in PREFIXES.items() if p not in ("kg", "tk")] + [TK_MODEL_NS + "/"]
    namespaces += ALIGNMENT_ONLY_NAMESPACES
    assert any(iri.startswith(ns) for ns in namespaces), f"<{iri}> is in no known namespace (typo?)"
