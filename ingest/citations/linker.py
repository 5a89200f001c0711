"""The EU linker: which acts, proposals and procedures of the register a Kamervraag's title names
(:func:`link_title`), each link with the words it matched, their span, the method and a confidence.

Four methods, tried in this order, a later one never taking words an earlier one took:

* ``"citaat"``: an explicit citation: a CELEX number ("32016R0679"), an ELI ("…/eli/reg/2016/679/oj"),
  a COM number ("COM(2016) 616") or a procedure number ("2016/0295(COD)");
* ``"nummer"``: an act by its number ("Verordening (EU) 2021/821", "richtlijn 2000/60");
* ``"naam"``: a name or abbreviation of the register ("dual use-verordening", "Kaderrichtlijn Water",
  "AVG", "GLB"); an abbreviation that means the act only next to certain words (the register's
  ``context_required``: "ETS" beside "emissies") needs one of them in the title; two names that share their head
  ("Vogel- en Habitatrichtlijn") are both names;
* ``"onderwerp"``: a topic phrase that names an act's subject (:data:`TOPICS`: "export van dual
  use-goederen", "emissierechten"); EU rules named by their subject (:mod:`ingest.citations.subjects`); a Natura
  2000 area by its own name beside words of its protection (:mod:`ingest.citations.areas`).

A name resolves to the act in force on the question's date (a 2015 "dual use-verordening" is
Regulation 428/2009, a 2023 one 2021/821); where the title speaks of a proposal or revision while a
proposal to revise that act is pending, to the proposal; an act adopted after the date, to its
proposal where the register has it. Where the date settles nothing (a name shared by acts none of
which was in force that day) there is no link. Only verified rows of the register are linked.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ingest.citations.names import (
    CITAAT,
    NAAM_ONDERWERP,
    NAAM,
    NAAM_ACRONIEM,
    NAAM_CONTEXT,
    NUMMER,
    has_context,
    name_vetoed,
    resolve_among,
    resolve_name,
    vetoed,
)
from ingest.citations.patterns import ACT_RE, CELEX_RE, COM_RE, ELI_RE, PROC_RE, act_identity
from ingest.citations.register import EURegister, EUResource, default_register
from ingest.citations.areas import CONTEXT_WORDS as AREA_WORDS, area_spans
from ingest.citations.subjects import subject_spans
from ingest.records import Citation

METHODS = ("citaat", "nummer", "naam", "onderwerp")


@dataclass(frozen=True, slots=True)
class EULink:
    """One EU resource a title names: the register row, the span and words, how and how surely."""

    resource: EUResource
    start: int
    end: int
    words: str
    method: str  # one of METHODS
    confidence: float  # in (0, 1]


#: Farm animals, the ones whose transport Regulation 1/2005 governs (a word starting with one of them).
_ANIMALS = (r"vee(?![lnrg])|dier|varken|kalf|kalve|big(?:gen)?(?![^\W\d_])|pluimvee|kip|paard|schapen|rund|kuiken|"
            r"eenden|nerts|slachtdier|lammeren|kalkoen")

#: Topic phrases: (pattern, the alias or key they stand for (or a tuple of them: the phrase names each), words one of
#: which must be in the title or
#: None, confidence[, the day from which the phrase no longer means it or None[, the first day it means it or None[,
#: words none of which may be in the title]]]). The alias is resolved on the date like a name.
TOPICS: tuple[tuple, ...] = (
    (r"dual[\s\-]*use['’‘\"]?[\s\-]*(?:goederen|producten|items|export)", "dual use-verordening", None, 0.85),
    (r"(?:export|uitvoer)\s+van\s+(?:goederen\s+)?(?:voor\s+)?tweeërlei\s+gebruik", "dual use-verordening", None, 0.85),
    # auctioning emission allowances, from the revision 2009/29 that made it the rule until that rule applied (1 January
    # 2013): the ETS directive and its revision (issue 16, sixth round)
    (r"veil(?:en|ing\w*)\s+van\s+(?:de\s+)?emissierechten|emissierechten\s+(?:te\s+)?(?:veil\w*|geveild)",
     ("dir-2003-87", "dir-2009-29"), None, 0.8, dt.date(2013, 1, 1), dt.date(2009, 4, 23)),
    (r"emissiehandel\w*|emissierechten|emissions\s+trading\s+(?:scheme|system)", "dir-2003-87", None, 0.85),
    (r"derogatie\w*", "Nitraatrichtlijn", r"mest|nitraat|melkvee|grasland|graasdier|actieprogramma|akkerbouw", 0.75),
    (r"dublin[\s\-]*(?:overdracht\w*|claimant\w*|zaken|zaak|procedure\w*)", "Dublinverordening", None, 0.85),
    (r"natura[\s\-]*2000", "dir-1992-43", None, 0.8),  # the network of the Habitats Directive (art. 3)
    (r"(?:vijfde|zesde|zevende|achtste|[5-8]e)\s+actieprogramma", "Nitraatrichtlijn",
     r"nitraat|mest|bemesting|akkerbouw|derogatie|teelt|landbouw", 0.8),
    (r"rij-\s*en\s*rusttijden", "reg-2006-561", None, 0.75),
    (r"schengen\w*", "Schengengrenscode", r"grenscontrole|grenstoezicht|binnengrens", 0.75),
    (r"terugkeerbesluit\w*", "dir-2008-115", None, 0.75),
    (r"illega(?:al|le)\s+(?:gekapt\s+)?hout", "houtverordening", None, 0.75),  # illegal timber, not logging
    (r"ecologisch\w*\s+aandachtsgebied\w*", "GLB", None, 0.75),  # a greening duty of the CAP's direct payments
    # the visa lists are the visa list regulation's annexes
    (r"visumplicht\w*", "visumlijstverordening", r"schengen\w*", 0.75),
    # the EU's rules for occupational pension funds (IORP I and II); "nieuwe"/"voorstel" reads as the proposal
    (r"(?:europese\s+)?richtlijn\s+(?:voor\s+|inzake\s+)?(?:bedrijfs)?pensioen(?:en|fondsen)", "IORP-richtlijn", None,
     0.8),
    (r"aanlandplicht\w*", "gemeenschappelijk visserijbeleid", None, 0.8),  # the landing obligation of the CFP
    # the oil and gas embargoes against Russia are bans of the Russia sanctions regulation
    (r"(?:olie|gas|kolen|steenkool)[\s\-]*(?:boycot|embargo|importverbod)\w*|(?:boycot|embargo|importverbod)\w*\s+"
     r"(?:op|van|voor|tegen)\s+(?:de\s+)?(?:russische\s+)?(?:olie|gas|kolen|steenkool)", "reg-2014-833", r"russ|rusland",
     0.75),
    # the EU's corona recovery fund is the Recovery and Resilience Facility; "coronamiljarden" only beside Brussels/EU
    (r"corona[\s\-]*herstel[\s\-]*fonds\w*", "herstel- en veerkrachtfaciliteit", None, 0.8),
    (r"corona[\s\-]*miljard\w*", "herstel- en veerkrachtfaciliteit", r"brussel|europ|EU(?![^\W\d_])", 0.75),
    (r"(?:EU-|europe\w*\s+)voorstel\w*\s+(?:inzake|over|voor|betreffende)\s+(?:de\s+)?(?:bedrijfs)?pensioenfondsen",
     "IORP-richtlijn", None, 0.8),
    # the Schengen Information System was Title IV of the Schengen Convention until SIS II took over on 9 April 2013
    # (Regulation 1987/2006, not in the register): after that day no link
    # a Schengen visa (the uniform visa) is applied for and issued under the Visa Code
    (r"schengen[\s\-]*vis(?:um|a)\w*", "Visumcode", None, 0.8),
    (r"schengen[\s\-]*informatie[\s\-]*systeem\w*|(?-i:SIS)(?![\s\-]*(?:II|2)(?![^\W\d_]))", "convention-2000-922",
     r"schengen", 0.75, dt.date(2013, 4, 9)),
    # the eel management plans are the plans the eel regulation requires (art. 2)
    (r"aalbeheerplan\w*", "reg-2007-1100", None, 0.75),
    # nature areas where fishing is restricted, or which are designated for habitats, are Natura 2000 areas
    (r"(?:beschermde?\s+)?natuurgebied\w*", "dir-1992-43",
     r"vissen|visserij|vissers|garnalenvis|sleepnet|aanwijzing|habitat", 0.7),
    # the recovery fund by its bare name, from the Commission's proposal of 28 May 2020 (COM(2020) 408)
    (r"herstelfonds\w*", "Europees herstelfonds", None, 0.75, None, dt.date(2020, 5, 28)),
    # a restriction proposal (REACH, Annex XV) or a PFAS or REACH restriction is a restriction under REACH
    (r"restrictie[\s\-]*voorstel\w*|(?:pfas|reach)[\s\-]*restrictie\w*", "reg-2006-1907", None, 0.75),
    # greening duties of the CAP's direct payments (1307/2013, applied from 1 January 2015; 2021/2115 from 2023):
    # greening beside farming words, the ban on ploughing grassland in Natura 2000 areas, the EU's farm subsidies
    (r"vergroening\w*", "GLB", r"landbouw|GLB|grasland|boer|landschapselement|akkerbouw", 0.75, None,
     dt.date(2015, 1, 1)),
    (r"scheurverbod\w*", "GLB", r"natura", 0.75, None, dt.date(2015, 1, 1)),
    # the EU's farm subsidies as direct payments only beside the farmers, hectares or eco-schemes they pay for (not the
    # promotion of products, the school scheme or other market measures: "plantaardige zuivel")
    (r"(?:EU|europe\w*)[\s\-]*landbouwsubsidie\w*", "GLB",
     r"boer|landbouwer|eco[\s\-]*regeling|hectare|toeslagrecht|betalingsrecht|inkomenssteun|vergroening", 0.75, None,
     dt.date(2015, 1, 1)),
    # acts named by their subject or by the Dutch law that carries them out (issue 16, fifth round):
    # procurement under "Europese aanbesteding(en)" or "Europees aanbesteden" is the public procurement directive of the
    # date (2004/18, 2014/24 from 18 April 2016; a utility's procurement: _sector), not the EU's own joint procurement
    # of medical countermeasures
    (r"(?:europe(?:se|es)\s+|EU[\s\-]*)aanbested\w*", "aanbestedingsrichtlijn", None, 0.75, None, None,
     r"medische\s+(?:apparatuur|hulpmiddel)|mondkap|beschermingsmiddel|vaccin|beademing|corona|covid"),
    # animal transport (livestock, and transport or carriage beside farm animals) is governed by Regulation 1/2005,
    # applied from 5 January 2007; pets and people's transport are not
    (rf"(?:{_ANIMALS})\w{{0,4}}?[\s\-]*transport\w*", "reg-2005-1", None, 0.75, None, dt.date(2007, 1, 5)),
    (r"(?:langeafstands)?transport\w*|vervoer(?:d|en)?", "reg-2005-1", _ANIMALS, 0.7, None, dt.date(2007, 1, 5),
     r"huisdier|hond(?:en)?(?![^\W\d_])|kat(?:ten)?(?![^\W\d_])|openbaar\s+vervoer|MRSA|reiziger"),
    # the cookie law (art. 11.7a Telecommunicatiewet) and cookie walls: art. 5(3) of the e-privacy directive
    (r"cookie[\s\-]*(?:wet\w*|muur\w*|wall\w*)", "dir-2002-58", None, 0.75),
    # the Dutch law that carried out the data retention directive (a new Dutch bill would not)
    (r"(?:wet\s+)?bewaarplicht\s+(?:van\s+)?telecom\w*", "dir-2006-24", None, 0.75, None, None, r"nieuw\w*"),
    # the UBO register (the register of beneficial owners of art. 30 of the fourth anti-money-laundering directive)
    (r"(?-i:UBO)[\s\-]*regist\w*", "dir-2015-849", None, 0.75, None, dt.date(2015, 5, 20)),
    # "de privacywet(geving)" or "privacywetten" from the day the GDPR applied, decided by who processes the data: the
    # police, the public prosecutor or criminal justice alone have their own directive (2016/680); criminals as the
    # people whose data it is, or the police beside another body ("Politie en COA"), do not make it theirs
    (r"privacy[\s\-]*wet(?:ten|geving)?", "reg-2016-679", None, 0.75, None, dt.date(2018, 5, 25),
     r"politie(?!\s+en\s)|justitie|strafrecht|opsporing|openbaar\s+ministerie"),
    # glyphosate's approval ("toelating") since its renewal of 28 November 2023 for ten years
    (r"glyfosaat\w*", "reg-impl-2023-2660", r"toela|toegela", 0.75, None, dt.date(2023, 11, 28)),
    # EU citizens expelled by a member state: the citizens' directive (its chapter VI)
    (r"uitzet\w*|uitgezet\w*", "dir-2004-38",
     r"EU[\s\-]*burger|EU[\s\-]*onderdan|europese\s+(?:bijstand|burger|onderdan)", 0.7),
    # the Commission (a commissioner) on disinformation on a platform, from the Digital Services Act
    (r"desinformatie\w*", "reg-2022-2065", r"eurocommissaris|europese\s+commissie", 0.7, None, dt.date(2022, 10, 19)),
    # acts named by their subject (issue 16, sixth round):
    # cookies placed by websites (the cookie provision of art. 11.7a Telecommunicatiewet, art. 5(3) of the e-privacy
    # directive); cookies of a platform or "supercookies" of a telecom provider are not read as it
    (r"cookies|cookiebeleid", "dir-2002-58", r"website|webpagina|internetpagina|omroep|NPO", 0.7),
    # the private-copying levy is the fair compensation of art. 5(2)(b) of the copyright directive; the Court of
    # Justice on hyperlinking or embedding interprets its art. 3(1)
    (r"thuiskopie\w*", "dir-2001-29", None, 0.75, None, dt.date(2001, 5, 22)),
    (r"hyperlink\w*|embedden", "dir-2001-29", r"hof\s+van\s+justitie|europe\w*\s+hof|EU[\s\-]*hof", 0.7, None,
     dt.date(2001, 5, 22)),
    # compensation, refunds or vouchers of airlines to their passengers for delayed or cancelled flights: the air
    # passenger rights regulation 261/2004, in force from 17 February 2005
    (r"compensatie(?:regeling)?|schadevergoeding\w*|vouchers?|terugbetaling\w*", "reg-2004-261",
     r"vlucht(?!eling)|luchtvaartmaatschappij|vliegtuigmaatschappij|luchtvaart(?!sector)|vliegpassagier|ryanair|klm|"
     r"transavia|easyjet|prijsvechter", 0.7, None, dt.date(2005, 2, 17), r"vliegbasis|luchthavenbesluit|natuur|trein"),
    # roaming charges at domestic prices (roam like at home) from 15 June 2017: Regulation 2015/2120, which brought them
    # into the roaming regulation 531/2012 (not in the register), until its recast 2022/612 applied on 1 July 2022
    (r"roaming\w*", "reg-2015-2120", None, 0.7, dt.date(2022, 7, 1), dt.date(2017, 6, 15)),
    # "het Europese natuurbeleid" is the Birds and Habitats Directives (of the date)
    (r"europe(?:se|es)\s+natuurbeleid", ("Vogelrichtlijn", "Habitatrichtlijn"), None, 0.7),
    # annex IX (the feedstocks of advanced biofuels) of the renewable energy directive RED II, in force from 1 July
    # 2021 (before it, annex IX of 2009/28, not in the register)
    (r"(?:annex|bijlage)\s+IX", "dir-2018-2001", r"biobrandstof|biofuel|biomassa|hernieuwbare", 0.75, None,
     dt.date(2021, 7, 1)),
)
_TOPIC_RES = tuple(
    (re.compile(rf"(?<![^\W\d_])(?:{p})(?![^\W\d_])", re.IGNORECASE), target,
     re.compile(rf"(?<![^\W\d_])(?:{ctx})", re.IGNORECASE) if ctx else None, conf, (*rest, None, None)[:2],
     re.compile(rf"(?<![^\W\d_])(?:{rest[2]})", re.IGNORECASE) if len(rest) > 2 and rest[2] else None)
    for p, target, ctx, conf, *rest in TOPICS
)

HABITATS = "dir-1992-43"  # the Habitats Directive, whose network the Natura 2000 areas are (art. 3)
AREA_CONFIDENCE = 0.7  # a Natura 2000 area by its name, beside words of what the directive governs there
_DIGITS = re.compile(r"\d{2}")
_EU_WORDS = ("europ", "unie", "brussels", "nieuwe")  # one of them, or "EU" or "EG", is in every subject phrase
_TOPIC_WORDS = ("dual", "tweeërlei", "emissi", "derogatie", "dublin", "natura", "actieprogramma", "rusttijden",
                "schengen", "terugkeerbesluit", "hout", "aandachtsgebied", "visumplicht", "pensioen",
                "aanlandplicht", "boycot", "embargo", "importverbod", "coronamiljard", "corona-miljard",
                "corona miljard", "herstelfonds", "restrictie", "vergroening", "scheurverbod",
                "landbouwsubsidie", "aalbeheerplan", "natuurgebied", "aanbested", "transport", "vervoer",
                "cookie", "bewaarplicht", "ubo", "privacy", "glyfosaat", "uitzet", "uitgezet", "desinformatie",
                "thuiskopie", "hyperlink", "embedden", "compensatie", "schadevergoeding", "voucher", "terugbetaling",
                "roaming", "annex", "bijlage", "natuurbeleid")  # one of them is in every topic phrase


def _hint(words: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern of plain lower-case words, searched in a lower-cased title: whether one of them is there (one
    search in C instead of a Python test per word)."""
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


