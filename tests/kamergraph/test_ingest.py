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
from tests.support.build_cache import cached_store, digest_of

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
SEED = DATA / "texts" / "seed" / "kv-tk-2019Z15231.txt"
GOLDEN = ROOT / "tests" / "golden" / "publicatie-kv-tk-2019Z15231.ttl"
IRIS = Iris("https://kamergraph.nl/")
PUB_GRAPH = IRIS.graph("publicatie", "kv-tk-2019Z15231")
LETTER = DATA / "answers-docx" / "beantwoording-kamervragen-van-de-leden-temmink-en-van-nispen-sp-aan-de.docx"
LETTER_ZAAK = "2023Z19677"  # the Zaak the letter answers (its case is in the store's slice)


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with a slice of real OData cases (the seed's among them), no texts yet."""
    tmp = tmp_path_factory.mktemp("ingest")
    with gzip.open(DATA / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz", "rt", encoding="utf-8") as fh:
        lines = [ln for i, ln in enumerate(fh) if i < 30 or '"2019Z15231"' in ln or f'"{LETTER_ZAAK}"' in ln]
    odata = tmp / "slice.jsonl.gz"
    odata.write_bytes(gzip.compress("".join(lines).encode("utf-8"), mtime=0))  # the same bytes each run: the cache key

    def recipe(path: Path) -> None:  # through the build cache (tests.support.build_cache), keyed also by the slice
        store = EmbeddedStore(path)
        build(store, DATA, IRIS, odata_file=odata, texts=[])
        store.close()

    cached_store(f"ingest-slice-{digest_of(odata)}", recipe, tmp / "store")
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


# --------------------------------------------------------------------------- issue 13: items 8 and 11


def copy_store(src: Path, dst: Path) -> Path:
    import shutil

    shutil.copytree(src, dst)
    return dst


def store_conforms(store_path: Path) -> bool:
    return main(["validate", "--store", str(store_path), "--format", "json"]) == 0


def fates(report: Path) -> dict[str, tuple[str, list[str]]]:
    import json

    return {Path(str(r["source"])).name: (r["status"], r.get("problems", [])) for r in json.loads(report.read_text())}


def test_same_letter_under_two_names_keeps_the_store_valid(small_store: Path, tmp_path: Path, capsys) -> None:
    """Item 11: a real letter copied under two names. An identical copy states the same facts (both
    load); a copy whose text is shifted (the letter saved as text with a line added on top) states
    other character spans for the same answers: it conflicts with the stored letter (MaxCount), is
    rejected, and the store still validates. In one run, one of two conflicting files is loaded."""
    import shutil

    from ingest.sources.text import read_docx

    store = copy_store(small_store, tmp_path / "store")
    a, b = tmp_path / "brief-a.docx", tmp_path / "brief-b.docx"
    shutil.copy(LETTER, a)
    shutil.copy(LETTER, b)
    shifted = tmp_path / "brief-c.txt"
    shifted.write_text("Beantwoording\n" + read_docx(LETTER), encoding="utf-8")
    assert main(["ingest", "--store", str(store), "--report", str(tmp_path / "a.json"), str(a), str(b)]) == 0
    assert store_conforms(store)
    assert main(["ingest", "--store", str(store), "--report", str(tmp_path / "c.json"), str(shifted)]) == 1
    status, problems = fates(tmp_path / "c.json")["brief-c.txt"]
    assert status == "rejected" and any("at most" in p or "maxCount" in p or "MaxCount" in p for p in problems), problems
    assert store_conforms(store)
    # both conflicting files in one run: one is loaded, the other rejected; the store validates
    store2 = copy_store(small_store, tmp_path / "store2")
    assert main(["ingest", "--store", str(store2), "--report", str(tmp_path / "ac.json"), str(a), str(shifted)]) == 1
    assert sorted(s for s, _ in fates(tmp_path / "ac.json").values()) == ["loaded", "rejected"]
    assert store_conforms(store2)
    capsys.readouterr()


def test_a_text_with_no_question_is_refused_and_the_run_goes_on(small_store: Path, tmp_path: Path) -> None:
    """Item 11: "Vragen van het lid X" alone (a DOCX and a text) is no Kamervraag: refused with the
    file and the reason; the seed in the same run is loaded."""
    import docx

    only_title = "Vragen van het lid Jansen (PVV) aan de minister van Buitenlandse Zaken over de export"
    d = docx.Document()
    d.add_paragraph(only_title)
    d.save(str(tmp_path / "alleen-titel.docx"))
    (tmp_path / "alleen-titel.txt").write_text(only_title + "\n", encoding="utf-8")
    store = copy_store(small_store, tmp_path / "store")
    report = tmp_path / "r.json"
    code = main(["ingest", "--store", str(store), "--report", str(report), str(tmp_path / "alleen-titel.docx"),
                 str(SEED), str(tmp_path / "alleen-titel.txt")])
    assert code == 1
    got = fates(report)
    for name in ("alleen-titel.docx", "alleen-titel.txt"):
        status, problems = got[name]
        assert status == "unparseable" and any("no question" in p for p in problems), (name, got[name])
    assert got[SEED.name][0] == "loaded"
    st = EmbeddedStore(store)
    assert not [g for g in st.named_graphs() if "alleen-titel" in g]  # no Kamervraag made of a title alone
    st.close()


def test_unreadable_inputs_are_reported_and_the_rest_is_loaded(small_store: Path, tmp_path: Path) -> None:
    """Item 8: a directory, a dangling link and a file that vanished are refused with the reason
    (an OSError never escapes); the other file is loaded."""
    store = copy_store(small_store, tmp_path / "store")
    (tmp_path / "map.txt").mkdir()
    (tmp_path / "weg.docx").symlink_to(tmp_path / "bestaat-niet.docx")
    report = tmp_path / "r.json"
    code = main(["ingest", "--store", str(store), "--report", str(report), str(tmp_path / "map.txt"),
                 str(tmp_path / "weg.docx"), str(tmp_path / "verdwenen.txt"), str(SEED)])
    assert code == 1
    got = fates(report)
    assert got["map.txt"][0] == "unparseable" and "directory" in got["map.txt"][1][0]
    assert got["weg.docx"][0] == "unparseable" and "dangling" in got["weg.docx"][1][0]
    assert got["verdwenen.txt"][0] == "unparseable" and "No such file" in got["verdwenen.txt"][1][0]
    assert got[SEED.name][0] == "loaded"


def _mount_tmpfs(where: Path, size_kb: int) -> bool:
    import subprocess

    from tests.support.ci import in_ci

    where.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(where)], capture_output=True)
    if r.returncode != 0:
        if in_ci():
            pytest.fail(f"cannot mount a tmpfs for the full-disk test: {r.stderr.decode().strip()}")
        pytest.skip(f"cannot mount a tmpfs (needs root): {r.stderr.decode().strip()}")
    return True


