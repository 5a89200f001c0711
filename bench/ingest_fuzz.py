"""Ingest fuzz: mutated real texts and DOCX files through the stages `kamergraph ingest` runs.

Every case is a mutation (fixed seed) of one of the bundled published texts (data/texts, the seed)
or Word letters (data/answers-docx): byte flips, truncation, duplicated blocks of lines, huge lines,
deleted or duplicated question numbers, random Unicode, oversized texts; for the DOCX files also
zip-level corruption, truncation, zip bombs (a document.xml that inflates far beyond the cap, with
its size declared, and with a size that lies), missing parts, wrong content types, broken XML,
text mutations inside document.xml and tables nested very deep.

Each case is written to a file and run in process through :func:`kamergraph.texts.process_texts`
(read with the settings' size caps -> parse -> resolve -> map), the code `kamergraph ingest` runs
before it validates and loads. Validation and loading are left out: they take seconds a file (the
reference data is loaded per run), they do not read the file, and tests/kamergraph/test_ingest.py
covers them on real files. A case is:

- a crash: any exception other than the project's own clear error (``ParseError`` in the outcome);
- refused: a ParseError naming the file (counted by reason, numbers and quotes taken out);
- slow: over 5 s, wall clock (and counted apart by CPU time, since the machine may be shared).

    python bench/ingest_fuzz.py [--cases 10000] [--seed 13] [--json out.json] [--shard i/n]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import signal
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT / "data"
SLOW = 5.0
HANG = 120  # seconds: a case still running then is stopped and counted as a crash ("hang")


def corpus() -> tuple[list[tuple[str, bytes]], list[tuple[str, bytes]]]:
    texts = sorted(DATA.glob("texts/seed/*.txt")) + sorted(DATA.glob("texts/*.txt"))
    docx = sorted(DATA.glob("answers-docx/*.docx"))
    return [(p.name, p.read_bytes()) for p in texts], [(p.name, p.read_bytes()) for p in docx]


# --------------------------------------------------------------------------- text mutations (bytes -> bytes)


def _lines(b: bytes) -> list[bytes]:
    return b.split(b"\n")


def flip_bytes(r: random.Random, b: bytes) -> bytes:
    a = bytearray(b)
    for _ in range(r.choice([1, 3, 10, 100])):
        if a:
            a[r.randrange(len(a))] = r.randrange(256)
    return bytes(a)


def truncate(r: random.Random, b: bytes) -> bytes:
    return b[: r.randrange(len(b) + 1)]


def duplicate_block(r: random.Random, b: bytes) -> bytes:
    ls = _lines(b)
    i = r.randrange(len(ls))
    j = min(len(ls), i + r.randint(1, 40))
    return b"\n".join(ls[:j] + ls[i:j] * r.choice([2, 10, 100]) + ls[j:])


def huge_line(r: random.Random, b: bytes) -> bytes:
    ls = _lines(b)
    src = max(ls, key=len) if r.random() < 0.5 else ls[r.randrange(len(ls))] or b"x"
    line = (src + b" ") * (r.choice([10_000, 100_000, 1_000_000]) // (len(src) + 1) + 1)
    if r.random() < 0.3:
        line = line.replace(b" ", b"")  # one token, no white space
    i = r.randrange(len(ls))
    return b"\n".join(ls[:i] + [line[:1_500_000]] + ls[i:])


def delete_numbers(r: random.Random, b: bytes) -> bytes:
    p = r.random()
    return re.sub(rb"((?:Vraag|Antwoord|Vragen|Antwoorden)\s+)(\d+)", lambda m: m.group(1) if r.random() < p else m.group(0), b)


def duplicate_numbers(r: random.Random, b: bytes) -> bytes:
    def dup(m: re.Match[bytes]) -> bytes:
        if r.random() < 0.3:
            return m.group(1) + str(r.choice([1, 2, 3, 999, 1000, 12345])).encode()
        return m.group(0) + (b"\n" + m.group(0) if r.random() < 0.2 else b"")
    return re.sub(rb"((?:Vraag|Antwoord)\s+)(\d+)", dup, b)


_ODD = ["\u200b", "\u200e", "\u202e", "\ufeff", "\u00ad", "\u0301", "\u2028", "\u0085", "\x0c", "\x0b", "İ", "ß",
        "ﬁ", "𝔘", "😀", "\ufffd", "¹", "²", "´", "‑", "–", "’", "«", "»", "?", "-\n", "\n\n", "(", ")", "[^1]", "[^1]:"]


def random_unicode(r: random.Random, b: bytes) -> bytes:
    t = b.decode("utf-8", "replace")
    out = list(t)
    for _ in range(r.choice([1, 10, 100, 1000])):
        c = r.choice(_ODD) if r.random() < 0.6 else chr(r.choice([r.randrange(0x20, 0x2FF), r.randrange(0x300, 0xD7FF),
                                                                  r.randrange(0xE000, 0x10FFFF)]))
        out.insert(r.randrange(len(out) + 1), c)
    return "".join(out).encode("utf-8", "surrogatepass")


def oversize(r: random.Random, b: bytes) -> bytes:
    return b * (2_100_000 // max(len(b), 1) + 1)


def degenerate(r: random.Random, b: bytes) -> bytes:
    return r.choice([b"", b"   \n\n\t", b"\x00" + b, b"\xff\xfe" + b, b.decode("utf-8", "replace").encode("utf-16"),
                     b"\n" * 200_000 + b, b"Vragen van het lid Jansen (PVV)\n", b"?\n" * 10_000, b"-\n" * 100_000])


Mutation = Callable[[random.Random, bytes], bytes]
#: each mutation of texts and how often it is chosen (relative weight)
TEXT_MUTATIONS: dict[Mutation, int] = {
    flip_bytes: 20, truncate: 10, duplicate_block: 15, huge_line: 4, delete_numbers: 10, duplicate_numbers: 10,
    random_unicode: 20, oversize: 1, degenerate: 2,
}


# --------------------------------------------------------------------------- DOCX mutations (bytes -> bytes)


def _parts(b: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(b)) as zf:
        return [(i, zf.read(i)) for i in zf.infolist()]


def _zip(parts: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts:
            zf.writestr(name, data)
    return out.getvalue()


def _with(b: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """The DOCX with each part changed (None: the part is left out)."""
    out = []
    for info, data in _parts(b):
        new = change(info.filename, data)
        if new is not None:
            out.append((info.filename, new))
    return _zip(out)


def zip_flip(r: random.Random, b: bytes) -> bytes:
    return flip_bytes(r, b)


def zip_truncate(r: random.Random, b: bytes) -> bytes:
    return b[: r.randrange(len(b))]


def zip_bomb(r: random.Random, b: bytes) -> bytes:
    """document.xml grows to 60-300 MB of one repeated paragraph (compresses ~1000:1)."""
    size = r.choice([60, 120, 300]) * 1_000_000

    def change(name: str, data: bytes) -> bytes:
        if name != "word/document.xml":
            return data
        para = b"<w:p><w:r><w:t>Vraag 1 Kent u het bericht?</w:t></w:r></w:p>"
        i = data.find(b"<w:body>") + len(b"<w:body>")
        return data[:i] + para * (size // len(para)) + data[i:]
    return _with(b, change)


def zip_bomb_lying(r: random.Random, b: bytes) -> bytes:
    """A bomb whose zip declares document.xml small (sizes patched in both headers)."""
    bomb = zip_bomb(r, b)
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
        info = zf.getinfo("word/document.xml")
        real = info.file_size
    fake = (1000).to_bytes(4, "little")
    a = bytearray(bomb)
    real_b = real.to_bytes(4, "little")
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local header, central directory
        pos = 0
        while (pos := a.find(sig, pos)) >= 0:
            if a[pos + off: pos + off + 4] == real_b:
                a[pos + off: pos + off + 4] = fake
            pos += 4
    return bytes(a)


def missing_part(r: random.Random, b: bytes) -> bytes:
    gone = r.choice(["word/document.xml", "[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels",
                     "word/footnotes.xml", "word/styles.xml"])
    return _with(b, lambda n, d: None if n == gone else d)


def wrong_content_type(r: random.Random, b: bytes) -> bytes:
    def change(name: str, data: bytes) -> bytes:
        if name != "[Content_Types].xml":
            return data
        return data.replace(b"document.main+xml", r.choice([b"template.main+xml", b"x", b"plain"]))
    return _with(b, change)


def broken_xml(r: random.Random, b: bytes) -> bytes:
    target = r.choice(["word/document.xml", "word/footnotes.xml", "[Content_Types].xml", "word/_rels/document.xml.rels"])

    def change(name: str, data: bytes) -> bytes:
        return truncate(r, data) if name == target and r.random() < 0.5 else (flip_bytes(r, data) if name == target else data)
    return _with(b, change)


def text_in_docx(r: random.Random, b: bytes) -> bytes:
    """A text mutation applied to the words in document.xml (the XML stays well-formed)."""
    mutate = r.choice([duplicate_block, delete_numbers, duplicate_numbers, random_unicode])

    def change(name: str, data: bytes) -> bytes:
        if name != "word/document.xml":
            return data
        def one(m: re.Match[bytes]) -> bytes:
            body = mutate(r, m.group(2)) if r.random() < 0.2 else m.group(2)
            body = body.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b"\x00", b"")
            body = re.sub(rb"[\x01-\x08\x0b\x0c\x0e-\x1f]", b"", body)
            return m.group(1) + body + m.group(3)
        return re.sub(rb"(<w:t(?: [^>]*)?>)([^<]*)(</w:t>)", one, data)
    return _with(b, change)


def deep_tables(r: random.Random, b: bytes) -> bytes:
    depth = r.choice([50, 500, 5000])

    def change(name: str, data: bytes) -> bytes:
        if name != "word/document.xml":
            return data
        nest = b"<w:tbl><w:tr><w:tc>" * depth + b"<w:p><w:r><w:t>Vraag 1 Wat?</w:t></w:r></w:p>" + b"</w:tc></w:tr></w:tbl>" * depth
        i = data.find(b"<w:body>") + len(b"<w:body>")
        return data[:i] + nest + data[i:]
    return _with(b, change)


#: each mutation of DOCX files and how often it is chosen (relative weight)
DOCX_MUTATIONS: dict[Mutation, int] = {
    zip_flip: 20, zip_truncate: 10, zip_bomb: 1, zip_bomb_lying: 1, missing_part: 10, wrong_content_type: 8,
    broken_xml: 15, text_in_docx: 30, deep_tables: 3,
}


# --------------------------------------------------------------------------- running


@dataclass
class Figures:
    cases: int = 0
    crashes: list[str] = field(default_factory=list)
    slow_wall: list[str] = field(default_factory=list)
    slow_cpu: list[str] = field(default_factory=list)
    unclear: list[str] = field(default_factory=list)
    max_wall: float = 0.0
    max_cpu: float = 0.0
    max_case: str = ""
    loaded: int = 0
    refusals: Counter = field(default_factory=Counter)
    by_mutation: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict[str, object]:
        return {"cases": self.cases, "crashes": len(self.crashes), "crash_examples": self.crashes[:10],
                "over_5s_wall": len(self.slow_wall), "over_5s_cpu": len(self.slow_cpu), "slow_examples": self.slow_wall[:10],
                "max_wall_s": round(self.max_wall, 2), "max_cpu_s": round(self.max_cpu, 2), "slowest": self.max_case,
                "mapped": self.loaded, "refused": sum(self.refusals.values()), "unclear_refusals": len(self.unclear),
                "refusals_by_reason": dict(self.refusals.most_common()), "cases_by_mutation": dict(sorted(self.by_mutation.items()))}


def reason_of(problem: str) -> str:
    """A refusal's reason without its particulars (numbers, quoted parts, file names)."""
    s = re.sub(r"'[^']*'|\"[^\"]*\"|«[^»]*»", "…", problem)
    s = re.sub(r"0x[0-9a-f]+|\d[\d,.]*", "N", s)
    return s.split(":")[0] if s.startswith("not a readable DOCX file") else s[:90]


