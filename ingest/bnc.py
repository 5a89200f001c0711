"""BNC fiches: the government's assessment of a new Commission proposal, a Kamerstuk of dossier 22112.

For each new Commission proposal the working group Beoordeling Nieuwe Commissievoorstellen (BNC) writes
a fiche, sent to the Tweede Kamer as a Kamerstuk of dossier 22 112 ("Nieuwe Commissievoorstellen en
initiatieven van de lidstaten van de Europese Unie"). Its record (a Tweede Kamer OData Document of that
dossier) names it ("Fiche: Dual-Useverordening"); its text names the proposal by its Commission number
under "Nr. Commissiedocument: COM(2016) 616". This module reads both and links the fiche to the
proposal, so that a question citing "Kamerstuk 22 112, nr. 2240" reaches COM(2016) 616 through it:

- :func:`fiche_of_document`: a Document record of dossier 22112 whose title or subject opens with
  "Fiche" -> a :class:`Fiche` (dossier, number, title, date, where it was read), else None;
- :func:`commission_numbers`: the Commission numbers a fiche names: in its title where the title
  prints one, else in the text under the fiche's own heading ("Fiche: X" followed by "1. Algemene
  gegevens"; a covering letter's list of the other fiches, each its own Kamerstuk, is not it), each
  with the words, the span and whether the fiche calls it a proposal ("Titel voorstel: Voorstel voor
  een verordening ...");
- :func:`link_fiche`: each number to the EU register's resource (a verified row), else, where the
  fiche calls it a proposal, to the proposal's CELEX IRI; a number that is neither is reported, not linked;
- :func:`map_fiche`: the fiche's graph (``graph/bnc-fiche/{dossier}-{number}``): the Kamerstuk as a
  cited one is described (``kg:Kamerstuk``, its dossier and number, ``kg:publicatieId``, its page),
  its title, ``cito:cites`` the proposal, and one ``kg:Citatie`` per number with the words, the span,
  ``kg:resolutiemethode`` "eu-proposal:bnc-fiche" and ``kg:koppelmethode`` "citaat".

The Kamerstuk's IRI is the one a question's citation of it gets (:func:`ingest.map_text.cited_node`), so
the path ``?vraag cito:cites ?fiche . ?fiche cito:cites ?voorstel`` needs nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ingest.citations.patterns import COM_RE
from ingest.citations.register import CELEX_BASE
from ingest.citations.names import CITAAT
from ingest.citations.register import EURegister, default_register
from ingest.map import BETROUWBAARHEID, KOPPELMETHODE, GraphBuilder, MappedGraph, decimal, lit, node, v
from ingest.records import SourceRef, Span
from ontology.namespaces import Iris, T, officielebekendmakingen_url

DOSSIER = "22112"
SOURCE_KIND = "bnc-fiche"
_FICHE_TITLE = re.compile(r"^\s*Fiche\b[^:]{0,12}:\s*(?P<name>\S.*?)\s*;?\s*$", re.IGNORECASE)
_GENERAL = re.compile(r"^\s*1\.\s*Algemene gegevens\s*$", re.IGNORECASE | re.MULTILINE)
_COM_LABEL = re.compile(r"Nr\.\s*Commissiedocument\s*:?", re.IGNORECASE)
_PROPOSAL_TITLE = re.compile(r"Titel\s+voorstel\s*:?\s*(?:\S+\)\s*)?Voorstel\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Fiche:
    """A BNC fiche as its Document record gives it."""

    dossier: str
    number: str  # the Kamerstuk's number in the dossier (Volgnummer)
    title: str  # "Fiche: Dual-Useverordening"
    date: dt.date | None
    source: SourceRef

    @property
    def publication_id(self) -> str:
        return f"kst-{self.dossier}-{self.number}"


@dataclass(frozen=True, slots=True)
class CommissionNumber:
    """A Commission number a fiche names: "COM(2016) 616", the words as printed, where."""

    number: str
    text: str
    span: Span
    where: str  # "titel" | "tekst"
    proposal: bool  # the fiche calls the document a proposal


@dataclass(frozen=True, slots=True)
class FicheLink:
    """A fiche linked to the EU resource its Commission number identifies."""

    fiche: Fiche
    cited: CommissionNumber
    target: str  # the resource's IRI
    register_key: str | None  # the register's row, None for a proposal known by its number only


def _dossier_number(rec: Mapping[str, Any], dossiers: Mapping[str, str]) -> str | None:
    """The dossier number of a Document: its expanded Kamerstukdossier, or its Kamerstukdossier_Id looked up
    in ``dossiers`` (Id -> number, as a sync reads the Kamerstukdossier records)."""
    ks = rec.get("Kamerstukdossier")
    for d in ks if isinstance(ks, list) else [ks] if isinstance(ks, Mapping) else []:
        if d.get("Nummer") is not None:
            return str(d["Nummer"]).strip()
    ref = rec.get("Kamerstukdossier_Id")
    return dossiers.get(str(ref)) if ref else None


def fiche_of_document(rec: Mapping[str, Any], src: SourceRef, dossiers: Mapping[str, str] | None = None
                      ) -> Fiche | None:
    """The fiche a Document record is, when it is a Kamerstuk of dossier 22112 with a number whose subject
    or title opens with "Fiche"; else None (a deleted record is none)."""
    if rec.get("Verwijderd") or _dossier_number(rec, dossiers or {}) != DOSSIER or rec.get("Volgnummer") in (None, ""):
        return None
    title = next((str(rec[k]).strip() for k in ("Onderwerp", "Titel") if rec.get(k)
                  and _FICHE_TITLE.match(str(rec[k]))), None)
    if title is None:
        return None
    day = str(rec.get("Datum") or "")[:10]
    try:
        date = dt.date.fromisoformat(day) if day else None
    except ValueError:
        date = None
    return Fiche(DOSSIER, str(rec["Volgnummer"]).strip(), title, date, src)


def _own_section(text: str, title: str) -> tuple[int, int] | None:
    """Where the fiche titled ``title`` is written out in ``text``: from its heading line (the title
    again, followed by "1. Algemene gegevens") to the next such heading or the end."""
    name = _FICHE_TITLE.match(title)
    want = re.sub(r"\s+", " ", name.group("name")).lower() if name else None
    heads = []
    for m in re.finditer(r"^.*$", text, re.MULTILINE):
        h = _FICHE_TITLE.match(m.group(0))
        after = _GENERAL.search(text, m.end(), m.end() + 200)
        if h and after and not text[m.end():after.start()].strip():
            heads.append((m.start(), re.sub(r"\s+", " ", h.group("name")).lower()))
    for i, (start, got) in enumerate(heads):
        if got == want:
            return start, heads[i + 1][0] if i + 1 < len(heads) else len(text)
    return None


def commission_numbers(fiche: Fiche, text: str | None) -> list[CommissionNumber]:
    """The Commission numbers the fiche names: those its title prints, else those under "Nr.
    Commissiedocument" in its own section of ``text`` (see the module text)."""
    out = [CommissionNumber(_number(m), m.group(0), Span(m.start(), m.end()), "titel", True)
           for m in COM_RE.finditer(fiche.title)]
    if out or not text:
        return out
    section = _own_section(text, fiche.title)
    if section is None:
        return []
    start, end = section
    proposal = bool(_PROPOSAL_TITLE.search(text, start, end))
    for label in _COM_LABEL.finditer(text, start, end):
        m = COM_RE.search(text, label.end(), min(end, label.end() + 80))
        if m:
            out.append(CommissionNumber(_number(m), m.group(0), Span(m.start(), m.end()), "tekst", proposal))
    return out


