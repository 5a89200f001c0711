"""Map a resolved published text to its own named graph, with the provenance of every fact.

The graph ``{base}graph/publicatie/{id}`` holds the publication, the questions and answers it
contains (as parts of the same Kamervraag resource the OData Zaak describes), its footnotes,
and one kg:Citatie per citation found, each with the words and the character span it came
from and the method that found it.
"""

from __future__ import annotations

from ingest.citations.linker import citation_method
from ingest.citations.register import EURegister
from ingest.map import (
    BETROUWBAARHEID,
    KOPPELMETHODE,
    GraphBuilder,
    MappedGraph,
    decimal,
    lit,
    map_addressee,
    map_asker,
    node,
    v,
)
from ingest.records import Citation
from ingest.resolve_text import ResolvedText
from ingest.texts.numbering import PartKeys, footnote_question, numbering_findings, part_keys
from ontology.namespaces import Iris, T, officielebekendmakingen_url

TEXT_SOURCE_KIND = "tekst"


def _span(b: GraphBuilder, s: str, start: int, end: int) -> None:
    b.add(s, T.beginpositie, lit(start))
    b.add(s, T.eindpositie, lit(end))


def cited_node(c: Citation, iris: Iris) -> str | None:
    """The resource a citation points at, or None where it has no identity of its own (a letter)."""
    if c.kind == "kamerstuk" and c.dossier and c.number:
        return node(iris.kamerstuk(c.dossier, c.number))
    if c.kind == "aanhangsel" and c.target:
        return node(iris.publicatie(c.target))
    if c.target and c.target.startswith(("http://", "https://")):
        return node(c.target)
    return None


def _cited_description(b: GraphBuilder, c: Citation, target: str, iris: Iris) -> None:
    if c.kind == "kamerstuk" and c.dossier and c.number:
        dossier = node(iris.dossier(c.dossier))
        b.add(target, T.type, v(T.Kamerstuk))
        b.add(target, T.type, v(T.Publicatie))  # a Kamerstuk is published as kst-…
        b.add(target, T.dossier, dossier)
        b.add(target, T.ondernummer, lit(c.number))
        if c.target:
            b.add(target, T.publicatie_id, lit(c.target))
            b.add(target, T.page, node(officielebekendmakingen_url(c.target)))
        b.add(dossier, T.type, v(T.Kamerstukdossier))
        b.add(dossier, T.dossiernummer, lit(c.dossier))
    elif c.kind == "aanhangsel" and c.target:
        b.add(target, T.type, v(T.Publicatie))
        b.add(target, T.publicatie_id, lit(c.target))
        b.add(target, T.page, node(officielebekendmakingen_url(c.target)))


def _citations(b: GraphBuilder, citing: str, citations: tuple[Citation, ...], iris: Iris) -> None:
    for i, c in enumerate(citations, start=1):
        cit = node(f"{citing[1:-1]}/citatie/{i}")
        b.add(cit, T.type, v(T.Citatie))
        b.add(cit, T.has_citing_entity, citing)
        b.add(cit, T.tekstfragment, lit(c.text))
        _span(b, cit, c.span.start, c.span.end)
        b.add(cit, T.resolutiemethode, lit(f"{c.kind}:{c.method}"))
        how = citation_method(c)
        if how is not None:  # an EU citation: the linker's method and confidence
            b.add(cit, KOPPELMETHODE, lit(how[0]))
            b.add(cit, BETROUWBAARHEID, decimal(how[1]))
        if c.date:
            b.add(cit, T.date, lit(c.date))
        target = cited_node(c, iris)
        if target is not None:
            b.add(cit, T.has_cited_entity, target)
            b.add(citing, T.cites, target)
            _cited_description(b, c, target, iris)


def _part(b: GraphBuilder, kv: str, s: str, cls: str, has: str, text: str, raw: str, span, citations, pub: str,
          iris: Iris) -> None:
    """A question or answer as a resource: its clean and raw text, its span, where it was read."""
    b.add(kv, has, s)
    b.add(s, T.type, v(cls))
    b.add(s, T.text, lit(text, "nl"))
    b.add(s, T.ruwe_tekst, lit(raw))
    b.add(s, T.was_derived_from, pub)
    _span(b, s, span.start, span.end)
    _citations(b, s, citations, iris)


