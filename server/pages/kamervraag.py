"""The pages of a Kamervraag (who asked whom, its questions with their answers beside them, its
publications, status and citations) and of one of its questions or answers."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pyoxigraph import Literal
from starlette.concurrency import run_in_threadpool

from ingest.sources.koop import read_publication_ids
from ontology.namespaces import CITO, ELI, FOAF, KG, PROV, SCHEMA, T
from server import describe as D
from server.i18n import tr
from server.pages.base import Linker, PageContext, Ref, list_href, tail_number
from server.pages.eu_links import coverage, kamervraag_eu_links, marked
from server.pages.names import names_on


def _days(a: str, b: str) -> int | None:
    try:
        return (dt.date.fromisoformat(b[:10]) - dt.date.fromisoformat(a[:10])).days
    except ValueError:
        return None






@dataclass
class CitationView:
    cited: Ref | None
    kind: str  # kamerstuk | eu | url | brief | other
    fragment: str | None
    method: str | None
    span: str | None
    date: str | None
    iri: str


@dataclass
class FootnoteView:
    number: int | None
    text: str
    iri: str
    cites: list[Ref]
    citations: list[CitationView]

    @property
    def text_is_link(self) -> bool:
        """The footnote is just the address it cites (then the citation's link says it all)."""
        flat = "".join(self.text.split())
        return any(flat == "".join(c.iri.split()) for c in self.cites)


@dataclass
class QuestionView:
    iri: str
    number: int | None
    text: str
    raw: str | None
    span: str | None
    footnotes: list[FootnoteView]
    citations: list[CitationView]
    answers: list[str]


@dataclass
class AnswerView:
    iri: str
    number: int | None
    text: str
    raw: str | None
    span: str | None
    questions: list[int]
    question_iris: list[str]
    citations: list[CitationView]


@dataclass
class Block:
    """Questions shown together, with the answer they share beside them (shown once)."""

    questions: list[QuestionView]
    answer: AnswerView | None
    answer_elsewhere: list[AnswerView]  # an answer to these questions already shown with an earlier block


def _span(g: D.Graph, x: str) -> str | None:
    b, e = g.number(x, KG + "beginpositie"), g.number(x, KG + "eindpositie")
    return f"{b}–{e}" if b is not None and e is not None else None


def citation_kind(g: D.Graph, cited: str | None, method: str | None) -> str:
    """What a citation points at: a Kamerstuk, an EU act, a publication, a web address, or (nothing
    resolved) a letter or something else."""
    if cited is None:
        return "brief" if method and method.startswith("brief") else "other"
    types = g.types(cited)
    if KG + "Kamerstuk" in types or "/id/kamerstuk/" in cited:
        return "kamerstuk"
    if {ELI + "LegalResource", KG + "EUVoorstel", KG + "EUProcedure"} & set(types) or \
            cited.startswith(("http://data.europa.eu/eli/", "http://publications.europa.eu/resource/")):
        return "eu"
    if KG + "Publicatie" in types:
        return "publicatie"
    return "url"


def citations_of(g: D.Graph, x: str, L: Linker) -> list[CitationView]:
    """The citations of ``x`` (a question, an answer, a footnote), reified ones and plain ``cito:cites``, in
    text order."""
    out = []
    for c in g.subjects(CITO + "hasCitingEntity", x):
        cited = (g.iris(c, CITO + "hasCitedEntity") or [None])[0]
        method = g.literal(c, KG + "resolutiemethode")
        out.append(CitationView(L.ref(cited) if cited else None, citation_kind(g, cited, method),
                                g.literal(c, KG + "tekstfragment"), method, _span(g, c),
                                g.literal(c, T.date), c))
    # cito:cites without a reified citation
    reified = {c.cited.iri for c in out if c.cited}
    for cited in g.iris(x, CITO + "cites"):
        if cited not in reified:
            out.append(CitationView(L.ref(cited), citation_kind(g, cited, None), None, None, None, None, x))
    out.sort(key=lambda c: (int(c.span.split("–")[0]) if c.span else 10**9, c.iri))
    return out


def footnotes_of(g: D.Graph, v: str, L: Linker) -> list[FootnoteView]:
    """The footnotes of question ``v`` with what they cite, by number."""
    out = []
    for f in g.iris(v, KG + "voetnoot"):
        out.append(FootnoteView(g.number(f, KG + "voetnootnummer"), g.literal(f, T.text, L.lang) or "", f,
                                [L.ref(c) for c in g.iris(f, CITO + "cites")], citations_of(g, f, L)))
    return sorted(out, key=lambda f: (f.number or 0, f.iri))


def question_view(g: D.Graph, v: str, L: Linker) -> QuestionView:
    """Question ``v`` with its number, text, footnotes, citations and the answers to it."""
    return QuestionView(v, g.number(v, T.vraagnummer), g.literal(v, T.text, L.lang) or "",
                        g.literal(v, KG + "ruweTekst"), _span(g, v), footnotes_of(g, v, L), citations_of(g, v, L),
                        g.subjects(KG + "beantwoordt", v))


def answer_view(g: D.Graph, a: str, L: Linker) -> AnswerView:
    """Answer ``a`` with its number, text, citations and the numbers of the questions it answers."""
    qs = g.iris(a, KG + "beantwoordt")
    nums = sorted(n for n in (g.number(q, T.vraagnummer) or tail_number(q) for q in qs) if n is not None)
    return AnswerView(a, tail_number(a), g.literal(a, T.text, L.lang) or "", g.literal(a, KG + "ruweTekst"),
                      _span(g, a), nums, qs, citations_of(g, a, L))


def blocks_of(questions: list[QuestionView], answers: dict[str, AnswerView]) -> list[Block]:
    """Consecutive questions sharing an answer form one block, so that a grouped answer is shown once."""
    blocks: list[Block] = []
    shown: set[str] = set()
    for q in questions:
        key = tuple(sorted(q.answers))
        if blocks and key and tuple(sorted(blocks[-1].questions[-1].answers)) == key:
            blocks[-1].questions.append(q)
            continue
        first_new = next((answers[a] for a in q.answers if a in answers and a not in shown), None)
        elsewhere = [answers[a] for a in q.answers if a in answers and a in shown]
        if first_new is not None:
            shown.add(first_new.iri)
        blocks.append(Block([q], first_new, elsewhere))
    return blocks


@dataclass
class Asker:
    position: int
    person: Ref | None
    role: str
    fractie: Ref | None
    name_in_source: str | None
    method: str | None
    unresolved: str | None
    memberships: list[Ref]
    iri: str


@dataclass
class Addressee:
    position: int
    post: Ref | None
    person: Ref | None
    term: Ref | None
    name_in_source: str | None
    method: str | None
    unresolved: str | None
    iri: str
    candidates: list[Ref] = field(default_factory=list)  # an ambiguous addressing: every post held on the date
    ministry: Ref | None = None  # the post's ministry, named as on the date
    candidate_ministries: list[Ref | None] = field(default_factory=list)


@dataclass
class PublicationView:
    ref: Ref
    pub_id: str
    kind: str | None
    title: str | None
    date: str | None
    received: str | None
    page: str | None
    answered_by: Ref | None
    from_post: Ref | None
    on_behalf: list[Ref]
    confidence: str | None
    notes: list[str] = field(default_factory=list)  # what is inconsistent in its own numbering (rdfs:comment)


@dataclass
class Status:
    code: str  # answered | postponed | done | open | unknown
    date: str | None = None
    days: int | None = None
    by: Ref | None = None

    @property
    def badge(self) -> str:
        """The status as the list of Kamervragen names it (closed cases count as answered there)."""
        return {"answered": "beantwoord", "done": "beantwoord", "postponed": "uitgesteld", "open": "open"}.get(
            self.code, "onbekend")


def publications_of(g: D.Graph, r: str, L: Linker) -> list[PublicationView]:
    """The publications of Kamervraag ``r`` (the questions, the answer, a postponement), in that order."""
    out = []
    pubs = set(g.iris(r, KG + "publicatie")) | set(g.subjects(KG + "betreft", r))
    for p in sorted(pubs):
        pid = g.literal(p, KG + "publicatieId") or D.iri_label(p, L.base, L.lang)
        out.append(PublicationView(
            L.ref(p, pid), pid, g.literal(p, KG + "publicatiesoort"), g.literal(p, T.title, L.lang),
            g.literal(p, T.date_submitted), g.literal(p, KG + "ontvangenOp"),
            next((D.external_href(x) for x in g.iris(p, FOAF + "page") if D.external_href(x)), None),
            next((L.ref(x) for x in g.iris(p, KG + "antwoordDoor")), None),
            next((L.ref(x) for x in g.iris(p, KG + "antwoordVanuitPost")), None),
            [L.ref(x) for x in g.iris(p, KG + "medeNamens")], g.literal(p, KG + "zekerheid"),
            _comments(g, p, L.lang)))
    order = {"vragen": 0, "antwoord": 1, "uitstel": 2}
    return sorted(out, key=lambda p: (order.get(p.kind or "", 3), p.received or "", p.pub_id))


def _comments(g: D.Graph, p: str, lang: str) -> list[str]:
    """The ``rdfs:comment`` of a publication (what is inconsistent in its own numbering) in ``lang``, else in
    Dutch, sorted (the store keeps no order among them)."""
    values = [o for o in g.objects(p, T.comment) if isinstance(o, Literal)]
    for want in (lang, "nl"):
        if any(v.language == want for v in values):
            return sorted(v.value for v in values if v.language == want)
    return sorted(v.value for v in values)


def status_of(g: D.Graph, r: str, pubs: list[PublicationView], submitted: str | None) -> Status:
    """The status of Kamervraag ``r``: answered (when, in how many days, by whom), postponed, done, open or unknown."""
    answers = [p for p in pubs if p.kind == "antwoord"]
    if answers:
        dated = sorted((p for p in answers if p.received), key=lambda p: p.received or "")
        first = dated[0] if dated else answers[0]
        return Status("answered", first.received, _days(submitted, first.received) if submitted and first.received
                      else None, first.answered_by)
    if g.iris(r, KG + "heeftAntwoord"):
        return Status("answered")
    postponed = [p for p in pubs if p.kind == "uitstel"]
    if postponed:
        return Status("postponed", postponed[0].received)
    done = g.flag(r, KG + "afgedaan")
    if done:
        return Status("done")
    if done is False and submitted:
        return Status("open", submitted, _days(submitted, dt.date.today().isoformat()))
    return Status("unknown")


def askers_of(g: D.Graph, r: str, L: Linker) -> list[Asker]:
    """The askers of Kamervraag ``r`` from its qualified ``kg:vraagstelling``s, in their order in the source."""
    askers = []
    for vs in g.iris(r, KG + "vraagstelling"):
        role_iri = (g.iris(vs, KG + "rol") or [None])[0]
        role = "indiener" if role_iri == KG + "RolIndiener" else "medeindiener" if role_iri else ""
        person = (g.iris(vs, KG + "persoon") or [None])[0]
        fractie = (g.iris(vs, KG + "fractie") or [None])[0]
        askers.append(Asker(
            g.number(vs, SCHEMA + "position") or 99, L.ref(person) if person else None, role,
            L.ref(fractie) if fractie else None, g.literal(vs, KG + "naamInBron"),
            g.literal(vs, KG + "resolutiemethode"), g.literal(vs, KG + "onopgelost"),
            [L.ref(m) for m in g.iris(vs, KG + "kamerlidmaatschap") + g.iris(vs, KG + "fractielidmaatschap")], vs))
    askers.sort(key=lambda a: (a.position, a.iri))
    return askers


def addressees_of(g: D.Graph, r: str, L: Linker) -> list[Addressee]:
    """The posts and persons Kamervraag ``r`` is addressed to by its qualified ``kg:adressering``s, in order."""
    addressed = []
    for a in g.iris(r, KG + "adressering"):
        post = (g.iris(a, KG + "post") or [None])[0]
        person = (g.iris(a, KG + "persoon") or [None])[0]
        term = (g.iris(a, KG + "ambtsperiode") or [None])[0]
        addressed.append(Addressee(
            g.number(a, SCHEMA + "position") or 99, L.ref(post) if post else None, L.ref(person) if person else None,
            L.ref(term, tr(L.lang, "ambtsperiode", "term of office")) if term else None,
            g.literal(a, KG + "naamInBron"), g.literal(a, KG + "resolutiemethode"), g.literal(a, KG + "onopgelost"), a,
            [L.ref(p) for p in sorted(g.iris(a, KG + "kandidaatpost"))]))
    addressed.sort(key=lambda a: (a.position, a.iri))
    return addressed


async def name_on_date(ctx: PageContext, addressed: list[Addressee], on: str | None) -> None:
    """Names each addressing's post (or candidate posts) and its ministry as they were named on ``on``
    (:mod:`server.pages.names`); a post without a name for that day keeps its label."""
    L = ctx.linker

    async def dated(post: Ref) -> tuple[Ref, Ref | None]:
        n = await names_on(ctx.endpoint, post.iri, on)
        ministry = L.ref(n.ministry_iri, n.ministry) if n.ministry_iri and n.ministry else (
            L.ref(n.ministry_iri) if n.ministry_iri else None)
        return (L.ref(post.iri, n.post) if n.post else post), ministry

    for a in addressed:
        if a.post:
            a.post, a.ministry = await dated(a.post)
        pairs = [await dated(c) for c in a.candidates]
        a.candidates = [p for p, _ in pairs]
        a.candidate_ministries = [m for _, m in pairs]


def questions_and_answers(g: D.Graph, r: str, L: Linker) -> tuple[list[QuestionView], dict[str, AnswerView]]:
    """The questions of Kamervraag ``r`` in number order, and its answers: its own (``kg:heeftAntwoord``), then
    those reached from a question (a published answer to it)."""
    questions = sorted((question_view(g, v, L) for v in g.iris(r, KG + "heeftVraag")),
                       key=lambda q: (q.number or 0, q.iri))
    answers = {a: answer_view(g, a, L) for a in g.iris(r, KG + "heeftAntwoord")}
    for q in questions:  # answers of a question reached from the question (a published answer to it)
        for a in q.answers:
            if a not in answers:
                answers[a] = answer_view(g, a, L)
    return questions, answers


def cited_by_kind(questions: list[QuestionView], answers: dict[str, AnswerView]) -> dict[str, list[Ref]]:
    """What the questions (and their footnotes), then the answers cite, once each, grouped by kind of citation."""
    cited: dict[str, list[Ref]] = {}
    seen: set[tuple[str, str]] = set()
    for q in questions:
        for c in [*q.citations, *(c for f in q.footnotes for c in f.citations)]:
            if c.cited and (c.kind, c.cited.iri) not in seen:
                seen.add((c.kind, c.cited.iri))
                cited.setdefault(c.kind, []).append(c.cited)
    for a in answers.values():
        for c in a.citations:
            if c.cited and (c.kind, c.cited.iri) not in seen:
                seen.add((c.kind, c.cited.iri))
                cited.setdefault(c.kind, []).append(c.cited)
    return cited


def graph_provenance(g: D.Graph, L: Linker) -> list[tuple[Ref, str | None, str | None, str | None]]:
    """The named graphs in the description with the source file and line they were read from."""
    graphs = sorted(s for s in g.out if g.literal(s, KG + "bronbestand"))
    return [(L.ref(x), g.literal(x, KG + "bronbestand"), g.literal(x, KG + "bronregel"),
             g.literal(x, T.modified)) for x in graphs]


# The official pages of a Kamervraag, by the patterns of the sites themselves: the Tweede Kamer's page
# of a Zaak takes its number as ``id`` (https://www.tweedekamer.nl/kamerstukken/brieven_regering/detail?
# did=2022D06725&id=2022Z03223; the document id ``did`` is not in the bundled records, so it is left
# out), and officielebekendmakingen.nl publishes every publication under its id
# (https://zoek.officielebekendmakingen.nl/kv-tk-2011Z04442.html).
TWEEDE_KAMER_ZAAK = "https://www.tweedekamer.nl/kamerstukken/kamervragen/detail?id={zaak}"
OFFICIAL_PUBLICATION = "https://zoek.officielebekendmakingen.nl/{id}.html"
KOOP_FILE = "koop/parliamentary-ids.txt.xz"  # the official id list in the data folder (data/README.md)


@dataclass(frozen=True)
class OfficialSource:
    kind: str  # zaak | vragen | antwoord
    label: str
    href: str


@functools.lru_cache(maxsize=4)
def official_ids(path: str) -> frozenset[str]:
    """The question and answer ids of the official id list (``data/koop/``), read once per path."""
    return read_publication_ids(Path(path), ("kv-tk-", "ah-tk-"))


def official_sources(zaak: str | None, pubs: list[PublicationView], known: frozenset[str]) -> list[OfficialSource]:
    """The Tweede Kamer's page of the Zaak, and the official publications of its questions (``kv-…``: by the
    Zaak number or a publication in the graph) and answers (``ah-…``: a publication in the graph), each
    only when the official id list has the id."""
    out = [OfficialSource("zaak", zaak, TWEEDE_KAMER_ZAAK.format(zaak=quote(zaak)))] if zaak else []
    ids = {f"kv-tk-{zaak}"} if zaak else set()
    ids |= {p.pub_id for p in pubs if p.pub_id.startswith(("kv-tk-", "ah-tk-"))}
    for pid in sorted(ids, key=lambda i: (not i.startswith("kv-"), i)):
        if pid in known:
            kind = "vragen" if pid.startswith("kv-") else "antwoord"
            out.append(OfficialSource(kind, pid, OFFICIAL_PUBLICATION.format(id=quote(pid))))
    return out


async def kamervraag_page(ctx: PageContext) -> tuple[str, dict[str, Any]]:
    """A Kamervraag: who asked whom, its questions with their answers beside them, its publications and status,
    what it cites, and where its record comes from."""
    g, r, L = ctx.graph, ctx.iri, ctx.linker
    submitted = g.literal(r, T.date_submitted)
    askers = askers_of(g, r, L)
    addressed = addressees_of(g, r, L)
    _, eu, cov = await asyncio.gather(name_on_date(ctx, addressed, submitted), kamervraag_eu_links(ctx.endpoint, r),
                                      coverage(ctx.endpoint))
    title = g.literal(r, T.title, L.lang)
    # posts and persons addressed without a qualified Adressering
    listed_posts = {a.post.iri for a in addressed if a.post}
    extra_posts = [L.ref(p) for p in g.iris(r, KG + "gerichtAan") if p not in listed_posts]
    questions, answers = questions_and_answers(g, r, L)
    blocks = blocks_of(questions, answers)
    unplaced = [a for a in answers.values() if not any(b.answer is a for b in blocks)
                and not any(a in b.answer_elsewhere for b in blocks)]
    pubs = publications_of(g, r, L)
    zaak = g.literal(r, KG + "zaaknummer") or g.literal(r, T.identifier)
    known = await run_in_threadpool(official_ids, str(Path(ctx.endpoint.settings.data_dir) / KOOP_FILE))
    status = status_of(g, r, pubs, submitted)
    cited = cited_by_kind(questions, answers)
    provenance = graph_provenance(g, L)
    eu_cited = cited.get("eu", [])
    return "page_kamervraag.html", {
        "title": title or g.literal(r, KG + "zaaknummer") or L.text(r),
        "title_marked": marked(title, eu) if title and any(x.via == "titel" for x in eu) else None,
        "eu_link_rows": [(x, L.ref(x.act), L.ref(x.citing, x.place(L.lang)) if x.via != "titel" else None,
                          x.method_label(L.lang)) for x in eu],
        "eu_coverage": cov.sentence(L.lang),
        "zaak": zaak, "official_sources": official_sources(zaak, pubs, known),
        "submitted": submitted, "vergaderjaar": g.literal(r, KG + "vergaderjaar"),
        "tk_status": g.literal(r, KG + "status"), "committee": g.literal(r, KG + "voortouwcommissie"),
        "modified": g.literal(r, T.modified), "askers": askers, "addressed": addressed, "extra_posts": extra_posts,
        "blocks": blocks, "unplaced_answers": unplaced, "n_questions": len(questions), "n_answers": len(answers),
        "publications": pubs, "status": status, "cited": cited, "graph_provenance": provenance,
        "eu_links": [(c, list_href(L.base, eu=c.iri)) for c in eu_cited],
    }


async def vraag_page(ctx: PageContext) -> tuple[str, dict[str, Any]]:
    """A question or an answer of a Kamervraag: its text, footnotes and citations, what answers it (or what it
    answers), and links to its siblings."""
    g, r, L = ctx.graph, ctx.iri, ctx.linker
    is_answer = KG + "Antwoord" in g.types(r)
    sibs = await D.siblings(ctx.endpoint, r)
    kv = (g.subjects(KG + "heeftAntwoord" if is_answer else KG + "heeftVraag", r) or [None])[0]
    context: dict[str, Any] = {
        "kv": L.ref(kv) if kv else None,
        "kv_title": g.literal(kv, T.title, L.lang) if kv else None,
        "kv_zaak": g.literal(kv, T.identifier) if kv else None,
        "is_answer": is_answer, "siblings": [(n, L.ref(v, str(n)), v == r) for n, v in sibs],
        "sources": [L.ref(p) for p in g.iris(r, PROV + "wasDerivedFrom")],
    }
    if is_answer:
        a = answer_view(g, r, L)
        context.update(answer=a, question=None, title=tr(
            L.lang, "Antwoord op vraag " if len(a.questions) == 1 else "Antwoord op de vragen ",
            "Answer to question " if len(a.questions) == 1 else "Answer to questions ")
            + ", ".join(map(str, a.questions)) if a.questions else L.text(r),
            answered=[L.ref(q, tr(L.lang, f"vraag {n}", f"question {n}")) for n, q in
                      sorted(((g.number(q, T.vraagnummer) or tail_number(q) or 0), q) for q in a.question_iris)])
    else:
        q = question_view(g, r, L)
        ans = [answer_view(g, a, L) for a in q.answers]
        n = q.number
        numbers = [n2 for n2, _, _ in context["siblings"]]
        prev_q = next((ref for n2, ref, _ in reversed(context["siblings"]) if n is not None and n2 < n), None)
        next_q = next((ref for n2, ref, _ in context["siblings"] if n is not None and n2 > n), None)
        context.update(question=q, answers=ans, answer=None, prev_q=prev_q, next_q=next_q, numbers=numbers,
                       title=tr(L.lang, f"Vraag {n}", f"Question {n}") if n is not None else L.text(r))
    return "page_vraag.html", context


# --------------------------------------------------------------------------- Persoon, Fractie
