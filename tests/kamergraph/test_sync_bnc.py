"""The BNC-fiche bridge in `kamergraph sync` (issue 16 §5): the fiches of dossier 22112 that a sync brings as
Documents, with their publication texts fetched, become graphs of their own in which the fiche cites the
Commission proposal; a question citing the Kamerstuk reaches the proposal through it.

Replayed upstream answers built from the real fiches in data/bnc/ (fiches.csv: the titles, numbers and dates
as the publications print them; texts/: the publications' texts, served as officielebekendmakingen.nl's XML):
two fiche Documents, the dossier 22112 as the API gives it (one Document names it by Id only, as the
SyncFeed does, and its record comes in a later feed of the same run). The base store is a build of one real
Zaak (2019Z15231) with the bundled data less its texts (the sync then reads none: small and fast).
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path
from xml.sax.saxutils import escape

import httpx
import pytest
from pyoxigraph import NamedNode, Quad, RdfFormat, Store, Variable

from ingest.bnc import fiche_graph
from ingest.citations import find_citations
from ingest.map_text import cited_node
from ingest.records import SourceRef
from kamergraph.sync import SyncOptions, SyncState, sync
from ontology.namespaces import Iris, T
from store.embedded import EmbeddedStore
from tests.kamergraph.sync_helpers import built_store, new_uuid, odata_pages
from tests.support.slices import odata_slice

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
BNC = DATA / "bnc"
IRIS = Iris("https://kamergraph.nl/")
SINCE = "2024-10-01T00:00:00+00:00"
ROWS = {r["number"]: r for r in csv.DictReader((BNC / "fiches.csv").open(encoding="utf-8"))}
DOSSIER_ID = new_uuid("kamerstukdossier", "22112")
DOSSIER = {"Id": DOSSIER_ID, "Titel": "Nieuwe Commissievoorstellen en initiatieven van de lidstaten van de Europese "
           "Unie", "Citeertitel": None, "Alias": None, "Nummer": 22112, "Toevoeging": None, "HoogsteVolgnummer": 4000,
           "Afgesloten": False, "Kamer": "Tweede Kamer", "GewijzigdOp": "2024-10-02T10:00:00+02:00",
           "ApiGewijzigdOp": "2024-10-02T10:00:00+02:00", "Verwijderd": False}
PROPOSAL_2016_616 = "http://publications.europa.eu/resource/celex/52016PC0616"
PROPOSAL_2011_704 = "http://publications.europa.eu/resource/celex/52011PC0704"
FICHE = {n: IRIS.graph("bnc-fiche", f"22112-{n}") for n in ROWS}


def options(**kw) -> SyncOptions:
    o = SyncOptions(page_size=100, backoff=0.5, min_interval=0.0, fetch_texts=True, write_batch=100,
                    entities=("Document", "Kamerstukdossier"))
    for k, v in kw.items():
        setattr(o, k, v)
    return o


def document(number: str, when: str, by_id: bool = False, **change) -> dict:
    """The fiche's Document as the API gives it: its real title (Onderwerp), number and date, in dossier 22112
    (expanded, or by its Id only)."""
    row = ROWS[number]
    rec = {"Id": new_uuid("document", "22112", number), "Soort": "Brief regering", "Onderwerp": row["title"],
           "Titel": DOSSIER["Titel"], "Volgnummer": int(number), "Datum": row["date"] + "T00:00:00+01:00",
           "Vergaderjaar": None, "GewijzigdOp": when, "ApiGewijzigdOp": when, "Verwijderd": False}
    if by_id:
        rec["Kamerstukdossier_Id"] = DOSSIER_ID
    else:
        rec["Kamerstukdossier"] = [{"Id": DOSSIER_ID, "Nummer": 22112}]
    rec.update(change)
    return rec


def publication_xml(number: str) -> bytes:
    """The fiche's text (data/bnc/texts) as an officielebekendmakingen XML publication: a block per line."""
    text = (BNC / "texts" / f"kst-22112-{number}.txt").read_text(encoding="utf-8")
    body = "".join(f"<al>{escape(x)}</al>" for x in text.splitlines() if x.strip())
    return f'<?xml version="1.0" encoding="utf-8"?><officiele-publicatie><kamerstuk>{body}</kamerstuk>' \
           f"</officiele-publicatie>".encode()


