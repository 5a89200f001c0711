"""Compares the graph's asker and addressee statements with the audit's golden file
(``tests/golden/audit/zaken-audit.csv``, written from the historical record): reads the statements of the
sampled Zaken from a store with one SPARQL query, and lists every field that differs, with the class of
open problem it belongs to. Used by ``tests/kamergraph/test_audit.py`` and ``bench/audit/report.py``."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "audit" / "zaken-audit.csv"
KNOWN = ROOT / "tests" / "golden" / "audit" / "known-mismatches.csv"
AMBIGUOUS = "ambiguous: "

QUERY = """PREFIX kg: <https://w3id.org/kamergraph/def#>
PREFIX schema: <https://schema.org/>
SELECT ?z ?role ?pos ?p ?f ?post WHERE {
  VALUES ?z { %s }
  GRAPH ?g {
    ?k kg:zaaknummer ?z .
    { ?k kg:vraagstelling ?st BIND("asker" AS ?role) } UNION { ?k kg:adressering ?st BIND("addressee" AS ?role) }
    ?st schema:position ?pos .
    OPTIONAL { ?st kg:persoon ?p }
    OPTIONAL { ?st kg:fractie ?f }
    OPTIONAL { ?st kg:post|kg:kandidaatpost ?post }
  }
}"""
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
FRACTIE_LABELS = (RDFS_LABEL, "http://www.w3.org/2004/02/skos/core#prefLabel", "https://w3id.org/kamergraph/def#afkorting")
FOAF_NAME = "http://xmlns.com/foaf/0.1/name"
POST_IN = "http://www.w3.org/ns/org#postIn"


@dataclass(frozen=True)
class Mismatch:
    """One field of one golden row that the graph states otherwise."""

    zaak: str
    role: str
    position: str
    field: str
    expected: str
    found: str
    kind: str  # the class of open problem it belongs to


def norm(text: str) -> str:
    """A name folded for comparison: no accents, parenthesised parts, hyphens or case."""
    text = unicodedata.normalize("NFKD", re.sub(r"\(.*?\)", " ", text))
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("-", " ").lower()
    return " ".join(text.split())


def read_golden(path: Path = GOLDEN) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def read_known(path: Path = KNOWN) -> dict[tuple[str, str, str], dict[str, str]]:
    """The known open mismatches: (zaak, role, position) -> {field: class}."""
    known: dict[tuple[str, str, str], dict[str, str]] = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            known.setdefault((row["zaak"], row["role"], row["position"]), {})[row["field"]] = row["class"]
    return known


def graph_statements(store, rows: list[dict]) -> dict[tuple[str, str, str], dict[str, set]]:
    """The graph's statements of the golden rows' Zaken: (zaak, role, position) -> person names, fractie
    labels, posts and their labels and ministry labels (``store``: a pyoxigraph store)."""
    zaken = " ".join(sorted({f'"{r["zaak"]}"' for r in rows}))
    days = {r["zaak"]: r["date"] for r in rows}
    found: dict[tuple[str, str, str], dict[str, set]] = {}
    for sol in store.query(QUERY % zaken):
        key = (sol["z"].value, sol["role"].value, sol["pos"].value)
        entry = found.setdefault(key, {"person": set(), "fractie": set(), "posts": {}, "ministry": set()})
        if sol["p"] is not None:
            entry["person"] |= _values(store, sol["p"], FOAF_NAME)
        if sol["f"] is not None:
            entry["fractie"] |= _values(store, sol["f"], *FRACTIE_LABELS)
        if sol["post"] is not None:
            day = days[key[0]]
            entry["posts"].setdefault(sol["post"].value, set()).update(_name_on(store, sol["post"], day))
            for ministry in _objects(store, sol["post"], POST_IN):
                entry["ministry"] |= _name_on(store, ministry, day)
    return found


SPECIALIZATION_OF = "http://www.w3.org/ns/prov#specializationOf"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
START, END = "https://schema.org/startDate", "https://schema.org/endDate"


def _name_on(store, node, day: str) -> set[str]:
    """The name of a ministry or post valid on ``day``: the skos:prefLabel of its name over time (a node
    that is a prov:specializationOf it) whose start and end (both days included, open when absent) hold
    the day; its rdfs:label when it has no names over time."""
    from pyoxigraph import NamedNode

    versions = {q.subject for q in store.quads_for_pattern(None, NamedNode(SPECIALIZATION_OF), node, None)}
    if not versions:
        return _values(store, node, RDFS_LABEL)
    names = set()
    for version in versions:
        start = min(_values(store, version, START), default="")
        end = max(_values(store, version, END), default="9999")
        if start[:10] <= day <= end[:10]:
            names |= _values(store, version, PREF_LABEL)
    return names


def _objects(store, subject, predicate: str) -> set:
    from pyoxigraph import NamedNode

    return {q.object for q in store.quads_for_pattern(subject, NamedNode(predicate), None, None)}


def _values(store, subject, *predicates: str) -> set[str]:
    """The literal values of ``subject``'s ``predicates``, in any graph."""
    return {o.value for p in predicates for o in _objects(store, subject, p)}