def _number(m: re.Match[str]) -> str:
    return f"COM({m.group('y') or m.group('y2')}) {int(m.group('n'))}"


def link_fiche(fiche: Fiche, numbers: list[CommissionNumber], register: EURegister | None = None
               ) -> tuple[list[FicheLink], list[str]]:
    """Each number to its EU resource (see the module text); returns the links and a note per number left
    unlinked."""
    reg = register or default_register()
    links, notes = [], []
    for c in numbers:
        r = reg.by_number(c.number)
        if r is not None and r.verified and r.iri:
            links.append(FicheLink(fiche, c, r.iri, r.key))
        elif c.proposal:
            year, num = re.match(r"COM\((\d{4})\) (\d+)", c.number).groups()  # type: ignore[union-attr]
            links.append(FicheLink(fiche, c, f"{CELEX_BASE}5{year}PC{int(num):04d}", None))
        else:
            notes.append(f"{fiche.publication_id}: {c.number} is in no verified register row and the fiche does "
                         "not call it a proposal; not linked")
    return links, notes


def map_fiche(fiche: Fiche, links: list[FicheLink], iris: Iris) -> MappedGraph:
    """The fiche's own graph (see the module text)."""
    b = GraphBuilder(iris.graph(SOURCE_KIND, f"{fiche.dossier}-{fiche.number}"))
    kst = node(iris.kamerstuk(fiche.dossier, fiche.number))
    dossier = node(iris.dossier(fiche.dossier))
    b.add(kst, T.type, v(T.Kamerstuk))
    b.add(kst, T.type, v(T.Publicatie))
    b.add(kst, T.dossier, dossier)
    b.add(kst, T.ondernummer, lit(fiche.number))
    b.add(kst, T.publicatie_id, lit(fiche.publication_id))
    b.add(kst, T.page, node(officielebekendmakingen_url(fiche.publication_id)))
    b.add(kst, T.title, lit(fiche.title, "nl"))
    b.opt(kst, T.date, lit(fiche.date) if fiche.date else None)
    b.add(dossier, T.type, v(T.Kamerstukdossier))
    b.add(dossier, T.dossiernummer, lit(fiche.dossier))
    for i, link in enumerate(links, start=1):
        cit = node(f"{kst[1:-1]}/citatie/{i}")
        target = node(link.target)
        b.add(cit, T.type, v(T.Citatie))
        b.add(cit, T.has_citing_entity, kst)
        b.add(cit, T.has_cited_entity, target)
        b.add(cit, T.tekstfragment, lit(link.cited.text))
        b.add(cit, T.beginpositie, lit(link.cited.span.start))
        b.add(cit, T.eindpositie, lit(link.cited.span.end))
        b.add(cit, T.resolutiemethode, lit(f"eu-proposal:{SOURCE_KIND}"))
        b.add(cit, KOPPELMETHODE, lit("citaat"))
        b.add(cit, BETROUWBAARHEID, decimal(CITAAT))
        b.add(kst, T.cites, target)
    b.provenance(iris.source_record(SOURCE_KIND, fiche.publication_id), fiche.source)
    return b.graph()


