"""The pages of a person (memberships and terms on a time line, questions asked and received) and of a
fractie (its members over time, the ministries it asks, its questions)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pyoxigraph import NamedNode

from ingest.periods import INFERRED_PREFIX
from ontology.namespaces import OWL, T, sparql_prefixes
from server.endpoint import run_rows
from server.i18n import COUNT_NOTES, tr
from server.pages.base import PageContext, Ref, list_href, pager, property_rows, query_int, questions_chart
from server.pages.government import ministry_bars
from server.pages.lists import question_list
from store.pool import Job

MEMBER_PAGE_SIZE = 50


@dataclass
class TimelineRow:
    label: Ref
    kind: str
    start: str
    end: str
    left: float
    width: float
    detail: str = ""  # where the membership comes from (its kg:herkomst), when it says
    iri: str = ""
    inferred: bool = False  # inferred from the questions the person asked (kg:herkomst "afgeleid: …")


# How each membership of a person came about, where the data says it (kg:herkomst): periods inferred from
# the questions asked (askers in no list, re-elected members without a row), filled in from OpenKamer, or
# a Kamer membership put together from fractie periods.
HERKOMST = sparql_prefixes() + """
SELECT ?m ?herkomst ?p WHERE { ?m org:member ?p ; kg:herkomst ?herkomst }"""


async def herkomst_of(ctx: PageContext, person: str) -> dict[str, str]:
    """The kg:herkomst of every membership of ``person``, by the membership's IRI."""
    answer = await run_rows(ctx.endpoint, Job(HERKOMST, output="rows", bindings={"p": NamedNode(person)}))
    assert answer.result is not None
    return {m.value: how.value for m, how, _p in answer.result.rows}


def timeline(rows: list[tuple[Ref, str, str, str, str, str]]) -> tuple[list[TimelineRow], int | None, int | None]:
    """Bars on a common time axis: (label, kind, start, end, detail, iri) -> positioned rows, first and last year."""
    if not rows:
        return [], None, None
    today = dt.date.today().isoformat()
    starts = [r[2] for r in rows if r[2]]
    ends = [r[3] or today for r in rows]
    lo = min(starts or [today])[:4]
    hi = max(ends)[:4]
    y0, y1 = int(lo), int(hi) + 1
    span = max(1, y1 - y0)

    def pos(d: str) -> float:
        try:
            x = dt.date.fromisoformat(d[:10])
        except ValueError:
            return 0.0
        return ((x.year - y0) + (x.timetuple().tm_yday - 1) / 366) / span * 100

    out = []
    for label, kind, start, end, detail, iri in rows:
        left = pos(start) if start else 0.0
        right = pos(end or today)
        out.append(TimelineRow(label, kind, start, end, round(left, 2), round(max(0.6, right - left), 2), detail, iri))
    return out, y0, y1


async def persoon_page(ctx: PageContext) -> tuple[str, dict[str, Any]]:
    """A person: memberships and terms of office on a time line, the questions asked and received."""
    g, r, L = ctx.graph, ctx.iri, ctx.linker
    ov = await ctx.overview()
    herkomst = await herkomst_of(ctx, r)
    rows = []
    for m in ov.memberships_of.get(r, []):
        label = L.ref(m.org, ov.label(m.org, L.lang) or L.text(m.org))
        rows.append((label, m.kind, m.start, m.end, herkomst.get(m.iri, ""), m.iri))
    rows.sort(key=lambda x: (0 if x[1] == "kamer" else 1, x[2]))
    bars, y0, y1 = timeline(rows)
    for b in bars:
        b.inferred = b.detail.startswith(INFERRED_PREFIX)
    terms = []
    for t in ov.terms_of_person.get(r, []):
        terms.append((L.ref(t.post, ov.label(t.post, L.lang) or L.text(t.post)),
                      L.ref(t.cabinet, ov.label(t.cabinet, L.lang) or L.text(t.cabinet)) if t.cabinet else None,
                      t.start, t.end, t.acting, L.ref(t.iri, tr(L.lang, "ambtsperiode", "term"))))
    asked = question_list(ctx.request, ov, L, "gesteld", tr(L.lang, "Gestelde Kamervragen", "Questions asked"),
                          "asker", r, "lid", with_askers=True)
    received = question_list(ctx.request, ov, L, "ontvangen",
                             tr(L.lang, "Ontvangen Kamervragen (als bewindspersoon)", "Questions received (as minister)"),
                             "addressee", r, None, with_askers=True) if ov.count("addressee", r) else None
    charts = {"asked": questions_chart(ov, L.lang, "asker", r, asked.years, "gesteld-grafiek"),
              "received": questions_chart(ov, L.lang, "addressee", r, received.years, "ontvangen-grafiek")
              if received else None}
    wikidata = [x for x in g.iris(r, OWL + "sameAs") if x.startswith("http://www.wikidata.org/entity/")]
    facts = property_rows(g, r, L, skip=[T.label, T.name])
    return "page_persoon.html", {
        "title": g.literal(r, T.name) or L.text(r), "facts": facts, "timeline": bars, "y0": y0, "y1": y1,
        "terms": terms, "asked": asked, "received": received, "charts": charts,
        "wikidata": [(w, "https://www.wikidata.org/wiki/" + w.rsplit("/", 1)[1]) for w in wikidata],
    }


async def fractie_page(ctx: PageContext) -> tuple[str, dict[str, Any]]:
    """A fractie: its members on a time line (paged), the ministries it asks most, its questions."""
    g, r, L = ctx.graph, ctx.iri, ctx.linker
    ov = await ctx.overview()
    members = ov.members_of.get(r, [])
    number = query_int(ctx.request, "leden_p")
    pages = max(1, -(-len(members) // MEMBER_PAGE_SIZE))
    number = min(number, pages)
    shown = members[(number - 1) * MEMBER_PAGE_SIZE:number * MEMBER_PAGE_SIZE]
    today = dt.date.today().isoformat()
    current = sum(1 for m in members if not m.end or m.end >= today)
    bars, y0, y1 = timeline([(L.ref(m.person), "fractie", m.start, m.end, "", m.iri) for m in shown])
    member_rows = [(L.ref(m.person, ov.label(m.person, L.lang) or L.text(m.person)), m.start, m.end,
                    L.ref(m.iri, tr(L.lang, "lidmaatschap", "membership")), bar) for m, bar in zip(shown, bars)]
    questions = question_list(ctx.request, ov, L, "vragen",
                              tr(L.lang, "Kamervragen van de fractie", "Questions of the group"),
                              "fractie", r, "fractie", with_askers=True)
    # certain addressings (kg:gerichtAan) in the count and the bar; the possible ones apart, each with its list
    ministries = [(m, n, w, list_href(L.base, fractie=r, ministerie=m.iri), maybe,
                   list_href(L.base, fractie=r, ministerie=m.iri + "~mogelijk"))
                  for m, n, w, maybe in ministry_bars(ov, L, "fractie", r, 10)]
    return "page_fractie.html", {
        "title": g.label(r, L.lang) or L.text(r), "facts": property_rows(g, r, L, skip=[T.label, T.pref_label]),
        "n_members": len(members), "n_current": current, "members": member_rows, "members_y0": y0, "members_y1": y1,
        "members_pager": pager(ctx.request, "leden_p", number, pages, len(members), "leden"),
        "ministries": ministries, "questions": questions,
        "chart": questions_chart(ov, L.lang, "fractie", r, questions.years, "vragen-grafiek"),
        "ministries_base": tr(L.lang, *COUNT_NOTES["fractie-ministries"]),
    }


# --------------------------------------------------------------------------- Post, Ministerie, Kabinet
