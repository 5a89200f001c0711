"""Askers in no list: members who asked written questions but are in none of the reference lists.

The member list stops in December 2023 (:func:`ingest.periods.list_cutoff`); members installed after
it (Sarah Dobbe, SP, for Marijnissen on 2023-12-13; the replacements of the Schoof ministers from
2024-07-04) have no row, and OpenKamer and the cabinet CSV do not know them either. Only members
ask written questions, so an asker name of the Tweede Kamer's OData that matches no person of the
lists at all (no surname in any list) is a member on every date it asks:

- one :class:`Person` per name (the OData's roepnaam style, "Sarah Dobbe (S.E.M.)": roepnaam,
  tussenvoegsel, achternaam and initials), keyed by the slug of the name;
- one :class:`KamerMembership` per run of questions in one Kamer (a membership across an election is
  not proven; questions more than ``ingest.periods.MAX_EVIDENCE_GAP`` apart are separate runs), from
  the first to the last question, both only the dates known; its ``derivation`` says so and names
  the Zaken;
- a :class:`FractieMembership` only when a published text prints the fractie with the name ("Vragen
  van het lid Dobbe (SP)"): over the same days, naming the text. Without one the person has no
  fractie, and the resolver's asker link says so ("no fractie membership").

Names whose surname is in a list but who were no member on the date are not this class: they stay
unresolved with their reason (a minister named as asker, a date outside the periods).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ingest.names import PREFIX_WORDS, norm_name, strip_prefix
from ingest.periods import INFERRED_PREFIX, OPEN_END, OPEN_START, evidence_runs, ymd
from ingest.records import FractieMembership, KamerMembership, Person, PersonMention, SourceRef, ZaakRecord
from ingest.resolve import Resolver, term_of
from ontology.namespaces import slug

ODATA_NAME = "Tweede Kamer OData"


@dataclass(frozen=True, slots=True)
class PrintedFractie:
    """A member's fractie as a published text prints it: "Dobbe (SP)" in the title of kv-tk-2024Z18562."""

    name: str  # as printed: "Dobbe"
    fractie: str  # as printed: "SP", "Nieuw Sociaal Contract"
    on: dt.date | None  # the text's date (submitted, else received)
    source: SourceRef


def printed_fracties(texts: Iterable) -> list[PrintedFractie]:
    """The askers printed with a fractie in the headers of parsed texts (:class:`ingest.records.TextDocument`)."""
    out = []
    for t in texts:
        for m in t.askers:
            if isinstance(m, PersonMention) and m.fractie:
                out.append(PrintedFractie(m.name, m.fractie, t.submitted or t.received, t.source))
    return out


@dataclass
class Unlisted:
    """One asker in no list: the name parts and the Zaken per Kamer (index of the eve opening it)."""

    name: str  # display: "Sarah Dobbe"
    given: str | None
    prefix: str
    family: str
    initials: str | None
    names: set[str] = field(default_factory=set)  # the OData names
    zaken: dict[int, list[ZaakRecord]] = field(default_factory=lambda: defaultdict(list))


def split_odata_name(text: str) -> tuple[str | None, str, str, str | None]:
    """ "Sarah Dobbe (S.E.M.)" -> ("Sarah", "", "Dobbe", "S.E.M."); "Jan van der Berg (J.)" -> ("Jan", "van der",
    "Berg", "J."): the achternaam is the last word with the tussenvoegsel words before it."""
    body, _, ini = text.partition("(")
    words = body.split()
    initials = ini.rstrip(") ").strip() or None
    if len(words) < 2:
        return None, "", " ".join(words), initials
    j = k = len(words) - 1
    while k > 1 and words[k - 1][:1].islower() and norm_name(words[k - 1]) in PREFIX_WORDS:
        k -= 1
    return " ".join(words[:k]), " ".join(words[k:j]), words[j], initials


