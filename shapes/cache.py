"""The validation results of the reference graphs, kept on disk by their content.

Every build validates the same context graphs (the ontology, the persons, memberships, fracties,
government and EU register graphs) together with its record graphs. For a build of a few hundred
records the context graphs are most of the work, and they are the same from build to build. So a
:class:`ValidationCache` keeps the results for the focus nodes typed in the context graphs, in a file
named by a hash of what decides them: the context graphs' statements (canonical N-Quads as the store
writes them, sorted), the shapes file, the code of the validator (every module of ``shapes/``) and
pyoxigraph's version. Another input is another key, so a stale entry is never read; an entry that
cannot be read (cut short, changed by hand) is ignored, computed again and written anew, with a note.

The cached results stand for the results within the whole store only when nothing outside the
context graphs says anything about a node of theirs: :func:`independent` checks that no statement
of another graph has as its subject a node the context graphs name (as subject or object), which
covers the focus nodes' own statements, the types of their values and every path followed from
them. When that does not hold, or when a graph has blank nodes (whose labels are not stable), or for
more than ``MAX_OTHERS`` other graphs, the store is validated as a whole, as without the cache. (The other
graphs are validated in a run restricted to them, which costs more per graph than a run over the whole
store: measured on slices of the bundled records, the cache saves ~0.5 s of CPU at 30 record graphs, half
that at 150 and nothing at 300, and costs 0.8 s more at 1,000.)

The folder is ``$KAMERGRAPH_VALIDATION_CACHE``; unset, ``$XDG_CACHE_HOME/kamergraph/validation`` (else
``~/.cache/kamergraph/validation``); ``off`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from shapes.fast import FastValidator
from shapes.report import Report, ValidationResult, sort_key

ENV = "KAMERGRAPH_VALIDATION_CACHE"
VERSION = "1"  # the entries' format
KEEP = 32  # entries kept; the least recently used beyond are removed
MAX_OTHERS = 200  # graphs besides the cached ones up to which the cache is used (see the module's docstring)
_FIELDS = ("focus_node", "path", "message", "severity", "source_shape", "value", "graph", "component", "value_term")


def default_folder() -> Path | None:
    """The cache folder the environment names (see the module's docstring); None when it is ``off``."""
    explicit = os.environ.get(ENV)
    if explicit is not None and explicit.strip().lower() in ("off", "0", "no", "false", ""):
        return None
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kamergraph" / "validation"


def _code_digest(shapes_path: Path) -> bytes:
    """The shapes file, every module of the ``shapes`` package and pyoxigraph's version, hashed."""
    digest = hashlib.sha256(f"{VERSION}\0{metadata.version('pyoxigraph')}\0".encode())
    digest.update(shapes_path.read_bytes())
    for module in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(f"\0{module.name}\0".encode())
        digest.update(module.read_bytes())
    return digest.digest()


def content_key(store: Any, graphs: Iterable[str], shapes_path: Path) -> str | None:
    """A hash of ``graphs``' statements in ``store`` (each graph's canonical N-Quads, sorted), the shapes and
    the validator's code; None when one of the graphs holds a blank node."""
    digest = hashlib.sha256(_code_digest(shapes_path))
    for g in sorted(graphs):
        data = store.dump(format=ox.RdfFormat.N_QUADS, from_graph=ox.NamedNode(g))
        lines = sorted(data.split(b"\n"))
        if any(line.startswith(b"_:") or b" _:" in line for line in lines):
            return None  # a blank node, or text that looks like one: not cached
        digest.update(f"\0{g}\0".encode())
        digest.update(b"\n".join(lines))
    return digest.hexdigest()[:32]


def independent(store: Any, cached: Iterable[str], others: Iterable[str]) -> bool:
    """True when no statement of the graphs ``others`` has as its subject a node that the graphs ``cached``
    name as a subject or an object: then what the shapes find for the focus nodes of ``cached`` does not
    depend on ``others``. (Looked up subject by subject: meant for a few thousand statements in ``others``.)"""
    cached = {ox.NamedNode(g) for g in cached}
    subjects = {q.subject for g in others for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))}
    for x in subjects:
        if any(q.graph_name in cached for q in store.quads_for_pattern(x, None, None, None)):
            return False
        if any(q.graph_name in cached for q in store.quads_for_pattern(None, None, x, None)):
            return False
    return True


class ValidationCache:
    """The results of the reference graphs' focus nodes, on disk by content (see the module's docstring).
    ``folder`` None: no cache (every call validates the whole store). :attr:`notes` says what went wrong
    with an entry (ignored and computed again); :attr:`hit` whether the last call used an entry."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.notes: list[str] = []
        self.hit = False

    @classmethod
    def from_environment(cls) -> ValidationCache:
        return cls(default_folder())

    def validate(self, validator: FastValidator, store: Any, cached: Iterable[str]) -> Report:
        """What ``validator.validate_store(store)`` finds: the results of the graphs ``cached`` from the cache
        (computed and kept when missing) and those of every other graph validated afresh; the whole store
        validated at once where the cache cannot stand for it."""
        self.hit = False
        cached = sorted(set(cached))
        graphs = {g.value for g in store.named_graphs()}
        cached = [g for g in cached if g in graphs]
        others = sorted(graphs - set(cached))
        usable = self.folder is not None and cached and len(others) <= MAX_OTHERS
        if not usable or not independent(store, cached, others):
            return validator.validate_store(store)
        key = content_key(store, cached, validator.shapes_path)
        if key is None:
            return validator.validate_store(store)
        results = self._read(key)
        self.hit = results is not None
        if results is None:
            results = list(validator.validate_store(store, cached).results)
            self._write(key, results)
        fresh = validator.validate_store(store, others).results if others else ()
        return Report(tuple(sorted([*results, *fresh], key=sort_key)))

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{key}.json"

    def _read(self, key: str) -> list[ValidationResult] | None:
        """The entry's results, or None when it is missing or cannot be read (then noted)."""
        path = self._path(key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.notes.append(f"validation cache: {path} cannot be read ({exc}); validated afresh")
            return None
        try:
            entry = json.loads(raw)
            if entry.get("version") != VERSION or entry.get("key") != key:
                raise ValueError("another version or key")
            results = [ValidationResult(**{f: r[f] for f in _FIELDS}) for r in entry["results"]]
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            self.notes.append(f"validation cache: {path} is not a valid entry ({exc}); validated afresh")
            return None
        try:
            os.utime(path)  # most recently used
        except OSError:
            pass
        return results

    def _write(self, key: str, results: list[ValidationResult]) -> None:
        """Writes the entry (to a temporary file renamed into place, so a reader never sees half of it) and
        removes the least recently used entries beyond ``KEEP``; a folder that cannot be written is noted."""
        path = self._path(key)
        entry = {"version": VERSION, "key": key,
                 "results": [{f: getattr(r, f) for f in _FIELDS} for r in results]}
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:
            self.notes.append(f"validation cache: {path} cannot be written ({exc})")
            tmp.unlink(missing_ok=True)
            return
        _evict(path.parent)


def _evict(folder: Path) -> None:
    """Removes the least recently used entries beyond ``KEEP`` (one another process removes first is skipped)."""
    entries = []
    for p in folder.glob("*.json"):
        try:
            entries.append((p.stat().st_mtime, p))
        except OSError:
            continue
    for _mtime, old in sorted(entries, reverse=True)[KEEP:]:
        try:
            old.unlink(missing_ok=True)
        except OSError:
            pass
