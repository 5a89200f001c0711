"""The inputs read once per process (kamergraph.inputs.memoised, the parsed texts of kamergraph.texts):
read again as soon as a file changes, never handed out stale."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from ingest.errors import ParseError
from kamergraph import inputs
from kamergraph.inputs import KOOP_FILE, memoised, publication_ids, reference_data
from kamergraph.texts import read_document

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
SEED_TEXT = DATA / "texts" / "seed" / "kv-tk-2019Z15231.txt"


def test_a_result_is_kept_while_the_files_stay_and_reloaded_when_one_changes(tmp_path: Path) -> None:
    folder = tmp_path / "lists"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("1", encoding="utf-8")
    (folder / "sub" / "b.txt").write_text("2", encoding="utf-8")
    calls: list[int] = []

    def load() -> tuple[str, ...]:
        calls.append(1)
        return tuple(sorted(p.read_text(encoding="utf-8") for p in folder.rglob("*.txt")))

    first = memoised("test-lists", folder, load)
    assert memoised("test-lists", folder, load) is first and len(calls) == 1
    # a file in a subfolder changed in place: same size, another modification time
    b = folder / "sub" / "b.txt"
    b.write_text("3", encoding="utf-8")
    st = b.stat()
    os.utime(b, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert memoised("test-lists", folder, load) == ("1", "3") and len(calls) == 2
    # a file added, then one removed
    (folder / "c.txt").write_text("4", encoding="utf-8")
    assert memoised("test-lists", folder, load) == ("1", "3", "4") and len(calls) == 3
    (folder / "a.txt").unlink()
    assert memoised("test-lists", folder, load) == ("3", "4") and len(calls) == 4
    # another kind of result of the same files is its own entry
    assert memoised("test-other", folder, lambda: "other") == "other"


def test_the_further_paths_and_parts_of_a_key_count_too(tmp_path: Path) -> None:
    """``also``: a change under a further path gives another result, and so does another string part
    (the sync's base hashes are keyed by the base file, the data folder, their names and the base IRI)."""
    base, folder = tmp_path / "base.jsonl", tmp_path / "data"
    folder.mkdir()
    base.write_text("1", encoding="utf-8")
    (folder / "x.txt").write_text("a", encoding="utf-8")
    calls: list[str] = []

    def load(tag: str):
        def run() -> str:
            calls.append(tag)
            return base.read_text(encoding="utf-8") + (folder / "x.txt").read_text(encoding="utf-8") + tag
        return run

    assert memoised("test-also", base, load("p"), also=(folder, "p")) == "1ap"
    assert memoised("test-also", base, load("p"), also=(folder, "p")) == "1ap" and calls == ["p"]
    assert memoised("test-also", base, load("q"), also=(folder, "q")) == "1aq" and calls == ["p", "q"]
    x = folder / "x.txt"
    x.write_text("b", encoding="utf-8")
    st = x.stat()
    os.utime(x, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert memoised("test-also", base, load("p"), also=(folder, "p")) == "1bp" and calls == ["p", "q", "p"]
    # a further path that does not exist: loaded every time
    for _ in range(2):
        memoised("test-also", base, load("r"), also=(tmp_path / "gone", "r"))
    assert calls[-2:] == ["r", "r"]


def test_a_missing_input_is_loaded_every_time_and_its_error_is_not_kept(tmp_path: Path) -> None:
    calls: list[int] = []

    def load() -> None:
        calls.append(1)
        raise ParseError("koop/parliamentary-ids.txt.xz", None, "cannot read the publication id list")

    for _ in range(2):
        with pytest.raises(ParseError):
            memoised("test-missing", tmp_path / "nothing-here", load)
    assert len(calls) == 2


def test_only_the_last_few_results_are_kept(tmp_path: Path) -> None:
    for i in range(inputs._MEMO_SIZE + 3):
        f = tmp_path / f"{i}.txt"
        f.write_text(str(i), encoding="utf-8")
        memoised("test-bounded", f, lambda i=i: i)
    assert len(inputs._MEMO) <= inputs._MEMO_SIZE


def test_reference_data_and_publication_ids_follow_their_files(tmp_path: Path) -> None:
    """A copy of the data folder whose member list changes gives the changed reference data."""
    data = tmp_path / "data"
    shutil.copytree(DATA / "reference", data / "reference")
    (data / "koop").mkdir()
    shutil.copy2(DATA / KOOP_FILE, data / KOOP_FILE)
    ref = reference_data(data)
    assert reference_data(data) is ref
    ids = publication_ids(data)
    assert publication_ids(data) is ids and "kv-tk-2019Z15231" in ids
    # the member list loses the rows of one member (a member of 1815-1820, named in no other list)
    periods = data / "reference" / "tk-kamerleden-perioden.json"
    rows = json.loads(periods.read_text(encoding="utf-8"))
    kept = [r for r in rows if r.get("Persoon_id") != 181509082]
    assert len(kept) < len(rows)
    periods.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    assert "lid-181509082" in ref.persons
    changed = reference_data(data)
    assert changed is not ref and "lid-181509082" not in changed.persons
    assert len(changed.fractie_memberships) < len(ref.fractie_memberships)


def test_a_parsed_text_is_the_same_for_the_same_text_and_new_for_another(tmp_path: Path) -> None:
    ids = publication_ids(DATA)
    doc = read_document(SEED_TEXT, "texts/seed/kv-tk-2019Z15231.txt", ids)
    assert read_document(SEED_TEXT, "texts/seed/kv-tk-2019Z15231.txt", ids) is doc
    # under another name: its own record, naming that file
    other = read_document(SEED_TEXT, "elsewhere.txt", ids)
    assert other is not doc and other.source.file == "elsewhere.txt"
    # the text changed: parsed afresh
    copy = tmp_path / "kv-tk-2019Z15231.txt"
    copy.write_text(SEED_TEXT.read_text(encoding="utf-8").replace("cybersurveillance", "cyberbewaking"), encoding="utf-8")
    changed = read_document(copy, "texts/seed/kv-tk-2019Z15231.txt", ids)
    assert changed is not doc and "cyberbewaking" in changed.text and "cyberbewaking" not in doc.text
    # a text that does not parse raises each time
    bad = tmp_path / "bad.txt"
    bad.write_text("geen vragen\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ParseError):
            read_document(bad, "bad.txt", ids)
