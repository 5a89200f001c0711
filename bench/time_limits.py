"""The wall-clock limits that used to sit inside unit tests, measured on their own.

A limit of seconds inside a unit test fails on a busy machine (the tests run in parallel) and says
nothing about correctness; the tests keep the functional checks, and this script times the same work
and compares it with the limit each test had:

- resolution: completing the reference with the periods the askers prove and the fracties the bundled
  texts print (complete_reference) on the full OData file, 2 s; resolving every Zaak of the file as the
  build does (Resolver.resolve with the posts the bundled texts name, which settle a person holding several
  posts), 2 s (tests/ingest/test_resolve.py);
- the query guard: refusing a query nested one level past MAX_NESTING, 1 s (tests/queries/test_guard.py);
- parsing each bundled text of data/texts, 1 s a text (tests/ingest/test_texts.py);
- parsing a mutated text, 1 s a text: ``MUTATED_TEXTS`` mutations (fixed seed) of the seed and every
  sixth bundled text, with the line edits the test's hypothesis strategy makes (tests/ingest/test_texts.py);
- finding the citations in a mutated text, 1 s a text: ``MUTATED_CITATION_TEXTS`` stretches (fixed seed)
  of all bundled texts joined, with the character edits the test's strategy makes
  (tests/ingest/test_citations.py).

Each is run ``--repeat`` times (default 3) and the fastest counts; for the texts, the slowest text
(each counted by its fastest run) is held against the limit; a bundled text is read and parsed, as
the test timed it. Prints one line per limit; exits 1
when one is over its limit.
Usage: python bench/time_limits.py [--repeat N]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.citations import default_register, find_citations  # noqa: E402
from ingest.errors import ParseError  # noqa: E402
from ingest.infer import complete_reference  # noqa: E402
from ingest.records import PostEvidence, SourceRef, ZaakRecord  # noqa: E402
from ingest.reference import load_reference  # noqa: E402
from ingest.resolve import Resolver  # noqa: E402
from ingest.sources.koop import read_publication_ids  # noqa: E402
from ingest.sources.odata import read_jsonl  # noqa: E402
from ingest.sources.text import read_text_file  # noqa: E402
from ingest.texts import parse_text  # noqa: E402
from kamergraph.texts import bundled_text_files, printed_in_texts  # noqa: E402
from queries.errors import QueryRejected  # noqa: E402
from queries.guard import MAX_NESTING, check  # noqa: E402
from bench.resolution import build_path  # noqa: E402

DATA = ROOT / "data"
TEXTS = DATA / "texts"
SEED = TEXTS / "seed" / "kv-tk-2019Z15231.txt"
MUTATED_TEXTS = 150
MUTATED_CITATION_TEXTS = 60
JUNK_LINES = ["Vraag 7", "Antwoord 2 en 3", "1 2", "’s-Gravenhage 2024", "Vragen van het lid (", "3", "\x0c",
              "Antwoord vraag 9-", "(ingezonden 31 februari 2024)", "aan de Minister van"]
CITATION_PIECES = [*"-/ \n.:,;()«»?=&%0123456789aZé'nr", "https://", "Kamerstuk ", "nr. ", "-\n"]


def fastest(work: Callable[[], object], repeat: int) -> float:
    """The shortest of ``repeat`` runs of ``work``, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return min(times)


def resolve_all(resolver: Resolver, zaken: list[ZaakRecord], evidence: Mapping[str, tuple[PostEvidence, ...]],
                pub_ids: frozenset[str]) -> None:
    """Every asker and addressee of ``zaken`` (deleted ones left out), as the build resolves them."""
    for z in zaken:
        if not z.verwijderd:
            resolver.resolve(z, pub_ids, evidence.get(z.nummer, ()))


def slowest(cases: list[tuple[str, Callable[[], object]]], repeat: int) -> tuple[str, float]:
    """The name and time (its fastest of ``repeat`` runs) of the slowest of ``cases``."""
    return max(((name, fastest(work, repeat)) for name, work in cases), key=lambda c: c[1])


def parse_or_refuse(text: str, source: str) -> None:
    """Parse ``text`` as the test does; a ParseError is an answer too."""
    try:
        parse_text(text, SourceRef(source))
    except ParseError:
        pass


