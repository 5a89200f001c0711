"""The check of display names against the Tweede Kamer's own usage (issue 15, §3), over every person.

Reads the bundled reference lists and every OData Zaak, completes the reference data as the build does
(``ingest.infer.complete_reference``, which shows persons as :mod:`ingest.name_use` decides), resolves
every asker and addressee name of every not deleted Zaak to its person, reads each name as the Kamer
prints the person (:func:`ingest.name_use.kamer_form`) and compares the person's display name with the
form all of the person's names agree on (:func:`ingest.name_use.agreed`). Prints the count per outcome
and every person whose display name is not the Kamer's:

- ``same``: the display name is the Kamer's (roepnaam, where the Kamer prints one, and surname);
- ``spelling``: the same name spelled otherwise (capitals, accents, hyphens; a roepnaam's final d or t), the
  list's spelling kept;
- ``differs``: another roepnaam or surname than the Kamer's (the class this check is for: 0 expected);
- ``disagree``: the Kamer's names for the person disagree (the lists' display name kept);
- ``unread``: no name of the person can be read against its surname.

Run: ``.venv/bin/python bench/audit/names.py`` (about 10 s; ``--all`` lists the ``same`` persons too).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ingest.infer import complete_reference  # noqa: E402
from ingest.name_use import KamerForm, agreed, kamer_form, sound  # noqa: E402
from ingest.names import norm_name  # noqa: E402
from ingest.records import Person, ReferenceData, ZaakRecord  # noqa: E402
from ingest.reference import load_reference  # noqa: E402
from ingest.resolve import Resolver  # noqa: E402
from ingest.sources.odata import read_jsonl  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "data"
ODATA = "tk-odata/zaken-schriftelijke-vragen.jsonl.gz"


def resolved_names(resolver: Resolver, zaken: list[ZaakRecord]) -> Iterator[tuple[ZaakRecord, str, Any]]:
    """Every OData name of the not deleted Zaken (askers, co-askers, addressees) with its Zaak and how the
    resolver links it (each name resolved once per date and role)."""
    seen: dict[tuple[str, object, bool], Any] = {}
    for z in zaken:
        if z.verwijderd:
            continue
        for names, asker in ((z.indieners, True), (z.medeindieners, True), (z.gericht_aan, False)):
            for n in names:
                k = (n, z.gestart_op, asker)
                if k not in seen:
                    seen[k] = (resolver.resolve_asker(n, "indiener", 1, z.gestart_op) if asker
                               else resolver.resolve_addressee(n, 1, z.gestart_op))
                yield z, n, seen[k]


def every_name(ref: ReferenceData, zaken: list[ZaakRecord]) -> dict[str, Counter[str]]:
    """Per person key, every OData name (askers and addressees of the not deleted Zaken) resolving to it."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for _z, n, link in resolved_names(Resolver(ref), zaken):
        if link.person_key:
            out[link.person_key][n] += 1
    return out


def outcome(p: Person, names: Counter[str]) -> tuple[str, str]:
    """The outcome for one person (see the module text) and the Kamer's form or variants."""
    forms: Counter[KamerForm] = Counter()
    for n, k in names.items():
        if (f := kamer_form(n, p)) is not None:
            forms[f] += k
    if not forms:
        return "unread", ", ".join(sorted(names))
    f = agreed(forms)
    if isinstance(f, str):
        return "disagree", f
    kamer = " ".join(x for x in (f.given, f.surname) if x)
    # the Kamer's surname closes the display name, and the words before it are the Kamer's roepnaam (when the
    # Kamer prints one), as it sounds (a final d or t alike: Gerd and Gert Leers)
    name, surname = norm_name(p.name), norm_name(f.surname)
    if not name.endswith(surname) or f.given and sound(name[: -len(surname)]) != sound(f.given):
        return "differs", kamer
    if f.given and p.name != kamer or not p.name.endswith(kamer):
        return "spelling", kamer
    return "same", kamer


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA, help="the data folder (default: the bundled data/)")
    ap.add_argument("--all", action="store_true", help="list the persons shown as the Kamer names them too")
    args = ap.parse_args(argv)
    zaken = [z for z in read_jsonl(args.data / ODATA, f"data/{ODATA}") if isinstance(z, ZaakRecord)]
    ref = complete_reference(load_reference(args.data), zaken)
    counts: Counter[str] = Counter()
    for pk, names in sorted(every_name(ref, zaken).items()):
        p = ref.persons[pk]
        what, kamer = outcome(p, names)
        counts[what] += 1
        if what != "same" or args.all:
            print(f"{what:9} {pk} {p.name!r}: Kamer {kamer!r} ({sum(names.values())} names)")
    print(f"{sum(counts.values())} persons with OData names: "
          + ", ".join(f"{counts[k]} {k}" for k in ("same", "spelling", "differs", "disagree", "unread")))
    changes = [line for line in ref.report if line.startswith("naam: ") and " display names as " in line]
    print("\n".join(changes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