_TOPIC_HINT = _hint(_TOPIC_WORDS)
#: Per topic phrase, the words of :data:`_TOPIC_WORDS` its pattern spells out: where the pattern names some, a title
#: holds one of them wherever the phrase matches (or the phrase's context word needs it), so the pattern is tried only
#: then; a pattern that spells out none is always tried.
_TOPIC_NEEDS = tuple(tuple(w for w in _TOPIC_WORDS if w in p.lower()) for p, *_ in TOPICS)
_AREA_HINT = _hint(AREA_WORDS)


def link_title(title: str, on: dt.date | None, register: EURegister | None = None) -> list[EULink]:
    """Every EU resource of the register that ``title`` (a Zaak's ``Onderwerp``) names, in span order;
    ``on`` (the question's date) picks among an act, its successor and a pending proposal."""
    reg = register if register is not None else default_register()
    if not title:
        return []
    links: list[EULink] = []
    if "/" in title or _DIGITS.search(title):  # every citation and act number holds digits
        _citations(title, reg, links)
        _numbers(title, reg, links)
    _names(title, on, reg, links)
    if "- " in title or "-\xa0" in title:
        _coordinated(title, on, reg, links)
    lower = title.lower()
    if "EU" in title or "EG" in title or any(w in lower for w in _EU_WORDS):
        _subjects(title, on, reg, links)
    if _TOPIC_HINT.search(lower):
        _topics(title, on, reg, links)
    if _AREA_HINT.search(lower):
        _areas(title, reg, links)
    links.sort(key=lambda k: (k.start, k.end, k.resource.key))
    return links


