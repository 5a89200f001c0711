"""The audit: the graph's asker-fractie and addressee-post-ministry statements of 107 sampled Zaken
(``bench/audit/sample.py``) against the golden file written from the historical record
(``tests/golden/audit/zaken-audit.csv``). One test per statement; a statement whose mismatch is a known open
problem (``tests/golden/audit/known-mismatches.csv``, by class) is an expected failure, strictly: when the
problem is fixed the test fails until its line is removed, and a mismatch in any other field fails outright.
``bench/audit/report.py`` prints the error rate and the ambiguous addressings per year."""

from __future__ import annotations

import pytest

from bench.audit.compare import read_golden, read_known, row_mismatches, graph_statements

ROWS = read_golden()
KNOWN = read_known()


class KnownMismatch(AssertionError):
    """The statement differs from the historical record in exactly its known fields."""


def _param(row: dict):
    key = (row["zaak"], row["role"], row["position"])
    marks = ()
    if key in KNOWN:
        reason = "; ".join(sorted(set(KNOWN[key].values())))
        marks = (pytest.mark.xfail(strict=True, raises=KnownMismatch, reason=f"known open class: {reason}"),)
    return pytest.param(row, id="-".join(key), marks=marks)


@pytest.fixture(scope="module")
def statements(full_build):
    """The graph's statements of every sampled Zaak, read with one query."""
    from store.embedded import EmbeddedStore

    store = EmbeddedStore(full_build[0], read_only=True)
    try:
        return graph_statements(store.ox, ROWS)
    finally:
        store.close()


def test_golden_file_is_the_whole_sample():
    """Every sampled Zaak has its statements in the golden file, and every known mismatch names a row of it."""
    import csv

    from bench.audit.sample import OUT

    with open(OUT, encoding="utf-8", newline="") as f:
        sampled = {r["zaak"] for r in csv.DictReader(f)}
    assert sampled == {r["zaak"] for r in ROWS}
    assert len(sampled) >= 100
    assert set(KNOWN) <= {(r["zaak"], r["role"], r["position"]) for r in ROWS}


@pytest.mark.parametrize("row", [_param(r) for r in ROWS])
def test_statement_matches_the_historical_record(row, statements):
    key = (row["zaak"], row["role"], row["position"])
    found = row_mismatches(row, statements.get(key))
    fields = {m.field for m in found}
    known = set(KNOWN.get(key, {}))
    unexpected = [m for m in found if m.field not in known]
    assert not unexpected, "\n".join(
        f"{m.zaak} {m.role} {m.position} {m.field}: expected {m.expected!r}, graph {m.found!r} ({m.kind})"
        for m in unexpected)
    if known and fields == known:
        raise KnownMismatch("; ".join(f"{m.field}: expected {m.expected!r}, graph {m.found!r}" for m in found))
