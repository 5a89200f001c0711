"""The pages of a post, a ministry and a cabinet: holders over time, the questions received and how long
their answers took, the fracties that ask."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ontology.namespaces import DCTERMS, KG, ORG, T
from server.i18n import tr
from server.overview import Overview
from server.pages.base import Linker, PageContext, PropertyRow, Ref, Value, property_rows
from server.pages.lists import answer_times, question_list
from server.pages.names import names_of


def _terms_rows(terms: Iterable[Any], L: Linker, ov: Overview, show: str) -> list[tuple[Any, ...]]:
    """One row per term of office: who, which post, in which cabinet, from when to when, acting or not."""
    rows = []
    for t in terms:
        who = L.ref(t.person, ov.label(t.person, L.lang) or L.text(t.person))
        what = L.ref(t.post, ov.label(t.post, L.lang) or L.text(t.post))
        cab = L.ref(t.cabinet, ov.label(t.cabinet, L.lang) or L.text(t.cabinet)) if t.cabinet else None
        rows.append((who, what, cab, t.start, t.end, t.acting, L.ref(t.iri, tr(L.lang, "ambtsperiode", "term"))))
    return rows


def possibly_row(ov: Overview, L: Linker, kind: str, r: str) -> PropertyRow | None:
    """The line "mogelijk ontvangen / possibly received, N" of a post or ministry: the questions whose
    addressee held several posts that day, this one among them, and no published text names one. They
    are not in the questions received (counted apart, never in both); None when there are none."""
    n = ov.possibly(kind, r) if kind in ("post", "ministerie") else 0
    if not n:
        return None
    text = tr(L.lang, f"{n} Kamervragen: de geadresseerde bekleedde die dag meer dan één post, deze er een van, "
                      "en geen gepubliceerde tekst noemt de post; niet meegeteld bij de ontvangen Kamervragen",
              f"{n} questions: the addressee held more than one post that day, this one among them, and no "
              "published text names the post; not counted in the questions received")
    return PropertyRow(L.ref(KG + "mogelijkGerichtAan", tr(L.lang, "mogelijk ontvangen", "possibly received")),
                       [Value(text)])


async def government_page(ctx: PageContext) -> tuple[str, dict[str, Any]]:
    """Post, Ministerie and Kabinet: holders over time, questions received, answer times."""
    g, r, L = ctx.graph, ctx.iri, ctx.linker
    ov = await ctx.overview()
    types = g.types(r)
    if KG + "Post" in types:
        kind, facet, which = "post", "post", "post"
        terms = ov.terms_of_post.get(r, [])
        posts: list[Ref] = []
    elif KG + "Ministerie" in types:
        kind, facet, which = "ministerie", "ministerie", "ministerie"
        post_iris = ov.posts_of_ministry.get(r, [])
        posts = sorted((L.ref(p, ov.label(p, L.lang) or L.text(p)) for p in post_iris), key=lambda x: x.text.lower())
        terms = sorted((t for p in post_iris for t in ov.terms_of_post.get(p, [])),
                       key=lambda t: (t.start, t.end, t.iri), reverse=True)
    else:
        kind, facet, which = "kabinet", None, "kabinet"
        terms = sorted(ov.terms_of_cabinet.get(r, []),
                       key=lambda t: ((ov.label(t.post, L.lang) or t.post).lower(), t.start))
        posts = []
    questions = question_list(ctx.request, ov, L, "vragen",
                              tr(L.lang, "Ontvangen Kamervragen", "Questions received"), kind, r, facet,
                              with_askers=True)
    times = answer_times(ov, kind, r)
    by_fractie = ov.top(kind, r, "fractie", 10)
    fr_max = max((n for _, n in by_fractie), default=1)
    fracties = [(L.ref(f, ov.label(f, L.lang) or L.text(f)), n, round(100 * n / fr_max, 1)) for f, n in by_fractie]
    ministries = []
    if kind == "kabinet":
        top = ov.top(kind, r, "ministerie", 12)
        m_max = max((n for _, n in top), default=1)
        ministries = [(L.ref(m, ov.label(m, L.lang) or L.text(m)), n, round(100 * n / m_max, 1)) for m, n in top]
    ministry = [L.ref(m) for m in g.iris(r, ORG + "postIn")]
    facts = property_rows(g, r, L, skip=[T.label, T.pref_label])
    possibly = possibly_row(ov, L, kind, r)
    if possibly is not None:  # the list says its base: certain addressings; the possible ones apart
        n = ov.possibly(kind, r)
        questions.heading += tr(L.lang, f" (zeker; mogelijk: {n})", f" (certain; possibly: {n})")
        facts.append(possibly)
    return "page_government.html", {
        "title": g.label(r, L.lang) or L.text(r), "which": which,
        "facts": facts,
        "ministry": ministry, "posts": posts, "terms": _terms_rows(terms, L, ov, which), "questions": questions,
        "times": times, "fracties": fracties, "ministries": ministries,
        "replaces": [L.ref(x) for x in g.iris(r, DCTERMS + "replaces")],
        "replaced_by": [L.ref(x) for x in g.iris(r, DCTERMS + "isReplacedBy")],
        "names": (await names_of(ctx.endpoint, r)).own if kind != "kabinet" else [],
    }


# --------------------------------------------------------------------------- EU acts, Kamerstukken
