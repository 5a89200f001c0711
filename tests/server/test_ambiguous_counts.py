"""Ambiguous addressings end to end on a tiny real build (issue 15 §1): the build takes a post from a
published text, leaves the rest ambiguous; the overview, the page of a post and the named query
addressed-to count certain addressings as before and ambiguous ones apart, never in both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from queries.catalog import Catalog
from store.embedded import EmbeddedStore
from tests.server.conftest import settings_for
from tests.support.build_cache import cached_store
from tests.support.slices import build_slice

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
# Hirsch Ballin: 2010Z11782 while minister van Justitie and of BZK (ambiguous), 2010Z01926 and
# 2010Z02101 before he took BZK (Justitie, certain); 2024Z11074: Jetten, whose post the answer
# ah-tk-20242025-576 prints
ZAKEN = ("2010Z11782", "2010Z01926", "2010Z02101", "2024Z11074")
TEXT = DATA / "texts" / "ah-tk-20242025-576.txt"
BASE = "https://kamergraph.nl/"
JUSTITIE = BASE + "id/post/minister-van-justitie"
BZK = BASE + "id/post/minister-van-binnenlandse-zaken-en-koninkrijksrelaties"
KG = "https://w3id.org/kamergraph/def#"


def build_tiny(path: Path) -> dict[str, object]:
    """A real store of the four Zaken and the answer text; returns the build's resolution summary."""
    report = build_slice(path, ZAKEN, [TEXT], "tiny.jsonl.gz")
    assert report.counts() == {"loaded": len(ZAKEN) + 1}, report.counts()
    return report.resolution


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    path = tmp_path_factory.mktemp("ambiguous") / "store"
    resolution = cached_store("ambiguous", build_tiny, path)
    return path, resolution


@pytest.fixture(scope="module")
def client(tiny: tuple[Path, dict[str, object]]) -> Iterator[TestClient]:
    from server.app import create_app

    app = create_app(settings_for(tiny[0]), tiny[0])
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_the_build_resolves_by_text_and_leaves_the_rest_ambiguous(tiny: tuple[Path, dict[str, object]]) -> None:
    path, resolution = tiny
    assert resolution["addressees_ambiguous"] == 1
    assert resolution["addressees_ambiguous_by_year"] == {"2010": 1}
    store = EmbeddedStore(path)
    try:
        rows = store.query(f"""PREFIX kg: <{KG}>
            SELECT ?zaak ?p ?how WHERE {{
              ?kv kg:zaaknummer ?zaak .
              {{ ?kv kg:gerichtAan ?p . BIND ("zeker" AS ?how) }}
              UNION {{ ?kv kg:mogelijkGerichtAan ?p . BIND ("mogelijk" AS ?how) }} }}""").values()
        got = {(r["zaak"], r["p"].rsplit("/", 1)[1], r["how"]) for r in rows}
        assert {(z, p, h) for z, p, h in got if z.startswith("2010")} == {
            ("2010Z11782", "minister-van-justitie", "mogelijk"),
            ("2010Z11782", "minister-van-binnenlandse-zaken-en-koninkrijksrelaties", "mogelijk"),
            ("2010Z01926", "minister-van-justitie", "zeker"), ("2010Z02101", "minister-van-justitie", "zeker")}
        method = store.query(f"""PREFIX kg: <{KG}> SELECT ?m WHERE {{
            ?kv kg:zaaknummer "2024Z11074" ; kg:adressering ?ad . ?ad kg:resolutiemethode ?m ;
                kg:post <{BASE}id/post/minister-voor-klimaat-en-energie> }}""").values()
        assert [r["m"] for r in method] == ["achternaam+voorletters+datum; post uit tekst ah-tk-20242025-576"]
    finally:
        store.close()


def test_the_overview_counts_ambiguous_addressings_apart(tiny: tuple[Path, dict[str, object]]) -> None:
    from server.overview import build_from_store

    ov = build_from_store(str(tiny[0]))
    assert (ov.count("post", JUSTITIE), ov.possibly("post", JUSTITIE)) == (2, 1)
    assert (ov.count("post", BZK), ov.possibly("post", BZK)) == (0, 1)
    ministries = {m for m in ov.posts_of_ministry if JUSTITIE in ov.posts_of_ministry[m]}
    (justitie,) = ministries
    assert (ov.count("ministerie", justitie), ov.possibly("ministerie", justitie)) == (2, 1)
    case = ov.case(BASE + "id/kamervraag/2010Z11782")
    assert case is not None and case.posts == [] and set(case.possible_posts) == {JUSTITIE, BZK}