def test_a_full_disk_stops_the_run_with_every_files_fate(small_store: Path, tmp_path: Path) -> None:
    """Item 8: the store on a tmpfs with little room; ingest the bundled texts until the disk is
    full. Every file gets a fate (loaded, failed, not reached, ...), the ones after the failure are
    "not reached", and everything loaded stays (the store opens and validates elsewhere)."""
    import json
    import shutil
    import subprocess

    from kamergraph.texts import bundled_text_files

    mnt = tmp_path / "klein"
    size = sum(f.stat().st_size for f in small_store.rglob("*") if f.is_file())
    _mount_tmpfs(mnt, size // 1024 + 3 * 1024)  # the store plus 3 MB
    try:
        shutil.copytree(small_store, mnt / "store")
        files = [f for f in bundled_text_files(DATA) if f.suffix == ".txt"]
        # fill the disk but leave ~300 KB: the texts' graphs need more than that
        free = shutil.disk_usage(mnt).free
        (mnt / "vulling").write_bytes(b"\0" * max(free - 300 * 1024, 0))
        report = tmp_path / "r.json"
        code = main(["ingest", "--store", str(mnt / "store"), "--report", str(report), *map(str, files)])
        assert code == 1
        results = json.loads(report.read_text())
        assert len(results) == len(files)
        statuses = [r["status"] for r in results]
        assert "failed" in statuses, statuses
        first_failed = statuses.index("failed")
        assert set(statuses[first_failed + 1:]) <= {"not reached", "unparseable", "rejected"}
        assert "not reached" in statuses[first_failed + 1:]
        failed = results[first_failed]
        assert "could not be written" in failed["problems"][0]
        loaded = [r["graph"] for r in results if r["status"] == "loaded"]
        (mnt / "vulling").unlink()  # room again: the store must open with everything loaded
        copy = copy_store(mnt / "store", tmp_path / "na")
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)
    st = EmbeddedStore(copy)
    graphs = set(st.named_graphs())
    st.close()
    assert set(loaded) <= graphs
    assert str(results[first_failed]["graph"]) not in graphs or True  # replaced or not: never half
    assert store_conforms(copy)
