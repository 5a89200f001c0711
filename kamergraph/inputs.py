"""What the build, `kamergraph ingest` and `kamergraph sync` read besides the records: where the bundled
data files lie, and the graphs every record graph is validated with (the ontology, the reference data,
the EU register)."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

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
from ingest.government_names import with_dated_names
from ingest.map import MappedGraph, map_reference
from ingest.map_text import map_eu_register
from ingest.records import ReferenceData
from ingest.reference import load_reference
from ingest.sources.koop import read_publication_ids
from ontology.namespaces import Iris

ODATA_FILE = "tk-odata/zaken-schriftelijke-vragen.jsonl.gz"
KOOP_FILE = "koop/parliamentary-ids.txt.xz"
ONTOLOGY_FILE = Path(__file__).resolve().parent.parent / "ontology" / "kamergraph.ttl"
REFERENCE_DIR = "reference"

T = TypeVar("T")
_MEMO: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_MEMO_SIZE = 6  # entries kept (a reference data set takes some tens of MB)
_MEMO_LOCK = threading.Lock()


def _files_key(path: Path) -> tuple[tuple[str, int, int], ...]:
    """Every file at or under ``path`` (symbolic links followed): its real path, modification time
    (ns) and size, in path order. A file changed, added or removed gives another key."""
    files = ([Path(root, name) for root, _dirs, names in os.walk(path, followlinks=True) for name in names]
             if path.is_dir() else [path])
    out = []
    for f in sorted(files):
        st = f.stat()
        out.append((str(f.resolve()), st.st_mtime_ns, st.st_size))
    return tuple(out)


def memoised(kind: str, watch: Path, load: Callable[[], T], also: tuple[Path | str, ...] = ()) -> T:
    """``load()``, once per process for as long as the files at or under ``watch`` (and under the
    paths in ``also``; a string there is a further part of the key) stay as they are (see
    :func:`_files_key`); the last few results are kept. What ``load`` returns must not be changed by
    its users (the reference data and the id list are frozen). When ``watch`` or a path of ``also``
    does not exist, ``load()`` runs every time (and reports the missing file its own way)."""
    paths = [watch, *(p for p in also if isinstance(p, Path))]
    if not all(p.exists() for p in paths):
        return load()
    key = (kind, _files_key(watch), *(_files_key(p) if isinstance(p, Path) else p for p in also))
    with _MEMO_LOCK:
        if key in _MEMO:
            _MEMO.move_to_end(key)
            return _MEMO[key]
    value = load()
    with _MEMO_LOCK:
        _MEMO[key] = value
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
    return value


def reference_data(data_dir: Path) -> ReferenceData:
    """The reference data of ``data_dir`` (:func:`ingest.reference.load_reference`), read once per
    process while the files under ``data_dir/reference`` are unchanged: the build, the first sync
    (which derives the graphs of the base and of the current records) and a test process that
    builds many stores read the lists once."""
    return memoised("reference", data_dir / REFERENCE_DIR, lambda: load_reference(data_dir))


def publication_ids(data_dir: Path) -> frozenset[str]:
    """The official publication ids (:func:`ingest.sources.koop.read_publication_ids`), read once per
    process while the list is unchanged."""
    return memoised("koop", data_dir / KOOP_FILE, lambda: read_publication_ids(data_dir / KOOP_FILE))


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
    reference data ``ref`` mapped (its government graph with the names ministries and posts had over
    time, :mod:`ingest.government_names`), and the EU register of the bundled citations."""
    reference = with_dated_names(map_reference(ref, iris), getattr(ref, "names", None), iris)
    return [ontology_graph(iris), *reference, map_eu_register(default_register(), iris)]