@pytest.mark.parametrize("lang, line, heading", [
    ("nl", "mogelijk ontvangen", "(zeker; mogelijk: 1)"),
    ("en", "possibly received", "(certain; possibly: 1)"),
])
def test_the_page_of_a_post_says_it(client: TestClient, lang: str, line: str, heading: str) -> None:
    client.cookies.clear()
    r = client.get("/id/post/minister-van-justitie", headers={"Accept": "text/html"}, params={"lang": lang})
    assert r.status_code == 200
    assert line in r.text and heading in r.text


@pytest.mark.parametrize("lang, base, maybe", [
    ("nl", "zeker aan het ministerie gericht", "(zeker; mogelijk: 1)"),
    ("en", "certainly addressed to the ministry", "(certain; possibly: 1)")])
def test_the_home_page_says_its_ministry_counts_are_certain(client: TestClient, lang: str, base: str, maybe: str) -> None:
    """The ministry list of the home page: certain addressings, the possible ones apart, and a line saying so."""
    import re

    client.cookies.clear()
    r = client.get("/", headers={"Accept": "text/html"}, params={"lang": lang})
    assert r.status_code == 200
    assert base in r.text.split('id="ministries-base"', 1)[1].split("</p>", 1)[0]
    section = r.text[r.text.index('id="ministries-h"'):].split("</section>", 1)[0]
    items = {re.search(r'href="([^"?]+)', i).group(1): " ".join(re.sub(r"<[^>]+>", " ", i).split())
             for i in re.findall(r"<li>(.*?)</li>", section, re.S)}
    # Justitie (TOOI mnre1058): the two certain questions, the ambiguous one apart; BZK (mnre1034): only the
    # possible one, still listed
    assert items["/id/ministerie/mnre1058"].endswith(f" 2 {maybe}"), items
    assert items["/id/ministerie/mnre1034"].endswith(f" 0 {maybe}"), items


def test_addressed_to_lists_ambiguous_rows_as_mogelijk(tiny: tuple[Path, dict[str, object]]) -> None:
    store = EmbeddedStore(tiny[0])
    try:
        result = Catalog.load()["addressed-to"].run(
            store, {"addressee": JUSTITIE, "from": "2010-01-01", "to": "2010-12-31"})
    finally:
        store.close()
    assert sorted((r["zaak"], r["addressing"]) for r in result.values()) == [
        ("2010Z01926", "zeker"), ("2010Z02101", "zeker"), ("2010Z11782", "mogelijk")]


def test_stats_reports_ambiguous_addressings_per_year(tiny: tuple[Path, dict[str, object]]) -> None:
    from kamergraph import stats

    store = EmbeddedStore(tiny[0])
    try:
        data = stats.collect(store)
    finally:
        store.close()
    assert data["ambiguous"] == [("geadresseerde", 2010, 1)]
    assert not any(kind == "geadresseerde" and "ambiguous: Hirsch Ballin" in reason
                   for kind, reason, _ in data["unresolved"])  # counted apart, not among the unresolved
    text = stats.render(data)
    assert "ambiguous addressings" in text and "  2010       1" in text and "  total      1" in text


def test_search_facets_count_possible_posts_apart(tiny: tuple[Path, dict[str, object]], tmp_path: Path) -> None:
    """The faceted list: "minister van Justitie" counts the certain questions; "… (mogelijk)" the
    ambiguous one, as a value of its own; a case is never in both."""
    from server.search import ensure_index

    index = ensure_index(tmp_path / "idx.sqlite", BASE, store_path=tiny[0])
    certain = index.value("post", "minister-van-justitie")
    possible = index.value("post", "minister-van-justitie~mogelijk")
    assert certain is not None and possible is not None
    assert (certain.total, possible.total) == (2, 1)
    assert possible.label_nl == "minister van Justitie (mogelijk)"
    bzk = index.value("post", "minister-van-binnenlandse-zaken-en-koninkrijksrelaties~mogelijk")
    assert bzk is not None and bzk.total == 1
    assert index.value("post", "minister-van-binnenlandse-zaken-en-koninkrijksrelaties") is None
    mins = [v for v in index.values_of("ministerie") if v.key.endswith("~mogelijk") and v.total]
    assert len(mins) == 2 and all(v.total == 1 for v in mins)
