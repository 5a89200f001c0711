"""The embedded store: pyoxigraph (Oxigraph) on disk, the project's default.

A store opened ``read_only`` takes no lock (pyoxigraph ``Store.read_only``): any number of readers
(``stats``, ``query``, ``validate``, ``export``, the server) share it, also on a read-only mount.

A rebuild fills ``{store}.rebuild`` and swaps it in (:meth:`EmbeddedStore.adopt`) under a journal,
``{store}.swap``, written before the first rename and removed after the last clean-up: a process
stopped anywhere in between is finished by :func:`recover` (which every command runs first), and one
stopped before leaves only leftovers :func:`recover` removes. The swap changes the store's generation
in the same rename (see :mod:`store.generation`).

pyoxigraph has no query timeout of its own. A query with a time limit therefore runs in a
worker process that opens the store read-only and is killed at the deadline, which truly
frees the CPU; a query without a limit runs in this process.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import multiprocessing as mp
import os
import shutil
import traceback
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store as OxStore,
    Variable,
    parse,
    serialize,
)

from store import generation
from store.base import QueryError, QueryResult, QueryTimeout, Store, StoreError, Term

FORMATS: dict[str, RdfFormat] = {
    "nq": RdfFormat.N_QUADS,
    "nt": RdfFormat.N_TRIPLES,
    "ttl": RdfFormat.TURTLE,
    "trig": RdfFormat.TRIG,
    "rdf": RdfFormat.RDF_XML,
}


def _execute(
    store: OxStore,
    sparql: str,
    bindings: Mapping[str, Term] | None,
    row_limit: int | None,
    union: bool,
) -> QueryResult:
    subs = {Variable(k): v for k, v in (bindings or {}).items()}
    try:
        res = store.query(sparql, use_default_graph_as_union=union, substitutions=subs or None)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(str(exc)) from None
    try:
        if isinstance(res, QueryBoolean):
            return QueryResult(kind="ask", boolean=bool(res))
        if isinstance(res, QuerySolutions):
            names = [v.value for v in res.variables]
            rows: list[tuple[Term | None, ...]] = []
            truncated = False
            for sol in res:
                if row_limit is not None and len(rows) >= row_limit:
                    truncated = True
                    break
                rows.append(tuple(sol[i] for i in range(len(names))))
            return QueryResult(kind="select", variables=names, rows=rows, truncated=truncated)
        if isinstance(res, QueryTriples):
            triples = []
            truncated = False
            for t in res:
                if row_limit is not None and len(triples) >= row_limit:
                    truncated = True
                    break
                triples.append(t)
            return QueryResult(kind="graph", triples=triples, truncated=truncated)
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(str(exc)) from None
    raise QueryError(f"unexpected query result {type(res).__name__}")


def _worker(conn: Any, path: str, sparql: str, bindings: Any, row_limit: Any, union: bool) -> None:
    try:
        store = OxStore.read_only(path)
        conn.send(("ok", _execute(store, sparql, bindings, row_limit, union)))
    except QueryError as exc:
        conn.send(("query-error", str(exc)))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        conn.send(("error", traceback.format_exc(limit=3)))
    finally:
        conn.close()


_ctx: mp.context.BaseContext | None = None


def _context() -> mp.context.BaseContext:
    global _ctx
    if _ctx is None:
        method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
        _ctx = mp.get_context(method)
        if method == "forkserver":
            _ctx.set_forkserver_preload(["pyoxigraph", "store.base"])
    return _ctx


class EmbeddedStore(Store):
    """Oxigraph on disk (``path``) or in memory (``path=None``, for tests and staging).

    ``read_only``: open without taking the store's lock and without writing anything (the store
    must exist); every write then raises :class:`StoreError`.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = read_only and self.path is not None
        self._tracked = True  # keeps a generation marker (not a store being rebuilt: nobody reads it)
        try:
            if self.path is None:
                self._store = OxStore()
            elif self.read_only:
                if not (self.path / "CURRENT").is_file():
                    raise StoreError(f"there is no store at {self.path} (run `kamergraph build` first)")
                self._store = OxStore.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = OxStore(str(self.path))
        except (OSError, RuntimeError) as exc:  # RuntimeError: RocksDB found files changing under it
            raise StoreError(f"cannot open the store at {self.path}: {_reason(exc)}") from None

    @property
    def ox(self) -> OxStore:
        """The underlying pyoxigraph store (for the stages that need its native API)."""
        return self._store

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.path} was opened read-only")

    # -- writing
    def replace_graph(self, graph: str, nquads: str | bytes) -> None:
        self._writable()
        quads = parse(nquads, format=RdfFormat.N_QUADS) if nquads else []
        triples = [q.triple for q in quads]
        update = f"DROP SILENT GRAPH <{graph}> ;\n"
        if triples:
            body = serialize(triples, format=RdfFormat.N_TRIPLES).decode("utf-8")
            update += f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}"
        # One SPARQL update is one transaction: readers see the old graph or the new one.
        self._pending()
        try:
            self._store.update(update)
        except (OSError, ValueError, SyntaxError) as exc:
            self._changed(failed=True)
            raise StoreError(f"cannot replace graph <{graph}>: {_reason(exc)}") from None
        self._changed()

    def _pending(self) -> None:
        """Before a write: mark the generation as moving (see :func:`store.generation.pending`)."""
        if self.path is not None and self._tracked:
            generation.pending(self.path)

    def _changed(self, failed: bool = False) -> None:
        """Tell readers (the server's workers and caches) that the contents have changed (``failed``:
        may have changed: a write that failed; its own error is the one raised)."""
        if self.path is not None:
            try:
                self._store.flush()
            except OSError:
                if not failed:
                    raise
        if self.path is not None and self._tracked:
            generation.crash_point("write-before-bump")
            generation.bump(self.path)

    def bulk_load(self, nquads: bytes, *, lenient: bool = False) -> None:
        """Load N-Quads without per-graph transactions (for a store being rebuilt). ``lenient``: without the
        parser's checks of IRIs and language tags, for N-Quads that are parsed strictly elsewhere (a build
        loads the same bytes into its validated in-memory copy); about a sixth less CPU."""
        self._writable()
        self._pending()
        try:
            self._store.bulk_load(nquads, format=RdfFormat.N_QUADS, lenient=lenient)
        except (OSError, ValueError, SyntaxError) as exc:
            self._changed(failed=True)
            raise StoreError(f"bulk load failed: {_reason(exc)}") from None
        self._changed()

    def graph_nquads(self, graph: str) -> bytes:
        """One named graph as N-Quads (to carry it over into a rebuilt store)."""
        quads = self._store.quads_for_pattern(None, None, None, NamedNode(graph))
        return serialize(quads, format=RdfFormat.N_QUADS)

    def begin_rebuild(self) -> EmbeddedStore:
        """An empty store beside this one; :meth:`adopt` makes it this store, atomically on disk."""
        if self.path is None:
            return EmbeddedStore(None)
        self._writable()
        fresh = _side(self.path, "rebuild")
        with _swap_lock(self.path):  # so that a concurrent recover() sees it locked, never half made
            if fresh.exists():
                shutil.rmtree(fresh)
            rebuilt = EmbeddedStore(fresh)
        rebuilt._tracked = False
        return rebuilt

    def discard(self, rebuilt: EmbeddedStore) -> None:
        """Drop a store from :meth:`begin_rebuild` that will not be adopted (a build that failed)."""
        if rebuilt.path is None or self.path is None or rebuilt.path != _side(self.path, "rebuild"):
            return
        with _swap_lock(self.path):
            rebuilt.close()
            if _side(self.path, "swap").exists():  # the swap was committed (journalled) and failed half-way:
                return  # the rebuild may be the only copy left; the next command's recover() finishes it
            shutil.rmtree(rebuilt.path, ignore_errors=True)

    def adopt(self, rebuilt: EmbeddedStore) -> None:
        """Make a rebuilt store this one: the old contents are replaced as a whole.

        The swap runs under the journal ``{store}.swap`` (see :func:`recover`): journal, move the
        store to ``{store}.old``, move the rebuilt store into its place (the generation moves with
        it: a new directory), bump the marker to the journal's token, remove ``{store}.old``, and
        last the journal. A process stopped anywhere in there leaves what :func:`recover` finishes.
        """
        if self.path is None or rebuilt.path is None:
            self._store = rebuilt._store
            return
        self._writable()
        with _swap_lock(self.path):  # closed under the lock: a concurrent recover() never sees it unused
            rebuilt.close()
            self.close()
            journal = _side(self.path, "swap")
            _write_atomic(journal, json.dumps({"generation": uuid.uuid4().hex}) + "\n")
            generation.crash_point("swap-journal")
            _finish_swap(self.path)
        self._store = OxStore(str(self.path))

    def remove_graph(self, graph: str) -> None:
        self._writable()
        g = NamedNode(graph)
        if self._store.contains_named_graph(g):
            self._pending()
            self._store.remove_graph(g)
            self._changed()

    def clear(self) -> None:
        self._writable()
        self._pending()
        self._store.clear()
        self._changed()

    def optimize(self) -> None:
        self._writable()
        self._store.optimize()

    def flush(self) -> None:
        if self.path is not None and not self.read_only:
            self._store.flush()

    # -- reading
    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        timeout: float | None = None,
        row_limit: int | None = None,
        union_default_graph: bool = True,
    ) -> QueryResult:
        if timeout is None or self.path is None:
            return _execute(self._store, sparql, bindings, row_limit, union_default_graph)
        self.flush()
        ctx = _context()
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(
            target=_worker,
            args=(child, str(self.path), sparql, dict(bindings or {}), row_limit, union_default_graph),
            daemon=True,
        )
        proc.start()
        child.close()
        try:
            if not parent.poll(timeout):
                raise QueryTimeout(timeout)
            status, payload = parent.recv()
        except EOFError:
            raise StoreError("the query worker ended without an answer") from None
        finally:
            if proc.is_alive():
                proc.kill()
            proc.join(1)
            parent.close()
        if status == "ok":
            return payload
        if status == "query-error":
            raise QueryError(payload)
        raise StoreError(f"the query worker failed: {payload}")

    def dump(self, out: BinaryIO, fmt: str = "nq") -> None:
        rdf_format = FORMATS.get(fmt)
        if rdf_format is None:
            raise StoreError(f"unknown dump format {fmt!r}; one of {', '.join(FORMATS)}")
        if rdf_format in (RdfFormat.N_QUADS, RdfFormat.TRIG):
            self._store.dump(out, format=rdf_format)
        else:  # triple formats: the union of all graphs, streamed
            serialize((q.triple for q in self._store), out, format=rdf_format)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, NamedNode))

    def __len__(self) -> int:
        return len(self._store)

    def close(self) -> None:
        if self.path is not None and not self.read_only and self._store is not None:
            try:
                self._store.flush()
            except OSError:
                pass
        self._store = None  # type: ignore[assignment]