def cases(n: int, seed: int) -> list[tuple[str, str, str, Mutation, int]]:
    """``n`` cases: (id, source name, suffix, mutation, case seed), the same for the same seed; six in
    ten mutate a text, the others a DOCX file."""
    texts, docx = corpus()
    r = random.Random(seed)
    out = []
    for k in range(n):
        sources, suffix, mutations = (texts, ".txt", TEXT_MUTATIONS) if r.random() < 0.6 else \
            (docx, ".docx", DOCX_MUTATIONS)
        name, _ = r.choice(sources)
        mutate = r.choices(list(mutations), weights=list(mutations.values()))[0]
        out.append((f"{k:05d}-{mutate.__name__}-{name}", name, suffix, mutate, r.randrange(2**32)))
    return out


class _Hang(Exception):
    pass


def _alarm(signum, frame):  # noqa: ARG001
    raise _Hang()


def run(n: int, seed: int, progress: bool = False, shard: tuple[int, int] = (0, 1),
        checkpoint: Callable[[Figures], None] | None = None) -> Figures:
    from ingest.errors import ParseError
    from ingest.infer import complete_reference
    from ingest.reference import load_reference
    from ingest.records import ZaakRecord
    from ingest.resolve import Resolver
    from ingest.resolve_text import TextResolver
    from ingest.sources.koop import read_publication_ids
    from ingest.sources.odata import read_jsonl
    from ingest.texts.evidence import _vocab
    from kamergraph.inputs import KOOP_FILE, ODATA_FILE
    from kamergraph.texts import process_texts
    from ontology.namespaces import Iris

    zaken = [z for z in read_jsonl(DATA / ODATA_FILE) if isinstance(z, ZaakRecord)]
    ref = complete_reference(load_reference(DATA), zaken)
    resolver = TextResolver(ref, Resolver(ref), zaken)
    known = read_publication_ids(DATA / KOOP_FILE)
    iris = Iris("https://kamergraph.nl/")
    _vocab()
    texts, docx = corpus()
    source = dict(texts + docx)
    fig = Figures()
    old = signal.signal(signal.SIGALRM, _alarm)
    with tempfile.TemporaryDirectory(prefix="kg-ingest-fuzz-") as tmp:
        for k, (cid, name, suffix, mutate, cseed) in enumerate(cases(n, seed)):
            if k % shard[1] != shard[0]:
                continue
            fig.cases += 1
            fig.by_mutation[mutate.__name__] += 1
            path = Path(tmp) / f"case{suffix}"
            path.write_bytes(mutate(random.Random(cseed), source[name]))
            w, c = time.perf_counter(), time.process_time()
            signal.alarm(HANG)
            try:
                (out,) = process_texts([path], DATA, resolver, known, iris)
                signal.alarm(0)
                if out.error is None:
                    fig.loaded += 1
                else:
                    err = out.error
                    if not isinstance(err, ParseError) or err.file != str(path) or not err.problem.strip():
                        fig.unclear.append(f"{cid}: {err!r}")
                    fig.refusals[reason_of(err.problem)] += 1
            except _Hang:
                fig.crashes.append(f"{cid}: still running after {HANG} s")
            except Exception as exc:  # noqa: BLE001 - a crash is what is counted here
                signal.alarm(0)
                fig.crashes.append(f"{cid}: {type(exc).__name__}: {str(exc)[:200]}")
            wall, cpu = time.perf_counter() - w, time.process_time() - c
            if wall > SLOW:
                fig.slow_wall.append(f"{cid}: {wall:.1f} s wall, {cpu:.1f} s CPU")
                if progress:
                    print(f"slow: {fig.slow_wall[-1]}", file=sys.stderr, flush=True)
            if cpu > SLOW:
                fig.slow_cpu.append(f"{cid}: {cpu:.1f} s CPU")
            if wall > fig.max_wall:
                fig.max_wall, fig.max_case = wall, f"{cid} ({path.stat().st_size:,} bytes)"
            fig.max_cpu = max(fig.max_cpu, cpu)
            if checkpoint is not None and fig.cases % 100 == 0:
                checkpoint(fig)  # the figures so far, should the run be stopped
            if progress and fig.cases % 250 == 0:
                print(f"{fig.cases} cases, {len(fig.crashes)} crashes, {len(fig.slow_wall)} over {SLOW} s, "
                      f"max {fig.max_wall:.2f} s", file=sys.stderr, flush=True)
    signal.signal(signal.SIGALRM, old)
    return fig


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--shard", default="0/1", help="i/n: run only the cases whose number is i modulo n (to split a run)")
    args = ap.parse_args()
    i, n = (int(x) for x in args.shard.split("/"))
    t0 = time.perf_counter()
    def write(fig: Figures, done: bool = False) -> dict[str, object]:
        out = fig.as_dict() | {"seed": args.seed, "shard": args.shard, "finished": done,
                               "total_s": round(time.perf_counter() - t0, 1)}
        if args.json:
            Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return out

    fig = run(args.cases, args.seed, progress=True, shard=(i, n), checkpoint=write)
    print(json.dumps(write(fig, done=True), ensure_ascii=False, indent=1))
    return 0 if not fig.crashes and not fig.slow_wall and not fig.unclear else 1


if __name__ == "__main__":
    raise SystemExit(main())
