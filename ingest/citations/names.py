"""Which resource of the EU register a name stands for on a date (:func:`resolve_name`), and the context
rules for ambiguous words (:data:`VETOES`, :func:`has_context`); the title linker
(:mod:`ingest.citations.linker`) and the citation finder of published texts
(:mod:`ingest.citations.finder`) both read names this way.

A name resolves to the act in force on the date (a 2015 "dual use-verordening" is Regulation 428/2009,
a 2023 one 2021/821); where the words around it speak of a proposal or revision while a proposal to
revise that act is pending, to the proposal; an act adopted after the date, to its proposal where the
register has it. Where the date settles nothing (a name shared by acts none of which was in force that
day) there is no resource."""

from __future__ import annotations

import datetime as dt
import re

from ingest.citations.register import EURegister, EUResource
from ingest.records import Span

# Confidence per method and case.
CITAAT = 1.0
NUMMER = 0.98
NAAM = 0.95
NAAM_ACRONIEM = 0.9
NAAM_CONTEXT = 0.85
NAAM_VOORSTEL = 0.8  # a name read as the pending proposal, or as an act adopted after the date
NAAM_ONDERWERP = 0.75  # EU rules named by their subject ("de Europese verordening voor sociale zekerheid")
NAAM_NOG_NIET = 0.7  # a name of an act adopted after the date whose proposal the register lacks
NOT_YET = dt.timedelta(days=730)  # how long before its adoption a name may mean an act still in the making

_REVISION_RE = re.compile(
    r"(?<![^\W\d_])(?:voorstel|herzien|herziening|herschikking|wijzig|aanpass|revisie|nieuwe|proposal|revision|recast)",
    re.IGNORECASE,
)
#: Words that say an act has been voted for: a title a few days before the act's date ("De aangenomen Europese
#: Natuurherstelwet" of 20 June 2024; the Council voted on 17 June, the act is of 24 June) speaks of the act.
_ADOPTED_RE = re.compile(r"(?<![^\W\d_])(?:aangenomen|goedgekeurd|vastgesteld|adopted)(?![^\W\d_])", re.IGNORECASE)
VOTED = dt.timedelta(days=31)  # how long before an act's date a title may call it adopted
_WORD_START = r"(?<![^\W\d_])"
#: Acronyms that mean something else in these titles: the alias, and words whose presence vetoes it.
VETOES: dict[str, re.Pattern[str]] = {
    "AVG": re.compile(r"(?<![^\W\d_])(?:AVG[\s\-]*arts|artsen\s+verstandelijk|antivirus)", re.IGNORECASE),
    "REACH": re.compile(r"(?<![^\W\d_])(?:to|the|will|can|could|would|out|beyond)(?![^\W\d_])"),
    "GLB": re.compile(r"(?<![^\W\d_])(?:GLBT|lesbi|homo|biseks)", re.IGNORECASE),
}


#: Names that mean no act of the register beside certain words: a state's accession to Schengen ("de toetreding
#: van Roemenië en Bulgarije tot het Schengen-verdrag") is a Council decision to lift the internal border checks,
#: not the Convention. A word of the name (lower case), and the words that veto it.
NAME_VETOES: dict[str, re.Pattern[str]] = {
    "schengen": re.compile(r"(?<![^\W\d_])(?:toetred\w*|toegetreden|treedt\s+toe|treden\s+toe)", re.IGNORECASE),
}


def name_vetoed(words: str, alias: str) -> bool:
    """Whether a name ``alias`` means no act of the register beside ``words`` (:data:`NAME_VETOES`; a title, or the
    clause around a name in a text)."""
    low = alias.lower()
    return any(w in low and veto.search(words) for w, veto in NAME_VETOES.items())


def vetoed(text: str, alias: str) -> bool:
    """Whether an acronym ``alias`` means something else in ``text`` (:data:`VETOES`)."""
    veto = VETOES.get(alias.upper()) if not any(c.islower() for c in alias) else None
    return bool(veto and veto.search(text))


def has_context(text: str, span: Span, words: tuple[str, ...], reach: int | None = None) -> bool:
    """Whether one of ``words`` starts a word of ``text`` outside the alias at ``span`` (also after a
    hyphen: "ETS-prijs"), within ``reach`` characters of it where given (a title: anywhere)."""
    lo, hi = (0, len(text)) if reach is None else (max(0, span.start - reach), span.end + reach)
    rest = text[lo: span.start] + " " + text[span.end: hi]
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
    return resolve_among([r for r in reg.named(name) if r.verified], on, reg, title)


def resolve_among(
    found: list[EUResource], on: dt.date | None, reg: EURegister, title: str = ""
) -> tuple[EUResource | None, float]:
    """Which of ``found`` (the resources a name or a subject may stand for) ``title`` means on ``on``, read
    as :func:`resolve_name` reads a name; (None, 0) when in doubt."""
    if not found:
        return None, 0.0
    if on is None or all(r.kind != "act" for r in found):
        return (found[0], NAAM) if len(found) == 1 or on is None else (None, 0.0)
    revision = bool(_REVISION_RE.search(title))
    current = _not_repealed([r for r in found if r.kind == "act" and in_force(r, on)])
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
    return _not_yet(found, on, reg, revision, bool(_ADOPTED_RE.search(title)))


def _not_repealed(current: list[EUResource]) -> list[EUResource]:
    """The acts in force under one name, less those another of them repeals: where the register gives
    no end date, a name shared by an act and the act that repeals it (the visa list regulation 539/2001
    and its codification 2018/1806) means the repealing act from its date; where it states the day the
    repealed act ended (IORP I until 12 January 2019), both stay, and the name links nothing until then."""
    return [r for r in current if r.in_force_to or not any(r.key in o.repeals for o in current if o is not r)]


def _not_yet(
    found: list[EUResource], on: dt.date, reg: EURegister, revision: bool, voted: bool = False
) -> tuple[EUResource | None, float]:
    """A name of which no act was in force on ``on``: an act adopted after the date is read as its
    proposal (where the register has it, else the act, less surely, if it was adopted within two years:
    "Gemeenschappelijk Visserijbeleid" in 2010 is not Regulation 1380/2013); an act adopted but in force only
    from a later day the register states (the codified Birds Directive of November 2009, in force from
    15 February 2010: its name meant the act it replaced until then) only where the words speak of the
    new act; a name shared by several acts, none in force, links nothing. Where the words say the act was voted
    ("aangenomen") up to :data:`VOTED` before its date, the act, less surely."""
    if len(found) != 1 or found[0].kind != "act":
        return None, 0.0
    act = found[0]
    if act.in_force_to and on > act.in_force_to:
        return None, 0.0
    if (adopted(act) or on) <= on:  # adopted, not yet in force
        return (act, NAAM_VOORSTEL) if revision or act.in_force_from is None else (None, 0.0)
    if voted and (adopted(act) or on) - on <= VOTED:
        return act, NAAM_NOG_NIET
    proposals = reg.related(act.key).get("proposal", ())
    issued = [p for p in proposals if p.date is None or p.date <= on]
    if issued:
        return issued[0], NAAM_VOORSTEL
    if (adopted(act) or on) - on > NOT_YET:  # a policy's name years before this act: an older act's
        return None, 0.0
    return act, NAAM_NOG_NIET


