"""Names as the Tweede Kamer prints them: the display name follows the Kamer's own usage.

The lists name a person otherwise than the Kamer does in a few ways. The member list gives a surname
without its tussenvoegsel and the official first names, not the roepnaam ("Natalia Haan" for Liane den
Haan); it gives the birth surname where the Kamer prints a married (double) name ("Magda Berndsen" for
Magda Berndsen-Jansen) or a double name where the Kamer prints one part ("Marith Rebel-Volp" for
Marith Volp); OpenKamer's roepnaam can differ from the Kamer's ("Teun van Dijck" for Tony van Dijck).
The OData writes every asker and addressee as the Kamer names them: "Liane den Haan (N.L.)" (roepnaam,
tussenvoegsel, surname, initials) or "Ch. van der Wal-Zeggelink" (initials, tussenvoegsel, surname).

:func:`names_as_used` reads the names every (not deleted) Zaak resolves to a person, reads each as a
:class:`KamerForm` (:func:`kamer_form`) and, where all of that person's forms agree, shows the person
by them: the Kamer's roepnaam (where its names give one) and the Kamer's surname with its
tussenvoegsel. Forms agree when they give one roepnaam and surnames that are one name in full or in
part: "C. van der Wal" is a part of "Ch. van der Wal-Zeggelink" (the fuller one is shown); "Aukje de
Vries" and "Albert de Vries" do not agree, and such a person keeps the display name of the lists.
A form that differs from the list's only in capitals, accents or hyphens ("Karien Van Gennip",
"Coskun Çörüz"), or a roepnaam only in a final d or t ("Gert Leers" for Gerd Leers), is the list's
name spelled otherwise: the list's spelling stays. The formal names
(``first_names``, ``initials``, ``family_name``: the list's surname) stay as they are; ``given_name``
becomes the roepnaam shown, and a tussenvoegsel of the usual words the list lacks ("den" Haan)
becomes ``prefix``. Every change is a report line naming the list's name, the Kamer's name, how often
the Kamer prints it and the first OData record that does; that record is added to the person's
``sources``, the person's ``name_derivation`` says where the display name came from (the Zaak number of
that record among it: ``kg:naamherkomst`` in the graph) and the lists' name, where it differs, is kept in
``alt_names`` (``skos:altLabel``).
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ingest.names import PREFIX_WORDS, display_name, norm_name, parse_official_name, strip_prefix, surname_keys
from ingest.records import Person, ReferenceData, SourceRef, ZaakRecord
from ingest.resolve import Resolver, sound

NAME_NOTE = "naam"
_INITIALS_RE = re.compile(r"^(?:[A-ZÀ-Ý][a-zà-ÿ]{0,2}\.\s*)+")


@dataclass(frozen=True, slots=True)
class KamerForm:
    """One OData name of a person as the Kamer prints it: the roepnaam (None in the initials style,
    "I.W. Opstelten") and the surname with its tussenvoegsel ("van der Wal-Zeggelink")."""

    given: str | None
    surname: str


def _parts(surname: str) -> frozenset[str]:
    """The hyphen parts of a surname, folded, without leading tussenvoegsel words:
    "van der Wal-Zeggelink" -> {"wal", "zeggelink"}."""
    return frozenset(p for x in surname.split("-") if (p := strip_prefix(norm_name(x))))


def _split_body(words: list[str], keys: set[str]) -> KamerForm | None:
    """The roepnaam and surname of the words before the initials ("Gerrit Jan van Otterloo"): the surname
    starts at the first capitalised word from which the rest is the person's surname (``keys``), in full
    or followed by a hyphen part ("Berndsen-Jansen"), or after a one-word hyphen part when a roepnaam
    comes first ("Ans Willemse-van der Ploeg", list "Ploeg"); the lower-case
    words just before it are its tussenvoegsel ("el" Abassi). None when no split fits or a word of the
    roepnaam is not capitalised."""
    for i in range(len(words)):
        if i and words[i][:1].islower():
            continue  # a tussenvoegsel word: the surname starts before it
        rest = " ".join(words[i:])
        parts = [strip_prefix(norm_name(x)) for x in rest.split("-")]
        if not (parts[0] in keys or strip_prefix(norm_name(rest)) in keys
                or (i and len(parts) > 1 and parts[-1] in keys and len(parts[0].split()) == 1)):
            continue
        before = words[:i]
        j = len(before)
        while j > 0 and before[j - 1][:1].islower():
            j -= 1
        given = before[:j]
        if any(not w[:1].isupper() for w in given):
            return None
        return KamerForm(" ".join(given) or None, " ".join(before[j:] + words[i:]))
    return None


def kamer_form(name: str, p: Person) -> KamerForm | None:
    """How the OData name ``name`` of ``p`` prints the person: "Magda Berndsen-Jansen (M.A.)" ->
    ("Magda", "Berndsen-Jansen"); "Ch. van der Wal-Zeggelink" -> (None, "van der Wal-Zeggelink");
    "Hirsch Ballin (EMH)" -> (None, "Hirsch Ballin"); "R.A. (Rik) Janssen" -> ("Rik", "Janssen").
    None when the name cannot be read against ``p``'s surname."""
    s = " ".join(name.replace("\u00a0", " ").split())
    body, paren, _ = s.partition("(")
    keys = set(surname_keys(p.family_name, p.prefix))
    if paren and body.strip() and not _INITIALS_RE.fullmatch(body.strip()):
        return _split_body(body.split(), keys)
    if paren:  # "R.A. (Rik) Janssen": the cabinet style
        o = parse_official_name(s)
        surname = " ".join(x for x in (o.prefix, o.surname) if x) if o else ""
        return KamerForm(o.given, surname) if o and _parts(surname) & keys else None
    m = _INITIALS_RE.match(s)
    surname = s[m.end():].strip() if m else s
    folded = f" {norm_name(surname)} "
    return KamerForm(None, surname) if surname and any(f" {k} " in folded for k in keys) else None


