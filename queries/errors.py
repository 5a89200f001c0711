"""The query stage's exception family.

``QueryRejected`` is raised before a query reaches the store: a syntax error (400), a named
query with a bad or unknown parameter (400), an update on the read-only endpoint, a SERVICE
that is not allowed, a FROM of a graph the store does not hold (403). ``status`` is the HTTP
status the server answers with. A query stopped at its time limit is the store's
``QueryTimeout``, re-exported here so that callers catch the whole family from one module.
"""

from __future__ import annotations

from store.base import QueryError, QueryTimeout

__all__ = ["QueryStageError", "QueryRejected", "QueryTimeout", "QueryError", "CatalogError"]


class QueryStageError(Exception):
    """Base of the errors this stage raises itself."""


class QueryRejected(QueryStageError):
    """A query refused before it ran; ``status`` is 400 (malformed) or 403 (forbidden)."""

    def __init__(self, message: str, status: int = 400, *, line: int | None = None, column: int | None = None) -> None:
        if status not in (400, 403):
            raise ValueError(f"QueryRejected status must be 400 or 403, not {status}")
        self.message = message
        self.status = status
        self.line = line
        self.column = column
        super().__init__(message)


class CatalogError(QueryStageError):
    """A named query file whose header or text is wrong; the message names the file and the line."""

    def __init__(self, message: str, path: object = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}: " if path is not None and line is not None else (f"{path}: " if path is not None else "")
        super().__init__(where + message)
