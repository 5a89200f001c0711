"""Natura 2000 areas named by their own names (``data/eu/natura2000-gebieden.csv``): "Visserij in de Voordelta",
"Brussel maakte wél verslag van gesprek over Wierdense Veld". A Natura 2000 area is a site of the network of the
Habitats Directive (92/43/EEG, art. 3), so a title about the protection of such an area is about that directive,
as a title that says "Natura 2000" is (:data:`ingest.citations.linker.TOPICS`).

An area's name alone says little (the Westerschelde of a PFAS warning, the Veluwe of a care home, the
Oostvaardersplassen of horses), so :func:`area_spans` finds a name only where the title also speaks of what the
directive governs there: fishing in the area (visserij), its management plan, its designation, its conservation
objectives, habitats, nitrogen deposition, nature compensation, or the Commission (Brussel). Names are matched as
written (capitals as in the list), whole words, spaces or hyphens between their words; a name of several parts
("Westerschelde & Saeftinghe", "Broekvelden, Vettenbroek & Polder Stein") by each part.

The file has three columns, ``number`` (the area's Natura 2000 number, where the page gives it), ``name`` (as the
page writes it) and ``source`` (the public page that lists it as a Natura 2000 area); a bad row is an error naming
the file and the line."""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from ingest.citations.register import DEFAULT_REGISTER
from ingest.errors import ParseError
from ingest.records import Span

DEFAULT_AREAS = DEFAULT_REGISTER.with_name("natura2000-gebieden.csv")

#: Words of the title that speak of what the Habitats Directive governs in an area (one is needed).
CONTEXT = re.compile(
    r"(?<![^\W\d_])(?:visserij\w*|natuurcompensatie|beheerplan\w*|aanwijzing\w*|instandhouding\w*|habitat\w*|"
    r"stikstof\w*|brussel|europese\s+commissie)",
    re.IGNORECASE,
)

#: Plain lower-case words one of which is in every title :data:`CONTEXT` matches (a cheap test before the pattern).
CONTEXT_WORDS = ("visserij", "natuurcompensatie", "beheerplan", "aanwijzing", "instandhouding", "habitat",
                 "stikstof", "brussel", "commissie")


def read_areas(path: Path | str = DEFAULT_AREAS) -> tuple[tuple[str, str, str], ...]:
    """The (number, name, source) rows of the areas file; a bad row raises ParseError naming the file and line."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames != ["number", "name", "source"]:
                raise ParseError(str(path), 1, f"columns {reader.fieldnames}, expected ['number', 'name', 'source']")
            rows = []
            for line, row in enumerate(reader, start=2):
                number, name, source = ((row.get(c) or "").strip() for c in ("number", "name", "source"))
                if not name or not source.startswith("http"):
                    raise ParseError(str(path), line, "a row needs a name and the URL of its source page")
                if number and not number.isdigit():
                    raise ParseError(str(path), line, f"number {number!r} is not a Natura 2000 number")
                rows.append((number, name, source))
    except OSError as exc:
        raise ParseError(str(path), None, f"cannot read the Natura 2000 areas: {exc}") from None
    return tuple(rows)


def name_parts(name: str) -> list[str]:
    """The parts of an area's name that titles use alone ("Westerschelde & Saeftinghe": both)."""
    return [p for p in re.split(r"\s*&\s*|,\s*", name.strip()) if p]


@lru_cache(maxsize=4)
def names_pattern(path: str) -> re.Pattern[str]:
    """One pattern of every part of every area name of the file at ``path``, as written (read once per path)."""
    parts = sorted({p for _n, name, _s in read_areas(path) for p in name_parts(name)}, key=lambda p: (-len(p), p))
    alts = "|".join(r"[\s\-]+".join(re.escape(w) for w in re.split(r"[\s\-]+", p)) for p in parts)
    return re.compile(rf"(?<![^\W\d_])(?:{alts})(?![^\W\d_])")


def area_spans(title: str, path: Path | str = DEFAULT_AREAS) -> list[Span]:
    """Where ``title`` names a Natura 2000 area of the file beside words of what the directive governs there
    (:data:`CONTEXT`); empty without such words."""
    if not CONTEXT.search(title):
        return []
    return [Span(m.start(), m.end()) for m in names_pattern(str(path)).finditer(title)]