def shown(p: Person) -> tuple[str | None, str]:
    """The roepnaam and the surname (with tussenvoegsel) ``p``'s display name is made of."""
    surname = display_name(None, None, p.prefix, p.family_name)
    if p.name == surname:
        return None, surname
    if p.name.endswith(" " + surname):
        return p.name[: -len(surname) - 1], surname
    return p.given_name or (p.first_names.split()[0] if p.first_names else None), surname


def _implies_change(name: str, p: Person) -> bool:
    """Whether the OData name ``name``, read as ``p``'s, shows ``p`` otherwise than now (or gives the
    roepnaam no list gives)."""
    f = kamer_form(name, p)
    if f is None:
        return False
    given, surname = shown(p)
    return bool(f.given and (p.given_name is None or sound(f.given) != sound(given or ""))
                or norm_name(f.surname) != norm_name(surname))


def _initials_fit(resolver: Resolver, name: str, key: str) -> bool:
    """Whether the initials ``name`` prints (if any) are the person's: a name of another person of the
    surname can show nothing of this one (the check in ``bench/audit/names.py`` resolves every name)."""
    ini = resolver._parsed(name).initials
    letters = resolver.all_letters.get(key)
    return not ini or not letters or ini in letters


@dataclass
class UsedNames:
    """Per person key, the OData names (askers and addressees of the not deleted Zaken) that resolve to it
    with how often each occurs, and per name the earliest record that prints it (by date, then Zaak number) and
    that record's Zaak number."""

    names: dict[str, Counter[str]]
    first: dict[str, SourceRef]
    first_zaak: dict[str, str] = dataclasses.field(default_factory=dict)


