"""The reference data under construction: the state the steps of :func:`ingest.reference.load_reference` share.

Each step reads what earlier steps left in a :class:`ReferenceState` (and, for a source step, a
file under ``data_dir``) and adds to it; :meth:`ReferenceState.result` turns the state into the
:class:`ReferenceData` the build uses.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ingest.government_names import GovernmentNames, government_names
from ingest.names import initial_letters, letters_of_names, surname_keys
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
)
from ingest.sources import reference as src
from ontology.namespaces import slug


@dataclass
class PersonDraft:
    """A person under construction, merged from the member list, OpenKamer and the cabinet CSV."""

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
        """One letter per initial (from the initials, else the first names)."""
        return initial_letters(self.initials) or letters_of_names(self.first_names)

    def display(self) -> str:
        """The display name: roepnaam (else the first given name), prefix, surname."""
        if self.name_hint:
            return self.name_hint
        given = self.given_name or (self.first_names.split()[0] if self.first_names else None)
        parts = [given, self.prefix, self.family_name]
        return " ".join(p for p in parts if p)

    def key(self) -> str:
        """TK GUID, else ``lid-<Persoon_id>``, else ``wd-<Qid>``, else the slug of the display name."""
        if self.tk_guid:
            return self.tk_guid
        if self.ledenlijst_id:
            return f"lid-{self.ledenlijst_id}"
        if self.wikidata:
            return f"wd-{self.wikidata}"
        return slug(self.display())


@dataclass
class ReferenceState:
    """What the steps have read and built so far; each field is filled by the step named beside it."""

    data_dir: Path
    report: list[str] = field(default_factory=list)
    # member list (read_member_list)
    periods: list[src.MemberPeriodRow] = field(default_factory=list)
    by_pid: dict[str, list[src.MemberPeriodRow]] = field(default_factory=lambda: defaultdict(list))
    people: list[PersonDraft] = field(default_factory=list)
    pid_person: dict[str, PersonDraft] = field(default_factory=dict)
    list_index: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # OpenKamer persons (merge_openkamer_persons): OpenKamer person pk -> draft
    ok_person: dict[int, PersonDraft] = field(default_factory=dict)
    # cabinet CSV persons (merge_cabinet_persons): Wikidata id or name -> draft
    holding_rows: list[src.HoldingRow] = field(default_factory=list)
    csv_person: dict[str, PersonDraft] = field(default_factory=dict)
    # person keys (key_persons): id(draft) -> key
    persons: dict[str, Person] = field(default_factory=dict)
    person_key: dict[int, str] = field(default_factory=dict)
    # fracties (name_fracties)
    ok_parties: list[src.OkPartyRow] = field(default_factory=list)
    fracties: dict[str, Fractie] = field(default_factory=dict)
    # periods (list_memberships, find_election_eves, fill_gaps_from_openkamer, join_kamer_memberships)
    fms: list[FractieMembership] = field(default_factory=list)
    fm_keys: set[str] = field(default_factory=set)
    eves: tuple[dt.date, ...] = ()
    kms: list[KamerMembership] = field(default_factory=list)
    # government (read_ministries, read_cabinets, csv_holdings, openkamer_holdings)
    min_rows: list[src.MinistryRow] = field(default_factory=list)
    ministries: dict[str, Ministry] = field(default_factory=dict)
    ok_govs: dict[int, src.OkGovernmentRow] = field(default_factory=dict)
    csv_cabs: dict[str, list[src.HoldingRow]] = field(default_factory=lambda: defaultdict(list))
    cabinets: dict[str, Cabinet] = field(default_factory=dict)
    posts: dict[str, Post] = field(default_factory=dict)
    holdings: list[PostHolding] = field(default_factory=list)
    hold_keys: set[str] = field(default_factory=set)
    # corrections register (read_corrections; correct_memberships, correct_holdings): the
    # ingest.reference_corrections.Correction rows, the ids that named a record, the ids applied
    corrections: list = field(default_factory=list)
    matched: set[str] = field(default_factory=set)
    applied: set[str] = field(default_factory=set)

    def last_end(self, pid: str) -> dt.date:
        """The last end of the member-list periods of ``pid`` (``date.max`` when one is open)."""
        return max((r.end or dt.date.max) for r in self.by_pid[pid])

    def list_candidates(self, family: str, prefix: str) -> set[str]:
        """The member-list Persoon_ids whose surname shares a key with ``prefix family``."""
        out: set[str] = set()
        for k in surname_keys(family, prefix):
            out |= self.list_index.get(k, set())
        return out

    def result(self) -> ReferenceData:
        """The finished reference data, with the names ministries and posts had over time
        (:mod:`ingest.government_names`)."""
        names = government_names(self.data_dir, self.min_rows, self.ministries, self.posts, self.holdings)
        return NamedReferenceData(
            persons=self.persons,
            fracties=self.fracties,
            fractie_memberships=tuple(self.fms),
            kamer_memberships=tuple(self.kms),
            ministries=self.ministries,
            cabinets=self.cabinets,
            posts=self.posts,
            holdings=tuple(self.holdings),
            report=tuple(self.report),
            names=names,
        )


@dataclass(frozen=True, slots=True)
class NamedReferenceData(ReferenceData):
    """:class:`ReferenceData` with the names its ministries and posts had over time (``names``)."""

    names: GovernmentNames | None = None
