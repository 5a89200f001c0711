"""Pages name posts and ministries as they were named on the date (issue 15 §3), on the small real store:
the Kamervraag page of a 2008 question to the minister of Justice shows the post and the ministry under
their names of that day (what the store's name pattern gives, not today's labels), in nl and en."""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, Store, Variable

from ontology.dated_names import NAME_ON_DATE_PATTERN
from ontology.namespaces import Iris, sparql_prefixes

IRIS = Iris("https://kamergraph.nl/")
ZAAK = "2008Z02147"  # 12 March 2008, to Hirsch Ballin (minister van Justitie), in the small store's slice


def addressed_section(client: TestClient, lang: str) -> str:
    r = client.get(f"/id/kamervraag/{ZAAK}?lang={lang}", headers={"accept": "text/html"})
    assert r.status_code == 200, re.sub(r"<[^>]+>", " ", r.text)[-1500:]
    section = re.search(r'<section aria-labelledby="addressed-h".*?</section>', r.text, re.S)
    assert section, "no addressed section"
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section.group(0))))
    return re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", text))


def names_on_the_date(store_path: Path) -> tuple[str, str, str]:
    store = Store.read_only(str(store_path))
    pattern_post = NAME_ON_DATE_PATTERN.replace("?naam", "?postnaam").replace("?ding", "?post")
    pattern_ministry = NAME_ON_DATE_PATTERN.replace("?naam", "?ministerienaam").replace("?ding", "?ministerie")
    query = sparql_prefixes() + f"""
    SELECT ?kv ?postnaam ?ministerienaam ?huidig WHERE {{
      ?kv kg:adressering/kg:post ?post ; dcterms:dateSubmitted ?d .
      BIND (xsd:date(?d) AS ?datum)
      ?post org:postIn ?ministerie . ?ministerie rdfs:label ?huidig .
      {pattern_post}
      {pattern_ministry}
    }}"""
    rows = list(store.query(query, substitutions={Variable("kv"): NamedNode(IRIS.kamervraag(ZAAK))},
                            use_default_graph_as_union=True))
    assert len(rows) == 1
    return rows[0]["postnaam"].value, rows[0]["ministerienaam"].value, rows[0]["huidig"].value


def test_kamervraag_page_names_post_and_ministry_as_on_the_date(kg_client: TestClient, kg_store: Path) -> None:
    post, ministry, today = names_on_the_date(kg_store)
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