class Replay(httpx.BaseTransport):
    """The recorded pages; any other OData URL an empty page, anything else a 404."""

    def __init__(self, pages: dict[str, bytes], opts: SyncOptions) -> None:
        self.pages, self.opts, self.requests = pages, opts, []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.requests.append(url)
        if url in self.pages:
            return httpx.Response(200, content=self.pages[url])
        if url.startswith(self.opts.odata_url):
            return httpx.Response(200, json={"value": []})
        return httpx.Response(404, text="Not Found")


def feed(opts: SyncOptions, documents: list[dict], dossiers: list[dict], texts: tuple[str, ...] = ()) -> dict:
    pages = dict(odata_pages(opts, "Document", SINCE, documents, 100))
    pages.update(odata_pages(opts, "Kamerstukdossier", SINCE, dossiers, 100))
    for n in texts:
        pages[f"{opts.ob_url}kst-22112-{n}.xml"] = publication_xml(n)
    return pages


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("sync-bnc")
    data = tmp / "data"  # the bundled data without its published texts
    data.mkdir()
    for item in DATA.iterdir():
        if item.name not in ("texts", "answers-docx"):
            (data / item.name).symlink_to(item)
    base_file = odata_slice(["2019Z15231"], tmp / "base.jsonl.gz")
    store = tmp / "base-store"
    built_store("sync-bnc-base", data, base_file, store, IRIS.base)
    return {"tmp": tmp, "data": data, "base_file": base_file, "store": store}


def run(base: dict, path: Path, transport: httpx.BaseTransport, opts: SyncOptions, since: str | None = SINCE):
    store = EmbeddedStore(path)
    try:
        with httpx.Client(transport=transport) as client:
            return sync(store, base["data"], IRIS, client, state_path=Path(str(path) + ".sync.json"), options=opts,
                        base_file=base["base_file"], sleep=lambda _s: None, since=since)
    finally:
        store.close()


def graph_quads(path: Path, prefix: str) -> set:
    """The quads of the store's named graphs whose IRI starts with ``prefix`` (one graph: its IRI)."""
    store = EmbeddedStore(path)
    try:
        return {q for g in store.named_graphs() if g.startswith(prefix)
                for q in store.ox.quads_for_pattern(None, None, None, NamedNode(g))}
    finally:
        store.close()


def listed_fiche(number: str) -> tuple[str, str]:
    """A fiche as the covering letter of nr. 2240 lists it: its title and number ("Fiche: … (Kamerstuk 22 112,
    nr. 2237);"); its own text is not in data/bnc, so a sync finds none."""
    text = (BNC / "texts" / "kst-22112-2240.txt").read_text(encoding="utf-8")
    m = re.search(rf"^(Fiche: .*) \(Kamerstuk 22 112, nr\. {number}\);$", text, re.MULTILINE)
    assert m, number
    return m.group(1), number


@pytest.fixture(scope="module")
def synced(base) -> dict:
    """One sync of three fiche Documents: nr. 2240 naming its dossier by Id (whose record comes in the later
    feed), nr. 1285 without its date, and nr. 2237 (listed in nr. 2240's letter) whose text is not published
    here; the texts of the first two served. The store, its state and the run's report."""
    opts = options()
    path = base["tmp"] / "synced"
    shutil.copytree(base["store"], path)
    title, number = listed_fiche("2237")
    docs = [document("2240", "2024-10-03T10:00:00+02:00", by_id=True),
            document("1285", "2024-10-03T11:00:00+02:00", Datum=None),
            document("2240", "2024-10-03T12:00:00+02:00", Id=new_uuid("document", "22112", number), Onderwerp=title,
                     Volgnummer=int(number), Datum=None)]
    transport = Replay(feed(opts, docs, [DOSSIER], ("2240", "1285")), opts)
    report = run(base, path, transport, opts)
    return {"path": path, "report": report, "requests": transport.requests,
            "state": SyncState(Path(str(path) + ".sync.json"))}


