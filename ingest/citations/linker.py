"""The EU linker: which acts, proposals and procedures of the register a Kamervraag's title names
(:func:`link_title`), each link with the words it matched, their span, the method and a confidence.

Four methods, tried in this order, a later one never taking words an earlier one took:

* ``"citaat"``: an explicit citation: a CELEX number ("32016R0679"), an ELI ("…/eli/reg/2016/679/oj"),
  a COM number ("COM(2016) 616") or a procedure number ("2016/0295(COD)");
* ``"nummer"``: an act by its number ("Verordening (EU) 2021/821", "richtlijn 2000/60");
* ``"naam"``: a name or abbreviation of the register ("dual use-verordening", "Kaderrichtlijn Water",
  "AVG", "GLB"); an abbreviation that means the act only next to certain words (the register's
  ``context_required``: "ETS" beside "emissies") needs one of them in the title;
* ``"onderwerp"``: a topic phrase that names an act's subject (:data:`TOPICS`: "export van dual
  use-goederen", "emissierechten").

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

from ingest.citations.finder import _ACT_RE, _COM_RE, _PROC_RE, _act_identity
from ingest.citations.register import EURegister, EUResource, default_register
from ingest.records import Citation, Span

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


# Confidence per method and case.
CITAAT = 1.0
NUMMER = 0.98
NAAM = 0.95
NAAM_ACRONIEM = 0.9
NAAM_CONTEXT = 0.85
NAAM_VOORSTEL = 0.8  # a name read as the pending proposal, or as an act adopted after the date
NAAM_NOG_NIET = 0.7  # a name of an act adopted after the date whose proposal the register lacks

#: Topic phrases: (pattern, the alias or key they stand for, words one of which must be in the title or
#: None, confidence). The alias is resolved on the date like a name.
TOPICS: tuple[tuple[str, str, str | None, float], ...] = (
    (r"dual[\s\-]*use['’‘\"]?[\s\-]*(?:goederen|producten|items|export)", "dual use-verordening", None, 0.85),
    (r"(?:export|uitvoer)\s+van\s+(?:goederen\s+)?(?:voor\s+)?tweeërlei\s+gebruik", "dual use-verordening", None, 0.85),
    (r"emissiehandel\w*|emissierechten|emissions\s+trading\s+(?:scheme|system)", "dir-2003-87", None, 0.85),
    (r"derogatie\w*", "Nitraatrichtlijn", r"mest|nitraat|melkvee|grasland|graasdier", 0.75),
    (r"dublin[\s\-]*(?:overdracht\w*|claimant\w*|zaken|zaak|procedure\w*)", "Dublinverordening", None, 0.85),
)
_TOPIC_RES = tuple(
    (re.compile(rf"(?<![^\W\d_])(?:{p})(?![^\W\d_])", re.IGNORECASE), target,
     re.compile(rf"(?<![^\W\d_])(?:{ctx})", re.IGNORECASE) if ctx else None, conf)
    for p, target, ctx, conf in TOPICS
)

_DIGITS = re.compile(r"\d{2}")
_TOPIC_WORDS = ("dual", "tweeërlei", "emissi", "derogatie", "dublin")  # one of them is in every topic phrase
_CELEX_RE = re.compile(r"(?<![\w/])(?:CELEX\s*[:=]?\s*)?(?P<celex>[3-5](?:19|20)\d{2}[A-Z]{1,2}\d{4})(?!\w)")
_ELI_RE = re.compile(r"data\.europa\.eu/eli/(?P<t>[a-z_]+)/(?P<y>\d{4})/(?P<n>\d+)(?:/oj)?", re.IGNORECASE)
_REVISION_RE = re.compile(
    r"(?<![^\W\d_])(?:voorstel|herzien|herziening|herschikking|wijzig|aanpass|revisie|nieuwe|proposal|revision|recast)",
    re.IGNORECASE,
)
_WORD_START = r"(?<![^\W\d_])"
#: Acronyms that mean something else in these titles: the alias, and words whose presence vetoes it.
VETOES: dict[str, re.Pattern[str]] = {
    "AVG": re.compile(r"(?<![^\W\d_])(?:AVG[\s\-]*arts|artsen\s+verstandelijk|antivirus)", re.IGNORECASE),
    "REACH": re.compile(r"(?<![^\W\d_])(?:to|the|will|can|could|would|out|beyond)(?![^\W\d_])"),
    "GLB": re.compile(r"(?<![^\W\d_])(?:GLBT|lesbi|homo|biseks)", re.IGNORECASE),
}


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
    lower = title.lower()
    if any(w in lower for w in _TOPIC_WORDS):
        _topics(title, on, reg, links)
    links.sort(key=lambda k: (k.start, k.end, k.resource.key))
    return links


def _free(links: list[EULink], start: int, end: int) -> bool:
    return not any(start < k.end and k.start < end for k in links)


def _add(links: list[EULink], title: str, r: EUResource | None, start: int, end: int, method: str, conf: float) -> None:
    if r is not None and r.verified and _free(links, start, end):
        links.append(EULink(r, start, end, title[start:end], method, conf))


def _citations(title: str, reg: EURegister, links: list[EULink]) -> None:
    """Explicit citations: ELI, CELEX, procedure and COM numbers of the register."""
    for m in _ELI_RE.finditer(title):
        _add(links, title, reg.by_act(m.group("t").lower(), int(m.group("y")), int(m.group("n"))), m.start(), m.end(),
             "citaat", CITAAT)
    for m in _CELEX_RE.finditer(title):
        _add(links, title, reg.by_celex(m.group("celex")), m.start(), m.end(), "citaat", CITAAT)
    for m in _PROC_RE.finditer(title):
        number = f"{int(m.group('y'))}/{int(m.group('n')):04d}({m.group('t')})"
        _add(links, title, reg.by_number(number), m.start(), m.end(), "citaat", CITAAT)
    for m in _COM_RE.finditer(title):
        number = f"COM({int(m.group('y') or m.group('y2'))}) {int(m.group('n'))}"
        _add(links, title, reg.by_number(number), m.start(), m.end(), "citaat", CITAAT)


def _numbers(title: str, reg: EURegister, links: list[EULink]) -> None:
    """Acts by number: "Verordening (EU) 2021/821", "REACH Verordening (1907/2006/EG)"."""
    for m in _ACT_RE.finditer(title):
        ident = _act_identity(m)
        if ident is not None:
            eli_type, year, num, _printed = ident
            _add(links, title, reg.by_act(eli_type, year, num), m.start(), m.end(), "nummer", NUMMER)


def _names(title: str, on: dt.date | None, reg: EURegister, links: list[EULink]) -> None:
    """Names and abbreviations, the context-bound ones where a context word is in the title."""
    for span, alias in reg.alias_spans(title):
        if _vetoed(title, alias):
            continue
        acronym = not any(c.islower() for c in alias)
        r, conf = resolve_name(alias, on, reg, title)
        _add(links, title, r, span.start, span.end, "naam", min(conf, NAAM_ACRONIEM) if acronym else conf)
    for span, alias in reg.context_alias_spans(title):
        if _vetoed(title, alias) or not _free(links, span.start, span.end):
            continue
        r, conf = resolve_name(alias, on, reg, title)
        if r is not None and _has_context(title, span, r.context_words(alias)):
            _add(links, title, r, span.start, span.end, "naam", min(conf, NAAM_CONTEXT))


def _topics(title: str, on: dt.date | None, reg: EURegister, links: list[EULink]) -> None:
    """Topic phrases (:data:`TOPICS`)."""
    for pattern, target, context, conf in _TOPIC_RES:
        for m in pattern.finditer(title):
            if context is not None and not context.search(title):
                continue
            if target in reg:
                r, c = reg[target], conf
            else:
                r, c = resolve_name(target, on, reg, title)
                c = min(c, conf)
            _add(links, title, r, m.start(), m.end(), "onderwerp", c)


def _vetoed(title: str, alias: str) -> bool:
    veto = VETOES.get(alias.upper()) if not any(c.islower() for c in alias) else None
    return bool(veto and veto.search(title))


def _has_context(title: str, span: Span, words: tuple[str, ...]) -> bool:
    """Whether one of ``words`` starts a word of the title outside the alias itself (also after a
    hyphen: "ETS-prijs")."""
    rest = title[: span.start] + " " + title[span.end:]
    return any(re.search(_WORD_START + re.escape(w), rest, re.IGNORECASE) for w in words)


# --------------------------------------------------------------------------- dates


def adopted(r: EUResource) -> dt.date | None:
    """The day a resource exists from: its date, else the first of January of its number's year."""
    if r.date is not None:
        return r.date
    m = re.search(r"/(\d{4})/", r.eli or "")
    return dt.date(int(m.group(1)), 1, 1) if m else None


