"""The ingest stage's exception family: parse and resolve errors, each naming file and place."""

from __future__ import annotations


class IngestError(Exception):
    """Base of the ingest stage's errors."""


class ParseError(IngestError):
    """A source record that cannot be parsed: names the source file, the line and the problem."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        self.file = file
        self.line = line
        self.problem = problem
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {problem}")


class ResolveError(IngestError):
    """A reference that cannot be resolved where resolution is required."""
