"""The hand-labelled set of EU links (``tests/golden/eu-links/``): which Zaak titles to label, and
the split of the labelled rows into a development and a held-out part.

``draw`` reads the titles (``Onderwerp``) of the Zaken in
``data/tk-odata/zaken-schriftelijke-vragen.jsonl.gz`` (submitted 2008–2024), the ministry of the
first addressee on the Zaak's date (the reference lists, as the build resolves it) and the bundled
texts, and writes a worksheet with empty label columns:

* a random part, stratified: ``PER_YEAR`` titles per year, taken in turn from each ministry of
  that year (in a seeded order), so that every year and the ministries of each year are covered;
* an EU part, so that the set holds at least 100 titles about some EU act without depending on
  what a linker finds: ``ACT_DRAW`` titles drawn the same way from those an act net catches (any
  word ending in -richtlijn or -verordening, Natura 2000, Schengen, Dublin, emissiehandel, "Europese
  regels", "EU-voorstel", Brussel, and every alias of the register, unverified rows too), then
  ``BROAD_DRAW`` from those a broad net catches (Europese, EU, Unie, Commissie, lidstaten, de euro,
  Frontex, …);
* every bundled text (``data/texts``, ``data/answers-docx``), with its first line as title.

The labels are filled in by hand. ``split WORKSHEET`` then writes the labelled rows, once and with
the same seed, into ``dev.csv`` (60 %) and ``heldout.csv`` (40 %).

The second held-out set (``heldout-2.csv``, the plan ``SECOND``) is drawn the same way with its own
seed and sizes, from the titles in neither ``dev.csv`` nor ``heldout.csv``, without texts (all are
in the first set). The third (``heldout-3.csv``, the plan ``THIRD``) is drawn like the second, from
the titles in none of the three files before. The fourth (``heldout-4.csv``, the plan ``FOURTH``) is drawn from the
titles in none of the four files before, with a wide act net (``_WIDE_ACT_WORDS``: words that name EU law, its
institutions, agencies, funds and subjects without the register), because the act net of the sets before had run dry.
The fifth (``heldout-5.csv``, the plan ``FIFTH``) is drawn like the fourth, from the titles in none of the five
files before; the sixth (``heldout-6.csv``, the plan ``SIXTH``) like the fifth, from the titles in none of the six.
Each plan's act net holds the register's aliases as they were when it was drawn (``bench/eu/act-net-{seed}.txt``), so
that a register grown since draws the same rows.

    .venv/bin/python bench/eu/sample_labels.py draw --out /tmp/eu-worksheet.csv
    .venv/bin/python bench/eu/sample_labels.py split /tmp/eu-worksheet.csv
    .venv/bin/python bench/eu/sample_labels.py draw --set second --out /tmp/eu-worksheet-2.csv
    .venv/bin/python bench/eu/sample_labels.py check --set second   # the golden rows are the ones the seed draws
    .venv/bin/python bench/eu/sample_labels.py draw --set third --out /tmp/eu-worksheet-3.csv
    .venv/bin/python bench/eu/sample_labels.py check --set fourth
    .venv/bin/python bench/eu/sample_labels.py draw --set fifth --out /tmp/eu-worksheet-5.csv
    .venv/bin/python bench/eu/sample_labels.py draw --set sixth --out /tmp/eu-worksheet-6.csv
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import random
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA = ROOT / "data"
ZAKEN = DATA / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz"
REGISTER = DATA / "eu" / "eu-acts.csv"
GOLDEN = ROOT / "tests" / "golden" / "eu-links"
NETS = Path(__file__).resolve().parent
SEED = 20261207
YEARS = range(2008, 2025)
PER_YEAR = 18
ACT_DRAW = 200
BROAD_DRAW = 40
DEV_SHARE = 0.6
COLUMNS = ("zaak", "date", "title", "keys", "reasons", "missing_acts", "stratum")

# The act net: words that name an act or EU rules ("Habitatrichtlijn", "Europese regels", "Brussel")
# and, with the register's aliases, the titles most likely to be about an act.
_ACT_WORDS = (
    r"\w*richtlijn\w*|\w*verordening\w*|Natura\s*2000\w*|Schengen\w*|Dublin\w*|emissiehandel\w*"
    r"|(?:Europese|EU-?)\s*(?:regels|regelgeving|wetgeving|wet|richtlijn|verordening|voorstel\w*|norm\w*|verbod"
    r"|plannen|plan|regime)|Brussel"
)
# The wide act net of the fourth set (with the act net's words and aliases): words that name EU law, its
# institutions, agencies, funds and programmes without the register, and subjects Dutch titles name an EU act
# by (the pulse-fishing ban, the landing obligation, emission allowances, glyphosate, the nitrates derogation,
# visa exemptions, cookies, livestock transport, Euro norms, biofuels, …). Dutch councils (Raad van State,
# Hoge Raad, Gezondheidsraad) and the Erasmus university are left out.
_WIDE_ACT_WORDS = (
    r"[\w-]*richtlijn\w*|[\w-]*verordening\w*|kaderbesluit\w*"
    r"|EU-?\s*(?:regels|regelgeving|wet\w*|verbod|norm\w*|besluit|voorstel\w*|plan\w*)"
    r"|Europees\s+(?:verbod|voorstel|besluit)|Commissievoorstel\w*"
    r"|Europese\s+Commissie|Eurocommissaris\w*|Europees\s+Parlement|Europarlement\w*"
    r"|Raad\s+van\s+(?:de\s+)?(?:EU|Europese\s+Unie)|Raad\s+van\s+ministers|(?:Europese|EU-?)\s*Raad"
    r"|(?:Landbouw|Milieu|Energie|Transport|Vervoers|Visserij|Telecom|Concurrentievermogen|JBZ|Ecofin|Formele"
    r"|Informele)-?\s*[Rr]aad|Raad\s+(?:Algemene|Buitenlandse)\s+Zaken|Ecofin|Eurogroep|EU-?top|Europese\s+top"
    r"|Brussel\w*|Europe\w*\s+Hof\s+van\s+Justitie|Hof\s+van\s+Justitie|EU-?Hof|lidsta(?:at|ten)"
    r"|EU-?\s*fonds\w*|EU-?\s*subsidie\w*|EU-?\s*geld\w*|Europese\s+(?:fonds\w*|subsidie\w*|gelden|middelen)"
    r"|structuurfonds\w*|cohesiefonds\w*|landbouwsubsidie\w*|ESF|EFRO|POP3|Interreg|Horizon\s*2020"
    r"|Horizon\s+Europ\w+|Erasmus(?:\+|beurs\w*|programma\w*|\s+(?:voor|programma|beurs\w*|student\w*))"
    r"|Galileo|Copernicus|herstelfonds|globali\w*fonds|ELFPO|EFMZV|landbouwfonds\w*|visserijfonds\w*"
    r"|Frontex|Europol|Eurojust|EFSA|EMA|ECHA|EASA|EASO|EUAA|ENISA|ESMA|EBA|EIOPA|OLAF|EOM"
    r"|Europees\s+Openbaar\s+Ministerie|Europees\s+Geneesmiddelen\w*|Europese\s+Voedselautoriteit"
    r"|Europees\s+Milieuagentschap|Stabiliteits-?\s*en\s+Groeipact|Stabiliteitspact|begrotingsregels|bankenunie"
    r"|depositogarantie\w*|derogatie\w*|pulsvisserij|pulskor\w*|aanlandplicht|vangstquot\w*|visquot\w*|melkquot\w*"
    r"|emissierechten|CO2-rechten|glyfosaat|neonicotino\w*|roaming\w*|GLB\w*|ETS\w*|REACH|AVG|GDPR|privacywet\w*"
    r"|visumplicht\w*|visumvrij\w*|visumliberali\w*|Eurodac|SIS(?:\s*II)?|Schengeninformatiesysteem|PNR"
    r"|passagiersgegevens|bewaarplicht\w*|cookie\w*|netneutraliteit|thuiskopie\w*|uploadfilter\w*|wegwerpplastic\w*"
    r"|diertransport\w*|veetransport\w*|onverdoofd\w*|legbatterij\w*|kiesakte|Euro\s*[4-7](?:-?norm\w*)?"
    r"|sjoemelsoftware|dieselgate|typegoedkeuring\w*|biobrandstof\w*|bijmengverplichting\w*|ggo\w*"
    r"|genetisch\s+gemodificeerd\w*|novel\s*food\w*|e-sigaret\w*|medische\s+hulpmiddelen|Europe\w*\s+aanbested\w*"
    r"|cabotage|eurovignet\w*|passagiersrechten|bonusplafond|bonuscap|Bazel\s*III|Basel\s*III|Solvency\s*I*"
    r"|transactiebelasting|Tobin\w*|CCC?TB|UBO\w*|minimumbelasting|fosfaatrechten\w*|mestplafond\w*"
)
# The broad net: any word that may point at the EU at all (amounts in euro left aside).
_BROAD_WORDS = (
    r"europ\w*|EU|E\.U\.|EG|EEG|Unie|(?:Europese\s+)?Commissie|eurozone|de\s+euro|lidstaten|lidstaat"
    r"|Eurostat|Frontex|GLB|ETS|REACH|AVG|GDPR|Raad\s+van\s+ministers|Europarlement\w*|Eurogroep|EU-\w+"
)


@dataclass(frozen=True, slots=True)
class Title:
    """One Zaak: its number, its date, its title and the ministry of its first addressee."""

    zaak: str
    date: dt.date
    title: str
    ministry: str


def register_aliases(register: Path = REGISTER) -> list[str]:
    """Every alias of three characters or more of every row of ``register`` (unverified rows too), sorted."""
    aliases: set[str] = set()
    with open(register, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            aliases.update(a.strip() for a in row["aliases"].split(";") if len(a.strip()) >= 3)
    return sorted(aliases)


def net_aliases(name: str) -> list[str]:
    """The register's aliases as they were when a set was drawn: ``bench/eu/{name}``, one a line
    (lines starting with ``#`` say where they come from)."""
    lines = (NETS / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def _net_pattern(words: str, aliases: Iterable[str] = ()) -> re.Pattern[str]:
    """A net: ``words`` and every one of ``aliases``."""
    alts = "|".join(re.escape(a) for a in sorted(set(aliases), key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{words}{'|' + alts if alts else ''})(?![\w])", re.IGNORECASE)


def _ministry_of(resolver, ref, names: list[str], on: dt.date) -> str:
    """Abbreviation of the ministry of the first addressee's post on ``on``; "onbekend" if none."""
    for i, name in enumerate(names[:1]):
        link = resolver.resolve_addressee(name, i, on)
        post = ref.posts.get(link.post_key or "") if link.post_key else None
        if post is not None and post.ministry_key:
            m = ref.ministries.get(post.ministry_key)
            return (m.abbreviation or m.key) if m else post.ministry_key
        if post is not None:
            return post.kind.replace(" ", "-")
    return "onbekend"


def load_titles(path: Path = ZAKEN, data_dir: Path = DATA) -> list[Title]:
    """Every Zaak of ``YEARS`` with a title, in file order, with its first addressee's ministry."""
    from ingest.reference import load_reference
    from ingest.resolve import Resolver

    ref = load_reference(data_dir)
    resolver = Resolver(ref)
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            z = json.loads(line)
            title = " ".join((z.get("Onderwerp") or "").split())
            started = z.get("GestartOp") or ""
            if not title or not started[:4].isdigit() or int(started[:4]) not in YEARS:
                continue
            on = dt.date.fromisoformat(started[:10])
            out.append(Title(z["Nummer"], on, title, _ministry_of(resolver, ref, z.get("GerichtAan") or [], on)))
    return out


def stratified(titles: Iterable[Title], per_year: int, rng: random.Random, kind: str) -> list[tuple[Title, str]]:
    """``per_year`` titles of each year, one from each ministry in turn (a seeded order), with the stratum."""
    by_year: dict[int, dict[str, list[Title]]] = defaultdict(lambda: defaultdict(list))
    for t in titles:
        by_year[t.date.year][t.ministry].append(t)
    out: list[tuple[Title, str]] = []
    for year in YEARS:
        pools = by_year.get(year, {})
        ministries = sorted(pools)
        rng.shuffle(ministries)
        for m in ministries:
            rng.shuffle(pools[m])
        taken = 0
        while taken < per_year and any(pools[m] for m in ministries):
            for m in ministries:
                if taken < per_year and pools[m]:
                    out.append((pools[m].pop(), f"{kind}:{year}:{m}"))
                    taken += 1
    return out


@dataclass(frozen=True, slots=True)
class Plan:
    """How one labelled set is drawn: the seed, the sizes of its three parts, whether the bundled
    texts belong to it, the file of the register's aliases its act net used (the register grows
    after a draw; the net must not), the golden files it is kept in, those whose Zaken it leaves out and the
    words of its act net (with the aliases)."""

    seed: int
    per_year: int
    act_draw: int
    broad_draw: int
    texts: bool
    net: str
    files: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    act_words: str = _ACT_WORDS


# The first set (split into dev and the first held-out part, spent on 2026-12-07 after its figures
# were reported) and the second held-out set, drawn from the titles of neither.
FIRST = Plan(SEED, PER_YEAR, ACT_DRAW, BROAD_DRAW, True, "act-net-20261207.txt", ("dev.csv", "heldout.csv"))
SECOND = Plan(20261208, 8, 90, 24, False, "act-net-20261208.txt", ("heldout-2.csv",), ("dev.csv", "heldout.csv"))
# The third held-out set, drawn on 2026-12-07 after the second had been spent: the sizes and nets of
# the second, its own seed and register, none of the Zaken of the three sets before.
THIRD = Plan(20261209, 8, 90, 24, False, "act-net-20261209.txt", ("heldout-3.csv",),
             ("dev.csv", "heldout.csv", "heldout-2.csv"))
# The fourth held-out set, drawn on 2026-12-08 after the third had been spent: the act net of the sets before had
# run dry (14 titles left), so its act net adds the wide words; 6 random titles a year, up to 126 from the wide act
# net, 17 from the broad net; none of the Zaken of the four files before.
FOURTH = Plan(20261210, 6, 126, 17, False, "act-net-20261210.txt", ("heldout-4.csv",),
              ("dev.csv", "heldout.csv", "heldout-2.csv", "heldout-3.csv"), f"{_ACT_WORDS}|{_WIDE_ACT_WORDS}")
# The fifth held-out set, drawn on 2026-12-08 after the fourth had been spent: the strata, sizes and nets of the fourth,
# its own seed and register (the aliases at commit b51b96e), none of the Zaken of the five files before.
FIFTH = Plan(20261211, 6, 126, 17, False, "act-net-20261211.txt", ("heldout-5.csv",),
             ("dev.csv", "heldout.csv", "heldout-2.csv", "heldout-3.csv", "heldout-4.csv"),
             f"{_ACT_WORDS}|{_WIDE_ACT_WORDS}")
# The sixth held-out set, drawn on 2026-12-08 after the fifth had been spent: the strata, sizes and nets of the fifth,
# its own seed and register (the aliases at commit 4b849ec, unchanged since b51b96e), none of the Zaken of the six
# files before.
SIXTH = Plan(20261212, 6, 126, 17, False, "act-net-20261212.txt", ("heldout-6.csv",),
             ("dev.csv", "heldout.csv", "heldout-2.csv", "heldout-3.csv", "heldout-4.csv", "heldout-5.csv"),
             f"{_ACT_WORDS}|{_WIDE_ACT_WORDS}")
PLANS = {"first": FIRST, "second": SECOND, "third": THIRD, "fourth": FOURTH, "fifth": FIFTH, "sixth": SIXTH}


def draw(titles: list[Title], seed: int = SEED, *, per_year: int = PER_YEAR, act_draw: int = ACT_DRAW,
         broad_draw: int = BROAD_DRAW, exclude: frozenset[str] = frozenset(),
         aliases: Iterable[str] | None = None, act_words: str = _ACT_WORDS) -> list[tuple[Title, str]]:
    """The random part, then the EU part from the net's titles not yet drawn (per year, in proportion);
    the Zaken in ``exclude`` are never drawn. The act net holds ``act_words`` and ``aliases`` (the
    register's today if None)."""
    rng = random.Random(seed)
    titles = [t for t in titles if t.zaak not in exclude]
    sample = stratified(titles, per_year, rng, "willekeurig")
    act_aliases = register_aliases() if aliases is None else list(aliases)
    for words, alts, size, kind in ((act_words, act_aliases, act_draw, "eu-akte"),
                                    (_BROAD_WORDS, (), broad_draw, "eu-breed")):
        drawn = {t.zaak for t, _ in sample}
        net = _net_pattern(words, alts)
        caught = [t for t in titles if t.zaak not in drawn and net.search(t.title)]
        part = stratified(caught, -(-size // len(YEARS)), rng, kind)
        rng.shuffle(part)
        sample += sorted(part[:size], key=lambda x: x[0].zaak)
    return sample


def draw_plan(plan: Plan, titles: list[Title], golden: Path = GOLDEN) -> list[dict[str, str]]:
    """The worksheet rows of ``plan`` (label columns empty): its titles, then the texts if it has them."""
    exclude = frozenset(r["zaak"] for name in plan.exclude for r in read_rows(golden / name))
    drawn = draw(titles, plan.seed, per_year=plan.per_year, act_draw=plan.act_draw,
                 broad_draw=plan.broad_draw, exclude=exclude, aliases=net_aliases(plan.net),
                 act_words=plan.act_words)
    rows = [{"zaak": t.zaak, "date": t.date.isoformat(), "title": t.title, "stratum": stratum}
            for t, stratum in drawn]
    return rows + (bundled_texts() if plan.texts else [])


def bundled_texts(data_dir: Path = DATA) -> list[dict[str, str]]:
    """One worksheet row per bundled text: its id, its date where the first lines print one, its first line."""
    from ingest.sources.text import read_docx, read_text_file

    paths = sorted((data_dir / "texts").glob("**/*.txt")) + sorted((data_dir / "answers-docx").glob("*.docx"))
    rows = []
    for p in paths:
        text = read_docx(p) if p.suffix == ".docx" else read_text_file(p)
        first = next((" ".join(line.split()) for line in text.splitlines() if line.strip()), "")
        rows.append({"zaak": f"tekst:{p.relative_to(data_dir).as_posix()}", "date": "", "title": first[:200],
                     "keys": "", "reasons": "", "missing_acts": "", "stratum": "tekst"})
    return rows


def split(rows: list[dict[str, str]], seed: int = SEED) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The rows in two parts, ``DEV_SHARE`` of them (rounded) for development: a seeded shuffle of
    the rows ordered by their ``zaak``, so that the same rows always fall the same way."""
    ordered = sorted(rows, key=lambda r: r["zaak"])
    random.Random(seed).shuffle(ordered)
    cut = round(len(ordered) * DEV_SHARE)
    dev, held = ordered[:cut], ordered[cut:]
    return sorted(dev, key=lambda r: r["zaak"]), sorted(held, key=lambda r: r["zaak"])


def write_rows(path: Path, rows: Iterable[dict[str, str]]) -> None:
    """``rows`` as a CSV with ``COLUMNS``."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows({c: r.get(c, "") for c in COLUMNS} for r in rows)


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a worksheet or a split file."""
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def check(golden: Path = GOLDEN, plan: Plan = FIRST, titles: list[Title] | None = None) -> list[str]:
    """The differences between a fresh draw of ``plan`` and the rows of its golden files (Zaak,
    date, title, stratum; the label columns are not drawn); [] if they are the same."""
    def ident(r: dict[str, str]) -> tuple[str, str, str, str]:
        return r["zaak"], r["date"] if r["stratum"] != "tekst" else "", r["title"], r["stratum"]

    drawn = {ident(r) for r in draw_plan(plan, load_titles() if titles is None else titles, golden)}
    held = {ident(r) for name in plan.files for r in read_rows(golden / name)}
    files = " and ".join(plan.files)
    return [f"drawn, not in {files}: {x}" for x in sorted(drawn - held)] + [
        f"in {files}, not drawn: {x}" for x in sorted(held - drawn)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("draw", help="write the worksheet of titles (and texts) to label")
    d.add_argument("--out", required=True)
    d.add_argument("--set", choices=sorted(PLANS), default="first", help="which set's plan (seed, sizes, exclusions)")
    s = sub.add_parser("split", help="split a labelled worksheet into dev.csv and heldout.csv")
    s.add_argument("worksheet")
    s.add_argument("--into", default=str(GOLDEN))
    c = sub.add_parser("check", help="draw again and compare with the golden files")
    c.add_argument("--set", choices=sorted(PLANS), default="first")
    args = ap.parse_args(argv)
    if args.cmd == "check":
        diffs = check(plan=PLANS[args.set])
        print("\n".join(diffs) or "the golden rows are the rows the seed draws", file=sys.stderr)
        return 1 if diffs else 0
    if args.cmd == "draw":
        titles = load_titles()
        rows = draw_plan(PLANS[args.set], titles)
        write_rows(Path(args.out), rows)
        print(f"{len(rows)} rows (titles of {len(titles)}, texts as the plan says) -> {args.out}", file=sys.stderr)
        return 0
    rows = read_rows(Path(args.worksheet))
    dev, held = split(rows)
    write_rows(Path(args.into) / "dev.csv", dev)
    write_rows(Path(args.into) / "heldout.csv", held)
    print(f"{len(dev)} rows -> dev.csv, {len(held)} rows -> heldout.csv", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
