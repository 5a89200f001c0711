"""The pages on the whole corpus (the session's full build): the overview's counts agree with SPARQL
for the largest fracties, posts and members, random Kamervragen dereference to their description,
and the biggest pages stay paged."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, RdfFormat, Store, Triple, Variable, parse

from tests.server.description_walk import description

pytestmark = pytest.mark.slow

BASE = "https://kamergraph.nl/"
KG = "https://w3id.org/kamergraph/def#"
HTML = "text/html"


@pytest.fixture(scope="module")
def full(full_build: tuple[Path, object], full_search_index) -> Iterator[tuple[TestClient, Store]]:  # noqa: ANN001
    """The app on the full build; its search index is the session's (tests/conftest.py), found current."""
    from server.app import create_app
    from tests.server.conftest import settings_for

    path, _report = full_build
    with TestClient(create_app(settings_for(path), path)) as client:
        yield client, Store.read_only(str(path))


def count(store: Store, sparql: str, x: str) -> int:
    res = store.query(f"PREFIX kg: <{KG}>\n" + sparql, substitutions={Variable("x"): NamedNode(x)},
                      use_default_graph_as_union=True)
    return int(next(iter(res))["n"].value)


def heading_count(html: str, heading: str) -> int:
    m = re.search(re.escape(heading) + r' <span class="count">\(([\d.]+)\)', html)
    assert m, heading
    return int(m.group(1).replace(".", ""))


def test_largest_lists_count_as_sparql_does_and_stay_paged(full: tuple[TestClient, Store]) -> None:
    client, store = full
    for fractie in ("sp", "pvda", "vvd"):
        iri = f"{BASE}id/fractie/{fractie}"
        r = client.get(f"/id/fractie/{fractie}", headers={"Accept": HTML})
        assert r.status_code == 200
        n = count(store, "SELECT ?x (COUNT(DISTINCT ?kv) AS ?n) WHERE { ?kv kg:vraagstelling/kg:fractie ?x } GROUP BY ?x", iri)
        assert heading_count(r.text, "Kamervragen van de fractie") == n > 1000
        assert r.text.count('class="q-date"') <= 20  # one page of questions
    post = f"{BASE}id/post/minister-van-volksgezondheid-welzijn-en-sport"
    r = client.get("/id/post/minister-van-volksgezondheid-welzijn-en-sport", headers={"Accept": HTML})
    n = count(store, "SELECT ?x (COUNT(DISTINCT ?kv) AS ?n) WHERE { ?kv kg:gerichtAan ?x } GROUP BY ?x", post)
    assert heading_count(r.text, "Ontvangen Kamervragen") == n > 5000
    # the backlinks of a post with thousands: counted, ten shown, the rest paged
    backlinks = count(store, "SELECT ?x (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s kg:gerichtAan ?x } GROUP BY ?x", post)
    assert f"({backlinks:,})".replace(",", ".") in r.text
    assert len(r.text) < 400_000


def test_random_kamervragen_dereference_to_their_description(full: tuple[TestClient, Store]) -> None:
    client, store = full
    iris = sorted(row["x"].value for row in store.query(f"SELECT ?x WHERE {{ ?x a <{KG}Kamervraag> }}",
                                                            use_default_graph_as_union=True))
    assert len(iris) > 40_000
    for iri in random.Random(7).sample(iris, 25):
        path = "/" + iri[len(BASE):]
        page = client.get(path, headers={"Accept": HTML})
        assert page.status_code == 200, path
        ttl = client.get(path + ".ttl")
        got = {Triple(q.subject, q.predicate, q.object) for q in parse(ttl.content, format=RdfFormat.TURTLE)}
        assert got == description(store, iri), path  # the documented rules, walked independently of the query


def test_home_counts_the_whole_corpus(full: tuple[TestClient, Store]) -> None:
    client, store = full
    r = client.get("/", headers={"Accept": HTML})
    n = sum(1 for _ in store.query(f"SELECT DISTINCT ?x WHERE {{ ?x a <{KG}Kamervraag> }}", use_default_graph_as_union=True))
    assert f"<dt>Kamervragen</dt><dd>{n:,}</dd>".replace(",", ".") in r.text
