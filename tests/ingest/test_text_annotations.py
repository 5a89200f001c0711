"""The text parser against the hand-made annotations (tests/golden/texts/annotations.json): every
annotated fact of every annotated document, exactly; lists in their printed order.

The annotations were written by hand from the documents (tests/golden/texts/README.md says how);
bench/eval_texts.py measures the same agreement as precision and recall. Names are compared as the
annotation writes them: the surname, accents and case folded; posts case-insensitively.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.eval_texts import asker_pairs, fold, local_path, parse
from ingest.records import TextDocument
from ingest.sources.koop import read_publication_ids

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
ANNOTATIONS = json.loads((ROOT / "tests" / "golden" / "texts" / "annotations.json").read_text(encoding="utf-8"))["documents"]


@pytest.fixture(scope="module")
def known_ids() -> frozenset[str]:
    return read_publication_ids(DATA / "koop" / "parliamentary-ids.txt.xz")


def parsed_facts(doc: TextDocument, gold_askers: list[dict]) -> dict[str, object]:
    """The parsed record's facts in the annotation's terms. A parsed asker's name may carry a first
    name ("Daniëlle Jansen"): it counts as the annotated surname it ends with (bench/eval_texts.py's
    matching, which this test shares with the benchmark)."""
    _, askers = asker_pairs([(m.name, m.fractie) for m in doc.askers], gold_askers)
    return {
        "id": doc.publication_id,
        "kind": doc.kind,
        "zaak": doc.zaak,
        "submitted": doc.submitted.isoformat() if doc.submitted else None,
        "received": doc.received.isoformat() if doc.received else None,
        "askers": askers,
        "addressed_posts": [fold(m.label) for m in doc.addressed],
        "question_count": len(doc.questions),
        "answer_groups": [list(a.numbers) for a in doc.answers],
        "answering_person": fold(doc.answering_person.split()[-1]) if doc.answering_person else None,
        "answering_post": fold(doc.answering_post.label) if doc.answering_post else None,
        "mede_namens": [fold(m.label) for m in doc.on_behalf_of],
        "footnote_count": len(doc.footnotes),
    }


def annotated_facts(d: dict) -> dict[str, object]:
    return {
        "id": d["id"],
        "kind": d["kind"],
        "zaak": d["zaak"],
        "submitted": d["submitted"],
        "received": d["received"],
        "askers": [(fold(a["name"]), fold(a.get("fractie") or "")) for a in d["askers"]],
        "addressed_posts": [fold(p) for p in d["addressed_posts"]],
        "question_count": d["question_count"],
        "answer_groups": [list(g) for g in d["answer_groups"]],
        "answering_person": fold(d["answering_person"].split()[-1]) if d.get("answering_person") else None,
        "answering_post": fold(d["answering_post"]) if d.get("answering_post") else None,
        "mede_namens": [fold(p) for p in d["mede_namens"]],
        "footnote_count": d["footnote_count"],
    }


def test_every_bundled_text_is_annotated() -> None:
    assert len(ANNOTATIONS) == 67
    annotated = {local_path(d["file"]) for d in ANNOTATIONS}
    bundled = {*(DATA / "texts").glob("*.txt"), *(DATA / "texts" / "seed").glob("*.txt"), *(DATA / "answers-docx").glob("*.docx")}
    assert annotated == bundled


@pytest.mark.parametrize("d", ANNOTATIONS, ids=[Path(d["file"]).name for d in ANNOTATIONS])
def test_parser_agrees_with_the_annotation(d: dict, known_ids: frozenset[str]) -> None:
    doc = parse(local_path(d["file"]), known_ids)
    got, gold = parsed_facts(doc, d["askers"]), annotated_facts(d)
    assert {k: v for k, v in got.items() if v != gold[k]} == {k: v for k, v in gold.items() if v != got[k]}
