"""The cached test stores (tests/support/build_cache.py) are keyed by everything a build reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support import build_cache

ROOT = Path(__file__).resolve().parent.parent


def recipe(path: Path) -> None:  # the key covers the recipe's code too
    raise AssertionError("never run")


def test_the_key_covers_data_and_every_package_s_code() -> None:
    files = {str(p.relative_to(ROOT)) for p in build_cache.source_files()}
    for expected in ("data/tk-odata/zaken-schriftelijke-vragen.jsonl.gz", "kamergraph/build.py",
                     "ingest/reference.py", "ingest/texts/record.py", "shapes/kamergraph.shapes.ttl",
                     "ontology/kamergraph.ttl", "store/embedded.py", "queries/catalog.py", "server/overview.py"):
        assert expected in files, f"{expected} is not in the build cache's key"
    assert build_cache.package_folders() == ["ingest", "kamergraph", "ontology", "queries", "server", "shapes", "store"]


def project(tmp_path: Path) -> Path:
    """A small project shaped like this one: pyproject.toml, data/ and two packages."""
    root = tmp_path / "project"
    shutil.copy(ROOT / "pyproject.toml", (root / "pyproject.toml", root.mkdir())[0])
    for folder, name, text in (("data", "zaken.jsonl", "{}\n"), ("ingest", "__init__.py", ""),
                               ("ingest/texts", "__init__.py", ""), ("ingest/texts", "record.py", "x = 1\n"),
                               ("kamergraph", "__init__.py", ""), ("kamergraph", "build.py", "y = 2\n")):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / name).write_text(text)
    return root


def test_a_change_in_data_or_code_changes_the_key(tmp_path: Path) -> None:
    root = project(tmp_path)
    first = build_cache.cache_key("full", recipe, root)
    assert build_cache.cache_key("full", recipe, root) == first
    keys = {first}
    for path, text in (("ingest/texts/record.py", "x = 2\n"), ("kamergraph/build.py", "y = 3\n"),
                       ("data/zaken.jsonl", "{\"a\": 1}\n"), ("ingest/texts/new.py", "")):
        (root / path).write_text(text)
        keys.add(build_cache.cache_key("full", recipe, root))
    assert len(keys) == 5, "a change in the data or the code left the key as it was"
    assert build_cache.cache_key("other", recipe, root) not in keys


def test_a_store_built_while_the_code_changed_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit in the working tree during a build: the store may mix both versions, so the caller gets it but
    the cache keeps it under neither key; the next caller builds again."""
    root = project(tmp_path)
    monkeypatch.setenv("KAMERGRAPH_TEST_CACHE", str(tmp_path / "cache"))
    builds: list[Path] = []

    def editing_recipe(path: Path) -> str:
        path.mkdir()
        (path / "store.txt").write_text(f"build {len(builds)}")
        builds.append(path)
        (root / "kamergraph" / "build.py").write_text(f"y = {len(builds) + 10}\n")  # the edit, mid-build
        return "report"

    assert build_cache.cached_store("edited", editing_recipe, tmp_path / "a", root) == "report"
    assert (tmp_path / "a" / "store.txt").read_text() == "build 0"
    assert not [p for p in (tmp_path / "cache").iterdir() if p.is_dir()], "a store of mixed inputs was kept"
    build_cache.cached_store("edited", editing_recipe, tmp_path / "b", root)
    assert len(builds) == 2, "the second caller took a store built while the code changed"

    def steady_recipe(path: Path) -> str:
        path.mkdir()
        (path / "store.txt").write_text("steady")
        builds.append(path)
        return "report"

    build_cache.cached_store("steady", steady_recipe, tmp_path / "c", root)
    build_cache.cached_store("steady", steady_recipe, tmp_path / "d", root)
    assert len(builds) == 3 and (tmp_path / "d" / "store.txt").read_text() == "steady", "a steady build is kept once"


def test_no_package_found_is_an_error_not_a_key_without_code(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n[tool.setuptools]\npackages = ['ingest']\n")
    with pytest.raises(RuntimeError, match="no package code"):
        build_cache.cache_key("full", recipe, root)


def test_digest_of_follows_the_contents_of_files_and_folders(tmp_path: Path) -> None:
    """The name part of a store built from inputs outside data/: another content, another digest."""
    from tests.support.build_cache import digest_of

    records = tmp_path / "records.jsonl"
    records.write_text('{"Nummer": "2019Z15231"}\n', encoding="utf-8")
    folder = tmp_path / "data"
    (folder / "reference").mkdir(parents=True)
    (folder / "reference" / "list.json").write_text("[1]", encoding="utf-8")
    first = digest_of(records, folder)
    assert digest_of(records, folder) == first
    (folder / "reference" / "list.json").write_text("[2]", encoding="utf-8")  # same size, other content
    second = digest_of(records, folder)
    assert second != first
    (folder / "reference" / "more.json").write_text("[]", encoding="utf-8")
    assert digest_of(records, folder) not in (first, second)
    records.write_text('{"Nummer": "2019Z15232"}\n', encoding="utf-8")
    assert digest_of(records) != digest_of(folder)


def _uses_full_build(path: Path) -> bool:
    """Whether a function of the file (a test or a fixture) takes the ``full_build`` fixture."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name != "full_build"
               and any(a.arg == "full_build" for a in n.args.args) for n in ast.walk(tree))


def test_the_files_using_the_full_build_are_one_unit_of_work() -> None:
    """tests/conftest.py's FULL_BUILD_FILES are exactly the test files that use ``full_build``, and the
    scheduler sends them to one worker as one unit (a test file elsewhere stays its own unit)."""
    from tests.conftest import FULL_BUILD_FILES, ROOT, work_unit

    using = {p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").rglob("test_*.py") if _uses_full_build(p)}
    assert using == set(FULL_BUILD_FILES)
    assert {work_unit(f"{f}::test_x") for f in FULL_BUILD_FILES} == {"tests/full-build"}
    assert work_unit("tests/server/test_pages.py::test_home_page") == "tests/server/test_pages.py"
    assert work_unit("tests/remote/test_remote_cli.py::test_query[oxigraph-query0]") == "tests/remote"


def test_the_slowest_units_first_name_units_that_exist() -> None:
    """Every unit of tests/conftest.py's SLOWEST_FIRST is one the scheduler makes of an existing test file
    or folder (a renamed file would silently lose its place)."""
    from tests.conftest import ROOT, SLOWEST_FIRST, work_unit

    units = {work_unit(p.relative_to(ROOT).as_posix() + "::t") for p in (ROOT / "tests").rglob("test_*.py")}
    assert set(SLOWEST_FIRST) <= units and len(set(SLOWEST_FIRST)) == len(SLOWEST_FIRST)
