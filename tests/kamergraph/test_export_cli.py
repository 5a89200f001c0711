"""`kamergraph export` (formats, gzip, standard output, --graph/--class/--reference) and
`kamergraph dumps` on a real slice of the bundled data."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store as OxStore, parse

from kamergraph.cli import main
from ontology.context import jsonld_context
from tests.server.conftest import build_kg
from tests.store.export_helpers import BASE, SEED_GRAPH, SEED_TEXT_GRAPH, canonical
from tests.support.build_cache import cached_store


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The slice of :func:`export_helpers.build_slice` (the first 60 Zaken and the founding case with its
    text), which is the server tests' store (tests.server.conftest.build_kg): built once per run and taken
    from the build cache (tests.support.build_cache); a copy of its own, since `kamergraph dumps` writes."""
    path = tmp_path_factory.mktemp("cli-export") / "store"
    cached_store("kg", build_kg, path)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_suffixes_formats_and_gzip(capsys, store_path: Path, tmp_path: Path) -> None:
    original = list(OxStore.read_only(str(store_path)))
    code, out, err = run(capsys, "export", "--store", str(store_path), "-o", str(tmp_path / "kg.nq.gz"))
    assert code == 0, err
    assert out.startswith(f"wrote {len(original):,} quads as nq (gzip)")
    assert canonical(parse(gzip.decompress((tmp_path / "kg.nq.gz").read_bytes()), format=RdfFormat.N_QUADS)) == \
        canonical(original)
    code, out, err = run(capsys, "export", "--store", str(store_path), "--format", "jsonld", "--gzip",
                         "-o", str(tmp_path / "kg.json.gz"))
    assert code == 0, err
    doc = json.loads(gzip.decompress((tmp_path / "kg.json.gz").read_bytes()))
    assert doc["@context"] == BASE + "def/context.jsonld"
    doc["@context"] = jsonld_context()
    assert canonical(parse(json.dumps(doc).encode(), format=RdfFormat.JSON_LD)) == canonical(original)
    code, out, _ = run(capsys, "export", "--store", str(store_path), "-o", str(tmp_path / "kg.ttl"))
    union = {q.triple for q in original}
    assert code == 0 and f"wrote {len(union):,} distinct triples as ttl " in out
    text = (tmp_path / "kg.ttl").read_text(encoding="utf-8")
    assert "@prefix kg: <https://w3id.org/kamergraph/def#> ." in text and "a kg:Kamervraag" in text
    assert {q.triple for q in parse(text.encode(), format=RdfFormat.TURTLE)} == union
    assert not list(tmp_path.glob("*.part"))


def test_export_to_standard_output_with_a_selection(capsys, store_path: Path) -> None:
    code, out, err = run(capsys, "export", "--store", str(store_path), "--format", "nq",
                         "--graph", SEED_GRAPH, "--graph", SEED_TEXT_GRAPH)
    assert code == 0, err
    assert {q.graph_name.value for q in parse(out.encode(), format=RdfFormat.N_QUADS)} == {SEED_GRAPH, SEED_TEXT_GRAPH}
    assert "of 2 graph(s)" in err and "standard output" in err  # the summary stays off the data
    code, out, err = run(capsys, "export", "--store", str(store_path), "--class", "kg:Kamervraag", "--reference")
    assert code == 0, err
    graphs = {q.graph_name.value for q in parse(out.encode(), format=RdfFormat.N_QUADS)}
    in_store = [g.value for g in OxStore.read_only(str(store_path)).named_graphs()]
    assert graphs == {g for g in in_store if g.split("/graph/")[1].split("/")[0] in ("kamervraag", "referentie")}
    assert len(graphs) == 61 + 5 < len(in_store)  # the 61 Zaken of the slice and the 5 reference graphs


def test_export_names_what_it_cannot_find(capsys, store_path: Path) -> None:
    code, out, err = run(capsys, "export", "--store", str(store_path), "--graph", BASE + "graph/kamervraag/x")
    assert code == 1 and out == ""
    assert "--graph <https://kamergraph.nl/graph/kamervraag/x>: no such graph in the store" in err
    code, _, err = run(capsys, "export", "--store", str(store_path), "--class", "kg:Fractie")
    assert code == 1 and "kg:Kamervraag, kg:Publicatie" in err and "--reference" in err


def test_dumps_writes_a_release(capsys, store_path: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "var" / "dumps"
    code, out, err = run(capsys, "dumps", "--store", str(store_path), "--out", str(out_dir), "--quiet")
    assert code == 0, err
    manifest = json.loads((out_dir / "manifest.json").read_text())
    assert f"wrote a release of {manifest['quads']:,} quads" in out
    assert {f["file"] for f in manifest["files"]} == {p.name for p in out_dir.iterdir()} - {"manifest.json"}
    for f in manifest["files"]:
        assert f"{f['file']}: {f['bytes']:,} bytes" in out
    (tmp_path / "occupied").mkdir()
    (tmp_path / "occupied" / "x").write_text("not a release")
    code, _, err = run(capsys, "dumps", "--store", str(store_path), "--out", str(tmp_path / "occupied"), "--quiet")
    assert code == 1 and "is not a release link" in err
