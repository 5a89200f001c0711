"""Exports and dumps: the store's graphs written as N-Quads, N-Triples, Turtle, JSON-LD (or TriG,
RDF/XML), streamed, optionally gzipped, with their size, statement count and SHA-256.

What each format holds:

- **N-Quads** (``nq``) and **TriG** (``trig``): the dataset, every named graph with its statements
  (the provenance of each record graph is inside that graph);
- **JSON-LD** (``jsonld``): the dataset too, compacted with the published context
  (``{base}def/context.jsonld``, :mod:`ontology.context`): ``{"@context": URL, "@graph": [{"@id":
  graph, "@graph": [node, …]}, …]}``, one node object per run of statements about one subject;
- **N-Triples** (``nt``): the triple of every statement, graph by graph (a triple stated in two graphs
  is on two lines; readers of N-Triples load the set); with ``distinct`` each triple once, sorted;
- **Turtle** (``ttl``) and **RDF/XML** (``rdf``): the union of the graphs, every distinct triple once,
  sorted, so that the same contents always give the same bytes; Turtle with the project's prefixes.

Everything streams: memory stays flat as the store grows. Distinct triples come from an external
merge sort: the N-Triples lines are sorted in runs of ``sort_buffer_bytes`` (kept in memory), the runs
written to temporary files (gzip level 1) and merged.

Where the statements come from: N-Quads and N-Triples of an embedded store are written graph by graph
(:func:`write_by_graph`): Oxigraph writes each graph's N-Triples in Rust and zlib-ng compresses them, in
threads (neither holds Python's lock), a gzip member per chunk of graphs, in the store's order of its
graphs; the other formats read the whole embedded store in one iteration (:func:`quads`), one snapshot
(Oxigraph reads a RocksDB snapshot). ``kamergraph export`` and ``dumps`` hold the store's lock, so
nothing else writes it while they read. A remote store streams its graphs page by page
(:meth:`store.remote.RemoteStore.quads`: one Graph Store request on Oxigraph server, which answers from
one snapshot; pages of graphs elsewhere, each graph whole). A selection of graphs is read graph by
graph, each graph whole.

A release (:func:`write_release`) reads the store once, into ``kamergraph.nq.gz`` and
``kamergraph.nt.gz``, and derives the other formats from the N-Quads file, so all its files hold the
same statements.

This module is the public face of exports (its ``__all__``) and writes releases; the rest is in
:mod:`store.export_io` (the formats, the byte sink), :mod:`store.export_graphs` (which graphs, read
how) and :mod:`store.export_writers` (the writers of each format, the external sort).
"""


from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from pyoxigraph import Quad, RdfFormat, Triple, parse, serialize

from ontology.context import context_url
from store.base import Store, StoreError
from store.export_graphs import GraphSelectionError, generation_token, graph_terms, quads, select_graphs, write_by_graph
from store.export_io import FORMATS, Format, Sink, Tee
from store.export_writers import JsonLdWriter, Sorter, write_quads, write_sorted

__all__ = [
    "FORMATS", "RELEASE_FORMATS", "ExportResult", "Format", "GraphSelectionError", "Sink", "current_release",
    "export", "graph_terms", "quads", "read_manifest", "release_dir", "select_graphs", "write_by_graph",
    "write_quads", "write_release",
]


RELEASE_FORMATS = ("nq", "nt", "ttl", "jsonld")
RELEASE_NAME = "kamergraph"
MANIFEST = "manifest.json"
GZIP_MEDIA_TYPE = "application/gzip"


# --------------------------------------------------------------------------- one export


@dataclass
class ExportResult:
    format: str
    statements: int
    bytes: int
    sha256: str
    gzip: bool


def export(store: Store, out: BinaryIO | IO[bytes], fmt: str, *, base: str, graphs: Sequence[str] | None = None,
           gzip_level: int | None = None, distinct: bool = False, workers: int = 0,
           sort_buffer_bytes: int = 32 << 20, tmp_dir: str | os.PathLike[str] | None = None) -> ExportResult:
    """Export the store (or ``graphs``) in ``fmt`` to ``out``, gzipped when ``gzip_level`` is given.

    N-Quads and N-Triples of an embedded store are written graph by graph by ``workers`` threads
    (:func:`write_by_graph`); N-Triples with ``distinct`` hold each triple once, sorted."""
    from store.embedded import EmbeddedStore

    sink = Sink(out, gzip_level)
    if fmt in ("nq", "nt") and not (fmt == "nt" and distinct) and isinstance(store, EmbeddedStore):
        n = write_by_graph(store, {fmt: sink}, graphs, workers=workers)
    else:
        n = write_quads(quads(store, graphs), fmt, sink, base=base, distinct=distinct,
                        sort_buffer_bytes=sort_buffer_bytes, tmp_dir=tmp_dir)
    sink.close()
    return ExportResult(fmt, n, sink.bytes, sink.sha256.hexdigest(), gzip_level is not None)


