"""The build pipeline end to end, on real records (a slice of the bundled file, and all of it)."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from kamergraph.build import build
from ontology.namespaces import Iris
from store.embedded import EmbeddedStore

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
ODATA = DATA / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz"
IRIS = Iris("https://kamergraph.nl/")
SEED = "2019Z15231"


@pytest.fixture(scope="module")
def real_lines() -> list[str]:
    with gzip.open(ODATA, "rt", encoding="utf-8") as fh:
        return fh.read().splitlines()


def slice_of(real_lines: list[str], n: int = 150) -> list[str]:
    seed = next(ln for ln in real_lines if f'"{SEED}"' in ln)
    return [*real_lines[:n], seed]


def write(path: Path, lines: list[str]) -> Path:
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8")))
    return path


def sorted_nquads(store: EmbeddedStore) -> list[str]:
    buf = io.BytesIO()
    store.dump(buf, "nq")
    return sorted(buf.getvalue().decode("utf-8").splitlines())


def run(store: EmbeddedStore, odata: Path, texts: list[Path] | None = None):
    """A build of these OData lines; no published texts unless given."""
    return build(store, DATA, IRIS, odata_file=odata, texts=texts or [])


def test_build_twice_gives_the_same_store(tmp_path: Path, real_lines: list[str]) -> None:
    odata = write(tmp_path / "slice.jsonl.gz", slice_of(real_lines))
    store = EmbeddedStore(tmp_path / "store")
    texts = [DATA / "texts" / "seed" / "kv-tk-2019Z15231.txt", *sorted((DATA / "texts").glob("ah-*.txt"))[:5]]
    report = run(store, odata, texts)
    assert report.counts() == {"loaded": 151 + 6}
    first = sorted_nquads(store)
    again = run(store, odata, texts)
    assert again.counts() == {"loaded": 151 + 6}
    assert sorted_nquads(store) == first
    # the founding case is there, with the facts the foundation issue names
    rows = store.query(
        """
        PREFIX kg: <https://w3id.org/kamergraph/def#>
        PREFIX foaf: <http://xmlns.com/foaf/0.1/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?who ?what WHERE {
          ?kv kg:zaaknummer "2019Z15231" .
          { ?kv kg:vraagstelling [ kg:persoon/foaf:name ?who ; kg:fractie/skos:prefLabel ?what ] }
          UNION
          { ?kv kg:adressering [ kg:persoon/foaf:name ?who ; kg:post/rdfs:label ?what ] }
        } ORDER BY ?who
        """
    ).values()
    assert rows == [
        {"who": "Bram van Ojik", "what": "GroenLinks"},
        {"who": "Isabelle Diks", "what": "GroenLinks"},
        {"who": "Sigrid Kaag", "what": "minister voor Buitenlandse Handel en Ontwikkelingssamenwerking"},
        {"who": "Stef Blok", "what": "minister van Buitenlandse Zaken"},
    ]
    store.close()


def test_bad_records_are_reported_and_cost_nothing_else(tmp_path: Path, real_lines: list[str]) -> None:
    lines = slice_of(real_lines, 40)
    store = EmbeddedStore(tmp_path / "store")
    assert run(store, write(tmp_path / "good.jsonl.gz", lines)).counts() == {"loaded": 41}
    seed_graph = IRIS.zaak_graph(SEED)
    before = store.graph_nquads(seed_graph)

    bad = list(lines)
    bad[3] = bad[3][:50]  # a truncated line
    obj = json.loads(bad[5])
    obj["Soort"] = "Motie"  # an unknown Soort
    bad[5] = json.dumps(obj)
    obj = json.loads(bad[7])
    obj["GestartOp"] = "31-02-2019"  # a date that does not parse
    bad[7] = json.dumps(obj)
    obj = json.loads(bad[9])
    obj["Indiener"] = ["Iemand Onbekend (X.Y.)"]  # a name that resolves to nobody
    bad[9] = json.dumps(obj)
    seed = json.loads(bad[-1])
    seed["Onderwerp"] = None  # the seed now violates a shape (a Kamervraag needs a subject)
    bad[-1] = json.dumps(seed)

    report = run(store, write(tmp_path / "bad.jsonl.gz", bad))
    by_line = {r.source.rsplit(":", 1)[1]: r for r in report.records}
    assert report.counts() == {"loaded": 37, "unparseable": 3, "rejected": 1}
    assert by_line["4"].status == "unparseable" and "not valid JSON" in by_line["4"].problems[0]
    assert by_line["6"].status == "unparseable" and "unknown Soort 'Motie'" in by_line["6"].problems[0]
    assert by_line["8"].status == "unparseable" and "GestartOp" in by_line["8"].problems[0]
    unresolved = by_line["10"]
    assert unresolved.status == "loaded"
    assert unresolved.unresolved[0]["name"] == "Iemand Onbekend (X.Y.)"
    # an asker in no list becomes a person with an inferred Kamer membership, but no fractie without evidence
    assert "onbekend" in unresolved.unresolved[0]["reason"].lower()
    rejected = by_line[str(len(bad))]
    assert rejected.status == "rejected" and rejected.zaak == SEED
    assert any("title" in p for p in rejected.problems)
    # the rejected record's previous graph is still there, unchanged; so are the unparseable ones'
    assert store.graph_nquads(seed_graph) == before
    for i in (3, 5, 7):
        nummer = json.loads(lines[i])["Nummer"]
        assert store.graph_nquads(IRIS.zaak_graph(nummer)), f"graph of line {i + 1} was lost"
    # the unresolved name is in the graph as a literal with its reason
    kept = store.query(
        "PREFIX kg: <https://w3id.org/kamergraph/def#> "
        "SELECT ?reason WHERE { ?vs kg:naamInBron 'Iemand Onbekend (X.Y.)' ; kg:onopgelost ?reason }"
    ).values()
    assert len(kept) == 1 and "onbekend" in kept[0]["reason"].lower()
    store.close()


@pytest.mark.slow
def test_full_bundled_build(full_build) -> None:
    """The whole corpus: every Zaak loads, names resolve at the targets, the graph conforms."""
    path, report = full_build
    assert report.counts() == {"loaded": 42_994 + 67}  # every Zaak and every bundled text
    res = report.resolution
    assert res["askers"] == 62_398 and res["askers_share"] >= 0.995
    # a post is never picked by rank: ~2 % of the addressings name the person and every post of the date
    assert res["addressees"] == 56_158 and res["addressees_share"] >= 0.975
    assert res["addressees_share"] + res["addressees_ambiguous"] / res["addressees"] >= 0.99
    assert 0 < res["addressees_ambiguous"] < 0.025 * res["addressees"]
    assert res["addressees_ambiguous"] == sum(res["addressees_ambiguous_by_year"].values())
    assert report.validation is not None and report.validation.conforms
    assert set(report.validation.by_shape()) <= {"https://w3id.org/kamergraph/shapes#VergaderjaarRule"}
    store = EmbeddedStore(path)
    n = store.query(
        "PREFIX kg: <https://w3id.org/kamergraph/def#> SELECT (COUNT(*) AS ?n) WHERE { ?k a kg:Kamervraag ; kg:tkId ?id }"
    ).values()
    assert n == [{"n": "42994"}]
    assert len(store) > 2_000_000
    store.close()
