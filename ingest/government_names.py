"""The names ministries and posts had over time (see :mod:`ontology.dated_names`), read from the reference data.

- A ministry: one name per row of the ministries CSV for its TOOI code (``name_nl``, ``valid_from`` to
  ``valid_to``, the abbreviation), with the Staatscourant decree of the event that started it (the
  ``events`` of the code's rows, e.g. "Toestandswijziging 2018-01-01 stcrt-2017-62719"). A ministry
  without a TOOI code has one name, undated.
- A post: its label, except in the periods the post names register
  (``data/reference/cabinets/post_names.csv``: ``post_key``, ``name_nl``, ``valid_from``, ``valid_to``,
  ``source``, ``evidence``) gives another title, each with the page that proves it. A row naming an
  unknown post, without a source, with its end before its start or overlapping another row of its post
  is refused with the file, the line and the problem. A row that gives the post's label (the first weeks
  of a cabinet's title, before the decree renaming its ministry took effect) and the label after it are
  one name, from the row's first day, with the row's source.

:func:`with_dated_names` adds the names to the ``regering`` graph of the mapped reference data.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import ParseError
from ingest.map import MappedGraph, lit, node, v
from ingest.records import Ministry, Post, PostHolding
from ingest.sources.reference import MinistryRow
from ontology.dated_names import (
    ABBREVIATION,
    COMMENT,
    END,
    NAME,
    SOURCE,
    SPECIALIZATION_OF,
    START,
    NamePeriod,
    in_order,
    name_on,
)
from ontology.namespaces import PROV, RDF, Iris

POST_NAMES = "reference/cabinets/post_names.csv"
POST_NAME_COLUMNS = ("post_key", "name_nl", "valid_from", "valid_to", "source", "evidence")
_EVENT = re.compile(r"^(?P<kind>\w+) (?P<date>\d{4}-\d{2}-\d{2})(?: (?P<decree>stcrt-\d{4}-\d+))?$")
DECREE_URL = "https://zoek.officielebekendmakingen.nl/{}.html"
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class GovernmentNames:
    """Every name of every ministry and post, by key, oldest first."""

    ministries: Mapping[str, tuple[NamePeriod, ...]] = field(default_factory=dict)
    posts: Mapping[str, tuple[NamePeriod, ...]] = field(default_factory=dict)

    def ministry_on(self, key: str, on: dt.date | str) -> str | None:
        """The name of ministry ``key`` on ``on`` (None: unknown ministry or a day outside its names)."""
        return name_on(self.ministries.get(key, ()), on)

    def post_on(self, key: str, on: dt.date | str) -> str | None:
        """The name (title) of post ``key`` on ``on`` (None: unknown post)."""
        return name_on(self.posts.get(key, ()), on)


# --------------------------------------------------------------------------- ministries


def _decrees(rows: Iterable[MinistryRow]) -> dict[dt.date, str]:
    """The decree of each dated event of a TOOI code's rows, by the event's date."""
    out: dict[dt.date, str] = {}
    for r in rows:
        for e in r.events:
            m = _EVENT.match(e)
            if m and m.group("decree"):
                out.setdefault(dt.date.fromisoformat(m.group("date")), m.group("decree"))
    return out


def ministry_names(min_rows: Iterable[MinistryRow], ministries: Mapping[str, Ministry]) -> dict[str, tuple[NamePeriod, ...]]:
    """One :class:`NamePeriod` per ministries-CSV row of each ministry of ``ministries`` (one undated name
    for a ministry without rows), with the decree of the event its name began with."""
    by_code: dict[str, list[MinistryRow]] = defaultdict(list)
    for r in min_rows:
        by_code[r.tooi_code].append(r)
    out: dict[str, tuple[NamePeriod, ...]] = {}
    for key, mi in ministries.items():
        rows = by_code.get(key)
        if not rows:
            out[key] = (NamePeriod(mi.name, abbreviation=mi.abbreviation, basis="the ministry's own name"),)
            continue
        decrees = _decrees(rows)
        names = []
        for r in rows:
            decree = decrees.get(r.valid_from) if r.valid_from else None
            names.append(NamePeriod(r.name, r.valid_from, r.valid_to, r.abbreviation,
                                    DECREE_URL.format(decree) if decree else None,
                                    f"{r.source}: TOOI {r.kind}" + (f", {decree}" if decree else "")))
        out[key] = tuple(in_order(names))
    return out


# --------------------------------------------------------------------------- posts


@dataclass(frozen=True, slots=True)
class PostNameRow:
    post_key: str
    name: str
    start: dt.date
    end: dt.date
    source: str
    line: int


def _day(text: str, line: int, column: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ParseError(POST_NAMES, line, f"{column}: not a date (YYYY-MM-DD): {text!r}") from None


def read_post_names(data_dir: Path, posts: Mapping[str, Post]) -> list[PostNameRow]:
    """The rows of the post names register under ``data_dir`` (none when the file is absent); a bad row
    raises :class:`ParseError` naming the file, the line and the problem."""
    path = Path(data_dir) / POST_NAMES
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in POST_NAME_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ParseError(POST_NAMES, 1, f"missing columns: {', '.join(missing)}")
        rows = []
        for i, r in enumerate(reader, start=2):
            key, name, source = (r["post_key"] or "").strip(), (r["name_nl"] or "").strip(), (r["source"] or "").strip()
            if key not in posts:
                raise ParseError(POST_NAMES, i, f"post_key {key!r} is not a post of the reference data")
            if not name:
                raise ParseError(POST_NAMES, i, "empty name_nl")
            if not source.startswith(("http://", "https://")):
                raise ParseError(POST_NAMES, i, "a name without a source (a URL in 'source') is refused")
            start, end = _day(r["valid_from"] or "", i, "valid_from"), _day(r["valid_to"] or "", i, "valid_to")
            if end < start:
                raise ParseError(POST_NAMES, i, f"valid_to {end} is before valid_from {start}")
            rows.append(PostNameRow(key, name, start, end, source, i))
    _refuse_overlaps(rows)
    return rows


def _refuse_overlaps(rows: list[PostNameRow]) -> None:
    by_post: dict[str, list[PostNameRow]] = defaultdict(list)
    for r in rows:
        by_post[r.post_key].append(r)
    for rs in by_post.values():
        rs.sort(key=lambda r: r.start)
        for a, b in zip(rs, rs[1:]):
            if b.start <= a.end:
                raise ParseError(POST_NAMES, b.line, f"overlaps line {a.line} for post {a.post_key} ({a.start} to {a.end})")


def post_names(posts: Mapping[str, Post], holdings: Iterable[PostHolding],
               rows: Iterable[PostNameRow]) -> dict[str, tuple[NamePeriod, ...]]:
    """The names of every post: the register's rows, and the post's label for the rest of its time (a
    stretch of label before the post's first holding is left out)."""
    first: dict[str, dt.date] = {}
    for h in holdings:
        first[h.post_key] = min(first.get(h.post_key, h.start), h.start)
    by_post: dict[str, list[PostNameRow]] = defaultdict(list)
    for r in rows:
        by_post[r.post_key].append(r)
    out: dict[str, tuple[NamePeriod, ...]] = {}
    for key, po in posts.items():
        own = sorted(by_post.get(key, []), key=lambda r: r.start)
        names = [NamePeriod(r.name, r.start, r.end, source=r.source, basis=f"{POST_NAMES}:{r.line}") for r in own]
        start: dt.date | None = None
        for r in own:  # the label in the gaps between the register's periods
            if start is None or start < r.start:
                if not (start is None and key in first and r.start <= first[key]):
                    names.append(NamePeriod(po.label, start, r.start - ONE_DAY, basis="the post's label"))
            start = r.end + ONE_DAY
        names.append(NamePeriod(po.label, start, None, basis="the post's label"))
        out[key] = tuple(_joined(in_order(names)))
    return out


def _joined(names: list[NamePeriod]) -> list[NamePeriod]:
    """``names`` (oldest first) with a register row and the label period right after it joined when they
    give the same name: one name from the row's first day, with the row's source (the register proves
    the first days of a title a later decree made formal: see data/reference/README.md)."""
    out: list[NamePeriod] = []
    for p in names:
        last = out[-1] if out else None
        if (last is not None and last.name == p.name and last.end is not None and p.start == last.end + ONE_DAY
                and last.source and not p.source):
            out[-1] = NamePeriod(p.name, last.start, p.end, last.abbreviation, last.source,
                                 f"{last.basis} from {last.start}; then {p.basis}")
        else:
            out.append(p)
    return out


def government_names(data_dir: Path, min_rows: Iterable[MinistryRow], ministries: Mapping[str, Ministry],
                     posts: Mapping[str, Post], holdings: Iterable[PostHolding]) -> GovernmentNames:
    """The names over time of every ministry and post of the reference data read from ``data_dir``."""
    holdings = list(holdings)
    rows = read_post_names(data_dir, posts)
    return GovernmentNames(ministry_names(min_rows, ministries), post_names(posts, holdings, rows))


# --------------------------------------------------------------------------- RDF


def _name_iri(iris: Iris, kind: str, key: str, p: NamePeriod) -> str:
    return iris.id("naam", f"{kind}-{key}-{p.start.strftime('%Y%m%d') if p.start else 'begin'}")


def name_quads(names: GovernmentNames, iris: Iris, graph_iri: str) -> str:
    """The names as N-Quads in ``graph_iri``: each a ``prov:Entity`` that is a ``prov:specializationOf``
    its ministry or post, with its name, abbreviation, first and last day, source and basis."""
    g = node(graph_iri)
    lines: list[str] = []
    for kind, of_iri, table in (("ministerie", iris.ministerie, names.ministries), ("post", iris.post, names.posts)):
        for key, periods in sorted(table.items()):
            of = node(of_iri(key))
            for p in periods:
                s = node(_name_iri(iris, kind, key, p))
                triples = [(RDF + "type", v(PROV + "Entity")), (SPECIALIZATION_OF, of), (NAME, lit(p.name, "nl"))]
                triples += [(START, lit(p.start))] if p.start else []
                triples += [(END, lit(p.end))] if p.end else []
                triples += [(ABBREVIATION, lit(p.abbreviation))] if p.abbreviation else []
                triples += [(SOURCE, node(p.source))] if p.source else []
                triples += [(COMMENT, lit(p.basis, "en"))] if p.basis else []
                lines.extend(f"{s} {v(pr)} {o} {g} .\n" for pr, o in triples)
    return "".join(dict.fromkeys(lines))


def with_dated_names(graphs: Iterable[MappedGraph], names: GovernmentNames | None, iris: Iris) -> list[MappedGraph]:
    """``graphs`` (the mapped reference data) with the names added to the ``regering`` graph."""
    target = iris.reference_graph("regering")
    out = []
    for mg in graphs:
        if names is not None and mg.iri == target:
            mg = MappedGraph(mg.iri, mg.nquads + name_quads(names, iris, mg.iri))
        out.append(mg)
    return out