def _free(links: list[EULink], start: int, end: int) -> bool:
    return not any(start < k.end and k.start < end for k in links)


def _add(links: list[EULink], title: str, r: EUResource | None, start: int, end: int, method: str, conf: float) -> None:
    if r is not None and r.verified and _free(links, start, end):
        links.append(EULink(r, start, end, title[start:end], method, conf))


def _citations(title: str, reg: EURegister, links: list[EULink]) -> None:
    """Explicit citations: ELI, CELEX, procedure and COM numbers of the register."""
    for m in ELI_RE.finditer(title):
        _add(links, title, reg.by_act(m.group("t").lower(), int(m.group("y")), int(m.group("n"))), m.start(), m.end(),
             "citaat", CITAAT)
    for m in CELEX_RE.finditer(title):
        _add(links, title, reg.by_celex(m.group("celex")), m.start(), m.end(), "citaat", CITAAT)
    for m in PROC_RE.finditer(title):
        number = f"{int(m.group('y'))}/{int(m.group('n')):04d}({m.group('t')})"
        _add(links, title, reg.by_number(number), m.start(), m.end(), "citaat", CITAAT)
    for m in COM_RE.finditer(title):
        number = f"COM({int(m.group('y') or m.group('y2'))}) {int(m.group('n'))}"
        _add(links, title, reg.by_number(number), m.start(), m.end(), "citaat", CITAAT)


