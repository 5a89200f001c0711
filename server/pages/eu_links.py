"""The EU links the pages show: the Kamervragen about an EU act and the acts related to it (found in a
title, a question, a footnote or an answer, with the words matched, the method and the confidence), the
EU links of one Kamervraag (its title's words marked), and what such a search covered (how many titles
and how many question texts the store holds), said in one sentence."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyoxigraph import NamedNode

from ontology.namespaces import sparql_prefixes
from server.endpoint import run_rows
from server.i18n import EU_LINK_METHODS, EU_LINK_PLACES, tr
from store import generation
from store.pool import Job

if TYPE_CHECKING:
    from server.endpoint import Endpoint

__all__ = ["Coverage", "EULinkRow", "coverage", "eu_questions", "kamervraag_eu_links", "marked", "year_counts"]

_P = sparql_prefixes()
_FAMILY = "(kg:herziet|kg:procedure|kg:leiddeTot|eli:repeals|^kg:herziet|^kg:procedure|^kg:leiddeTot|^eli:repeals)*"
_DETAILS = """  OPTIONAL { ?c kg:tekstfragment ?words }
  OPTIONAL { ?c kg:koppelmethode ?method }
  OPTIONAL { ?c kg:resolutiemethode ?rm }
  OPTIONAL { ?c kg:betrouwbaarheid ?conf }
  OPTIONAL { ?c kg:beginpositie ?begin }
  OPTIONAL { ?c kg:eindpositie ?end }"""

#: Every link to ``?r`` or an act related to it (the register's relations, both ways), with the
#: Kamervraag and where in it the link was found; and every citation of a Kamerstuk that cites such an act
#: (a BNC fiche, :mod:`ingest.bnc`: the question reaches the proposal through the fiche; ``?ks`` is the fiche).
EU_QUESTIONS = _P + f"""SELECT ?r ?act ?kv ?zaak ?date ?title ?citing ?via ?n ?c ?words ?method ?rm ?conf ?begin ?end
WHERE {{
  {{ SELECT DISTINCT ?r ?act WHERE {{ ?act {_FAMILY} ?r }} }}
  {{ ?c cito:hasCitedEntity ?act ; cito:hasCitingEntity ?citing . }}
  UNION
  {{ ?cf cito:hasCitedEntity ?act ; cito:hasCitingEntity ?ks . ?ks a kg:Kamerstuk .
     ?c cito:hasCitedEntity ?ks ; cito:hasCitingEntity ?citing . }}
  # where it was found, each looked up from the citing entity (single patterns on bound variables)
  OPTIONAL {{ ?kvQ kg:heeftVraag ?citing }}
  OPTIONAL {{ ?kvA kg:heeftAntwoord ?citing }}
  OPTIONAL {{ ?citing kg:bijVraag ?fv0 }}
  BIND (COALESCE(?fv0, <urn:x-kamergraph:none>) AS ?fv)
  OPTIONAL {{ ?kvF kg:heeftVraag ?fv }}
  BIND (COALESCE(?kvQ, ?kvF, ?kvA, ?citing) AS ?kv)
  BIND (IF(BOUND(?ks), "kamerstuk", IF(BOUND(?kvQ), "vraag", IF(BOUND(?kvF), "voetnoot",
        IF(BOUND(?kvA), "antwoord", "titel")))) AS ?via)
  BIND (IF(BOUND(?kvF), ?fv, ?citing) AS ?q)
  OPTIONAL {{ ?q kg:vraagnummer ?n }}
  OPTIONAL {{ ?kv kg:zaaknummer ?zaak }}
  OPTIONAL {{ ?kv dcterms:dateSubmitted ?date }}
  OPTIONAL {{ ?kv dcterms:title ?title }}
{_DETAILS}
  FILTER (BOUND(?kvQ) || BOUND(?kvF) || BOUND(?kvA) || (!BOUND(?ks) && STRSTARTS(STR(?rm), "eu-titel:")))
}} LIMIT 5000"""

#: The EU links of Kamervraag ``?r``: in its title, its questions, their footnotes and its answers.
KAMERVRAAG_EU_LINKS = _P + f"""SELECT ?r ?c ?x ?act ?via ?n ?words ?method ?rm ?conf ?begin ?end WHERE {{
  {{ ?c cito:hasCitingEntity ?r . BIND ("titel" AS ?via) }}
  UNION {{ ?r kg:heeftVraag ?x . ?c cito:hasCitingEntity ?x . OPTIONAL {{ ?x kg:vraagnummer ?n }}
          BIND ("vraag" AS ?via) }}
  UNION {{ ?r kg:heeftVraag ?v . ?x kg:bijVraag ?v . ?c cito:hasCitingEntity ?x . OPTIONAL {{ ?v kg:vraagnummer ?n }}
          BIND ("voetnoot" AS ?via) }}
  UNION {{ ?r kg:heeftAntwoord ?x . ?c cito:hasCitingEntity ?x . BIND ("antwoord" AS ?via) }}
  ?c cito:hasCitedEntity ?act .
  VALUES ?type {{ eli:LegalResource kg:EUVoorstel kg:EUProcedure }}
  ?act a ?type .
{_DETAILS}
}}"""

#: What a search for EU links covered: the Kamervragen (their titles, once the store has title links), those
#: with a published question text, and the Kamerstukken that cite an EU resource (BNC fiches a sync brought).
COVERAGE = _P + """SELECT ?cases ?titleLinks ?texts ?fiches WHERE {
  { SELECT (COUNT(?k) AS ?cases) WHERE { ?k a kg:Kamervraag } }
  { SELECT (COUNT(?tc) AS ?titleLinks) WHERE {
      { SELECT ?tc WHERE { ?tc cito:hasCitingEntity ?t ; kg:resolutiemethode ?m .
          FILTER (STRSTARTS(STR(?m), "eu-titel:")) } LIMIT 1 } } }
  { SELECT (COUNT(DISTINCT ?x) AS ?texts) WHERE { ?x kg:heeftVraag ?v } }
  { SELECT (COUNT(DISTINCT ?ks) AS ?fiches) WHERE { ?fc kg:resolutiemethode "eu-proposal:bnc-fiche" ;
      cito:hasCitingEntity ?ks } }
}"""


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many Kamervragen an EU-link search read: every title (``titles``, 0 where the store has no
    title links) and the question texts of ``texts`` of them."""

    cases: int
    titles: int
    texts: int
    fiches: int = 0  # the BNC fiches (Kamerstukken) that link an EU proposal, through which a citing question counts

    def fiche_sentence(self, lang: str) -> str:
        """How questions are found through the BNC fiches (an EU page), with the store's number of fiches."""
        k = f"{self.fiches:,}" if lang == "en" else f"{self.fiches:,}".replace(",", ".")
        return tr(lang, f"Ook via een Kamerstuk dat het voorstel beoordeelt (een BNC-fiche; {k} in de graaf, door "
                        "kamergraph sync gebracht): de Kamervragen waarvan de tekst dat Kamerstuk aanhaalt.",
                  f"Also through a Kamerstuk that assesses the proposal (a BNC fiche; {k} in the graph, brought by "
                  "kamergraph sync): the cases whose text cites that Kamerstuk.")

    def kamerstuk_sentence(self, lang: str) -> str:
        """How the questions citing a Kamerstuk were found: in the texts only (titles are not read for them)."""
        n, m = f"{self.cases:,}", f"{self.texts:,}"
        if lang != "en":
            n, m = n.replace(",", "."), m.replace(",", ".")
        return tr(lang, f"Gevonden in de tekst (vragen, voetnoten, antwoorden) van de {m} Kamervragen waarvan de tekst "
                        f"in de graaf staat; in de titels van de {n} Kamervragen worden geen Kamerstukken gezocht.",
                  f"Found from the text (questions, footnotes, answers) of the {m} cases whose text is in the graph; "
                  f"the titles of the {n} cases are not searched for Kamerstukken.")

    def sentence(self, lang: str) -> str:
        """The coverage said plainly, with the store's numbers."""
        n, m = f"{self.titles:,}", f"{self.texts:,}"
        if lang != "en":
            n, m = n.replace(",", "."), m.replace(",", ".")
        if self.titles:
            return tr(lang, f"Gevonden in de titels van alle {n} Kamervragen en in de vraagtekst van de {m} "
                            "Kamervragen waarvan de tekst in de graaf staat.",
                      f"Found from titles for all {n} cases; from the question text for the {m} cases whose "
                      "text is in the graph.")
        return tr(lang, f"Gevonden in de vraagtekst van de {m} Kamervragen waarvan de tekst in de graaf staat; "
                        "de titels zijn in deze gegevens niet gekoppeld.",
                  f"Found from the question text for the {m} cases whose text is in the graph; the titles are "
                  "not linked in this data.")


