"""The pages of a post, a ministry and a cabinet: holders over time, the questions received and how long
their answers took, the fracties that ask."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from collections.abc import Iterable
from typing import Any

from ontology.namespaces import DCTERMS, KG, ORG, T
from server.i18n import COUNT_NOTES, fmt_int, tr
from server.overview import Overview
from server.pages.base import Base, Linker, PageContext, PropertyRow, Ref, Value, property_rows, questions_chart
from server.pages.lists import answer_times, question_list
from server.pages.names import names_during, names_of


def _terms_rows(terms: Iterable[Any], L: Linker, ov: Overview, show: str,
                named: dict[str, list[str | None]] | None = None) -> list[tuple[Any, ...]]:
    """One row per term of office: who, which post (under its names during the term, ``named`` per post in
    the order of ``terms``, else its label), in which cabinet, from when to when, acting or not."""
    rows = []
    seen: Counter[str] = Counter()
    for t in terms:
        who = L.ref(t.person, ov.label(t.person, L.lang) or L.text(t.person))
        during = (named or {}).get(t.post, [])
        name = during[seen[t.post]] if seen[t.post] < len(during) else None
        seen[t.post] += 1
        what = L.ref(t.post, name or ov.label(t.post, L.lang) or L.text(t.post))
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


def possibly_by_ministry(ov: Overview, kind: str, key: str) -> Counter[str]:
    """Per ministry, the questions of a list (a fractie's, a cabinet's) possibly addressed to it and not
    certainly: the addressee held several posts that day, one of this ministry, no published text names one
    and no certain post of the question is of this ministry (as :meth:`Overview.possibly` counts them)."""
    counts: Counter[str] = Counter()
    for i in ov.lists.get((kind, key), ()):
        c = ov.cases[i]
        if c.possible_posts:
            certain = set(ov.ministries(c))
            counts.update({m for m in (ov.post_ministry.get(p) for p in c.possible_posts) if m and m not in certain})
    return counts


def ministry_bars(ov: Overview, L: Linker, kind: str, key: str, n: int) -> list[tuple[Any, ...]]:
    """The ``n`` ministries a list's questions were addressed to most, as bars: (ministry, certain count, bar
    width in %, possible count). Certain addressings only in the count and the bar; the possible ones apart
    (a ministry with possible ones only is listed after the others)."""
    certain = dict(ov.top(kind, key, "ministerie", 10_000))
    maybe = possibly_by_ministry(ov, kind, key)
    order = sorted({*certain, *maybe}, key=lambda m: (-certain.get(m, 0), -maybe[m], m))[:n]
    top = max((certain.get(m, 0) for m in order), default=0) or 1
    return [(L.ref(m, ov.label(m, L.lang) or L.text(m)), certain.get(m, 0), round(100 * certain.get(m, 0) / top, 1),
             maybe[m]) for m in order]


def possibly_note(lang: str, n: int) -> str:
    """"zeker; mogelijk: N" / "certain; possibly: N" (N formatted as the page formats numbers)."""
    return tr(lang, *COUNT_NOTES["possibly"]).format(n=fmt_int(n, lang))


def _fractie_bars(ov: Overview, L: Linker, kind: str, r: str) -> list[tuple[Any, ...]]:
    """The fracties asking a post, ministry or cabinet most: (fractie, count, bar width in %, possible count).
    For a post or ministry the count is of the questions certainly addressed to it, the possible ones apart
    (the list ``post-mogelijk``…); a cabinet's list holds the questions addressed to a term of office of it,
    whichever post, so it has no possible part."""
    certain = dict(ov.top(kind, r, "fractie", 10_000))
    maybe = dict(ov.top(f"{kind}-mogelijk", r, "fractie", 10_000)) if kind in ("post", "ministerie") else {}
    order = sorted({*certain, *maybe}, key=lambda f: (-certain.get(f, 0), -maybe.get(f, 0), f))[:10]
    top = max((certain.get(f, 0) for f in order), default=0) or 1
    return [(L.ref(f, ov.label(f, L.lang) or L.text(f)), certain.get(f, 0), round(100 * certain.get(f, 0) / top, 1),
             maybe.get(f, 0)) for f in order]


def _counts_base(lang: str, kind: str) -> dict[str, str]:
    """The lines saying what the bars count: the fracties of the questions received, the cabinet's ministries."""
    what = {"post": ("post", "post"), "ministerie": ("ministerie", "ministry")}.get(kind)
    return {"fracties": tr(lang, *COUNT_NOTES["received-fracties"]).format(what=tr(lang, *what)) if what else "",
            "ministries": tr(lang, *COUNT_NOTES["cabinet-ministries"]) if kind == "kabinet" else ""}


