"""The OData reader on the real bundled file, and on real records damaged by the test."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest

from ingest.errors import ParseError
from ingest.records import ZaakRecord
from ingest.sources.odata import parse_zaak, read_jsonl, read_odata_page
from ingest.records import SourceRef

ODATA = Path(__file__).resolve().parents[2] / "data" / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz"


@pytest.fixture(scope="module")
def real_lines() -> list[str]:
    with gzip.open(ODATA, "rt", encoding="utf-8") as fh:
        return fh.read().splitlines()


@pytest.fixture(scope="module")
def seed_line(real_lines: list[str]) -> str:
    (line,) = [ln for ln in real_lines if '"2019Z15231"' in ln]
    return line


def test_reads_every_bundled_record(real_lines: list[str]) -> None:
    items = list(read_jsonl(ODATA, "zaken.jsonl.gz"))
    assert len(items) == len(real_lines) == 42_994
    assert not [i for i in items if isinstance(i, ParseError)]
    assert len({i.nummer for i in items}) == 42_994


def test_the_founding_case_is_parsed_exactly() -> None:
    (z,) = [i for i in read_jsonl(ODATA) if isinstance(i, ZaakRecord) and i.nummer == "2019Z15231"]
    assert z.id == "fce4322a-bc32-4a16-88ed-14847ca93e84"
    assert z.onderwerp == "De export van cybersurveillance technologie"  # trailing space dropped
    assert z.gestart_op == dt.date(2019, 7, 18)
    assert z.vergaderjaar == "2018-2019"
    assert z.indieners == ("Bram van Ojik (A.)",)
    assert z.medeindieners == ("Isabelle Diks (L.I.)",)
    assert z.gericht_aan == ("Stef Blok (S.A.)", "Sigrid Kaag (S.A.M.)")
    assert z.afgedaan is True
    assert z.source.line is not None


def _write(tmp_path: Path, lines: list[str], gz: bool = True) -> Path:
    path = tmp_path / ("zaken.jsonl.gz" if gz else "zaken.jsonl")
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def test_truncated_line_is_reported_and_the_rest_goes_on(tmp_path: Path, real_lines: list[str]) -> None:
    lines = real_lines[:5]
    lines[2] = lines[2][: len(lines[2]) // 2]  # cut in the middle
    items = list(read_jsonl(_write(tmp_path, lines), "zaken.jsonl.gz"))
    errors = [i for i in items if isinstance(i, ParseError)]
    assert len(items) == 5 and len(errors) == 1
    assert errors[0].file == "zaken.jsonl.gz" and errors[0].line == 3
    assert "not valid JSON" in str(errors[0])


def test_unknown_soort_is_reported(tmp_path: Path, seed_line: str) -> None:
    obj = json.loads(seed_line)
    obj["Soort"] = "Motie"
    items = list(read_jsonl(_write(tmp_path, [seed_line, json.dumps(obj)])))
    assert isinstance(items[0], ZaakRecord)
    assert isinstance(items[1], ParseError) and items[1].line == 2
    assert "unknown Soort 'Motie'" in items[1].problem


def test_unparseable_date_is_reported(tmp_path: Path, seed_line: str) -> None:
    obj = json.loads(seed_line)
    obj["GestartOp"] = "18 juli 2019"
    (err,) = list(read_jsonl(_write(tmp_path, [json.dumps(obj)], gz=False)))
    assert isinstance(err, ParseError)
    assert "GestartOp" in err.problem and "18 juli 2019" in err.problem


def test_corrupt_gzip_is_one_located_error(tmp_path: Path, real_lines: list[str]) -> None:
    path = _write(tmp_path, real_lines[:200])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # the gzip stream breaks off
    items = list(read_jsonl(path, "cut.jsonl.gz"))
    records = [i for i in items if isinstance(i, ZaakRecord)]
    errors = [i for i in items if isinstance(i, ParseError)]
    assert 0 < len(records) < 200
    assert len(errors) >= 1 and "truncated or corrupt" in errors[-1].problem
    assert errors[-1].file == "cut.jsonl.gz"


def test_names_that_are_not_lists_are_reported(seed_line: str) -> None:
    obj = json.loads(seed_line)
    obj["Indiener"] = {"naam": "Bram van Ojik"}
    with pytest.raises(ParseError, match="Indiener"):
        parse_zaak(obj, SourceRef("x.jsonl", 7))


def test_odata_page_with_expanded_actors(seed_line: str) -> None:
    obj = json.loads(seed_line)
    for k in ("Indiener", "Medeindiener", "GerichtAan", "Voortouwcommissie"):
        obj.pop(k)
    obj["ZaakActor"] = [
        {"Relatie": "Indiener", "ActorNaam": "A. van Ojik",
         "Persoon": {"Roepnaam": "Bram", "Tussenvoegsel": "van", "Achternaam": "Ojik", "Initialen": "A."}},
        {"Relatie": "Medeindiener", "ActorNaam": "L.I. Diks"},
        {"Relatie": "Gericht aan", "ActorNaam": "S.A. Blok"},
        {"Relatie": "Gericht aan", "ActorNaam": "verwijderd", "Verwijderd": True},
    ]
    items = list(read_odata_page({"value": [obj, {"Soort": "Schriftelijke vragen"}]}, "page-1.json"))
    z, err = items
    assert isinstance(z, ZaakRecord)
    assert z.indieners == ("Bram van Ojik (A.)",)
    assert z.medeindieners == ("L.I. Diks",)
    assert z.gericht_aan == ("S.A. Blok",)
    assert isinstance(err, ParseError) and err.file == "page-1.json" and err.line == 2
