"""The home page: what the dataset is, counts, a search box and entry points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ontology.namespaces import ELI, KG
from server.i18n import COUNT_NOTES, fmt_int, page_lang, tr
from server.overview import Overview
from server.overview_holder import OverviewHolder
from server.pages.base import Linker, list_href
from server.pages.eu_links import Coverage as EUCoverage, coverage as eu_coverage
from server.pages.lists import question_items
from server.render import render
from store.export import current_release

if TYPE_CHECKING:
    from server.endpoint import Endpoint


@dataclass(frozen=True, slots=True)
class Stat:
    """One headline count: what it counts, the number, and where it needs one, a line saying how it was found."""

    label: str
    n: int
    note: str = ""
    id: str = ""


def _member_list_years(ov: Overview) -> str:
    """The years the member list spans ("1815–2023"): the first start and the last end of a membership."""
    starts = [m.start[:4] for ms in ov.memberships_of.values() for m in ms if m.start[:4].isdigit()]
    ends = [m.end[:4] for ms in ov.memberships_of.values() for m in ms if m.end[:4].isdigit()]
    return f"{min(starts)}–{max(ends + starts)}" if starts else ""


def citations_note(cov: EUCoverage, lang: str) -> str:
    """How the citations were found, with the store's numbers (:func:`server.pages.eu_links.coverage`): EU acts
    in the titles of all Kamervragen, every kind in the texts of those whose text is in the graph."""
    n, m = fmt_int(cov.titles, lang), fmt_int(cov.texts, lang)
    texts = tr(lang, f"in de vragen, antwoorden en voetnoten van de {m} Kamervragen waarvan de tekst in de graaf staat",
               f"from the questions, answers and footnotes of the {m} cases whose text is in the graph")
    fiches = getattr(cov, "fiches", 0)  # Kamerstukken (BNC fiches) citing EU proposals, where the store has them
    if fiches:
        texts += tr(lang, f", en in {fmt_int(fiches, lang)} Kamerstukken (BNC-fiches) die EU-voorstellen beoordelen",
                    f", and from {fmt_int(fiches, lang)} Kamerstukken (BNC fiches) assessing EU proposals")
    if cov.titles:
        return tr(lang, f"Gevonden in de titels van alle {n} Kamervragen (EU-regelgeving) en {texts}.",
                  f"Found from titles for all {n} cases (EU legislation); {texts}.")
    return tr(lang, f"Gevonden {texts}; de titels zijn in deze gegevens niet gekoppeld.",
              f"Found {texts}; the titles are not linked in this data.")


def headline_counts(ov: Overview, lang: str, eu_cov: EUCoverage) -> list[Stat]:
    """The home page's counts, each counting what its label says: the persons and fracties with questions
    (asked, or received as a member of government) apart from the rest of the member list, the citations
    with how they were found."""
    counts = ov.class_counts
    persons = {key for kind, key in ov.lists if kind in ("asker", "addressee")}
    fracties = {key for kind, key in ov.lists if kind == "fractie"}
    span = _member_list_years(ov)
    rest_p = max(0, counts.get(KG + "Persoon", 0) - len(persons))
    rest_f = max(0, counts.get(KG + "Fractie", 0) - len(fracties))

    def c(cls: str, nl: str, en: str, note: str = "", id: str = "") -> Stat:
        return Stat(tr(lang, nl, en), counts.get(cls, 0), note, id)

    return [
        c(KG + "Kamervraag", "Kamervragen", "question sets"),
        c(KG + "Vraag", "vragen met tekst", "questions with text"),
        c(KG + "Antwoord", "antwoorden met tekst", "answers with text"),
        Stat(tr(lang, "personen die vragen stelden of ontvingen", "persons who asked or received questions"),
             len(persons), id="count-persons"),
        Stat(tr(lang, "andere personen", "other persons"), rest_p,
             tr(lang, f"zonder Kamervragen in deze gegevens: de rest van de lijsten van Kamerleden en bewindspersonen "
                      f"(lidmaatschappen {span})", f"without questions in this data: the rest of the lists of members "
                      f"and members of government (memberships {span})"), "count-persons-rest"),
        Stat(tr(lang, "fracties die vragen stelden", "party groups that asked questions"), len(fracties),
             id="count-fracties"),
        Stat(tr(lang, "andere fracties", "other party groups"), rest_f,
             tr(lang, f"zonder Kamervragen in deze gegevens (lidmaatschappen {span})",
                f"without questions in this data (memberships {span})"), "count-fracties-rest"),
        c(KG + "Post", "posten", "posts"), c(KG + "Ministerie", "ministeries", "ministries"),
        c(KG + "Kabinet", "kabinetten", "cabinets"),
        c(KG + "Citatie", "citaties", "citations", citations_note(eu_cov, lang), "count-citations"),
        c(ELI + "LegalResource", "EU-rechtshandelingen", "EU legal acts"),
    ]


async def home_page(request: Request, endpoint: Endpoint, holder: OverviewHolder) -> Response:
    """The home page: what the dataset holds (counts per class), its years, the fracties, ministries and EU
    acts asked about most, the latest questions and the founding case (503 while the overview is not ready)."""
    lang = page_lang(request)
    base = endpoint.settings.base
    try:
        ov = await run_in_threadpool(holder.get)
    except (TimeoutError, RuntimeError) as exc:
        return render(request, "page_notfound.html", {"lang": lang, "nav": "home", "status": 503,
                                                      "message": str(exc)}, 503, {"Retry-After": "10"})
    L = Linker(base, lang, None, ov)
    eu_cov = await eu_coverage(endpoint)
    stats = headline_counts(ov, lang, eu_cov)
    first_year, last_year = ov.year_range()
    fracties = [(f, n) for f, n in ov.counted("fractie", "fractie") if n][:16]
    ministries = [(m, n) for m, n in ov.counted("ministerie", "ministerie") if n or ov.possibly("ministerie", m)][:14]
    eu = [e for e in ov.eu if e.kamervragen][:12]
    # the EU counts depend on the links: what they count and what the linker read (the titles, the texts)
    eu_base = f"{tr(lang, *COUNT_NOTES['eu-counts'])} {eu_cov.sentence(lang)}" if eu else ""
    return render(request, "home.html", {
        "lang": lang, "nav": "home", "stats": stats, "first_year": first_year,
        "last_year": last_year, "n_cases": len(ov.cases), "coverage": ov.coverage,
        "fracties": [(L.ref(f, ov.label(f, lang) or L.text(f)), n, list_href(base, fractie=f))
                     for f, n in fracties],
        # certain addressings (kg:gerichtAan); the possible ones (kg:mogelijkGerichtAan) apart, as on the
        # page of the ministry: never in both
        "ministries": [(L.ref(m, ov.label(m, lang) or L.text(m)), n, ov.possibly("ministerie", m))
                       for m, n in ministries],
        "eu": [(L.ref(e.iri, ov.label(e.iri, lang) or L.text(e.iri)), e.identifier, e.kamervragen) for e in eu],
        "eu_base": eu_base,
        "latest": question_items(ov.latest(10), L, ov, True),
        # /dumps/ lists a release only once `kamergraph dumps` has made one: the home page says the same
        "has_release": current_release(endpoint.settings.dumps_dir) is not None,
        "founding": L.ref(base + "id/kamervraag/2019Z15231") if ov.case(base + "id/kamervraag/2019Z15231") else None,
    }, 200, {"Vary": "Cookie"})
