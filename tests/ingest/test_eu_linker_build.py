"""EU links through a tiny real build: four Zaken whose titles name EU acts (or do not) and the seed
text 2019Z15231 with its EU citations. The build writes the title links into each Zaak's graph and
validates them; `kamergraph stats` counts the links per place and method and the Kamervragen linked."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.embedded import EmbeddedStore
from tests.support.build_cache import cached_store
from tests.support.slices import build_slice

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
SEED = DATA / "texts" / "seed" / "kv-tk-2019Z15231.txt"
BASE = "https://kamergraph.nl/"
KG = "https://w3id.org/kamergraph/def#"
CITO = "http://purl.org/spar/cito/"
# 2016Z10914 "… CO2 bij EU ETS …" (name), 2018Z19559 "Export van 'dual use'-goederen …" (topic, 2018: 428/2009),
# 2022Z00212 "… REACH Verordening (1907/2006/EG)" (number), 2019Z15231 (no EU words in its title; its text cites
# the 2016 proposal and its procedure by name)
ZAKEN = ("2016Z10914", "2018Z19559", "2022Z00212", "2019Z15231")


def build_eu(path: Path) -> dict[str, int]:
    return build_slice(path, ZAKEN, [SEED], "eu.jsonl.gz").counts()


@pytest.fixture(scope="module")
def eu_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("eu-links") / "store"
    counts = cached_store("eu-links", build_eu, path)
    assert counts == {"loaded": len(ZAKEN) + 1}, counts  # every graph valid, the links' shapes included
    return path


def test_title_links_are_in_the_zaak_graphs(eu_store: Path) -> None:
    store = EmbeddedStore(eu_store)
    try:
        rows = store.query(f"""PREFIX kg: <{KG}> PREFIX cito: <{CITO}>
            SELECT ?zaak ?act ?how ?words ?c ?g WHERE {{
              GRAPH ?g {{ ?kv kg:zaaknummer ?zaak ; cito:cites ?act .
                          ?l cito:hasCitingEntity ?kv ; cito:hasCitedEntity ?act ; kg:koppelmethode ?how ;
                             kg:tekstfragment ?words ; kg:betrouwbaarheid ?c . }} }}""").values()
    finally:
        store.close()
    got = {(r["zaak"], r["act"], r["how"], r["words"]) for r in rows}
    assert got == {
        ("2016Z10914", "http://data.europa.eu/eli/dir/2003/87/oj", "naam", "EU ETS"),
        ("2018Z19559", "http://data.europa.eu/eli/reg/2009/428/oj", "onderwerp", "dual use'-goederen"),
        ("2022Z00212", "http://data.europa.eu/eli/reg/2006/1907/oj", "nummer", "Verordening (1907/2006/EG)"),
    }
    assert all(r["g"] == BASE + "graph/kamervraag/" + r["zaak"] for r in rows)


def test_stats_count_eu_links_per_place_and_method(eu_store: Path) -> None:
    from kamergraph import stats

    store = EmbeddedStore(eu_store)
    try:
        eu = stats.eu_links(store)
    finally:
        store.close()
    assert sorted(eu["per_method"]) == [("tekst", "naam", 2), ("titel", "naam", 1), ("titel", "nummer", 1),
                                        ("titel", "onderwerp", 1)]
    assert eu["linked"] == {
        "titel": {"kamervragen": 3, "resources": 3},
        "tekst": {"kamervragen": 1, "resources": 2},  # the proposal COM(2016) 616 and its procedure
        "alle": {"kamervragen": 4, "resources": 5},
    }
    text = "\n".join(stats.eu_lines(eu))
    assert "titles: naam 1, nummer 1, onderwerp 1 (3 links)" in text and "texts: naam 2 (2 links)" in text
    assert "Kamervragen linked by either: 4, to 5 distinct EU resources" in text