def find_unlisted(base: Resolver, open_cases: Mapping[tuple[str, dt.date], list[ZaakRecord]]) -> dict[str, Unlisted]:
    """The open cases whose name matches no person of the lists, grouped per person (the name's roepnaam,
    tussenvoegsel, achternaam and initials), keyed by the slug of the name."""
    out: dict[str, Unlisted] = {}
    for (name, on), zaken in sorted(open_cases.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if base._candidates(base._parsed(name)):
            continue
        given, prefix, family, initials = split_odata_name(name)
        display = " ".join(p for p in (given, prefix, family) if p)
        key = slug(display)
        u = out.setdefault(key, Unlisted(display, given, prefix, family, initials))
        if u.initials != initials:
            u.initials = u.initials or initials
        u.names.add(name)
        u.zaken[term_of(base.eves, on)].extend(zaken)
    return out


def _evidence(zaken: list[ZaakRecord]) -> str:
    nums = sorted({z.nummer for z in zaken})
    first, last = min(z.gestart_op for z in zaken), max(z.gestart_op for z in zaken)
    ex = ", ".join(nums[:3]) + (", ..." if len(nums) > 3 else "")
    return (f"lid blijkt uit {len(nums)} schriftelijke vragen {first}..{last} ({ODATA_NAME}, Indiener/Medeindiener; "
            f"o.a. {ex})")


def _printed_for(u: Unlisted, printed: Iterable[PrintedFractie], fracties: Mapping[str, object]) -> list[tuple[str, PrintedFractie]]:
    """The fracties printed with the surname of ``u`` (normalised, tussenvoegsel dropped), each as a fractie key
    of ``fracties`` (matched by name, short name, other names or key); unknown fractie names are skipped."""
    index: dict[str, str] = {}
    for k, f in fracties.items():
        for n in (getattr(f, "name", ""), getattr(f, "short_name", None) or "", *getattr(f, "alt_names", ()), k):
            if norm_name(n):
                index.setdefault(norm_name(n), k)
    want = strip_prefix(norm_name(f"{u.prefix} {u.family}"))
    out = []
    for p in printed:
        if strip_prefix(norm_name(p.name)) == want and norm_name(p.fractie) in index:
            out.append((index[norm_name(p.fractie)], p))
    return out


def _periods(key: str, u: Unlisted, zaken: list[ZaakRecord], shown: list[tuple[str, PrintedFractie]]
             ) -> tuple[KamerMembership, list[FractieMembership], str]:
    """The Kamer membership over one run of questions, its fractie membership when one fractie is printed,
    and the report line."""
    start, end = min(z.gestart_op for z in zaken), max(z.gestart_op for z in zaken)
    src = min(zaken, key=lambda z: (z.gestart_op, z.nummer)).source
    deriv = (f"{INFERRED_PREFIX}: lid in geen ledenlijst ({', '.join(sorted(u.names))}); {_evidence(zaken)}; begin = "
             f"eerste vraag, {OPEN_START}; einde = laatste vraag, {OPEN_END}")
    km = KamerMembership(f"{key}-tk-{ymd(start)}", key, start, end, src, deriv)
    fr_keys = sorted({k for k, _ in shown})
    fms = []
    if len(fr_keys) == 1:
        texts = "; ".join(f"{p.source.file} ({p.name} ({p.fractie}), {p.on})" for _k, p in shown)
        fms.append(FractieMembership(f"{key}-{ymd(start)}-{fr_keys[0]}", key, fr_keys[0], start, end, None,
                                     shown[0][1].source, f"{deriv}; fractie gedrukt in {texts}, in dezelfde Kamer; "
                                                         f"geen andere fractie gedrukt"))
    n = len({z.nummer for z in zaken})
    line = (f"{INFERRED_PREFIX}: {u.name} ({key}) in no list: member {start}..{end} by {n} Zaken; fractie "
            + (fr_keys[0] + " as printed" if len(fr_keys) == 1 else
               f"unknown (printed as several: {fr_keys})" if fr_keys else "unknown (printed in no text)"))
    return km, fms, line


def unlisted_members(base: Resolver, open_cases: Mapping[tuple[str, dt.date], list[ZaakRecord]],
                     printed: Iterable[PrintedFractie] = ()
                     ) -> tuple[dict[str, Person], list[KamerMembership], list[FractieMembership], list[str]]:
    """The persons, Kamer memberships and (printed) fractie memberships of the askers in no list, and a report
    line for each (see the module text)."""
    persons: dict[str, Person] = {}
    kms: list[KamerMembership] = []
    fms: list[FractieMembership] = []
    report: list[str] = []
    printed = list(printed)
    for key, u in sorted(find_unlisted(base, open_cases).items()):
        if key in base.ref.persons:
            report.append(f"{INFERRED_PREFIX}: asker {u.name!r} in no list, but person key {key} is taken; not added")
            continue
        first_z = min((z for zs in u.zaken.values() for z in zs), key=lambda z: (z.gestart_op, z.nummer))
        persons[key] = Person(key=key, name=u.name, family_name=u.family, prefix=u.prefix, given_name=u.given,
                              initials=u.initials, sources=(first_z.source,))
        for i, in_kamer in sorted(u.zaken.items()):
            # a fractie printed in the same Kamer (a text of another Kamer says nothing of this one)
            shown = [(k, p) for k, p in _printed_for(u, printed, base.ref.fracties)
                     if p.on is not None and term_of(base.eves, p.on) == i]
            for start, end in evidence_runs([z.gestart_op for z in in_kamer]):
                zaken = [z for z in in_kamer if start <= z.gestart_op <= end]
                k, f, line = _periods(key, u, zaken, shown)
                kms.append(k)
                fms.extend(f)
                report.append(line)
    return persons, kms, fms, report
