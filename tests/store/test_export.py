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
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import Dataset, NamedNode, Quad, RdfFormat, Store as OxStore, parse, serialize
from rdflib import Dataset as RdfDataset, Graph as RdfGraph, URIRef
from rdflib.compare import isomorphic

from ontology.context import jsonld_context
from ontology.namespaces import KG, OWL, PREFIXES, RDF, XSD
from store.embedded import EmbeddedStore
from store.base import StoreError
from store.export import (FORMATS, RELEASE_FORMATS, GraphSelectionError, Sink, export, quads, read_manifest,
                          select_graphs, write_by_graph, write_release)
from export_helpers import BASE, SEED_GRAPH, SEED_TEXT_GRAPH, canonical
from tests.server.conftest import build_kg
from tests.support.build_cache import cached_store

RDF_FORMATS = {"nq": RdfFormat.N_QUADS, "nt": RdfFormat.N_TRIPLES, "ttl": RdfFormat.TURTLE,
               "trig": RdfFormat.TRIG, "rdf": RdfFormat.RDF_XML, "jsonld": RdfFormat.JSON_LD}
ONTOLOGY = Path(__file__).resolve().parents[2] / "ontology" / "kamergraph.ttl"


@pytest.fixture(scope="module")
def slice_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The slice of :func:`export_helpers.build_slice` (the first 60 Zaken and the founding case with its
    text): the same store as the server tests' (tests.server.conftest.build_kg), so it is built once per run
    and taken from the build cache (tests.support.build_cache); a copy of its own."""
    path = tmp_path_factory.mktemp("export") / "store"
    cached_store("kg", build_kg, path)
    return path


@pytest.fixture(scope="module")
def original(slice_store: Path) -> list[Quad]:
    return list(OxStore.read_only(str(slice_store)))


@pytest.fixture(scope="module")
def release(slice_store: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """One release of the slice, shared by the tests that only read it: its link and its manifest.
    A test that changes a release works on a copy (:func:`copy_release`)."""
    out = tmp_path_factory.mktemp("release") / "dumps"
    with EmbeddedStore(slice_store) as store:
        manifest = write_release(store, out, base=BASE)
    return out, manifest


def copy_release(out: Path, into: Path) -> Path:
    """A copy of the release behind ``out`` (its folder of releases and its link) in ``into``."""
    shutil.copytree(out.with_name(out.name + ".releases"), into / (out.name + ".releases"), symlinks=True)
    os.symlink(os.readlink(out), into / out.name)
    return into / out.name


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


# every format plain; gzipped (the same writers behind a gzip sink) the formats a release publishes
@pytest.mark.parametrize("fmt,gz", [(f, False) for f in ("nq", "nt", "ttl", "jsonld", "trig", "rdf")]
                         + [(f, True) for f in RELEASE_FORMATS],
                         ids=lambda v: {False: "plain", True: "gzip"}.get(v, v) if isinstance(v, bool) else v)
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
    else:  # the union of the graphs
        union = {q.triple for q in original}
        assert {q.triple for q in got} == union and len(got) == len(union)
        if fmt == "nt":  # the triple of every statement: a triple stated in two graphs is on two lines
            lines = Counter(data.split(b"\n")[:-1])
            assert lines == Counter(serialize([q.triple], format=RdfFormat.N_TRIPLES).rstrip(b"\n") for q in original)
            assert result.statements == len(original)
        else:  # each triple once
            assert result.statements == len(union)


def test_distinct_triples_are_each_triple_once_sorted_also_when_sorted_on_disk(slice_store: Path,
                                                                                original: list[Quad]) -> None:
    union = {q.triple for q in original}
    assert len(union) < len(original), "the slice has triples stated in two graphs (the test needs them)"
    with EmbeddedStore(slice_store) as store:
        in_memory, on_disk = io.BytesIO(), io.BytesIO()
        result = export(store, in_memory, "nt", base=BASE, distinct=True)
        export(store, on_disk, "nt", base=BASE, distinct=True, sort_buffer_bytes=1 << 16)  # ~250 runs merged
    lines = in_memory.getvalue().split(b"\n")[:-1]
    assert lines == sorted(set(lines)) and len(lines) == len(union) == result.statements
    assert on_disk.getvalue() == in_memory.getvalue()


def graph_of_lines(nquads: bytes) -> list[str]:
    return [q.graph_name.value for q in parse(nquads, format=RdfFormat.N_QUADS)]


@pytest.mark.parametrize("workers,chunk", [(1, 1), (3, 7), (0, 256)])
def test_graph_by_graph_the_same_bytes_whatever_the_threads(slice_store: Path, original: list[Quad],
                                                            workers: int, chunk: int) -> None:
    """N-Quads and N-Triples written by threads, chunk by chunk, come out in the order of the graph
    IRIs and as the same bytes as one thread writing all graphs at once; gzipped, a member per chunk,
    which gzip reads as one stream and which is the same bytes for the same chunks."""
    with EmbeddedStore(slice_store) as store:
        plain = {fmt: io.BytesIO() for fmt in ("nq", "nt")}
        one = {fmt: Sink(plain[fmt]) for fmt in plain}
        n = write_by_graph(store, one, workers=1, chunk_graphs=1_000_000)
        for s in one.values():
            s.close()
        ours = {fmt: io.BytesIO() for fmt in ("nq", "nt")}
        sinks = {fmt: Sink(ours[fmt], 6) for fmt in ours}
        assert write_by_graph(store, sinks, workers=workers, chunk_graphs=chunk) == n == len(original)
        for s in sinks.values():
            s.close()
        again = io.BytesIO()
        again_sink = Sink(again, 6)
        write_by_graph(store, {"nt": again_sink}, workers=1, chunk_graphs=chunk)
        again_sink.close()
    for fmt in ("nq", "nt"):
        assert gzip.decompress(ours[fmt].getvalue()) == plain[fmt].getvalue()
        assert sinks[fmt].sha256.hexdigest() == hashlib.sha256(ours[fmt].getvalue()).hexdigest()
        assert sinks[fmt].uncompressed == len(plain[fmt].getvalue())
    assert again.getvalue() == ours["nt"].getvalue()
    if chunk == 1:  # a gzip member per graph
        assert ours["nt"].getvalue().count(b"\x1f\x8b\x08") >= len({q.graph_name for q in original})
    per_line = graph_of_lines(plain["nq"].getvalue())
    graphs = list(dict.fromkeys(per_line))
    with EmbeddedStore(slice_store) as store:
        in_store = [g.value for g in store.ox.named_graphs()]
    assert graphs == in_store  # in the store's own order of its graphs
    runs = [g for i, g in enumerate(per_line) if i == 0 or g != per_line[i - 1]]
    assert len(per_line) == n and len(runs) == len(graphs)  # graph by graph: each graph's lines together
    assert canonical(parse(plain["nq"].getvalue(), format=RdfFormat.N_QUADS)) == canonical(original)
    nt_lines = plain["nt"].getvalue().split(b"\n")
    nq_lines = plain["nq"].getvalue().split(b"\n")
    assert len(nt_lines) == len(nq_lines)
    assert all(q.startswith(t[:-1]) for t, q in zip(nt_lines, nq_lines, strict=True))


def test_a_selection_graph_by_graph(slice_store: Path) -> None:
    with EmbeddedStore(slice_store) as store:
        graphs = select_graphs(store, BASE, reference=True)
        buf = io.BytesIO()
        result = export(store, buf, "nq", base=BASE, graphs=graphs, workers=2)
        expected = b"".join(store.graph_nquads(g) for g in graphs)
    assert canonical(parse(buf.getvalue(), format=RdfFormat.N_QUADS)) == canonical(
        parse(expected, format=RdfFormat.N_QUADS))
    assert result.statements == buf.getvalue().count(b"\n") > 0


def test_a_write_during_an_export_is_reported_not_hidden(slice_store: Path, tmp_path: Path, monkeypatch) -> None:
    """Something in the same process writes the store while it is exported graph by graph: the
    export fails and says so, instead of writing statements of two states of the store."""
    import store.export_graphs as export_module

    copy = tmp_path / "store"
    shutil.copytree(slice_store, copy)
    dump_graphs = export_module._dump_graphs
    with EmbeddedStore(copy) as store:
        written = []

        def dump_and_write(ox, terms, levels):
            if not written:  # a real write, through the store, between two chunks
                store.replace_graph(BASE + "graph/test/tussendoor",
                                    f"<{BASE}id/x> <{BASE}def/y> \"z\" <{BASE}graph/test/tussendoor> .\n")
                written.append(True)
            return dump_graphs(ox, terms, levels)

        monkeypatch.setattr(export_module, "_dump_graphs", dump_and_write)
        with pytest.raises(StoreError, match="the store changed while it was exported"):
            export(store, io.BytesIO(), "nt", base=BASE, workers=1)
        assert written


def test_a_release_is_the_same_bytes_when_the_store_is_the_same(slice_store: Path, release: tuple[Path, dict],
                                                                tmp_path: Path) -> None:
    _, a = release
    with EmbeddedStore(slice_store) as store:
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


def test_a_release_and_its_manifest(slice_store: Path, original: list[Quad], release: tuple[Path, dict],
                                    tmp_path: Path) -> None:
    shared, first = release
    out = copy_release(shared, tmp_path)  # the next release replaces it
    with EmbeddedStore(slice_store) as store:
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
        if f["format"] == "nt":  # the triple of every statement, as many lines as the N-Quads
            assert f["triples"] == gzip.decompress(raw).count(b"\n") == len(original)
            with EmbeddedStore(slice_store) as store:
                same = io.BytesIO()
                export(store, same, "nt", base=BASE, gzip_level=6)
            assert same.getvalue() == raw, "`export --format nt --gzip` gives the release's very file"
        else:
            assert f["triples"] == len(got)
        if FORMATS[f["format"]].dataset:
            assert canonical(got) == canonical(original)
        else:
            assert {q.triple for q in got} == union


def test_the_release_passes_the_shapes(release: tuple[Path, dict]) -> None:
    """The N-Quads and the JSON-LD of a release, read back, conform to the shapes; the same check
    does catch a dump that lost a statement the shapes require."""
    from pyoxigraph import Literal

    from shapes.validate import FastValidator

    out, _ = release
    validator = FastValidator()
    for name, fmt in (("kamergraph.nq.gz", "nq"), ("kamergraph.jsonld.gz", "jsonld")):
        reloaded = OxStore()
        reloaded.bulk_extend(reload(gzip.decompress((out / name).read_bytes()), fmt))
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
