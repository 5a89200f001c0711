"""Pages name posts and ministries as they were named on the date (issue 15 §3), on the small real store:
the Kamervraag page of a 2008 question to the minister of Justice shows the post and the ministry under
their names of that day (what the store's name pattern gives, not today's labels), in nl and en; an
ambiguous addressing (2010Z11782, a store of that one Zaak and the reference data) names every
candidate post and says the source does not say which."""

from __future__ import annotations

import html
import re
from pathlib import Path

import gzip
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ontology.namespaces import Iris
from tests.support.dated_names import names_on_the_date_query

IRIS = Iris("https://kamergraph.nl/")
ZAAK = "2008Z02147"  # 12 March 2008, to Hirsch Ballin (minister van Justitie), in the small store's slice


def addressed_section(client: TestClient, lang: str) -> str:
    r = client.get(f"/id/kamervraag/{ZAAK}?lang={lang}", headers={"accept": "text/html"})
    assert r.status_code == 200, re.sub(r"<[^>]+>", " ", r.text)[-1500:]
    section = re.search(r'<section aria-labelledby="addressed-h".*?</section>', r.text, re.S)
    assert section, "no addressed section"
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section.group(0))))
    return re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", text))


def names_on_the_date(client: TestClient) -> tuple[str, str, str]:
    """The post and ministry names of the Zaak's addressing on its date, asked of the app's own SPARQL
    endpoint with the name pattern, and the ministry's current label."""
    query = names_on_the_date_query(IRIS.kamervraag(ZAAK))
    r = client.post("/sparql", data={"query": query}, headers={"accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    rows = r.json()["results"]["bindings"]
    assert len(rows) == 1
    return rows[0]["postnaam"]["value"], rows[0]["ministerienaam"]["value"], rows[0]["huidig"]["value"]


def test_kamervraag_page_names_post_and_ministry_as_on_the_date(kg_client: TestClient) -> None:
    post, ministry, today = names_on_the_date(kg_client)
    assert ministry != today  # the ministry has been renamed since: the page must not show today's name
    for lang in ("nl", "en"):
        text = addressed_section(kg_client, lang)
        assert f"{post} — " in text and f"({ministry})" in text, text
        assert today not in text, text


def test_names_over_time_of_a_ministry_and_a_post_as_the_reference_data_has_them(kg_client: TestClient) -> None:
    """server.pages.names reads from the store exactly the names the build mapped (mnre1058: Justitie,
    Veiligheid en Justitie, Justitie en Veiligheid, with their decrees; a post with its ministry's names)."""
    import asyncio

    from kamergraph.inputs import reference_data
    from server.pages.names import names_of

    ref = reference_data(Path(__file__).resolve().parents[2] / "data")
    endpoint = kg_client.app.state.endpoint
    ministry = asyncio.run(names_of(endpoint, IRIS.ministerie("mnre1058")))
    assert [(p.name, p.start, p.end, p.abbreviation, p.source) for p in ministry.own] == [
        (p.name, p.start, p.end, p.abbreviation, p.source) for p in ref.names.ministries["mnre1058"]]
    assert [p.name for p in ministry.own] == ["Ministerie van Justitie", "Ministerie van Veiligheid en Justitie",
                                              "Ministerie van Justitie en Veiligheid"]
    post = asyncio.run(names_of(endpoint, IRIS.post("minister-van-economische-zaken")))
    assert [p.name for p in post.own] == [p.name for p in ref.names.posts["minister-van-economische-zaken"]]
    assert list(post.ministry) == [IRIS.ministerie("mnre1045")]


AMBIGUOUS = "2010Z11782"  # 20 August 2010, to Hirsch Ballin, then minister van Justitie and of BZK; no text


@pytest.fixture(scope="module")
def ambiguous_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app on a store holding the one Zaak 2010Z11782, mapped as the build maps it (without published
    texts, so its addressing stays ambiguous), and the reference graphs its page names (persons, fracties,
    government)."""
    from ingest.map import map_kamervraag
    from ingest.resolve import Resolver
    from ingest.sources.odata import read_jsonl
    from kamergraph.inputs import context_graphs, reference_data
    from server.app import create_app
    from store.embedded import EmbeddedStore
    from tests.server.conftest import settings_for

    root = Path(__file__).resolve().parents[2]
    tmp = tmp_path_factory.mktemp("ambiguous")
    with gzip.open(root / "data" / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz", "rt", encoding="utf-8") as fh:
        line = next(ln for ln in fh if f'"{AMBIGUOUS}"' in ln)
    (tmp / "slice.jsonl").write_text(line, encoding="utf-8")
    (zaak,) = list(read_jsonl(tmp / "slice.jsonl", "slice.jsonl"))
    ref = reference_data(root / "data")
    wanted = {IRIS.reference_graph(n) for n in ("personen", "fracties", "regering")}  # what the page names
    graphs = [*(g for g in context_graphs(ref, IRIS) if g.iri in wanted), map_kamervraag(Resolver(ref).resolve(zaak), IRIS)]
    store = EmbeddedStore(tmp / "store")
    store.bulk_load("".join(g.nquads for g in graphs).encode("utf-8"))
    store.close()
    app = create_app(settings_for(tmp / "store", query_row_limit=50, query_workers=1), tmp / "store")
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("lang,says", [
    ("nl", ["die op 20 augustus 2010 meerdere posten had:", "de bron zegt niet welke"]),
    ("en", ["who on 20 August 2010 held several posts:", "the source does not say which"]),
])
def test_ambiguous_addressing_names_every_post_held_and_says_the_source_does_not(
        ambiguous_client: TestClient, lang: str, says: list[str]) -> None:
    r = ambiguous_client.get(f"/id/kamervraag/{AMBIGUOUS}?lang={lang}", headers={"accept": "text/html"})
    assert r.status_code == 200
    section = re.search(r'<section aria-labelledby="addressed-h".*?</section>', r.text, re.S)
    assert section
    text = re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section.group(0))))))
    for phrase in says:
        assert phrase in text, text
    assert ("Ernst Hirsch Ballin , " + says[0]) in text or ("Ernst Hirsch Ballin, " + says[0]) in text, text
    for post, ministry in [("minister van Justitie", "Ministerie van Justitie"),
                           ("minister van Binnenlandse Zaken en Koninkrijksrelaties",
                            "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties")]:
        assert f"{post} ({ministry})" in text, text
    assert "Justitie en Veiligheid" not in text


@pytest.mark.parametrize("lang, heading", [("nl", "Namen in de tijd"), ("en", "Names over time")])
def test_ministry_page_lists_its_names_over_time(kg_client: TestClient, lang: str, heading: str) -> None:
    """The page of the ministry of Justice lists the names it had, each with its dates: Justitie, Veiligheid en
    Justitie and Justitie en Veiligheid (the TOOI renamings)."""
    r = kg_client.get(f"/id/ministerie/mnre1058?lang={lang}", headers={"accept": "text/html"})  # TOOI id of JenV
    assert r.status_code == 200, r.status_code
    section = r.text.split(heading, 1)[1].split("</section>", 1)[0]
    for name in ("Ministerie van Justitie<", "Ministerie van Veiligheid en Justitie", "Ministerie van Justitie en Veiligheid"):
        assert name in section, (name, section[:2000])
    assert "2010-12-01" in section or "1 december 2010" in section or "1 December 2010" in section, section[:2000]


def page_text(client: TestClient, path: str, lang: str = "nl") -> str:
    r = client.get(f"{path}?lang={lang}", headers={"accept": "text/html"})
    assert r.status_code == 200, re.sub(r"<[^>]+>", " ", r.text)[-1500:]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.text)))


def test_government_pages_name_posts_and_ministries_as_they_were_in_their_time(kg_client: TestClient) -> None:
    """A cabinet's terms name each post as it was named during the term (Rutte I's minister van Economische
    Zaken, Landbouw en Innovatie, a name of post/minister-van-economische-zaken from 14 October 2010 to 4
    November 2012); a cabinet's ministries and a post's ministry carry the names they had in that time
    (Balkenende IV's questions to Justitie, 2007-2010: "Ministerie van Justitie", not today's name; Rutte I
    spans the renaming to Veiligheid en Justitie of 1 December 2010: both names)."""
    rutte_i = page_text(kg_client, "/id/kabinet/rutte-i")
    assert "minister van Economische Zaken, Landbouw en Innovatie" in rutte_i
    balkenende = page_text(kg_client, "/id/kabinet/balkenende-iv")
    assert "Ministerie van Justitie " in balkenende and "Justitie en Veiligheid" not in balkenende
    post = page_text(kg_client, "/id/post/minister-van-justitie")
    subtitle = re.search(r"Post in de regering · (.*?) · ", post)
    assert subtitle and subtitle.group(1) == "Ministerie van Justitie", post[:600]
    vj = page_text(kg_client, "/id/post/minister-van-veiligheid-en-justitie", "en")
    subtitle = re.search(r"Post in government · (.*?) · ", vj)
    assert subtitle and subtitle.group(1) == "Ministerie van Justitie / Ministerie van Veiligheid en Justitie", vj[:600]