@dataclass(frozen=True, slots=True)
class EULinkRow:
    """One EU link: the act, the Kamervraag, where it was found (``via``: titel, vraag, voetnoot, antwoord),
    the words, the method (kg:koppelmethode, else the citation's kg:resolutiemethode) and the confidence."""

    act: str
    kv: str
    zaak: str
    date: str
    title: str
    citing: str
    via: str
    number: int | None
    citation: str
    words: str
    method: str
    confidence: str
    begin: int | None
    end: int | None

    def place(self, lang: str) -> str:
        """Where the link was found, in words ("in de titel", "vraag 3", "footnote at question 2")."""
        nl, en = EU_LINK_PLACES.get(self.via, (self.via, self.via))
        return tr(lang, nl, en).format(n=self.number if self.number is not None else "")

    def method_label(self, lang: str) -> str:
        """The method in words ("naam of afkorting"), or the citation's resolution method as it is."""
        pair = EU_LINK_METHODS.get(self.method)
        return tr(lang, *pair) if pair else self.method


def _v(t) -> str:  # noqa: ANN001 - a pyoxigraph term or None
    return t.value if t is not None else ""


def _int(t) -> int | None:  # noqa: ANN001
    try:
        return int(t.value) if t is not None else None
    except ValueError:
        return None


