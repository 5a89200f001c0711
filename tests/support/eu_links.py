"""The check the EU-linker class tests share: which real titles the linker links otherwise than expected."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ingest.citations import EURegister
from ingest.citations.linker import link_title


def wrong_title_links(expected: Mapping[str, set[str]], zaken: Mapping[str, tuple[str, dt.date]],
                      register: EURegister) -> list[str]:
    """One line per Zaak of ``expected`` (number -> the register keys its title must link, empty for none) whose
    title (``zaken``: number -> (title, date)) links other keys on its date: the number, the title, what it
    linked and what was expected."""
    wrong = []
    for nummer, keys in expected.items():
        title, day = zaken[nummer]
        got = {k.resource.key for k in link_title(title, day, register)}
        if got != keys:
            wrong.append(f"{nummer} {title!r}: {sorted(got)}, expected {sorted(keys)}")
    return wrong