def map_text(rt: ResolvedText, iris: Iris, *, quote_questions: bool = True) -> MappedGraph:
    """One published text as its named graph.

    ``quote_questions``: whether this text states the questions' texts. An answer document
    quotes the questions, but where the question set itself is published (and ingested), the
    questions are its statements; the answer then only links to them.
    """
    pub_key = rt.publication_key
    b = GraphBuilder(iris.graph("publicatie", pub_key))
    pub = node(iris.publicatie(pub_key))
    kv = node(iris.kamervraag(rt.kamervraag))
    _publication(b, rt, pub, kv, iris)
    keys = part_keys(rt.doc)
    questions = [node(_part_iri(iris.vraag(rt.kamervraag, q.number), k)) for q, k in zip(rt.doc.questions, keys.questions)]
    _questions_and_answers(b, rt, pub, kv, questions, keys, quote_questions, iris)
    _footnotes(b, rt, pub, questions, quote_questions, iris)
    b.provenance(iris.source_record(TEXT_SOURCE_KIND, pub_key), rt.doc.source)
    return b.graph()


def _publication(b: GraphBuilder, rt: ResolvedText, pub: str, kv: str, iris: Iris) -> None:
    """The publication ``pub``: its id, kind, confidence, title, dates and who answered, and the
    Kamervraag ``kv`` it concerns, described from the text where no other record describes it."""
    doc = rt.doc
    b.add(pub, T.type, v(T.Publicatie))
    if doc.publication_id:
        b.add(pub, T.publicatie_id, lit(doc.publication_id))
        b.add(pub, T.page, node(officielebekendmakingen_url(doc.publication_id)))
    b.add(pub, T.publicatiesoort, lit(doc.kind))
    b.add(pub, T.zekerheid, lit("hoog" if doc.confidence == "high" else "laag"))
    b.add(pub, T.betreft, kv)
    b.add(kv, T.publicatie, pub)
    if not rt.described_elsewhere:
        # No other record describes this Kamervraag (yet): the text says who asked whom and when.
        b.add(kv, T.type, v(T.Kamervraag))
        if doc.zaak:
            b.add(kv, T.zaaknummer, lit(doc.zaak))
            b.add(kv, T.identifier, lit(doc.zaak))
        if doc.subject:
            b.add(kv, T.title, lit(doc.subject, "nl"))
        if doc.submitted:
            b.add(kv, T.date_submitted, lit(doc.submitted))
        for a in rt.askers:
            b.add(kv, T.vraagstelling, map_asker(b, iris, rt.kamervraag, kv, a))
        for a in rt.addressees:
            b.add(kv, T.adressering, map_addressee(b, iris, rt.kamervraag, kv, a))
    if doc.subject:
        b.add(pub, T.title, lit(doc.subject, "nl"))
    if doc.kind == "vragen" and doc.submitted:
        b.add(pub, T.date_submitted, lit(doc.submitted))
    if doc.received:
        b.add(pub, T.ontvangen_op, lit(doc.received))
    if rt.answering_person:
        b.add(pub, T.antwoord_door, node(iris.persoon(rt.answering_person)))
    if rt.answering_post:
        b.add(pub, T.antwoord_vanuit_post, node(iris.post(rt.answering_post)))
    for key in rt.on_behalf_posts:
        if key:
            b.add(pub, T.mede_namens, node(iris.post(key)))


def _part_iri(numbered: str, key: str) -> str:
    """The IRI of a part printed as number N (``numbered``: ``…/vraag/N``) with its key: ``…/vraag/N``
    for the first part of that number, ``…/vraag/N-2`` for the second (:mod:`ingest.texts.numbering`)."""
    _, _, occurrence = key.partition("-")
    return f"{numbered}-{occurrence}" if occurrence else numbered