def _numbers(title: str, reg: EURegister, links: list[EULink]) -> None:
    """Acts by number: "Verordening (EU) 2021/821", "REACH Verordening (1907/2006/EG)"."""
    for m in ACT_RE.finditer(title):
        ident = act_identity(m)
        if ident is not None:
            eli_type, year, num, _printed = ident
            _add(links, title, reg.by_act(eli_type, year, num), m.start(), m.end(), "nummer", NUMMER)


def _names(title: str, on: dt.date | None, reg: EURegister, links: list[EULink]) -> None:
    """Names and abbreviations, the context-bound ones where a context word is in the title."""
    for span, alias in reg.alias_spans(title):
        if vetoed(title, alias) or name_vetoed(title, alias):
            continue
        acronym = not any(c.islower() for c in alias)
        r, conf = resolve_name(alias, on, reg, title)
        _add(links, title, r, span.start, span.end, "naam", min(conf, NAAM_ACRONIEM) if acronym else conf)
    for span, alias in reg.context_alias_spans(title):
        if vetoed(title, alias) or not _free(links, span.start, span.end):
            continue
        r, conf = resolve_name(alias, on, reg, title)
        if r is not None and has_context(title, span, r.context_words(alias)):
            _add(links, title, r, span.start, span.end, "naam", min(conf, NAAM_CONTEXT))


