"""`kamergraph sync` of the member records (Persoon, Fractie, FractieZetel, FractieZetelPersoon) and of a
ZaakActor change on the OData path, against recorded upstream answers built from the real data (no network).

The member case: the data folder as it was before Joost Sneller (a real member, TK GUID da9f33b0-…, in the
OpenKamer persons and with two real periods in the member list) came: his rows and his OpenKamer person
left out. The base store is a build of that folder with real Zaken he asked. The feed brings him as the
API gives him (a Persoon, his two FractieZetelPersoon periods with the seat and D66 expanded), closes
Aukje de Vries's open VVD period (a FractieZetelPersoon with its FractieZetel and Fractie as records of
their own) and has one period on an unknown seat. The store after the sync is compared with a build of
the full data folder from the same Zaken: his person (less what only the bundled lists know), his
memberships, and every Zaak graph must be the same.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import httpx
import pytest

from kamergraph.build import build
from kamergraph.sync import SyncOptions, odata_zaken_url, sync
from ontology.namespaces import Iris, T
from store.embedded import EmbeddedStore
from tests.kamergraph.sync_helpers import (
    Replay,
    built_store,
    bundled_lines,
    data_without_member,
    fractie_record,
    member_rows,
    new_uuid,
    odata_pages,
    persoon_record,
    store_quads,
    to_odata,
    write_jsonl,
    zetel_record,
    zetelpersoon_record,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
IRIS = Iris("https://kamergraph.nl/")
PROVENANCE = (T.bronbestand, T.bronregel, "http://rdfs.org/ns/void#distinctObjects")
SINCE = "2024-10-01T00:00:00+00:00"
KG = "https://w3id.org/kamergraph/def#"

SNELLER = "da9f33b0-80ca-49eb-a1ec-def3b46538d9"  # Joost Sneller, D66
SNELLER_LID = 201703082
DE_VRIES = "b8d002bc-ea6c-4f57-b36e-38415b205e09"  # Aukje de Vries, VVD, open period since 2023-12-06
DE_VRIES_LID = 201211007
CLOSED_ON = "2024-07-01T00:00:00+02:00"

D66, VVD = new_uuid("fractie", "D66"), new_uuid("fractie", "VVD")
ZETEL_D66, ZETEL_VVD = new_uuid("zetel", "D66", "1"), new_uuid("zetel", "VVD", "1")
UNKNOWN_ZETEL = new_uuid("zetel", "nowhere")
# a dossier the bundled texts cite (Kamerstuk 22 112), as the API gives it
DOSSIER = {"Id": new_uuid("kamerstukdossier", "22112"), "Titel": "Nieuwe Commissievoorstellen en Initiatieven van de "
           "Lidstaten van de Europese Unie", "Citeertitel": None, "Alias": None, "Nummer": 22112, "Toevoeging": None,
           "HoogsteVolgnummer": 4000, "Afgesloten": False, "Kamer": "Tweede Kamer",
           "GewijzigdOp": "2024-10-02T10:00:00+02:00", "ApiGewijzigdOp": "2024-10-02T10:00:00+02:00",
           "Verwijderd": False}


def options(**kw) -> SyncOptions:
    o = SyncOptions(page_size=100, backoff=0.5, min_interval=0.0, fetch_texts=False, write_batch=100)
    for k, v in kw.items():
        setattr(o, k, v)
    return o


def _asks(line, surname: str) -> bool:
    return any(surname in n for f in ("Indiener", "Medeindiener") for n in (line.get(f) or []))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sync-ref")
    lines = bundled_lines(DATA)
    # real Zaken Sneller asked, in both of his periods; none of Aukje de Vries's (her period is closed below)
    his = [x for x in lines if _asks(x, "Sneller") and not _asks(x, "Vries") and x["GestartOp"] >= "2022-01-01"]
    base = his[-50:] + [x for x in lines[:40] if not _asks(x, "Vries")]
    assert sum(1 for x in base if x["GestartOp"] >= "2023-12-06") >= 10 and sum(
        1 for x in base if "2017-10-31" <= x["GestartOp"] < "2023-12-06" and _asks(x, "Sneller")) >= 10
    base_file = write_jsonl(tmp / "base.jsonl", base)
    before = data_without_member(DATA, tmp / "data-before", SNELLER_LID, SNELLER)
    base_store = tmp / "base-store"
    built_store("sync-ref-before", before, base_file, base_store, IRIS.base)
    full = tmp / "full-build"
    built_store("sync-ref-full", DATA, base_file, full, IRIS.base)
    return {"tmp": tmp, "base": base, "base_file": base_file, "before": before, "base_store": base_store,
            "full": full}


def fresh(world, name: str) -> Path:
    dest = world["tmp"] / name
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(world["base_store"], dest)
    return dest


def run(world, path: Path, data_dir: Path, transport, opts: SyncOptions, **kw):
    store = EmbeddedStore(path)
    try:
        with httpx.Client(transport=transport) as client:
            return sync(store, data_dir, IRIS, client, state_path=Path(str(path) + ".sync.json"), options=opts,
                        base_file=world["base_file"], sleep=lambda _s: None, since=kw.pop("since", SINCE), **kw)
    finally:
        store.close()


def member_feed(opts: SyncOptions) -> tuple[dict[str, bytes], dict[str, object]]:
    """The recorded pages of the member entities, and the records by role."""
    w1, w2 = "2024-10-02T10:00:00+02:00", "2024-10-03T10:00:00+02:00"
    rows = member_rows(DATA, SNELLER_LID)
    assert len(rows) == 2 and {r["Fractie"] for r in rows} == {"D66"}
    persoon = persoon_record(DATA, SNELLER, w1, Voornamen=rows[0]["Voornamen"])
    d66 = fractie_record(D66, "Democraten 66", "D66", w1)
    zetel = {**zetel_record(ZETEL_D66, D66, w1), "Fractie": d66}
    # his periods come with the seat and its fractie expanded (they have not changed themselves)
    periods = [{**zetelpersoon_record(r, ZETEL_D66, SNELLER, w2), "FractieZetel": zetel} for r in rows]
    [open_row] = [r for r in member_rows(DATA, DE_VRIES_LID) if r["Eindjaar"] == ""]
    closing = zetelpersoon_record(open_row, ZETEL_VVD, DE_VRIES, w2, TotEnMet=CLOSED_ON)
    bad = zetelpersoon_record(rows[1], UNKNOWN_ZETEL, SNELLER, w2)
    bad["Id"] = new_uuid("fractiezetelpersoon", "on an unknown seat")
    pages: dict[str, bytes] = {}
    pages.update(odata_pages(opts, "Persoon", SINCE, [persoon], 100))
    pages.update(odata_pages(opts, "Fractie", SINCE, [fractie_record(VVD, "Volkspartij voor Vrijheid en Democratie",
                                                                     "VVD", w1)], 100))
    pages.update(odata_pages(opts, "FractieZetel", SINCE, [zetel_record(ZETEL_VVD, VVD, w1)], 100))
    pages.update(odata_pages(opts, "FractieZetelPersoon", SINCE, [*periods, bad, closing], 100))
    pages.update(odata_pages(opts, "Kamerstukdossier", SINCE, [DOSSIER], 100))
    return pages, {"periods": periods, "closing": closing, "bad": bad, "persoon": persoon}


def rows_of(path: Path, query: str) -> set[tuple[str, ...]]:
    store = EmbeddedStore(path)
    try:
        return {tuple(str(v) for v in sol) for sol in store.ox.query(query)}
    finally:
        store.close()


def person_triples(path: Path, guid: str) -> set[tuple[str, ...]]:
    return rows_of(path, f"SELECT ?p ?o WHERE {{ GRAPH <{IRIS.reference_graph('personen')}> "
                         f"{{ <{IRIS.persoon(guid)}> ?p ?o }} }}")


def membership_triples(path: Path, guid: str) -> set[tuple[str, ...]]:
    return rows_of(path, f"SELECT ?m ?p ?o WHERE {{ GRAPH <{IRIS.reference_graph('lidmaatschappen')}> "
                         f"{{ ?m <{T.member}> <{IRIS.persoon(guid)}> ; ?p ?o }} }}")


def graph_quads(path: Path, prefix: str) -> set:
    return store_quads(path, PROVENANCE, prefix)


# --------------------------------------------------------------------------- members


def test_new_member_closed_period_and_bad_record(world):
    opts = options()
    pages, rec = member_feed(opts)
    path = fresh(world, "members")
    assert person_triples(path, SNELLER) == set() and membership_triples(path, SNELLER) == set()
    zaken_before = graph_quads(path, IRIS.base + "graph/kamervraag/")
    dossier = IRIS.dossier("22112")
    title_q = f"SELECT ?t WHERE {{ GRAPH ?g {{ <{dossier}> <{T.title}> ?t }} }}"
    assert rows_of(path, f"SELECT ?g WHERE {{ GRAPH ?g {{ <{dossier}> a <{T.Kamerstukdossier}> }} }}")  # cited
    assert rows_of(path, title_q) == set()
    report = run(world, path, world["before"], Replay(pages, opts), opts)
    assert report.errors == []

    # the new member: his person as the build makes it of the bundled lists, less what only they know
    only_bundled = {T.ledenlijst_id, T.parlement_com_id, T.same_as}
    want = {(p, o) for p, o in person_triples(world["full"], SNELLER) if p.strip("<>") not in only_bundled}
    got = person_triples(path, SNELLER)
    assert got == want, (got ^ want)
    assert {p.strip("<>") for p, _o in want} >= {T.name, T.family_name, T.given_name, T.voornamen, T.voorletters,
                                                  T.birth_date, T.tk_persoon_id}
    # his fractie and Kamer memberships: the same resources with the same statements as the build's
    got_m, want_m = membership_triples(path, SNELLER), membership_triples(world["full"], SNELLER)
    assert got_m == want_m, (sorted(got_m - want_m)[:5], sorted(want_m - got_m)[:5])
    assert len({m for m, _p, _o in got_m}) == 3  # two D66 periods, one Kamer membership
    # the Zaken he asked now name him, his Kamer membership and his fractie period: as in the build
    zaken_after = graph_quads(path, IRIS.base + "graph/kamervraag/")
    zaken_full = graph_quads(world["full"], IRIS.base + "graph/kamervraag/")
    assert zaken_after != zaken_before
    assert zaken_after == zaken_full, (sorted(map(str, zaken_after - zaken_full))[:3],
                                       sorted(map(str, zaken_full - zaken_after))[:3])

    # the open period upstream closed: one period, now with its end, and the Kamer membership ends too
    fm = IRIS.fractielidmaatschap(f"{DE_VRIES}-20231206-vvd")
    km = IRIS.kamerlidmaatschap(f"{DE_VRIES}-tk-20231206")
    ends = rows_of(path, f"SELECT ?s ?e WHERE {{ VALUES ?s {{ <{fm}> <{km}> }} GRAPH ?g {{ ?s <{T.end_date}> ?e }} }}")
    assert ends == {(f"<{fm}>", '"2024-07-01"^^<http://www.w3.org/2001/XMLSchema#date>'),
                    (f"<{km}>", '"2024-07-01"^^<http://www.w3.org/2001/XMLSchema#date>')}
    assert rows_of(world["full"], f"SELECT ?e WHERE {{ GRAPH ?g {{ <{fm}> <{T.end_date}> ?e }} }}") == set()
    starts = rows_of(path, f"SELECT ?m WHERE {{ GRAPH ?g {{ ?m <{T.member}> <{IRIS.persoon(DE_VRIES)}> ; "
                           f"<{T.start_date}> \"2023-12-06\"^^<http://www.w3.org/2001/XMLSchema#date> }} }}")
    assert len(starts) == 2  # the fractie period and the Kamer membership, no second copy

    # fates: the bad record named with its page, entry and problem; the rest loaded
    by_id = {(o.entity, o.id): o for o in report.records}
    bad = by_id[("FractieZetelPersoon", rec["bad"]["Id"])]
    assert bad.status == "unusable" and len(bad.problems) == 1
    url = next(u for u in pages if "/FractieZetelPersoon?" in u)
    assert bad.problems[0].startswith(f"{url}, entry 3: ") and f"unknown FractieZetel_Id {UNKNOWN_ZETEL}" in bad.problems[0]
    for p in rec["periods"]:
        assert by_id[("FractieZetelPersoon", p["Id"])].status == "loaded"
        assert by_id[("FractieZetelPersoon", p["Id"])].graph == IRIS.reference_graph("lidmaatschappen")
    assert by_id[("FractieZetelPersoon", rec["closing"]["Id"])].status == "loaded"
    assert by_id[("Persoon", SNELLER)].status == "loaded"
    assert by_id[("Persoon", SNELLER)].graph == IRIS.reference_graph("personen")
    assert by_id[("Fractie", VVD)].status == "unchanged"  # matched to the bundled VVD, nothing new
    # the dossier's title, in its own record graph
    assert rows_of(path, title_q) == {(f'"{DOSSIER["Titel"]}"@nl',)}
    assert by_id[("Kamerstukdossier", DOSSIER["Id"])].status == "loaded"
    assert by_id[("Kamerstukdossier", DOSSIER["Id"])].graph == IRIS.graph("dossier", "22112")

    # the whole store validates with the shapes, as after a build
    from shapes.validate import FastValidator

    store = EmbeddedStore(path)
    try:
        result = FastValidator().validate_store(store.ox)
    finally:
        store.close()
    assert result.violations() == (), result.violations()[:3]

    # a later sync: the API deletes his second period; it leaves the graph, and his Kamer membership ends
    [_first, second] = sorted(rec["periods"], key=lambda p: p["Van"])
    gone = {**second, "Verwijderd": True, "GewijzigdOp": "2024-10-06T10:00:00+02:00"}
    pages2 = dict(odata_pages(opts, "FractieZetelPersoon", "2024-10-03T10:00:00+02:00", [gone], 100))
    # and the dossier (as the SyncFeed would send a deletion: the id only)
    pages2.update(odata_pages(opts, "Kamerstukdossier", "2024-10-02T10:00:00+02:00", [
        {"Id": DOSSIER["Id"], "GewijzigdOp": "2024-10-06T10:00:00+02:00", "Verwijderd": True}], 100))
    report2 = run(world, path, world["before"], Replay(pages2, opts), opts, since=None)
    assert report2.errors == []
    [out] = [o for o in report2.records if o.id == second["Id"]]
    assert out.status == "deleted"
    [out] = [o for o in report2.records if o.id == DOSSIER["Id"]]
    assert out.status == "deleted" and out.graph == IRIS.graph("dossier", "22112")
    assert rows_of(path, title_q) == set()
    left = membership_triples(path, SNELLER)
    # the listed period 2023-12-06 is gone; as he asked questions after it, the build's rule for a member whose
    # last period ends on an election eve infers one again from the questions (marked inferred, in kg:herkomst),
    # as a build on a member list without that row does
    again = f"<{IRIS.fractielidmaatschap(SNELLER + '-20231206-d66')}>"
    assert {m for m, _p, _o in left} == {f"<{IRIS.fractielidmaatschap(SNELLER + '-20171031-d66')}>",
                                         f"<{IRIS.kamerlidmaatschap(SNELLER + '-tk-20171031')}>", again}
    assert any(m == again and p == f"<{T.herkomst}>" for m, p, _o in left), "the period inferred again is not marked"
    # and his Kamer membership runs on through the period inferred again: not to the eve, but to his last
    # question, the last date known, its real end unknown (so its herkomst says)
    km = f"<{IRIS.kamerlidmaatschap(SNELLER + '-tk-20171031')}>"
    ends = {o for m, p, o in left if m == km and p == f"<{T.end_date}>"}
    assert ends and '"2023-12-05"^^<http://www.w3.org/2001/XMLSchema#date>' not in ends, ends
    assert any(m == km and p == f"<{T.herkomst}>" and "werkelijk einde onbekend" in o for m, p, o in left)


def test_dry_run_reports_member_fates_and_writes_nothing(world):
    opts = options()
    pages, rec = member_feed(opts)
    path = fresh(world, "members-dry")
    before = store_quads(path)
    report = run(world, path, world["before"], Replay(pages, opts), opts, dry_run=True)
    assert store_quads(path) == before
    by_id = {(o.entity, o.id): o for o in report.records}
    assert by_id[("FractieZetelPersoon", rec["periods"][0]["Id"])].status == "would load"
    assert by_id[("FractieZetelPersoon", rec["bad"]["Id"])].status == "unusable"


def test_unusable_records_name_source_and_problem():
    """The overlay alone, on the real reference data: each kind of bad record, and the good one goes on."""
    from ingest.records import SourceRef
    from ingest.reference import load_reference
    from ingest.tk_reference import overlay_tk_records

    ref = load_reference(DATA)
    [open_row] = [r for r in member_rows(DATA, DE_VRIES_LID) if r["Eindjaar"] == ""]
    when = "2024-10-02T10:00:00+02:00"
    good = zetelpersoon_record(open_row, ZETEL_VVD, DE_VRIES, when, TotEnMet=CLOSED_ON)
    cases = {
        "unknown person": zetelpersoon_record(open_row, ZETEL_VVD, new_uuid("persoon", "nobody"), when),
        "unknown seat": zetelpersoon_record(open_row, UNKNOWN_ZETEL, DE_VRIES, when),
        "reversed": zetelpersoon_record(open_row, ZETEL_VVD, DE_VRIES, when, TotEnMet="2020-01-01T00:00:00+01:00"),
        "bad date": zetelpersoon_record(open_row, ZETEL_VVD, DE_VRIES, when, Van="6 december 2023"),
    }
    for name, r in cases.items():
        r["Id"] = new_uuid("fzp", name)
    srcs = {("FractieZetelPersoon", r["Id"]): SourceRef("https://api/FractieZetelPersoon?p=1", i)
            for i, r in enumerate([good, *cases.values()], start=1)}
    out, fates = overlay_tk_records(
        ref, [], [fractie_record(VVD, "Volkspartij voor Vrijheid en Democratie", "VVD", when)],
        [zetel_record(ZETEL_VVD, VVD, when)], [good, *cases.values()], srcs)
    expect = {"unknown person": "unknown Persoon_Id", "unknown seat": "unknown FractieZetel_Id",
              "reversed": "Van 2023-12-06 is after TotEnMet 2020-01-01", "bad date": "not a date: '6 december 2023'"}
    for i, (name, r) in enumerate(cases.items(), start=2):
        f = fates[("FractieZetelPersoon", r["Id"])]
        assert f.status == "unusable", name
        assert f.problems == [p for p in f.problems if p.startswith(f"https://api/FractieZetelPersoon?p=1, entry {i}: ")]
        assert expect[name] in f.problems[0], (name, f.problems)
        assert f.problems[0] in out.report
    assert fates[("FractieZetelPersoon", good["Id"])].status == "updated"
    [fm] = [f for f in out.fractie_memberships if f.key == f"{DE_VRIES}-20231206-vvd"]
    assert fm.end == dt.date(2024, 7, 1) and fm.source == srcs[("FractieZetelPersoon", good["Id"])]
    assert len(out.fractie_memberships) == len(ref.fractie_memberships)
    # deleted: the period it closed is as bundled again
    out2, fates2 = overlay_tk_records(
        ref, [], [fractie_record(VVD, "Volkspartij voor Vrijheid en Democratie", "VVD", when)],
        [zetel_record(ZETEL_VVD, VVD, when)], [{**good, "Verwijderd": True}], srcs)
    assert fates2[("FractieZetelPersoon", good["Id"])].status == "deleted"
    assert out2.fractie_memberships == ref.fractie_memberships


# --------------------------------------------------------------------------- ZaakActor changes (OData)


def test_zaakactor_change_without_zaak_change_reaches_the_graph(world, tmp_path):
    """A co-asker is taken off a Zaak: upstream the ZaakActor changes (Verwijderd), the Zaak's GewijzigdOp does
    not, so the Zaak feed does not bring it. The ZaakActor feed does; its Zaak is fetched and applied."""
    opts = options(entities=("Zaak", "ZaakActor"))
    base = world["base"]
    [target] = [x for x in base if len(x.get("Medeindiener") or []) >= 2][:1]
    other = next(x for x in base if x is not target and x.get("Indiener"))
    od = to_odata(target)
    co = [a for a in od["ZaakActor"] if a["Relatie"] == "Medeindiener"][-1]
    when = "2024-10-05T10:00:00+02:00"
    removed = {**{k: v for k, v in co.items() if k != "Persoon"}, "Verwijderd": True, "GewijzigdOp": when}
    now = {**od, "ZaakActor": [a for a in od["ZaakActor"] if a["Id"] != co["Id"]]}  # GewijzigdOp as it was
    # another Zaak changed in the same run, with its actors: its actor change needs no second request
    other_od = {**to_odata(other), "GewijzigdOp": when, "Onderwerp": other["Onderwerp"]}
    other_actor = {**{k: v for k, v in other_od["ZaakActor"][0].items() if k != "Persoon"}}
    pages = dict(odata_pages(opts, "Zaak", SINCE, [other_od], 100))
    pages.update(odata_pages(opts, "ZaakActor", SINCE, [removed, other_actor], 100))
    zaken_url = odata_zaken_url(opts, [target["Id"]])
    pages[zaken_url] = httpx.Response(200, json={"value": [now]}).content

    # the base store is the full-data build; so is the rebuild with the co-asker gone
    path = tmp_path / "store"
    shutil.copytree(world["full"], path)
    kv = IRIS.kamervraag(target["Nummer"])
    ask = f"SELECT ?p WHERE {{ GRAPH ?g {{ <{kv}> <{T.medeindiener}> ?p }} }}"
    before = rows_of(path, ask)
    transport = Replay(pages, opts)
    report = run(world, path, DATA, transport, opts)
    assert report.errors == []
    assert zaken_url in transport.requests
    assert [u for u in transport.requests if "Id+eq+" in u or "Id%20eq%20" in u] == [zaken_url]
    after = rows_of(path, ask)
    assert len(after) == len(before) - 1 and after < before
    by_id = {(o.entity, o.id): o for o in report.records}
    assert by_id[("ZaakActor", co["Id"])].status == "loaded"
    assert by_id[("ZaakActor", co["Id"])].graph == IRIS.zaak_graph(target["Nummer"])

    changed = [dict(x) for x in base]
    for x in changed:
        if x["Id"] == target["Id"]:
            x["Medeindiener"] = x["Medeindiener"][:-1]
    rebuilt = tmp_path / "rebuilt"
    s = EmbeddedStore(rebuilt)
    build(s, DATA, IRIS, odata_file=write_jsonl(tmp_path / "changed.jsonl", changed))
    s.close()
    g = IRIS.zaak_graph(target["Nummer"])
    assert graph_quads(path, g) == graph_quads(rebuilt, g) and graph_quads(path, g)
