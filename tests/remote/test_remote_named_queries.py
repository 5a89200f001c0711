"""Every named query answers on each server what it answers on the embedded store, with its
defaults and with the founding case's parameters.

Rows are compared as multisets of values (the lexical forms, as CSV shows them); the order inside
a GROUP_CONCAT is unspecified, so such cells are compared as sets of their parts. Where the query
has an ORDER BY, the first column must also come in the same order (ties aside), as in the golden
tests. Known and left alone (README, "Remote stores"): Virtuoso drops the language tag of a
GROUP_CONCAT of tagged labels ("…"@nl on Oxigraph, "…" on Virtuoso) — the values are the same.
"""

from __future__ import annotations

from collections import Counter

import pytest

from queries.catalog import QUERIES_DIR, Catalog

# the catalog's names without reading it at collection (reading checks every query with rdflib's parser,
# seconds of CPU in every worker that collects this file); the fixture reads it once and checks the names
NAMES = sorted(p.stem for p in QUERIES_DIR.glob("*.rq"))
FOUNDING = {  # the founding case 2019Z15231: Van Ojik (GroenLinks) to Blok (BuZa) and Kaag (BHOS)
    "member-questions": {"person": "cefbf19c-653b-4af7-84a6-e17fba0e4a70"},
    "addressed-to": {"addressee": "post/minister-van-buitenlandse-zaken", "from": "2019-07-18", "to": "2019-07-18"},
    "dual-use": {"act": "http://publications.europa.eu/resource/celex/52016PC0616"},
    "eu-act-questions": {"name": "Dual use-verordening"},
    "eu-act-questions-per-year": {"act": "http://publications.europa.eu/resource/celex/52016PC0616"},
    "questions-per-fractie-per-year": {"from": "2019", "to": "2019"},
    "cosigner-pairs": {"min": "1"},
    "most-cited-eu-acts": {"min": "1"},
    "open-questions": {"today": "2024-12-31"},
}
RUNS = [(name, "defaults", {}) for name in NAMES if name != "open-questions"] + [
    ("open-questions", "fixed day", {"today": "2024-12-31"}),
    ("open-questions", "before the last", {"today": "2024-03-22"}),
] + [(name, "founding case", values) for name, values in FOUNDING.items()]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    cat = Catalog.load()
    assert cat.names() == NAMES
    return cat


def cell(t) -> str | None:
    # a GROUP_CONCAT over no values: Oxigraph leaves it unbound, Virtuoso gives the empty string (as the
    # specification does); a reader of the table sees the same empty cell
    if t is None or t.value == "":
        return None
    v = t.value
    return ", ".join(sorted(v.split(", "))) if ", " in v else v


def rows(result) -> Counter:
    return Counter(tuple(cell(t) for t in row) for row in result.rows)


@pytest.mark.parametrize(("name", "label", "values"), RUNS, ids=[f"{n}-{lbl}" for n, lbl, _ in RUNS])
def test_named_query_same_rows_as_embedded(embedded, remote, catalog: Catalog, name: str, label: str,
                                           values) -> None:
    server, store = remote
    query = catalog[name]
    expected = query.run(embedded, values)
    got = query.run(store, values, timeout=60)
    assert got.variables == expected.variables
    assert not got.truncated
    assert rows(got) == rows(expected), f"{server}: {name} ({label})"
    if "ORDER BY" in query.text.upper():
        assert [cell(r[0]) for r in got.rows] == [cell(r[0]) for r in expected.rows]


def test_the_slice_gives_every_named_query_something_to_show(embedded, catalog: Catalog) -> None:
    """So that the comparison above compares rows, not two empty answers."""
    empty = [f"{n} ({lbl})" for n, lbl, v in RUNS if not catalog[n].run(embedded, v).rows]
    # with its defaults eu-act-questions asks for the AVG and eu-act-questions-per-year for the Habitats
    # Directive, which no Kamervraag of the slice names; their runs on the founding case (the dual-use
    # regulation by name, its proposal by IRI) must give rows
    assert set(empty) <= {"cosigner-pairs (defaults)", "eu-act-questions (defaults)",
                          "eu-act-questions-per-year (defaults)"}, empty
