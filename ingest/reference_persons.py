"""The person steps of :func:`ingest.reference.load_reference`: one :class:`Person` per real person.

The member list gives one draft per Persoon_id; an OpenKamer person is merged with a list person
when a surname variant matches, the birth years agree and the first initials agree, and exactly
one list person qualifies; a cabinet-CSV person is merged by Wikidata id, else by surname + all
initials with exactly one list person active since 1990. Then every draft gets its key.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ingest.names import (
    display_name,
    initial_letters,
    letters_of_names,
    norm_name,
    parse_official_name,
    split_prefix_surname,
    strip_prefix,
    surname_keys,
)
from ingest.records import Person
from ingest.reference_state import PersonDraft, ReferenceState
from ingest.sources import reference as src


def read_member_list(state: ReferenceState) -> None:
    """Reads the member-period list; adds its rows (``periods``, ``by_pid``), one draft person per
    Persoon_id (``people``, ``pid_person``), the surname index of those drafts (``list_index``), and
    a report line per row problem and per Persoon_id with several surnames."""
    report = state.report
    state.periods = list(src.read_member_periods(state.data_dir))
    for r in state.periods:
        for p in r.problems:
            report.append(f"{r.source}: {p}")
    for r in state.periods:
        state.by_pid[r.persoon_id].append(r)
    for pid, rows in state.by_pid.items():
        rows.sort(key=lambda r: r.start)
        fn = next((r.first_names for r in rows if r.first_names), None)
        by = next((r.birth_year for r in rows if r.birth_year), None)
        surnames = {r.surname for r in rows}
        if len(surnames) > 1:
            report.append(f"member list: Persoon_id {pid} has several surnames {sorted(surnames)}; using {rows[-1].surname!r}")
        p = PersonDraft(family_name=rows[-1].surname, first_names=fn, birth_year=by, ledenlijst_id=pid,
                        sources=[rows[0].source])
        state.people.append(p)
        state.pid_person[pid] = p
    for pid, p in state.pid_person.items():
        for k in surname_keys(p.family_name):
            state.list_index[k].add(pid)


def _unique_guids(ok_rows: list[src.OkPersonRow], report: list[str]) -> dict[str, int]:
    """How many OpenKamer persons carry each TK GUID; a report line for each shared one."""
    guid_count: dict[str, int] = defaultdict(int)
    for r in ok_rows:
        if r.tk_id:
            guid_count[r.tk_id] += 1
    for g, n in guid_count.items():
        if n > 1:
            names = [f"{r.forename} {r.prefix} {r.surname}".replace("  ", " ") for r in ok_rows if r.tk_id == g]
            report.append(f"openkamer: TK GUID {g} given to {n} persons ({'; '.join(names)}); GUID not used for any of them")
    return guid_count


def _list_matches(state: ReferenceState, r: src.OkPersonRow) -> list[str]:
    """The list persons an OpenKamer person may be: a surname key, the birth year and the first
    initial agree (several left: those with all initials equal, when that leaves one)."""
    pid_person = state.pid_person
    by = r.birth_date.year if r.birth_date else None
    ok_letters = initial_letters(r.initials)
    cands = state.list_candidates(r.surname, r.prefix)
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
    return first_ok


def _merge_target(state: ReferenceState, r: src.OkPersonRow, first_ok: list[str],
                  claimed: dict[str, int]) -> PersonDraft | None:
    """The list draft an OpenKamer person merges with (None: kept apart). Several list ids with the
    same first names and birth year are one person: merged into the lowest id."""
    report, pid_person = state.report, state.pid_person
    if len(first_ok) == 1:
        pid = first_ok[0]
        if pid in claimed:
            report.append(f"{r.source}: openkamer person {r.forename} {r.surname} matches list person {pid} "
                          f"already merged with openkamer pk {claimed[pid]}; kept apart")
            return None
        claimed[pid] = r.pk
        return pid_person[pid]
    if len(first_ok) > 1 and len({(norm_name(pid_person[c].first_names or ""), pid_person[c].birth_year)
                                  for c in first_ok}) == 1 \
            and pid_person[first_ok[0]].first_names and not any(c in claimed for c in first_ok):
        # one person under several ledenlijst ids (same surname, first names up to accents, birth year:
        # "Leon Willem Evert" 201006031 and "Léon Willem Evert" 201703013 de Jong)
        keep, *rest = sorted(first_ok)
        target = pid_person[keep]
        for c in rest:
            dup = pid_person[c]
            dup.sources and target.sources.extend(dup.sources)
            state.people.remove(dup)
            pid_person[c] = target
            claimed[c] = r.pk
        claimed[keep] = r.pk
        report.append(f"{r.source}: member-list ids {first_ok} are one person ({r.forename} {r.prefix} {r.surname}, "
                      f"same first names and birth year); merged under {keep}")
        return target
    if len(first_ok) > 1:
        report.append(f"{r.source}: openkamer person {r.forename} {r.prefix} {r.surname} matches several list "
                      f"persons {sorted(first_ok)}; kept apart")
    return None


def _forename_without_surname(forename: str | None, family: str) -> str | None:
    """OpenKamer's forename without the words that begin the list's surname: "Ans Willemse-van" with the
    surname "Willemse-van der Ploeg" -> "Ans"."""
    if not forename:
        return forename
    words = forename.split()
    fam = norm_name(family).split()
    for i in range(1, len(words)):
        tail = norm_name(" ".join(words[i:])).split()
        if fam[:len(tail)] == tail:
            return " ".join(words[:i])
    return forename


def _openkamer_prefix(r: src.OkPersonRow, family: str, report: list[str]) -> tuple[str, str | None]:
    """OpenKamer's tussenvoegsel and forename for a person whose surname the member list gives (``family``).

    OpenKamer may split the name otherwise than the list. Its tussenvoegsel is taken when its surname is
    the list's (or one begins the other: a double name); when its tussenvoegsel and surname together are
    the list's surname behind tussenvoegsel words ("de" + "la Court", list "Court"), those words are the
    tussenvoegsel ("de la"). Otherwise it belongs with OpenKamer's own surname ("de" + "Pater-Postma", list
    "Postma") and is not taken, and words of the list's surname in OpenKamer's forename are dropped ("Ans
    Willemse-van" + "der" + "Ploeg", list "Willemse-van der Ploeg"); a report line says so."""
    ok_s, list_s = norm_name(r.surname), norm_name(family)
    if not r.prefix or ok_s.startswith(list_s) or list_s.startswith(ok_s):
        return r.prefix, r.forename
    words = f"{r.prefix} {r.surname}".split()
    n = len(family.split())
    if strip_prefix(norm_name(" ".join(words))) == list_s and norm_name(" ".join(words[-n:])) == list_s:
        return " ".join(words[:-n]), r.forename
    given = _forename_without_surname(r.forename, family)
    report.append(f"{r.source}: openkamer names {r.forename} | {r.prefix} | {r.surname}, the member list "
                  f"{family!r}; openkamer's tussenvoegsel not used" + (f", roepnaam {given!r}" if given != r.forename else ""))
    return "", given


def _take_openkamer_fields(target: PersonDraft, r: src.OkPersonRow, guid: str | None, report: list[str]) -> None:
    """Copy an OpenKamer person's fields onto its draft (OpenKamer's surname only for a draft not
    from the list; a birth year differing from the list's is reported)."""
    target.family_name = r.surname if target.ledenlijst_id is None else target.family_name
    given = r.forename
    if target.ledenlijst_id is None:
        target.prefix = r.prefix or target.prefix
    else:
        prefix, given = _openkamer_prefix(r, target.family_name, report)
        target.prefix = prefix or target.prefix
    target.given_name = given or target.given_name
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


def merge_openkamer_persons(state: ReferenceState) -> None:
    """Reads the OpenKamer persons; merges each into the list draft it matches or adds a new draft,
    and records the draft of every OpenKamer person pk (``ok_person``). A TK GUID given to several
    OpenKamer persons is used for none of them."""
    ok_rows = list(src.read_openkamer_persons(state.data_dir))
    guid_count = _unique_guids(ok_rows, state.report)
    claimed: dict[str, int] = {}
    for r in ok_rows:
        guid = r.tk_id if r.tk_id and guid_count[r.tk_id] == 1 else None
        target = _merge_target(state, r, _list_matches(state, r), claimed)
        if target is None:
            target = PersonDraft(family_name=r.surname)
            state.people.append(target)
        _take_openkamer_fields(target, r, guid, state.report)
        state.ok_person[r.pk] = target


def _csv_list_match(state: ReferenceState, r: src.HoldingRow, surname: str, prefix: str,
                    initials: str | None) -> PersonDraft | None:
    """The one list draft (active since 1990) with the surname and all initials of a cabinet-CSV
    person, unless its Wikidata id differs; several or none: None."""
    letters = initial_letters(initials)
    cands = [c for c in state.list_candidates(surname, prefix)
             if state.last_end(c) >= dt.date(1990, 1, 1) and letters and state.pid_person[c].letters() == letters]
    if len(cands) == 1:
        target = state.pid_person[cands[0]]
        if target.wikidata and r.person_wikidata and target.wikidata != r.person_wikidata:
            state.report.append(f"{r.source}: {r.person_name} matches list person {cands[0]} by name and initials "
                                f"but Wikidata differs ({target.wikidata} vs {r.person_wikidata}); kept apart")
            return None
        return target
    if len(cands) > 1:
        state.report.append(f"{r.source}: cabinet person {r.person_name} matches several list persons {cands}; kept apart")
    return None


def merge_cabinet_persons(state: ReferenceState) -> None:
    """Reads the cabinet CSV's holdings (``holding_rows``); merges each person named there into a
    draft (by Wikidata id, else by surname and initials with one list person) or adds one, and records
    the draft of each CSV person by Wikidata id or name (``csv_person``)."""
    state.holding_rows = list(src.read_cabinet_holdings(state.data_dir))
    by_wd = {p.wikidata: p for p in state.people if p.wikidata}
    csv_person = state.csv_person
    for r in state.holding_rows:
        ident = r.person_wikidata or r.person_name
        if ident in csv_person:
            csv_person[ident].sources.append(r.source)
            continue
        parsed = parse_official_name(r.person_name_source)
        if parsed is None:
            prefix, surname = split_prefix_surname(r.person_name.split(" ", 1)[-1])
            initials, given = None, r.person_name.split(" ", 1)[0]
            state.report.append(f"{r.source}: could not parse {r.person_name_source!r}; name taken from person_name")
        else:
            prefix, surname, initials, given = parsed.prefix, parsed.surname, parsed.initials, parsed.given
        target = by_wd.get(r.person_wikidata) if r.person_wikidata else None
        if target is None:
            target = _csv_list_match(state, r, surname, prefix, initials)
        if target is None:
            target = PersonDraft(family_name=surname, prefix=prefix, given_name=given or None, initials=initials,
                                 wikidata=r.person_wikidata)
            state.people.append(target)
            if r.person_wikidata:
                by_wd[r.person_wikidata] = target
        else:
            target.prefix = target.prefix or prefix
            target.given_name = target.given_name or (given or None)
            target.initials = target.initials or initials
            target.wikidata = target.wikidata or r.person_wikidata
        target.sources.append(r.source)
        csv_person[ident] = target


def key_persons(state: ReferenceState) -> None:
    """Reads the drafts; adds one :class:`Person` per draft under its key (``persons``; a taken key
    gets ``-2``, ``-3``, ...) and the key of each draft (``person_key``), and reports how many
    persons are known only from the member list."""
    n_no_prefix = 0
    persons = state.persons
    for p in state.people:
        k = p.key()
        if k in persons:
            base = k
            i = 2
            while f"{base}-{i}" in persons:
                i += 1
            k = f"{base}-{i}"
            state.report.append(f"person key {base} taken; {p.display()} gets {k}")
        if p.given_name is None and p.ledenlijst_id:
            n_no_prefix += 1
        persons[k] = Person(
            key=k, name=p.name_hint or display_name(p.given_name, p.first_names, p.prefix, p.family_name),
            family_name=p.family_name, prefix=p.prefix, given_name=p.given_name,
            first_names=p.first_names, initials=p.initials or (
                ".".join(letters_of_names(p.first_names)) + "." if p.first_names else None),
            birth_date=p.birth_date, birth_year=p.birth_year, tk_guid=p.tk_guid, wikidata=p.wikidata,
            parlement_com_id=p.parlement_com_id, ledenlijst_id=p.ledenlijst_id, sources=tuple(p.sources),
        )
        state.person_key[id(p)] = k
    state.report.append(f"{n_no_prefix} persons known only from the member list: tussenvoegsel and roepnaam unknown "
                        f"(the list gives the surname without prefix); display name from the first given name")
