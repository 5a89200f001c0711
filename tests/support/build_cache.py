"""Built stores the tests share, kept on disk between runs and between parallel test workers.

A build of the whole bundled corpus costs about a minute; with the tests running in parallel each
worker would build it again, and each run too. ``cached_store`` builds a store once, keyed by a hash
of everything the build reads: the bundled data (``data/``), every file of the project's packages
(the ``packages`` of pyproject.toml), the recipe's name and code, and the versions of Python and of
the libraries that write the store. A change to any of these is another key, so a stale store is never
used. The build runs under a file lock (``fcntl.flock``), so two workers that want the same store at
once build it once; it is written to a temporary folder and renamed into place when complete, so an
interrupted build is never taken. Each caller gets a private copy (the store's immutable ``.sst``
files hard-linked, the rest copied): tests open their store read-write and may write to it, and the
cached one is never changed.

The cache lives in ``$KAMERGRAPH_TEST_CACHE``, else ``$XDG_CACHE_HOME/kamergraph-tests``, else
``~/.cache/kamergraph-tests``; the least recently used stores beyond ``KEEP`` are removed.
"""

from __future__ import annotations

import fcntl
import hashlib
import inspect
import os
import pickle
import platform
import shutil
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
KEEP = 10  # stores kept in the cache (a full build is about 0.8 GB, the others tens of MB)
REPORT = "report.pickle"

Recipe = Callable[[Path], Any]  # builds a store at the path given; returns what the tests get with it


def cache_root() -> Path:
    """The folder holding the cached stores (made if missing)."""
    explicit = os.environ.get("KAMERGRAPH_TEST_CACHE")
    base = Path(explicit) if explicit else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kamergraph-tests"
    base.mkdir(parents=True, exist_ok=True)
    return base


def package_folders(root: Path = ROOT) -> list[str]:
    """The project's top-level package folders, as the install finds them (pyproject.toml's
    ``[tool.setuptools.packages.find]``); an error if none is found, so the key can never skip the code."""
    from setuptools import find_packages

    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    packages = config.get("tool", {}).get("setuptools", {}).get("packages", {})
    include = packages.get("find", {}).get("include", []) if isinstance(packages, dict) else []
    tops = sorted({name.split(".")[0] for name in find_packages(str(root), include=include)}) if include else []
    if not tops or not all(any((root / top).rglob("*.py")) for top in tops):
        raise RuntimeError(f"the build cache found no package code under {root} (packages: {tops})")
    return tops


def source_files(root: Path = ROOT) -> Iterator[Path]:
    """Every file the build may read: data/ and the project's packages, in a fixed order."""
    for top in ["data", *package_folders(root)]:
        for folder, dirs, files in os.walk(root / top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if not name.endswith(".pyc"):
                    yield Path(folder) / name


def cache_key(name: str, recipe: Recipe, root: Path = ROOT) -> str:
    """A hash of the recipe (name and code), the files the build reads and the versions that write the store."""
    digest = hashlib.sha256()
    digest.update(f"{name}\0{inspect.getsource(recipe)}\0{sys.version}\0{platform.machine()}\0".encode())
    # every installed distribution's version: the store writers (pyoxigraph, rdflib, pyshacl) and all the
    # build reads with (python-docx, pyspellchecker's dictionaries, …)
    for dist in sorted({(d.metadata["Name"] or "").lower(): d.version for d in metadata.distributions()}.items()):
        digest.update(f"{dist[0]}={dist[1]}\0".encode())
    digest.update(Path(__file__).read_bytes())
    for path in source_files(root):
        digest.update(f"{path.relative_to(root)}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:24]


def digest_of(*paths: Path) -> str:
    """A short hash of the contents of these files (folders: every file under them, in path order),
    for a recipe's name when it builds from inputs outside ``data/`` and the packages (a slice of the
    records written by a test, a changed copy of the data folder): other inputs, another name."""
    digest = hashlib.sha256()
    for top in paths:
        files = sorted(Path(folder, name) for folder, _dirs, names in os.walk(top, followlinks=True)
                       for name in names) if top.is_dir() else [top]
        for path in files:
            digest.update(f"{path.relative_to(top) if top.is_dir() else path.name}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``path`` (made if missing) for the duration of the block."""
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def copy_store(source: Path, dest: Path) -> None:
    """A private copy of a closed store folder: ``.sst`` files (never changed once written) hard-linked
    where the file system allows it, every other file copied."""
    dest.mkdir(parents=True)
    for item in sorted(source.iterdir()):
        if item.is_dir():
            copy_store(item, dest / item.name)
        elif item.suffix == ".sst":
            try:
                os.link(item, dest / item.name)
            except OSError:
                shutil.copy2(item, dest / item.name)
        else:
            shutil.copy2(item, dest / item.name)


def evict(root: Path, keep: Path) -> None:
    """Remove the least recently used cached stores beyond ``KEEP`` (never ``keep``, nor one whose lock
    another process holds), and temporary folders of builds that ended without finishing (older than an hour)."""
    entries = sorted((p for p in root.iterdir() if p.is_dir() and ".tmp-" not in p.name and p != keep),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP - 1:]:
        with (root / f"{old.name}.lock").open("a") as fh:
            try:  # a store another process is about to copy (it holds the store's lock) stays
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            shutil.rmtree(old, ignore_errors=True)
    for tmp in root.glob("*.tmp-*"):
        if tmp.is_dir() and time.time() - tmp.stat().st_mtime > 3600:
            shutil.rmtree(tmp, ignore_errors=True)


def cached_store(name: str, recipe: Recipe, dest: Path, root_dir: Path = ROOT) -> Any:
    """The store ``recipe`` builds, copied to ``dest`` (a store folder, made here), and what the recipe
    returned (kept with the store, pickled). Built at most once per key, whichever process asks first.
    The key is taken again after the build: a store built while its inputs changed is not kept."""
    root = cache_root()
    key = cache_key(name, recipe, root_dir)
    entry = root / f"{name}-{key}"
    with locked(root / f"{entry.name}.lock"):
        if not entry.is_dir():
            tmp = root / f"{entry.name}.tmp-{os.getpid()}"
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            result = recipe(tmp / "store")
            if cache_key(name, recipe, root_dir) != key:
                # the code or data changed while the store was built (an edit in the working tree): the store
                # may hold a mixture, so it is used by this caller only and never kept under either key
                shutil.move(str(tmp / "store"), str(dest))
                shutil.rmtree(tmp, ignore_errors=True)
                return result
            (tmp / REPORT).write_bytes(pickle.dumps(result))
            with locked(root / ".lock"):
                tmp.rename(entry)
                evict(root, entry)
        with locked(root / ".lock"):
            os.utime(entry)  # most recently used
            copy_store(entry / "store", dest)
            return pickle.loads((entry / REPORT).read_bytes())