def test_sync_brings_the_fiches_and_a_cited_fiche_reaches_the_proposal(synced) -> None:
    path, report, state = synced["path"], synced["report"], synced["state"]
    assert report.errors == []
    fates = {r.graph: r.status for r in report.records if r.entity == "Document"}
    # loaded: validated before writing (a graph that violates a shape is rejected)
    assert fates[FICHE["2240"]] == "loaded" and fates[FICHE["1285"]] == "loaded", report.records
    fetched = {p.name for p in (state.texts_dir / "bnc-fiche").glob("*.txt")}
    assert fetched == {"kst-22112-2240.txt", "kst-22112-1285.txt"}
    assert not list(state.texts_dir.glob("kst-*.txt"))  # not among the question texts

    # the question -> the cited Kamerstuk -> the fiche -> the proposal; the question's citation as the text parser
    # finds "Kamerstuk 22 112, nr. 2240" in a question's text
    [c] = [c for c in find_citations("Zie het BNC-fiche (Kamerstuk 22 112, nr. 2240).") if c.kind == "kamerstuk"]
    vraag = NamedNode(IRIS.vraag("2019Z15231", 6))
    s = Store()
    s.extend(graph_quads(path, IRIS.graph("bnc-fiche", "")))
    s.add(Quad(vraag, NamedNode(T.cites), NamedNode(cited_node(c, IRIS)[1:-1])))
    rows = s.query("""PREFIX cito: <http://purl.org/spar/cito/> PREFIX kg: <https://w3id.org/kamergraph/def#>
        SELECT ?vraag ?fiche ?voorstel ?woorden ?g WHERE { ?vraag cito:cites ?fiche . ?fiche a kg:Kamerstuk .
          GRAPH ?g { ?fiche cito:cites ?voorstel . ?c cito:hasCitingEntity ?fiche ; cito:hasCitedEntity ?voorstel ;
                     kg:tekstfragment ?woorden } }""", use_default_graph_as_union=True,
                   substitutions={Variable("vraag"): vraag})
    assert [(r["fiche"].value, r["voorstel"].value, r["woorden"].value, r["g"].value) for r in rows] == [
        (IRIS.kamerstuk("22112", "2240"), PROPOSAL_2016_616, "COM(2016) 616", FICHE["2240"])]


def test_a_fiche_whose_text_is_missing_and_title_names_no_number_is_reported(synced) -> None:
    fiche = IRIS.graph("bnc-fiche", "22112-2237")
    [out] = [r for r in synced["report"].records if r.graph == fiche]
    assert out.status == "fiche not linked", out
    assert any("names no Commission number in its title (its text was not fetched)" in p for p in out.problems)
    assert f"{SyncOptions().ob_url}kst-22112-2237.xml" in synced["requests"]
    assert "kst-22112-2237" in synced["state"].pending_texts
    assert graph_quads(synced["path"], fiche) == set()


def test_a_changed_fiche_is_replaced_and_a_deleted_one_leaves(base, synced) -> None:
    opts = options()
    path = base["tmp"] / "changes"
    for suffix in ("", ".sync"):
        shutil.copytree(Path(str(synced["path"]) + suffix), Path(str(path) + suffix))
    for suffix in (".sync.json", ".generation"):
        if Path(str(synced["path"]) + suffix).exists():
            shutil.copy2(Path(str(synced["path"]) + suffix), Path(str(path) + suffix))
    assert graph_quads(path, FICHE["2240"]) and not any(q.predicate.value == T.date
                                                         for q in graph_quads(path, FICHE["1285"]))

    later = [document("2240", "2024-10-05T10:00:00+02:00", Verwijderd=True),
             changed := document("1285", "2024-10-05T11:00:00+02:00")]
    transport = Replay(feed(opts, later, []), opts)
    report = run(base, path, transport, opts)
    assert not any("kst-22112-2240" in u or "kst-22112-1285" in u for u in transport.requests)  # not fetched again
    fates = {r.graph: r.status for r in report.records if r.entity == "Document"}
    # nr. 2237's text is asked for again (not published here: still unavailable)
    assert fates == {FICHE["2240"]: "deleted", FICHE["1285"]: "loaded", None: "text unavailable"}, report.records
    assert graph_quads(path, FICHE["2240"]) == set()
    # the changed fiche's graph is the one its latest record and its fetched text give, as a graph
    text = (synced["state"].texts_dir / "bnc-fiche" / "kst-22112-1285.txt").read_text(encoding="utf-8")
    [out] = [r for r in report.records if r.graph == FICHE["1285"]]
    url, pos = out.source.rsplit("#", 1)
    want, notes = fiche_graph(changed, SourceRef(url, int(pos)), text, IRIS)
    assert notes == []
    w = Store()
    w.load(want.nquads.encode(), format=RdfFormat.N_QUADS)
    assert graph_quads(path, FICHE["1285"]) == set(w) and any(
        q.predicate.value == T.cites and q.object.value == PROPOSAL_2011_704 for q in w)


