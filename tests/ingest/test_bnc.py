"""The BNC-fiche bridge (issue 16 §5, ingest/bnc.py) on real fiches of dossier 22112 (data/bnc/): Document
records built from the fiches' real titles, as a sync brings them, and the fiches' published texts.
Kamerstuk 22 112, nr. 2240 (4 November 2016) is the fiche "Dual-Useverordening" of COM(2016) 616;
nr. 1285 (12 December 2011) the fiche of COM(2011) 704, which amended Regulation 428/2009."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad, RdfFormat, Store, Variable, parse

from ingest.bnc import commission_numbers, fiche_graph, fiche_of_document, link_fiche
from ingest.citations import find_citations
from ingest.citations.register import default_register
from ingest.map_text import cited_node
from ingest.records import SourceRef
from kamergraph.inputs import ontology_graph
from ontology.namespaces import Iris, T

DATA = Path(__file__).resolve().parents[2] / "data" / "bnc"
IRIS = Iris("https://kamergraph.nl/")
ROWS = {r["number"]: r for r in csv.DictReader((DATA / "fiches.csv").open(encoding="utf-8"))}
SRC = SourceRef("sync/mirror.jsonl", 1)


def record(row: dict, **change) -> dict:
    """A Tweede Kamer OData Document of the fiche, as the API gives it (the fields the publication shows)."""
    rec = {"Soort": "Brief regering", "Onderwerp": row["title"], "Titel": "Nieuwe Commissievoorstellen en "
           "initiatieven van de lidstaten van de Europese Unie", "Volgnummer": int(row["number"]),
           "Datum": row["date"] + "T00:00:00+01:00", "Kamerstukdossier": [{"Nummer": int(row["dossier"])}],
           "Verwijderd": False}
    rec.update(change)
    return rec


def text(number: str) -> str:
    return (DATA / "texts" / f"kst-22112-{number}.txt").read_text(encoding="utf-8")


def test_a_document_of_dossier_22112_titled_fiche_is_a_fiche() -> None:
    fiche = fiche_of_document(record(ROWS["2240"]), SRC)
    assert fiche is not None
    assert (fiche.dossier, fiche.number, fiche.title, str(fiche.date), fiche.publication_id) == (
        "22112", "2240", "Fiche: Dual-Useverordening", "2016-11-04", "kst-22112-2240")
    # by the dossier's Id, as a sync reads the Kamerstukdossier records
    by_id = record(ROWS["2240"], Kamerstukdossier=None, Kamerstukdossier_Id="d-22112")
    assert fiche_of_document(by_id, SRC, {"d-22112": "22112"}) == fiche
    # not a fiche: another dossier, a letter of the dossier that is no fiche (kst-22112-3902, the cabinet's
    # appraisal of the export control white paper), a deleted record, a record without its number
    assert fiche_of_document(record(ROWS["2240"], Kamerstukdossier=[{"Nummer": 22054}]), SRC) is None
    assert fiche_of_document(record(ROWS["2240"], Onderwerp="Kabinetsappreciatie witboek over Exportcontrole",
                                    Volgnummer=3902), SRC) is None
    assert fiche_of_document(record(ROWS["2240"], Verwijderd=True), SRC) is None
    assert fiche_of_document(record(ROWS["2240"], Volgnummer=None), SRC) is None


@pytest.mark.parametrize("number, com, printed", [("2240", "COM(2016) 616", "COM(2016) 616"),
                                                  ("1285", "COM(2011) 704", "COM (2011) 704")])
def test_the_commission_number_is_read_from_the_fiches_own_section(number: str, com: str, printed: str) -> None:
    fiche = fiche_of_document(record(ROWS[number]), SRC)
    [c] = commission_numbers(fiche, text(number))
    assert (c.number, c.text, c.where, c.proposal) == (com, printed, "tekst", True)
    assert text(number)[c.span.start:c.span.end] == printed


def test_a_fiche_listed_in_a_covering_letter_is_not_read_from_that_letter() -> None:
    # nr. 2240's letter lists "Fiche: Richtlijn auteursrechten in de digitale eengemaakte markt (Kamerstuk 22 112,
    # nr. 2237)": that fiche is its own Kamerstuk; the Commission number in nr. 2240 is not its
    fiche = fiche_of_document(record(ROWS["2240"], Onderwerp="Fiche: Richtlijn auteursrechten in de digitale "
                                     "eengemaakte markt", Volgnummer=2237), SRC)
    assert fiche is not None and commission_numbers(fiche, text("2240")) == []
    graph, notes = fiche_graph(record(ROWS["2240"], Onderwerp=fiche.title, Volgnummer=2237), SRC, text("2240"), IRIS)
    assert graph is None and notes == [f"kst-22112-2237: fiche {fiche.title!r} names no Commission number"]


def test_the_numbers_link_to_the_register_or_to_the_proposals_celex() -> None:
    reg = default_register()
    links, notes = link_fiche(f := fiche_of_document(record(ROWS["2240"]), SRC),
                              commission_numbers(f, text("2240")), reg)
    assert [(l.register_key, l.target) for l in links] == [("com-2016-616", reg["com-2016-616"].iri)]
    links, notes = link_fiche(f := fiche_of_document(record(ROWS["1285"]), SRC),
                              commission_numbers(f, text("1285")), reg)
    # COM(2011) 704 is in no register row; the fiche calls it a proposal ("Titel voorstel: Voorstel voor een verordening")
    assert [(l.register_key, l.target) for l in links] == [
        (None, "http://publications.europa.eu/resource/celex/52011PC0704")] and notes == []


def _store(*nquads: str) -> Store:
    s = Store()
    for q in nquads:
        s.bulk_load(q.encode("utf-8"), format=RdfFormat.N_QUADS)
    return s


def test_a_question_citing_the_fiche_reaches_the_proposal() -> None:
    graph, notes = fiche_graph(record(ROWS["2240"]), SRC, text("2240"), IRIS)
    assert graph is not None and notes == []
    # the citation "Kamerstuk 22 112, nr. 2240" as the parser finds it in a text lands on the fiche's own node
    [c] = [c for c in find_citations("Zie het BNC-fiche (Kamerstuk 22 112, nr. 2240).") if c.kind == "kamerstuk"]
    fiche_node = cited_node(c, IRIS)
    assert fiche_node == f"<{IRIS.kamerstuk('22112', '2240')}>"
    vraag = NamedNode(IRIS.vraag("2019Z15231", 6))
    store = _store(graph.nquads)
    store.add(Quad(vraag, NamedNode(T.cites), NamedNode(fiche_node[1:-1])))
    rows = store.query("""PREFIX cito: <http://purl.org/spar/cito/> PREFIX kg: <https://w3id.org/kamergraph/def#>
        SELECT ?vraag ?voorstel ?woorden ?hoe WHERE { ?vraag cito:cites ?fiche . ?fiche cito:cites ?voorstel .
          ?c cito:hasCitingEntity ?fiche ; cito:hasCitedEntity ?voorstel ; kg:tekstfragment ?woorden ;
             kg:resolutiemethode ?hoe }""", use_default_graph_as_union=True, substitutions={Variable("vraag"): vraag})
    assert [(r["voorstel"].value, r["woorden"].value, r["hoe"].value) for r in rows] == [
        ("http://publications.europa.eu/resource/celex/52016PC0616", "COM(2016) 616", "eu-proposal:bnc-fiche")]


def test_the_fiche_graph_conforms_to_the_shapes() -> None:
    from shapes.validate import FastValidator

    graph, _ = fiche_graph(record(ROWS["1285"]), SRC, text("1285"), IRIS)
    store = _store(ontology_graph(IRIS).nquads, graph.nquads)
    report = FastValidator().validate_store(store, graphs=[graph.iri])
    assert [r for r in report.results if r.severity == "Violation"] == []
    assert len(list(parse(graph.nquads.encode(), format=RdfFormat.N_QUADS))) > 10


def test_without_its_text_a_fiche_whose_title_prints_no_number_is_reported() -> None:
    graph, notes = fiche_graph(record(ROWS["1285"]), SRC, None, IRIS)
    assert graph is None and notes == [
        "kst-22112-1285: fiche 'Fiche: Verordening controle op handel in goederen voor tweeërlei gebruik' names no "
        "Commission number in its title (its text was not fetched)"]


def test_the_example_graph_shows_a_fiche_and_a_title_link_as_they_are_made() -> None:
    """docs/example-graph.trig's excerpts of a fiche's graph and of an EU link found in a title: every statement
    is one the mapping makes of the real records (the fiche nr. 2240 and its text; Zaak 2011Z09259's title),
    and the fiche's excerpt conforms to the shapes."""
    import datetime as dt
    import gzip
    import json

    from ingest.citations.linker import link_title
    from ingest.map import GraphBuilder, map_eu_links, node
    from shapes.validate import FastValidator

    root = DATA.parents[1]
    example = Store()
    example.load(path=str(root / "docs" / "example-graph.trig"), format=RdfFormat.TRIG)

    def triples(store: Store, graph: str) -> set:
        return {q.triple for q in store.quads_for_pattern(None, None, None, NamedNode(graph))}

    fiche, _ = fiche_graph(record(ROWS["2240"]), SRC, text("2240"), IRIS)
    shown = triples(example, fiche.iri)
    assert len(shown) >= 15 and shown <= triples(_store(fiche.nquads), fiche.iri)
    store = _store(ontology_graph(IRIS).nquads)
    store.extend(example.quads_for_pattern(None, None, None, NamedNode(fiche.iri)))
    assert [r for r in FastValidator().validate_store(store, graphs=[fiche.iri]).results] == []

    line = next(ln for ln in gzip.open(root / "data" / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz", "rt",
                                       encoding="utf-8") if '"2011Z09259"' in ln)
    zaak = json.loads(line)
    kv = IRIS.kamervraag("2011Z09259")
    b = GraphBuilder(IRIS.zaak_graph("2011Z09259"))
    map_eu_links(b, node(kv), link_title(zaak["Onderwerp"], dt.date.fromisoformat(zaak["GestartOp"][:10])))
    made = triples(_store(b.graph().nquads), IRIS.zaak_graph("2011Z09259"))
    links = {t for t in triples(example, IRIS.zaak_graph("2011Z09259")) if "/eu-koppeling/" in t.subject.value
             or t.predicate.value == T.cites}
    assert len(links) == 10 and links == made
