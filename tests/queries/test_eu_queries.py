"""The EU named queries (dual-use, eu-act-questions) on a tiny real build: the founding case 2019Z15231
with its question text, and three Zaken whose titles name dual-use goods (2011Z09259, 2015Z24015,
2018Z19559), so that links from titles and from texts are both there. What each row says is checked
against the store itself: the words are the title's span, the coverage columns are the store's counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from queries.catalog import Catalog
from store.embedded import EmbeddedStore
from tests.support.build_cache import cached_store
from tests.support.slices import build_slice

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
ZAKEN = ("2019Z15231", "2011Z09259", "2015Z24015", "2018Z19559")
CATALOG = Catalog.load()
REG_428 = "http://data.europa.eu/eli/reg/2009/428/oj"
REG_821 = "http://data.europa.eu/eli/reg/2021/821/oj"


def build_eu_slice(path: Path) -> None:
    """A store at ``path`` from the four Zaken of the bundled OData and the founding case's text."""
    report = build_slice(path, ZAKEN, [DATA / "texts" / "seed" / "kv-tk-2019Z15231.txt"], "eu-slice.jsonl.gz")
    assert report.counts() == {"loaded": len(ZAKEN) + 1}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("eu") / "store"
    cached_store("eu-queries", build_eu_slice, path)
    s = EmbeddedStore(path)
    yield s
    s.close()


def select(store, sparql: str) -> list[list[str]]:
    prefixes = ("PREFIX kg: <https://w3id.org/kamergraph/def#> PREFIX cito: <http://purl.org/spar/cito/> "
                "PREFIX dcterms: <http://purl.org/dc/terms/> ")
    return [[t.value if t is not None else "" for t in row] for row in store.query(prefixes + sparql).rows]


def test_dual_use_finds_titles_and_texts_and_says_how(store) -> None:
    rows = CATALOG["dual-use"].run(store).values()
    title_links = select(store, """SELECT ?z ?t ?w ?b ?e ?m WHERE { ?c cito:hasCitingEntity ?kv ; kg:tekstfragment ?w ;
        kg:beginpositie ?b ; kg:eindpositie ?e ; kg:koppelmethode ?m . ?kv kg:zaaknummer ?z ; dcterms:title ?t }""")
    assert {z for z, *_ in title_links} >= set(ZAKEN[1:])  # the three titles name dual-use goods
    by_title = {r["zaak"]: r for r in rows if r["via"] == "titel"}
    assert set(by_title) == {z for z, *_ in title_links}
    for z, title, words, b, e, method in title_links:
        assert title[int(b):int(e)] == words and words in by_title[z]["words"]
        assert by_title[z]["method"] == method and 0 < float(by_title[z]["confidence"]) <= 1
        assert by_title[z]["question"] == "" and by_title[z]["title"] == title
    texts = {(r["zaak"], r["question"][:2], r["via"]) for r in rows if r["via"] != "titel"}
    assert texts == {("2019Z15231", "6.", "vraag"), ("2019Z15231", "7.", "kamerstuk"), ("2019Z15231", "8.", "vraag")}
    # the coverage columns are the store's own counts
    (n,), (m,) = select(store, "SELECT (COUNT(?k) AS ?n) WHERE { ?k a kg:Kamervraag }"), select(
        store, "SELECT (COUNT(DISTINCT ?k) AS ?n) WHERE { ?k kg:heeftVraag ?v }")
    assert {(r["titleCases"], r["textCases"]) for r in rows} == {(n[0], m[0])} and m[0] == "1"


def test_eu_act_questions_by_name_any_case_or_iri(store) -> None:
    q = CATALOG["eu-act-questions"]
    key = lambda rows: sorted((r["zaak"], r["question"], r["via"], r["cited"]) for r in rows)  # noqa: E731
    by_iri = q.run(store, {"name": REG_821}).values()
    assert by_iri and {r["act"] for r in by_iri} == {REG_821}
    for name in ("2021/821", "32021r0821"):
        got = q.run(store, {"name": name}).values()
        assert key(got) == key(by_iri) and {r["act"] for r in got} == {REG_821} and {r["name"] for r in got} == {name}
    # the whole line leads to the same questions as dual-use from 428/2009
    assert key(by_iri) == key(CATALOG["dual-use"].run(store).values())
    # a name two acts of the line share picks both, each with the same questions
    shared = q.run(store, {"name": "DUAL USE-VERORDENING"}).values()
    acts = {r["act"] for r in shared}
    assert REG_428 in acts and all(key([r for r in shared if r["act"] == a]) == key(by_iri) for a in acts)
    assert q.run(store, {"name": "no such act"}).rows == []
