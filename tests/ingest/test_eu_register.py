"""The EU register (data/eu/eu-acts.csv): identifiers consistent row by row, relations naming rows,
verification recorded, unverified rows and context-bound aliases kept out of the links; the name
counts that chose the rows."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest

from bench.eu.name_counts import candidates
from ingest.citations import EURegister, find_citations
from ingest.citations.register import DEFAULT_REGISTER
from ingest.errors import ParseError

ROOT = Path(__file__).resolve().parents[2]
NAME_COUNTS = ROOT / "data" / "eu" / "name-counts.csv"
FAMILY = {"reg": "R", "dir": "L", "dec": "D", "dec_framw": "F"}  # CELEX sector-3 letter per ELI type
SUFFIXES = ("EEG", "EG", "EU", "GBVB", "JBZ")


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with open(DEFAULT_REGISTER, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def register() -> EURegister:
    return EURegister.load()


def _act_number(number: str, eli_type: str) -> tuple[int, int]:
    """(year, number) of an act as the number column writes it: "428/2009" (a regulation before
    2015), "2009/147/EG", "95/46/EG", "2016/679", "2014/512/GBVB"."""
    parts = number.split("/")
    if parts[-1] in SUFFIXES:
        parts = parts[:-1]
    assert len(parts) == 2 and all(p.isdigit() for p in parts), number
    a, b = int(parts[0]), int(parts[1])
    if eli_type.startswith("reg") and b >= 1950 and not (2015 <= a <= 2099 and len(parts[0]) == 4):  # 2371/2002
        return b, a  # number/year
    year = a + 1900 if a < 100 else a
    return year, b


def _check_act(r: dict[str, str]) -> None:
    m = re.fullmatch(r"http://data\.europa\.eu/eli/([a-z_]+)/(\d{4})/(\d+)/oj", r["eli"])
    assert m, (r["key"], r["eli"])
    eli_type, year, num = m.group(1), int(m.group(2)), int(m.group(3))
    assert eli_type == r["type"], r["key"]
    c = re.fullmatch(r"3(\d{4})([RLDF])(\d{4})", r["celex"])
    assert c, (r["key"], r["celex"])
    assert (int(c.group(1)), int(c.group(3))) == (year, num), f"{r['key']}: CELEX {r['celex']} vs ELI {r['eli']}"
    assert c.group(2) == FAMILY.get(eli_type, FAMILY[eli_type.split("_")[0]]), f"{r['key']}: CELEX letter vs ELI type"
    assert _act_number(r["number"], eli_type) == (year, num), f"{r['key']}: number {r['number']} vs ELI"
    assert r["cellar"] == f"http://publications.europa.eu/resource/celex/{r['celex']}", r["key"]
    assert r["key"] == f"{eli_type.replace('_', '-')}-{year}-{num}", r["key"]


def _check_agreement(r: dict[str, str]) -> None:
    """An international agreement (CELEX sector 4, "42000A0922(02)"): its ELI is
    .../convention/{year}/{month and day of publication}/oj, its number the CELEX number."""
    c = re.fullmatch(r"4(\d{4})A(\d{4})\(\d{2}\)", r["celex"])
    assert c, (r["key"], r["celex"])
    assert r["eli"] == f"http://data.europa.eu/eli/convention/{c.group(1)}/{int(c.group(2))}/oj", r["key"]
    assert r["number"] == r["celex"] and r["cellar"] == f"http://publications.europa.eu/resource/celex/{r['celex']}"
    assert r["key"] == f"convention-{c.group(1)}-{int(c.group(2))}", r["key"]


def _check_proposal(r: dict[str, str]) -> None:
    m = re.fullmatch(r"COM\((\d{4})\) (\d+)", r["number"])
    c = re.fullmatch(r"5(\d{4})PC(\d{4})", r["celex"])
    assert m and c, (r["key"], r["number"], r["celex"])
    assert (int(c.group(1)), int(c.group(2))) == (int(m.group(1)), int(m.group(2))), f"{r['key']}: CELEX vs COM"
    assert r["cellar"] == f"http://publications.europa.eu/resource/celex/{r['celex']}", r["key"]
    assert not r["eli"], r["key"]


def _check_procedure(r: dict[str, str]) -> None:
    m = re.fullmatch(r"(\d{4})/(\d{4})\((COD|CNS|NLE|APP)\)", r["number"])
    assert m, (r["key"], r["number"])
    assert r["cellar"] == f"http://publications.europa.eu/resource/procedure/{m.group(1)}_{int(m.group(2))}", r["key"]
    assert r["type"] == m.group(3), r["key"]
    assert not r["celex"] and not r["eli"], r["key"]


def test_every_rows_identifiers_agree(rows: list[dict[str, str]]) -> None:
    """CELEX year and number = ELI year and number = the number column; CELLAR from CELEX; a
    procedure's number = its CELLAR IRI."""
    assert len(rows) >= 150
    check = {"act": _check_act, "agreement": _check_agreement, "proposal": _check_proposal,
             "procedure": _check_procedure}
    for r in rows:
        check["agreement" if r["type"] == "convention" else r["kind"]](r)
    celexes = [r["celex"] for r in rows if r["celex"]]
    assert len(celexes) == len(set(celexes)), "a CELEX number twice"
    iris = [r["eli"] or r["cellar"] for r in rows]
    assert len(iris) == len(set(iris)), "an IRI twice"


