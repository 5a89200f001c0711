"""Map: resolved records -> RDF, one named graph per source record, with provenance.

Graphs are written directly as N-Quads text, which Oxigraph bulk-loads at full speed (building
2 million pyoxigraph or rdflib term objects would cost several times more); tests parse them
with rdflib for isomorphism checks. The shape of the output is documented in
``docs/example-graph.trig``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.citations.linker import EULink, link_title
from ingest.records import (
    AddresseeLink,
    AskerLink,
    ReferenceData,
    ResolvedKamervraag,
    SourceRef,
)
from ontology.namespaces import (
    WD,
    XSD_BOOLEAN,
    XSD_DATE,
    XSD_DATETIME,
    XSD_GYEAR,
    XSD_INTEGER,
    Iris,
    T,
    officielebekendmakingen_url,
)

ODATA_SOURCE_KIND = "odata-zaak"
KOPPELMETHODE = T.koppelmethode  # how an EU link was found: citaat, nummer, naam, onderwerp
BETROUWBAARHEID = T.betrouwbaarheid  # how sure the link is, in (0, 1]
NAAMHERKOMST = T.naamherkomst  # where a person's display name came from, when not from the lists
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"

# N-Triples escaping of a literal's lexical form (ECHAR): backslash, quote, CR, LF.
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def node(iri: str) -> str:
    """An IRI term in N-Triples syntax; refuses characters an IRI may not hold."""
    if _BAD_IRI.search(iri):
        raise ValueError(f"not a valid IRI: {iri!r}")
    return f"<{iri}>"


_V = {}  # vocabulary terms, formatted once


def v(iri: str) -> str:
    t = _V.get(iri)
    if t is None:
        t = _V[iri] = node(iri)
    return t


TRUE = f'"true"^^<{XSD_BOOLEAN}>'
FALSE = f'"false"^^<{XSD_BOOLEAN}>'


def lit(value: str | int | bool | dt.date | dt.datetime, lang: str | None = None) -> str:
    """A literal in N-Triples syntax (typed for ints, booleans, dates and date-times)."""
    if isinstance(value, str):  # the commonest; most need no escape (a scan for four characters is cheap)
        if '"' in value or "\\" in value or "\n" in value or "\r" in value:
            value = value.translate(_ESCAPES)
        return f'"{value}"@{lang}' if lang else f'"{value}"'
    if isinstance(value, bool):
        return TRUE if value else FALSE
    if isinstance(value, int):
        return f'"{value}"^^<{XSD_INTEGER}>'
    if isinstance(value, dt.datetime):
        return f'"{value.isoformat()}"^^<{XSD_DATETIME}>'
    if isinstance(value, dt.date):
        return f'"{value.isoformat()}"^^<{XSD_DATE}>'
    raise TypeError(f"no literal for a {type(value).__name__}: {value!r}")


def gyear(year: int) -> str:
    return f'"{year:04d}"^^<{XSD_GYEAR}>'


class GraphBuilder:
    """Collects the statements of one named graph as N-Quads lines."""

    __slots__ = ("iri", "g", "lines")

    def __init__(self, graph_iri: str) -> None:
        self.iri = graph_iri
        self.g = node(graph_iri)
        self.lines: list[str] = []

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} {v(p)} {o} {self.g} .\n")

    def opt(self, s: str, p: str, o: str | None) -> None:
        if o is not None:
            self.lines.append(f"{s} {v(p)} {o} {self.g} .\n")

    def provenance(self, source_record: str, src: SourceRef | None) -> None:
        self.add(self.g, T.type, v(T.Entity))
        self.add(self.g, T.type, v(T.Recordgraaf))
        self.add(self.g, T.was_derived_from, node(source_record))
        if src is not None:
            self.add(self.g, T.bronbestand, lit(src.file))
            if src.line is not None:
                self.add(self.g, T.bronregel, lit(src.line))

    def graph(self) -> MappedGraph:
        return MappedGraph(self.iri, "".join(dict.fromkeys(self.lines)))


@dataclass(frozen=True, slots=True)
class MappedGraph:
    """One named graph: its IRI and its statements as N-Quads text (a set: no line twice)."""

    iri: str
    nquads: str

    def __len__(self) -> int:
        return self.nquads.count("\n")


_ENTITIES: dict[tuple[str, str, str], str] = {}  # (base, kind, key) -> the IRI term, for the reference entities


def entity(iris: Iris, kind: str, key: str) -> str:
    """The IRI term of a reference entity (``iris.id(kind, key)``: a person, membership, fractie, post, holding),
    formatted once per base and key: the Zaken name the same few thousand entities hundreds of thousands of
    times."""
    t = _ENTITIES.get((iris.base, kind, key))
    if t is None:
        t = _ENTITIES[(iris.base, kind, key)] = node(iris.id(kind, key))
    return t


def wikidata(qid: str | None) -> str | None:
    return node(WD + qid) if qid else None


# --------------------------------------------------------------------------- Kamervraag


def map_asker(b: GraphBuilder, iris: Iris, nummer: str, kv: str, a: AskerLink) -> str:
    vs = node(iris.vraagstelling(nummer, a.position))
    b.add(vs, T.type, v(T.Vraagstelling))
    b.add(vs, T.rol, v(T.RolIndiener if a.role == "indiener" else T.RolMedeindiener))
    b.add(vs, T.position, lit(a.position))
    b.add(vs, T.naam_in_bron, lit(a.name_in_source))
    if a.person_key:
        person = entity(iris, "persoon", a.person_key)
        b.add(vs, T.persoon, person)
        b.add(kv, T.indiener if a.role == "indiener" else T.medeindiener, person)
        if a.kamer_membership_key:
            b.add(vs, T.kamerlidmaatschap, entity(iris, "kamerlidmaatschap", a.kamer_membership_key))
        if a.fractie_membership_key:
            b.add(vs, T.fractielidmaatschap, entity(iris, "fractielidmaatschap", a.fractie_membership_key))
        if a.fractie_key:
            b.add(vs, T.fractie, entity(iris, "fractie", a.fractie_key))
    b.opt(vs, T.resolutiemethode, lit(a.method) if a.method else None)
    b.opt(vs, T.onopgelost, lit(a.unresolved_reason) if a.unresolved_reason else None)
    return vs


def map_addressee(b: GraphBuilder, iris: Iris, nummer: str, kv: str, a: AddresseeLink) -> str:
    ad = node(iris.adressering(nummer, a.position))
    b.add(ad, T.type, v(T.Adressering))
    b.add(ad, T.position, lit(a.position))
    b.add(ad, T.naam_in_bron, lit(a.name_in_source))
    if a.person_key:
        person = entity(iris, "persoon", a.person_key)
        b.add(ad, T.persoon, person)
        b.add(kv, T.gericht_aan_persoon, person)
    if a.post_key:
        post = entity(iris, "post", a.post_key)
        b.add(ad, T.post, post)
        b.add(kv, T.gericht_aan, post)
    if a.holding_key:
        b.add(ad, T.ambtsperiode, entity(iris, "ambtsperiode", a.holding_key))
    for key in a.candidate_posts:  # ambiguous: every post of the date, none of them certain
        post = node(iris.post(key))
        b.add(ad, T.kandidaatpost, post)
        b.add(kv, T.mogelijk_gericht_aan, post)
    for key in a.candidate_holdings:
        b.add(ad, T.ambtsperiode, node(iris.ambtsperiode(key)))
    b.opt(ad, T.resolutiemethode, lit(a.method) if a.method else None)
    b.opt(ad, T.onopgelost, lit(a.unresolved_reason) if a.unresolved_reason else None)
    return ad


def decimal(value: float) -> str:
    """An xsd:decimal literal in canonical form: 0.85 -> "0.85"^^xsd:decimal, 1 -> "1.0"^^xsd:decimal."""
    return f'"{float(round(value, 2))!r}"^^<{XSD_DECIMAL}>'


def map_eu_links(b: GraphBuilder, kv: str, links: list[EULink]) -> None:
    """The EU links found in the title of the Kamervraag ``kv`` (:func:`ingest.citations.linker.link_title`):
    ``kv cito:cites act`` and, per link in span order, a kg:Citatie ``{kv}/eu-koppeling/{i}`` with the
    words, their span in the title, the method and the confidence."""
    for i, k in enumerate(links, start=1):
        target = node(k.resource.iri)
        cit = node(f"{kv[1:-1]}/eu-koppeling/{i}")
        b.add(kv, T.cites, target)
        b.add(cit, T.type, v(T.Citatie))
        b.add(cit, T.has_citing_entity, kv)
        b.add(cit, T.has_cited_entity, target)
        b.add(cit, T.tekstfragment, lit(k.words))
        b.add(cit, T.beginpositie, lit(k.start))
        b.add(cit, T.eindpositie, lit(k.end))
        b.add(cit, T.resolutiemethode, lit(f"eu-titel:{k.method}"))
        b.add(cit, KOPPELMETHODE, lit(k.method))
        b.add(cit, BETROUWBAARHEID, decimal(k.confidence))


def map_kamervraag(rk: ResolvedKamervraag, iris: Iris) -> MappedGraph:
    """A resolved Zaak as its named graph."""
    z = rk.zaak
    b = GraphBuilder(iris.zaak_graph(z.nummer))
    kv = node(iris.kamervraag(z.nummer))
    b.add(kv, T.type, v(T.Kamervraag))
    b.add(kv, T.zaaknummer, lit(z.nummer))
    b.add(kv, T.identifier, lit(z.nummer))
    b.add(kv, T.tk_id, lit(z.id))
    if z.onderwerp:
        b.add(kv, T.title, lit(z.onderwerp, "nl"))
        map_eu_links(b, kv, link_title(z.onderwerp, z.gestart_op))
    b.add(kv, T.date_submitted, lit(z.gestart_op))
    b.opt(kv, T.vergaderjaar, lit(z.vergaderjaar) if z.vergaderjaar else None)
    b.opt(kv, T.status, lit(z.status) if z.status else None)
    b.opt(kv, T.afgedaan, lit(z.afgedaan) if z.afgedaan is not None else None)
    modified = lit(z.gewijzigd_op) if z.gewijzigd_op else None
    b.opt(kv, T.modified, modified)
    for c in z.voortouwcommissie:
        b.add(kv, T.voortouwcommissie, lit(c))
    for a in rk.askers:
        b.add(kv, T.vraagstelling, map_asker(b, iris, z.nummer, kv, a))
    for a in rk.addressees:
        b.add(kv, T.adressering, map_addressee(b, iris, z.nummer, kv, a))
    if rk.publication_id:
        pub = node(iris.publicatie(rk.publication_id))
        b.add(kv, T.publicatie, pub)
        b.add(pub, T.type, v(T.Publicatie))
        b.add(pub, T.publicatie_id, lit(rk.publication_id))
        b.add(pub, T.page, node(officielebekendmakingen_url(rk.publication_id)))
    b.provenance(iris.source_record(ODATA_SOURCE_KIND, z.id), z.source)
    b.opt(b.g, T.modified, modified)
    return b.graph()


# --------------------------------------------------------------------------- reference data

REFERENCE_GRAPHS = ("personen", "lidmaatschappen", "fracties", "regering")


def _persons_graph(ref: ReferenceData, iris: Iris) -> MappedGraph:
    """The ``personen`` graph: every person with its names, birth, ids and Wikidata link; where the display name
    is the Tweede Kamer's, not the lists' (:mod:`ingest.name_use`), the lists' name as ``skos:altLabel`` and where
    the display name came from as ``kg:naamherkomst``."""
    b = GraphBuilder(iris.reference_graph("personen"))
    for p in ref.persons.values():
        s = node(iris.persoon(p.key))
        b.add(s, T.type, v(T.Persoon))
        b.add(s, T.name, lit(p.name))
        b.add(s, T.label, lit(p.name))
        b.add(s, T.family_name, lit(p.family_name))
        b.opt(s, T.given_name, lit(p.given_name) if p.given_name else None)
        b.opt(s, T.tussenvoegsel, lit(p.prefix) if p.prefix else None)
        b.opt(s, T.voornamen, lit(p.first_names) if p.first_names else None)
        b.opt(s, T.voorletters, lit(p.initials) if p.initials else None)
        b.opt(s, T.birth_date, lit(p.birth_date) if p.birth_date else None)
        year = p.birth_year or (p.birth_date.year if p.birth_date else None)
        b.opt(s, T.geboortejaar, gyear(year) if year else None)
        b.opt(s, T.tk_persoon_id, lit(p.tk_guid) if p.tk_guid else None)
        b.opt(s, T.ledenlijst_id, lit(p.ledenlijst_id) if p.ledenlijst_id else None)
        b.opt(s, T.parlement_com_id, lit(p.parlement_com_id) if p.parlement_com_id else None)
        b.opt(s, T.same_as, wikidata(p.wikidata))
        for alt in p.alt_names:
            if alt != p.name:
                b.add(s, T.alt_label, lit(alt))
        b.opt(s, NAAMHERKOMST, lit(p.name_derivation) if p.name_derivation else None)
    b.provenance(iris.source_record("referentie", "personen"), None)
    return b.graph()


def _corrections(b: GraphBuilder, iris: Iris, s: str, record: object) -> None:
    """The provenance of a period the corrections register changed
    (:mod:`ingest.reference_corrections`): it ``prov:wasDerivedFrom`` each correction, a
    ``prov:Entity`` labelled with the change and carrying the register's file and row, and each
    source that is a URL (from which the correction is derived too)."""
    for c in getattr(record, "corrections", ()):
        cn = node(iris.source_record("correctie", c.id))
        b.add(s, T.was_derived_from, cn)
        b.add(cn, T.type, v(T.Entity))
        b.add(cn, T.label, lit(c.text))
        b.add(cn, T.bronbestand, lit(c.row.file))
        b.opt(cn, T.bronregel, lit(c.row.line) if c.row.line is not None else None)
        if c.source.startswith(("http://", "https://")) and not _BAD_IRI.search(c.source):
            b.add(s, T.was_derived_from, node(c.source))
            b.add(cn, T.was_derived_from, node(c.source))


def _memberships_graph(ref: ReferenceData, iris: Iris) -> MappedGraph:
    """The ``lidmaatschappen`` graph: the Kamer memberships, then the fractie memberships."""
    b = GraphBuilder(iris.reference_graph("lidmaatschappen"))
    kamer = node(iris.kamer())
    for m in ref.kamer_memberships:
        s = node(iris.kamerlidmaatschap(m.key))
        b.add(s, T.type, v(T.Kamerlidmaatschap))
        b.add(s, T.member, node(iris.persoon(m.person_key)))
        b.add(s, T.organization, kamer)
        b.add(s, T.start_date, lit(m.start))
        b.opt(s, T.end_date, lit(m.end) if m.end else None)
        b.opt(s, T.herkomst, lit(m.derivation) if m.derivation else None)
    for fm in ref.fractie_memberships:
        s = node(iris.fractielidmaatschap(fm.key))
        b.add(s, T.type, v(T.Fractielidmaatschap))
        b.add(s, T.member, node(iris.persoon(fm.person_key)))
        b.add(s, T.organization, node(iris.fractie(fm.fractie_key)))
        b.add(s, T.start_date, lit(fm.start))
        b.opt(s, T.end_date, lit(fm.end) if fm.end else None)
        b.opt(s, T.functie, lit(fm.function) if fm.function else None)
        b.opt(s, T.herkomst, lit(fm.derivation) if fm.derivation else None)
        _corrections(b, iris, s, fm)
    b.provenance(iris.source_record("referentie", "lidmaatschappen"), None)
    return b.graph()


def _fracties_graph(ref: ReferenceData, iris: Iris) -> MappedGraph:
    """The ``fracties`` graph: the chamber and every fractie with its names."""
    b = GraphBuilder(iris.reference_graph("fracties"))
    kamer = node(iris.kamer())
    b.add(kamer, T.type, v(T.Kamer))
    b.add(kamer, T.label, lit("Tweede Kamer der Staten-Generaal", "nl"))
    b.add(kamer, T.label, lit("House of Representatives of the Netherlands", "en"))
    b.add(kamer, T.same_as, node(WD + "Q233262"))
    for f in ref.fracties.values():
        s = node(iris.fractie(f.key))
        b.add(s, T.type, v(T.Fractie))
        b.add(s, T.label, lit(f.name))
        b.add(s, T.pref_label, lit(f.name, "nl"))
        b.opt(s, T.afkorting, lit(f.short_name) if f.short_name else None)
        for alt in f.alt_names:
            b.add(s, T.alt_label, lit(alt, "nl"))
        b.opt(s, T.same_as, wikidata(f.wikidata))
    b.provenance(iris.source_record("referentie", "fracties"), None)
    return b.graph()


def _add_cabinets_and_ministries(b: GraphBuilder, ref: ReferenceData, iris: Iris) -> None:
    """The cabinets, then the ministries (with their successors), into the government graph."""
    for c in ref.cabinets.values():
        s = node(iris.kabinet(c.key))
        b.add(s, T.type, v(T.Kabinet))
        b.add(s, T.label, lit(c.name, "nl"))
        b.add(s, T.start_date, lit(c.start))
        b.opt(s, T.end_date, lit(c.end) if c.end else None)
        b.opt(s, T.same_as, wikidata(c.wikidata))
    for mi in ref.ministries.values():
        s = node(iris.ministerie(mi.key))
        b.add(s, T.type, v(T.Ministerie))
        b.add(s, T.label, lit(mi.name, "nl"))
        b.opt(s, T.afkorting, lit(mi.abbreviation) if mi.abbreviation else None)
        b.opt(s, T.tooi, node(mi.tooi) if mi.tooi else None)
        b.opt(s, T.same_as, wikidata(mi.wikidata))
        b.opt(s, T.start_date, lit(mi.valid_from) if mi.valid_from else None)
        b.opt(s, T.end_date, lit(mi.valid_to) if mi.valid_to else None)
        for other in mi.replaced_by:
            b.add(s, T.is_replaced_by, node(iris.ministerie(other)))


def _add_posts_and_holdings(b: GraphBuilder, ref: ReferenceData, iris: Iris) -> None:
    """The posts, then the holdings (each also as person ``holds`` post), into the government graph."""
    for po in ref.posts.values():
        s = node(iris.post(po.key))
        b.add(s, T.type, v(T.Post))
        b.add(s, T.label, lit(po.label, "nl"))
        b.add(s, T.postsoort, lit(po.kind))
        b.opt(s, T.portefeuille, lit(po.portfolio) if po.portfolio else None)
        b.opt(s, T.post_in, node(iris.ministerie(po.ministry_key)) if po.ministry_key else None)
    for h in ref.holdings:
        s = node(iris.ambtsperiode(h.key))
        person = node(iris.persoon(h.person_key))
        post = node(iris.post(h.post_key))
        b.add(s, T.type, v(T.Ambtsperiode))
        b.add(s, T.post, post)
        b.add(s, T.persoon, person)
        b.opt(s, T.kabinet, node(iris.kabinet(h.cabinet_key)) if h.cabinet_key else None)
        b.add(s, T.start_date, lit(h.start))
        b.opt(s, T.end_date, lit(h.end) if h.end else None)
        b.add(s, T.waarnemend, lit(h.acting))
        b.add(person, T.holds, post)
        _corrections(b, iris, s, h)


def _government_graph(ref: ReferenceData, iris: Iris) -> MappedGraph:
    """The ``regering`` graph: cabinets, ministries, posts and holdings."""
    b = GraphBuilder(iris.reference_graph("regering"))
    _add_cabinets_and_ministries(b, ref, iris)
    _add_posts_and_holdings(b, ref, iris)
    b.provenance(iris.source_record("referentie", "regering"), None)
    return b.graph()


def map_reference(ref: ReferenceData, iris: Iris) -> Iterator[MappedGraph]:
    """The reference data as a few named graphs (``REFERENCE_GRAPHS``, in that order)."""
    yield _persons_graph(ref, iris)
    yield _memberships_graph(ref, iris)
    yield _fracties_graph(ref, iris)
    yield _government_graph(ref, iris)
