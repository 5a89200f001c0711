"""The analyst workload (bench/workload): every file has its header, every query passes the endpoint's
guard and runs on the small real store (60 Zaken and the founding case), the pages' queries are
recorded from the real application, and a file that breaks the rules is refused naming file and line.
The timings and the row counts of the full build are the benchmark's (bench/workload/run.py), not a
test's."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.workload.report import row_checks
from bench.workload.workload import Item, WorkloadError, expand, load, parse
from queries.catalog import Catalog
from queries.guard import check

FILES = load()


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server tests' small store (tests/server/conftest.build_kg), from the build cache."""
    from tests.server.conftest import build_kg
    from tests.support.build_cache import cached_store

    path = tmp_path_factory.mktemp("workload") / "store"
    cached_store("kg", build_kg, path)
    return path


def test_every_file_has_its_header_and_the_workload_its_shapes() -> None:
    for wf in FILES:
        assert wf.title and wf.answers, wf.path
        assert wf.rows is not None, wf.path
    sources = {wf.source for wf in FILES}
    assert sources == {"text", "named", "page", "overview"}
    assert sum(1 for wf in FILES if wf.source == "text") >= 14
    # every named query of queries/ is in the workload, and no file names one that is not there
    assert {wf.target for wf in FILES if wf.source == "named"} == set(Catalog.load().names())


#: The shapes the embedded store does not finish even on the small store (the fractie on the day joins every
#: membership of the reference data, which the small store has whole): they must start; they may be stopped.
STOPPED = {"zaken-detail-001", "zaken-detail-060", "zaken-detail-500", "fractie-ministry-year"}


def test_every_query_passes_the_guard_and_runs_on_the_small_store(small_store: Path) -> None:
    from store.base import QueryTimeout
    from store.embedded import EmbeddedStore

    items = expand(FILES)  # the query files, the named queries with their parameters, the overview
    assert len(items) >= 20
    assert STOPPED <= {i.name for i in items}
    store = EmbeddedStore(small_store, read_only=True)
    try:
        for item in items:
            checked = check(item.text)
            try:  # stopped at a second: parsed and running (a syntax error would be a QueryError)
                result = store.query(checked.text, timeout=1.0) if item.name in STOPPED else store.query(checked.text)
            except QueryTimeout:
                assert item.name in STOPPED
                continue
            assert result.kind == ("graph" if checked.kind in ("construct", "describe") else checked.kind), item.name
    finally:
        store.close()


def test_the_pages_queries_are_recorded_and_pass_the_guard(small_store: Path) -> None:
    from bench.workload.pages import PageQueries
    from store.embedded import EmbeddedStore

    pages = [wf for wf in FILES if wf.source == "page"]
    with PageQueries(small_store) as record:
        items = expand(pages, record)
    per_page = {wf.name: [i for i in items if i.file is wf] for wf in pages}
    assert all(per_page.values()), {k: len(v) for k, v in per_page.items()}
    # a member's page asks at least for the member's description and backlinks
    assert any(i.name.startswith("page-person:describe.") for i in per_page["page-person"])
    store = EmbeddedStore(small_store, read_only=True)
    try:
        for item in items:
            store.query(check(item.text).text)
    finally:
        store.close()


@pytest.mark.parametrize(("text", "problem"), [
    ("# answers: a\n# rows: 1\n\nSELECT * {}\n", "no '# title:'"),
    ("# title: t\n# answers: a\n# rows: many\n\nSELECT * {}\n", "rows: a whole number"),
    ("# title: t\n# answers: a\n# rows: 1\n", "no query after the header"),
    ("# title: t\n# answers: a\n# rows: 1\n# named: cosigner-pairs\n\nSELECT * {}\n", "no query text of its own"),
    ("# title: t\n# answers: a\n# rows: 1\n# named: x\n# page: /id/x\n", "one source only"),
    ("# title: t\n# title: u\n# answers: a\n# rows: 1\n\nSELECT * {}\n", "given twice"),
    ("# title: t\n# answers: a\n# rows: a=1 b\n# page: /id/x\n", "key=number pairs"),
])
def test_a_broken_file_is_refused_naming_file_and_line(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "broken.rq"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WorkloadError, match=problem) as caught:
        parse(path)
    assert str(caught.value).startswith(f"{path}:")


def test_row_checks_report_every_difference() -> None:
    wf = FILES[0]
    items = [Item("a", "", 3, wf), Item("b", "", 5, wf), Item("c", "", None, wf)]
    ok = {"times": [0.1], "failed": None}
    results = {"a": {"embedded": {**ok, "rows": 3}, "virtuoso": {**ok, "rows": 4}},
               "b": {"embedded": {**ok, "rows": 5}, "virtuoso": {**ok, "rows": None}},
               "c": {"embedded": {**ok, "rows": 7}, "virtuoso": {**ok, "rows": 7}}}
    problems = row_checks(items, results, ["embedded", "virtuoso"])
    assert problems == ["a: virtuoso gave 4 rows, the file says 3", "c: no '# rows:' for it; embedded gave 7"]