#: Two names that share their head, the first cut short ("Vogel- en Habitatrichtlijn" is the Birds Directive and the
#: Habitats Directive): the first word with its hyphen, and the head of the second.
_COORDINATED = re.compile(r"(?<![^\W\d_])([^\W\d_]+)-\s+(?:en|of)\s+[^\W\d_]+?(richtlijn|verordening)", re.IGNORECASE)


def _coordinated(title: str, on: dt.date | None, reg: EURegister, links: list[EULink]) -> None:
    """The first of two coordinated names ("Vogel- en Habitatrichtlijn": "Vogelrichtlijn"), where the first word
    with the second's head is a name of the register; the second is found as a name already."""
    for m in _COORDINATED.finditer(title):
        name = m.group(1) + m.group(2).lower()
        if vetoed(title, name) or name_vetoed(title, name):
            continue
        r, conf = resolve_name(name, on, reg, title)
        _add(links, title, r, m.start(1), m.end(1) + 1, "naam", conf)


def _subjects(title: str, on: dt.date | None, reg: EURegister, links: list[EULink]) -> None:
    """EU rules named by their subject ("de Europese verordening voor sociale zekerheid":
    :mod:`ingest.citations.subjects`), read on the date as a name is."""
    for s in subject_spans(title, reg):
        found = list(s.candidates)  # with the acts that repeal them: their subject is the same
        found += [o for r in s.candidates for o in reg.related(r.key).get("repealed_by", ()) if o not in found]
        r, conf = resolve_among(found, on, reg, title)
        r = _sector(r, title, on, reg)
        if any(k.resource is r for k in links):  # the act is named already: its subject adds nothing
            continue
        _add(links, title, r, s.span.start, s.span.end, "onderwerp", min(conf, NAAM_ONDERWERP))


