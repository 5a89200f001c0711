"""Helpers for the export and dump tests: a real slice of the bundled data, and dataset comparison."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from pathlib import Path

from pyoxigraph import CanonicalizationAlgorithm, Dataset, DefaultGraph, Literal, NamedNode, Quad

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
ODATA = DATA / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz"
BASE = "https://kamergraph.nl/"
SEED = "2019Z15231"
SEED_GRAPH = BASE + "graph/kamervraag/" + SEED
SEED_TEXT_GRAPH = BASE + "graph/publicatie/kv-tk-2019Z15231"


def build_slice(tmp: Path, n: int = 60) -> Path:
    """The reference data, the first ``n`` OData Zaken, the founding case and its published text,
    built into an embedded store at ``tmp/store`` (closed again)."""
    from kamergraph.build import build
    from ontology.namespaces import Iris
    from store.embedded import EmbeddedStore

    with gzip.open(ODATA, "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    seed = next(ln for ln in lines if f'"{SEED}"' in ln)
    odata = tmp / "slice.jsonl.gz"
    odata.write_bytes(gzip.compress(("\n".join([*lines[:n], seed]) + "\n").encode("utf-8")))
    path = tmp / "store"
    store = EmbeddedStore(path)
    report = build(store, DATA, Iris(BASE), odata_file=odata, texts=[DATA / "texts" / "seed" / "kv-tk-2019Z15231.txt"])
    assert report.counts() == {"loaded": n + 2}
    store.close()
    return path


def canonical(quads: Iterable[Quad]) -> set[Quad]:
    """A dataset with canonical blank node labels (RDFC-1.0), as a set: equal sets, isomorphic datasets.
    Statements of IRIs and literals only are that set already (the canonical form changes nothing there;
    computing it took seconds per dump of the slice)."""
    quads = list(quads)
    plain = (NamedNode, Literal, DefaultGraph)
    if all(isinstance(t, plain) for q in quads for t in (q.subject, q.predicate, q.object, q.graph_name)):
        return set(quads)
    ds = Dataset(quads)
    ds.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return set(ds)
