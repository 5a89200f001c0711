"""The store's generation: a token that changes whenever the store's contents change.

Readers that keep something derived from the store (the server's worker pool, its answer cache,
its guard verdicts) compare the generation before they use it. It lives in a small file beside
the store directory (``var/store`` -> ``var/store.generation``), so that it survives a rebuild
swapping the directory, and is replaced atomically on every bump. Reading it is one ``stat``.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

__all__ = ["bump", "current", "marker"]

Generation = tuple[int, int, int] | None


def marker(store_path: str | os.PathLike[str]) -> Path:
    p = Path(store_path)
    return p.with_name(p.name + ".generation")


def bump(store_path: str | os.PathLike[str]) -> None:
    """Record that the store at ``store_path`` has changed."""
    m = marker(store_path)
    tmp = m.with_name(m.name + f".{os.getpid()}.tmp")
    try:
        tmp.write_text(uuid.uuid4().hex + "\n", encoding="ascii")
        os.replace(tmp, m)
    except OSError:  # a read-only location: readers then fall back to the directory's own stat
        tmp.unlink(missing_ok=True)


def current(store_path: str | os.PathLike[str]) -> Generation:
    """The generation now: it differs from any earlier value once the store has changed."""
    try:
        st = os.stat(marker(store_path))
    except OSError:
        try:
            st = os.stat(store_path)  # no marker (yet): the directory itself (a swap changes its inode)
        except OSError:
            return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)
