"""server.memory: ~1 MB texts the server frees do not stay resident (glibc's raised mmap threshold put
them on the arenas' heaps, where a small object allocated after them pins the space)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import sys, threading
    sys.path.insert(0, {root!r})
    from server.memory import give_back_large_allocations
    if sys.argv[1] == "on":
        assert give_back_large_allocations()

    def rss():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024

    kept = []
    def work(k):
        texts = []
        for i in range(60):  # a ~950 KB query text, then something small that outlives it
            texts.append(("x" * 950_000) + str(k * 1000 + i))
            kept.append(bytes(2000))
            if len(texts) > 4:
                texts.pop(0)
    first = "y" * 950_000; del first  # one free of a mapped chunk raises glibc's threshold
    before = rss()
    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for t in threads: t.start()
    for t in threads: t.join()
    print(rss() - before)
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_freed_large_texts_are_given_back() -> None:
    def grown(mode: str) -> int:
        out = subprocess.run([sys.executable, "-c", SCRIPT.format(root=str(ROOT)), mode], capture_output=True,
                             text=True, timeout=60, check=True)
        return int(out.stdout.strip())

    off, on = grown("off"), grown("on")
    assert on < 8_000_000, f"{on:,} bytes stayed resident after the texts were freed"
    assert off > on + 8_000_000, (off, on)  # the test can tell: without the setting ~20 MB stay here