def _questions_and_answers(
    b: GraphBuilder, rt: ResolvedText, pub: str, kv: str, questions: list[str], keys: PartKeys, quote_questions: bool,
    iris: Iris,
) -> None:
    """The questions (where this text states them: ``quote_questions``) and the answers, each
    answer linked to the questions it answers (``questions``: their nodes in the text's order;
    ``keys``: which of them each answer answers, where a number is printed twice). What is
    inconsistent in the text's own numbering is the publication's ``rdfs:comment`` (nl, en)."""
    doc = rt.doc
    if quote_questions:
        for q, vq in zip(doc.questions, questions):
            _part(b, kv, vq, T.Vraag, T.heeft_vraag, q.text, q.raw, q.span, q.citations, pub, iris)
            b.add(vq, T.vraagnummer, lit(q.number))
    for a, key, answered in zip(doc.answers, keys.answers, keys.answered):
        if not a.numbers or key is None:
            continue
        va = node(_part_iri(iris.antwoord(rt.kamervraag, a.numbers[0]), key))
        _part(b, kv, va, T.Antwoord, T.heeft_antwoord, a.text, a.raw, a.span, a.citations, pub, iris)
        for n, i in zip(a.numbers, answered):
            b.add(va, T.beantwoordt, questions[i] if i is not None else node(iris.vraag(rt.kamervraag, n)))
    for nl, en in numbering_findings(doc):
        b.add(pub, T.comment, lit(nl, "nl"))
        b.add(pub, T.comment, lit(en, "en"))


def _footnotes(b: GraphBuilder, rt: ResolvedText, pub: str, questions: list[str], quote_questions: bool, iris: Iris) -> None:
    """The footnotes of the publication ``pub``, each with its text, span, question (the one whose
    text holds its marker; ``questions``: their nodes in the text's order) and citations."""
    for f in rt.doc.footnotes:
        fn = node(f"{pub[1:-1]}/voetnoot/{f.number}")
        b.add(fn, T.type, v(T.Voetnoot))
        b.add(fn, T.voetnootnummer, lit(f.number))
        b.add(fn, T.text, lit(f.text, "nl"))
        _span(b, fn, f.span.start, f.span.end)
        i = footnote_question(rt.doc, f.number, f.question)
        if i is not None:
            b.add(fn, T.bij_vraag, questions[i])
            if quote_questions:
                b.add(questions[i], T.voetnoot, fn)
        _citations(b, fn, f.citations, iris)


def map_eu_register(register: EURegister, iris: Iris) -> MappedGraph:
    """The EU register as a reference graph: acts (ELI), proposals and procedures (CELLAR), and
    how they relate: a proposal's procedure and the act it revises, the act a procedure produced,
    the acts an act repeals or amends."""
    b = GraphBuilder(iris.reference_graph("eu"))
    classes = {"act": T.EULegalResource, "proposal": T.EUVoorstel, "procedure": T.EUProcedure}
    for r in register:
        if not r.iri:
            continue
        s = node(r.iri)
        b.add(s, T.type, v(classes[r.kind]))
        b.add(s, T.label, lit(r.short_title_nl or r.title_nl, "nl"))
        b.add(s, T.pref_label, lit(r.title_nl, "nl"))
        b.add(s, T.identifier, lit(r.number))
        if r.celex:
            b.add(s, T.celex, lit(r.celex))
        if r.date:
            b.add(s, T.date, lit(r.date))
        for alias in r.aliases:
            b.add(s, T.alt_label, lit(alias, "nl"))
        links = (
            (T.repeals, r.repeals),
            (T.amends, r.amends),
            (T.herziet, r.revises),
            (T.leidde_tot, r.resulted_in),
        )
        for prop, keys in links:
            for k in keys:
                if k in register and register[k].iri:
                    b.add(s, prop, node(register[k].iri))
        for k in r.initiated_by:  # procedure -> proposal, stated from the proposal's side
            if k in register and register[k].iri:
                b.add(node(register[k].iri), T.procedure, s)
    b.provenance(iris.source_record("referentie", "eu"), None)
    return b.graph()
