"""What the build, `kamergraph ingest` and `kamergraph sync` read besides the records: where the bundled
data files lie, and the graphs every record graph is validated with (the ontology, the reference data,
the EU register)."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
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
    return _kept(_MEMO, _MEMO_SIZE, key, load)


def _kept(kept: OrderedDict[tuple[Any, ...], Any], size: int, key: tuple[Any, ...], load: Callable[[], T]) -> T:
    """The value ``kept`` holds for ``key``, else ``load()`` kept there; the ``size`` latest are kept."""
    with _MEMO_LOCK:
        if key in kept:
            kept.move_to_end(key)
            return kept[key]
    value = load()
    with _MEMO_LOCK:
        kept[key] = value
        while len(kept) > size:
            kept.popitem(last=False)
    return value


def files_key(paths: Iterable[Path]) -> tuple[Any, ...]:
    """The files at or under ``paths`` as :func:`_files_key` sees them, in the order given: a part of a
    :func:`memoised_on` key for inputs that are files."""
    return tuple(_files_key(p) for p in paths)


def content_digest(*values: Any) -> str:
    """A fingerprint of JSON-like values (records as read; anything else by its text): a part of a
    :func:`memoised_on` key."""
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


_DERIVED: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_DERIVED_SIZE = 3  # entries kept (the graphs of a set of records take some tens of MB)


def memoised_on(kind: str, key: tuple[Any, ...], load: Callable[[], T]) -> T:
    """``load()``, once per process for each ``key``: a hashable value made of everything the result
    follows from (the records themselves, the files by :func:`files_key`, the names they are given), so
    that equal keys mean equal results; the last few results are kept. What ``load`` returns must not be
    changed by its users (as with :func:`memoised`)."""
    return _kept(_DERIVED, _DERIVED_SIZE, (kind, key), load)


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


_CONTEXT: list[tuple[ReferenceData, tuple[Any, ...], list[MappedGraph]]] = []
_CONTEXT_SIZE = 3


def context_graphs(ref: ReferenceData, iris: Iris) -> list[MappedGraph]:
    """The graphs every record graph is loaded and validated with, in this order: the ontology, the
    reference data ``ref`` mapped (its government graph with the names ministries and posts had over
    time, :mod:`ingest.government_names`), and the EU register of the bundled citations.

    Mapped once per process for the same reference data (the very object, which its users do not
    change: :func:`reference_data` and the sync's :func:`memoised_on` give the same object for the same
    content), base IRI and ontology file; the last few are kept (with their reference data)."""
    key = (iris.base, _files_key(ONTOLOGY_FILE))
    with _MEMO_LOCK:
        for kept, kept_key, graphs in _CONTEXT:
            if kept is ref and kept_key == key:
                return list(graphs)
    graphs = _context_graphs(ref, iris)
    with _MEMO_LOCK:
        _CONTEXT.append((ref, key, graphs))
        del _CONTEXT[:-_CONTEXT_SIZE]
    return list(graphs)


def _context_graphs(ref: ReferenceData, iris: Iris) -> list[MappedGraph]:
    reference = with_dated_names(map_reference(ref, iris), getattr(ref, "names", None), iris)
    return [ontology_graph(iris), *reference, map_eu_register(default_register(), iris)]
