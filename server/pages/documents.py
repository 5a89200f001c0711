"""The pages of documents outside the questions: EU proposals, procedures and legal acts (their family
of related acts, the questions that cite them) and Kamerstukken and their dossiers."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from markupsafe import Markup

from ontology.namespaces import ELI, FOAF, KG, SKOS, T
from server import describe as D
from server.charts import bar_chart
from server.i18n import tr
from server.pages.base import PageContext, Ref, YearBar, list_href, property_rows
from server.pages.eu_links import coverage, eu_questions, year_counts

DUAL_USE = "http://data.europa.eu/eli/reg/2009/428/oj"


@dataclass
class Relation:
    source: Ref
    predicate: str
    label: str
    target: Ref


EU_RELATION_LABELS = {
    KG + "procedure": ("opende procedure", "opened procedure"),
    KG + "herziet": ("stelt herziening voor van", "proposes to revise"),
    KG + "leiddeTot": ("leidde tot", "resulted in"),
    ELI + "repeals": ("trekt in", "repeals"),
    ELI + "amends": ("wijzigt", "amends"),
}


def eu_family(r: str, relations: list[tuple[str, str, str]]) -> set[str]:
    """The EU resources connected to ``r`` by the relations, both ways: proposal -> procedure -> act -> repealed
    act."""
    family = {r}
    changed = True
    while changed:  # the connected family: proposal -> procedure -> act -> repealed act, both ways
        changed = False
        for x, _p, y in relations:
            if (x in family) != (y in family):
                family.update((x, y))
                changed = True
    return family


def eurlex_href(celex: str | None, kind: str, identifier: str | None) -> str | None:
    """The resource's page on EUR-Lex: by its CELEX number, or a procedure by its identifier (``2016/0295(COD)``)."""
    eurlex = None
    if celex:
        eurlex = f"https://eur-lex.europa.eu/legal-content/NL/TXT/?uri=CELEX:{quote(celex)}"
    elif kind == "procedure" and identifier:
        m = re.match(r"^(\d{4})/(\d{4})\((\w+)\)$", identifier)
        if m:
            eurlex = f"https://eur-lex.europa.eu/procedure/NL/{m.group(1)}_{int(m.group(2))}"
    return eurlex


async def eu_page(ctx: PageContext) -> tuple[str, dict[str, Any]]:
    """An EU proposal, procedure or legal act: its family of related acts, the questions citing it, EUR-Lex."""
    g, r, L = ctx.graph, ctx.iri, ctx.linker
    ov_task = asyncio.ensure_future(ctx.overview())
    relations, links, cov = await asyncio.gather(D.eu_relations(ctx.endpoint), eu_questions(ctx.endpoint, r),
                                                 coverage(ctx.endpoint))
    ov = await ov_task
    family = eu_family(r, relations)
    entries = {e.iri: e for e in ov.eu}

    def eu_ref(x: str) -> Ref:
        text = ov.label(x, L.lang) or L.text(x)
        ident = entries[x].identifier if x in entries else ""
        return L.ref(x, f"{text} ({ident})" if ident and ident not in text else text)

    rels = [Relation(eu_ref(x), p, tr(L.lang, *EU_RELATION_LABELS.get(p, (p, p))), eu_ref(y))
            for x, p, y in relations if x in family]
    order = {p: i for i, p in enumerate([KG + "procedure", KG + "leiddeTot", KG + "herziet", ELI + "repeals",
                                         ELI + "amends"])}
    rels.sort(key=lambda rel: (order.get(rel.predicate, 9), rel.source.text))
    members = sorted(family, key=lambda x: (entries[x].date if x in entries else "", x))
    family_rows = [(L.ref(x, ov.label(x, L.lang) or L.text(x)), entries[x].identifier if x in entries else "",
                    entries[x].date if x in entries else "", entries[x].kamervragen if x in entries else 0, x == r)
                   for x in members]
    celex = g.literal(r, KG + "celex")
    identifier = g.literal(r, T.identifier)
    types = g.types(r)
    kind = "voorstel" if KG + "EUVoorstel" in types else "procedure" if KG + "EUProcedure" in types else "handeling"
    eurlex = eurlex_href(celex, kind, identifier)
    return "page_eu.html", {
        "title": g.literal(r, T.label, L.lang) or g.label(r, L.lang) or L.text(r),
        "full_title": g.literal(r, T.pref_label, L.lang), "kind": kind, "celex": celex, "identifier": identifier,
        "eli": r if r.startswith("http://data.europa.eu/eli/") else None,
        "cellar": r if r.startswith("http://publications.europa.eu/resource/") else None,
        "act_date": g.literal(r, T.date), "eurlex": eurlex, "relations": rels, "family": family_rows,
        "alt_labels": g.literals(r, SKOS + "altLabel"),
        "eu_links": eu_link_view(links, r, eu_ref, L), "coverage": cov.sentence(L.lang),
        "fiche_coverage": cov.fiche_sentence(L.lang) if cov.fiches else "",
        "named_query_href": "/queries/eu-act-questions?" + urlencode({"name": r}),
        "dual_use": DUAL_USE in family,
        "dual_use_href": "/queries/dual-use?" + urlencode({"act": r}),
        "list_href": list_href(L.base, eu=r),
        "facts": property_rows(g, r, L, skip=[T.label, T.pref_label, SKOS + "altLabel"]),
    }


