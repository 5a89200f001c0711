"""Draws the audit sample: Zaken of written questions from the bundled OData extract
(``data/tk-odata/zaken-schriftelijke-vragen.jsonl.gz``), stratified by year and weighted toward the
hard cases, with a fixed seed, and writes them to ``bench/audit/sample.csv`` (zaak, date, stratum, the
asker and addressee names as the record gives them).

The strata are drawn in the order below; a Zaak drawn by one is not drawn again by a later one.

- ``two-posts-2010``, ``two-posts-2017-2022``: addressed to someone who held two or more posts on the date
  (the cabinet lists in ``data/reference/``, vice-premier and premier ranks not counted), e.g. Hirsch
  Ballin in 2010 (Justitie and BZK) and the ministers acting for a colleague in 2017-2022;
- ``acting``: addressed to someone whose post on the date is marked acting in ``cabinets/bewindspersonen.csv``;
- ``fractie-switch``: asked by a member who belonged to two or more fracties in 2008-2024 (member list);
- ``not-in-list``: asked by someone whose surname is in no member-list period covering the date (e.g.
  Dobbe, 2024);
- ``year-YYYY``: the rest, per year of submission, 2008 to 2024 (more where the hard cases are).

The name matching here only picks candidates for a stratum; it decides nothing in the audit itself.

Run: ``.venv/bin/python bench/audit/sample.py`` (prints the strata and their sizes).
"""

from __future__ import annotations

import csv
import gzip
import json
import random
import re
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
OUT = Path(__file__).with_name("sample.csv")
SEED = 20261207
# (stratum, how many); the year strata come last and are weighted toward 2010 and 2017-2022
TARGETED = (("two-posts-2010", 5), ("two-posts-2017-2022", 5), ("acting", 6), ("fractie-switch", 8), ("not-in-list", 8))
PER_YEAR = {2008: 3, 2009: 3, 2010: 6, 2011: 3, 2012: 3, 2013: 3, 2014: 3, 2015: 3, 2016: 3, 2017: 6,
            2018: 6, 2019: 6, 2020: 6, 2021: 6, 2022: 6, 2023: 4, 2024: 5}
FIRST, LAST = date(2008, 1, 1), date(2024, 12, 31)


def surname_key(name: str) -> str:
    """The last word of a name without its bracketed initials, lower case ("Hirsch Ballin (EMH)" -> "ballin")."""
    words = re.sub(r"\(.*?\)", " ", name).replace(".", ". ").split()
    return words[-1].lower() if words else ""