# --------------------------------------------------------------------------- swap and recovery


def _reason(exc: BaseException) -> str:
    """An OSError as words: its message, and the file it concerns where it names one."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror + (f": {exc.filename}" if exc.filename else "")
    return str(exc)


def _side(path: Path, kind: str) -> Path:
    """A sibling of the store directory: ``{store}.rebuild``, ``{store}.old``, ``{store}.swap``."""
    return path.with_name(f"{path.name}.{kind}")


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@contextlib.contextmanager
def _swap_lock(path: Path) -> Iterator[bool]:
    """An exclusive lock (``flock``) on the store's parent directory while a swap or a recovery runs;
    yields False where the directory cannot be locked (then nothing may be changed)."""
    try:
        fd = os.open(path.parent if str(path.parent) else ".", os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield False
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield True
    finally:
        os.close(fd)


def _finish_swap(path: Path) -> list[str]:
    """Carry out (or finish) the swap its journal describes; returns what it did that was left over."""
    journal, rebuild, old = _side(path, "swap"), _side(path, "rebuild"), _side(path, "old")
    done: list[str] = []
    try:
        token = str(json.loads(journal.read_text(encoding="utf-8"))["generation"])
    except (ValueError, KeyError, TypeError):  # a journal cut short (a power loss before it reached the disk)
        token = uuid.uuid4().hex  # the swap still completes; any new token tells readers the store moved
        done.append(f"the swap journal {journal} was unreadable: finished the swap with a new generation")
    if not rebuild.exists() and not path.exists() and old.exists():  # moved out, the rebuild lost: put it back
        old.rename(path)
        done.append(f"moved {old} back into the store's place (the swap's rebuilt store was missing)")
    if rebuild.exists():
        if path.exists() and not old.exists():
            path.rename(old)
            generation.crash_point("swap-moved-old")
        elif path.exists():  # a store, an old one and a rebuild: the swap had not begun
            shutil.rmtree(old)
            path.rename(old)
        rebuild.rename(path)
        done.append(f"moved the finished rebuild {rebuild} into the store's place")
        generation.crash_point("swap-renamed")
    if generation.token(path) != token:
        generation.bump(path, token)
        if not done:
            done.append(f"recorded the new generation of {path}")
    generation.crash_point("swap-bumped")
    if old.exists():
        size = _size(old)
        _remove_tree(old)
        done.append(f"removed {old} ({size / 1e6:,.0f} MB), the store before the last build")
    journal.unlink()
    return done


def _remove_tree(path: Path) -> None:
    """``shutil.rmtree``, with a crash point after the first file (a clean-up stopped half-way)."""
    first = True
    for root, _dirs, files in os.walk(path):
        for f in files:
            os.unlink(os.path.join(root, f))
            if first:
                generation.crash_point("cleanup")
                first = False
    shutil.rmtree(path)


def _size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(root, f)).st_size
    return total


def _locked(store_dir: Path) -> bool:
    """Whether another process has this Oxigraph store open for writing (holds its RocksDB lock)."""
    try:
        fd = os.open(store_dir / "LOCK", os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def recover(path: str | os.PathLike[str]) -> list[str]:
    """Finish or undo what a process stopped while writing the store at ``path`` left behind, and
    return what was done (empty: nothing to do). Every command runs it before it opens the store:

    - a swap journal (``{store}.swap``): the rebuilt store was complete, so the swap is finished;
    - a ``{store}.rebuild`` nobody has open: a build stopped before its swap, removed;
    - a ``{store}.old`` without a journal: removed (or, with no store beside it, moved back);
    - a generation token still "pending" (a write stopped before its bump) while no process has the
      store open for writing: bumped, so that readers notice what was written;
    - temporary files of the generation marker or the journal whose process is gone: removed.

    A recovery that cannot write (a read-only mount) changes nothing and says what it found. Call it
    before this process opens the store (the check for another writer uses RocksDB's POSIX lock, which
    a process does not see against itself).
    """
    path = Path(path)
    done: list[str] = []
    journal, rebuild, old = _side(path, "swap"), _side(path, "rebuild"), _side(path, "old")
    if not any(p.exists() for p in (journal, rebuild, old)) and not _stale_tmp(path) \
            and not (generation.token(path) or "").startswith(generation.PENDING):
        return done  # the usual case: nothing left over (a few stat calls)
    with _swap_lock(path) as locked:
        try:
            if not locked:
                raise PermissionError(13, "cannot lock the folder", str(path.parent))
            if journal.exists():
                done += _finish_swap(path)
            if rebuild.exists() and not _locked(rebuild):
                size = _size(rebuild)
                shutil.rmtree(rebuild)
                done.append(f"removed {rebuild} ({size / 1e6:,.0f} MB), left by a build that was stopped")
            if old.exists() and not path.exists():
                old.rename(path)
                done.append(f"moved {old} back into the store's place (a swap stopped without its journal)")
            elif old.exists():
                size = _size(old)
                shutil.rmtree(old)
                done.append(f"removed {old} ({size / 1e6:,.0f} MB), left by a build that was stopped")
            for tmp in _stale_tmp(path):
                tmp.unlink(missing_ok=True)
                done.append(f"removed {tmp}, left by a process that was stopped")
            if (generation.token(path) or "").startswith(generation.PENDING) and path.exists() \
                    and not _locked(path):
                generation.bump(path)
                done.append(f"recorded the new generation of {path} (a write was stopped before it could)")
        except OSError as exc:
            done.append(f"could not clean up beside {path}: {_reason(exc)}")
    return done


def _stale_tmp(path: Path) -> list[Path]:
    """Temporary files of the generation marker and the swap journal whose process has ended."""
    out = []
    try:
        names = os.listdir(path.parent if str(path.parent) else ".")
    except OSError:
        return out
    for name in names:
        for prefix in (f"{path.name}.generation.", f"{path.name}.swap."):
            rest = name[len(prefix):]
            if name.startswith(prefix) and rest.endswith(".tmp") and rest[:-4].isdigit() \
                    and not _pid_alive(int(rest[:-4])):
                out.append(path.parent / name)
    return out