def _span(terms: list[Any]) -> tuple[str | None, str | None]:
    """From the first start to the last end of ``terms`` (an open end when one is open)."""
    starts = [t.start for t in terms if t.start]
    ends = [t.end for t in terms]
    return (min(starts) if starts else None), (None if not ends or not all(ends) else max(ends))


async def _dated_names(ctx: PageContext, terms: list[Any], ministries: list[tuple[Any, ...]], ministry: list[Ref],
                       kind: str) -> dict[str, list[str | None]]:
    """The names during their time (issue: names as they were): each term's post over the term; a cabinet's
    ministries over the cabinet's terms; a post's ministry over the post's terms. Per IRI, one name text
    per span asked (the terms' order for posts); None where no dated name is known."""
    spans: dict[str, list[tuple[str | None, str | None]]] = {}
    for t in terms:
        spans.setdefault(t.post, []).append((t.start or None, t.end or None))
    whole = _span(terms)
    for m in [row[0] for row in ministries] + (ministry if kind == "post" else []):
        if terms and m.iri not in spans:
            spans[m.iri] = [whole]
    return await names_during(ctx.endpoint, spans)


def _renamed(ref: Ref, names: list[str | None] | None) -> Ref:
    """``ref`` with the text of its names during the page's time, where known (a ministry: one span)."""
    return replace(ref, text=names[0]) if names and names[0] else ref


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
    fracties = _fractie_bars(ov, L, kind, r)
    ministries = ministry_bars(ov, L, kind, r, 12) if kind == "kabinet" else []
    ministry = [L.ref(m) for m in g.iris(r, ORG + "postIn")]
    facts = property_rows(g, r, L, skip=[T.label, T.pref_label])
    possibly = possibly_row(ov, L, kind, r)
    if possibly is not None:  # the list says its base: certain addressings; the possible ones apart
        questions.heading += f" ({possibly_note(L.lang, ov.possibly(kind, r))})"
        facts.append(possibly)
    possibly_n = ov.possibly(kind, r) if kind in ("post", "ministerie") else 0
    named = await _dated_names(ctx, terms, ministries, ministry, kind)
    ministries = [(_renamed(m[0], named.get(m[0].iri)), *m[1:]) for m in ministries]
    ministry = [_renamed(m, named.get(m.iri)) for m in ministry]
    return "page_government.html", {
        "title": g.label(r, L.lang) or L.text(r), "which": which,
        "possibly": possibly_note(L.lang, possibly_n) if possibly_n else "", "counts_base": _counts_base(L.lang, kind),
        "facts": facts,
        "ministry": ministry, "posts": posts, "terms": _terms_rows(terms, L, ov, which, named), "questions": questions,
        "times": times, "times_base": Base(times.measured, times.total), "fracties": fracties, "ministries": ministries,
        "chart": questions_chart(ov, L.lang, kind, r, questions.years, "vragen-grafiek"),
        "replaces": [L.ref(x) for x in g.iris(r, DCTERMS + "replaces")],
        "replaced_by": [L.ref(x) for x in g.iris(r, DCTERMS + "isReplacedBy")],
        "names": (await names_of(ctx.endpoint, r)).own if kind != "kabinet" else [],
    }


# --------------------------------------------------------------------------- EU acts, Kamerstukken