def test_relations_name_rows_of_the_right_kind(rows: list[dict[str, str]]) -> None:
    kind = {r["key"]: r["kind"] for r in rows}
    wanted = {"repeals": "act", "amends": "act", "revises": "act", "initiated_by": "proposal", "resulted_in": "act"}
    owner = {"repeals": "act", "amends": "act", "revises": "proposal",
             "initiated_by": "procedure", "resulted_in": "procedure"}
    for r in rows:
        for rel, target_kind in wanted.items():
            for k in filter(None, (x.strip() for x in r[rel].split(";"))):
                assert k in kind, f"{r['key']}: {rel} names an unknown key {k!r}"
                assert kind[k] == target_kind, f"{r['key']}: {rel} {k} is a {kind[k]}"
                assert r["kind"] == owner[rel], f"{r['key']}: a {r['kind']} with {rel}"


def test_the_first_rows_keep_their_keys_and_iris(rows: list[dict[str, str]]) -> None:
    """Other code and the golden files use the first register's keys and IRIs."""
    first = {r["key"]: r["eli"] or r["cellar"] for r in rows[:23]}
    assert first["reg-2009-428"] == "http://data.europa.eu/eli/reg/2009/428/oj"
    assert first["com-2016-616"] == "http://publications.europa.eu/resource/celex/52016PC0616"
    assert first["proc-2016-0295-cod"] == "http://publications.europa.eu/resource/procedure/2016_295"
    assert first["reg-2016-429"] == "http://data.europa.eu/eli/reg/2016/429/oj"
    assert all(r["status"] == "verified" for r in rows[:23])


def test_verification_is_recorded(rows: list[dict[str, str]], register: EURegister) -> None:
    statuses = {r["status"] for r in rows}
    assert statuses == {"verified", "unverified"}
    for r in rows:
        urls = [u for u in r["verified_by"].split(";") if u]
        if r["status"] == "verified":
            assert urls and all(u.startswith(("http://", "https://")) for u in urls), r["key"]
    verified = [r for r in rows if r["status"] == "verified"]
    assert len(register) == len(verified) and len(register.unverified) == len(rows) - len(verified)


def test_unverified_rows_are_out_of_every_lookup(register: EURegister) -> None:
    mica = next(r for r in register.unverified if r.key == "reg-2023-1114")
    assert "MiCA" in mica.aliases and mica.celex == "32023R1114"
    assert "reg-2023-1114" not in register and register.get("reg-2023-1114") is None
    assert register.by_celex("32023R1114") is None and register.by_iri(mica.iri) is None
    assert register.by_number("2023/1114") is None and register.by_act("reg", 2023, 1114) is None
    assert register.by_alias("MiCA") is None
    text = "Vragen over MiCA en Verordening (EU) 2023/1114 betreffende markten in cryptoactiva"
    cits = [c for c in find_citations(text, register=register) if c.kind.startswith("eu")]
    assert [(c.text, c.method, c.target) for c in cits] == [
        ("Verordening (EU) 2023/1114", "identificatie", "http://data.europa.eu/eli/reg/2023/1114/oj")
    ]  # the act number is read as any act number; the unverified row's alias links nothing
    assert all(r.key not in register for r in register.unverified)
    for r in register:  # verified rows may name unverified ones, but related() keeps to the verified
        for rels in register.related(r.key).values():
            assert all(x.verified for x in rels)


