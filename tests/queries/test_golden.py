"""The golden-output comparison (tests/support/golden.py): only GROUP_CONCAT columns, known from the
query's text, are compared as sets of parts; every other cell exactly."""

from __future__ import annotations

import csv
import io

import pytest

from queries.catalog import Catalog
from tests.support.golden import GOLDEN_PARAMS, NAMED_GOLDEN, ROOT, comparable, concat_columns

CATALOG = Catalog.load()


def test_the_group_concat_columns_of_the_named_and_example_queries() -> None:
    found = {q.name: concat_columns(q.text) for q in CATALOG}
    assert found == {
        "dual-use": {"method": ", ", "words": ", ", "askers": ", ", "posts": ", ", "possiblyAddressed": ", "},
        "eu-act-questions": {"method": ", ", "words": ", ", "askers": ", ", "posts": ", ", "possiblyAddressed": ", "},
        "questions-per-fractie-per-year": {},
        "member-questions": {"posts": ", ", "possiblyAddressed": ", "},
        "addressed-to": {"askers": ", "},
        "open-questions": {"askers": ", ", "posts": ", ", "possiblyAddressed": ", "},
        "most-cited-eu-acts": {},
        "cosigner-pairs": {},
        "questions-per-fractie-ministry-year": {},
        "eu-act-questions-per-year": {},
    }
    examples = {p.stem: concat_columns(p.read_text(encoding="utf-8"))
                for p in sorted((ROOT / "queries" / "examples").glob("*.rq"))}
    assert examples["groenlinks-buza-2019"] == {"askers": ", "}
    assert examples["dual-use"] == {"askers": ", ", "posts": ", "}
    assert examples["founding-case"] == {}


def test_separators_and_nested_calls() -> None:
    text = """SELECT ?a (GROUP_CONCAT(DISTINCT STR(?x); SEPARATOR='|') AS ?xs)
                 (group_concat(?y) as $ys) (COUNT(?z) AS ?n) WHERE {}"""
    assert concat_columns(text) == {"xs": "|", "ys": " "}


def test_only_group_concat_cells_are_compared_as_sets() -> None:
    header = ["subject", "askers"]
    golden = [["Vragen over oorlog, vrede en handel", "Bram van Ojik, Isabelle Diks"]]
    concats = {"askers": ", "}
    # the askers in another order: the same
    assert comparable([["Vragen over oorlog, vrede en handel", "Isabelle Diks, Bram van Ojik"]], header, concats) \
        == comparable(golden, header, concats)
    # the parts of a title in another order: not the same
    assert comparable([["Vragen over oorlog, handel en vrede", "Bram van Ojik, Isabelle Diks"]], header, concats) \
        != comparable(golden, header, concats)
    assert comparable([["vrede en handel, Vragen over oorlog", "Bram van Ojik, Isabelle Diks"]], header, concats) \
        != comparable(golden, header, concats)
    # a missing asker: not the same
    assert comparable([["Vragen over oorlog, vrede en handel", "Bram van Ojik"]], header, concats) \
        != comparable(golden, header, concats)


def test_a_group_concat_column_missing_from_the_header_is_an_error() -> None:
    with pytest.raises(ValueError, match="posts"):
        comparable([["x"]], ["askers"], {"askers": ", ", "posts": ", "})


@pytest.mark.parametrize("name", sorted(GOLDEN_PARAMS))
def test_every_golden_file_has_the_group_concat_columns_of_its_query(name: str) -> None:
    golden = list(csv.reader(io.StringIO((NAMED_GOLDEN / f"{name}.csv").read_text(encoding="utf-8"))))
    assert set(concat_columns(CATALOG[name].text)) <= set(golden[0])
    assert len(golden) > 1
    comparable(golden[1:], golden[0], concat_columns(CATALOG[name].text))  # every row as wide as the header
