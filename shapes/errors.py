"""The validation stage's errors: an unreadable shapes file, a shape the fast compiler does not implement."""

from __future__ import annotations


class ShapesValidationError(Exception):
    """Base of the validation stage's errors."""


class ShapesFileError(ShapesValidationError):
    """The shapes file cannot be read or parsed."""


class UnsupportedShapeError(ShapesValidationError):
    """The shapes file uses a SHACL feature the fast (SPARQL) compiler does not implement."""

    def __init__(self, shape: str, feature: str, detail: str = "") -> None:
        self.shape = shape
        self.feature = feature
        msg = f"shape {shape}: {feature} is not supported by FastValidator"
        if detail:
            msg += f" ({detail})"
        msg += "; supported: sh:targetClass, predicate paths, sh:minCount, sh:maxCount, sh:datatype, sh:class, "
        msg += "sh:nodeKind, sh:pattern/sh:flags, sh:in, sh:hasValue, sh:or/sh:xone/sh:not over simple "
        msg += "property shapes, sh:message, sh:severity, sh:sparql (sh:select with $this)"
        super().__init__(msg)
