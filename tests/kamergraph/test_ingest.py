"""`kamergraph ingest` and the published texts in the graph: the founding document's graph
against its golden file, its facts, bad input, and replacing a text's graph."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kamergraph.build import build
from kamergraph.cli import main
from ontology.namespaces import Iris
from store.embedded import EmbeddedStore

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
SEED = DATA / "texts" / "seed" / "kv-tk-2019Z15231.txt"
GOLDEN = ROOT / "tests" / "golden" / "publicatie-kv-tk-2019Z15231.ttl"
IRIS = Iris("https://kamergraph.nl/")
PUB_GRAPH = IRIS.graph("publicatie", "kv-tk-2019Z15231")


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with a slice of real OData cases (the seed's among them), no texts yet."""
    tmp = tmp_path_factory.mktemp("ingest")
    with gzip.open(DATA / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz", "rt", encoding="utf-8") as fh:
        lines = [ln for i, ln in enumerate(fh) if i < 30 or '"2019Z15231"' in ln]
    odata = tmp / "slice.jsonl.gz"
    odata.write_bytes(gzip.compress("".join(lines).encode("utf-8")))
    store = EmbeddedStore(tmp / "store")
    build(store, DATA, IRIS, odata_file=odata, texts=[])
    store.close()
    return tmp / "store"


def graph_of(store_path: Path, graph: str) -> Graph:
    store = EmbeddedStore(store_path)
    data = store.graph_nquads(graph).decode("utf-8")
    store.close()
    ds = Dataset()
    ds.parse(data=data, format="nquads")
    out = Graph()
    for t in ds.graph(URIRef(graph)):
        out.add(t)
    return out


def test_ingest_seed_matches_golden_and_bad_files_cost_nothing(small_store: Path, tmp_path: Path, capsys) -> None:
    empty = tmp_path / "leeg.txt"
    empty.write_text("")
    binary = tmp_path / "binair.txt"
    binary.write_bytes(b"\x00\x01\x02kv-tk\x00")
    not_zip = tmp_path / "brief.docx"
    not_zip.write_text("dit is geen Word-bestand")
    before = len(EmbeddedStore(small_store))  # opened and dropped again at once

    code = main(["ingest", "--store", str(small_store), str(SEED), str(empty), str(binary), str(not_zip)])
    out = capsys.readouterr().out
    assert code == 1  # not every file loaded
    assert f"loaded: {SEED}" in out or "loaded: data/texts/seed/kv-tk-2019Z15231.txt" in out
    assert "unparseable" in out and "the file is empty" in out
    assert "NUL" in out and "not a zip" in out
    assert "repaired to 'kv-tk-2019Z15231'" in out

    got = graph_of(small_store, PUB_GRAPH)
    golden = Graph().parse(GOLDEN, format="turtle")
    if not isomorphic(got, golden):
        _, only_got, only_golden = graph_diff(to_isomorphic(got), to_isomorphic(golden))
        pytest.fail("the seed's text graph differs from its golden file\nonly in the ingest:\n"
                    + only_got.serialize(format="nt") + "\nonly in the golden file:\n" + only_golden.serialize(format="nt"))
    store = EmbeddedStore(small_store)
    assert len(store) > before
    # ingesting again replaces the graph: same store
    n = len(store)
    store.close()
    assert main(["ingest", "--store", str(small_store), str(SEED)]) == 0
    assert len(EmbeddedStore(small_store)) == n


FACTS = """
PREFIX kg: <https://w3id.org/kamergraph/def#>
PREFIX schema: <https://schema.org/>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?n ?fn ?cited WHERE {
  <https://kamergraph.nl/id/kamervraag/2019Z15231> kg:heeftVraag ?v .
  ?v kg:vraagnummer ?n .
  OPTIONAL { ?v kg:voetnoot ?f . ?f kg:voetnootnummer ?fn . OPTIONAL { ?f cito:cites ?cited } }
} ORDER BY ?n ?fn
"""


def test_seed_facts(small_store: Path) -> None:
    main(["ingest", "--store", str(small_store), str(SEED)])
    store = EmbeddedStore(small_store)
    rows = store.query(FACTS).values()
    questions = sorted({int(r["n"]) for r in rows})
    assert questions == list(range(1, 11))
    notes = {(int(r["n"]), int(r["fn"])): r["cited"] for r in rows if r["fn"]}
    assert set(notes) == {(1, 1), (7, 2), (10, 3)}
    assert notes[(1, 1)].startswith("https://decorrespondent.nl/10307/berucht-chinees-veiligheidsministerie")
    assert notes[(7, 2)] == IRIS.kamerstuk("22112", "2686")
    assert "vgem" in notes[(10, 3)].lower() or "handboek" in notes[(10, 3)].lower()
    q6 = store.query(
        "PREFIX cito: <http://purl.org/spar/cito/> PREFIX kg: <https://w3id.org/kamergraph/def#> "
        "SELECT ?t ?proc ?act WHERE { <https://kamergraph.nl/id/kamervraag/2019Z15231/vraag/6> cito:cites ?t . "
        "OPTIONAL { ?t kg:procedure ?proc } OPTIONAL { ?t kg:herziet ?act } }"
    ).values()
    assert {"t": "http://publications.europa.eu/resource/celex/52016PC0616",
            "proc": "http://publications.europa.eu/resource/procedure/2016_295",
            "act": "http://data.europa.eu/eli/reg/2009/428/oj"} in q6
    texts = {int(r["n"]): r["t"] for r in store.query(
        "PREFIX kg: <https://w3id.org/kamergraph/def#> PREFIX schema: <https://schema.org/> "
        "SELECT ?n ?t WHERE { <https://kamergraph.nl/id/kamervraag/2019Z15231> kg:heeftVraag ?v . "
        "?v kg:vraagnummer ?n ; schema:text ?t }").values()}
    assert "ministerie" in texts[1] and "gezichtsherkenningssoftware" in texts[7]
    assert "dual use-verordening" in texts[6]
    assert not any("s-Gravenhage" in t or "Vragen 1" in t for t in texts.values())
    letter = store.query(
        "PREFIX kg: <https://w3id.org/kamergraph/def#> PREFIX dcterms: <http://purl.org/dc/terms/> "
        "PREFIX cito: <http://purl.org/spar/cito/> SELECT ?d WHERE { ?c cito:hasCitingEntity "
        "<https://kamergraph.nl/id/kamervraag/2019Z15231/vraag/7> ; dcterms:date ?d }").values()
    assert letter == [{"d": "2018-08-29"}]
    store.close()
