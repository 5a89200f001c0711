"""Ministries and posts under the name they had on the date (issue 15 §3): the dated names read from the
bundled reference data, the one Python function and the one SPARQL pattern that give the name on a date
(they must agree), the 2008 Justitie question through the pattern, and bad rows of the post names
register refused with the file, the line and the problem."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from itertools import islice
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, Store, Variable, parse

from ingest.errors import ParseError
from ingest.government_names import POST_NAMES, read_post_names
from ingest.map import map_kamervraag
from ingest.records import ZaakRecord
from ingest.resolve import Resolver
from ingest.sources.odata import read_jsonl
from kamergraph.inputs import context_graphs, reference_data
from ontology.dated_names import NAME_ON_DATE_PATTERN
from ontology.namespaces import Iris, sparql_prefixes
from tests.support.dated_names import names_on_the_date_query

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
ODATA = DATA / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz"
IRIS = Iris("https://kamergraph.nl/")
XSD_DATE = NamedNode("http://www.w3.org/2001/XMLSchema#date")


@pytest.fixture(scope="module")
def ref():
    return reference_data(DATA)


@pytest.fixture(scope="module")
def government(ref) -> Store:
    """The government graph of the bundled reference data, as the build maps it, in a store."""
    store = Store()
    (g,) = [g for g in context_graphs(ref, IRIS) if g.iri == IRIS.reference_graph("regering")]
    store.extend(parse(g.nquads.encode(), format=RdfFormat.N_QUADS))
    return store


def sparql_name_on(store: Store, thing: str, day: dt.date) -> list[str]:
    query = sparql_prefixes() + f"SELECT ?naam ?ding ?datum WHERE {{ {NAME_ON_DATE_PATTERN} }}"
    rows = store.query(query, substitutions={Variable("ding"): NamedNode(thing), Variable("datum"): Literal(day.isoformat(), datatype=XSD_DATE)},
                       use_default_graph_as_union=True)
    return sorted(r["naam"].value for r in rows)


# The names on dates the sources settle (TOOI rwc_ministeries_compleet v6 and its decrees; the post
# names register's pages): a ministry renamed in 2010, 2013, 2018 and 2024, and posts renamed within a term.
KNOWN = [
    ("ministerie", "mnre1058", "2008-03-12", "Ministerie van Justitie"),
    ("ministerie", "mnre1058", "2014-06-01", "Ministerie van Veiligheid en Justitie"),
    ("ministerie", "mnre1058", "2019-06-01", "Ministerie van Justitie en Veiligheid"),
    ("ministerie", "mnre1045", "2011-06-01", "Ministerie van Economische Zaken, Landbouw en Innovatie"),
    ("ministerie", "mnre1045", "2015-06-01", "Ministerie van Economische Zaken"),
    ("ministerie", "mnre1045", "2019-06-01", "Ministerie van Economische Zaken en Klimaat"),
    ("ministerie", "mnre1045", "2024-09-01", "Ministerie van Economische Zaken"),
    ("ministerie", "mnre1130", "2015-06-01", "Ministerie van Infrastructuur en Milieu"),
    ("ministerie", "mnre1130", "2019-06-01", "Ministerie van Infrastructuur en Waterstaat"),
    ("ministerie", "mnre1153", "2019-06-01", "Ministerie van Landbouw, Natuur en Voedselkwaliteit"),
    ("ministerie", "mnre1153", "2024-09-01", "Ministerie van Landbouw, Visserij, Voedselzekerheid en Natuur"),
    ("ministerie", "mnre1010", "2008-03-12", "Ministerie van Algemene Zaken"),
    ("post", "minister-van-economische-zaken", "2011-06-01", "minister van Economische Zaken, Landbouw en Innovatie"),
    ("post", "minister-van-economische-zaken", "2013-06-01", "minister van Economische Zaken"),
    ("post", "staatssecretaris-van-economische-zaken", "2011-06-01",
     "staatssecretaris van Economische Zaken, Landbouw en Innovatie"),
    ("post", "minister-voor-immigratie-integratie-en-asiel", "2011-03-01", "minister voor Immigratie en Asiel"),
    ("post", "minister-voor-immigratie-integratie-en-asiel", "2012-03-01", "minister voor Immigratie, Integratie en Asiel"),
]


@pytest.mark.parametrize("kind,key,day,expected", KNOWN)
def test_name_on_the_date(ref, government: Store, kind: str, key: str, day: str, expected: str) -> None:
    names = ref.names
    got = names.ministry_on(key, day) if kind == "ministerie" else names.post_on(key, day)
    assert got == expected
    iri = IRIS.ministerie(key) if kind == "ministerie" else IRIS.post(key)
    assert sparql_name_on(government, iri, dt.date.fromisoformat(day)) == [expected]


def test_python_and_sparql_agree_everywhere(ref, government: Store) -> None:
    """Every ministry and post, on the first of every year 2007-2025 and on each day a name starts or
    ends: the pattern gives exactly the name the function gives (none outside a ministry's names)."""
    names = ref.names
    for kind, table, iri in (("ministerie", names.ministries, IRIS.ministerie), ("post", names.posts, IRIS.post)):
        for key, periods in table.items():
            days = {dt.date(y, 1, 1) for y in range(2007, 2026)}
            days |= {d for p in periods for d in (p.start, p.end) if d}
            for day in sorted(days):
                want = names.ministry_on(key, day) if kind == "ministerie" else names.post_on(key, day)
                assert sparql_name_on(government, iri(key), day) == ([want] if want else []), (kind, key, day)


def test_every_ministry_and_post_has_a_name_and_no_overlap(ref) -> None:
    names = ref.names
    assert set(names.ministries) == set(ref.ministries) and set(names.posts) == set(ref.posts)
    for periods in [*names.ministries.values(), *names.posts.values()]:
        assert periods
        for a, b in zip(periods, periods[1:]):
            assert a.end is not None and b.start is not None and a.end < b.start, periods


# Days a post's title (from the cabinet's start, by royal decree) and its ministry's formal name (TOOI,
# from the renaming decree's date) differ: the rename took effect after the new cabinet's titles.
FORMAL_NAME_LAGS = {
    ("minister-van-veiligheid-en-justitie", "Ministerie van Justitie"),
    ("staatssecretaris-van-veiligheid-en-justitie", "Ministerie van Justitie"),
    ("minister-van-economische-zaken", "Ministerie van Economische Zaken, Landbouw en Innovatie"),
    ("staatssecretaris-van-economische-zaken", "Ministerie van Economische Zaken, Landbouw en Innovatie"),
    ("minister-van-economische-zaken-en-klimaat", "Ministerie van Economische Zaken"),
    ("staatssecretaris-van-economische-zaken-en-klimaat", "Ministerie van Economische Zaken"),
    ("minister-van-infrastructuur-en-waterstaat", "Ministerie van Infrastructuur en Milieu"),
    ("staatssecretaris-van-infrastructuur-en-waterstaat", "Ministerie van Infrastructuur en Milieu"),
    ("minister-van-justitie-en-veiligheid", "Ministerie van Veiligheid en Justitie"),
    ("staatssecretaris-van-justitie-en-veiligheid", "Ministerie van Veiligheid en Justitie"),
}


def test_post_names_match_their_ministry_on_every_holding(ref) -> None:
    """How the renamed posts were found: a "minister/staatssecretaris van X" post must name its
    ministry as the ministry was named, on the first and last day of every holding. Only the known
    lags of a formal renaming behind the cabinet's titles remain (the Rutte I EL&I titles did not
    match before the post names register)."""
    names = ref.names
    found = set()
    for h in ref.holdings:
        po = ref.posts[h.post_key]
        for day in (h.start, (h.end or dt.date(2026, 2, 23)) - dt.timedelta(days=1)):
            m = re.match(r"^(?:minister|staatssecretaris) van (.*?)(?: \(.*\))?$", names.post_on(po.key, day) or "")
            if m and po.ministry_key:
                ministry = names.ministry_on(po.ministry_key, day)
                if ministry != f"Ministerie van {m.group(1)}":
                    found.add((po.key, ministry))
    assert found == FORMAL_NAME_LAGS


def test_2008_justitie_question_through_the_sparql_pattern(ref, government: Store) -> None:
    """2008Z02147 (12 March 2008, to Hirsch Ballin): its addressing's post and that post's ministry, named
    as on the question's date through the pattern: "Ministerie van Justitie", not today's name."""
    (zaak,) = [z for z in islice(read_jsonl(ODATA, "data/tk-odata/zaken-schriftelijke-vragen.jsonl.gz"), 40)
               if isinstance(z, ZaakRecord) and z.nummer == "2008Z02147"]
    mapped = map_kamervraag(Resolver(ref).resolve(zaak, set()), IRIS)
    store = Store()
    store.extend(government)
    store.extend(parse(mapped.nquads.encode(), format=RdfFormat.N_QUADS))
    query = names_on_the_date_query(IRIS.kamervraag("2008Z02147"))
    rows = [(r["postnaam"].value, r["ministerienaam"].value, r["huidig"].value)
            for r in store.query(query, use_default_graph_as_union=True)]
    assert rows == [("minister van Justitie", "Ministerie van Justitie", "Ministerie van Justitie en Veiligheid")]


# --------------------------------------------------------------------------- bad rows


def _register(tmp_path: Path, rows: list[str]) -> Path:
    target = tmp_path / POST_NAMES
    target.parent.mkdir(parents=True)
    shutil.copy(DATA / POST_NAMES, target)
    with target.open("a", encoding="utf-8") as fh:
        fh.writelines(r + "\n" for r in rows)
    return tmp_path


@pytest.mark.parametrize("row,problem", [
    ("minister-van-niets,minister van Niets,2011-01-01,2011-02-01,https://example.org/x,", "not a post"),
    ("minister-van-defensie,minister van Oorlog,2011-01-01,2011-02-01,,", "without a source"),
    ("minister-van-defensie,minister van Oorlog,2011-03-01,2011-02-01,https://example.org/x,", "before valid_from"),
    ("minister-van-defensie,minister van Oorlog,2011-13-01,2011-02-01,https://example.org/x,", "not a date"),
    ("minister-van-economische-zaken,minister van Handel,2012-01-01,2013-01-01,https://example.org/x,", "overlaps line 2"),
])
def test_bad_post_name_row_is_refused_with_its_place(ref, tmp_path: Path, row: str, problem: str) -> None:
    data = _register(tmp_path, [row])
    n_lines = len((data / POST_NAMES).read_text(encoding="utf-8").splitlines())
    with pytest.raises(ParseError) as err:
        read_post_names(data, ref.posts)
    assert err.value.file == POST_NAMES and err.value.line == n_lines and problem in err.value.problem


def test_the_government_graph_keeps_the_names_rule(government: Store) -> None:
    """kgsh:NameVersionRule (one name each, no end before the start, no two names on one day) finds
    nothing in the bundled government graph (its invalid fixture shows that it finds what it should)."""
    from shapes.fast import FastValidator

    report = FastValidator().validate_store(government)
    assert [r for r in report.results if r.source_shape.endswith("NameVersionRule")] == []
