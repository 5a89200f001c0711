"""A fixed-seed share (60 cases) of bench/ingest_fuzz.py: mutated real texts and DOCX files (byte
flips, truncation, duplicated blocks, huge lines, deleted and duplicated numbers, random Unicode,
zip corruption, zip bombs, missing parts, wrong content types) through read -> parse -> resolve ->
map, as `kamergraph ingest` runs them. No case may raise anything but the project's ParseError
naming the file, and none may take more than 5 s of CPU (CPU, not wall clock: the test machine
is shared). The full run of 10,000 cases and its figures: ``python bench/ingest_fuzz.py``."""

from __future__ import annotations

from bench.ingest_fuzz import SLOW, run

CASES = 60
SEED = 2758  # a share of its own, not the first cases of the bench's run; its 60 cases draw every mutation below
# every mutation a case may draw (bench/ingest_fuzz.py), but the rare ``oversize``
MUTATIONS = {"flip_bytes", "truncate", "duplicate_block", "huge_line", "delete_numbers", "duplicate_numbers",
             "random_unicode", "degenerate", "zip_flip", "zip_truncate", "zip_bomb", "zip_bomb_lying", "missing_part",
             "wrong_content_type", "broken_xml", "text_in_docx", "deep_tables"}


def test_mutated_texts_and_docx_files_are_parsed_or_refused_clearly() -> None:
    fig = run(CASES, SEED)
    assert fig.cases == CASES
    assert fig.crashes == []
    assert fig.unclear == []
    assert fig.slow_cpu == [], f"over {SLOW} s of CPU: {fig.slow_cpu}"
    # the share exercises both outcomes and the size caps
    assert fig.loaded > 0 and sum(fig.refusals.values()) > 0
    assert fig.loaded + sum(fig.refusals.values()) + len(fig.crashes) == CASES
    assert MUTATIONS <= set(fig.by_mutation)
