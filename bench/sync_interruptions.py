"""A sync interrupted at every one of its steps, then resumed: each must end as one uninterrupted sync.

The test suite interrupts `kamergraph sync` at one step of each kind (``STEPS_TESTED`` in
``tests/kamergraph/test_sync.py``: 9 of the 19 steps, two syncs and a store comparison each); this runs
the same test at every step, the repeats of a kind too (the second and third page, the other batches of
writes), by setting ``KAMERGRAPH_EVERY_SYNC_STEP=1`` for it.

    python bench/sync_interruptions.py [-- extra pytest arguments]

Prints pytest's outcome per step and the time of the slowest steps; the exit code is pytest's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    extra = argv[1:] if argv[:1] == ["--"] else argv
    env = {**os.environ, "KAMERGRAPH_EVERY_SYNC_STEP": "1"}
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-v", "--durations=25",
           "tests/kamergraph/test_sync.py", "-k", "interrupted_at_step or tested_steps", *extra]
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
