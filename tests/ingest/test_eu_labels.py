"""The hand-labelled EU-link set (tests/golden/eu-links): its files are well-formed and split as
the seed says, and the linker reaches the targets of issue 16 on the dev split."""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
from pathlib import Path

import pytest

from ingest.citations import default_register

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "eu-links"
sys.path.insert(0, str(ROOT))

from bench.eu import evaluate, sample_labels  # noqa: E402

COLUMNS = list(sample_labels.COLUMNS)
_ZAAK = re.compile(r"^(?:\d{4}Z\d{5}|tekst:(?:texts/.+\.txt|answers-docx/.+\.docx))$")


def _rows(name: str) -> list[dict[str, str]]:
    with open(GOLDEN / f"{name}.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS, f"{name}.csv: columns {reader.fieldnames}, expected {COLUMNS}"
        return list(reader)


@pytest.fixture(scope="module")
def splits() -> dict[str, list[dict[str, str]]]:
    return {name: _rows(name) for name in evaluate.DEVELOPMENT}


def _reason_ids(cell: str) -> set[str]:
    return {part.split(":", 1)[0].strip() for part in cell.split(" | ") if ":" in part}


def _missing_ids(cell: str) -> list[str]:
    return [m.split("=", 1)[0].strip() for m in evaluate.split_list(cell)]


def test_rows_are_well_formed(splits):
    reg = default_register()
    problems = []
    for name, rows in splits.items():
        for i, r in enumerate(rows, start=2):
            where = f"{name}.csv line {i} ({r['zaak']})"
            if not _ZAAK.match(r["zaak"]):
                problems.append(f"{where}: zaak is neither a Zaak number nor tekst:{{path}}")
            elif r["zaak"].startswith("tekst:") and not (ROOT / "data" / r["zaak"][6:]).is_file():
                problems.append(f"{where}: no such text under data/")
            if r["date"]:
                dt.date.fromisoformat(r["date"])
            elif not r["zaak"].startswith("tekst:"):
                problems.append(f"{where}: a Zaak title without its date")
            if not r["title"].strip() or not r["stratum"]:
                problems.append(f"{where}: empty title or stratum")
            reasons = _reason_ids(r["reasons"])
            for key in evaluate.split_list(r["keys"]):
                res = reg.get(key)
                if res is None:
                    problems.append(f"{where}: key {key} is not a verified row of the register")
                if key not in reasons:
                    problems.append(f"{where}: key {key} has no reason")
            for mid in _missing_ids(r["missing_acts"]):
                if reg.get(mid) is not None:
                    problems.append(f"{where}: missing act {mid} is a verified register row: label it as a key")
                if mid not in reasons:
                    problems.append(f"{where}: missing act {mid} has no reason")
    assert not problems, "\n".join(problems)


def test_unverified_register_rows_are_never_keys(splits):
    unverified = {r.key for r in default_register().unverified}
    assert unverified, "the register keeps unverified rows aside"
    keys = {k for rows in splits.values() for r in rows for k in evaluate.split_list(r["keys"])}
    assert not keys & unverified


def test_split_is_disjoint_and_reproducible_from_the_seed(splits):
    dev, held = splits["dev"], splits["heldout"]
    assert not {r["zaak"] for r in dev} & {r["zaak"] for r in held}
    assert len({r["zaak"] for r in dev + held}) == len(dev + held), "a row occurs twice"
    again_dev, again_held = sample_labels.split(dev + held, seed=sample_labels.SEED)
    assert again_dev == dev and again_held == held
    other_dev, _ = sample_labels.split(dev + held, seed=sample_labels.SEED + 1)
    assert other_dev != dev, "the split depends on the seed"


def test_the_set_is_as_large_as_issue_16_asks(splits):
    rows = splits["dev"] + splits["heldout"]
    titles = [r for r in rows if not r["zaak"].startswith("tekst:")]
    texts = [r for r in rows if r["zaak"].startswith("tekst:")]
    about_eu = [r for r in titles if r["keys"] or r["missing_acts"]]
    assert len(titles) >= 400 and len(texts) == 67 and len(about_eu) >= 100
    years = {r["date"][:4] for r in titles if r["stratum"].startswith("willekeurig")}
    assert years == {str(y) for y in sample_labels.YEARS}


# The issue-16 targets on the dev split (precision >= 0.95, recall >= 0.90 against the register,
# dual-use precision >= 0.98 where dev has dual-use links). The held-out split is measured by
# bench/eu/evaluate.py --split heldout only, never here: it is not tuned on.
def test_linker_reaches_the_targets_on_dev(splits):
    link_title = evaluate.link_title_function()  # fails with "ingest.citations.linker not found" until it exists
    s = evaluate.score(splits["dev"], link_title, default_register())
    report = evaluate.summary("dev", s)
    errors = "\n".join(f"FP {e['zaak']} {e['key']} {e['words']!r}" for e in s.false_positives) + "\n" + "\n".join(
        f"MISS {e['zaak']} {e['key']}" for e in s.misses)
    assert (s.precision() or 0) >= evaluate.TARGETS["precision"], f"precision {report['precision']}\n{errors}"
    assert (s.recall() or 0) >= evaluate.TARGETS["recall"], f"recall {report['recall_register']}\n{errors}"
    if s.dual_links:
        assert s.dual_use_precision() >= evaluate.TARGETS["dual_use_precision"], errors