def test_the_odata_document_feed_asks_for_the_bnc_dossier_and_expands_it() -> None:
    """The first page of the OData Document feed asks for the question and answer Documents OR the Kamerstukken
    of dossier 22112, and expands each Document's dossier: without that, an OData sync never brings a fiche
    (the replays above answer whatever URL the sync asks). The fiche record as that expansion gives it (the
    dossier as a list) is a fiche."""
    from kamergraph.sync import odata_first_url
    from ingest.bnc import fiche_of_document

    url = httpx.URL(odata_first_url(options(), "Document", SINCE))
    flt, expand = url.params["$filter"], url.params["$expand"]
    assert "Kamerstukdossier/any(d: d/Nummer eq 22112)" in flt
    assert flt.startswith("(Soort eq 'Schriftelijke vragen' or ") and " or Kamerstukdossier/any(" in flt
    assert "Kamerstukdossier($select=Id,Nummer)" in expand and "DocumentActor" in expand
    row = ROWS["2240"]
    rec = {"Id": new_uuid("document", "22112-2240"), "Soort": "Brief regering", "Onderwerp": row["title"],
           "Volgnummer": int(row["number"]), "Datum": row["date"] + "T00:00:00+01:00", "Verwijderd": False,
           "Kamerstukdossier": [{"Id": DOSSIER_ID, "Nummer": 22112}]}
    fiche = fiche_of_document(rec, SourceRef("odata:Document"))
    assert fiche is not None and fiche.number == "2240"


def test_the_dual_use_query_reaches_a_question_through_a_synced_fiche(synced, tmp_path) -> None:
    """The named queries follow the bridge: on a copy of the synced store in which question 6 of 2019Z15231
    cites Kamerstuk 22 112, nr. 2240 (as the text parser makes that citation), the dual-use query (its default,
    Regulation 428/2009, whose family holds COM(2016) 616) lists the Kamervraag 'via' the fiche, the Kamerstuk
    as what it cites. Without the fiche graph there is no such row (the same store less graph/bnc-fiche/…)."""
    from queries.catalog import Catalog

    [c] = [c for c in find_citations("Zie het BNC-fiche (Kamerstuk 22 112, nr. 2240).") if c.kind == "kamerstuk"]
    ks = NamedNode(cited_node(c, IRIS)[1:-1])
    kv, vraag = NamedNode(IRIS.kamervraag("2019Z15231")), NamedNode(IRIS.vraag("2019Z15231", 6))
    node, g = NamedNode(IRIS.base + "test/citaat/1"), NamedNode(IRIS.base + "test/graph")
    query = Catalog.load()["dual-use"]

    def fiche_rows(with_fiche: bool) -> list[tuple[str, str, str]]:
        path = tmp_path / ("with" if with_fiche else "without")
        shutil.copytree(synced["path"], path)
        store = EmbeddedStore(path)
        try:
            if not with_fiche:
                for graph in [n for n in store.named_graphs() if n.startswith(IRIS.graph("bnc-fiche", ""))]:
                    store.ox.remove_graph(NamedNode(graph))
            for s, p, o in [(kv, T.heeft_vraag, vraag), (node, T.has_citing_entity, vraag),
                            (node, T.has_cited_entity, ks)]:
                store.ox.add(Quad(s, NamedNode(p), o, g))
            rows = query.run(store).values()
        finally:
            store.close()
        return [(r["zaak"], r["via"], r["cited"]) for r in rows if r["via"] == "fiche"]

    assert fiche_rows(True) == [("2019Z15231", "fiche", ks.value)]
    assert fiche_rows(False) == []


def test_stats_count_the_fiches_links_apart(synced) -> None:
    """`kamergraph stats` counts a fiche's link to its proposal under "fiche", not among the links found in the
    question texts (its citing entity is a Kamerstuk): one per fiche that names a number (nrs. 2240, 1285)."""
    from kamergraph import stats

    store = EmbeddedStore(synced["path"])
    try:
        eu = stats.eu_links(store)
    finally:
        store.close()
    assert [(w, m, n) for w, m, n in eu["per_method"] if w != "titel"] == [("fiche", "citaat", 2)]
    assert "  BNC fiches: citaat 2 (2 links)" in stats.eu_lines(eu)
