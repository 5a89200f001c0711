"""Named queries over HTTP: the list, a run with bound parameters as CSV and JSON, bad input."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient


def test_list_names_every_query_with_typed_parameters(kg_client: TestClient) -> None:
    r = kg_client.get("/queries")
    assert r.status_code == 200
    queries = {q["name"]: q for q in r.json()["queries"]}
    assert {"dual-use", "member-questions", "questions-per-fractie-per-year"} <= set(queries)
    assert queries["member-questions"]["parameters"][0]["type"] == "iri(persoon)"
    assert queries["dual-use"]["title"]["nl"] and queries["dual-use"]["title"]["en"]


def test_dual_use_as_csv(kg_client: TestClient) -> None:
    r = kg_client.get("/queries/dual-use", headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {(row["zaak"], row["question"].split(".")[0]) for row in rows} == {
        ("2019Z15231", "6"), ("2019Z15231", "7"), ("2019Z15231", "8")}


def test_member_questions_bound_parameter(kg_client: TestClient) -> None:
    r = kg_client.get("/queries/member-questions", params={"person": "cefbf19c-653b-4af7-84a6-e17fba0e4a70",
                                                           "format": "json"})
    assert r.status_code == 200
    zaken = {b["zaak"]["value"] for b in r.json()["results"]["bindings"]}
    assert "2019Z15231" in zaken
    # a hostile value is a value, never query text
    r = kg_client.get("/queries/member-questions", params={"person": '> } ; DROP ALL ; SELECT * { <'})
    assert r.status_code == 400 and "person" in r.json()["error"]["detail"]


def test_unknown_query_and_parameter(kg_client: TestClient) -> None:
    r = kg_client.get("/queries/no-such-query")
    assert r.status_code == 404 and r.json()["error"]["status"] == 404
    r = kg_client.get("/queries/dual-use", params={"wet": "x"})
    assert r.status_code == 400 and "unknown parameter 'wet'" in r.json()["error"]["detail"]
