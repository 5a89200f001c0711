"""Building the index: the cases and labels read from the store (:mod:`server.search.extract`)
written into a new SQLite file, which then replaces the old one as a whole."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server.search.extract import Case, Labels, QueryStore, extract, key_of, store_location
from server.search.frequent import write_rankings
from server.search.schema import INDEX_VERSION, IRI_KINDS, POST_INDEX_SQL, SCHEMA_SQL, STATUS_LABELS, STATUSES
from server.search.text import WORD, analyse, normalise, stemmer_id
from store import generation as store_generation

log = logging.getLogger("kamergraph.server.search")


@dataclass(frozen=True)
class BuildInfo:
    path: Path
    kamervragen: int
    values: int
    facet_rows: int
    texts: int
    seconds: float
    bytes: int
    timings: dict[str, float]


def _generation_json(gen: Any) -> str:
    """A store generation as the index's meta table records it (JSON; ``null`` for none)."""
    return json.dumps(list(gen) if gen is not None else None)


def build_index(store: QueryStore, path: str | os.PathLike[str], base: str, *,
                generation: Any = "auto", location: str | None = None) -> BuildInfo:
    """Build the search and facet index of ``store`` into the SQLite file ``path`` (replaced as a
    whole, atomically). ``base`` is the deployment base of the data IRIs. ``generation`` is the
    store generation to record; by default that of ``store.path`` (an embedded store) read now,
    so call this after the build has written everything. Returns what was built."""
    t0 = time.perf_counter()
    path = Path(path)
    store_path = getattr(store, "path", None)
    if generation == "auto":
        generation = store_generation.current(store_path) if store_path is not None else None
    if location is None:
        location = store_location(store)
    cases, labels, timings = extract(store, base)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.unlink(missing_ok=True)
    t1 = time.perf_counter()
    con = sqlite3.connect(tmp)
    try:
        con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=8192;")
        con.executescript(SCHEMA_SQL)
        counts = _fill(con, cases, labels, base)
        meta = {
            "version": INDEX_VERSION,
            "stemmer": stemmer_id(),
            "generation": _generation_json(generation),
            "base": base,
            "location": location,
            "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "kamervragen": str(len(cases)),
        }
        con.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        con.commit()
        con.executescript(POST_INDEX_SQL)
        t2 = time.perf_counter()
        counts["ranked"] = write_rankings(con, len(cases))
        con.commit()
        timings["ranked"] = time.perf_counter() - t2
    finally:
        con.close()
    os.replace(tmp, path)
    timings["write"] = time.perf_counter() - t1
    seconds = time.perf_counter() - t0
    info = BuildInfo(path, len(cases), counts["values"], counts["facet"], counts["texts"], seconds,
                     path.stat().st_size, timings)
    log.info("search index %s: %d Kamervragen, %d facet values, %.1f s, %.1f MB", path, info.kamervragen,
             info.values, seconds, info.bytes / 1e6)
    return info


def _sort_key(c: Case) -> tuple[int, str, str]:
    # newest first; undated last
    return (0 if c.date else 1, _neg(c.date or ""), _neg(c.zaak or c.iri))


def _neg(s: str) -> str:
    return "".join(chr(0x10FFFF - ord(ch)) for ch in s)


#: The key suffix of a post's or ministry's facet value as the candidate of ambiguous addressings.
POSSIBLY = "~mogelijk"


def _eu_fallback(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1] if "/" in iri else iri


