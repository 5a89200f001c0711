"""Exports and dump releases (store/export.py) on a real slice of the bundled data: every format
reloads into a fresh store as the same dataset (or the same union of triples); the JSON-LD expands
through the published context to the same graphs (rdflib's own JSON-LD parser, context given
locally); selections hold exactly the graphs they name; a release's manifest says what its files
hold; the release passes the shapes."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from pathlib import Path

import pytest
from pyoxigraph import Dataset, NamedNode, Quad, RdfFormat, Store as OxStore, parse
from rdflib import Dataset as RdfDataset, Graph as RdfGraph, URIRef
from rdflib.compare import isomorphic

from ontology.context import jsonld_context
from ontology.namespaces import KG, OWL, PREFIXES, RDF, XSD
from store.embedded import EmbeddedStore
from store.export import FORMATS, GraphSelectionError, export, quads, read_manifest, select_graphs, write_release
from export_helpers import BASE, SEED_GRAPH, SEED_TEXT_GRAPH, build_slice, canonical

RDF_FORMATS = {"nq": RdfFormat.N_QUADS, "nt": RdfFormat.N_TRIPLES, "ttl": RdfFormat.TURTLE,
               "trig": RdfFormat.TRIG, "rdf": RdfFormat.RDF_XML, "jsonld": RdfFormat.JSON_LD}
ONTOLOGY = Path(__file__).resolve().parents[2] / "ontology" / "kamergraph.ttl"


@pytest.fixture(scope="module")
def slice_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_slice(tmp_path_factory.mktemp("export"))


@pytest.fixture(scope="module")
def original(slice_store: Path) -> list[Quad]:
    return list(OxStore.read_only(str(slice_store)))


def reload(data: bytes, fmt: str) -> list[Quad]:
    """A dump read back (the JSON-LD with the published context given locally: nothing is fetched)."""
    if fmt == "jsonld":
        doc = json.loads(data)
        assert doc["@context"] == BASE + "def/context.jsonld"
        doc["@context"] = jsonld_context()
        data = json.dumps(doc).encode("utf-8")
    fresh = OxStore()
    fresh.bulk_extend(parse(data, format=RDF_FORMATS[fmt]))
    return list(fresh)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("fmt", ["nq", "nt", "ttl", "jsonld", "trig", "rdf"])
def test_a_dump_reloads_as_the_same_graph(slice_store: Path, original: list[Quad], fmt: str, gz: bool) -> None:
    buf = io.BytesIO()
    with EmbeddedStore(slice_store) as store:
        result = export(store, buf, fmt, base=BASE, gzip_level=6 if gz else None)
    raw = buf.getvalue()
    assert result.bytes == len(raw) and result.sha256 == hashlib.sha256(raw).hexdigest()
    data = gzip.decompress(raw) if gz else raw
    if gz:
        assert raw[:2] == b"\x1f\x8b"
    got = reload(data, fmt)
    if FORMATS[fmt].dataset:  # the named graphs are kept
        assert all(isinstance(q.graph_name, NamedNode) for q in got)
        assert canonical(got) == canonical(original)
        assert result.statements == len(original)
    else:  # the union of the graphs, each triple once
        union = {q.triple for q in original}
        assert {q.triple for q in got} == union
        assert result.statements == len(union) == len(got)


def test_the_triple_formats_hold_each_triple_once_sorted_also_when_sorted_on_disk(slice_store: Path,
                                                                                   original: list[Quad]) -> None:
    union = {q.triple for q in original}
    assert len(union) < len(original), "the slice has triples stated in two graphs (the test needs them)"
    with EmbeddedStore(slice_store) as store:
        in_memory, on_disk = io.BytesIO(), io.BytesIO()
        export(store, in_memory, "nt", base=BASE)
        export(store, on_disk, "nt", base=BASE, sort_buffer_bytes=1 << 16)  # ~250 runs merged
    lines = in_memory.getvalue().split(b"\n")[:-1]
    assert lines == sorted(set(lines)) and len(lines) == len(union)
    assert on_disk.getvalue() == in_memory.getvalue()


def test_a_release_is_the_same_bytes_when_the_store_is_the_same(slice_store: Path, tmp_path: Path) -> None:
    with EmbeddedStore(slice_store) as store:
        a = write_release(store, tmp_path / "a", base=BASE)
        b = write_release(store, tmp_path / "b", base=BASE)
    assert [f["sha256"] for f in a["files"]] == [f["sha256"] for f in b["files"]]


def test_jsonld_expands_through_the_published_context_with_rdflib(slice_store: Path) -> None:
    graphs = [SEED_GRAPH, SEED_TEXT_GRAPH]
    buf = io.BytesIO()
    with EmbeddedStore(slice_store) as store:
        export(store, buf, "jsonld", base=BASE, graphs=graphs)
        expected = {g: store.graph_nquads(g) for g in graphs}
    doc = json.loads(buf.getvalue())
    # the document uses the context: terms, class names, coerced values
    text = buf.getvalue().decode("utf-8")
    assert '"indiener":"https://kamergraph.nl/id/persoon/' in text
    assert '"@type":"Kamervraag"' in text and '"bronregel":"' in text
    doc["@context"] = jsonld_context()
    ds = RdfDataset()
    ds.parse(data=json.dumps(doc), format="json-ld")
    for g, nquads in expected.items():
        ref = RdfDataset()
        ref.parse(data=nquads.decode("utf-8"), format="nquads")
        ours = ds.graph(URIRef(g))
        assert len(ours) == len(ref.graph(URIRef(g))) > 50
        assert isomorphic(ours, ref.graph(URIRef(g))), g
    # without the context the same document says something else: the context is not decoration
    doc["@context"] = {}
    bare = RdfDataset()
    bare.parse(data=json.dumps(doc), format="json-ld")
    assert len(bare.graph(URIRef(SEED_GRAPH))) < len(ds.graph(URIRef(SEED_GRAPH)))


def test_the_context_follows_the_ontology_and_the_prefixes() -> None:
    ctx = jsonld_context()
    for prefix, ns in PREFIXES.items():
        assert ctx[prefix] == ns
    onto = RdfGraph().parse(ONTOLOGY, format="turtle")
    kinds = {"object": URIRef(OWL + "ObjectProperty"), "datatype": URIRef(OWL + "DatatypeProperty"),
             "class": URIRef(OWL + "Class")}
    seen = 0
    for kind, cls in kinds.items():
        for term in onto.subjects(URIRef(RDF + "type"), cls):
            if not isinstance(term, URIRef) or not str(term).startswith(KG):
                continue
            name = str(term)[len(KG):]
            definition = ctx[name]
            seen += 1
            if kind == "object":
                assert definition == {"@id": f"kg:{name}", "@type": "@id"}
            elif kind == "class":
                assert definition == f"kg:{name}"
            else:
                rng = {str(r) for r in onto.objects(term, URIRef("http://www.w3.org/2000/01/rdf-schema#range"))}
                if rng == {XSD + "string"}:
                    assert definition == f"kg:{name}"
                else:
                    assert definition == {"@id": f"kg:{name}", "@type": "xsd:" + next(iter(rng))[len(XSD):]}
    assert seen > 80


def test_selections_hold_exactly_their_graphs(slice_store: Path) -> None:
    with EmbeddedStore(slice_store) as store:
        all_graphs = store.named_graphs()
        kv = [g for g in all_graphs if g.startswith(BASE + "graph/kamervraag/")]
        ref = [g for g in all_graphs if g.startswith(BASE + "graph/referentie/")]
        assert select_graphs(store, BASE, [SEED_GRAPH]) == [SEED_GRAPH]
        assert select_graphs(store, BASE, classes=["kg:Kamervraag"]) == kv
        assert select_graphs(store, BASE, classes=[KG + "Kamervraag"]) == kv
        assert select_graphs(store, BASE, reference=True) == ref
        assert select_graphs(store, BASE, [SEED_TEXT_GRAPH], ["kg:Kamervraag"], True) == sorted(kv + ref + [SEED_TEXT_GRAPH])
        assert len(kv) == 61 and len(ref) == 5
        for fmt in ("nq", "jsonld"):
            buf = io.BytesIO()
            export(store, buf, fmt, base=BASE, graphs=[SEED_GRAPH, *ref])
            got = reload(buf.getvalue(), fmt)
            assert {q.graph_name.value for q in got} == {SEED_GRAPH, *ref}
            expected = [q for g in [SEED_GRAPH, *ref] for q in store.ox.quads_for_pattern(None, None, None, NamedNode(g))]
            assert canonical(got) == canonical(expected)
        with pytest.raises(GraphSelectionError, match="no such graph"):
            select_graphs(store, BASE, [BASE + "graph/kamervraag/1999Z00000"])
        with pytest.raises(GraphSelectionError, match="kg:Persoon.*--reference"):
            select_graphs(store, BASE, classes=["kg:Persoon"])


def test_a_release_and_its_manifest(slice_store: Path, original: list[Quad], tmp_path: Path) -> None:
    out = tmp_path / "dumps"
    with EmbeddedStore(slice_store) as store:
        first = write_release(store, out, base=BASE, keep=1)
        manifest = write_release(store, out, base=BASE, keep=1)
        marker = (slice_store.parent / (slice_store.name + ".generation"))
    assert out.is_symlink() and read_manifest(out) == manifest
    assert len(list((tmp_path / "dumps.releases").iterdir())) == 1, "keep=1 leaves only the newest release"
    assert first["created"] <= manifest["created"]
    if marker.exists():
        assert manifest["store_generation"] == marker.read_text().strip()
    union = {q.triple for q in original}
    assert manifest["quads"] == len(original) and manifest["triples"] == len(union)
    assert [f["file"] for f in manifest["files"]] == [
        "kamergraph.nq.gz", "kamergraph.nt.gz", "kamergraph.ttl.gz", "kamergraph.jsonld.gz"]
    for f in manifest["files"]:
        raw = (out / f["file"]).read_bytes()
        assert f["bytes"] == len(raw)
        assert f["sha256"] == hashlib.sha256(raw).hexdigest()
        assert f["encoding"] == "gzip" and f["media_type"] == FORMATS[f["format"]].media_type
        assert f["created"].endswith("Z") and f["created"] >= manifest["created"]
        got = reload(gzip.decompress(raw), f["format"])
        assert f["triples"] == len(got)
        if FORMATS[f["format"]].dataset:
            assert canonical(got) == canonical(original)
        else:
            assert {q.triple for q in got} == union


def test_the_release_passes_the_shapes(slice_store: Path, tmp_path: Path) -> None:
    """The N-Quads and the JSON-LD of a release, read back, conform to the shapes; the same check
    does catch a dump that lost a statement the shapes require."""
    from pyoxigraph import Literal

    from shapes.validate import FastValidator

    with EmbeddedStore(slice_store) as store:
        write_release(store, tmp_path / "dumps", base=BASE)
    validator = FastValidator()
    for name, fmt in (("kamergraph.nq.gz", "nq"), ("kamergraph.jsonld.gz", "jsonld")):
        reloaded = OxStore()
        reloaded.bulk_extend(reload(gzip.decompress((tmp_path / "dumps" / name).read_bytes()), fmt))
        assert len(reloaded) > 100_000
        report = validator.validate_store(reloaded)
        assert report.conforms, f"{name}: {report.to_text()}"
    seed = NamedNode(BASE + "id/kamervraag/" + "2019Z15231")
    zaaknummer = Quad(seed, NamedNode(KG + "zaaknummer"), Literal("2019Z15231"), NamedNode(SEED_GRAPH))
    assert zaaknummer in reloaded
    reloaded.remove(zaaknummer)
    reloaded.add(Quad(seed, NamedNode(KG + "zaaknummer"), Literal("2019-15231"), NamedNode(SEED_GRAPH)))
    assert not validator.validate_store(reloaded).conforms


def test_quads_of_a_selection_stream_graph_by_graph(slice_store: Path) -> None:
    with EmbeddedStore(slice_store) as store:
        it = quads(store, [SEED_GRAPH])
        first = next(it)
        assert first.graph_name == NamedNode(SEED_GRAPH)
        rest = list(it)
    assert len(rest) + 1 == len(Dataset(rest + [first]))