def read_zaken() -> list[dict]:
    """Every Zaak of the bundled extract dated 2008-2024, with its date as a ``date``."""
    out = []
    with gzip.open(DATA / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            day = date.fromisoformat(rec["GestartOp"][:10])
            if FIRST <= day <= LAST:
                rec["day"] = day
                out.append(rec)
    return sorted(out, key=lambda r: r["Nummer"])


def holdings() -> dict[str, list[tuple[date, date, str, bool]]]:
    """Government posts per surname key: (start, end, post, acting), from the OpenKamer and cabinet lists."""
    by = defaultdict(list)
    gov = json.loads((DATA / "reference" / "openkamer" / "government.json").read_text(encoding="utf-8"))
    people = {p["pk"]: p["fields"] for p in json.loads(
        (DATA / "reference" / "openkamer" / "person.json").read_text(encoding="utf-8"))}
    kinds = {r["pk"]: r["fields"]["position"] for r in gov if r["model"] == "government.governmentposition"}
    for row in gov:
        if row["model"] == "government.governmentmember":
            f = row["fields"]
            key = surname_key(people[f["person"]]["surname"])
            end = date.fromisoformat(f["end_date"]) if f["end_date"] else LAST
            # the cabinet CSV has Rutte III on; not the vice-premier's or the premier's rank
            if kinds.get(f["position"]) in ("MIN", "SOS", "MWP") and f["start_date"] < "2017-10-26":
                by[key].append((date.fromisoformat(f["start_date"]), end, f"position-{f['position']}", False))
    with open(DATA / "reference" / "cabinets" / "bewindspersonen.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["post_kind"] == "viceminister-president":
                continue
            end = date.fromisoformat(row["end"]) if row["end"] else LAST
            by[surname_key(row["person_name"])].append(
                (date.fromisoformat(row["start"]), end, row["post_title_nl"], row["acting"] == "yes"))
    return by


def members() -> tuple[dict[str, list[tuple[date, date]]], set[str]]:
    """Kamer membership periods per surname key (member list and OpenKamer), and the surname keys of members with two or more fracties."""
    rows = json.loads((DATA / "reference" / "tk-kamerleden-perioden.json").read_text(encoding="utf-8"))
    periods, fracties = defaultdict(list), defaultdict(set)
    for r in rows:
        if not r["Beginjaar"]:
            continue
        start = date(int(r["Beginjaar"]), int(r["Beginmaand"] or 1), int(r["Begindag"] or 1))
        end = date(int(r["Eindjaar"]), int(r["Eindmaand"] or 12), int(r["Einddag"] or 28)) if r["Eindjaar"] else LAST
        key = surname_key(r["Naam (Uit personen))"])
        periods[key].append((start, end))
        if end >= FIRST:
            fracties[key].add(r["Fractie"])
    ok = DATA / "reference" / "openkamer"
    people = {p["pk"]: p["fields"] for p in json.loads((ok / "person.json").read_text(encoding="utf-8"))}
    for row in json.loads((ok / "parliament.json").read_text(encoding="utf-8")):
        f = row["fields"]
        if row["model"] == "parliament.parliamentmember" and f["joined"]:
            end = date.fromisoformat(f["left"]) if f["left"] else LAST
            periods[surname_key(people[f["person"]]["surname"])].append((date.fromisoformat(f["joined"]), end))
    return periods, {k for k, v in fracties.items() if len(v) > 1}


def askers(rec: dict) -> list[str]:
    return list(rec["Indiener"]) + list(rec["Medeindiener"])


def in_stratum(rec: dict, stratum: str, posts, periods, switchers) -> bool:
    day = rec["day"]
    if stratum == "two-posts-2010" and day.year != 2010 or stratum == "two-posts-2017-2022" and not (
            2017 <= day.year <= 2022):
        return False
    if stratum.startswith("two-posts") or stratum == "acting":
        for name in rec["GerichtAan"]:
            held = [h for h in posts.get(surname_key(name), []) if h[0] <= day < h[1]]
            if stratum.startswith("two-posts") and len({h[2] for h in held}) > 1:
                return True
            if stratum == "acting" and any(h[3] for h in held):
                return True
        return False
    if stratum == "fractie-switch":
        return any(surname_key(n) in switchers for n in askers(rec))
    if stratum == "not-in-list":
        return any(not any(s <= day <= e for s, e in periods.get(surname_key(n), [])) for n in askers(rec))
    return stratum == f"year-{day.year}"


def draw() -> list[tuple[str, dict]]:
    """The sample: (stratum, record) pairs, in the order drawn."""
    rng = random.Random(SEED)
    zaken, posts = read_zaken(), holdings()
    periods, switchers = members()
    plan = list(TARGETED) + [(f"year-{y}", n) for y, n in PER_YEAR.items()]
    taken: set[str] = set()
    sample = []
    for stratum, n in plan:
        pool = [r for r in zaken if r["Nummer"] not in taken and in_stratum(r, stratum, posts, periods, switchers)]
        for rec in rng.sample(pool, min(n, len(pool))):
            taken.add(rec["Nummer"])
            sample.append((stratum, rec))
        print(f"{stratum:15} {min(n, len(pool)):3} of {len(pool)}", file=sys.stderr)
    return sample


def main() -> None:
    sample = draw()
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["zaak", "date", "stratum", "indiener", "medeindiener", "gericht_aan"])
        for stratum, rec in sample:
            w.writerow([rec["Nummer"], rec["day"].isoformat(), stratum, " ; ".join(rec["Indiener"]),
                        " ; ".join(rec["Medeindiener"]), " ; ".join(rec["GerichtAan"])])
    print(f"{len(sample)} Zaken, seed {SEED} -> {OUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
