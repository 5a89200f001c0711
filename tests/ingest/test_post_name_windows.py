"""The three windows where a new cabinet's post titles ran ahead of the decree renaming their ministry
(issue 15): 2010-10-14..2010-11-30 (Veiligheid en Justitie; the ministry was Justitie until 1 December
2010), 2012-11-05..2012-12-31 (Economische Zaken; EL&I until 1 January 2013) and 2017-10-26..2017-12-31
(JenV, EZK, IenW; the old names until 1 January 2018). The decision (data/reference/README.md): the post
carried the cabinet's title from the cabinet's first day, proved by the rows of the post names register
(data/reference/cabinets/post_names.csv); the ministry keeps its formal name until the decree (TOOI).
Checked on the boundary days of each window, on the bundled reference data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kamergraph.inputs import reference_data
from ontology.dated_names import NamePeriod

DATA = Path(__file__).resolve().parents[2] / "data"
D = dt.date.fromisoformat

# (first day, last day of the window, the post, its title, its ministry, the ministry's name in the window,
#  its name from the decree on, the post's title the day before the window)
WINDOWS = [
    ("2010-10-14", "2010-11-30", "minister-van-veiligheid-en-justitie", "minister van Veiligheid en Justitie",
     "mnre1058", "Ministerie van Justitie", "Ministerie van Veiligheid en Justitie", None),
    ("2010-10-14", "2010-11-30", "staatssecretaris-van-veiligheid-en-justitie",
     "staatssecretaris van Veiligheid en Justitie", "mnre1058", "Ministerie van Justitie",
     "Ministerie van Veiligheid en Justitie", None),
    ("2012-11-05", "2012-12-31", "minister-van-economische-zaken", "minister van Economische Zaken", "mnre1045",
     "Ministerie van Economische Zaken, Landbouw en Innovatie", "Ministerie van Economische Zaken",
     "minister van Economische Zaken, Landbouw en Innovatie"),
    ("2012-11-05", "2012-12-31", "staatssecretaris-van-economische-zaken", "staatssecretaris van Economische Zaken",
     "mnre1045", "Ministerie van Economische Zaken, Landbouw en Innovatie", "Ministerie van Economische Zaken",
     "staatssecretaris van Economische Zaken, Landbouw en Innovatie"),
    ("2017-10-26", "2017-12-31", "minister-van-justitie-en-veiligheid", "minister van Justitie en Veiligheid",
     "mnre1058", "Ministerie van Veiligheid en Justitie", "Ministerie van Justitie en Veiligheid", None),
    ("2017-10-26", "2017-12-31", "staatssecretaris-van-justitie-en-veiligheid",
     "staatssecretaris van Justitie en Veiligheid", "mnre1058", "Ministerie van Veiligheid en Justitie",
     "Ministerie van Justitie en Veiligheid", None),
    ("2017-10-26", "2017-12-31", "minister-van-economische-zaken-en-klimaat", "minister van Economische Zaken en Klimaat",
     "mnre1045", "Ministerie van Economische Zaken", "Ministerie van Economische Zaken en Klimaat", None),
    ("2017-10-26", "2017-12-31", "staatssecretaris-van-economische-zaken-en-klimaat",
     "staatssecretaris van Economische Zaken en Klimaat", "mnre1045", "Ministerie van Economische Zaken",
     "Ministerie van Economische Zaken en Klimaat", None),
    ("2017-10-26", "2017-12-31", "minister-van-infrastructuur-en-waterstaat", "minister van Infrastructuur en Waterstaat",
     "mnre1130", "Ministerie van Infrastructuur en Milieu", "Ministerie van Infrastructuur en Waterstaat", None),
    ("2017-10-26", "2017-12-31", "staatssecretaris-van-infrastructuur-en-waterstaat",
     "staatssecretaris van Infrastructuur en Waterstaat", "mnre1130", "Ministerie van Infrastructuur en Milieu",
     "Ministerie van Infrastructuur en Waterstaat", None),
]


@pytest.fixture(scope="module")
def ref():
    return reference_data(DATA)


def _period(periods: tuple[NamePeriod, ...], on: dt.date) -> NamePeriod:
    [p] = [p for p in periods if p.valid_on(on)]
    return p


@pytest.mark.parametrize("first, last, post, title, ministry, old, new, before", WINDOWS,
                         ids=[f"{w[2]}-{w[0][:4]}" for w in WINDOWS])
def test_the_post_carries_the_cabinets_title_from_its_first_day(ref, first, last, post, title, ministry, old, new,
                                                                 before) -> None:
    names = ref.names
    first, last = D(first), D(last)
    assert ref.posts[post].ministry_key == ministry
    # the post: the cabinet's title on the first and the last day of the window and after it, proved by a
    # register row (its source a page, its basis the register's line)
    for day in (first, last, last + dt.timedelta(days=1)):
        assert names.post_on(post, day) == title
    p = _period(names.posts[post], first)
    assert p.start == first and (p.source or "").startswith(("https://", "http://"))
    assert p.basis.startswith("reference/cabinets/post_names.csv:")
    # the day before: the title of the cabinet before (or no title: the post began with this cabinet)
    assert names.post_on(post, first - dt.timedelta(days=1)) == before
    # the ministry: its formal name until the decree, then the new one
    assert names.ministry_on(ministry, first) == old and names.ministry_on(ministry, last) == old
    assert names.ministry_on(ministry, last + dt.timedelta(days=1)) == new
