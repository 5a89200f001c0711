"""Answers link to published questions instead of restating them."""

from __future__ import annotations

from pathlib import Path

from ingest.infer import complete_reference
from ingest.reference import load_reference
from ingest.records import ZaakRecord
from ingest.resolve import Resolver
from ingest.resolve_text import TextResolver
from ingest.sources.odata import read_jsonl
from kamergraph.texts import process_texts
from ontology.namespaces import Iris, T

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
ANSWER = DATA / "texts" / "ah-tk-20242025-594.txt"


def test_answer_quotes_questions_only_when_their_publication_is_absent() -> None:
    zaken = [z for z in read_jsonl(DATA / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz") if isinstance(z, ZaakRecord)]
    ref = complete_reference(load_reference(DATA), zaken)
    iris = Iris("https://kamergraph.nl/")

    def graph(published: set[str]) -> str:
        resolver = TextResolver(ref, Resolver(ref), zaken)
        (out,) = process_texts([ANSWER], DATA, resolver, frozenset(), iris, published)
        assert out.graph is not None and out.resolved is not None
        return out.graph.nquads

    alone = graph(set())
    kv = "pub-ah-tk-20242025-594"
    with_questions = graph({kv})
    vraag_type = f"<{T.type}> <{T.Vraag}>"
    assert vraag_type in alone  # the only source of the question texts: they are stated
    assert vraag_type not in with_questions  # published elsewhere: not restated ...
    assert f"<{T.beantwoordt}>" in with_questions  # ... but still linked from every answer
    assert with_questions.count(f"<{T.beantwoordt}>") == alone.count(f"<{T.beantwoordt}>")