def used_names(resolver: Resolver, zaken: Iterable[ZaakRecord]) -> UsedNames:
    """The OData names of the persons they could show otherwise (:func:`_implies_change` for a candidate of
    some name), every name of such a person included. Only names with such a candidate are resolved (the
    rest has nothing to give, and is skipped: the build pays for this pass)."""
    persons = resolver.ref.persons
    zaken = [z for z in zaken if not z.verwijderd]
    first: dict[str, SourceRef] = {}
    first_zaak: dict[str, str] = {}
    # the earliest Zaak printing a name (by date, then number): the same whatever order the records were read
    # in (a sync reads them from its mirror, a build from the bundled file)
    for z in sorted(zaken, key=lambda z: (z.gestart_op, z.nummer)):
        for n in (*z.indieners, *z.medeindieners, *z.gericht_aan):
            if n not in first:
                first[n] = z.source
                first_zaak[n] = z.nummer
    cands = {n: resolver._candidates(resolver._parsed(n)) for n in first}
    wanted = {c for n, cs in cands.items() for c in cs
              if _initials_fit(resolver, n, c) and _implies_change(n, persons[c])}
    out: dict[str, Counter[str]] = defaultdict(Counter)
    seen: dict[tuple[str, object, bool], str | None] = {}
    for z in zaken:
        on = z.gestart_op
        for names, asker in ((z.indieners, True), (z.medeindieners, True), (z.gericht_aan, False)):
            for n in names:
                if not wanted.intersection(cands.get(n, ())):
                    continue
                k = (n, on, asker)
                if k not in seen:
                    link = (resolver.resolve_asker(n, "indiener", 1, on) if asker
                            else resolver.resolve_addressee(n, 1, on))
                    seen[k] = link.person_key
                if seen[k] in wanted:
                    out[seen[k]][n] += 1  # type: ignore[index]
    return UsedNames(dict(out), first, first_zaak)


def _contains(full: str, part: str) -> bool:
    """Whether the surname ``part`` is ``full`` in full or in part ("van der Wal" of "van der Wal-Zeggelink")."""
    return _parts(part) <= _parts(full) or norm_name(part) == norm_name(full)


def agreed(forms: Counter[KamerForm]) -> KamerForm | str:
    """The one form all of a person's forms agree on (the roepnaam they give, None when none does; the
    fullest surname, which holds every other in full or in part), spelled as most often printed; a text
    naming the variants when they disagree."""
    givens: Counter[str] = Counter()
    surnames: Counter[str] = Counter()
    for f, n in forms.items():
        if f.given:
            givens[f.given] += n
        surnames[f.surname] += n
    full = max(surnames, key=lambda s: (len(_parts(s)), surnames[s], s))
    if len({sound(g) for g in givens}) > 1 or not all(_contains(full, s) for s in surnames):
        return "; ".join(f"{' '.join(x for x in (f.given, f.surname) if x)!r} ({n}x)" for f, n in sorted(
            forms.items(), key=lambda fn: (fn[0].given or "", fn[0].surname)))
    spelled = max((s for s in surnames if _parts(s) == _parts(full)), key=lambda s: (surnames[s], s))
    given = max(givens, key=lambda g: (givens[g], g)) if givens else None
    return KamerForm(given, spelled)


def _trimmed(given: str | None, surname: str) -> str | None:
    """``given`` without its last words when they open ``surname``: OpenKamer's roepnaam "Marlies
    Veldhuijzen" before the Kamer's "Veldhuijzen van Zanten-Hyllner" is "Marlies"."""
    words = (given or "").split()
    for k in range(1, len(words)):
        if norm_name(surname).startswith(norm_name(" ".join(words[k:])) + " "):
            return " ".join(words[:k])
    return given


def shown_as(p: Person, f: KamerForm) -> tuple[Person, tuple[str, ...]] | None:
    """``p`` shown by the agreed form ``f``, with what changed ("roepnaam", "roepnaam uit OData" where no
    list gives one, "achternaam", "tussenvoegsel"); None when nothing does. A roepnaam or surname that
    differs from the list's only in spelling (capitals, accents, hyphens; a roepnaam also in a final d or t,
    :func:`sound`) keeps the list's."""
    given0, surname0 = shown(p)
    given, surname, prefix, what = given0, surname0, p.prefix, []
    if norm_name(f.surname) != norm_name(surname0):
        surname = f.surname
        lead = norm_name(f.surname)[: -len(norm_name(surname0))].split() if norm_name(f.surname).endswith(
            " " + norm_name(surname0)) else []
        what.append("tussenvoegsel" if lead and f.surname[:1].islower() else "achternaam")
        if not p.prefix and lead and all(w in PREFIX_WORDS for w in lead):
            prefix = " ".join(f.surname.split()[: len(lead)])  # "den" Haan: the usual words, now the tussenvoegsel
        if f.given is None:
            given = _trimmed(given0, surname)
    if f.given and sound(f.given) != sound(given0 or ""):
        given = f.given
        what.append("roepnaam" if p.given_name else "roepnaam uit OData")
    elif f.given and p.given_name is None:
        given = f.given  # the roepnaam no list gives, as the Kamer spells it
        what.append("roepnaam uit OData")
    name = " ".join(x for x in (given, surname) if x)
    given_name = given if (f.given or given != given0) else p.given_name
    if (name, given_name, prefix) == (p.name, p.given_name, p.prefix):
        return None
    return dataclasses.replace(p, name=name, given_name=given_name, prefix=prefix), tuple(what)


