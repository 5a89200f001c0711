"""The command line with `--store http://…`: query, export, stats, validate and build work on a
remote store as on the embedded one."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, parse

from kamergraph import cli
from kamergraph.settings import get_settings

VIRTUOSO_USER = VIRTUOSO_PASSWORD = "dba"  # a fresh Virtuoso database's administrator


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch):
    """The environment of a user of Virtuoso's …-auth endpoints (Oxigraph ignores credentials)."""
    monkeypatch.setenv("KAMERGRAPH_STORE_USER", VIRTUOSO_USER)
    monkeypatch.setenv("KAMERGRAPH_STORE_PASSWORD", VIRTUOSO_PASSWORD)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


EMBEDDED: dict[tuple[str, ...], tuple[int, str]] = {}


def on_embedded(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """The exit code and output of ``kamergraph ARGV`` on the embedded store: run once per argv and kept, since
    both servers' tests compare with it and nothing writes the embedded store."""
    if argv not in EMBEDDED:
        code, out, _err = run(capsys, *argv)
        EMBEDDED[argv] = (code, out)
    return EMBEDDED[argv]


EXPORTED: dict[str, set] = {}  # the embedded store's export of test_export's selection, as a set


def table(text: str) -> Counter:
    rows = list(csv.reader(io.StringIO(text)))
    return Counter(tuple(", ".join(sorted(c.split(", "))) for c in r) for r in rows[1:])


@pytest.mark.parametrize("query", [
    ["--file", "queries/examples/founding-case.rq"],
    ["--file", "queries/examples/dual-use.rq"],
    ["--name", "member-questions"],
    ["--name", "questions-per-fractie-per-year", "--param", "from=2019", "--param", "to=2019"],
])
def test_query(capsys, embedded_path: Path, remote, query: list[str]) -> None:
    name, store = remote
    root = Path(__file__).resolve().parents[2]
    argv = [a if not a.startswith("queries/") else str(root / a) for a in query]
    code, expected = on_embedded(capsys, "query", "--store", str(embedded_path), "--format", "csv", *argv)
    assert code == 0
    code, got, err = run(capsys, "query", "--store", store.endpoint, "--format", "csv", *argv)
    assert code == 0, err
    assert got.splitlines()[0] == expected.splitlines()[0]
    assert table(got) == table(expected), name
    assert len(table(got)) > 0


def test_query_over_the_union_of_all_graphs(capsys, embedded_path: Path, remote) -> None:
    """The default graph is the union of the graphs. On Virtuoso that union also holds its own
    system graphs (virtrdf#, owl#, …; README "Remote stores"), so there every count is the
    embedded store's plus exactly what those graphs hold."""
    name, store = remote
    q = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"
    _, out = on_embedded(capsys, "query", "--store", str(embedded_path), "--format", "csv", q)
    expected = Counter({r[0]: int(r[1]) for r in list(csv.reader(io.StringIO(out)))[1:]})
    code, out, err = run(capsys, "query", "--store", store.endpoint, "--format", "csv", q)
    assert code == 0, err
    got = Counter({r[0]: int(r[1]) for r in list(csv.reader(io.StringIO(out)))[1:]})
    if name == "virtuoso":
        other = store.query("SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                            f"FILTER(!STRSTARTS(STR(?g), \"{store.graph_prefix}\")) }} GROUP BY ?p")
        system = Counter({r[0].value: int(r[1].value) for r in other.rows})
        assert system, "a Virtuoso always has its own graphs"
        expected += system
    assert got == expected


def test_query_errors_name_the_server(capsys, remote) -> None:
    name, store = remote
    code, _, err = run(capsys, "query", "--store", store.endpoint, "SELECT * WHERE { ?s ?p ")
    assert code == 1
    assert store.endpoint in err and "refused the query" in err


def test_construct_as_turtle(capsys, embedded_path: Path, remote) -> None:
    name, store = remote
    q = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://kamergraph.nl/graph/kamervraag/2019Z15231> { ?s ?p ?o } }"
    _, expected = on_embedded(capsys, "query", "--store", str(embedded_path), "--format", "turtle", q)
    code, got, err = run(capsys, "query", "--store", store.endpoint, "--format", "turtle", q)
    assert code == 0, err
    assert set(parse(got.encode(), format=RdfFormat.TURTLE)) == set(parse(expected.encode(), format=RdfFormat.TURTLE))


def test_export(capsys, tmp_path: Path, embedded_path: Path, remote) -> None:
    """`kamergraph export --store URL` with a selection (the whole store's export from a remote store is
    test_remote_export's, and the release's)."""
    name, store = remote
    select = ["--class", "kg:Kamervraag", "--graph", "https://kamergraph.nl/graph/referentie/fracties"]
    code, out, err = run(capsys, "export", "--store", store.endpoint, *select, "-o", str(tmp_path / f"{name}.nq.gz"))
    assert code == 0, err
    assert out.startswith("wrote ")
    got = set(parse(gzip.decompress((tmp_path / f"{name}.nq.gz").read_bytes()), format=RdfFormat.N_QUADS))
    if "export" not in EXPORTED:  # once per session, as on_embedded
        run(capsys, "export", "--store", str(embedded_path), *select, "-o", str(tmp_path / "embedded.nq"))
        EXPORTED["export"] = set(parse((tmp_path / "embedded.nq").read_bytes(), format=RdfFormat.N_QUADS))
    expected = EXPORTED["export"]
    assert got == expected
    graphs = {q.graph_name.value for q in got}
    assert "https://kamergraph.nl/graph/referentie/fracties" in graphs
    assert sum(g.startswith("https://kamergraph.nl/graph/kamervraag/") for g in graphs) == 64, sorted(graphs)[:5]


def test_stats(capsys, embedded_path: Path, remote) -> None:
    name, store = remote
    _, out = on_embedded(capsys, "stats", "--store", str(embedded_path), "--format", "json")
    expected = json.loads(out)
    code, out, err = run(capsys, "stats", "--store", store.endpoint, "--format", "json")
    assert code == 0, err
    got = json.loads(out)
    assert got["quads"] == expected["quads"]
    assert got["resolution"] == expected["resolution"]
    assert sorted(map(tuple, got["unresolved"])) == sorted(map(tuple, expected["unresolved"]))
    kg = "https://w3id.org/kamergraph/def#"
    if name == "virtuoso":
        # Virtuoso's default graph is the union of all its graphs, its own system graphs too
        # (README, "Remote stores"): their classes and graphs are counted beside kamergraph's
        extra_graphs = {k for k, *_ in got["graphs"]} - {k for k, *_ in expected["graphs"]}
        assert extra_graphs and not any(k.startswith(("kamervraag", "referentie", "ontologie", "publicatie"))
                                        for k in extra_graphs)
        got["classes"] = [c for c in got["classes"] if c[0].startswith(kg)]
        expected["classes"] = [c for c in expected["classes"] if c[0].startswith(kg)]
        got["graphs"] = [g for g in got["graphs"] if g[0] not in extra_graphs]
    assert sorted(map(tuple, got["classes"])) == sorted(map(tuple, expected["classes"]))
    assert sorted(map(tuple, got["graphs"])) == sorted(map(tuple, expected["graphs"]))


def test_validate(capsys, embedded_path: Path, remote) -> None:
    name, store = remote
    _, expected = on_embedded(capsys, "validate", "--store", str(embedded_path), "--format", "json")
    code, got, err = run(capsys, "validate", "--store", store.endpoint, "--format", "json")
    assert code == 0, err  # the slice conforms (warnings only)
    got, expected = json.loads(got), json.loads(expected)
    for report in (got, expected):
        report["results"] = sorted(json.dumps(r, sort_keys=True) for r in report["results"])
    assert got == expected
    assert got["results"], "the slice has warnings to compare"


def test_build_into_a_second_dataset_leaves_the_first_alone(capsys, tmp_path: Path, slice_odata: Path,
                                                            monkeypatch, virtuoso_kg) -> None:
    """`kamergraph build --store URL` with another base writes only graphs under that base: the
    store's dataset (and every other graph on the server) is left as it was. On Virtuoso, whose union
    of graphs also holds its own system graphs; that a store's writes stay under its prefix on each
    server is test_remote_writes' (a rebuild next to graphs of another prefix)."""
    from store.remote import RemoteStore

    store = virtuoso_kg
    before = (store.named_graphs(), len(store))
    monkeypatch.setenv("KAMERGRAPH_BASE", "https://second.example/")
    get_settings.cache_clear()
    second = RemoteStore.from_settings(store.endpoint, get_settings())
    try:
        code, out, err = run(capsys, "build", "--store", store.endpoint, "--odata", str(slice_odata), "--limit", "3",
                             "--quiet", "--report", str(tmp_path / "report.json"))
        assert code == 0, err
        graphs = second.named_graphs()
        assert graphs and all(g.startswith("https://second.example/graph/") for g in graphs)
        assert f"quads in the store: {len(second):,}" in out
        assert (store.named_graphs(), len(store)) == before
    finally:
        for g in second.named_graphs():
            second.remove_graph(g)
        left = second.named_graphs()
        second.close()
    assert left == []
    assert (store.named_graphs(), len(store)) == before


def test_unreachable_store(capsys) -> None:
    code, _, err = run(capsys, "query", "--store", "http://127.0.0.1:9/sparql", "ASK {}")
    assert code == 1
    assert "http://127.0.0.1:9/sparql" in err and "cannot reach" in err
