"""The corrections register: steps of :func:`ingest.reference.load_reference` that fix source rows.

``data/reference/corrections.csv`` (described in ``data/reference/README.md``) has one row per
correction: ``id``, ``record`` (the source row it changes, as the build names it:
``reference/tk-kamerleden-perioden.json:8281`` for record 8281 of the member list,
``reference/openkamer/government.json:225`` for a record of OpenKamer's fixture,
``reference/cabinets/bewindspersonen.csv:12`` for a line of the cabinet CSV), ``field``,
``value``, ``source`` (the URL or document id that proves the value), ``evidence`` (what the
source says) and ``note``.

Fields: a fractie membership's ``fractie`` (a fractie key), ``start`` and ``end`` (ISO dates,
``end`` empty for open); a holding's ``start``, ``end`` and ``acting`` (``yes``/``no``); and
``successor`` on a holding: a further holding of the same post in the same cabinet, value
``<person key>|<start>|<end>|<acting yes/no>`` (a term the source lacks).

A row without a source, with an unknown field, a bad value or a record that is not in the data is
refused: a report line names the file, the row and the problem, and the other rows still apply.
A corrected period is a :class:`CorrectedFractieMembership` or :class:`CorrectedHolding`: the same
record with the corrections applied to it, which :mod:`ingest.map` states as its provenance: the
period ``prov:wasDerivedFrom`` each correction (a ``prov:Entity`` with the register's file and row,
labelled with the change) and each source URL.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from dataclasses import dataclass

from ingest.periods import ymd
from ingest.records import FractieMembership, PostHolding, SourceRef
from ingest.reference_state import ReferenceState

CORRECTIONS = "reference/corrections.csv"
COLUMNS = ("id", "record", "field", "value", "source", "evidence", "note")
MEMBERSHIP_FIELDS = frozenset({"fractie", "start", "end"})
HOLDING_FIELDS = frozenset({"start", "end", "acting", "successor"})


@dataclass(frozen=True, slots=True)
class Correction:
    """One row of the register."""

    id: str
    record: str
    field: str
    value: str
    source: str
    evidence: str
    row: SourceRef

    def applied(self, old: object) -> AppliedCorrection:
        """This correction as applied to a value ``old``."""
        text = f"{self.id} ({self.row}): {self.field} {old if old is not None else ''} -> {self.value}; bron: {self.source}"
        return AppliedCorrection(self.id, self.row, text, self.source)


@dataclass(frozen=True, slots=True)
class AppliedCorrection:
    """A correction as a corrected period carries it: its id, its register row, what it changed
    ("c1 (reference/corrections.csv:2): fractie denk -> 50plus; bron: <url>") and its source."""

    id: str
    row: SourceRef
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class CorrectedFractieMembership(FractieMembership):
    """A fractie membership changed by the register, with the corrections applied to it."""

    corrections: tuple[AppliedCorrection, ...] = ()


@dataclass(frozen=True, slots=True)
class CorrectedHolding(PostHolding):
    """A holding changed (or added) by the register, with the corrections applied to it."""

    corrections: tuple[AppliedCorrection, ...] = ()


def _refuse(state: ReferenceState, row: SourceRef, problem: str) -> None:
    state.report.append(f"{row}: correction refused: {problem}")


def read_corrections(state: ReferenceState) -> None:
    """Reads ``data/reference/corrections.csv`` (when there is one); adds each well-formed row to
    ``corrections`` and refuses (reports) a row without a source or without a record or field."""
    path = state.data_dir / CORRECTIONS
    if not path.exists():
        return
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            _refuse(state, SourceRef(CORRECTIONS, 1), f"missing columns {', '.join(missing)}; register not used")
            return
        for row in reader:
            ref = SourceRef(CORRECTIONS, reader.line_num)
            vals = {c: (row.get(c) or "").strip() for c in COLUMNS}
            if not vals["source"]:
                _refuse(state, ref, f"{vals['id'] or 'row'} has no source (a URL or document id that proves it)")
                continue
            if not (vals["id"] and vals["record"] and vals["field"]):
                _refuse(state, ref, "id, record and field are required")
                continue
            state.corrections.append(Correction(vals["id"], vals["record"], vals["field"], vals["value"],
                                                vals["source"], vals["evidence"], ref))


def _by_record(records: list, corrections: list[Correction]) -> dict[str, list[int]]:
    """The positions in ``records`` of the source rows the corrections name, by record id."""
    wanted = {c.record for c in corrections}
    files = {w.rpartition(":")[0] or w for w in wanted}
    out: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        if r.source is not None and r.source.file in files and str(r.source) in wanted:
            out.setdefault(str(r.source), []).append(i)
    return out


def _date(c: Correction, *, optional: bool) -> dt.date | None:
    if optional and not c.value:
        return None
    return dt.date.fromisoformat(c.value)


def _mark(record, cls, c: Correction, old: object, **changes):
    """``record`` as a ``cls`` with ``changes`` applied and correction ``c`` added to its provenance."""
    fields = {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
    fields.update(changes)
    fields["corrections"] = tuple(fields.get("corrections", ())) + (c.applied(old),)
    return cls(**fields)


def _correct_membership(state: ReferenceState, fm: FractieMembership, c: Correction) -> FractieMembership:
    """``fm`` with correction ``c`` applied (raises ValueError on a bad value)."""
    if c.field == "fractie":
        if c.value not in state.fracties:
            raise ValueError(f"unknown fractie key {c.value!r}")
        out = _mark(fm, CorrectedFractieMembership, c, fm.fractie_key, fractie_key=c.value)
    elif c.field == "start":
        out = _mark(fm, CorrectedFractieMembership, c, fm.start, start=_date(c, optional=False))
    else:
        out = _mark(fm, CorrectedFractieMembership, c, fm.end, end=_date(c, optional=True))
    if out.end is not None and out.end < out.start:
        raise ValueError(f"the corrected period ends ({out.end}) before it starts ({out.start})")
    key = f"{out.person_key}-{ymd(out.start)}-{out.fractie_key}"
    return dataclasses.replace(out, key=key) if key not in state.fm_keys else out


def correct_memberships(state: ReferenceState) -> None:
    """Reads ``corrections`` and the fractie memberships (``fms``); replaces each membership whose
    source row a correction names by the corrected one (a fractie or start change gives it the key
    it would have had). A correction naming a membership row with a field or value that does not
    fit is refused (reported)."""
    by_record = _by_record(state.fms, state.corrections)
    for c in state.corrections:
        if c.record not in by_record:
            continue
        state.matched.add(c.id)
        if c.field not in MEMBERSHIP_FIELDS:
            _refuse(state, c.row, f"{c.id}: field {c.field!r} is not one of {sorted(MEMBERSHIP_FIELDS)} of a membership")
            continue
        try:
            new = [_correct_membership(state, state.fms[i], c) for i in by_record[c.record]]
        except ValueError as e:
            _refuse(state, c.row, f"{c.id}: {e}")
            continue
        for i, fm in zip(by_record[c.record], new):
            state.fm_keys.discard(state.fms[i].key)
            state.fm_keys.add(fm.key)
            state.fms[i] = fm
        state.applied.add(c.id)


def _successor(state: ReferenceState, h: PostHolding, c: Correction) -> PostHolding:
    """The holding a ``successor`` correction adds after ``h`` (raises ValueError on a bad value)."""
    parts = c.value.split("|")
    if len(parts) != 4 or parts[0] not in state.persons or parts[3] not in ("yes", "no"):
        raise ValueError(f"successor {c.value!r} is not '<known person key>|<start>|<end>|<yes/no>'")
    start = dt.date.fromisoformat(parts[1])
    end = dt.date.fromisoformat(parts[2]) if parts[2] else None
    key = f"{parts[0]}-{h.post_key}-{ymd(start)}"
    if key in state.hold_keys:
        raise ValueError(f"holding {key} exists already")
    base = PostHolding(key, h.post_key, parts[0], h.cabinet_key, start, end, parts[3] == "yes", c.row)
    return _mark(base, CorrectedHolding, c, None)


def _correct_holding(h: PostHolding, c: Correction) -> PostHolding:
    """``h`` with correction ``c`` applied (raises ValueError on a bad value)."""
    if c.field == "acting":
        if c.value not in ("yes", "no"):
            raise ValueError(f"acting must be yes or no, not {c.value!r}")
        return _mark(h, CorrectedHolding, c, "yes" if h.acting else "no", acting=c.value == "yes")
    if c.field == "start":
        out = _mark(h, CorrectedHolding, c, h.start, start=_date(c, optional=False))
    else:
        out = _mark(h, CorrectedHolding, c, h.end, end=_date(c, optional=True))
    if out.end is not None and out.end < out.start:
        raise ValueError(f"the corrected term ends ({out.end}) before it starts ({out.start})")
    return out


def correct_holdings(state: ReferenceState) -> None:
    """Reads ``corrections`` and the holdings; replaces each holding whose source row a correction
    names by the corrected one, and adds the terms of ``successor`` corrections (``holdings``,
    ``hold_keys``). A field or value that does not fit is refused (reported)."""
    by_record = _by_record(state.holdings, state.corrections)
    for c in state.corrections:
        if c.record not in by_record:
            continue
        state.matched.add(c.id)
        if c.field not in HOLDING_FIELDS:
            _refuse(state, c.row, f"{c.id}: field {c.field!r} is not one of {sorted(HOLDING_FIELDS)} of a holding")
            continue
        try:
            if c.field == "successor":
                new = _successor(state, state.holdings[by_record[c.record][0]], c)
                state.hold_keys.add(new.key)
                state.holdings.append(new)
            else:
                new_hs = [_correct_holding(state.holdings[i], c) for i in by_record[c.record]]
                for i, h in zip(by_record[c.record], new_hs):
                    state.holdings[i] = h
        except ValueError as e:
            _refuse(state, c.row, f"{c.id}: {e}")
            continue
        state.applied.add(c.id)


def report_corrections(state: ReferenceState) -> None:
    """Reads ``corrections``; refuses (reports) each whose record is in no membership or holding
    and counts the ones applied."""
    for c in state.corrections:
        if c.id not in state.matched:
            _refuse(state, c.row, f"{c.id}: record {c.record!r} is no fractie membership or holding of the data")
    state.report.append(f"corrections: {len(state.applied)} of {len(state.corrections)} applied ({CORRECTIONS})")