class _Values:
    """The facet values met while filling, numbered in the order they are first met (a post's
    ministries right after the post), with their ``value`` rows: called with a kind and an IRI
    (or a key), gives the value's id."""

    def __init__(self, labels: Labels, base: str) -> None:
        self.labels = labels
        self.base = base
        self.ids: dict[tuple[str, str], int] = {}
        self.rows: list[tuple[Any, ...]] = []
        self.names: dict[int, str] = {}  # a value's Dutch label and other names (what the search's names column reads)

    def __call__(self, kind: str, iri: str | None, key: str | None = None, possibly: bool = False) -> int:
        """``possibly``: the post or ministry as a candidate of an ambiguous addressing, a value of its own
        (key ``…~mogelijk``, label "… (mogelijk)"), counted apart from the certain one."""
        labels = self.labels
        k = key if key is not None else key_of(iri or "", self.base, IRI_KINDS.get(kind, kind))
        k += POSSIBLY if possibly else ""
        vid = self.ids.get((kind, k))
        if vid is None:
            vid = self.ids[(kind, k)] = len(self.ids) + 1
            if kind == "status":
                nl, en = STATUS_LABELS[k]
                short = None
            elif kind == "jaar":
                nl, en, short = k, None, None
            else:
                nl = labels.label(iri or "", "nl") or (k if kind != "eu" else _eu_fallback(k))
                en = labels.label(iri or "", "en")
                short = labels.short.get(iri or "")
                if possibly:
                    nl, en, short = f"{nl} (mogelijk)", f"{en or nl} (possibly)", f"{short} (mogelijk)" if short else None
            extra = None
            if kind == "post":
                extra = json.dumps([self("ministerie", m, possibly=possibly) for m in labels.post_in.get(iri or "", [])])
            # a member's other names (the lists' name where the Kamer prints another): found, never shown
            alt = labels.alt_names(iri or "", (nl, en, short)) if kind == "lid" else []
            self.rows.append((vid, kind, k, iri, nl, en, short, json.dumps(alt, ensure_ascii=False) if alt else None,
                              extra))
            if kind not in ("status", "jaar") and not possibly:  # a possible addressee is not a name it is found by
                self.names[vid] = " ".join(x for x in (nl, short, *alt) if x)
        return vid


@dataclass
class _Rows:
    """The rows of the index's tables, gathered case by case, and the facet totals and pair counts."""

    kv: list[tuple[Any, ...]] = field(default_factory=list)
    facet: list[tuple[int, int]] = field(default_factory=list)
    text: list[tuple[Any, ...]] = field(default_factory=list)
    fts: list[tuple[Any, ...]] = field(default_factory=list)
    totals: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    cooc: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))


def _fill(con: sqlite3.Connection, cases: dict[str, Case], labels: Labels, base: str) -> dict[str, int]:
    """Fills the new index's tables with the cases (numbered newest first) and the values they
    name; returns how many values, facet rows and texts it wrote."""
    values = _Values(labels, base)
    for s in STATUSES:
        values("status", None, s)
    rows = _Rows()
    for i, c in enumerate(sorted(cases.values(), key=_sort_key), start=1):
        _add_case(rows, i, c, values, labels, base)
    _write(con, values.rows, rows)
    return {"values": len(values.rows), "facet": len(rows.facet), "texts": len(rows.text)}


def _add_case(rows: _Rows, i: int, c: Case, values: _Values, labels: Labels, base: str) -> None:
    """Adds case number ``i``: its ``kv`` row with its card, its facet rows (and their counts),
    its texts in order (questions first) and its full-text row."""
    zaak = c.zaak or key_of(c.iri, base, "kamervraag")
    vids: set[int] = {values("status", None, c.status)}
    year = int(c.date[:4]) if c.date and c.date[:4].isdigit() else None
    if year is not None:
        vids.add(values("jaar", None, str(year)))
    askers = _askers(c, values, labels, vids)
    addressees = _addressees(c, values, labels, vids)
    eu = [values("eu", e) for e in sorted(c.eu)]
    vids.update(eu)
    card = {"a": askers, "p": addressees, "e": eu}
    rows.kv.append((i, c.iri, zaak, c.subject, c.date, year, c.status,
                    json.dumps(card, ensure_ascii=False, separators=(",", ":"))))
    rows.facet.extend((v, i) for v in vids)
    for v in vids:
        rows.totals[v] += 1
        for w in vids:
            rows.cooc[(v, w)] += 1
    parts = sorted(c.texts.values(), key=lambda t: (t["kind"] != "vraag", min(t["n"]) if t["n"] else 999))
    for j, t in enumerate(parts):
        rows.text.append((i, j, t["kind"], ",".join(str(n) for n in sorted(t["n"])), t["text"]))
    body = "\n".join(t["text"] for t in parts)
    names = _names(askers, addressees, vids - set(eu), values)
    rows.fts.append((i, analyse(c.subject or ""), analyse(body), normalise(zaak),
                     " ".join(WORD.findall(normalise(c.subject or ""))), " ".join(WORD.findall(normalise(body))),
                     analyse(names), " ".join(WORD.findall(normalise(names)))))