def mutated_text(text: str, rnd: random.Random) -> str:
    """``text`` with up to six line edits: deleted, inserted (page furniture and question numbers),
    swapped, a few random characters put in, or the text cut short."""
    lines = text.split("\n")
    for _ in range(rnd.randint(0, 6)):
        op = rnd.choice(["del", "ins", "swap", "chars", "cut"])
        if op == "del" and lines:
            del lines[rnd.randrange(len(lines))]
        elif op == "ins":
            lines.insert(rnd.randrange(len(lines) + 1), rnd.choice(JUNK_LINES))
        elif op == "swap" and len(lines) > 1:
            i, j = rnd.randrange(len(lines)), rnd.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "chars" and lines:
            i = rnd.randrange(len(lines))
            s, k = lines[i], rnd.randrange(len(lines[i]) + 1)
            junk = "".join(chr(rnd.randrange(0x20, 0x3000)) for _ in range(rnd.randint(0, 5)))
            lines[i] = s[:k] + junk + s[k + rnd.randrange(4):]
        elif op == "cut" and lines:
            lines = lines[: rnd.randrange(len(lines)) + 1]
    return "\n".join(lines)


def mutated_stretch(joined: str, rnd: random.Random) -> str:
    """Up to 20,000 characters of ``joined`` with up to 60 edits: a few characters deleted, or a
    character or citation piece put in."""
    start = rnd.randint(0, max(0, len(joined) - 1))
    text = list(joined[start: start + rnd.randint(0, 20_000)])
    for _ in range(rnd.randint(0, 60)):
        if text and rnd.random() < 0.5:
            i = rnd.randrange(len(text))
            del text[i: i + rnd.randint(1, 5)]
        else:
            text.insert(rnd.randint(0, len(text)), rnd.choice(CITATION_PIECES))
    return "".join(text)[:20_000]


def text_cases() -> tuple[list, list, list]:
    """The three sets of text cases: each bundled text parsed, mutated texts parsed, and citations
    found in mutated stretches; each a list of (name, work)."""
    known = read_publication_ids(DATA / "koop" / "parliamentary-ids.txt.xz")
    paths = sorted(TEXTS.glob("*.txt"))
    texts = {p: read_text_file(p) for p in [SEED, *paths]}  # for the mutations
    bundled = [(p.name, lambda p=p: parse_text(read_text_file(p), SourceRef(f"texts/{p.name}"), known)) for p in paths]
    rnd = random.Random(14)
    corpus = [texts[p] for p in [SEED, *paths[::6]]]
    mutated = [mutated_text(rnd.choice(corpus), rnd) for _ in range(MUTATED_TEXTS)]
    parses = [(f"mutated {i}", lambda t=t: parse_or_refuse(t, "texts/mutated.txt")) for i, t in enumerate(mutated)]
    joined, register = "\n".join(texts[p] for p in [*paths, SEED]), default_register()
    stretches = [(mutated_stretch(joined, rnd), rnd.randint(0, 10**6)) for _ in range(MUTATED_CITATION_TEXTS)]
    finds = [(f"stretch {i}", lambda t=t, o=o: find_citations(t, offset=o, register=register))
             for i, (t, o) in enumerate(stretches)]
    return bundled, parses, finds


def refuse_nesting() -> None:
    """The guard refusing a query nested one level past its limit."""
    text = "SELECT * WHERE { " + "{ " * (MAX_NESTING + 1) + "?s ?p ?o" + " }" * (MAX_NESTING + 1) + " }"
    try:
        check(text)
    except QueryRejected:
        return
    raise AssertionError("the guard accepted a query nested past its limit")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    ref = load_reference(DATA)
    zaken = [z for z in read_jsonl(DATA / "tk-odata/zaken-schriftelijke-vragen.jsonl.gz") if isinstance(z, ZaakRecord)]
    _done, resolver, evidence, pub_ids = build_path(DATA, zaken, ref)
    printed = printed_in_texts(bundled_text_files(DATA), DATA, pub_ids)
    measured = [
        ("complete_reference, full OData file", fastest(lambda: complete_reference(ref, zaken, printed), repeat), 2.0),
        ("resolve every Zaak", fastest(lambda: resolve_all(resolver, zaken, evidence, pub_ids), repeat), 2.0),
        (f"guard refuses nesting {MAX_NESTING + 1}", fastest(refuse_nesting, repeat), 1.0),
    ]
    bundled, parses, finds = text_cases()
    for what, cases in (("parse", bundled), ("parse", parses), ("find citations", finds)):
        name, seconds = slowest(cases, repeat)
        measured.append((f"{what}, slowest: {name}", seconds, 1.0))
    over = 0
    for what, seconds, limit in measured:
        ok = seconds < limit
        over += not ok
        print(f"{what:<42} {seconds:7.3f} s  (limit {limit:g} s)  {'ok' if ok else 'OVER'}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