# --------------------------------------------------------------------------- a release


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _iso(t: dt.datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def current_release(out_dir: str | os.PathLike[str]) -> tuple[Path, dict[str, Any]] | None:
    """The current release behind ``out_dir`` (a link to it): its directory, resolved once, and its
    manifest read from that directory (so both are of the same release, even while a newer one is
    switched in); None when there is no release (yet)."""
    p = Path(out_dir)
    try:
        directory = p.resolve(strict=True)
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return (directory, manifest) if isinstance(manifest, dict) else None


def release_dir(out_dir: str | os.PathLike[str]) -> Path | None:
    """The directory of the current release behind ``out_dir``, if there is one."""
    hit = current_release(out_dir)
    return hit[0] if hit else None


def read_manifest(out_dir: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The current release's manifest, or None when there is no release (yet)."""
    hit = current_release(out_dir)
    return hit[1] if hit else None


def write_release(store: Store, out_dir: str | os.PathLike[str], *, base: str, gzip_level: int = 6,
                  sort_buffer_bytes: int = 32 << 20, keep: int = 2, workers: int = 0,
                  progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Write a release of the whole store: ``kamergraph.{nq,nt,ttl,jsonld}.gz`` and ``manifest.json``.

    The store is read once: an embedded store graph by graph (:func:`write_by_graph`, ``workers``
    threads) into the N-Quads and the N-Triples files at once, a remote store (:func:`quads`) into the
    N-Quads file and from that into the N-Triples. The JSON-LD and the distinct triples for Turtle are
    derived from the N-Quads file, so all four files hold the same statements; a change of the store
    while it is read raises :class:`StoreError` and nothing is released. The release is written
    into a directory of its own beside ``out_dir`` (``{out_dir}.releases/{time}``) and ``out_dir``
    then becomes a symbolic link to it, in one atomic rename: a reader sees the previous release or
    the new one, whole. The newest ``keep`` releases are kept (downloads running from the previous
    one finish), older ones removed.
    """
    say = progress or (lambda _msg: None)
    out = Path(out_dir)
    out_abs = out.absolute()
    releases = _releases_beside(out, out_abs)
    created = _now()
    generation_before = generation_token(store)
    final = _new_release_dir(releases, created)
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=releases))
    try:
        files, n_quads, distinct, generation_after = _write_files(
            store, work, base=base, gzip_level=gzip_level, sort_buffer_bytes=sort_buffer_bytes, workers=workers,
            say=say)
        manifest = {
            "created": _iso(created),
            "store_generation": generation_before if generation_before == generation_after else None,
            "triples": distinct,
            "quads": n_quads,
            "files": files,
        }
        _seal(work, final, manifest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _switch_link(out_abs, final)
    say(f"release {final.name} is now {out}")
    _remove_old_releases(releases, final, keep)
    return manifest


def _releases_beside(out: Path, out_abs: Path) -> Path:
    """The folder of releases beside ``out`` (made if need be); ``out`` itself must be a release
    link, nothing, or an empty directory (removed)."""
    releases = out_abs.with_name(out_abs.name + ".releases")
    releases.mkdir(parents=True, exist_ok=True)
    if out.exists() and not out.is_symlink():
        if not out.is_dir() or any(out.iterdir()):
            raise StoreError(f"{out} exists and is not a release link made by `kamergraph dumps`; "
                             "move it away or give another --out")
        out.rmdir()
    return releases


def _new_release_dir(releases: Path, created: dt.datetime) -> Path:
    """The path of a new release in ``releases``: named after its time, with a number where that is taken."""
    name = created.strftime("%Y%m%dT%H%M%SZ")
    final = releases / name
    n = 1
    while final.exists():
        n += 1
        final = releases / f"{name}-{n}"
    return final


def _write_files(store: Store, work: Path, *, base: str, gzip_level: int, sort_buffer_bytes: int, workers: int,
                 say: Callable[[str], None]) -> tuple[list[dict[str, Any]], int, int, str | None]:
    """The release's four files, written in ``work``: the store read once (1), the JSON-LD and the
    sorted triples derived from its N-Quads (2), Turtle from those (3). Gives the manifest's file
    entries (in the order of RELEASE_FORMATS), the number of quads, of distinct triples, and the
    store's generation right after it was read."""
    from store.embedded import EmbeddedStore

    nq_path = work / f"{RELEASE_NAME}.nq.gz"
    embedded = isinstance(store, EmbeddedStore)
    say("reading the store into kamergraph.nq.gz" + (" and kamergraph.nt.gz" if embedded else ""))
    with (work / f"{RELEASE_NAME}.nt.gz").open("wb") as raw_nt:
        nt_sink = Sink(raw_nt, gzip_level)
        nq_sink, n_quads = _read_store(store, nq_path, nt_sink if embedded else None, base=base,
                                       gzip_level=gzip_level, workers=workers)
        generation_after = generation_token(store)

        say("writing kamergraph.jsonld.gz and sorting the triples")
        with Sorter(sort_buffer_bytes, work) as sorter:
            triples_to = sorter if embedded else Tee(sorter, nt_sink)  # a remote store's N-Triples here
            jsonld_sink, n_jsonld = _write_jsonld(nq_path, work / f"{RELEASE_NAME}.jsonld.gz", triples_to,
                                                  base=base, gzip_level=gzip_level)
            nt_sink.close()  # whole now: written in step 1 (embedded) or just above (remote)
            if n_jsonld != n_quads:
                raise StoreError(f"the JSON-LD has {n_jsonld} statements, the N-Quads {n_quads}")

            say("writing kamergraph.ttl.gz")
            with (work / f"{RELEASE_NAME}.ttl.gz").open("wb") as raw_ttl:
                ttl_sink = Sink(raw_ttl, gzip_level)
                distinct = write_sorted(sorter, "ttl", ttl_sink)
                ttl_sink.close()
    files = [_entry("nq", nq_sink, n_quads), _entry("nt", nt_sink, n_quads), _entry("ttl", ttl_sink, distinct),
             _entry("jsonld", jsonld_sink, n_jsonld)]
    order = {f: i for i, f in enumerate(RELEASE_FORMATS)}
    files.sort(key=lambda e: order[e["format"]])
    return files, n_quads, distinct, generation_after


def _read_store(store: Store, nq_path: Path, nt_sink: Sink | None, *, base: str, gzip_level: int,
                workers: int) -> tuple[Sink, int]:
    """Step 1: the store read once into ``nq_path`` (closed, all its bytes written, when this returns)
    and, for an embedded store, into ``nt_sink`` too, graph by graph in threads; the N-Quads' sink and
    the number of statements."""
    with nq_path.open("wb") as raw_nq:
        nq_sink = Sink(raw_nq, gzip_level)
        if nt_sink is not None:
            n_quads = write_by_graph(store, {"nq": nq_sink, "nt": nt_sink}, workers=workers)
        else:
            n_quads = write_quads(quads(store), "nq", nq_sink, base=base)
        nq_sink.close()
    return nq_sink, n_quads


def _write_jsonld(nq_path: Path, path: Path, triples_to: Any, *, base: str, gzip_level: int) -> tuple[Sink, int]:
    """Step 2: one pass over the N-Quads file, writing the JSON-LD to ``path`` and the N-Triples of
    every statement to ``triples_to`` (the sorter, and for a remote store the N-Triples file); the
    JSON-LD's sink and the number of statements it holds."""
    with path.open("wb") as raw_jsonld:
        jsonld_sink = Sink(raw_jsonld, gzip_level)
        writer = JsonLdWriter(jsonld_sink, context_url(base))
        add = writer.add

        def tee(source: Iterable[Quad]) -> Iterator[Triple]:
            for q in source:
                add(q)
                yield q.triple

        with gzip.open(nq_path, "rb") as fh:
            serialize(tee(parse(fh, format=RdfFormat.N_QUADS)), triples_to, RdfFormat.N_TRIPLES)
        writer.close()
        jsonld_sink.close()
    return jsonld_sink, writer.n


def _entry(fmt: str, sink: Sink, statements: int) -> dict[str, Any]:
    """The manifest's entry for one file of the release."""
    f = FORMATS[fmt]
    return {"file": f"{RELEASE_NAME}{f.suffix}.gz", "format": fmt, "media_type": f.media_type,
            "encoding": "gzip", "bytes": sink.bytes, "triples": statements,
            "sha256": sink.sha256.hexdigest(), "created": _iso(_now())}


def _seal(work: Path, final: Path, manifest: dict[str, Any]) -> None:
    """The manifest written, the files made readable by all, and ``work`` renamed to ``final``."""
    (work / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    for p in work.iterdir():
        p.chmod(0o644)
    work.chmod(0o755)
    work.rename(final)


def _switch_link(out_abs: Path, final: Path) -> None:
    """The switch: a new link to ``final`` beside the old one, renamed over it (atomic)."""
    link_tmp = out_abs.with_name(f".{out_abs.name}.{os.getpid()}.link")
    link_tmp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(final, out_abs.parent), link_tmp)
    os.replace(link_tmp, out_abs)


def _remove_old_releases(releases: Path, final: Path, keep: int) -> None:
    """Remove all but the newest ``keep`` releases (never ``final``)."""
    current = sorted((p for p in releases.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.name)
    for old in current[:-max(1, keep)]:
        if old.resolve() != final.resolve():
            shutil.rmtree(old, ignore_errors=True)