#: The public-sector procurement directives, and the utilities that procure under the utilities directive instead
#: (water, energy, transport, ports and airports, post: Directive 2014/25, art. 8-14; "Europese aanbestedingsregels bij
#: Schiphol"), which applied from 18 April 2016; before that day a utility's procurement fell under Directive 2004/17,
#: which the register lacks.
_PUBLIC_PROCUREMENT = frozenset({"dir-2004-18", "dir-2014-24"})
_UTILITIES = re.compile(
    r"(?<![^\W\d_])(?:schiphol|luchtha|vliegveld|zeeha|haven|elektriciteit|energiebedrij|energieproducent|netbeheer|"
    r"drinkwater|waterbedrij|postbedrij|postnl|spoorweg|prorail|openbaar\s+vervoer|stadsvervoer|gasbedrij)",
    re.IGNORECASE)
#: A member state that does not keep to the EU's procurement rules: an infringement of one of the procurement directives
#: (public sector, utilities, defence and security, remedies), and the words do not say which (issue 16, sixth round).
_INFRINGEMENT = re.compile(r"(?<![^\W\d_])(?:nederland|lidsta\w*)\s+(?:zich\s+)?niet\s+(?:houdt|houden|heeft\s+omgezet)",
                           re.IGNORECASE)
UTILITIES = "dir-2014-25"
UTILITIES_FROM = dt.date(2016, 4, 18)


