"""One invariant both reference tests check: Kamer memberships cover the fractie periods."""

from __future__ import annotations

import datetime as dt

from ingest.records import ReferenceData


def assert_kamer_memberships_cover_fractie_periods(ref: ReferenceData) -> None:
    """Per person, Kamer memberships neither overlap nor touch, and each fractie period lies in one."""
    by_person: dict[str, list] = {}
    for k in ref.kamer_memberships:
        by_person.setdefault(k.person_key, []).append(k)
    for ks in by_person.values():
        ks.sort(key=lambda k: k.start)
        for a, b in zip(ks, ks[1:]):
            assert a.end is not None and b.start > a.end + dt.timedelta(days=1), (a, b)
    for f in ref.fractie_memberships:
        assert any(k.start <= f.start and (k.end is None or (f.end is not None and f.end <= k.end))
                   for k in by_person[f.person_key]), f
