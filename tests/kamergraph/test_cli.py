"""The command line on the full bundled store: query formats, the README's example queries
(against golden outputs), stats, validate and export."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest

from kamergraph.cli import main
from tests.server.conftest import kg_store  # noqa: F401 - a fixture
from tests.support.golden import comparable, concat_columns

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "queries" / "examples"
GOLDEN = ROOT / "tests" / "golden" / "queries"

pytestmark = pytest.mark.slow


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.rq")))
def test_readme_example_queries_match_golden_output(full_build, capsys, name: str) -> None:
    path, _ = full_build
    code, out, err = run(capsys, "query", "--store", str(path), "--file", str(EXAMPLES / f"{name}.rq"), "--format", "csv")
    assert code == 0, err
    got = list(csv.reader(io.StringIO(out)))
    golden = list(csv.reader(io.StringIO((GOLDEN / f"{name}.csv").read_text(encoding="utf-8"))))
    assert got[0] == golden[0]
    assert len(got) > 1, "an example query that returns nothing shows nothing"
    concats = concat_columns((EXAMPLES / f"{name}.rq").read_text(encoding="utf-8"))  # compared as sets of parts
    assert comparable(got[1:], got[0], concats) == comparable(golden[1:], golden[0], concats)


def test_query_formats_agree(full_build, capsys) -> None:
    path, _ = full_build
    q = (
        "PREFIX kg: <https://w3id.org/kamergraph/def#> SELECT ?n ?t WHERE { ?k kg:zaaknummer ?n ; "
        "<http://purl.org/dc/terms/title> ?t } ORDER BY ?n LIMIT 5"
    )
    _, out_json, _ = run(capsys, "query", "--store", str(path), q, "--format", "json")
    _, out_csv, _ = run(capsys, "query", "--store", str(path), q, "--format", "csv")
    _, out_tsv, _ = run(capsys, "query", "--store", str(path), q, "--format", "tsv")
    _, out_table, _ = run(capsys, "query", "--store", str(path), q)
    data = json.loads(out_json)
    assert data["head"]["vars"] == ["n", "t"]
    rows = [(b["n"]["value"], b["t"]["value"]) for b in data["results"]["bindings"]]
    assert len(rows) == 5 and data["results"]["bindings"][0]["t"]["xml:lang"] == "nl"
    assert [tuple(r) for r in csv.reader(io.StringIO(out_csv))][1:] == rows
    assert out_tsv.splitlines()[0] == "?n\t?t" and len(out_tsv.splitlines()) == 6
    assert all(n in out_table for n, _ in rows) and "(5 rows)" in out_table


def test_query_errors_and_limits(full_build, capsys) -> None:
    path, _ = full_build
    code, _, err = run(capsys, "query", "--store", str(path), "SELECT WHERE {")
    assert code == 1 and "kamergraph query:" in err and "Traceback" not in err
    code, out, err = run(capsys, "query", "--store", str(path), "SELECT ?s WHERE { ?s ?p ?o }", "--limit", "3",
                         "--format", "csv")
    assert code == 0 and len(out.strip().splitlines()) == 4 and "truncated at 3 rows" in err
    code, _, err = run(capsys, "query", "--store", str(path), "--timeout", "0.5",
                       "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    assert code == 1 and "time limit" in err


def test_stats(full_build, capsys) -> None:
    """`kamergraph stats --format json` on the full store, and its text rendered from that one count (the
    full store is counted once; the command's text output is `test_stats_text_renders_the_count`)."""
    from kamergraph.stats import render

    path, _ = full_build
    code, out, _ = run(capsys, "stats", "--store", str(path), "--format", "json")
    assert code == 0
    stats = json.loads(out)
    classes = dict((c, n) for c, n in stats["classes"])
    # every OData case, and the cases known so far only from a bundled published text
    assert 42_994 < classes["https://w3id.org/kamergraph/def#Kamervraag"] < 42_994 + 67
    graphs = {k: (g, q) for k, g, q in stats["graphs"]}
    assert graphs["kamervraag"][0] == 42_994
    assert {"referentie/personen", "referentie/lidmaatschappen", "referentie/fracties", "referentie/regering",
            "ontologie/kamergraph"} <= set(graphs)
    r = stats["resolution"]
    assert r["askersResolved"] / r["askers"] >= 0.995 and r["addresseesResolved"] / r["addressees"] >= 0.975
    # the ambiguous addressings (several posts on the date) are counted apart, per year, not as unresolved
    ambiguous = sum(n for kind, _, n in stats["ambiguous"] if kind == "geadresseerde")
    assert 0 < ambiguous < 0.025 * r["addressees"]
    assert {y for kind, y, _ in stats["ambiguous"] if kind == "geadresseerde"} >= {2010, 2021}  # Hirsch Ballin; acting posts
    assert sum(n for *_, n in stats["unresolved"]) + ambiguous == (r["askers"] - r["askersResolved"]) + (
        r["addressees"] - r["addresseesResolved"])
    text = render(stats)
    assert "askers resolved to person and fractie" in text and "unresolved names" in text
    assert "ambiguous addressings" in text
    # EU links per method, from the titles of all Kamervragen and from the texts
    eu = stats["eu"]
    assert {m for where, m, _ in eu["per_method"] if where == "titel"} >= {"naam", "nummer", "onderwerp"}
    assert eu["linked"]["titel"]["kamervragen"] > 100 and eu["linked"]["tekst"]["kamervragen"] > 5
    assert eu["linked"]["alle"]["kamervragen"] > eu["linked"]["titel"]["kamervragen"]
    assert "EU links per method" in text and "Kamervragen linked by either" in text


def test_stats_text_renders_the_count(kg_store: Path, capsys) -> None:  # noqa: F811
    """`kamergraph stats` (text) prints what `--format json` counts, rendered (on the server tests' small store)."""
    from kamergraph.stats import render

    code, out, _ = run(capsys, "stats", "--store", str(kg_store), "--format", "json")
    assert code == 0
    code, text, _ = run(capsys, "stats", "--store", str(kg_store), "--top", "3")
    assert code == 0 and "askers resolved to person and fractie" in text
    assert text.rstrip("\n") == render(json.loads(out), top=3)


def test_validate_and_export(kg_store: Path, capsys, tmp_path: Path) -> None:  # noqa: F811
    """`validate` and `export` (gzipped N-Quads: a line per quad) on the server tests' small store (the full
    store is validated once, by its build: test_build's test_full_bundled_build checks that report; the
    export at full size and larger is `bench/export_benchmark.py`)."""
    from pyoxigraph import Store

    code, out, _ = run(capsys, "validate", "--store", str(kg_store), "--format", "json")
    assert code == 0  # warnings only
    report = json.loads(out)
    assert report["conforms"] is True
    out_file = tmp_path / "kg.nq.gz"
    code, out, _ = run(capsys, "export", "--store", str(kg_store), "-o", str(out_file))
    assert code == 0 and "wrote" in out
    with gzip.open(out_file, "rt", encoding="utf-8") as fh:
        n = sum(1 for _ in fh)
    assert n == len(Store.read_only(str(kg_store))) > 100_000


def test_named_query_with_bound_parameters(full_build, capsys) -> None:
    path, _ = full_build
    code, out, err = run(capsys, "query", "--store", str(path), "--name", "dual-use", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {(r["zaak"], r["question"].split(".")[0], r["via"]) for r in rows} == {
        ("2019Z15231", "6", "vraag"), ("2019Z15231", "7", "kamerstuk"), ("2019Z15231", "8", "vraag"),
        # the titles that name dual-use goods (title links: no question number)
        ("2011Z09259", "", "titel"), ("2015Z24015", "", "titel"), ("2018Z19559", "", "titel")}
    # the same questions whichever member of the dual-use family is asked for
    code, out2, _ = run(capsys, "query", "--store", str(path), "--name", "dual-use", "--format", "csv",
                        "--param", "act=http://publications.europa.eu/resource/celex/52016PC0616")
    assert code == 0, _
    assert {r["question"] for r in csv.DictReader(io.StringIO(out2))} == {r["question"] for r in rows}
    code, _, err = run(capsys, "query", "--store", str(path), "--name", "member-questions", "--param", "persoon=x")
    assert code == 1 and "unknown parameter 'persoon'" in err
    code, out, _ = run(capsys, "query", "--list")
    assert code == 0 and "dual-use" in out and "co" in out


def test_the_build_summary_counts_the_corrections_and_the_reference_checks(capsys) -> None:
    """The build's summary names what the corrections register and the consistency rules of the reference
    data did (their lines from the bundled data's reference report); the findings are in the report file."""
    from kamergraph.build import BuildReport
    from kamergraph.cli import _print_build_summary
    from kamergraph.inputs import reference_data

    ref = reference_data(ROOT / "data")
    counts = [ln for ln in ref.report if ln.startswith(("corrections: ", "check "))]
    assert any(ln.startswith("corrections: ") for ln in counts) and sum(ln.startswith("check ") for ln in counts) >= 7
    report = BuildReport(started="2026-01-01T00:00:00+00:00", reference_notes=list(ref.report))
    _print_build_summary(report, 1.0)
    [line] = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("  reference data: ")]
    assert line == "  reference data: " + "; ".join(counts)
