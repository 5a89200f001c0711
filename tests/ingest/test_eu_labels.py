"""The hand-labelled EU-link set (tests/golden/eu-links): its files are well-formed and split as
the seed says, and the linker reaches the targets of issue 16 on the development splits (dev and the first to fourth
held-out splits, all spent); bench/eu/evaluate.py finds every split file and scores a split not spent
yet only when it is named."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
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



#: Labels waiting to move from ``missing_acts`` to ``keys`` the mechanical way (the labeller's own id of an act the
#: register has verified since; tests/golden/eu-links/README.md): (split, Zaak, key). Until they move, the links to
#: these acts count as false positives in bench/eu/evaluate.py.
LABELS_TO_MOVE: frozenset[tuple[str, str, str]] = frozenset()


def test_rows_are_well_formed(splits):
    reg = default_register()
    problems = []
    for name, rows in {**splits, **{n: _rows(n) for n in ("heldout-3", "heldout-4", "heldout-5", "heldout-6")}}.items():
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
                if reg.get(mid) is not None and (name, r["zaak"], mid) not in LABELS_TO_MOVE:
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


def test_second_heldout_is_well_formed_and_apart_from_the_first_set(splits):
    """heldout-2.csv (plan SECOND, seed 20261208): well-formed like the first set, none of its Zaken in
    dev.csv or heldout.csv, the strata of its plan, and at least 60 rows about some EU act."""
    rows = splits["heldout-2"]
    first = {r["zaak"] for name in ("dev", "heldout") for r in splits[name]}
    assert not {r["zaak"] for r in rows} & first
    assert len({r["zaak"] for r in rows}) == len(rows), "a row occurs twice"
    plan, kinds = sample_labels.SECOND, Counter(r["stratum"].split(":")[0] for r in rows)
    assert set(kinds) == {"willekeurig", "eu-akte", "eu-breed"}
    assert kinds["willekeurig"] == plan.per_year * len(sample_labels.YEARS)
    assert 0 < kinds["eu-akte"] <= plan.act_draw and kinds["eu-breed"] == plan.broad_draw
    assert sum(1 for r in rows if r["keys"] or r["missing_acts"]) >= 60


@pytest.mark.parametrize("split, plan", [("heldout-3", sample_labels.THIRD), ("heldout-4", sample_labels.FOURTH),
                                         ("heldout-5", sample_labels.FIFTH), ("heldout-6", sample_labels.SIXTH)])
def test_later_heldout_sets_are_well_formed_and_apart_from_the_sets_before(split, plan):
    """heldout-3.csv to heldout-6.csv (plans THIRD to SIXTH, seeds 20261209 to 20261212; heldout-6 for the reported
    figures, so never scored here): well-formed like the others (test_rows_are_well_formed), none of their Zaken
    in the sets drawn before them, the strata of their plan, every net row labelled or given its reason, and at
    least 40 rows about some EU act."""
    rows = _rows(split)
    before = {r["zaak"] for name in plan.exclude for r in _rows(name.removesuffix(".csv"))}
    assert not {r["zaak"] for r in rows} & before
    assert len({r["zaak"] for r in rows}) == len(rows), "a row occurs twice"
    kinds = Counter(r["stratum"].split(":")[0] for r in rows)
    assert set(kinds) == {"willekeurig", "eu-akte", "eu-breed"}
    assert kinds["willekeurig"] == plan.per_year * len(sample_labels.YEARS)
    assert 0 < kinds["eu-akte"] <= plan.act_draw and kinds["eu-breed"] == plan.broad_draw
    unlabelled = [r["zaak"] for r in rows if not r["stratum"].startswith("willekeurig") and not r["reasons"]]
    assert not unlabelled, f"net rows without labels or reasons: {unlabelled}"
    assert sum(1 for r in rows if r["keys"] or r["missing_acts"]) >= 40


def test_the_set_is_as_large_as_issue_16_asks(splits):
    rows = splits["dev"] + splits["heldout"]
    titles = [r for r in rows if not r["zaak"].startswith("tekst:")]
    texts = [r for r in rows if r["zaak"].startswith("tekst:")]
    about_eu = [r for r in titles if r["keys"] or r["missing_acts"]]
    assert len(titles) >= 400 and len(texts) == 67 and len(about_eu) >= 100
    years = {r["date"][:4] for r in titles if r["stratum"].startswith("willekeurig")}
    assert years == {str(y) for y in sample_labels.YEARS}


# The issue-16 targets on the development splits: dev and the first to fifth held-out splits (all spent: their
# figures were reported, and they are development data now). Precision >= 0.95 on each and together, dual-use
# precision >= 0.98 where there are dual-use links, recall >= 0.90 against the register on dev, on the second
# held-out split and on all six development splits together. On the first held-out split recall was 0.882 (45 of
# 51; three of its
# labels moved from missing_acts to keys when the register verified their acts, 2026-12-07): of the six keys
# missed, four need knowledge no rule reads from the title (the EU rules behind "Hogan", "topbankiers",
# "Amerikaanse nieuwssites", a Natura 2000 area by its name), one is the eel regulation behind "aalbeheerplan" (the
# plan the regulation requires, not named) and one the act a text's question 5 is about without naming it; it is
# held to that floor (47 of 51 since the fourth round: the Wierdense Veld and the aalbeheerplan are linked now).
# The fourth held-out split was scored once at 6 of 26 (its titles name acts by their subject); after the fifth
# round's classes it is held to 24 of 26: the two keys missed are the Birds Directive behind a cormorant's protected
# status and IORP II behind the buffers of cdc pension funds, which no rule reads from the title.
# The fifth held-out split was scored once at 20 of 34 (P 0.952) after the fifth round; after the sixth round's
# classes it is held to 33 of 34: the key missed is the visa list regulation behind Bosnia's visa-free travel
# (visa-free travel in titles is as often a liberalisation still pending, which no rule tells apart by the title).
# A held-out split not spent yet (heldout-6.csv, evaluate.UNSPENT) is never read here:
# bench/eu/evaluate.py reports it.
HELDOUT_RECALL_FLOOR = 47 / 51
FOURTH_HELDOUT_RECALL_FLOOR = 24 / 26
FIFTH_HELDOUT_RECALL_FLOOR = 33 / 34


@pytest.fixture(scope="module")
def scored(splits) -> dict[str, evaluate.Scores]:
    link_title = evaluate.link_title_function()  # fails with "ingest.citations.linker not found" until it exists
    reg = default_register()
    out = {name: evaluate.score(rows, link_title, reg) for name, rows in splits.items()}
    out["together"] = evaluate.combine([out[name] for name in evaluate.DEVELOPMENT])
    return out


def _errors(s: evaluate.Scores) -> str:
    return "\n".join([f"FP {e['zaak']} {e['key']} {e['words']!r}" for e in s.false_positives]
                     + [f"MISS {e['zaak']} {e['key']}" for e in s.misses])


@pytest.mark.parametrize("name", [*evaluate.DEVELOPMENT, "together"])
def test_linker_precision_reaches_the_targets(scored, name):
    s = scored[name]
    assert (s.precision() or 0) >= evaluate.TARGETS["precision"], f"{name}: precision {s.precision()}\n{_errors(s)}"
    if s.dual_links:
        assert s.dual_use_precision() >= evaluate.TARGETS["dual_use_precision"], _errors(s)


def test_linker_recall_reaches_the_target_on_dev_and_its_floor_on_the_first_heldout(scored):
    dev, held, second, together = scored["dev"], scored["heldout"], scored["heldout-2"], scored["together"]
    for name, s in (("dev", dev), ("heldout-2", second), ("heldout-3", scored["heldout-3"]), ("together", together)):
        assert (s.recall() or 0) >= evaluate.TARGETS["recall"], f"{name} recall {s.recall()}\n{_errors(s)}"
    assert (held.recall() or 0) >= HELDOUT_RECALL_FLOOR, f"held-out recall {held.recall()}\n{_errors(held)}"
    fourth = scored["heldout-4"]
    assert (fourth.recall() or 0) >= FOURTH_HELDOUT_RECALL_FLOOR, f"heldout-4 recall {fourth.recall()}\n" + _errors(
        fourth)
    fifth = scored["heldout-5"]
    assert (fifth.recall() or 0) >= FIFTH_HELDOUT_RECALL_FLOOR, f"heldout-5 recall {fifth.recall()}\n" + _errors(fifth)
    assert together.labelled == sum(scored[name].labelled for name in evaluate.DEVELOPMENT)
    assert together.rows == sum(scored[name].rows for name in evaluate.DEVELOPMENT)


def test_evaluate_finds_every_split_file_in_order(tmp_path):
    for name in ("heldout-10.csv", "heldout.csv", "notes.csv", "dev.csv", "heldout-2.csv", "heldout-x.csv"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert evaluate.splits_present(tmp_path) == ("dev", "heldout", "heldout-2", "heldout-10")
    assert evaluate.splits_present(tmp_path / "none") == ()


def test_evaluate_scores_an_unspent_split_only_when_named(tmp_path):
    """A held-out split not spent yet (heldout-6) is a known name, left out of the default and scored only when
    named; named while its file is absent, the script says which file it lacks."""
    assert "heldout-6" in evaluate.KNOWN and "heldout-6" not in evaluate.DEVELOPMENT
    assert "heldout-5" in evaluate.DEVELOPMENT
    assert evaluate.default_splits(("dev", "heldout", "heldout-5", "heldout-6")) == ("dev", "heldout", "heldout-5")
    if not (evaluate.GOLDEN / "heldout-6.csv").exists():
        assert evaluate.main(["--split", "heldout-6"]) == 2