def expected_set(value: str) -> set[str]:
    if value.startswith(AMBIGUOUS):
        return {norm(v) for v in value[len(AMBIGUOUS):].split(" | ")}
    return {norm(value)}


def row_mismatches(row: dict, entry: dict | None) -> list[Mismatch]:
    """Every field of ``row`` the graph (``entry``, None when the statement is missing) states otherwise."""
    key = (row["zaak"], row["role"], row["position"])
    if entry is None:
        return [Mismatch(*key, "statement", "present", "missing", "missing statement")]
    out = []
    person = {norm(n) for n in entry["person"]}
    if norm(row["expected_person"]) not in person:
        kind = "display name (§3)" if person else (
            "asker in no member list (§3 inferred members)" if row["role"] == "asker" else "unresolved addressee")
        out.append(Mismatch(*key, "person", row["expected_person"], " / ".join(sorted(entry["person"])), kind))
    if row["role"] == "asker":
        labels = {norm(v) for v in entry["fractie"]}
        if norm(row["expected_fractie"]) not in labels:
            kind = ("asker in no member list (§3 inferred members)" if not entry["person"] else
                    "fractie not stated" if not labels else "wrong fractie")
            out.append(Mismatch(*key, "fractie", row["expected_fractie"], " / ".join(sorted(entry["fractie"])), kind))
        return out
    post_sets = [{norm(label) for label in labels} for labels in entry["posts"].values()]
    want = expected_set(row["expected_post"])
    got = {min(s) for s in post_sets if s}
    ok = all(any(w in s for s in post_sets) for w in want) and len(post_sets) == len(want)
    if not ok:
        kind = ("ambiguous post stated as one (§1)" if len(want) > 1 and len(post_sets) == 1 else
                "one post stated as ambiguous" if len(want) == 1 and len(post_sets) > 1 else
                "post name not the one valid on the date (§3)" if len(want) == 1 and any(
                    g in w or w in g for g in got for w in want) else "wrong post")
        out.append(Mismatch(*key, "post", row["expected_post"], " / ".join(sorted(got)), kind))
    want_m = expected_set(row["expected_ministry"])
    if {norm(m) for m in entry["ministry"]} != want_m and ok:
        out.append(Mismatch(*key, "ministry", row["expected_ministry"], " / ".join(sorted(entry["ministry"])),
                            "ministry name not the one valid on the date (§3)"))
    return out


NAME_ONLY = frozenset({"display name (§3)"})
NOT_STATED = frozenset({"fractie not stated"})


def is_wrong(mismatches: list[Mismatch]) -> bool:
    """Whether a statement is wrong: a fractie, post or ministry differs, or the person is missing (a name
    shown otherwise than the person used it, and a fractie the graph leaves unstated, are counted apart)."""
    return any(m.kind not in NAME_ONLY | NOT_STATED for m in mismatches)


def compare(store, rows: list[dict] | None = None) -> tuple[list[dict], dict[tuple, list[Mismatch]]]:
    """The golden rows and, per row key, its mismatches (empty lists for rows the graph states rightly)."""
    rows = read_golden() if rows is None else rows
    found = graph_statements(store, rows)
    return rows, {(r["zaak"], r["role"], r["position"]): row_mismatches(
        r, found.get((r["zaak"], r["role"], r["position"]))) for r in rows}