def _names(askers: list[list[Any]], addressees: list[list[Any]], vids: set[int], values: _Values) -> str:
    """The names a case is found by: its askers and their fracties, its addressed posts, their holders and
    ministries (the labels of its facet values but years, statuses and EU acts; the names on its card)."""
    parts = [a[1] for a in askers if a[1]] + [x for d in addressees for x in (d[1], d[2]) if x]
    parts += [values.names.get(v, "") for v in sorted(vids)]
    return " ".join(p for p in parts if p)


def _askers(c: Case, values: _Values, labels: Labels, vids: set[int]) -> list[list[Any]]:
    """The card's askers in order (position, the first asker first, name): [person id, name,
    fractie id]; their persons and fracties are added to ``vids``."""
    askers = []
    for a in sorted(c.askers.values(), key=lambda a: (a["pos"] if a["pos"] is not None else 99, not a["first"],
                                                    a["name"] or "")):
        pid = values("lid", a["person"]) if a["person"] else None
        fid = values("fractie", a["fractie"]) if a["fractie"] else None
        vids.update(v for v in (pid, fid) if v is not None)
        name = (labels.label(a["person"], "nl") if a["person"] else None) or a["name"] or "?"
        askers.append([pid, name, fid])
    return askers


def _addressees(c: Case, values: _Values, labels: Labels, vids: set[int]) -> list[list[Any]]:
    """The card's addressees in order: [post id, name (without a post), holder, holder IRI];
    their posts and the posts' ministries are added to ``vids``."""
    addressees = []
    direct = {a["post"] for a in c.addressees.values() if not a["direct"] and a["post"]}
    for a in sorted(c.addressees.values(), key=lambda a: (a["direct"], a["pos"] if a["pos"] is not None else 99,
                                                         a["post"] or "")):
        if a["direct"] and a["post"] in direct:
            continue  # kg:gerichtAan restating a qualified adressering
        postid = values("post", a["post"]) if a["post"] else None
        if postid is not None:
            vids.add(postid)
            for m in labels.post_in.get(a["post"], []):
                vids.add(values("ministerie", m))
        holder = labels.label(a["person"], "nl") if a["person"] else None
        if holder is None and postid is not None and a["name"]:
            # an unresolved holder: the name as the source gave it, unless that is just the post
            post_label = labels.label(a["post"], "nl") or ""
            holder = a["name"] if normalise(a["name"]).strip() != normalise(post_label).strip() else None
        addressees.append([postid, None if postid else (a["name"] or "?"), holder, a["person"]])
    _possible_posts(c, values, labels, vids)
    return addressees


def _possible_posts(c: Case, values: _Values, labels: Labels, vids: set[int]) -> None:
    """The candidate posts of the case's ambiguous addressings, and their ministries, as facet values of
    their own ("… (mogelijk)"), unless the case is certainly addressed to that post or ministry: counted
    apart from the certain ones, never in both."""
    certain = {a["post"] for a in c.addressees.values() if a["post"]}
    certain |= {m for p in certain for m in labels.post_in.get(p, [])}
    for a in c.addressees.values():
        for post in a.get("candidates", ()):
            if post not in certain:
                vids.add(values("post", post, possibly=True))
            for m in labels.post_in.get(post, []):
                if m not in certain:
                    vids.add(values("ministerie", m, possibly=True))


def _write(con: sqlite3.Connection, value_rows: list[tuple[Any, ...]], rows: _Rows) -> None:
    """Inserts the gathered rows into the new index's tables."""
    con.executemany("INSERT INTO value (id, kind, key, iri, label_nl, label_en, short, alt, extra) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", value_rows)
    con.executemany("UPDATE value SET total = ? WHERE id = ?", [(n, v) for v, n in rows.totals.items()])
    con.executemany("INSERT INTO kv VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.kv)
    con.executemany("INSERT INTO facet (value, kv) VALUES (?, ?)", sorted(rows.facet))
    con.executemany("INSERT INTO cooc (a, b, n) VALUES (?, ?, ?)", sorted((a, b, n) for (a, b), n in rows.cooc.items()))
    con.executemany("INSERT INTO text VALUES (?, ?, ?, ?, ?)", rows.text)
    con.executemany("INSERT INTO fts (rowid, subject, body, zaak, subject_words, body_words, names, names_words) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.fts)