_COVERAGE: dict[tuple[int, Any], Coverage] = {}
REMOTE_TTL = 60  # seconds a remote store's coverage is kept (it can change behind our back)


def _generation(endpoint: Endpoint) -> Any:
    path = getattr(endpoint, "store_path", None)
    if path is not None and getattr(endpoint, "remote", None) is None:
        return generation.current(path)
    return int(time.monotonic() // REMOTE_TTL)


async def coverage(endpoint: Endpoint) -> Coverage:
    """The Kamervragen in the store, those whose titles were linked (all, once there is a title link) and
    those with a question text: counted once per generation of the store (a count over every Kamervraag
    takes ~0.1 s), then kept."""
    key = (id(endpoint), _generation(endpoint))
    hit = _COVERAGE.get(key)
    if hit is not None:
        return hit
    answer = await run_rows(endpoint, Job(COVERAGE, output="rows", bindings={}))
    cases, links, texts, fiches = next(iter(answer.result.rows), (None, None, None, None))
    n = _int(cases) or 0
    cov = Coverage(n, n if (_int(links) or 0) > 0 else 0, _int(texts) or 0, _int(fiches) or 0)
    if len(_COVERAGE) > 16:
        _COVERAGE.clear()
    _COVERAGE[key] = cov
    return cov


def _row(act, kv, zaak, date, title, citing, via, n, c, words, method, rm, conf, begin,  # noqa: ANN001
         end) -> EULinkRow:
    return EULinkRow(_v(act), _v(kv), _v(zaak), _v(date)[:10], _v(title), _v(citing), _v(via), _int(n), _v(c),
                     _v(words), _v(method) or _v(rm), _v(conf), _int(begin), _int(end))


async def eu_questions(endpoint: Endpoint, iri: str) -> list[EULinkRow]:
    """Every link to the act ``iri`` or a related act, newest Kamervraag first, title links before text links."""
    answer = await run_rows(endpoint, Job(EU_QUESTIONS, output="rows", bindings={"r": NamedNode(iri)}))
    rows = {(r.citation, r.act): r for r in (_row(*row[1:]) for row in answer.result.rows)}
    order = {"titel": 0, "vraag": 1, "voetnoot": 2, "antwoord": 3}
    return sorted(rows.values(), key=lambda r: (r.date, r.zaak, -order.get(r.via, 9), -(r.number or 0), r.citation),
                  reverse=True)


async def kamervraag_eu_links(endpoint: Endpoint, iri: str) -> list[EULinkRow]:
    """The EU links of Kamervraag ``iri``: its title's first, then its questions', footnotes' and answers'."""
    answer = await run_rows(endpoint, Job(KAMERVRAAG_EU_LINKS, output="rows", bindings={"r": NamedNode(iri)}))
    rows = {}
    for r, c, x, act, via, n, words, method, rm, conf, begin, end in answer.result.rows:
        row = _row(act, r, None, None, None, x or r, via, n, c, words, method, rm, conf, begin, end)
        rows[(row.citation, row.act)] = row
    order = {"titel": 0, "vraag": 1, "voetnoot": 2, "antwoord": 3}
    return sorted(rows.values(), key=lambda r: (order.get(r.via, 9), r.number or 0, r.begin or 0, r.citation))


def year_counts(rows: list[EULinkRow]) -> list[tuple[int, int]]:
    """(year, number of distinct Kamervragen) for the rows, by year."""
    kvs = {(r.kv, r.date[:4]) for r in rows if r.date[:4].isdigit()}
    return sorted(Counter(int(y) for _, y in kvs).items())


def marked(title: str, rows: list[EULinkRow]) -> list[tuple[str, bool]]:
    """The title cut into pieces, each marked where a title link's span covers it."""
    spans = sorted((r.begin, r.end) for r in rows if r.via == "titel" and r.begin is not None and r.end is not None
                   and 0 <= r.begin < r.end <= len(title))
    out: list[tuple[str, bool]] = []
    at = 0
    for b, e in spans:
        if b < at:
            b = at
        if b >= e:
            continue
        if b > at:
            out.append((title[at:b], False))
        out.append((title[b:e], True))
        at = e
    if at < len(title):
        out.append((title[at:], False))
    return out