def in_force(r: EUResource, on: dt.date) -> bool:
    """Whether the act is in force on ``on``: adopted by then (or in force from then, where the
    register says), not ended."""
    start = r.in_force_from or adopted(r)
    if start is not None and on < start:
        return False
    return not (r.in_force_to and on > r.in_force_to)


def pending_proposal(reg: EURegister, act: EUResource, on: dt.date) -> EUResource | None:
    """A proposal of the register that revises ``act`` and was pending on ``on``: issued by then, and
    the acts its procedure produced (if any) adopted after."""
    for p in reg:
        if p.kind != "proposal" or act.key not in p.revises or p.date is None or p.date > on:
            continue
        results = reg.related(p.key).get("resulted_in", ())
        if all((adopted(a) or on) > on for a in results):
            return p
    return None


def resolve_name(name: str, on: dt.date | None, reg: EURegister, title: str = "") -> tuple[EUResource | None, float]:
    """The resource ``name`` stands for in ``title`` on ``on``, and the confidence; (None, 0) when in doubt."""
    found = [r for r in reg.named(name) if r.verified]
    if not found:
        return None, 0.0
    if on is None or all(r.kind != "act" for r in found):
        return (found[0], NAAM) if len(found) == 1 or on is None else (None, 0.0)
    revision = bool(_REVISION_RE.search(title))
    current = [r for r in found if r.kind == "act" and in_force(r, on)]
    if len(current) == 1:
        act = current[0]
        if revision:
            later = [r for r in found if r is not act and (adopted(r) or on) <= on and r.in_force_from and on < r.in_force_from]
            if len(later) == 1:  # "het nieuwe GLB": adopted, not yet applied
                return later[0], NAAM_VOORSTEL
            proposal = pending_proposal(reg, act, on)
            if proposal is not None:
                return proposal, NAAM_VOORSTEL
        return act, NAAM if len(found) == 1 else NAAM_ACRONIEM
    if len(current) > 1:
        return None, 0.0
    return _not_yet(found, on, reg)


def _not_yet(found: list[EUResource], on: dt.date, reg: EURegister) -> tuple[EUResource | None, float]:
    """A name of which no act was in force on ``on``: an act adopted after the date is read as its
    proposal (where the register has it, else the act, less surely); a name shared by several acts,
    none in force, links nothing."""
    if len(found) != 1 or found[0].kind != "act":
        return None, 0.0
    act = found[0]
    if act.in_force_to and on > act.in_force_to:
        return None, 0.0
    if (adopted(act) or on) <= on:  # adopted, not yet applied
        return act, NAAM
    proposals = reg.related(act.key).get("proposal", ())
    issued = [p for p in proposals if p.date is None or p.date <= on]
    if issued:
        return issued[0], NAAM_VOORSTEL
    return act, NAAM_NOG_NIET


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
