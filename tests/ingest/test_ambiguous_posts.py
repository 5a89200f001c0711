"""A post is never picked by rank (issue 15 §1): evidence from published texts, else every post of the
date, marked ambiguous. On real records of the bundled OData file and real bundled texts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store as OxStore
from rdflib import Dataset, URIRef

from ingest.infer import complete_reference
from ingest.map import map_kamervraag
from ingest.records import PostEvidence, ReferenceData, ZaakRecord
from ingest.resolve import Resolver
from ingest.resolve_text import TextResolver, post_evidence
from ingest.sources.odata import read_jsonl
from kamergraph.inputs import ODATA_FILE, context_graphs, publication_ids, reference_data
from kamergraph.texts import process_texts
from ontology.namespaces import KG, Iris
from shapes.validate import FastValidator

IRIS = Iris("https://kamergraph.nl/")
HIRSCH_BALLIN = "05b33b4a-875a-4c28-a7a3-137e0d906e17"
JUSTITIE, BZK = "minister-van-justitie", "minister-van-binnenlandse-zaken-en-koninkrijksrelaties"


@pytest.fixture(scope="module")
def zaken(data_dir: Path) -> dict[str, ZaakRecord]:
    return {z.nummer: z for z in read_jsonl(data_dir / ODATA_FILE) if isinstance(z, ZaakRecord)}


@pytest.fixture(scope="module")
def ref(data_dir: Path, zaken: dict[str, ZaakRecord]) -> ReferenceData:
    return complete_reference(reference_data(data_dir), zaken.values())


@pytest.fixture(scope="module")
def resolver(ref: ReferenceData) -> Resolver:
    return Resolver(ref)


def _evidence(data_dir: Path, ref: ReferenceData, resolver: Resolver, zaken: dict[str, ZaakRecord],
              *names: str) -> dict[str, tuple[PostEvidence, ...]]:
    files = [data_dir / "texts" / n for n in names]
    outcomes = process_texts(files, data_dir, TextResolver(ref, resolver, zaken.values()),
                             publication_ids(data_dir), IRIS)
    return post_evidence(t.resolved for t in outcomes if t.resolved)


def test_hirsch_ballin_2010_is_ambiguous_without_a_text(resolver: Resolver, zaken: dict[str, ZaakRecord]) -> None:
    """"Het tekort aan rechters" (2010Z11782): minister van Justitie and of BZK on 2010-08-20, no text."""
    z = zaken["2010Z11782"]
    (b,) = resolver.resolve(z).addressees
    assert b.person_key == HIRSCH_BALLIN and b.post_key is None and b.holding_key is None
    assert b.ambiguous and set(b.candidate_posts) == {JUSTITIE, BZK}
    assert {h.rsplit("-", 1)[1] for h in b.candidate_holdings} == {"20070222", "20100223"}
    assert b.method == "achternaam+voorletters+datum; meerduidig"
    assert b.unresolved_reason == (
        "ambiguous: Hirsch Ballin held 2 posts on 2010-08-20 (minister van Justitie, minister van Binnenlandse "
        "Zaken en Koninkrijksrelaties); no published text names the post")


def test_a_heading_naming_one_candidate_settles_it(resolver: Resolver, zaken: dict[str, ZaakRecord]) -> None:
    """No bundled text of 2010 exists: the evidence a heading "aan de minister van Justitie" would give."""
    z = zaken["2010Z11782"]
    ev = (PostEvidence(JUSTITIE, "kv-tk-2010Z11782", "aanhef"),)
    (b,) = resolver.resolve(z, (), ev).addressees
    assert (b.post_key, b.candidate_posts) == (JUSTITIE, ())
    assert b.holding_key == f"{HIRSCH_BALLIN}-{JUSTITIE}-20070222"
    assert b.method == "achternaam+voorletters+datum; post uit tekst kv-tk-2010Z11782"
    # a post the person did not hold, or both candidates named, settle nothing
    for ev in ((PostEvidence("minister-van-financien", "x", "aanhef"),),
               (PostEvidence(JUSTITIE, "x", "aanhef"), PostEvidence(BZK, "x", "aanhef"))):
        (b,) = resolver.resolve(z, (), ev).addressees
        assert b.ambiguous and b.post_key is None


def test_real_answer_texts_name_the_post(data_dir: Path, ref: ReferenceData, resolver: Resolver,
                                         zaken: dict[str, ZaakRecord]) -> None:
    """ah-tk-20242025-576 prints "aan de minister voor Klimaat en Energie" (Jetten, also vice-premier);
    ah-tk-20242025-609 (the answer letter "AH 609") prints no heading post, only its answering post (Van
    Hijum, Sociale Zaken en Werkgelegenheid, also vice-premier)."""
    ev = _evidence(data_dir, ref, resolver, zaken, "ah-tk-20242025-576.txt",
                   "doc-antwoord-op-vragen-van-het-lid-joseph-ov.txt")
    assert {e.kind for e in ev["2024Z14247"]} == {"beantwoording"}
    jetten = resolver.resolve(zaken["2024Z11074"], (), ev["2024Z11074"]).addressees[0]
    assert jetten.post_key == "minister-voor-klimaat-en-energie"
    assert jetten.method and jetten.method.endswith("; post uit tekst ah-tk-20242025-576")
    van_hijum = resolver.resolve(zaken["2024Z14247"], (), ev["2024Z14247"]).addressees[1]
    assert van_hijum.post_key == "minister-van-sociale-zaken-en-werkgelegenheid"
    assert van_hijum.method and van_hijum.method.endswith("; post uit tekst ah-tk-20242025-609")


def test_one_office_is_not_a_choice(resolver: Resolver) -> None:
    """A title of no ministry beside a ministry's post, and minister-president with Algemene Zaken."""
    de_jonge = resolver.resolve_addressee("Hugo de Jonge (H.M.)", 1, dt.date(2021, 3, 1))
    assert de_jonge.post_key == "minister-van-volksgezondheid-welzijn-en-sport" and not de_jonge.ambiguous
    assert "één ambt" in (de_jonge.method or "") and "viceminister-president" in (de_jonge.method or "")
    rutte = resolver.resolve_addressee("Mark Rutte (M.)", 1, dt.date(2019, 3, 1))
    assert rutte.post_key == "minister-president" and "minister-van-algemene-zaken" in (rutte.method or "")


