"""The dataset description (VoID, DCAT, service description) on a small real store.

Every figure the description states is recomputed here another way: by walking the store's quads
with pyoxigraph's own pattern API (no SPARQL), or with separate, simpler SPARQL queries, never with
the description's own code.
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse, serialize

from kamergraph import cli
from kamergraph.build import build
from kamergraph.dataset import (
    DCAT, SD, SPDX, TARGETS, VOID, DatasetError, compute_stats, dataset_iri, describe, description_graph,
    load_description, read_manifest, service_iri,
)
from kamergraph.coverage import complete_from, complete_to
from ontology.namespaces import DCTERMS, KG, RDF, RDFS, XSD, Iris
from store.embedded import EmbeddedStore

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
ODATA = DATA / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz"
IRIS = Iris("https://kamergraph.nl/")
SEED = "2019Z15231"
DS = dataset_iri(IRIS)
DESC = description_graph(IRIS)
TYPE = RDF + "type"
IANA = "https://www.iana.org/assignments/media-types/"


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real store: 40 OData Zaken and the founding case, its published text and a few answers."""
    tmp = tmp_path_factory.mktemp("dataset")
    with gzip.open(ODATA, "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    seed = next(ln for ln in lines if f'"{SEED}"' in ln)
    odata = tmp / "slice.jsonl.gz"
    odata.write_bytes(gzip.compress(("\n".join([*lines[:40], seed]) + "\n").encode("utf-8")))
    texts = [DATA / "texts" / "seed" / "kv-tk-2019Z15231.txt", *sorted((DATA / "texts").glob("ah-*.txt"))[:3]]
    path = tmp / "store"
    store = EmbeddedStore(path)
    report = build(store, DATA, IRIS, odata_file=odata, texts=texts)
    assert report.counts() == {"loaded": 41 + 4}
    assert "describe" in report.timings
    store.close()
    return path


def copy_of(store: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "store"
    shutil.copytree(store, dest)
    return dest


def stored_description(store: EmbeddedStore) -> set[Triple]:
    return {q.triple for q in store.ox.quads_for_pattern(None, None, None, NamedNode(DESC))}


def value(triples: set[Triple], s: str, p: str) -> list[str]:
    return sorted(t.object.value for t in triples if t.subject.value == s and t.predicate.value == p)


def one_int(triples: set[Triple], s: str, p: str) -> int:
    values = value(triples, s, p)
    assert len(values) == 1, (s, p, values)
    return int(values[0])


def write_manifest(folder: Path, files: list[dict] | None = None) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {
        "created": "2026-11-29T03:00:00Z", "store_generation": "g-1", "triples": 1000, "quads": 1002,
        "files": files if files is not None else [
            {"file": "kamergraph.nt.gz", "format": "nt", "media_type": "application/n-triples", "encoding": "gzip",
             "bytes": 123_456, "triples": 1000, "sha256": "ab" * 32, "created": "2026-11-29T03:00:01Z"},
            {"file": "kamergraph.nq.gz", "format": "nq", "media_type": "application/n-quads", "encoding": "gzip",
             "bytes": 234_567, "triples": 1002, "sha256": "cd" * 32, "created": "2026-11-29T03:00:02Z"},
        ],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return manifest


# --------------------------------------------------------------------------- the figures


def test_build_loads_the_description_and_its_figures_match_the_store(small_store: Path) -> None:
    store = EmbeddedStore(small_store)
    try:
        desc = stored_description(store)
        assert desc, "the build loads the description graph"
        assert {VOID + "Dataset", DCAT + "Dataset"} <= set(value(desc, DS, TYPE))
        # the data: every quad but the description's own, walked with the pattern API (no SPARQL)
        quads = [q for q in store.ox.quads_for_pattern(None, None, None, None) if q.graph_name.value != DESC]
        assert quads and len(quads) < len(store)
        assert one_int(desc, DS, VOID + "triples") == len(quads)
        subjects = {q.subject for q in quads}
        assert one_int(desc, DS, VOID + "distinctSubjects") == len(subjects)
        assert one_int(desc, DS, VOID + "entities") == sum(isinstance(s, NamedNode) for s in subjects)
        assert one_int(desc, DS, VOID + "distinctObjects") == len({q.object for q in quads})
        per_property = Counter(q.predicate.value for q in quads)
        instances: dict[str, set] = {}
        for q in quads:
            if q.predicate.value == TYPE:
                instances.setdefault(q.object.value, set()).add(q.subject)
        assert one_int(desc, DS, VOID + "properties") == len(per_property)
        assert one_int(desc, DS, VOID + "classes") == len(instances)
        # the partitions, one per property and per class, with their counts
        parts = {value(desc, p, VOID + "property")[0]: one_int(desc, p, VOID + "triples")
                 for p in value(desc, DS, VOID + "propertyPartition")}
        assert parts == dict(per_property)
        classes = {value(desc, p, VOID + "class")[0]: one_int(desc, p, VOID + "entities")
                   for p in value(desc, DS, VOID + "classPartition")}
        assert classes == {c: len(s) for c, s in instances.items()}
        # every vocabulary the data uses (the namespaces of its properties and classes)
        vocab = set(value(desc, DS, VOID + "vocabulary"))
        assert {KG, DCTERMS, RDF, "http://www.w3.org/ns/org#", "http://www.w3.org/ns/prov#"} <= vocab
        assert VOID not in vocab and DCAT not in vocab  # only the description uses those
        # the linksets: our resources ({base}id/…) -> each target's URI space, per predicate
        links: Counter[tuple[str, str]] = Counter()
        for q in quads:
            if not (isinstance(q.object, NamedNode) and q.subject.value.startswith(IRIS.base + "id/")) \
                    or q.predicate.value == TYPE:  # a class is no linked resource
                continue
            for t in TARGETS:
                if q.object.value.startswith(t.space) and not q.object.value.startswith(t.exclude or ("\0",)):
                    links[(f"{DS}/doel/{t.key}", q.predicate.value)] += 1
        stated = Counter()
        for ls in value(desc, DS, VOID + "subset"):
            assert value(desc, ls, TYPE) == [VOID + "Linkset"]
            assert value(desc, ls, VOID + "subjectsTarget") == [DS]
            key = (value(desc, ls, VOID + "objectsTarget")[0], value(desc, ls, VOID + "linkPredicate")[0])
            stated[key] = one_int(desc, ls, VOID + "triples")
        assert stated == links
        assert {k[0].rsplit("/", 1)[-1] for k in stated} >= {"wikidata", "officielebekendmakingen", "eli"}
        # the temporal coverage: the complete months (kamergraph.coverage's rule over the Kamervragen per
        # month, counted here from the quads); the comment names the records outside them
        kv = {q.subject for q in quads if q.predicate.value == TYPE and q.object.value == KG + "Kamervraag"}
        submitted = {(q.subject, q.object.value) for q in quads
                     if q.subject in kv and q.predicate.value == DCTERMS + "dateSubmitted"}
        dates = sorted(d for _, d in submitted)
        months = Counter(m for _, m in {(k, d[:7]) for k, d in submitted})
        start = complete_from(months)
        period = value(desc, DS, DCTERMS + "temporal")[0]
        assert value(desc, period, DCAT + "startDate") == [start + "-01"]
        end = complete_to(months, start)
        assert value(desc, period, DCAT + "endDate")[0][:7] == end
        before = sum(1 for d in dates if d[:7] < start)  # (the bundled data's are test_coverage's)
        after = sum(1 for d in dates if d[:7] > end)
        comments = [t.object for t in desc if t.subject.value == period and t.predicate.value == RDFS + "comment"]
        assert {c.language for c in comments} == {"nl", "en"}
        for c in comments:
            assert (dates[0] in c.value) == (f" {before} " in c.value) == (before > 0), c
            assert (dates[-1] in c.value) == (f" {after} " in c.value) == (after > 0), c
    finally:
        store.close()


def test_counts_with_separate_sparql_queries(small_store: Path) -> None:
    """The same figures by plain SPARQL, one simple query each, over the named graphs but the description."""
    store = EmbeddedStore(small_store)
    try:
        desc = stored_description(store)
        not_desc = f"FILTER(?g != <{DESC}>)"

        def count(body: str) -> int:
            return int(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {body} }}").rows[0][0].value)

        assert one_int(desc, DS, VOID + "triples") == count(f"GRAPH ?g {{ ?s ?p ?o }} {not_desc}")
        assert one_int(desc, DS, VOID + "entities") == count(
            f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {not_desc} FILTER(isIRI(?s)) }}")
        assert one_int(desc, DS, VOID + "distinctObjects") == count(
            f"SELECT DISTINCT ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {not_desc} }}")
        for part in value(desc, DS, VOID + "classPartition"):
            c = value(desc, part, VOID + "class")[0]
            assert one_int(desc, part, VOID + "entities") == count(
                f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s a <{c}> }} {not_desc} }}"), c
        wikidata = count(f"GRAPH ?g {{ ?s <http://www.w3.org/2002/07/owl#sameAs> ?o }} {not_desc} "
                         "FILTER(STRSTARTS(STR(?o), 'http://www.wikidata.org/entity/') "
                         "&& STRSTARTS(STR(?s), 'https://kamergraph.nl/id/'))")
        ls = f"{DS}/linkset/wikidata/owl-sameAs"
        assert wikidata > 0 and one_int(desc, ls, VOID + "triples") == wikidata
        graphs = count("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        extent = value(desc, service_iri(IRIS) + "/dataset", DCTERMS + "extent")[0]
        assert one_int(desc, extent, RDF + "value") == graphs  # the description graph included, as it says
    finally:
        store.close()


def test_describing_again_changes_nothing(small_store: Path, tmp_path: Path) -> None:
    """The figures leave the description graph out: loading it again states the same (no blank nodes,
    no clock, so the same set of triples is the same graph)."""
    store = EmbeddedStore(copy_of(small_store, tmp_path))
    try:
        before = stored_description(store)
        n_before = len(store)
        loaded = load_description(store, IRIS)
        assert stored_description(store) == before == set(loaded.triples)
        assert len(store) == n_before
        assert loaded.stats.triples == len(store) - len(before)
    finally:
        store.close()


# --------------------------------------------------------------------------- well-formed RDF


def test_the_description_is_well_formed_rdf_in_every_format(small_store: Path) -> None:
    store = EmbeddedStore(small_store)
    try:
        triples = sorted(stored_description(store), key=str)
    finally:
        store.close()
    reference = rdflib.Graph().parse(data=serialize(triples, format=RdfFormat.N_TRIPLES).decode(), format="nt")
    for fmt, name in ((RdfFormat.TURTLE, "turtle"), (RdfFormat.RDF_XML, "xml"), (RdfFormat.JSON_LD, "json-ld")):
        text = serialize(triples, format=fmt).decode("utf-8")
        parsed = rdflib.Graph().parse(data=text, format=name)  # another parser than the writer's
        assert isomorphic(parsed, reference), name
    # no blank node anywhere: every resource of the description is dereferenceable under {base}id/dataset/
    assert not any(t.subject.value.startswith("_:") for t in triples)
    assert all(t.subject.value.startswith(IRIS.base + "id/dataset/kamergraph") for t in triples)


# --------------------------------------------------------------------------- the dumps (DCAT distributions)


def test_distributions_match_the_manifest(small_store: Path, tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path / "dumps")
    store = EmbeddedStore(small_store)
    try:
        stats = compute_stats(store, IRIS)
    finally:
        store.close()
    desc = set(describe(IRIS, stats, read_manifest(tmp_path / "dumps")))
    dists = value(desc, DS, DCAT + "distribution")
    assert len(dists) == len(manifest["files"])
    assert value(desc, DS, VOID + "dataDump") == sorted(f"{IRIS.base}dumps/{f['file']}" for f in manifest["files"])
    assert value(desc, DS, DCTERMS + "issued") == [manifest["created"]]
    for f in manifest["files"]:
        dist = f"{DS}/distributie/{f['file']}"
        assert dist in dists
        assert value(desc, dist, TYPE) == [DCAT + "Distribution"]
        assert value(desc, dist, DCAT + "downloadURL") == [f"{IRIS.base}dumps/{f['file']}"]
        assert value(desc, dist, DCAT + "mediaType") == [IANA + f["media_type"]]
        assert value(desc, dist, DCAT + "compressFormat") == [IANA + "application/gzip"]
        assert one_int(desc, dist, DCAT + "byteSize") == f["bytes"]
        assert one_int(desc, dist, VOID + "triples") == f["triples"]
        assert value(desc, dist, DCTERMS + "issued") == [f["created"]]
        chk = value(desc, dist, SPDX + "checksum")[0]
        assert value(desc, chk, SPDX + "algorithm") == [SPDX + "checksumAlgorithm_sha256"]
        assert value(desc, chk, SPDX + "checksumValue") == [f["sha256"]]
        byte_size = next(t.object for t in desc if t.subject.value == dist and t.predicate.value == DCAT + "byteSize")
        assert isinstance(byte_size, Literal) and byte_size.datatype.value == XSD + "nonNegativeInteger"


def test_without_a_manifest_there_are_no_distributions(small_store: Path, tmp_path: Path) -> None:
    store = EmbeddedStore(small_store)
    try:
        desc = stored_description(store)  # built without a dump release
    finally:
        store.close()
    assert read_manifest(tmp_path / "no-dumps") is None
    assert not value(desc, DS, DCAT + "distribution") and not value(desc, DS, VOID + "dataDump")
    assert not [t for t in desc if t.predicate.value.startswith(SPDX)]
    # what is there regardless: licence, publisher, sources with attribution, endpoint, URI space
    assert value(desc, DS, DCTERMS + "license") == ["https://creativecommons.org/licenses/by/4.0/"]
    assert value(desc, DS, VOID + "sparqlEndpoint") == [IRIS.base + "sparql"]
    assert value(desc, DS, VOID + "uriSpace") == [IRIS.base + "id/"]
    attributions = value(desc, DS, "http://www.w3.org/ns/prov#qualifiedAttribution")
    assert len(value(desc, DS, DCTERMS + "source")) == len(attributions) >= 8
    for att in value(desc, DS, "http://www.w3.org/ns/prov#qualifiedAttribution"):
        agent = value(desc, att, "http://www.w3.org/ns/prov#agent")
        assert len(agent) == 1 and value(desc, agent[0], "http://xmlns.com/foaf/0.1/name"), att
    svc = service_iri(IRIS)
    assert value(desc, svc, TYPE) == [SD + "Service"]
    assert value(desc, svc, SD + "endpoint") == [IRIS.base + "sparql"]
    assert SD + "SPARQL11Query" in value(desc, svc, SD + "supportedLanguage")


@pytest.mark.parametrize("change, place", [
    (lambda m: m["files"][0].update(sha256="xyz"), "files[0].sha256"),
    (lambda m: m["files"][1].pop("bytes"), "files[1]: 'bytes' is missing"),
    (lambda m: m.update(created="yesterday"), "manifest.created"),
    (lambda m: m["files"][0].update(file="../etc/passwd"), "files[0].file"),
    (lambda m: m["files"][0].update(bytes="12"), "files[0].bytes"),
])
def test_a_bad_manifest_is_reported_with_its_place(tmp_path: Path, change, place: str) -> None:
    manifest = write_manifest(tmp_path)
    change(manifest)
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(DatasetError) as err:
        read_manifest(tmp_path)
    assert str(tmp_path / "manifest.json") in str(err.value) and place in str(err.value)
    (tmp_path / "manifest.json").write_text('{"created": ', encoding="utf-8")
    with pytest.raises(DatasetError, match="line 1, column"):
        read_manifest(tmp_path)


# --------------------------------------------------------------------------- the command


def test_describe_command_loads_the_release(small_store: Path, tmp_path: Path, capsys) -> None:
    path = copy_of(small_store, tmp_path)
    write_manifest(tmp_path / "dumps")
    code = cli.main(["describe", "--store", str(path), "--dumps-dir", str(tmp_path / "dumps")])
    out = capsys.readouterr().out
    assert code == 0 and "2 dump file(s)" in out and "described the store" in out
    store = EmbeddedStore(path)
    try:
        desc = stored_description(store)
        rows = store.query(
            "SELECT ?url WHERE { GRAPH ?g { ?d <http://www.w3.org/ns/dcat#downloadURL> ?url } }").values()
    finally:
        store.close()
    assert len(value(desc, DS, DCAT + "distribution")) == 2
    assert sorted(r["url"] for r in rows) == [f"{IRIS.base}dumps/kamergraph.{x}.gz" for x in ("nq", "nt")]
    # a bad manifest: a clear error, and the store keeps its description
    (tmp_path / "dumps" / "manifest.json").write_text("[]", encoding="utf-8")
    code = cli.main(["describe", "--store", str(path), "--dumps-dir", str(tmp_path / "dumps")])
    err = capsys.readouterr().err
    assert code == 1 and "manifest.json" in err and "Traceback" not in err
    store = EmbeddedStore(path)
    try:
        assert stored_description(store) == desc
    finally:
        store.close()
    # --turtle prints the description, which parses back to the stored graph
    code = cli.main(["describe", "--store", str(path), "--dumps-dir", str(tmp_path / "none"), "--turtle"])
    text = capsys.readouterr().out
    assert code == 0
    printed = {q.triple for q in parse(text.encode("utf-8"), format=RdfFormat.TURTLE)}
    store = EmbeddedStore(path)
    try:
        assert printed == stored_description(store)
    finally:
        store.close()


def test_a_build_with_a_bad_manifest_goes_on_without_dumps(tmp_path: Path) -> None:
    """A broken manifest.json does not stop a build: the description lists no dumps, the report says why."""
    (tmp_path / "dumps").mkdir()
    (tmp_path / "dumps" / "manifest.json").write_text('{"created": "2026-11-29T03:00:00Z", "files": 3}',
                                                      encoding="utf-8")
    with gzip.open(ODATA, "rt", encoding="utf-8") as fh:
        lines = [next(fh) for _ in range(5)]
    odata = tmp_path / "slice.jsonl.gz"
    odata.write_bytes(gzip.compress("".join(lines).encode("utf-8")))
    store = EmbeddedStore(tmp_path / "store")
    try:
        report = build(store, DATA, IRIS, odata_file=odata, texts=[], dumps_dir=tmp_path / "dumps")
        desc = stored_description(store)
    finally:
        store.close()
    assert report.counts() == {"loaded": 5}
    assert any("manifest.json" in n and "files" in n for n in report.reference_notes), report.reference_notes
    assert value(desc, DS, VOID + "triples") and not value(desc, DS, DCAT + "distribution")
