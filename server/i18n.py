"""Languages of the pages: Dutch (the default) and English.

The language comes from ``?lang=nl|en`` (which also sets a cookie), else the ``kg_lang`` cookie,
else Dutch. Templates get ``lang`` and the helpers below as Jinja globals:

- ``tr(nl, en)``: the UI text in the page's language;
- ``pick(labels)``: from a mapping of language tag -> label, the page's language, else Dutch,
  else English, else any.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request

LANGS = ("nl", "en")
DEFAULT = "nl"
COOKIE = "kg_lang"

__all__ = ["COOKIE", "DEFAULT", "LANGS", "page_lang", "pick", "tr"]


def page_lang(request: Request) -> str:
    """The language a page is rendered in for this request."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    cookie = request.cookies.get(COOKIE)
    return cookie if cookie in LANGS else DEFAULT


def tr(lang: str, nl: str, en: str) -> str:
    return en if lang == "en" else nl


def pick(labels: Mapping[str, str], lang: str) -> str | None:
    """The label in ``lang``, else Dutch, else English, else one without a tag, else any."""
    for key in (lang, "nl", "en", ""):
        if labels.get(key):
            return labels[key]
    return next(iter(labels.values()), None)