def test_an_asker_listed_twice_in_one_fractie_keeps_it(resolver: Resolver) -> None:
    """De Lange is listed twice as VVD member from 2017-10-31 (ends one day apart): the fractie is certain."""
    a = resolver.resolve_asker("Leendert de Lange (L.)", "indiener", 1, dt.date(2018, 6, 1))
    assert a.fractie_key == "vvd" and a.unresolved_reason is None
    assert "2 periodes van vvd op datum (dezelfde fractie)" in (a.method or "")


def test_the_ambiguous_addressing_in_the_graph(ref: ReferenceData, resolver: Resolver,
                                               zaken: dict[str, ZaakRecord]) -> None:
    """kg:kandidaatpost and kg:ambtsperiode per candidate, no kg:post; kg:mogelijkGerichtAan, no
    kg:gerichtAan; the graph conforms to the shapes with the reference graphs."""
    g = map_kamervraag(resolver.resolve(zaken["2010Z11782"]), IRIS)
    ds = Dataset(default_union=True)
    ds.parse(data=g.nquads, format="nquads")
    kv, ad = URIRef(IRIS.kamervraag("2010Z11782")), URIRef(IRIS.adressering("2010Z11782", 1))
    posts = {URIRef(IRIS.post(JUSTITIE)), URIRef(IRIS.post(BZK))}
    assert set(ds.objects(ad, URIRef(KG + "kandidaatpost"))) == posts
    assert set(ds.objects(kv, URIRef(KG + "mogelijkGerichtAan"))) == posts
    assert len(set(ds.objects(ad, URIRef(KG + "ambtsperiode")))) == 2
    assert not set(ds.objects(ad, URIRef(KG + "post"))) and not set(ds.objects(kv, URIRef(KG + "gerichtAan")))
    assert str(next(ds.objects(ad, URIRef(KG + "resolutiemethode")))).endswith("; meerduidig")
    staging = OxStore()
    context = "".join(c.nquads for c in context_graphs(ref, IRIS))
    staging.bulk_load((context + g.nquads).encode("utf-8"), format=RdfFormat.N_QUADS)
    report = FastValidator().validate_store(staging, graphs=[g.iri])
    assert report.results == (), report.to_text()
