"""Measure name resolution on the full OData file.

Takes the same path as the build: load_reference, read the Zaken of
data/tk-odata/zaken-schriftelijke-vragen.jsonl.gz with the OData reader, complete_reference (the
periods the askers prove, and the fracties the bundled texts print for askers in no list), Resolver on
the completed reference, the posts the bundled texts matched to a Zaak name (post_evidence); then
resolves every Zaak as the build does (Resolver.resolve on GestartOp's date) and prints the shares, the
times, the inferred periods, the unresolved names grouped by reason, and how the addressings of a person
holding several posts on the date were settled, by the resolver's methods ("…; wissel op datum",
"…; post uit tekst DOC", "…; N posten op datum, één ambt", "…; meerduidig": every post, none picked).
Ambiguous addressings are counted apart, not among the unresolved.
Usage: python bench/resolution.py [--all] [--single-pass]
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.infer import complete_reference  # noqa: E402
from ingest.records import AddresseeLink, PostEvidence, ReferenceData, ZaakRecord  # noqa: E402
from ingest.reference import load_reference  # noqa: E402
from ingest.resolve import Resolver  # noqa: E402
from ingest.resolve_text import TextResolver, post_evidence  # noqa: E402
from ingest.sources.odata import read_jsonl  # noqa: E402
from kamergraph.inputs import publication_ids  # noqa: E402
from kamergraph.texts import bundled_text_files, printed_in_texts, process_texts  # noqa: E402
from ontology.namespaces import Iris  # noqa: E402

DATA = ROOT / "data"
# the resolver's ways of settling an addressee holding several posts on the date (ingest.resolve._post_of),
# as the method text gives them after "; "
SETTLED = (("wissel op datum", "handover day: the ending post left out"),
           ("post uit tekst", "post named by a published text"),
           ("posten op datum, één ambt", "one office (viceminister-president, AZ beside minister-president)"),
           ("meerduidig", "ambiguous: every post held, none picked"))


def how_settled(link: AddresseeLink) -> str | None:
    """Which of :data:`SETTLED` settled ``link`` (None: one post held on the date, nothing to settle)."""
    tail = (link.method or "").split("; ", 1)[1] if "; " in (link.method or "") else ""
    return next((key for key, _ in SETTLED if key in tail), None)


def build_path(data: Path, zaken: list[ZaakRecord], base: ReferenceData, single: bool = False
               ) -> tuple[ReferenceData, Resolver, dict[str, tuple[PostEvidence, ...]], frozenset[str]]:
    """The build's path to a resolver: the reference completed from ``zaken`` and the fracties the bundled
    texts print (``single``: the lists as they are), and the posts the texts name per Zaak."""
    pub_ids = publication_ids(data)
    files = bundled_text_files(data)
    ref = base if single else complete_reference(base, zaken, printed_in_texts(files, data, pub_ids))
    resolver = Resolver(ref)
    texts = process_texts(files, data, TextResolver(ref, resolver, zaken), pub_ids, Iris("https://kamergraph.nl/"))
    return ref, resolver, post_evidence(t.resolved for t in texts if t.resolved is not None), pub_ids


def _generalise(reason: str) -> str:
    """Group reasons: drop dates and the details in parentheses."""
    r = re.sub(r"\d{4}-\d{2}-\d{2}", "<date>", reason)
    r = re.sub(r"\(.*\)", "(...)", r)
    return r


@dataclass
class Tally:
    """What resolving every Zaak gave: the askers and addressees resolved, the reasons of the rest, and
    how the addressings of a person holding several posts were settled."""

    ask_total: int = 0
    ask_ok: int = 0
    ask_person: int = 0
    add_total: int = 0
    add_ok: int = 0
    inferred_links: int = 0
    ask_reasons: Counter[tuple[str, str]] = field(default_factory=Counter)
    add_reasons: Counter[tuple[str, str]] = field(default_factory=Counter)
    settled: Counter[str] = field(default_factory=Counter)
    settled_by_name: Counter[str] = field(default_factory=Counter)
    ambiguous_by_year: Counter[int] = field(default_factory=Counter)
    missing_post: Counter[tuple[str, str]] = field(default_factory=Counter)


def tally(rows: list[ZaakRecord], resolver: Resolver, evidence: dict[str, tuple[PostEvidence, ...]],
          pub_ids: frozenset[str]) -> Tally:
    """Every Zaak resolved as the build resolves it, counted."""
    t = Tally()
    for z in rows:
        rk = resolver.resolve(z, pub_ids, evidence.get(z.nummer, ()))
        for a in rk.askers:
            t.ask_total += 1
            t.ask_person += bool(a.person_key)
            if a.person_key and a.fractie_key:
                t.ask_ok += 1
                t.inferred_links += "afgeleide" in (a.method or "")
            else:
                t.ask_reasons[(a.name_in_source, a.unresolved_reason or "?")] += 1
        for b in rk.addressees:
            t.add_total += 1
            how = how_settled(b)
            if how:
                t.settled[how] += 1
                t.settled_by_name[f"{b.name_in_source}: {(b.method or '').split('; ', 1)[1][:110]}"] += 1
            if b.person_key and b.post_key:
                t.add_ok += 1
            elif b.person_key and b.candidate_posts:  # ambiguous: counted apart, not unresolved
                t.ambiguous_by_year[z.gestart_op.year] += 1
            else:
                t.add_reasons[(b.name_in_source, b.unresolved_reason or "?")] += 1
                if 2007 <= z.gestart_op.year <= 2024:
                    t.missing_post[(b.name_in_source, _generalise(b.unresolved_reason or "?"))] += 1
    return t


def grouped(counter: Counter[tuple[str, str]], title: str, show_all: bool) -> None:
    by_reason: Counter[str] = Counter()
    for (n, r), c in counter.items():
        by_reason[_generalise(r)] += c
    print(f"\n{title}: {sum(counter.values())} occurrences, {len(counter)} distinct (name, reason)")
    for r, c in by_reason.most_common():
        print(f"  {c:5d}  {r}")
    print("  by name:")
    for (n, r), c in sorted(counter.items(), key=lambda kv: -kv[1])[: None if show_all else 40]:
        print(f"  {c:5d}  {n!r}: {r}")


def report(t: Tally, show_all: bool) -> None:
    """The shares, the unresolved names by reason, and the addressings of several posts by method."""
    print(f"  asker links through an inferred/extended period: {t.inferred_links}")
    print(f"askers: {t.ask_ok}/{t.ask_total} resolved to person+fractie = {100 * t.ask_ok / t.ask_total:.2f}% "
          f"(person only: {100 * t.ask_person / t.ask_total:.2f}%)  target >= 99.5%")
    n_amb = sum(t.ambiguous_by_year.values())
    print(f"addressees: {t.add_ok}/{t.add_total} resolved to person+post = {100 * t.add_ok / t.add_total:.2f}%; "
          f"ambiguous (person, every post held, none picked): {n_amb}; resolved or ambiguous = "
          f"{100 * (t.add_ok + n_amb) / t.add_total:.2f}%  target >= 98%")
    grouped(t.ask_reasons, "unresolved askers", show_all)
    grouped(t.add_reasons, "unresolved addressees", show_all)
    print("\naddressed persons of 2007-2024 not resolved to a post held on the date:")
    for (n, r), c in sorted(t.missing_post.items(), key=lambda kv: -kv[1]):
        print(f"  {c:5d}  {n!r}: {r}")
    print("\naddressees holding several posts on the date, by how the resolver settled them:")
    for key, what in SETTLED:
        print(f"  {t.settled[key]:5d}  {key}: {what}")
    print("  ambiguous per year: " + ", ".join(f"{y}: {n}" for y, n in sorted(t.ambiguous_by_year.items())))
    print("  by name and method:")
    for k, c in t.settled_by_name.most_common(None if show_all else 30):
        print(f"  {c:5d}  {k}")


def main() -> None:
    show_all = "--all" in sys.argv
    single = "--single-pass" in sys.argv
    t0 = time.perf_counter()
    base = load_reference(DATA)
    t1 = time.perf_counter()
    rows = [z for z in read_jsonl(DATA / "tk-odata/zaken-schriftelijke-vragen.jsonl.gz") if isinstance(z, ZaakRecord)]
    rows = [z for z in rows if not z.verwijderd]
    t2 = time.perf_counter()
    ref, resolver, evidence, pub_ids = build_path(DATA, rows, base, single)
    t3 = time.perf_counter()
    t = tally(rows, resolver, evidence, pub_ids)
    t4 = time.perf_counter()
    n_inf = sum(1 for f in ref.fractie_memberships if f.derivation and f.derivation.startswith("afgeleid"))
    n_ext = sum(1 for f in ref.fractie_memberships if f.derivation and "verlengd (afgeleid)" in f.derivation)
    print(f"reference: {len(ref.persons)} persons, {len(ref.fractie_memberships)} fractie periods "
          f"({n_inf} inferred, {n_ext} derived periods extended), {len(ref.holdings)} holdings, "
          f"{len(ref.report)} report lines; load {t1 - t0:.2f}s")
    print(f"zaken: {len(rows)} (read {t2 - t1:.2f}s); complete_reference (evidence pass + inference + printed "
          f"fracties), index and the bundled texts' post evidence: {t3 - t2:.2f}s; resolution of every Zaak: "
          f"{t4 - t3:.2f}s")
    report(t, show_all)


if __name__ == "__main__":
    main()
