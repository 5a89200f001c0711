"""The shapes graph: where the shapes file lies, and the file parsed (once per path)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import rdflib

from shapes.errors import ShapesFileError

SHAPES_PATH = Path(__file__).resolve().parent / "kamergraph.shapes.ttl"


@lru_cache(maxsize=8)
def _load_shapes(path: str) -> rdflib.Graph:
    g = rdflib.Graph()
    try:
        g.parse(path, format="turtle")
    except Exception as e:  # noqa: BLE001 - any parser error becomes the stage's error
        raise ShapesFileError(f"cannot read shapes file {path}: {e}") from e
    return g


def load_shapes(shapes_path: str | Path | None = None) -> rdflib.Graph:
    """The parsed shapes graph (cached per path; do not mutate it)."""
    return _load_shapes(str(shapes_path or SHAPES_PATH))