def test_context_bound_aliases_are_read_not_matched(register: EURegister) -> None:
    ets = register["dir-2003-87"]
    assert "emissierechten" in ets.context_words("ETS") and ets.context_words("EU-ETS") == ()
    assert register.by_alias("ETS") is ets  # a look-up by name still finds it
    text = "Het nieuws dat grote industrieën verdienen aan het ETS en aan het EU-ETS"
    found = [(text[s.start : s.end], r.key) for s, r in register.find_aliases(text)]
    assert found == [("EU-ETS", "dir-2003-87")]
    for r in register:
        for alias, words in r.context_required:
            assert alias in r.aliases and words, r.key


def test_dated_aliases_pick_the_act_in_force(register: EURegister) -> None:
    """Zaak titles with shared names: "Dublin-verordening" in 2013 is Dublin II, in 2015 Dublin III."""
    t = "Overdrachten van vreemdelingen op grond van de Dublin-verordening"  # 2013Z21157, 5 November 2013
    [(_, r13)] = register.find_aliases(t, dt.date(2013, 11, 5))
    [(_, r15)] = register.find_aliases(t, dt.date(2015, 3, 1))
    assert (r13.key, r15.key) == ("reg-2003-343", "reg-2013-604")
    assert register["reg-2013-604"].repeals == ("reg-2003-343",)
    glb = "De mogelijkheden tot vervroegde betaling GLB-inkomenssteun in 2021"  # 2021Z07160
    assert [r.key for _, r in register.find_aliases(glb, dt.date(2021, 4, 29))] == ["reg-2013-1307"]
    assert register.by_alias("GLB", dt.date(2023, 6, 1)).key == "reg-2021-2115"
    assert register.by_alias("Schengengrenscode", dt.date(2015, 1, 1)).key == "reg-2006-562"
    assert register.by_alias("Schengengrenscode", dt.date(2017, 1, 1)).key == "reg-2016-399"


def test_proposal_procedure_act_chains(register: EURegister) -> None:
    ai = register.related("reg-2024-1689")
    assert [r.number for r in ai["proposal"]] == ["COM(2021) 206"]
    assert [r.number for r in ai["procedure"]] == ["2021/0106(COD)"]
    gdpr = register.related("com-2012-11")
    assert [r.key for r in gdpr["resulted_in"]] == ["reg-2016-679"]
    assert [r.key for r in gdpr["revises"]] == ["dir-1995-46"]
    assert [r.key for r in register.related("reg-2003-343")["repealed_by"]] == ["reg-2013-604"]


def _write(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "eu-acts.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "checked"}, "status is 'checked'"),
        ({"status": ""}, "status is ''"),
        ({"verified_by": ""}, "a verified row names the page"),
        ({"verified_by": "EUR-Lex"}, "not a URL"),
        ({"context_required": "ETS"}, "is not ALIAS=word|word"),
        ({"context_required": "NOPE=emissie"}, "'NOPE', which is not an alias"),
    ],
)
def test_bad_rows_are_named(tmp_path: Path, rows: list[dict[str, str]], change: dict[str, str], message: str) -> None:
    bad = [dict(r) for r in rows[:30]]
    bad[5].update(change)
    path = _write(tmp_path, bad)
    with pytest.raises(ParseError) as exc:
        EURegister.load(path)
    assert exc.value.file == str(path) and exc.value.line == 7 and message in exc.value.problem
    assert bad[5]["key"] in exc.value.problem or "context_required" in exc.value.problem


def test_name_counts_read_real_titles() -> None:
    """The candidates the row choice was measured with, on real Zaak titles."""
    assert candidates("Overdrachten van vreemdelingen op grond van de Dublin-verordening") == {
        ("compound", "dublin-verordening"), ("topic", "dublin")}
    assert candidates("Het inwerkingtreden van de REACH Verordening (1907/2006/EG)") >= {
        ("acronym", "REACH"), ("compound", "reach verordening")}
    assert ("number", "verordening 261/2004") in candidates(
        "Het besluit om de ILT te verzoeken tot handhaving Verordening (EG) 261/2004 passagiersrechten luchtvaart. ")
    with open(NAME_COUNTS, encoding="utf-8", newline="") as fh:
        counted = {(r["pattern"], r["name"]): int(r["zaak_titles"]) for r in csv.DictReader(fh)}
    assert counted[("compound", "habitatrichtlijn")] >= 9 and counted[("acronym", "GLB")] >= 10
