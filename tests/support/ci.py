"""Whether the tests run under CI: the one rule every test uses to choose between skipping and failing.

CI installs every real component the tests drive (.ci/run: Virtuoso, Chromium, npm's files), so there a
missing component is a broken set-up and fails its tests; on a developer's machine it skips them.
"""

from __future__ import annotations

import os

TRUE_VALUES = ("true", "1", "yes")


def in_ci() -> bool:
    """True when the environment variable ``CI`` is ``true``, ``1`` or ``yes`` (any case, spaces ignored);
    .ci/run sets ``CI=true`` unless it is set already, as CI services do."""
    return os.environ.get("CI", "").strip().lower() in TRUE_VALUES
