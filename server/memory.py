"""The server's own memory: large request texts given back to the system when freed.

glibc serves an allocation above its mmap threshold (128 KB at first) with its own mapping, returned
to the system on free; but each such free raises the threshold (up to 32 MB), after which the ~1 MB
query texts, bodies and keys of the answer cache come from the heaps of the threads' malloc arenas,
where freed space stays resident. Measured with bench/reliability_load.py (600 distinct ~950 KB
queries), that kept the server ~300 MB above its answer cache's budget. A fixed threshold (which
turns the raising off) and a few arenas keep what the server frees from staying resident.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger("kamergraph.server.memory")

M_MMAP_THRESHOLD = -3  # glibc mallopt parameters (malloc.h)
M_ARENA_MAX = -8
#: Allocations of this size and up get a mapping of their own, returned to the system on free.
MMAP_THRESHOLD = 128 * 1024
#: Most malloc arenas (one per thread by default, up to eight per core).
ARENA_MAX = 4

_done = False


def give_back_large_allocations() -> bool:
    """Set glibc's mmap threshold and arena count for this process (once); False where there is no glibc."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        ok = bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(libc.mallopt(M_ARENA_MAX, ARENA_MAX))
    except (OSError, AttributeError):
        return False
    if not ok:
        log.warning("mallopt refused the mmap threshold or the arena count; large allocations may stay resident")
    _done = ok
    return ok
