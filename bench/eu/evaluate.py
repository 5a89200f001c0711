"""Precision and recall of the EU links against the hand-labelled set in ``tests/golden/eu-links``.

For each split asked for (default: every ``dev.csv`` and ``heldout*.csv`` of the folder, ``heldout.csv``,
``heldout-2.csv``, … in that order, except the held-out splits not spent yet, :data:`UNSPENT`, which are scored
only when named) it runs ``ingest.citations.linker.link_title`` on
every Zaak title (with the Zaak's date) and ``ingest.citations.find_citations`` on every bundled
text, and compares the register keys found with the keys labelled by hand, per row:

* precision per method and overall: the links (distinct row, key) that a label confirms;
* recall against the register: the labelled keys found (every labelled key is a verified row);
* recall against all acts: the same, with the acts the register lacks (``missing_acts``) counted
  as misses;
* precision for the dual-use family (428/2009, COM(2016) 616, procedure 2016/0295(COD), 2021/821);
* the errors: every false positive and every miss, with the words;

and the same figures for all the splits read together ("overall").

Targets (issue 16): precision ≥ 0.95 and recall ≥ 0.90 overall, precision ≥ 0.98 for dual use.
A held-out split's figures are for reporting only: the linker is never tuned on it.

    .venv/bin/python bench/eu/evaluate.py [--split NAME ...] [--json]   # default: every spent split present
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOLDEN = ROOT / "tests" / "golden" / "eu-links"
DATA = ROOT / "data"
DEVELOPMENT = ("dev", "heldout", "heldout-2", "heldout-3", "heldout-4", "heldout-5")  # the splits tuned on (spent)
#: Held-out splits not spent yet: scored only when named (``--split heldout-6``), never by default, and read only
#: then; the file may not exist yet (it is being labelled).
UNSPENT = ("heldout-6",)
KNOWN = (*DEVELOPMENT, *UNSPENT)  # every split name the script accepts, present or not
DUAL_USE = frozenset({"reg-2009-428", "com-2016-616", "proc-2016-0295-cod", "reg-2021-821"})
TARGETS = {"precision": 0.95, "recall": 0.90, "dual_use_precision": 0.98}
TEXT_PREFIX = "tekst:"


class LinkerMissing(RuntimeError):
    """The linker module (``ingest.citations.linker``) is not there yet."""


@dataclass(frozen=True, slots=True)
class Found:
    """One distinct link of a row: the register key, the method and the words."""

    key: str
    method: str
    words: str


@dataclass
class Scores:
    """Counts of one split, and its errors."""

    rows: int = 0
    links: Counter[str] = field(default_factory=Counter)  # method -> links
    correct: Counter[str] = field(default_factory=Counter)  # method -> confirmed links
    labelled: int = 0  # labelled (row, key) pairs
    found_labelled: int = 0
    missing_acts: int = 0  # labelled acts the register lacks
    dual_links: int = 0
    dual_correct: int = 0
    false_positives: list[dict[str, str]] = field(default_factory=list)
    misses: list[dict[str, str]] = field(default_factory=list)

    def precision(self, method: str | None = None) -> float | None:
        n = self.links[method] if method else sum(self.links.values())
        ok = self.correct[method] if method else sum(self.correct.values())
        return ok / n if n else None

    def recall(self, against_all: bool = False) -> float | None:
        n = self.labelled + (self.missing_acts if against_all else 0)
        return self.found_labelled / n if n else None

    def dual_use_precision(self) -> float | None:
        return self.dual_correct / self.dual_links if self.dual_links else None


def link_title_function():
    """``link_title`` of the linker; :class:`LinkerMissing` while the module does not exist."""
    try:
        module = importlib.import_module("ingest.citations.linker")
    except ModuleNotFoundError as e:
        if e.name in ("ingest.citations.linker", "ingest.citations", "ingest"):
            raise LinkerMissing("ingest.citations.linker not found: the EU linker is not there yet") from e
        raise
    return module.link_title


def split_order(name: str) -> tuple[int, int]:
    """Where a split goes in a list: ``dev`` first, then ``heldout``, ``heldout-2``, … by their number."""
    if name == "dev":
        return 0, 0
    rest = name[len("heldout"):].lstrip("-")
    return 1, int(rest) if rest.isdigit() else 1


def splits_present(golden: Path = GOLDEN) -> tuple[str, ...]:
    """The names of the split files in ``golden``: ``dev`` first, then ``heldout``, ``heldout-2``, … in the
    order of their number."""
    names = [p.stem for p in golden.glob("*.csv") if p.stem == "dev" or re.fullmatch(r"heldout(?:-\d+)?", p.stem)]
    return tuple(sorted(names, key=split_order))


def read_split(name: str, golden: Path = GOLDEN) -> list[dict[str, str]]:
    """The labelled rows of one split."""
    with open(golden / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def split_list(cell: str) -> list[str]:
    """The ``;``-separated entries of a cell, stripped, empty ones left out."""
    return [x.strip() for x in cell.split(";") if x.strip()]


def _date(cell: str) -> dt.date | None:
    return dt.date.fromisoformat(cell) if cell else None


def _text_of(zaak: str, data: Path = DATA) -> str:
    from ingest.sources.text import read_docx, read_text_file

    path = data / zaak[len(TEXT_PREFIX):]
    return read_docx(path) if path.suffix == ".docx" else read_text_file(path)


def found_in_title(link_title, row: dict[str, str], register) -> list[Found]:
    """The distinct links of a title, by register key (first span of each key)."""
    out: dict[str, Found] = {}
    for link in link_title(row["title"], _date(row["date"]), register):
        out.setdefault(link.resource.key, Found(link.resource.key, link.method, link.words))
    return list(out.values())


def found_in_text(row: dict[str, str], register) -> list[Found]:
    """The distinct EU citations of a bundled text, by register key."""
    from ingest.citations import find_citations
    from ingest.citations.linker import citation_method

    out: dict[str, Found] = {}
    for c in find_citations(_text_of(row["zaak"]), register=register, on=_date(row["date"])):
        if not c.kind.startswith("eu") or not c.target:
            continue
        res = register.by_iri(c.target) if hasattr(register, "by_iri") else None
        key = res.key if res is not None else c.target
        out.setdefault(key, Found(key, (citation_method(c) or (c.method,))[0], c.text))
    return list(out.values())


def score(rows: list[dict[str, str]], link_title, register) -> Scores:
    """Compare the links of every row with its labels."""
    s = Scores()
    for row in rows:
        s.rows += 1
        labelled = set(split_list(row["keys"]))
        is_text = row["zaak"].startswith(TEXT_PREFIX)
        found = found_in_text(row, register) if is_text else found_in_title(link_title, row, register)
        got = {f.key for f in found}
        for f in found:
            s.links[f.method] += 1
            ok = f.key in labelled
            s.correct[f.method] += ok
            if f.key in DUAL_USE:
                s.dual_links += 1
                s.dual_correct += ok
            if not ok:
                s.false_positives.append({"zaak": row["zaak"], "key": f.key, "method": f.method, "words": f.words,
                                          "title": row["title"], "labels": row["keys"]})
        s.labelled += len(labelled)
        s.found_labelled += len(labelled & got)
        s.missing_acts += len(split_list(row["missing_acts"]))
        for key in sorted(labelled - got):
            s.misses.append({"zaak": row["zaak"], "key": key, "title": row["title"], "found": ";".join(sorted(got))})
    return s


def summary(name: str, s: Scores) -> dict[str, object]:
    """The figures of one split as a plain dict."""
    return {
        "split": name, "rows": s.rows, "links": sum(s.links.values()),
        "precision": s.precision(), "recall_register": s.recall(), "recall_all_acts": s.recall(True),
        "dual_use_links": s.dual_links, "dual_use_precision": s.dual_use_precision(),
        "per_method": {m: {"links": s.links[m], "correct": s.correct[m], "precision": s.precision(m)}
                       for m in sorted(s.links)},
        "labelled_keys": s.labelled, "missing_acts": s.missing_acts,
        "false_positives": s.false_positives, "misses": s.misses,
    }


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def print_report(rep: dict[str, object], out=sys.stdout, errors: bool = True) -> None:
    """One split's figures (and, with ``errors``, its errors) as text."""
    print(f"== {rep['split']}: {rep['rows']} rows, {rep['links']} links, {rep['labelled_keys']} labelled keys, "
          f"{rep['missing_acts']} acts the register lacks", file=out)
    print(f"precision {_fmt(rep['precision'])} (target {TARGETS['precision']}); "
          f"recall against the register {_fmt(rep['recall_register'])} (target {TARGETS['recall']}); "
          f"recall against all acts {_fmt(rep['recall_all_acts'])}", file=out)
    print(f"dual use: {rep['dual_use_links']} links, precision {_fmt(rep['dual_use_precision'])} "
          f"(target {TARGETS['dual_use_precision']})", file=out)
    for m, v in rep["per_method"].items():  # type: ignore[union-attr]
        print(f"  {m:10s} {v['links']:4d} links, {v['correct']:4d} right, precision {_fmt(v['precision'])}", file=out)
    if not errors:
        return
    for fp in rep["false_positives"]:  # type: ignore[union-attr]
        print(f"  FP   {fp['zaak']} {fp['key']} ({fp['method']}: {fp['words']!r}) in {fp['title'][:90]!r}"
              f" labels [{fp['labels']}]", file=out)
    for m in rep["misses"]:  # type: ignore[union-attr]
        print(f"  MISS {m['zaak']} {m['key']} in {m['title'][:90]!r} found [{m['found']}]", file=out)


