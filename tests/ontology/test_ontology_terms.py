"""Every term of the OWL file is documented: rdfs:label and skos:definition in Dutch and English.

The check (:func:`ontology.vocabulary.undocumented`) is what keeps the documentation page complete; it
is shown to catch a term added to a copy of the file without them, and that such a term still shows
up on the page's term list and, for a class, in the diagram (the page lists what the file declares,
whatever it is). Bad files are refused with an error naming the file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from ontology.diagram import diagram_svg
from ontology.vocabulary import ONTOLOGY_FILE, KINDS, OntologyFileError, read, undocumented

KG = "https://w3id.org/kamergraph/def#"

ADDITION = """
kg:Motie a owl:Class ;
    rdfs:subClassOf prov:Entity ;
    rdfs:isDefinedBy <https://w3id.org/kamergraph/def> .

kg:ingediendDoor a owl:ObjectProperty ;
    rdfs:label "ingediend door"@nl ;
    skos:definition "De persoon die deze motie heeft ingediend."@nl ;
    rdfs:domain kg:Motie ;
    rdfs:range kg:Persoon .

kg:notitie a owl:AnnotationProperty ;
    rdfs:label "notitie"@nl , "note"@en ;
    skos:definition "Een opmerking bij een term."@nl , "   "@en .
"""


@pytest.fixture()
def amended(tmp_path: Path) -> Path:
    copy = tmp_path / "kamergraph.ttl"
    copy.write_text(ONTOLOGY_FILE.read_text(encoding="utf-8") + ADDITION, encoding="utf-8")
    return copy


def test_every_term_in_the_file_is_documented_in_both_languages() -> None:
    vocab = read(ONTOLOGY_FILE)
    assert undocumented(vocab) == []
    g = Graph().parse(ONTOLOGY_FILE, format="turtle")
    declared = {str(s) for _, t in KINDS for s in g.subjects(RDF.type, t)
                if isinstance(s, URIRef) and str(s).startswith(KG)}
    assert {t.iri for t in vocab.terms} == declared  # the check looks at every term rdflib finds
    assert len(declared) > 80


def test_the_check_catches_terms_added_without_labels_or_definitions(amended: Path) -> None:
    problems = undocumented(read(amended))
    assert problems == [
        f"{amended}: kg:Motie (class) has no rdfs:label@nl",
        f"{amended}: kg:Motie (class) has no rdfs:label@en",
        f"{amended}: kg:Motie (class) has no skos:definition@nl",
        f"{amended}: kg:Motie (class) has no skos:definition@en",
        f"{amended}: kg:ingediendDoor (object) has no rdfs:label@en",
        f"{amended}: kg:ingediendDoor (object) has no skos:definition@en",
        f"{amended}: kg:notitie (annotation) has no skos:definition@en",
    ]


def test_an_added_term_is_listed_and_drawn(amended: Path) -> None:
    from server.ontology_examples import Examples
    from server.ontology_terms import term_views

    vocab = read(amended)
    listed = {t.iri for s in term_views(vocab, Examples(), "nl") for t in s.terms}
    assert {KG + "Motie", KG + "ingediendDoor", KG + "notitie"} <= listed
    assert {t.iri for t in vocab.terms} == listed
    svg = diagram_svg(vocab)
    assert f'data-iri="{KG}Motie"' in svg and ">ingediendDoor<" in svg


def test_a_broken_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "kamergraph.ttl"
    broken = '\nkg:Kapot a owl:Class ; rdfs:label "open .\n'  # an unterminated string
    bad.write_text(ONTOLOGY_FILE.read_text(encoding="utf-8") + broken, encoding="utf-8")
    with pytest.raises(OntologyFileError, match=re.escape(str(bad))):
        read(bad)
    with pytest.raises(OntologyFileError, match="cannot read"):
        read(tmp_path / "missing.ttl")


def test_declared_kinds_cover_what_the_file_uses() -> None:
    """Every rdf:type a kg term has is one of the kinds the page lists (or an individual's class)."""
    g = Graph().parse(ONTOLOGY_FILE, format="turtle")
    kinds = {t for _, t in KINDS}
    for s, o in g.subject_objects(RDF.type):
        if isinstance(s, URIRef) and str(s).startswith(KG):
            assert o in kinds or str(o).startswith(KG) or o == OWL.Thing, f"{s} is typed {o}"