def fiche_graph_iri(rec: Mapping[str, Any], iris: Iris, dossiers: Mapping[str, str] | None = None) -> str | None:
    """The graph of the fiche a Document record is, or was when it is deleted (a deleted record keeps its
    dossier and number); None for a Document that is no fiche."""
    fiche = fiche_of_document({**rec, "Verwijderd": False}, SourceRef("", None), dossiers)
    return iris.graph(SOURCE_KIND, f"{fiche.dossier}-{fiche.number}") if fiche else None


def fiche_graph(rec: Mapping[str, Any], src: SourceRef, text: str | None, iris: Iris,
                dossiers: Mapping[str, str] | None = None, register: EURegister | None = None
                ) -> tuple[MappedGraph | None, list[str]]:
    """A Document record (and its publication's text, when fetched) to the fiche's graph and the notes of
    what was not linked; (None, []) for a Document that is no fiche."""
    fiche = fiche_of_document(rec, src, dossiers)
    if fiche is None:
        return None, []
    numbers = commission_numbers(fiche, text)
    if not numbers:
        return None, [f"{fiche.publication_id}: fiche {fiche.title!r} names no Commission number"
                      + ("" if text else " in its title (its text was not fetched)")]
    links, notes = link_fiche(fiche, numbers, register)
    return (map_fiche(fiche, links, iris) if links else None), notes


__all__ = ["DOSSIER", "CommissionNumber", "Fiche", "FicheLink", "commission_numbers", "fiche_graph",
           "fiche_graph_iri", "fiche_of_document", "link_fiche", "map_fiche"]