def combine(parts: list[Scores]) -> Scores:
    """The scores of several splits read together."""
    s = Scores()
    for p in parts:
        s.rows += p.rows
        s.links.update(p.links)
        s.correct.update(p.correct)
        s.labelled += p.labelled
        s.found_labelled += p.found_labelled
        s.missing_acts += p.missing_acts
        s.dual_links += p.dual_links
        s.dual_correct += p.dual_correct
        s.false_positives += p.false_positives
        s.misses += p.misses
    return s


def evaluate(split: str) -> dict[str, object]:
    """Score one split with the linker and the bundled register."""
    return summary(split, score_split(split))


def score_split(split: str, golden: Path = GOLDEN) -> Scores:
    """The scores of one split file of ``golden`` with the linker and the bundled register."""
    from ingest.citations import default_register

    return score(read_split(split, golden), link_title_function(), default_register())


def default_splits(present: tuple[str, ...]) -> tuple[str, ...]:
    """The splits scored when none is named: those present, less the held-out splits not spent yet."""
    return tuple(n for n in present if n not in UNSPENT)


def main(argv: list[str] | None = None) -> int:
    present = splits_present()
    default = default_splits(present)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", action="append", choices=sorted({*present, *KNOWN}, key=split_order),
                    help="a split to score (repeatable); default: every spent split present: " + ", ".join(default)
                    + "; " + ", ".join(UNSPENT) + " only when named")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    names = list(dict.fromkeys(args.split or default))
    absent = [n for n in names if not (GOLDEN / f"{n}.csv").is_file()]
    if absent:
        print(f"evaluate: no split file {', '.join(str(GOLDEN / f'{n}.csv') for n in absent)}", file=sys.stderr)
        return 2
    try:
        scores = [score_split(name) for name in names]
    except LinkerMissing as e:
        print(f"evaluate: {e}", file=sys.stderr)
        return 2
    reports = [summary(name, sc) for name, sc in zip(names, scores)]
    overall = summary("overall (" + " + ".join(names) + ")", combine(scores))
    if args.json:
        print(json.dumps({"splits": reports, "overall": overall}, ensure_ascii=False, indent=1))
    else:
        for rep in reports:
            print_report(rep)
        if len(reports) > 1:
            print_report(overall, errors=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