def derivation(p: Person, new: Person, what: tuple[str, ...], names: Counter[str], example: str,
               used: UsedNames) -> str:
    """Where ``new``'s display name came from, as ``kg:naamherkomst`` states it (in Dutch, like ``kg:herkomst``):
    what the Kamer's OData changed, the name as printed and how often, the first Zaak printing it (its number: the
    same whether the record was read from the bundled file or from a sync's pages) and the lists' name ``p`` had."""
    return (f"naam zoals de Tweede Kamer OData de persoon noemt ({', '.join(what)}): {names[example]}x {example!r} "
            f"van {sum(names.values())} namen in Indiener, Medeindiener en GerichtAan; eerst in Zaak "
            f"{used.first_zaak.get(example, '?')}; naam in de lijsten: {p.name!r}"
            + (f", roepnaam {p.given_name!r}" if p.given_name and p.given_name != new.given_name else ""))


def names_as_used(ref: ReferenceData, zaken: Iterable[ZaakRecord]) -> ReferenceData:
    """``ref`` with every person shown as the Kamer's OData names the person, where they agree (see the
    module text); a report line per change and per disagreement, and one counting them. The names are
    resolved over ``ref`` itself (the periods inferred after the list's cut-off resolve too: el Abassi, 2024)."""
    resolver = Resolver(ref)
    used = used_names(resolver, zaken)
    persons = dict(ref.persons)
    report: list[str] = []
    counts: Counter[str] = Counter()
    for pk, names in sorted(used.names.items()):
        p = persons[pk]
        forms: Counter[KamerForm] = Counter()
        for n, k in names.items():
            if (f := kamer_form(n, p)) is not None:
                forms[f] += k
        if not forms:
            continue
        f = agreed(forms)
        if isinstance(f, str):
            counts["disagree"] += 1
            report.append(f"{NAME_NOTE}: {pk} {p.name!r}: the Tweede Kamer OData names disagree ({f}); "
                          "display name kept")
            continue
        change = shown_as(p, f)
        if change is None:
            continue
        new, what = change
        example = max((n for n in names if kamer_form(n, p) == f), key=lambda n: (names[n], n))
        first = used.first[example]
        persons[pk] = dataclasses.replace(
            new, sources=tuple(p.sources) + (first,), name_derivation=derivation(p, new, what, names, example, used),
            alt_names=tuple(p.alt_names) + ((p.name,) if new.name != p.name and p.name not in p.alt_names else ()))
        counts.update(what)
        counts["shown"] += new.name != p.name
        report.append(f"{NAME_NOTE}: {pk} {p.name!r} -> {new.name!r}: {', '.join(what)} as the Tweede Kamer OData "
                      f"names the person ({sum(names.values())} names, {names[example]}x {example!r}, first at "
                      f"{first}); list name {p.name!r}, formal first names {p.first_names!r} and surname "
                      f"{p.family_name!r} kept apart")
    report.append(f"{NAME_NOTE}: {counts['shown']} display names as the Tweede Kamer OData prints them "
                  f"({counts['roepnaam uit OData']} roepnamen no list gives, {counts['roepnaam']} roepnamen, "
                  f"{counts['achternaam']} surnames, {counts['tussenvoegsel']} tussenvoegsels); "
                  f"{counts['disagree']} persons whose OData names disagree keep theirs")
    return dataclasses.replace(ref, persons=persons, report=tuple(ref.report) + tuple(report))


__all__ = ["KamerForm", "agreed", "derivation", "kamer_form", "names_as_used", "shown", "shown_as", "sound", "used_names"]