def _sector(r: EUResource | None, title: str, on: dt.date | None, reg: EURegister) -> EUResource | None:
    """The act a procurement subject or topic stands for, where ``title`` names a utility: the utilities directive
    from the day it applied, else nothing; nothing where a member state does not keep to the rules; ``r`` itself for
    every other act or title."""
    if r is None or r.key not in _PUBLIC_PROCUREMENT:
        return r
    if _INFRINGEMENT.search(title):
        return None
    if not _UTILITIES.search(title):
        return r
    return reg.get(UTILITIES) if on is not None and on >= UTILITIES_FROM else None


def _topics(title: str, on: dt.date | None, reg: EURegister, links: list[EULink]) -> None:
    """Topic phrases (:data:`TOPICS`)."""
    lower = title.lower()
    for (pattern, target, context, conf, (until, since), veto), needs in zip(_TOPIC_RES, _TOPIC_NEEDS):
        if until is not None and (on is None or on >= until) or since is not None and (on is None or on < since):
            continue
        if needs and not any(w in lower for w in needs):
            continue
        for m in pattern.finditer(title):
            if context is not None and not context.search(title) or veto is not None and veto.search(title):
                continue
            if not _free(links, m.start(), m.end()):
                continue
            added: set[str] = set()
            for t in target if isinstance(target, tuple) else (target,):  # a phrase may name two acts: both link
                r, c = _topic_target(t, on, reg, title, conf)
                if r is not None and r.verified and r.key not in added:
                    added.add(r.key)
                    links.append(EULink(r, m.start(), m.end(), title[m.start():m.end()], "onderwerp", c))


def _topic_target(target: str, on: dt.date | None, reg: EURegister, title: str,
                  conf: float) -> tuple[EUResource | None, float]:
    """The row a topic phrase's target (a register key, or an alias read on the date like a name) stands for in
    ``title``, with the phrase's confidence (the name's, where lower); a utility's procurement by :func:`_sector`."""
    if target in reg:
        r, c = reg[target], conf
    else:
        r, c = resolve_name(target, on, reg, title)
        c = min(c, conf)
    return _sector(r, title, on, reg), c


def _areas(title: str, reg: EURegister, links: list[EULink]) -> None:
    """A Natura 2000 area by its own name, beside words of what the Habitats Directive governs there
    (:mod:`ingest.citations.areas`): the directive, unless the title links it already."""
    habitats = reg.get(HABITATS)
    if habitats is None or any(k.resource is habitats for k in links):
        return
    for span in area_spans(title)[:1]:
        _add(links, title, habitats, span.start, span.end, "onderwerp", AREA_CONFIDENCE)


# --------------------------------------------------------------------------- text citations


def citation_method(c: Citation) -> tuple[str, float] | None:
    """The linker's method and confidence of an EU citation found in a published text
    (:func:`~ingest.citations.find_citations`); None for other kinds."""
    if not c.kind.startswith("eu-"):
        return None
    if c.method == "alias":
        return "naam", (NAAM_ACRONIEM if not any(ch.islower() for ch in c.text) else NAAM)
    if c.kind == "eu-act":
        return "nummer", NUMMER
    return "citaat", CITAAT
