"""Names as people used them: the roepnaam and tussenvoegsel the Tweede Kamer's OData prints.

The member list gives a surname without its tussenvoegsel and the official first names, not the
roepnaam: a person only the list knows was shown as "Natalia Haan" (Liane den Haan) or "Pepijn
Houwelingen" (Pepijn van Houwelingen). OpenKamer (to 2019) and the cabinet CSV give a roepnaam for
the persons they know. The OData writes every asker and addressee as the Kamer itself names them,
"Liane den Haan (N.L.)": roepnaam, tussenvoegsel, achternaam, initials.

:func:`names_as_used` reads the names every (not deleted) Zaak resolves to a person and, for a
person whose roepnaam no list gives, takes the roepnaam (and the tussenvoegsel, when the list has
none) from them, when all of that person's names agree. The display name becomes roepnaam +
tussenvoegsel + achternaam; the formal names (``first_names``, ``initials``) stay as they are. A
person whose roepnaam a list does give keeps it (where the OData's differs, two sources disagree:
not settled here; the check in ``data/reference/README.md`` counts them).
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterable

from ingest.names import PREFIX_WORDS, display_name, norm_name, strip_prefix, surname_keys
from ingest.records import Person, ReferenceData, ZaakRecord
from ingest.resolve import Resolver

NAME_NOTE = "naam"


def used_names(resolver: Resolver, zaken: Iterable[ZaakRecord]) -> dict[str, Counter[str]]:
    """Per person key without a roepnaam, the OData names (askers and addressees of the not deleted
    ``zaken``) that resolve to it, with how often each occurs. A name is resolved only when a person
    without a roepnaam is among its candidates (the rest has nothing to give, and is skipped: the build
    pays for this pass)."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    seen: dict[tuple[str, object, bool], str | None] = {}
    unnamed = {k for k, p in resolver.ref.persons.items() if not p.given_name}
    for z in zaken:
        if z.verwijderd:
            continue
        on = z.gestart_op
        for names, asker in ((z.indieners, True), (z.medeindieners, True), (z.gericht_aan, False)):
            for n in names:
                k = (n, on, asker)
                if k not in seen:
                    if not unnamed.intersection(resolver._candidates(resolver._parsed(n))):
                        seen[k] = None  # every candidate has a roepnaam from a list: nothing to take
                        continue
                    link = resolver.resolve_asker(n, "indiener", 1, on) if asker else resolver.resolve_addressee(n, 1, on)
                    seen[k] = link.person_key
                if seen[k] in unnamed:
                    out[seen[k]][n] += 1  # type: ignore[index]
    return out


def split_used(name: str, p: Person) -> tuple[str, str | None] | None:
    """(roepnaam, tussenvoegsel) of an OData name of ``p`` in the roepnaam style ("Liane den Haan (N.L.)"
    -> ("Liane", "den")); the tussenvoegsel is None when only a part of a double surname matched. None
    for a name of the initials style or one whose words before the surname are not a roepnaam."""
    body, paren, _ = name.partition("(")
    if not paren:
        return None
    words = body.split()
    keys = surname_keys(p.family_name, p.prefix)
    for i in range(1, len(words)):
        if words[i][:1].islower() and norm_name(words[i]) in PREFIX_WORDS:
            continue  # the surname proper starts after its tussenvoegsel
        strength = keys.get(strip_prefix(norm_name(" ".join(words[i:]))))
        if strength is None:
            continue
        before = words[:i]
        j = len(before)
        while j > 1 and before[j - 1][:1].islower() and norm_name(before[j - 1]) in PREFIX_WORDS:
            j -= 1
        given, prefix = before[:j], before[j:]
        if not given or any(not w[:1].isupper() for w in given):
            return None
        return " ".join(given), (" ".join(prefix) if strength == 0 else None)
    return None


def _agreed(p: Person, names: Counter[str]) -> tuple[str, str | None] | None | str:
    """The one (roepnaam, tussenvoegsel) all roepnaam-style names of ``p`` give; None when none has that
    style; a text naming the variants when they disagree."""
    parts = {n: s for n in names if (s := split_used(n, p)) is not None}
    if not parts:
        return None
    forms = {(norm_name(g), norm_name(pre or "")) for g, pre in parts.values()}
    if len(forms) > 1:
        return "; ".join(f"{n} ({names[n]}x)" for n in sorted(parts))
    best = max(parts, key=lambda n: (names[n], n))
    return parts[best]


def names_as_used(ref: ReferenceData, zaken: Iterable[ZaakRecord], resolver: Resolver | None = None) -> ReferenceData:
    """``ref`` with the roepnaam (and tussenvoegsel) of every person no list gives one for taken from the
    OData names that resolve to it (see the module text); a report line per change and per disagreement,
    and one counting them. ``resolver``: one over ``ref`` or the data it completes (default: a new one)."""
    resolver = resolver or Resolver(ref)
    used = used_names(resolver, zaken)
    persons = dict(ref.persons)
    report: list[str] = []
    changed = shown = 0
    for pk, names in sorted(used.items()):
        p = persons[pk]
        agreed = _agreed(p, names)
        if agreed is None:
            continue
        if isinstance(agreed, str):
            report.append(f"{NAME_NOTE}: {pk} {p.name!r}: the OData names disagree ({agreed}); display name kept")
            continue
        given, prefix = agreed
        new_prefix = p.prefix or (prefix or "")
        name = display_name(given, p.first_names, new_prefix, p.family_name)
        n = sum(names.values())
        persons[pk] = dataclasses.replace(p, given_name=given, prefix=new_prefix, name=name)
        changed += 1
        shown += name != p.name
        report.append(f"{NAME_NOTE}: {pk} {p.name!r} -> {name!r}: roepnaam"
                      + (" and tussenvoegsel" if new_prefix != p.prefix else "")
                      + f" as the Tweede Kamer OData names the person ({n} names, e.g. {names.most_common(1)[0][0]!r}); "
                      f"formal first names {p.first_names!r} kept apart")
    report.append(f"{NAME_NOTE}: {changed} roepnamen from the Tweede Kamer OData (no list gives one), {shown} of them "
                  f"changing the display name")
    return dataclasses.replace(ref, persons=persons, report=tuple(ref.report) + tuple(report))


__all__ = ["names_as_used", "split_used", "used_names"]
