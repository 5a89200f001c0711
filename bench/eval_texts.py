"""Accuracy of the published-text parser against the hand-made golden annotations.

    python bench/eval_texts.py [--annotations tests/golden/texts/annotations.json] [--details]

Prints precision / recall / F1 per field (list fields) and exact-match accuracy per field
(single values), over every annotated document, and the documents per second. Targets
(issue 3): ids and dates 100 %; askers and fracties F1 >= 0.99; addressed posts F1 >= 0.97;
question count exact on >= 96 % of documents; answer groups exact on >= 95 %.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.errors import ParseError  # noqa: E402
from ingest.records import SourceRef, TextDocument  # noqa: E402
from ingest.sources.koop import read_publication_ids  # noqa: E402
from ingest.sources.text import read_docx, read_text_file  # noqa: E402
from ingest.texts import parse_text  # noqa: E402

DATA = ROOT / "data"
ANNOTATIONS = ROOT / "tests" / "golden" / "texts" / "annotations.json"


def fold(s: str | None) -> str:
    if s is None:
        return ""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[\s\-–]+", " ", s).strip().lower()


def local_path(file: str) -> Path:
    """An annotation's file (relative to the shared data folder) in the repository's data/."""
    name = Path(file).name
    if file.startswith("seed/"):
        return DATA / "texts" / "seed" / name
    if file.startswith("answers-docx/"):
        return DATA / "answers-docx" / name
    return DATA / "texts" / name


def parse(path: Path, known: frozenset[str]) -> TextDocument:
    rel = str(path.relative_to(ROOT))
    text = read_docx(path) if path.suffix == ".docx" else read_text_file(path)
    return parse_text(text, SourceRef(rel), known)


def prf(gold: list, got: list) -> tuple[int, int, int]:
    """True positives, predicted, gold (multiset match)."""
    g, p = Counter(gold), Counter(got)
    return sum((g & p).values()), sum(p.values()), sum(g.values())


def asker_pairs(names: list[tuple[str, str | None]], gold: list[dict]) -> tuple[list, list]:
    """Match parsed askers to gold ones by surname (a parsed name may carry a first name)."""
    gold_pairs = [(fold(a["name"]), fold(a.get("fractie"))) for a in gold]
    got_pairs = []
    for name, fractie in names:
        n = fold(name)
        surname = next((g for g, _ in gold_pairs if n == g or n.endswith(" " + g)), n)
        got_pairs.append((surname, fold(fractie)))
    return gold_pairs, got_pairs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--annotations", default=str(ANNOTATIONS))
    ap.add_argument("--details", action="store_true", help="print every mismatch")
    args = ap.parse_args()
    docs = json.loads(Path(args.annotations).read_text(encoding="utf-8"))["documents"]
    known = read_publication_ids(DATA / "koop" / "parliamentary-ids.txt.xz")

    exact: dict[str, list[bool]] = {k: [] for k in (
        "id", "kind", "zaak", "submitted", "received", "question_count", "answer_groups", "answering_person",
        "answering_post", "footnote_count")}
    lists: dict[str, list[int]] = {k: [0, 0, 0] for k in ("askers+fractie", "addressed_posts", "mede_namens")}
    mismatches: list[str] = []
    failures = 0
    t0 = time.perf_counter()
    for d in docs:
        path = local_path(d["file"])
        try:
            doc = parse(path, known)
        except ParseError as exc:
            failures += 1
            mismatches.append(f"{d['file']}: parse error: {exc}")
            for k in exact:
                exact[k].append(False)
            continue
        got = {
            "id": doc.publication_id,
            "kind": doc.kind,
            "zaak": doc.zaak,
            "submitted": doc.submitted.isoformat() if doc.submitted else None,
            "received": doc.received.isoformat() if doc.received else None,
            "question_count": len(doc.questions),
            "answer_groups": sorted(sorted(a.numbers) for a in doc.answers),
            "answering_person": fold(doc.answering_person.split()[-1]) if doc.answering_person else None,
            "answering_post": fold(doc.answering_post.label) if doc.answering_post else None,
            "footnote_count": len(doc.footnotes),
        }
        gold = dict(d)
        gold["answer_groups"] = sorted(sorted(g) for g in d.get("answer_groups") or [])
        gold["answering_person"] = fold(d["answering_person"].split()[-1]) if d.get("answering_person") else None
        gold["answering_post"] = fold(d.get("answering_post")) or None
        for k in exact:
            ok = got[k] == gold.get(k)
            exact[k].append(ok)
            if not ok:
                mismatches.append(f"{d['file']}: {k}: got {got[k]!r}, gold {gold.get(k)!r}")
        g_pairs, p_pairs = asker_pairs([(m.name, m.fractie) for m in doc.askers], d.get("askers") or [])
        for key, gl, pl in (
            ("askers+fractie", g_pairs, p_pairs),
            ("addressed_posts", [fold(x) for x in d.get("addressed_posts") or []], [fold(m.label) for m in doc.addressed]),
            ("mede_namens", [fold(x) for x in d.get("mede_namens") or []], [fold(m.label) for m in doc.on_behalf_of]),
        ):
            tp, np_, ng = prf(gl, pl)
            lists[key][0] += tp
            lists[key][1] += np_
            lists[key][2] += ng
            if tp != np_ or tp != ng:
                mismatches.append(f"{d['file']}: {key}: got {pl}, gold {gl}")
    elapsed = time.perf_counter() - t0

    print(f"documents: {len(docs)} ({failures} parse errors), {len(docs) / elapsed:.1f} documents/s")
    print(f"{'field':<20} {'exact':>8}")
    for k, oks in exact.items():
        print(f"{k:<20} {100 * sum(oks) / len(oks):7.1f} %")
    print(f"{'field':<20} {'precision':>9} {'recall':>7} {'F1':>6}")
    for k, (tp, np_, ng) in lists.items():
        p = tp / np_ if np_ else 1.0
        r = tp / ng if ng else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{k:<20} {p:9.3f} {r:7.3f} {f1:6.3f}")
    if args.details:
        print("\nmismatches:")
        for m in mismatches:
            print("  " + m)


if __name__ == "__main__":
    main()
