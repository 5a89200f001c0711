"""Golden query outputs: which columns of a query are GROUP_CONCATs (read from its text), rows made
comparable (only those cells' parts sorted), and the named queries' golden runs.

SPARQL leaves the order of the values inside a GROUP_CONCAT unspecified, so such a cell is compared
as the set of its parts; every other cell (a title with a comma in it, say) is compared exactly.
The golden files are rewritten only on purpose, by ``python bench/update_golden.py``: no test
writes them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: The golden CSV outputs of the named queries (``queries/*.rq``), one per query.
NAMED_GOLDEN = ROOT / "tests" / "golden" / "queries" / "named"

#: The parameters of each named query's golden run (the defaults, except a fixed day for open questions).
GOLDEN_PARAMS: dict[str, dict[str, str]] = {
    "dual-use": {},
    "questions-per-fractie-per-year": {},
    "member-questions": {},
    "addressed-to": {},
    "open-questions": {"today": "2024-12-31"},
    "most-cited-eu-acts": {},
    "cosigner-pairs": {},
    "eu-act-questions": {},
    "questions-per-fractie-ministry-year": {},
    "eu-act-questions-per-year": {},
}

_CONCAT = re.compile(r"GROUP_CONCAT\s*\((?P<args>.*?)\)\s*AS\s+[?$](?P<name>\w+)", re.IGNORECASE | re.DOTALL)
_SEPARATOR = re.compile(r"""separator\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""", re.IGNORECASE)


def concat_columns(sparql: str) -> dict[str, str]:
    """The columns a query's text projects as ``(GROUP_CONCAT(…) AS ?name)``, each with its
    separator (a single space when the query names none, as SPARQL says)."""
    columns: dict[str, str] = {}
    for m in _CONCAT.finditer(sparql):
        sep = _SEPARATOR.search(m.group("args"))
        columns[m.group("name")] = " " if sep is None else (sep.group("dq") if sep.group("dq") is not None
                                                            else sep.group("sq"))
    return columns


def comparable(rows: Sequence[Sequence[str]], header: Sequence[str],
               concats: Mapping[str, str]) -> list[tuple[str, ...]]:
    """The data rows with the parts of each GROUP_CONCAT cell (``concats``: column -> separator)
    sorted and every other cell as it is. A GROUP_CONCAT column missing from ``header`` is an
    error (the query's text and its output disagree)."""
    missing = [c for c in concats if c not in header]
    if missing:
        raise ValueError(f"GROUP_CONCAT columns {missing} are not in the header {list(header)}")
    seps = [concats.get(column) for column in header]
    return [tuple(cell if sep is None else sep.join(sorted(cell.split(sep))) for cell, sep in zip(row, seps, strict=True))
            for row in rows]
