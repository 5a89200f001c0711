"""The store's generation: a token that changes whenever the store's contents change.

Readers that keep something derived from the store (the server's worker pool, its answer cache,
its guard verdicts) compare the generation before they use it. It is made of two things, read with
two ``stat`` calls:

- a small marker file beside the store directory (``var/store`` -> ``var/store.generation``),
  replaced atomically on every bump, holding a random token (the token a dump release records);
- the store directory's own inode, which a rebuild's swap (a rename of the filled directory into
  the store's place) changes in the same step as the contents. So a swap is seen even when the
  process that made it was stopped before it could bump the marker.

``crash_point(name)`` is a fault-injection hook for the crash-recovery tests
(``tests/reliability/test_crash_recovery.py``, ``bench/crash_points.py``): when the environment
variable ``KAMERGRAPH_CRASH_AT`` names that point, the process kills itself there with SIGKILL.
It does nothing otherwise (one dictionary look-up).
"""

from __future__ import annotations

import os
import signal
import uuid
from pathlib import Path

__all__ = ["PENDING", "bump", "crash_point", "current", "marker", "pending", "token"]

Generation = tuple[int | None, ...] | None

CRASH_ENV = "KAMERGRAPH_CRASH_AT"
PENDING = "pending-"  # the token's prefix while a write is under way (see :func:`pending`)


def crash_point(name: str) -> None:
    """SIGKILL this process here if ``KAMERGRAPH_CRASH_AT`` names this point (crash tests only)."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def marker(store_path: str | os.PathLike[str]) -> Path:
    p = Path(store_path)
    return p.with_name(p.name + ".generation")


def token(store_path: str | os.PathLike[str]) -> str | None:
    """The token the marker holds now (None without a readable marker)."""
    try:
        return marker(store_path).read_text(encoding="ascii").strip() or None
    except OSError:
        return None


def bump(store_path: str | os.PathLike[str], value: str | None = None) -> None:
    """Record that the store at ``store_path`` has changed (``value``: the new token, else a random one)."""
    m = marker(store_path)
    tmp = m.with_name(m.name + f".{os.getpid()}.tmp")
    try:
        tmp.write_text((value or uuid.uuid4().hex) + "\n", encoding="ascii")
        os.replace(tmp, m)
    except OSError:  # a read-only location: readers then still see the directory's own inode
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def pending(store_path: str | os.PathLike[str]) -> None:
    """Bump before a write: the token says a write is under way until the :func:`bump` after it. A
    process stopped in between leaves it so; the next command's recovery
    (``store.embedded.recover``) then bumps again, so that readers notice what was written."""
    bump(store_path, PENDING + uuid.uuid4().hex)


def current(store_path: str | os.PathLike[str]) -> Generation:
    """The generation now: it differs from any earlier value once the store has changed."""
    try:
        d = os.stat(store_path)
    except OSError:
        d = None
    try:
        st = os.stat(marker(store_path))
    except OSError:  # no marker (yet): the directory itself
        return (d.st_ino, d.st_mtime_ns, d.st_size) if d is not None else None
    return (st.st_ino, st.st_mtime_ns, st.st_size, d.st_ino if d is not None else None)
