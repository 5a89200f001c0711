"""A fixed-seed share (200 cases) of bench/ingest_fuzz.py: mutated real texts and DOCX files (byte
flips, truncation, duplicated blocks, huge lines, deleted and duplicated numbers, random Unicode,
zip corruption, zip bombs, missing parts, wrong content types) through read -> parse -> resolve ->
map, as `kamergraph ingest` runs them. No case may raise anything but the project's ParseError
naming the file, and none may take more than 5 s of CPU (CPU, not wall clock: the test machine
is shared). The full run of 10,000 cases and its figures: ``python bench/ingest_fuzz.py``."""

from __future__ import annotations

from bench.ingest_fuzz import SLOW, run

CASES = 200
SEED = 2613  # a share of its own, not the first 200 of the bench's run


def test_mutated_texts_and_docx_files_are_parsed_or_refused_clearly() -> None:
    fig = run(CASES, SEED)
    assert fig.cases == CASES
    assert fig.crashes == []
    assert fig.unclear == []
    assert fig.slow_cpu == [], f"over {SLOW} s of CPU: {fig.slow_cpu}"
    # the share exercises both outcomes and the size caps
    assert fig.loaded > 0 and sum(fig.refusals.values()) > 0
    assert fig.loaded + sum(fig.refusals.values()) + len(fig.crashes) == CASES
    assert {"zip_bomb", "missing_part", "flip_bytes", "random_unicode"} <= set(fig.by_mutation)
