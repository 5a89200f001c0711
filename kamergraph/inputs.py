"""What the build, `kamergraph ingest` and `kamergraph sync` read besides the records: where the bundled
data files lie, and the graphs every record graph is validated with (the ontology, the reference data,
the EU register)."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import (
    BlankNode,
    CanonicalizationAlgorithm,
    Dataset,
    NamedNode,
    Quad,
    RdfFormat,
    parse,
    serialize,
)

from ingest.citations import default_register
from ingest.map import MappedGraph, map_reference
from ingest.map_text import map_eu_register
from ingest.records import ReferenceData
from ontology.namespaces import Iris

ODATA_FILE = "tk-odata/zaken-schriftelijke-vragen.jsonl.gz"
KOOP_FILE = "koop/parliamentary-ids.txt.xz"
ONTOLOGY_FILE = Path(__file__).resolve().parent.parent / "ontology" / "kamergraph.ttl"


def ontology_graph(iris: Iris) -> MappedGraph:
    """The ontology (OWL, Turtle) as its own named graph."""
    g = NamedNode(iris.ontology_graph())
    with ONTOLOGY_FILE.open("rb") as fh:
        ds = Dataset(Quad(t.subject, t.predicate, t.object, g) for t in parse(fh, format=RdfFormat.TURTLE))
    # Blank nodes (OWL lists) get canonical labels (RDFC-1.0) and are then skolemised into
    # well-known IRIs (RDF 1.1, 3.5), so that every build writes exactly the same statements.
    ds.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    genid = f"{iris.base}.well-known/genid/ontologie-"

    def skolem(t):
        return NamedNode(genid + t.value) if isinstance(t, BlankNode) else t

    quads = [Quad(skolem(q.subject), q.predicate, skolem(q.object), g) for q in ds]
    return MappedGraph(g.value, serialize(quads, format=RdfFormat.N_QUADS).decode("utf-8"))


def context_graphs(ref: ReferenceData, iris: Iris) -> list[MappedGraph]:
    """The graphs every record graph is loaded and validated with, in this order: the ontology, the
    reference data ``ref`` mapped, and the EU register of the bundled citations."""
    return [ontology_graph(iris), *map_reference(ref, iris), map_eu_register(default_register(), iris)]
