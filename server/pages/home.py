"""The home page: what the dataset is, counts, a search box and entry points."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ontology.namespaces import ELI, KG
from server.i18n import COUNT_NOTES, page_lang, tr
from server.overview_holder import OverviewHolder
from server.pages.base import Linker, list_href
from server.pages.eu_links import coverage as eu_coverage
from server.pages.lists import question_items
from server.render import render

if TYPE_CHECKING:
    from server.endpoint import Endpoint


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
    counts = ov.class_counts
    stats = [(tr(lang, nl, en), counts.get(cls, 0)) for cls, nl, en in [
        (KG + "Kamervraag", "Kamervragen", "question sets"), (KG + "Vraag", "vragen met tekst", "questions with text"),
        (KG + "Antwoord", "antwoorden met tekst", "answers with text"), (KG + "Persoon", "personen", "persons"),
        (KG + "Fractie", "fracties", "party groups"), (KG + "Post", "posten", "posts"),
        (KG + "Ministerie", "ministeries", "ministries"), (KG + "Kabinet", "kabinetten", "cabinets"),
        (KG + "Citatie", "citaties", "citations"), (ELI + "LegalResource", "EU-rechtshandelingen", "EU legal acts"),
    ]]
    first_year, last_year = ov.year_range()
    fracties = [(f, n) for f, n in ov.counted("fractie", "fractie") if n][:16]
    ministries = [(m, n) for m, n in ov.counted("ministerie", "ministerie") if n or ov.possibly("ministerie", m)][:14]
    eu = [e for e in ov.eu if e.kamervragen][:12]
    # the EU counts depend on the links: what they count and what the linker read (the titles, the texts)
    eu_base = f"{tr(lang, *COUNT_NOTES['eu-counts'])} {(await eu_coverage(endpoint)).sentence(lang)}" if eu else ""
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
        "founding": L.ref(base + "id/kamervraag/2019Z15231") if ov.case(base + "id/kamervraag/2019Z15231") else None,
    }, 200, {"Vary": "Cookie"})
