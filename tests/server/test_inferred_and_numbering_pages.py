"""Pages that say how far a statement rests on inference or on a text's own slips (issue 15), on one tiny
real build:

- the person page marks a membership inferred from the questions asked as inferred and gives its evidence
  (kg:herkomst): Sarah Dobbe, in no member list, with two of her Zaken and the question set kv-tk-2024Z18562
  that prints her fractie (SP);
- the Kamervraag page lists a publication's numbering findings (its rdfs:comment). No published text with an
  inconsistent numbering was found (data/texts-parser-cases/README.md), so, as the parser's tests do, the
  bundled answer ah-tk-20242025-559 is read with its question and answer 4 printed under number 3 again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from store.embedded import EmbeddedStore
from tests.server.conftest import settings_for
from tests.support.build_cache import cached_store
from tests.support.slices import build_slice

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
ZAKEN = ("2023Z20392", "2024Z14629")  # Dobbe's first and last Zaak of the records
BASE = "https://kamergraph.nl/"
DOBBE = "/id/persoon/sarah-dobbe"
SLIPPED = "ah-tk-20242025-559-slipped.txt"


def _slipped(text: str) -> str:
    """The answer with "Vraag 4" and "Antwoord 4" printed as 3 (the slip tests/ingest/test_text_shapes.py uses)."""
    for word in ("Vraag", "Antwoord"):
        text = re.sub(rf"^{word} 4$", f"{word} 3", text, count=1, flags=re.M)
    return text


def build_pages_store(path: Path) -> None:
    slipped = path.parent / SLIPPED
    slipped.write_text(_slipped((DATA / "texts" / "ah-tk-20242025-559.txt").read_text(encoding="utf-8")),
                       encoding="utf-8")
    report = build_slice(path, ZAKEN, [DATA / "texts" / "kv-tk-2024Z18562.txt", slipped], "dobbe.jsonl.gz")
    assert report.counts() == {"loaded": len(ZAKEN) + 2}, report.counts()


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("inferred-pages") / "store"
    cached_store("inferred-and-numbering-pages", build_pages_store, path)
    return path


@pytest.fixture(scope="module")
def client(store_path: Path) -> Iterator[TestClient]:
    from server.app import create_app

    with TestClient(create_app(settings_for(store_path), store_path), raise_server_exceptions=False) as c:
        yield c


def _page(client: TestClient, path: str, lang: str) -> str:
    client.cookies.clear()
    r = client.get(path, headers={"Accept": "text/html"}, params={"lang": lang})
    assert r.status_code == 200, path
    return r.text


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("lang, mark, intro", [
    ("nl", "afgeleid", "Een afgeleid lidmaatschap staat in geen ledenlijst"),
    ("en", "inferred", "An inferred membership is in no member list")])
def test_person_page_marks_inferred_memberships_with_their_evidence(client: TestClient, lang: str, mark: str,
                                                                     intro: str) -> None:
    html = _page(client, DOBBE, lang)
    timeline = html[html.index('class="timeline"'):html.index('id="herkomst"')]
    rows = re.findall(r'<div class="tl-row tl-(\w+)" role="listitem">(.*?)</div>', timeline, re.S)
    # her two runs of questions: a Kamer membership and an SP membership each, every one marked, linked to its evidence
    assert sorted(kind for kind, _ in rows) == ["fractie", "fractie", "kamer", "kamer"]
    assert all(f"({mark})</a>" in row and 'href="#herkomst-' in row for _, row in rows)
    evidence = html[html.index('id="herkomst"'):].split("</div>", 1)[0]
    assert intro in _text(evidence)
    items = re.findall(r'<li id="(herkomst-[^"]+)">(.*?)</li>', evidence, re.S)
    assert len(items) == 4 and all(f"<strong>{mark}</strong>" in body for _, body in items)
    assert {f'href="#{i}"' in timeline for i, _ in items} == {True}
    said = _text(" ".join(body for _, body in items))
    assert said.count("lid in geen ledenlijst (Sarah Dobbe (S.E.M.))") == 4
    assert said.count("fractie gedrukt in data/texts/kv-tk-2024Z18562.txt (Dobbe (SP), 2024-11-15)") == 2


def test_a_listed_members_page_marks_nothing(client: TestClient, store_path: Path) -> None:
    """Michiel van Nispen (SP), whose periods the member list has: no inferred mark, no evidence block."""
    store = EmbeddedStore(store_path, read_only=True)
    try:
        [row] = store.query("""PREFIX foaf: <http://xmlns.com/foaf/0.1/>
            SELECT ?p WHERE { ?p foaf:name "Michiel van Nispen" }""").values()
    finally:
        store.close()
    html = _page(client, row["p"][len(BASE) - 1:], "nl")
    assert 'class="tl-row tl-kamer"' in html  # he has memberships on the time line
    assert 'class="tl-inferred"' not in html and 'id="herkomst"' not in html


def _kamervraag_of_slipped(store_path: Path) -> str:
    store = EmbeddedStore(store_path, read_only=True)
    try:
        [row] = store.query("""PREFIX kg: <https://w3id.org/kamergraph/def#>
            SELECT ?kv WHERE { ?pub kg:publicatieId "ah-tk-20242025-559" ; kg:betreft ?kv }""").values()
    finally:
        store.close()
    return row["kv"][len(BASE) - 1:]


FINDINGS = {
    "nl": ["Antwoordnummer 3 staat meer dan eens afgedrukt; zo overgenomen.",
           "Antwoordnummer 4 wordt overgeslagen in de antwoorden; zo overgenomen.",
           "Vraagnummer 3 staat meer dan eens afgedrukt; zo overgenomen, de latere als 3-2 enzovoort.",
           "Vraagnummer 4 ontbreekt in de nummering van de vragen."],
    "en": ["Answer number 3 is printed more than once; kept as printed.",
           "Answer number 4 is skipped in the answers; kept as printed.",
           "Question number 3 is printed more than once; kept as printed, the later ones as 3-2 and so on.",
           "Question number 4 is missing from the numbering of the questions."],
}


@pytest.mark.parametrize("lang, lead", [("nl", "Nummering zoals gedrukt in"), ("en", "Numbering as printed in")])
def test_kamervraag_page_lists_the_numbering_findings(client: TestClient, store_path: Path, lang: str,
                                                      lead: str) -> None:
    html = _page(client, _kamervraag_of_slipped(store_path), lang)
    block = html[html.index('id="numbering-ah-tk-20242025-559"'):].split("</div>", 1)[0]
    assert lead in _text(block) and 'href="/id/publicatie/ah-tk-20242025-559"' in block
    assert [_text(n) for n in re.findall(r"<li>(.*?)</li>", block, re.S)] == FINDINGS[lang]
    # the untouched question set has no findings, so no block
    assert html.count('class="numbering-notes"') == 1
