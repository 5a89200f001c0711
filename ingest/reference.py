"""Merge the reference lists into one :class:`ReferenceData`.

Sources (see :mod:`ingest.sources.reference`): the Tweede Kamer member-period list, the
OpenKamer fixtures (persons, parties, cabinets Balkenende III - Rutte III) and the cabinets CSV
(Rutte III, Rutte IV, Schoof; ministries with TOOI ids).

Decisions (each visible in ``ReferenceData.report`` where the data forces one):

- One :class:`Person` per real person. An OpenKamer person is merged with a member-list person
  when a surname variant matches, the birth years agree and the first initials agree, and exactly
  one list person qualifies. A cabinet-CSV person is merged by Wikidata id with an OpenKamer
  person, else by surname + all initials with exactly one list person active since 1990.
- Person key: TK GUID where known (a GUID shared by two OpenKamer persons is dropped for both),
  else ``lid-<Persoon_id>``, else ``wd-<Qid>``, else ``slug(name)``.
- Every member-list period becomes a :class:`FractieMembership` keyed
  ``<person key>-<YYYYMMDD>-<fractie slug>``; consecutive periods of one person (the next
  starting at most one day after the previous ends) form one :class:`KamerMembership` keyed
  ``<person key>-tk-<YYYYMMDD>``.
- Ministries: one per TOOI code, named by its latest label; OpenKamer ministries map onto the
  TOOI code having a label of that name valid on the cabinet's start (else any code with that
  label still existing then, else a slug key). ``replaced_by`` follows the merge events
  ("Samenvoeging <date> <decree>") shared between rows of different codes.
- Posts: key ``slug(label)``; when the same label belongs to two ministries (the pre-2010
  Ministry of Economic Affairs vs. the one since 2010) the older one gets ``-<ministry key>``.
  The CSV's "minister-president, minister van Algemene Zaken" becomes two holdings: the
  minister-president post and the minister van Algemene Zaken post.
- Holdings: OpenKamer for cabinets up to Rutte II, the CSV from Rutte III on.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from collections.abc import Iterable
from pathlib import Path

from ingest.records import (
    Cabinet,
    Fractie,
    FractieMembership,
    KamerMembership,
    Ministry,
    Person,
    Post,
    PostHolding,
    ReferenceData,
    SourceRef,
    ZaakRecord,
)
from ingest.sources import reference as src
from ontology.namespaces import slug

# --------------------------------------------------------------------------- name helpers (shared with resolve)

PREFIX_WORDS = frozenset(
    "van de der den het ter ten te in op t s la le du des da dos von zu tot d l".split()
)


def norm_name(text: str) -> str:
    """Lower case ASCII, hyphens as spaces, other punctuation dropped: "Gill'ard" -> "gillard"."""
    s = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = s.replace("’", "").replace("'", "").replace("-", " ")
    s = re.sub(r"[^a-z ]+", " ", s)
    return " ".join(s.split())


def strip_prefix(normed: str) -> str:
    """Drop leading tussenvoegsel words of a normalised surname: "van der wal" -> "wal"."""
    words = normed.split()
    while len(words) > 1 and words[0] in PREFIX_WORDS:
        words = words[1:]
    return " ".join(words)


def surname_keys(family_name: str, prefix: str = "") -> dict[str, int]:
    """Index keys of a surname with their strength: 0 = the whole surname, 1 = a hyphen part.

    "Bijsterveldt-Vliegenthart" -> {"bijsterveldt vliegenthart": 0, "bijsterveldt": 1, "vliegenthart": 1}
    """
    keys: dict[str, int] = {}
    full = strip_prefix(norm_name(f"{prefix} {family_name}"))
    if full:
        keys[full] = 0
    parts = [strip_prefix(norm_name(p)) for p in re.split(r"-", family_name)]
    if len(parts) > 1:
        for p in parts:
            if p and p not in keys:
                keys[p] = 1
    return keys


_INITIAL_RE = re.compile(r"([A-ZÀ-Ý])[a-zà-ÿ]{0,2}\.")


def initial_letters(initials: str | None) -> str:
    """"S.Th.M." -> "STM" (one letter per initial)."""
    if not initials:
        return ""
    return "".join(_INITIAL_RE.findall(initials)).upper() or "".join(
        c for c in initials if c.isalpha() and c.isupper()
    )


def letters_of_names(first_names: str | None) -> str:
    """"Abraham Johannes" -> "AJ"."""
    if not first_names:
        return ""
    out = []
    for w in re.split(r"[\s]+", first_names.strip()):
        if w:
            out.append(norm_name(w)[:1].upper() or w[:1].upper())
    return "".join(out)


_TITLE_RE = re.compile(r"^(?:(?:prof|dr|drs|mr|ir|ing|bc|ds)\.?\s+)+", re.I)
_DEGREE_RE = re.compile(r"(?:,?\s+(?:MSc|MA|MPA|MBA|BSc|LL\.M\.|PhD|MPhil|LLM)(?=,|\s|$))+\s*$")
_OFFICIAL_RE = re.compile(
    r"^(?P<ini>(?:[A-ZÀ-Ý][a-zà-ÿ]{0,2}\.\s*)*[A-ZÀ-Ý][a-zà-ÿ]{0,2}\.?)\s*(?:\((?P<given>[^)]+)\)\s*)(?P<rest>.+)$"
    r"|^(?P<ini2>(?:[A-ZÀ-Ý][a-zà-ÿ]{0,2}\.\s*)+)\s*(?P<rest2>.+)$"
)


@dataclass(frozen=True, slots=True)
class ParsedOfficialName:
    initials: str | None
    given: str | None
    prefix: str
    surname: str


def split_prefix_surname(rest: str) -> tuple[str, str]:
    """"van der Maat" -> ("van der", "Maat"); "El Yassini" -> ("", "El Yassini")."""
    words = rest.split()
    i = 0
    while i < len(words) - 1 and norm_name(words[i]) in PREFIX_WORDS and words[i][:1].islower():
        i += 1
    return " ".join(words[:i]), " ".join(words[i:])


def parse_official_name(text: str) -> ParsedOfficialName | None:
    """"mr. drs. C.A. (Christophe) van der Maat" -> initials C.A., given Christophe, van der, Maat."""
    s = _TITLE_RE.sub("", text.strip())
    s = _DEGREE_RE.sub("", s).strip()
    m = _OFFICIAL_RE.match(s)
    if not m:
        return None
    ini = m.group("ini") or m.group("ini2")
    rest = m.group("rest") or m.group("rest2")
    prefix, surname = split_prefix_surname(rest.strip())
    ini = ini.replace(" ", "")
    return ParsedOfficialName(ini if ini.endswith(".") else ini + ".", m.group("given"), prefix, surname)


# --------------------------------------------------------------------------- fracties

# Full names of fracties not in the OpenKamer party list (ended 2019), and the list's short labels
# whose OpenKamer party has another short name. Each entry is the party's own name.
FRACTIE_NAMES: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    # list label: (name, abbreviation, alternate names)
    "GroenLinks": ("GroenLinks", "GL", ()),
    "GL-PvdA": ("GroenLinks-PvdA", "GL-PvdA", ("GroenLinks/PvdA", "GL/PvdA")),
    "NSC": ("Nieuw Sociaal Contract", "NSC", ()),
    "PvdD": ("Partij voor de Dieren", "PvdD", ()),
    "ChristenUnie": ("ChristenUnie", "CU", ()),
    "BBB": ("BoerBurgerBeweging", "BBB", ()),
    "FVD": ("Forum voor Democratie", "FVD", ("FvD",)),
    "JA21": ("JA21", "JA21", ()),
    "Volt": ("Volt", "Volt", ()),
    "BIJ1": ("BIJ1", "BIJ1", ()),
    "DENK": ("DENK", "DENK", ()),
    "50PLUS": ("50PLUS", "50PLUS", ()),
    "SP": ("Socialistische Partij", "SP", ()),
    "VVD": ("Volkspartij voor Vrijheid en Democratie", "VVD", ()),
    "PvdA": ("Partij van de Arbeid", "PvdA", ()),
    "CDA": ("Christen-Democratisch Appèl", "CDA", ()),
    "D66": ("Democraten 66", "D66", ()),
    "PVV": ("Partij voor de Vrijheid", "PVV", ()),
    "SGP": ("Staatkundig Gereformeerde Partij", "SGP", ()),
    "LPF": ("Lijst Pim Fortuyn", "LPF", ()),
    "vKA": ("Van Kooten-Arissen", "vKA", ()),
}


# --------------------------------------------------------------------------- posts

OK_TYPOS = {"ontwikkelinssamenwerking": "ontwikkelingssamenwerking"}
OK_PORTFOLIO_LABEL = {"programma jeugd en gezin": "jeugd en gezin"}
# ministry of an OpenKamer "minister voor ..." without a ministry in the fixture, by portfolio
OK_PORTFOLIO_MINISTRY = {
    "buitenlandse handel en ontwikkelingssamenwerking": "buitenlandse zaken",
    "ontwikkelingssamenwerking": "buitenlandse zaken",
    "wonen en rijksdienst": "binnenlandse zaken en koninkrijksrelaties",
    "immigratie, integratie en asiel": "binnenlandse zaken en koninkrijksrelaties",
    "wonen, wijken en integratie": "volkshuisvesting, ruimtelijke ordening en milieubeheer",
    "jeugd en gezin": "volksgezondheid, welzijn en sport",
}
_LOWER_WORDS = {"en", "van", "voor", "de", "der", "het"}

KIND_RANK = {
    "minister-president": 0,
    "minister": 1,
    "minister zonder portefeuille": 2,
    "staatssecretaris": 3,
    "viceminister-president": 4,
}


def title_case(text: str) -> str:
    """"binnenlandse zaken en koninkrijksrelaties" -> "Binnenlandse Zaken en Koninkrijksrelaties"."""
    out = []
    for w in text.split(" "):
        out.append(w if w in _LOWER_WORDS or not w else w[0].upper() + w[1:])
    return " ".join(out)


def cabinet_key(name: str) -> str:
    return slug(re.sub(r"^kabinet[- ]", "", name.strip(), flags=re.I))


def _ymd(d: dt.date) -> str:
    return d.strftime("%Y%m%d")


# --------------------------------------------------------------------------- periods (shared with infer/resolve)

OK_FILL_PREFIX = "aangevuld uit OpenKamer"
INFERRED_PREFIX = "afgeleid"
OPEN_END = "werkelijk einde onbekend"  # in a derivation: the end is the last date known, not a real end
MIN_EVE_ROWS = 50  # an election eve: at least this many list periods end that day and start the next


def is_listed(fm: FractieMembership) -> bool:
    """A period of the member list itself (not filled from OpenKamer, not inferred)."""
    return fm.derivation is None


def has_open_end(fm: FractieMembership) -> bool:
    """A derived period whose end is only the last date known (the real end is unknown)."""
    return fm.end is not None and fm.derivation is not None and OPEN_END in fm.derivation


def election_eves(fms: "list[FractieMembership] | tuple[FractieMembership, ...]") -> tuple[dt.date, ...]:
    """Days before the installation of a new Kamer, derived from the member list: days on which at
    least MIN_EVE_ROWS listed periods end while at least MIN_EVE_ROWS start on the next day
    (2006-11-29, 2010-06-16, 2012-09-19, 2017-03-22, 2021-03-30, 2023-12-05, ...)."""
    ends: dict[dt.date, int] = defaultdict(int)
    starts: dict[dt.date, int] = defaultdict(int)
    for f in fms:
        if not is_listed(f):
            continue
        starts[f.start] += 1
        if f.end is not None:
            ends[f.end] += 1
    one = dt.timedelta(days=1)
    return tuple(sorted(d for d, n in ends.items() if n >= MIN_EVE_ROWS and starts.get(d + one, 0) >= MIN_EVE_ROWS))


def fractie_after_eve(fractie_key: str, eve: dt.date, fms: "list[FractieMembership] | tuple[FractieMembership, ...]"
                      ) -> tuple[str | None, str]:
    """The fractie a re-elected member of ``fractie_key`` (period ending on ``eve``) sits in from eve+1.

    The list records changes as rows, so no row means no change: the same fractie, and without a
    note when the list has that fractie again after the eve. When it has not, but members of that
    fractie have rows from eve+1 in one other fractie, the fractie went on under that name (Groep
    Kuzu/Öztürk -> DENK in 2017); in several other fracties: unknown, (None, why)."""
    day = eve + dt.timedelta(days=1)
    listed = [f for f in fms if is_listed(f)]
    if any(f.fractie_key == fractie_key and (f.start > eve or f.end is None or f.end >= day) for f in listed):
        return fractie_key, ""
    members = {f.person_key for f in listed if f.fractie_key == fractie_key and f.end == eve}
    moved = [f for f in listed if f.person_key in members and f.start == day]
    nxt = {f.fractie_key for f in moved}
    if len(nxt) == 1:
        g = nxt.pop()
        return g, (f"fractie {fractie_key} komt na {eve} niet meer voor in de ledenlijst; de "
                   f"{len({f.person_key for f in moved})} leden ervan met een rij vanaf {day} zitten in {g}: "
                   f"voortgezet als {g}")
    if nxt:
        return None, (f"fractie {fractie_key} komt na {eve} niet meer voor in de ledenlijst en haar leden met een rij "
                      f"vanaf {day} zitten in verschillende fracties ({', '.join(sorted(nxt))})")
    return fractie_key, (f"fractie {fractie_key} heeft na {eve} geen rij in de ledenlijst en geen opvolger; "
                         f"ongewijzigd aangenomen (de lijst legt wijzigingen als rijen vast)")


def kamer_memberships_of(pk: str, fms: "list[FractieMembership]") -> list[KamerMembership]:
    """One KamerMembership per run of fractie periods of one person that touch (the next starting at
    most a day after the previous ends); a run with a derived part gets a derivation text."""
    out: list[KamerMembership] = []
    lst = sorted(fms, key=lambda f: (f.start, f.end or dt.date.max))
    run: list[FractieMembership] = []
    ce: dt.date | None = None

    def flush() -> None:
        if not run:
            return
        cs = run[0].start
        derived = [f for f in run if f.derivation]
        deriv = None
        if derived:
            n_list = len(run) - len(derived)
            parts = "; ".join(f"{f.start}..{f.end or ''} ({f.derivation.split(':', 1)[0]})" for f in derived)
            deriv = (f"samengesteld uit {len(run)} fractieperiodes, {n_list} uit de ledenlijst en {len(derived)} "
                     f"aangevuld of afgeleid: {parts}")
            if ce is not None and run[-1].end == ce and has_open_end(run[-1]):
                deriv += f"; einde {ce} is de laatst bekende datum, {OPEN_END}"
        out.append(KamerMembership(f"{pk}-tk-{_ymd(cs)}", pk, cs, ce, run[0].source, deriv))

    for f in lst:
        if run and (ce is None or f.start <= ce + dt.timedelta(days=1)):
            if ce is not None and (f.end is None or f.end > ce):
                ce = f.end
            run.append(f)
            continue
        flush()
        run, ce = [f], f.end
    flush()
    return out


# --------------------------------------------------------------------------- merge state


@dataclass
class _P:
    """A person under construction."""

    family_name: str
    prefix: str = ""
    given_name: str | None = None
    first_names: str | None = None
    initials: str | None = None
    birth_date: dt.date | None = None
    birth_year: int | None = None
    tk_guid: str | None = None
    wikidata: str | None = None
    parlement_com_id: str | None = None
    ledenlijst_id: str | None = None
    sources: list[SourceRef] = field(default_factory=list)
    name_hint: str | None = None

    def letters(self) -> str:
        return initial_letters(self.initials) or letters_of_names(self.first_names)

    def display(self) -> str:
        if self.name_hint:
            return self.name_hint
        given = self.given_name or (self.first_names.split()[0] if self.first_names else None)
        parts = [given, self.prefix, self.family_name]
        return " ".join(p for p in parts if p)

    def key(self) -> str:
        if self.tk_guid:
            return self.tk_guid
        if self.ledenlijst_id:
            return f"lid-{self.ledenlijst_id}"
        if self.wikidata:
            return f"wd-{self.wikidata}"
        return slug(self.display())


def load_reference(data_dir: Path) -> ReferenceData:
    data_dir = Path(data_dir)
    report: list[str] = []

    # ------------------------------------------------------------------ member list
    periods = list(src.read_member_periods(data_dir))
    for r in periods:
        for p in r.problems:
            report.append(f"{r.source}: {p}")
    by_pid: dict[str, list[src.MemberPeriodRow]] = defaultdict(list)
    for r in periods:
        by_pid[r.persoon_id].append(r)
    people: list[_P] = []
    pid_person: dict[str, _P] = {}
    for pid, rows in by_pid.items():
        rows.sort(key=lambda r: r.start)
        fn = next((r.first_names for r in rows if r.first_names), None)
        by = next((r.birth_year for r in rows if r.birth_year), None)
        surnames = {r.surname for r in rows}
        if len(surnames) > 1:
            report.append(f"member list: Persoon_id {pid} has several surnames {sorted(surnames)}; using {rows[-1].surname!r}")
        p = _P(family_name=rows[-1].surname, first_names=fn, birth_year=by, ledenlijst_id=pid,
               sources=[rows[0].source])
        people.append(p)
        pid_person[pid] = p

    def last_end(pid: str) -> dt.date:
        return max((r.end or dt.date.max) for r in by_pid[pid])

    list_index: dict[str, set[str]] = defaultdict(set)
    for pid, p in pid_person.items():
        for k in surname_keys(p.family_name):
            list_index[k].add(pid)

    def list_candidates(family: str, prefix: str) -> set[str]:
        out: set[str] = set()
        for k in surname_keys(family, prefix):
            out |= list_index.get(k, set())
        return out

    # ------------------------------------------------------------------ openkamer persons
    ok_rows = list(src.read_openkamer_persons(data_dir))
    guid_count: dict[str, int] = defaultdict(int)
    for r in ok_rows:
        if r.tk_id:
            guid_count[r.tk_id] += 1
    for g, n in guid_count.items():
        if n > 1:
            names = [f"{r.forename} {r.prefix} {r.surname}".replace("  ", " ") for r in ok_rows if r.tk_id == g]
            report.append(f"openkamer: TK GUID {g} given to {n} persons ({'; '.join(names)}); GUID not used for any of them")
    ok_person: dict[int, _P] = {}
    claimed: dict[str, int] = {}
    for r in ok_rows:
        guid = r.tk_id if r.tk_id and guid_count[r.tk_id] == 1 else None
        by = r.birth_date.year if r.birth_date else None
        ok_letters = initial_letters(r.initials)
        cands = list_candidates(r.surname, r.prefix)
        first_ok = [c for c in cands if (not by or not pid_person[c].birth_year or pid_person[c].birth_year == by)
                    and (not ok_letters or not pid_person[c].letters() or pid_person[c].letters()[0] == ok_letters[0]
                         # the list sometimes gives the roepnaam as first names (Dennis Wiersma, initials A.D.)
                         or (r.forename and norm_name(pid_person[c].first_names or "") == norm_name(r.forename)))]
        if by:
            first_ok = [c for c in first_ok if pid_person[c].birth_year == by] or []
        if len(first_ok) > 1:
            exact = [c for c in first_ok if pid_person[c].letters() == ok_letters]
            if len(exact) == 1:
                first_ok = exact
        target: _P | None = None
        if len(first_ok) == 1:
            pid = first_ok[0]
            if pid in claimed:
                report.append(f"{r.source}: openkamer person {r.forename} {r.surname} matches list person {pid} "
                              f"already merged with openkamer pk {claimed[pid]}; kept apart")
            else:
                claimed[pid] = r.pk
                target = pid_person[pid]
        elif len(first_ok) > 1 and len({(norm_name(pid_person[c].first_names or ""), pid_person[c].birth_year)
                                        for c in first_ok}) == 1 \
                and pid_person[first_ok[0]].first_names and not any(c in claimed for c in first_ok):
            # one person under several ledenlijst ids (same surname, first names up to accents, birth year:
            # "Leon Willem Evert" 201006031 and "Léon Willem Evert" 201703013 de Jong)
            keep, *rest = sorted(first_ok)
            target = pid_person[keep]
            for c in rest:
                dup = pid_person[c]
                dup.sources and target.sources.extend(dup.sources)
                people.remove(dup)
                pid_person[c] = target
                claimed[c] = r.pk
            claimed[keep] = r.pk
            report.append(f"{r.source}: member-list ids {first_ok} are one person ({r.forename} {r.prefix} {r.surname}, "
                          f"same first names and birth year); merged under {keep}")
        elif len(first_ok) > 1:
            report.append(f"{r.source}: openkamer person {r.forename} {r.prefix} {r.surname} matches several list "
                          f"persons {sorted(first_ok)}; kept apart")
        if target is None:
            target = _P(family_name=r.surname)
            people.append(target)
        target.family_name = r.surname if target.ledenlijst_id is None else target.family_name
        target.prefix = r.prefix or target.prefix
        target.given_name = r.forename or target.given_name
        target.initials = r.initials or target.initials
        target.birth_date = r.birth_date or target.birth_date
        if r.birth_date:
            if target.birth_year and target.birth_year != r.birth_date.year:
                report.append(f"{r.source}: birth year {target.birth_year} (list) vs {r.birth_date} (openkamer)")
            target.birth_year = target.birth_year or r.birth_date.year
        target.tk_guid = guid or target.tk_guid
        target.wikidata = r.wikidata or target.wikidata
        target.parlement_com_id = r.parlement_com_id or target.parlement_com_id
        target.sources.append(r.source)
        ok_person[r.pk] = target

    # ------------------------------------------------------------------ cabinet CSV persons
    holding_rows = list(src.read_cabinet_holdings(data_dir))
    by_wd = {p.wikidata: p for p in people if p.wikidata}
    csv_person: dict[str, _P] = {}  # by person_name
    for r in holding_rows:
        ident = r.person_wikidata or r.person_name
        if ident in csv_person:
            csv_person[ident].sources.append(r.source)
            continue
        parsed = parse_official_name(r.person_name_source)
        if parsed is None:
            prefix, surname = split_prefix_surname(r.person_name.split(" ", 1)[-1])
            initials, given = None, r.person_name.split(" ", 1)[0]
            report.append(f"{r.source}: could not parse {r.person_name_source!r}; name taken from person_name")
        else:
            prefix, surname, initials, given = parsed.prefix, parsed.surname, parsed.initials, parsed.given
        target = by_wd.get(r.person_wikidata) if r.person_wikidata else None
        if target is None:
            letters = initial_letters(initials)
            cands = [c for c in list_candidates(surname, prefix)
                     if last_end(c) >= dt.date(1990, 1, 1) and letters and pid_person[c].letters() == letters]
            if len(cands) == 1:
                target = pid_person[cands[0]]
                if target.wikidata and r.person_wikidata and target.wikidata != r.person_wikidata:
                    report.append(f"{r.source}: {r.person_name} matches list person {cands[0]} by name and initials "
                                  f"but Wikidata differs ({target.wikidata} vs {r.person_wikidata}); kept apart")
                    target = None
            elif len(cands) > 1:
                report.append(f"{r.source}: cabinet person {r.person_name} matches several list persons {cands}; kept apart")
        if target is None:
            target = _P(family_name=surname, prefix=prefix, given_name=given or None, initials=initials,
                        wikidata=r.person_wikidata)
            people.append(target)
            if r.person_wikidata:
                by_wd[r.person_wikidata] = target
        else:
            target.prefix = target.prefix or prefix
            target.given_name = target.given_name or (given or None)
            target.initials = target.initials or initials
            target.wikidata = target.wikidata or r.person_wikidata
        target.sources.append(r.source)
        csv_person[ident] = target

    # ------------------------------------------------------------------ person keys
    persons: dict[str, Person] = {}
    person_key: dict[int, str] = {}
    n_no_prefix = 0
    for p in people:
        k = p.key()
        if k in persons:
            base = k
            i = 2
            while f"{base}-{i}" in persons:
                i += 1
            k = f"{base}-{i}"
            report.append(f"person key {base} taken; {p.display()} gets {k}")
        if p.given_name is None and p.ledenlijst_id:
            n_no_prefix += 1
        persons[k] = Person(
            key=k, name=p.display(), family_name=p.family_name, prefix=p.prefix, given_name=p.given_name,
            first_names=p.first_names, initials=p.initials or (
                ".".join(letters_of_names(p.first_names)) + "." if p.first_names else None),
            birth_date=p.birth_date, birth_year=p.birth_year, tk_guid=p.tk_guid, wikidata=p.wikidata,
            parlement_com_id=p.parlement_com_id, ledenlijst_id=p.ledenlijst_id, sources=tuple(p.sources),
        )
        person_key[id(p)] = k
    report.append(f"{n_no_prefix} persons known only from the member list: tussenvoegsel and roepnaam unknown "
                  f"(the list gives the surname without prefix); display name from the first given name")

    # ------------------------------------------------------------------ fracties
    ok_parties = list(src.read_openkamer_parties(data_dir))
    fracties: dict[str, Fractie] = {}
    for label in sorted({r.fractie for r in periods}):
        name, short, alts = FRACTIE_NAMES.get(label, (label, None, ()))
        wd = None
        for op in ok_parties:
            if norm_name(op.name) in {norm_name(label), norm_name(name)} or (
                op.short_name and norm_name(op.short_name) in {norm_name(label), norm_name(short or "")}
                and op.short_name != op.name
            ):
                wd = op.wikidata or wd
                if norm_name(op.name) != norm_name(name):
                    alts = tuple(dict.fromkeys(alts + (op.name,)))
        alt = tuple(a for a in dict.fromkeys(alts + ((label,) if label not in (name, short) else ())) if a)
        k = slug(label)
        if k in fracties:
            report.append(f"fractie labels {fracties[k].name!r} and {label!r} share key {k}")
            continue
        fracties[k] = Fractie(key=k, name=name, short_name=short, alt_names=alt, wikidata=wd)

    # ------------------------------------------------------------------ memberships
    fms: list[FractieMembership] = []
    kms: list[KamerMembership] = []
    fm_keys: set[str] = set()
    for pid, rows in by_pid.items():
        pk = person_key[id(pid_person[pid])]
        good = []
        for r in rows:
            if r.end is not None and r.end < r.start:
                report.append(f"{r.source}: period of {pk} ends ({r.end}) before it starts ({r.start}); dropped")
                continue
            good.append(r)
        good.sort(key=lambda r: (r.start, r.end or dt.date.max))
        for a, b in zip(good, good[1:]):
            if a.end is None or b.start < a.end:
                report.append(f"{b.source}: period of {pk} from {b.start} overlaps the one of {a.start}-{a.end} ({a.source})")
        for r in good:
            k = f"{pk}-{_ymd(r.start)}-{slug(r.fractie)}"
            if k in fm_keys:
                i = 2
                while f"{k}-{i}" in fm_keys:
                    i += 1
                k = f"{k}-{i}"
            fm_keys.add(k)
            fms.append(FractieMembership(k, pk, slug(r.fractie), r.start, r.end,
                                         r.function.lower() if r.function else None, r.source))
        # contiguous periods -> one Kamer membership
        cur_start: dt.date | None = None
        cur_end: dt.date | None = None
        cur_src: SourceRef | None = None
        for r in good:
            if cur_start is not None and (cur_end is None or r.start <= cur_end + dt.timedelta(days=1)):
                if cur_end is not None and (r.end is None or r.end > cur_end):
                    cur_end = r.end
                continue
            if cur_start is not None:
                kms.append(KamerMembership(f"{pk}-tk-{_ymd(cur_start)}", pk, cur_start, cur_end, cur_src))
            cur_start, cur_end, cur_src = r.start, r.end, r.source
        if cur_start is not None:
            kms.append(KamerMembership(f"{pk}-tk-{_ymd(cur_start)}", pk, cur_start, cur_end, cur_src))

    # ------------------------------------------------------------------ gaps of the member list, filled from OpenKamer
    # The member list lacks periods of some re-elected members (e.g. Leijten, Karabulut after
    # 2017-03-22). An OpenKamer Tweede Kamer membership that continues a list period beyond its end
    # fills the gap, with the fractie of that list period, when OpenKamer's party memberships of the
    # person agree with that fractie (or give none). Sound-ness rules (each reported when it bites):
    # - OpenKamer's ``left`` is the day after the last day, except when it is an election eve (then
    #   it is the last day: every member sits until the eve);
    # - a period with a 1 January date is year-precise only (1959-01-01..1987-01-01) and not used;
    # - a fill never overlaps a list period (Kuzu's PvdA period is followed on 2014-11-13 by
    #   Groep Kuzu/Öztürk, so OpenKamer's 2014-11-14.. is no gap);
    # - a fill across an election eve keeps the fractie only if the list still has it afterwards
    #   (see :func:`fractie_after_eve`);
    # - an open OpenKamer end means "still a member on the fixture date": the fill ends on that date
    #   and its derivation says the real end is unknown (``complete_reference`` may extend it).
    eves = election_eves(fms)
    eve_set = set(eves)
    ok_party_label: dict[int, set[str]] = defaultdict(set)
    party_by_pk = {op_.pk: op_ for op_ in ok_parties}
    for pm in src.read_openkamer_party_members(data_dir):
        op_ = party_by_pk.get(pm.party)
        if op_:
            ok_party_label[pm.person].update(x for x in {norm_name(op_.name), norm_name(op_.short_name or "")} if x)
    fm_by_person: dict[str, list[FractieMembership]] = defaultdict(list)
    for fm in fms:
        fm_by_person[fm.person_key].append(fm)
    filled = 0
    one = dt.timedelta(days=1)
    for om in src.read_openkamer_parliament_members(data_dir):
        if om.parliament != 1 or om.joined is None or om.person not in ok_person:
            continue
        pk = person_key[id(ok_person[om.person])]
        mine = sorted(fm_by_person.get(pk, ()), key=lambda f: f.start)
        if not mine:
            continue
        if (om.joined.month, om.joined.day) == (1, 1) or (om.left and (om.left.month, om.left.day) == (1, 1)):
            report.append(f"{om.source}: openkamer membership of {pk} {om.joined}..{om.left or ''} is year-precise "
                          f"only (1 January); not used to fill the member list")
            continue
        if om.left is None:
            o_end = src.OK_FIXTURE_DATE
        else:
            o_end = om.left if om.left in eve_set else om.left - one
        # the list period this OpenKamer period continues
        base = [f for f in mine if f.start <= o_end and f.end is not None and om.joined <= f.end + one
                and f.end < o_end]
        if not base:
            continue
        prev = max(base, key=lambda f: f.end)  # type: ignore[arg-type,return-value]
        gap_start = prev.end + one  # type: ignore[operator]
        if any(f.start <= gap_start and (f.end is None or gap_start <= f.end) for f in mine):
            continue  # no gap: another list period runs on (Kuzu: PvdA, then Groep Kuzu/Öztürk)
        later = [f for f in mine if f.start >= gap_start]
        gap_end = min([o_end] + [f.start - one for f in later])
        if gap_end < gap_start:
            continue
        fr = fracties.get(prev.fractie_key)
        labels = ok_party_label.get(om.person, set())
        names = {norm_name(x) for x in ((fr.name, fr.short_name or "", *fr.alt_names) if fr else ())} | {norm_name(prev.fractie_key)}
        if labels and not (labels & names):
            report.append(f"{om.source}: gap of {pk} {gap_start}..{gap_end} not filled: openkamer party "
                          f"{sorted(labels)} differs from list fractie {prev.fractie_key}")
            continue
        fractie_key, fr_note = prev.fractie_key, ""
        if prev.end in eve_set:
            fk, fr_note = fractie_after_eve(prev.fractie_key, prev.end, fms)  # type: ignore[arg-type]
            if fk is None:
                report.append(f"{om.source}: gap of {pk} {gap_start}..{gap_end} not filled: {fr_note}")
                continue
            fractie_key = fk
        k = f"{pk}-{_ymd(gap_start)}-{fractie_key}"
        if k in fm_keys:
            continue
        fm_keys.add(k)
        is_open = om.left is None and gap_end == o_end
        deriv = (f"{OK_FILL_PREFIX}: ontbrekende periode in de ledenlijst; OpenKamer ({om.source}) heeft het "
                 f"Tweede Kamerlidmaatschap {om.joined}..{om.left or 'open'}; "
                 + (f"fractie ongewijzigd sinds de vorige periode ({prev.source})" if not fr_note else fr_note))
        if is_open:
            deriv += f"; einde {gap_end} is de datum van de OpenKamer-gegevens, {OPEN_END}"
        new = FractieMembership(k, pk, fractie_key, gap_start, gap_end, None, om.source, deriv)
        fms.append(new)
        fm_by_person[pk].append(new)
        filled += 1
        note = " (open in openkamer: end is the fixture date, real end unknown)" if is_open else ""
        report.append(f"{om.source}: member-list gap of {persons[pk].name} filled {gap_start}..{gap_end} "
                      f"as {fractie_key} (continues {prev.source}){' ' + fr_note if fr_note else ''}{note}")
    report.append(f"openkamer: {filled} gaps of the member list filled")
    # Kamer memberships again, over the list and the filled periods
    kms = []
    for pk, lst in fm_by_person.items():
        kms.extend(kamer_memberships_of(pk, lst))

    # ------------------------------------------------------------------ ministries
    min_rows = list(src.read_ministries(data_dir))
    by_code: dict[str, list[src.MinistryRow]] = defaultdict(list)
    for r in min_rows:
        by_code[r.tooi_code].append(r)
    event_codes: dict[str, set[str]] = defaultdict(set)
    for r in min_rows:
        for e in r.events:
            event_codes[e].add(r.tooi_code)
    ministries: dict[str, Ministry] = {}
    for code, rows in by_code.items():
        rows_sorted = sorted(rows, key=lambda r: (r.valid_to or dt.date.max, r.valid_from or dt.date.min))
        latest = rows_sorted[-1]
        valid_from = None if any(r.valid_from is None for r in rows) else min(r.valid_from for r in rows)  # type: ignore[type-var]
        valid_to = None if any(r.valid_to is None for r in rows) else max(r.valid_to for r in rows)  # type: ignore[type-var]
        replaced: set[str] = set()
        if valid_to is not None:
            for r in rows:
                for e in r.events:
                    if e.startswith(("Samenvoeging", "Uitbreiding", "Opheffing")):
                        # successors: the other codes of the event that live on after this one ended
                        others = {c for c in event_codes[e] - {code}
                                  if any(o.valid_to is None or o.valid_to > valid_to for o in by_code[c])}
                        replaced |= others
                        if not others:
                            report.append(f"{r.source}: ministry {code} ended with event {e!r}; no successor in the list")
        wd = latest.wikidata or next((r.wikidata for r in reversed(rows_sorted) if r.wikidata), None)
        ministries[code] = Ministry(code, latest.name, latest.abbreviation, latest.tooi_iri, wd, valid_from,
                                    valid_to, tuple(sorted(replaced)))

    def ministry_for(name_lc: str, on: dt.date) -> str:
        """TOOI code for an OpenKamer ministry name (lower case, without 'ministerie van') on a date."""
        want = norm_name(name_lc)
        named = [r for r in min_rows if norm_name(re.sub(r"^Ministerie van ", "", r.name)) == want]
        valid = [r for r in named if (r.valid_from or dt.date.min) <= on <= (r.valid_to or dt.date.max)]
        codes = {r.tooi_code for r in valid}
        if len(codes) != 1:
            codes = {r.tooi_code for r in named
                     if (ministries[r.tooi_code].valid_from or dt.date.min) <= on <= (ministries[r.tooi_code].valid_to or dt.date.max)}
        if len(codes) == 1:
            return codes.pop()
        k = slug(f"ministerie van {name_lc}")
        if k not in ministries:
            ministries[k] = Ministry(k, f"Ministerie van {title_case(name_lc)}")
            report.append(f"openkamer ministry {name_lc!r} on {on}: no single TOOI match ({sorted(codes)}); slug key {k}")
        return k

    # ------------------------------------------------------------------ cabinets
    cabinets: dict[str, Cabinet] = {}
    ok_govs = {g.pk: g for g in src.read_openkamer_governments(data_dir)}
    for g in ok_govs.values():
        k = cabinet_key(g.name)
        cabinets[k] = Cabinet(k, g.name, g.start, g.end, g.wikidata)
    csv_cabs: dict[str, list[src.HoldingRow]] = defaultdict(list)
    for r in holding_rows:
        csv_cabs[r.cabinet].append(r)
    ordered = sorted(csv_cabs.items(), key=lambda kv: min(r.start for r in kv[1]))
    for i, (name, rows) in enumerate(ordered):
        k = cabinet_key(name)
        start = min(r.start for r in rows)
        ends = [r.end for r in rows]
        end = None if any(e is None for e in ends) else max(ends)  # type: ignore[type-var]
        if i + 1 < len(ordered):
            end = min(r.start for r in ordered[i + 1][1])
        old = cabinets.get(k)
        if old:
            if old.start != start:
                report.append(f"cabinet {k}: start {old.start} (openkamer) vs {start} (CSV); CSV kept")
            cabinets[k] = Cabinet(k, old.name, start, end if end else old.end, old.wikidata)
        else:
            cabinets[k] = Cabinet(k, f"Kabinet-{name}", start, end, None)

    # ------------------------------------------------------------------ posts and holdings
    posts: dict[str, Post] = {}
    holdings: list[PostHolding] = []
    hold_keys: set[str] = set()

    def post_for(label: str, kind: str, ministry_key: str | None, portfolio: str | None) -> str:
        k = slug(label)
        old = posts.get(k)
        if old is not None and old.ministry_key != ministry_key:
            k2 = f"{k}-{ministry_key}" if ministry_key else f"{k}-x"
            if k2 not in posts:
                report.append(f"post {label!r}: ministry {ministry_key} differs from {old.ministry_key} of {k}; key {k2}")
                posts[k2] = Post(k2, label, kind, ministry_key, portfolio)  # type: ignore[arg-type]
            return k2
        if old is None:
            posts[k] = Post(k, label, kind, ministry_key, portfolio)  # type: ignore[arg-type]
        return k

    def add_holding(post_key: str, pk: str, cab: str | None, start: dt.date, end: dt.date | None,
                    acting: bool, source: SourceRef) -> None:
        if end is not None and end < start:
            report.append(f"{source}: holding of {post_key} by {pk} ends {end} before it starts {start}; dropped")
            return
        k = f"{pk}-{post_key}-{_ymd(start)}"
        if k in hold_keys:
            report.append(f"{source}: duplicate holding {k}; skipped")
            return
        hold_keys.add(k)
        holdings.append(PostHolding(k, post_key, pk, cab, start, end, acting, source))

    # CSV first (Rutte III onwards): its labels take the plain post keys
    for r in holding_rows:
        pk = person_key[id(csv_person[r.person_wikidata or r.person_name])]
        cab = cabinet_key(r.cabinet)
        mk = r.ministry_tooi
        if mk and mk not in ministries:
            report.append(f"{r.source}: ministry {mk} not in ministries.csv")
        title = r.post_title
        m = re.match(r"^(.*?)\s*\((.+)\)$", title)
        portfolio = m.group(2) if m else None
        if title == "minister-president, minister van Algemene Zaken":
            add_holding(post_for("minister-president", "minister-president", mk, None), pk, cab, r.start, r.end,
                        r.acting, r.source)
            add_holding(post_for("minister van Algemene Zaken", "minister", mk, None), pk, cab, r.start, r.end,
                        r.acting, r.source)
            continue
        kind = r.post_kind
        if kind not in KIND_RANK:
            report.append(f"{r.source}: unknown post kind {kind!r}; row skipped")
            continue
        if kind == "minister zonder portefeuille" and title.startswith("minister voor "):
            portfolio = re.sub(r"\s*\(tijdelijk\)$", "", title[len("minister voor "):])
        add_holding(post_for(title, kind, mk, portfolio), pk, cab, r.start, r.end, r.acting, r.source)

    # OpenKamer up to Rutte II (newest first so that newer labels keep the plain keys)
    ok_mins = {m.pk: m for m in src.read_openkamer_ministries(data_dir)}
    ok_pos = {p.pk: p for p in src.read_openkamer_positions(data_dir)}
    csv_cab_keys = {cabinet_key(c) for c in csv_cabs}
    ok_members = sorted(src.read_openkamer_members(data_dir),
                        key=lambda m: (-ok_govs[ok_pos[m.position].government].start.toordinal(), m.source.line or 0))
    skipped = 0
    for mrow in ok_members:
        pos = ok_pos[mrow.position]
        gov = ok_govs[pos.government]
        cab = cabinet_key(gov.name)
        if cab in csv_cab_keys:
            skipped += 1
            continue
        pk = person_key[id(ok_person[mrow.person])]
        start, end = mrow.start, mrow.end
        if end is not None and end < start:
            if gov.start <= end and (gov.end is None or end <= gov.end):
                report.append(f"{mrow.source}: holding of {pk} ends {end} before it starts {start}; start set to the "
                              f"cabinet's start {gov.start}")
                start = gov.start
        mname = ok_mins[pos.ministry].name if pos.ministry is not None else None
        extra = pos.extra_info.lower()
        for bad, good in OK_TYPOS.items():
            extra = extra.replace(bad, good)
        extra = OK_PORTFOLIO_LABEL.get(extra, extra)
        if pos.position == "PMI":
            label, kind, mk, portfolio = "minister-president", "minister-president", ministry_for("algemene zaken", gov.start), None
        elif pos.position == "DPM":
            label, kind, mk, portfolio = "viceminister-president", "viceminister-president", None, None
        elif pos.position == "SOS":
            if mname is None:
                report.append(f"{mrow.source}: staatssecretaris without ministry; skipped")
                continue
            label, kind, mk, portfolio = f"staatssecretaris van {title_case(mname)}", "staatssecretaris", ministry_for(mname, gov.start), None
        elif pos.position == "MWP" or (pos.position == "MIN" and mname is None):
            if extra:
                portfolio = title_case(extra)
                mn = mname or OK_PORTFOLIO_MINISTRY.get(extra)
                mk = ministry_for(mn, gov.start) if mn else None
                label = f"minister voor {portfolio}"
            else:
                portfolio, mk = None, (ministry_for(mname, gov.start) if mname else None)
                label = "minister zonder portefeuille"
                report.append(f"{mrow.source}: openkamer minister ({pos.position}) without portfolio or ministry for "
                              f"{persons[pk].name} in {gov.name}; post 'minister zonder portefeuille'")
            kind = "minister zonder portefeuille"
        else:  # MIN with ministry
            label, kind, mk, portfolio = f"minister van {title_case(mname)}", "minister", ministry_for(mname, gov.start), None
        add_holding(post_for(label, kind, mk, portfolio), pk, cab, start, end, False, mrow.source)
    report.append(f"openkamer: {skipped} holdings of cabinets covered by the CSV (Rutte III) not used")

    # gaps: posts without holder between holdings of the same post within a cabinet
    by_post_cab: dict[tuple[str, str | None], list[PostHolding]] = defaultdict(list)
    for h in holdings:
        by_post_cab[(h.post_key, h.cabinet_key)].append(h)
    for (post, cab), hs in sorted(by_post_cab.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        hs.sort(key=lambda h: h.start)
        covered = hs[0].end
        for h in hs[1:]:
            if covered is not None and h.start > covered + dt.timedelta(days=1):
                report.append(f"gap: post {post} ({cab}) has no holder from {covered} to {h.start}")
            if covered is not None and (h.end is None or h.end > covered):
                covered = h.end
            elif covered is None:
                break

    return ReferenceData(
        persons=persons,
        fracties=fracties,
        fractie_memberships=tuple(fms),
        kamer_memberships=tuple(kms),
        ministries=ministries,
        cabinets=cabinets,
        posts=posts,
        holdings=tuple(holdings),
        report=tuple(report),
    )


def complete_reference(ref: ReferenceData, zaken: "Iterable[ZaakRecord]") -> ReferenceData:
    """``ref`` with the Kamer and fractie periods inferred from who submitted written questions
    (see :mod:`ingest.infer`); call it before :class:`ingest.resolve.Resolver`."""
    from ingest.infer import complete_reference as _complete

    return _complete(ref, zaken)