@dataclass
class EULinksView:
    """The Kamervragen about an act and its family: their number, a bar per year, and every link (with the
    act it names where that is another act of the family)."""

    total: int
    years: list[YearBar]
    rows: list[tuple[Any, Ref, Ref | None, Ref, str]]  # (link, Kamervraag, other act or None, place, method)
    chart: Markup = Markup("")  # the Kamervragen per year (server.charts), with the years linking to the rows


def eu_link_view(links: list, r: str, eu_ref: Any, L: Any) -> EULinksView:
    """The view of the links of act ``r``'s family (:func:`server.pages.eu_links.eu_questions`)."""
    years = year_counts(links)
    top = max((n for _, n in years), default=1)
    bars = [YearBar(y, n, round(100 * n / top, 1), f"#eu-{y}", False) for y, n in years]
    rows = [(x, L.ref(x.kv, x.zaak or D.iri_label(x.kv, L.base, L.lang)), eu_ref(x.act) if x.act != r else None,
             L.ref(x.citing, x.place(L.lang)), x.method_label(L.lang)) for x in links]
    chart = bar_chart(years, L.lang, ("Kamervragen per jaar", "Questions per year"), unit="year",
                      hrefs={str(y): f"#eu-{y}" for y, _ in years}, chart_id="eu-grafiek")
    return EULinksView(len({x.kv for x in links}), bars, rows, chart)


async def kamerstuk_page(ctx: PageContext) -> tuple[str, dict[str, Any]]:
    """A Kamerstuk or a dossier: its identifiers, web pages, the questions citing it (and how they were found)
    and, for a BNC fiche, the EU proposals it assesses."""
    g, r, L = ctx.graph, ctx.iri, ctx.linker
    citing, cov = await asyncio.gather(D.cited_by(ctx.endpoint, r), coverage(ctx.endpoint))
    is_dossier = KG + "Kamerstukdossier" in g.types(r)
    items = [(c, L.ref(c.kv, c.zaak or D.iri_label(c.kv, L.base, L.lang)), L.ref(
        c.citing, tr(L.lang, f"vraag {c.number}", f"question {c.number}") if c.kind == "vraag" else
        tr(L.lang, f"voetnoot bij vraag {c.number}", f"footnote at question {c.number}") if c.kind == "voetnoot" else
        tr(L.lang, "antwoord", "answer"))) for c in citing]
    pages = [D.external_href(x) for x in g.iris(r, FOAF + "page") if D.external_href(x)]
    pid = g.literal(r, KG + "publicatieId")
    title = g.label(r, L.lang)
    if not title:
        dossier = g.literal(r, KG + "dossiernummer")
        if is_dossier and dossier:
            title = tr(L.lang, f"Kamerstukdossier {dossier}", f"Parliamentary dossier {dossier}")
        else:
            title = D.iri_label(r, L.base, L.lang)
    return "page_kamerstuk.html", {
        "title": title, "is_dossier": is_dossier, "pid": pid, "pages": pages, "citing": items,
        "dossier": [L.ref(x) for x in g.iris(r, KG + "dossier")],
        "coverage": cov.kamerstuk_sentence(L.lang),
        "assesses": [L.ref(x) for x in g.iris(r, T.cites)],
        "facts": property_rows(g, r, L),
    }
