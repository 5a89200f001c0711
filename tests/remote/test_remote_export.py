"""Exports and dump releases from a remote store (a real Oxigraph server, a real Virtuoso): the same
dataset as from the embedded store with the same slice, whole or by selection."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

from pyoxigraph import BlankNode, CanonicalizationAlgorithm, Dataset, RdfFormat, parse

from ontology.context import jsonld_context
from store.export import export, select_graphs, write_release

BASE = "https://kamergraph.nl/"


def dataset(data: bytes, fmt: RdfFormat) -> set:
    """The statements as a set; blank nodes, if any, with canonical labels (RDFC-1.0: the sets of two
    isomorphic datasets are equal). The build leaves none, and then canonicalising is skipped."""
    quads = list(parse(data, format=fmt))
    if not any(isinstance(t, BlankNode) for q in quads for t in (q.subject, q.object, q.graph_name)):
        return set(quads)
    ds = Dataset(quads)
    ds.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return set(ds)


def jsonld_with_context(data: bytes) -> bytes:
    """A JSON-LD export with the published context written in (it names the context by URL)."""
    return json.dumps({**json.loads(data), "@context": jsonld_context()}).encode()


OURS: dict[tuple, object] = {}


def ours(embedded, fmt: str, **options) -> tuple[bytes, set]:
    """The embedded store's export in ``fmt`` and its statements as a set (``dataset``): computed once per
    session and kept, since both servers' tests compare with it and nothing writes the embedded store."""
    key = (fmt, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in options.items())))
    if key not in OURS:
        out = io.BytesIO()
        export(embedded, out, fmt, base=BASE, **options)
        data = out.getvalue()
        rdf = {"nq": RdfFormat.N_QUADS, "nt": RdfFormat.N_TRIPLES, "jsonld": RdfFormat.JSON_LD}[fmt]
        OURS[key] = (data, dataset(jsonld_with_context(data) if fmt == "jsonld" else data, rdf))
    return OURS[key]  # type: ignore[return-value]


def test_exports_match_the_embedded_store(embedded, remote) -> None:
    """N-Quads and JSON-LD read from each server are the embedded store's dataset; sorted distinct N-Triples
    are its very bytes. Plain N-Triples (the same reading as N-Quads, written without the graph names) is
    compared on the Oxigraph server only: its writer does not depend on the server."""
    name, store = remote
    formats = [("nq", RdfFormat.N_QUADS), ("jsonld", RdfFormat.JSON_LD)]
    if name == "oxigraph":
        formats.insert(1, ("nt", RdfFormat.N_TRIPLES))
    n_quads = len(embedded)
    for fmt, rdf in formats:
        _, expected = ours(embedded, fmt)
        theirs = io.BytesIO()
        res = export(store, theirs, fmt, base=BASE, sort_buffer_bytes=1 << 20)
        b = jsonld_with_context(theirs.getvalue()) if fmt == "jsonld" else theirs.getvalue()
        assert dataset(b, rdf) == expected, f"{name}: {fmt}"
        assert res.statements == n_quads  # a statement per quad (N-Triples: the triple of each)
    expected_bytes, expected_triples = ours(embedded, "nt", distinct=True)
    theirs = io.BytesIO()
    res = export(store, theirs, "nt", base=BASE, distinct=True, sort_buffer_bytes=1 << 20)
    # sorted and distinct: the very same bytes, however the server pages them
    assert theirs.getvalue() == expected_bytes, name
    assert res.statements == len(expected_triples)


def test_selections_on_a_remote_store(embedded, remote) -> None:
    name, store = remote
    graphs = select_graphs(store, BASE, classes=["kg:Kamervraag"], reference=True)
    assert graphs == select_graphs(embedded, BASE, classes=["kg:Kamervraag"], reference=True)
    theirs = io.BytesIO()
    export(store, theirs, "nq", base=BASE, graphs=graphs)
    got = dataset(theirs.getvalue(), RdfFormat.N_QUADS)
    assert got == ours(embedded, "nq", graphs=graphs)[1], name
    assert {q.graph_name.value for q in got} == set(graphs)


def test_a_release_from_a_remote_store(embedded, remote, tmp_path: Path) -> None:
    name, store = remote
    manifest = write_release(store, tmp_path / "dumps", base=BASE)
    assert manifest["quads"] == len(embedded) and manifest["store_generation"] is None
    got = dataset(gzip.decompress((tmp_path / "dumps" / "kamergraph.nq.gz").read_bytes()), RdfFormat.N_QUADS)
    assert got == ours(embedded, "nq")[1], name
