"""Merge the reference lists into one :class:`ReferenceData`, as a sequence of named steps.

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

:func:`load_reference` runs ``STEPS`` in order over one :class:`ReferenceState`: one function
per source and per rule, in :mod:`ingest.reference_persons`, :mod:`ingest.reference_members` and
:mod:`ingest.reference_government`. A further step (a consistency check, a corrections register)
is one more function taking the state and one more line in ``STEPS``: the corrections register
(:mod:`ingest.reference_corrections`, applied right after the periods and the holdings are read)
and the consistency rules (:mod:`ingest.reference_checks`, run last, over the corrected data) are
such steps. The completion from the
askers of written questions is :func:`ingest.infer.complete_reference`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.records import ReferenceData
from ingest.reference_government import (
    csv_holdings,
    openkamer_holdings,
    read_cabinets,
    read_ministries,
    report_post_gaps,
)
from ingest.reference_members import (
    fill_gaps_from_openkamer,
    find_election_eves,
    join_kamer_memberships,
    list_memberships,
    name_fracties,
)
from ingest.reference_checks import (
    check_ages,
    check_fractie_in_kamer,
    check_fractie_overlaps,
    check_holdings_in_cabinet,
    check_person_posts,
    check_post_holders,
    check_seat_and_post,
)
from ingest.reference_corrections import correct_holdings, correct_memberships, read_corrections, report_corrections
from ingest.reference_persons import key_persons, merge_cabinet_persons, merge_openkamer_persons, read_member_list
from ingest.reference_state import ReferenceState

Step = Callable[[ReferenceState], None]

# The steps in the order they run: each reads what the ones before it left in the state (and, for
# a source, its file) and adds to it; the report lines come out in this order.
STEPS: tuple[Step, ...] = (
    # the corrections register (data/reference/corrections.csv), applied below
    read_corrections,
    # persons
    read_member_list,
    merge_openkamer_persons,
    merge_cabinet_persons,
    key_persons,
    # fracties and membership periods
    name_fracties,
    list_memberships,
    find_election_eves,
    fill_gaps_from_openkamer,
    correct_memberships,
    join_kamer_memberships,
    # ministries, cabinets, posts and holdings
    read_ministries,
    read_cabinets,
    csv_holdings,
    openkamer_holdings,
    correct_holdings,
    report_corrections,
    report_post_gaps,
    # consistency rules over the corrected data (report lines only)
    check_fractie_overlaps,
    check_fractie_in_kamer,
    check_post_holders,
    check_holdings_in_cabinet,
    check_person_posts,
    check_seat_and_post,
    check_ages,
)


def run_steps(data_dir: Path, steps: tuple[Step, ...] = STEPS) -> ReferenceState:
    """The state after running ``steps`` in order over the reference lists under ``data_dir``."""
    state = ReferenceState(Path(data_dir))
    for step in steps:
        step(state)
    return state


def load_reference(data_dir: Path) -> ReferenceData:
    """The reference data of the lists under ``data_dir``: every step of ``STEPS``, in order."""
    return run_steps(data_dir).result()
