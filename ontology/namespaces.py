"""Namespaces, vocabulary terms and IRI minting.

The ontology namespace is fixed; data IRIs are ``{base}id/{kind}/{key}`` under the
deployment's configured base, graph IRIs ``{base}graph/{kind}/{key}``.
Terms are plain strings (full IRIs) so that every stage can use them without rdflib.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

KG = "https://w3id.org/kamergraph/def#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
CITO = "http://purl.org/spar/cito/"
ELI = "http://data.europa.eu/eli/ontology#"
ELI_DL = "http://data.europa.eu/eli/eli-draft-legislation-ontology#"
SH = "http://www.w3.org/ns/shacl#"
TK = "https://opendata.tweedekamer.nl/documentatie/"
WD = "http://www.wikidata.org/entity/"
OB = "https://zoek.officielebekendmakingen.nl/"

PREFIXES: dict[str, str] = {
    "kg": KG,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
    "foaf": FOAF,
    "org": ORG,
    "prov": PROV,
    "cito": CITO,
    "eli": ELI,
    "eli-dl": ELI_DL,
    "sh": SH,
    "tk": TK,
    "wd": WD,
}


def sparql_prefixes(extra: dict[str, str] | None = None) -> str:
    """PREFIX lines for every project prefix (and ``extra``)."""
    items = dict(PREFIXES)
    if extra:
        items.update(extra)
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in items.items())


class T:
    """Vocabulary terms used by the mapping, the shapes and the queries (full IRIs)."""

    type = RDF + "type"
    label = RDFS + "label"
    comment = RDFS + "comment"
    same_as = OWL + "sameAs"
    pref_label = SKOS + "prefLabel"
    alt_label = SKOS + "altLabel"
    definition = SKOS + "definition"
    identifier = DCTERMS + "identifier"
    title = DCTERMS + "title"
    date_submitted = DCTERMS + "dateSubmitted"
    modified = DCTERMS + "modified"
    source = DCTERMS + "source"
    is_replaced_by = DCTERMS + "isReplacedBy"
    replaces = DCTERMS + "replaces"
    start_date = SCHEMA + "startDate"
    end_date = SCHEMA + "endDate"
    birth_date = SCHEMA + "birthDate"
    position = SCHEMA + "position"
    text = SCHEMA + "text"
    url = SCHEMA + "url"
    name = FOAF + "name"
    given_name = FOAF + "givenName"
    family_name = FOAF + "familyName"
    page = FOAF + "page"
    member = ORG + "member"
    organization = ORG + "organization"
    post_in = ORG + "postIn"
    holds = ORG + "holds"
    held_by = ORG + "heldBy"
    was_derived_from = PROV + "wasDerivedFrom"
    was_generated_by = PROV + "wasGeneratedBy"
    cites = CITO + "cites"

    # classes
    Kamervraag = KG + "Kamervraag"
    Vraag = KG + "Vraag"
    Antwoord = KG + "Antwoord"
    Publicatie = KG + "Publicatie"
    Persoon = KG + "Persoon"
    Fractie = KG + "Fractie"
    Fractielidmaatschap = KG + "Fractielidmaatschap"
    Kamerlidmaatschap = KG + "Kamerlidmaatschap"
    Kamer = KG + "Kamer"
    Post = KG + "Post"
    Ambtsperiode = KG + "Ambtsperiode"
    Ministerie = KG + "Ministerie"
    Kabinet = KG + "Kabinet"
    Kamerstuk = KG + "Kamerstuk"
    Kamerstukdossier = KG + "Kamerstukdossier"
    Citatie = KG + "Citatie"
    Vraagstelling = KG + "Vraagstelling"
    Adressering = KG + "Adressering"
    Vraagstellersrol = KG + "Vraagstellersrol"
    Bronrecord = KG + "Bronrecord"
    Recordgraaf = KG + "Recordgraaf"
    EULegalResource = ELI + "LegalResource"
    Entity = PROV + "Entity"

    # individuals
    RolIndiener = KG + "RolIndiener"
    RolMedeindiener = KG + "RolMedeindiener"

    # Kamervraag
    zaaknummer = KG + "zaaknummer"
    tk_id = KG + "tkId"
    vergaderjaar = KG + "vergaderjaar"
    status = KG + "status"
    afgedaan = KG + "afgedaan"
    indiener = KG + "indiener"
    medeindiener = KG + "medeindiener"
    vraagstelling = KG + "vraagstelling"
    gericht_aan = KG + "gerichtAan"
    gericht_aan_persoon = KG + "gerichtAanPersoon"
    mogelijk_gericht_aan = KG + "mogelijkGerichtAan"  # an ambiguous addressing's candidate post (not kg:gerichtAan)
    kandidaatpost = KG + "kandidaatpost"
    adressering = KG + "adressering"
    publicatie = KG + "publicatie"
    voortouwcommissie = KG + "voortouwcommissie"
    heeft_vraag = KG + "heeftVraag"
    heeft_antwoord = KG + "heeftAntwoord"
    beantwoordt = KG + "beantwoordt"
    vraagnummer = KG + "vraagnummer"
    # Vraagstelling / Adressering
    persoon = KG + "persoon"
    rol = KG + "rol"
    fractie = KG + "fractie"
    kamerlidmaatschap = KG + "kamerlidmaatschap"
    fractielidmaatschap = KG + "fractielidmaatschap"
    post = KG + "post"
    ambtsperiode = KG + "ambtsperiode"
    naam_in_bron = KG + "naamInBron"
    resolutiemethode = KG + "resolutiemethode"
    onopgelost = KG + "onopgelost"
    # Persoon
    tussenvoegsel = KG + "tussenvoegsel"
    voornamen = KG + "voornamen"
    voorletters = KG + "voorletters"
    geboortejaar = KG + "geboortejaar"
    tk_persoon_id = KG + "tkPersoonId"
    ledenlijst_id = KG + "ledenlijstId"
    parlement_com_id = KG + "parlementComId"
    # memberships, posts
    functie = KG + "functie"
    afkorting = KG + "afkorting"
    postsoort = KG + "postsoort"
    portefeuille = KG + "portefeuille"
    kabinet = KG + "kabinet"
    waarnemend = KG + "waarnemend"
    tooi = KG + "tooi"
    # publications and documents
    publicatie_id = KG + "publicatieId"
    dossier = KG + "dossier"
    dossiernummer = KG + "dossiernummer"
    ondernummer = KG + "ondernummer"
    # provenance of a named graph
    bronbestand = KG + "bronbestand"
    bronregel = KG + "bronregel"
    herkomst = KG + "herkomst"
    naamherkomst = KG + "naamherkomst"  # where a person's display name came from (ingest.name_use)
    # published texts: documents, parts, footnotes, citations, provenance of extracted facts
    Voetnoot = KG + "Voetnoot"
    EUVoorstel = KG + "EUVoorstel"
    EUProcedure = KG + "EUProcedure"
    publicatiesoort = KG + "publicatiesoort"
    ontvangen_op = KG + "ontvangenOp"
    betreft = KG + "betreft"
    antwoord_door = KG + "antwoordDoor"
    antwoord_vanuit_post = KG + "antwoordVanuitPost"
    mede_namens = KG + "medeNamens"
    ruwe_tekst = KG + "ruweTekst"
    voetnoot = KG + "voetnoot"
    voetnootnummer = KG + "voetnootnummer"
    bij_vraag = KG + "bijVraag"
    tekstfragment = KG + "tekstfragment"
    koppelmethode = KG + "koppelmethode"  # how an EU link was found: citaat, nummer, naam, onderwerp
    betrouwbaarheid = KG + "betrouwbaarheid"  # how sure an EU link is, an xsd:decimal in (0, 1]
    beginpositie = KG + "beginpositie"
    eindpositie = KG + "eindpositie"
    zekerheid = KG + "zekerheid"
    celex = KG + "celex"
    procedure = KG + "procedure"
    leidde_tot = KG + "leiddeTot"
    herziet = KG + "herziet"
    has_citing_entity = CITO + "hasCitingEntity"
    has_cited_entity = CITO + "hasCitedEntity"
    repeals = ELI + "repeals"
    amends = ELI + "amends"
    date = DCTERMS + "date"


# Literal datatypes
XSD_STRING = XSD + "string"
XSD_DATE = XSD + "date"
XSD_DATETIME = XSD + "dateTime"
XSD_BOOLEAN = XSD + "boolean"
XSD_INTEGER = XSD + "integer"
XSD_GYEAR = XSD + "gYear"

ZAAKNUMMER_RE = re.compile(r"^(19|20)\d{2}Z\d{5}$")
VERGADERJAAR_RE = re.compile(r"^(\d{4})-(\d{4})$")


def slug(text: str) -> str:
    """A stable, readable IRI key: ASCII, lower case, words joined by '-'."""
    norm = unicodedata.normalize("NFKD", text)
    ascii_ = norm.encode("ascii", "ignore").decode("ascii").lower()
    ascii_ = re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")
    return ascii_ or "x"


_PLAIN_KEY = re.compile(r"^[A-Za-z0-9._~/-]+$")


def _key(key: str) -> str:
    """A key as an IRI path segment: kept as is when plain, else percent-encoded."""
    return key if _PLAIN_KEY.match(key) else quote(key, safe="-._~/")


@dataclass(frozen=True, slots=True)
class Iris:
    """Mints data and graph IRIs under one deployment base (ending in '/')."""

    base: str

    def __post_init__(self) -> None:
        if not self.base.endswith("/"):
            raise ValueError(f"IRI base must end with '/': {self.base!r}")

    def id(self, kind: str, key: str) -> str:
        return f"{self.base}id/{kind}/{_key(key)}"

    def graph(self, kind: str, key: str) -> str:
        return f"{self.base}graph/{kind}/{_key(key)}"

    # data resources
    def kamervraag(self, nummer: str) -> str:
        return self.id("kamervraag", nummer)

    def vraagstelling(self, nummer: str, position: int) -> str:
        return f"{self.kamervraag(nummer)}/vraagsteller/{position}"

    def adressering(self, nummer: str, position: int) -> str:
        return f"{self.kamervraag(nummer)}/adressering/{position}"

    def vraag(self, nummer: str, n: int) -> str:
        return f"{self.kamervraag(nummer)}/vraag/{n}"

    def antwoord(self, nummer: str, n: int) -> str:
        return f"{self.kamervraag(nummer)}/antwoord/{n}"

    def persoon(self, key: str) -> str:
        return self.id("persoon", key)

    def fractie(self, key: str) -> str:
        return self.id("fractie", key)

    def fractielidmaatschap(self, key: str) -> str:
        return self.id("fractielidmaatschap", key)

    def kamerlidmaatschap(self, key: str) -> str:
        return self.id("kamerlidmaatschap", key)

    def post(self, key: str) -> str:
        return self.id("post", key)

    def ambtsperiode(self, key: str) -> str:
        return self.id("ambtsperiode", key)

    def ministerie(self, key: str) -> str:
        return self.id("ministerie", key)

    def kabinet(self, key: str) -> str:
        return self.id("kabinet", key)

    def publicatie(self, pub_id: str) -> str:
        return self.id("publicatie", pub_id)

    def kamerstuk(self, dossier: str, nummer: str) -> str:
        return self.id("kamerstuk", f"{dossier}-{nummer}")

    def dossier(self, dossier: str) -> str:
        return self.id("dossier", dossier)

    def kamer(self) -> str:
        return self.id("orgaan", "tweede-kamer")

    # named graphs
    def zaak_graph(self, nummer: str) -> str:
        return self.graph("kamervraag", nummer)

    def reference_graph(self, name: str) -> str:
        return self.graph("referentie", name)

    def ontology_graph(self) -> str:
        return self.graph("ontologie", "kamergraph")

    def source_record(self, kind: str, key: str) -> str:
        return self.id("bronrecord", f"{kind}/{key}")


def officielebekendmakingen_url(pub_id: str) -> str:
    return OB + pub_id
