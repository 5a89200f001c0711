"""A fractie printed in a published text reaches the askers in no list, in the build and in a sync (issue 15).

Sarah Dobbe (SP) is in no bundled member list; the question set kv-tk-2024Z18562 prints "Vragen van het lid
Dobbe (SP)". The build's completion of the reference from two of her Zaken (her first and her last in the
records) and that text gives her questions the fractie SP, through a fractie membership whose derivation
(kg:herkomst) names the text; the sync's derivation of the same records puts it in the memberships graph;
without the text neither states a fractie.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from ingest.records import ZaakRecord
from ingest.sources.odata import read_jsonl
from kamergraph.sync_apply import SyncRun
from kamergraph.texts import printed_in_texts
from ontology.namespaces import Iris
from tests.support.slices import odata_slice

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
ZAKEN = ("2023Z20392", "2024Z14629")  # Dobbe's first and last Zaak of the records
TEXT = DATA / "texts" / "kv-tk-2024Z18562.txt"
BASE = "https://kamergraph.nl/"
IRIS = Iris(BASE)


def _slice(dest: Path) -> Path:
    odata_slice(ZAKEN, dest)
    with gzip.open(dest, "rt", encoding="utf-8") as fh:
        assert len(fh.read().splitlines()) == len(ZAKEN)
    return dest


@pytest.fixture(scope="module")
def zaken(tmp_path_factory: pytest.TempPathFactory) -> list[ZaakRecord]:
    odata = _slice(tmp_path_factory.mktemp("printed-slice") / "dobbe.jsonl.gz")
    return [z for z in read_jsonl(odata, "data/tk-odata/zaken-schriftelijke-vragen.jsonl.gz") if isinstance(z, ZaakRecord)]


def test_printed_in_texts_names_the_text() -> None:
    [p] = printed_in_texts([TEXT], DATA, frozenset())
    assert (p.name, p.fractie, str(p.on), p.source.file) == ("Dobbe", "SP", "2024-11-15", "data/texts/kv-tk-2024Z18562.txt")


def test_the_build_gives_dobbe_the_printed_fractie(zaken: list[ZaakRecord]) -> None:
    from kamergraph.build import BuildReport, _complete_reference, _Timer
    from kamergraph.inputs import reference_data

    report = BuildReport(started="")
    ref, resolver = _complete_reference(reference_data(DATA), list(zaken), report, _Timer(report.timings), DATA,
                                        [TEXT], frozenset())
    fms = [f for f in ref.fractie_memberships if f.person_key == "sarah-dobbe"]
    # one per run of questions (the two are further apart than a run may be); each says where the fractie
    # comes from: the text that prints it, and that it is inferred
    assert [f.fractie_key for f in fms] == ["sp", "sp"]
    for f in fms:
        assert "fractie gedrukt in data/texts/kv-tk-2024Z18562.txt (Dobbe (SP), 2024-11-15)" in f.derivation
        assert f.derivation.startswith("afgeleid") and f.source.file == "data/texts/kv-tk-2024Z18562.txt"
    for z in zaken:
        [asker] = [a for a in resolver.resolve(z, frozenset(), ()).askers if a.person_key == "sarah-dobbe"]
        assert asker.fractie_key == "sp"
    # without the text: the person and her memberships, no fractie
    ref, resolver = _complete_reference(reference_data(DATA), list(zaken), report, _Timer(report.timings), DATA,
                                        [], frozenset())
    assert not [f for f in ref.fractie_memberships if f.person_key == "sarah-dobbe"]
    assert [a.fractie_key for a in resolver.resolve(zaken[0], frozenset(), ()).askers
            if a.person_key == "sarah-dobbe"] == [None]


def _dobbe_fractie_memberships(graphs: dict) -> list[str]:
    g = graphs[IRIS.reference_graph("lidmaatschappen")]
    return [ln for ln in g.nquads.splitlines() if "/fractielidmaatschap/sarah-dobbe-" in ln and "herkomst" in ln]


def test_the_sync_gives_dobbe_the_printed_fractie_and_none_without_the_text(zaken: list[ZaakRecord]) -> None:
    run = object.__new__(SyncRun)  # only what derive reads: the data folder, the IRIs, the member records' fates
    run.data_dir, run.iris, run._tk_fates = DATA, IRIS, {}
    lines = _dobbe_fractie_memberships(run.derive(zaken, [TEXT])[0])
    assert len(lines) == 2 and all("fractie gedrukt in data/texts/kv-tk-2024Z18562.txt" in ln for ln in lines)
    assert _dobbe_fractie_memberships(run.derive(zaken, [])[0]) == []
