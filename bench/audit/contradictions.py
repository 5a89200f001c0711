"""The check of every resolved name against the person it resolves to (issue 15, §3: a wrong asker's class).

Reads the bundled reference lists and every OData Zaak, completes the reference data as the build does
(``ingest.infer.complete_reference``), resolves every asker and addressee name of every not deleted Zaak on
its date (:class:`ingest.resolve.Resolver`, as the build does) and compares what the name prints with the
person it resolves to:

- ``roepnaam``: the name prints a roepnaam ("Albert de Vries (A.A.)") that is neither the person's
  roepnaam nor one of the person's first names, as they sound (:func:`ingest.name_use.sound`: capitals,
  accents, hyphens and a final d or t alike);
- ``voorletters``: the name prints initials that are none of the person's (the initials of the lists, or
  the letters of the first names);
- ``beide``: both: the class of 2017Z03962, "Albert de Vries (A.A.)" given to Aukje de Vries (A.) by the
  first initial alone.

A roepnaam alone that differs is often a nickname the lists do not know ("Bram" for Abraham van Ojik,
where the list gives no roepnaam); the initials then agree. Prints per class the number of links (Zaak
names) and of distinct (name, person) pairs, and every pair with the number of its Zaken, its first Zaak
and the resolver's method. ``--unresolved`` also lists the names of these pairs that the resolver leaves
unresolved, with its reason (after a fix: the class's names and where they went).

Run: ``.venv/bin/python bench/audit/contradictions.py`` (about 10 s).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ingest.infer import complete_reference  # noqa: E402
from ingest.name_use import kamer_form, sound  # noqa: E402
from ingest.records import Person, ZaakRecord  # noqa: E402
from ingest.reference import load_reference  # noqa: E402
from ingest.resolve import Resolver  # noqa: E402
from ingest.sources.odata import read_jsonl  # noqa: E402
from bench.audit.names import resolved_names  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "data"
ODATA = "tk-odata/zaken-schriftelijke-vragen.jsonl.gz"
CLASSES = ("beide", "voorletters", "roepnaam")


def roepnaam_contradicts(resolver: Resolver, name: str, p: Person) -> str | None:
    """The roepnaam ``name`` prints when it is none of ``p``'s names (see the module text), else None."""
    f = kamer_form(name, p)
    given = f.given if f is not None else resolver._parsed(name).given
    if not given:
        return None
    own = {sound(w) for x in (p.given_name, p.first_names) if x for w in x.split()}
    if p.given_name and sound(given) == sound(p.given_name):
        return None
    if all(sound(w) in own for w in given.split()):
        return None
    return given


def initials_contradict(resolver: Resolver, name: str, pk: str) -> str | None:
    """The initials ``name`` prints when they are none of the person's, else None."""
    ini = resolver._parsed(name).initials
    letters = resolver.all_letters.get(pk)
    return ini if ini and letters and ini not in letters else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA, help="the data folder (default: the bundled data/)")
    ap.add_argument("--unresolved", action="store_true", help="list the unresolved names of the classes' persons")
    args = ap.parse_args(argv)
    zaken = [z for z in read_jsonl(args.data / ODATA, f"data/{ODATA}") if isinstance(z, ZaakRecord)]
    ref = complete_reference(load_reference(args.data), zaken)
    resolver = Resolver(ref)
    links: Counter[str] = Counter()
    pairs: dict[str, dict[tuple[str, str], list]] = defaultdict(dict)
    unresolved: dict[tuple[str, str], list] = {}
    for z, n, link in resolved_names(resolver, zaken):
        pk, method, why = link.person_key, link.method, link.unresolved_reason
        if pk is None:
            unresolved.setdefault((n, why or ""), []).append(z.nummer)
            continue
        p = ref.persons[pk]
        g, ini = roepnaam_contradicts(resolver, n, p), initials_contradict(resolver, n, pk)
        if not (g or ini):
            continue
        cls = "beide" if g and ini else "voorletters" if ini else "roepnaam"
        links[cls] += 1
        pairs[cls].setdefault((n, pk), []).append((z.nummer, z.gestart_op, method))
    for cls in CLASSES:
        print(f"== {cls}: {links[cls]} links, {len(pairs[cls])} (name, person) pairs")
        for (n, pk), zs in sorted(pairs[cls].items()):
            p = ref.persons[pk]
            print(f"  {n!r} -> {p.name!r} ({p.initials}; {pk}): {len(zs)} Zaken, first {zs[0][0]} {zs[0][1]}, "
                  f"{zs[0][2]}")
    if args.unresolved:
        wanted = {n for cls in pairs.values() for n, _ in cls} | {"Albert de Vries (A.A.)"}
        for (n, why), zs in sorted(unresolved.items()):
            if n in wanted:
                print(f"  unresolved {n!r} ({len(zs)} Zaken, {', '.join(zs[:3])}): {why}")
    print("total: " + ", ".join(f"{cls} {links[cls]} links / {len(pairs[cls])} pairs" for cls in CLASSES))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
