"""Which EU act names occur in Kamervragen: counts over the titles (``Onderwerp``) of all Zaken in
``data/tk-odata/zaken-schriftelijke-vragen.jsonl.gz`` and over the bundled texts (``data/texts*``).

Candidates are words ending in "-richtlijn" or "-verordening" (and the bare words), act numbers
("Verordening (EU) 2016/679", "richtlijn 2009/147/EG"), COM numbers ("COM(2016) 616") and a list of
acronyms and topic phrases. The output is a CSV, one row per candidate name (case folded): the
pattern that found it, the Zaak titles and texts it occurs in, and up to five example Zaak numbers.
It is how the rows of ``data/eu/eu-acts.csv`` are chosen. Every alias of the register's verified rows is counted
too (pattern ``alias``: where the linker's name look-up finds it, the context-bound ones without their context), and
every Natura 2000 area of ``data/eu/natura2000-gebieden.csv`` (pattern ``natura2000-gebied``), so that the counts
show which of their names real titles use. With ``--coverage`` it also reports how
many Zaak titles name a verified act of the register (its aliases and numbers, as the citation
finder reads them), and the acts named most often.

    .venv/bin/python bench/eu/name_counts.py [--out data/eu/name-counts.csv] [--coverage]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ZAKEN = ROOT / "data" / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz"
TEXT_DIRS = sorted(ROOT.glob("data/texts*"))

# Compound words naming an act ("Habitatrichtlijn", "dual use-verordening", "EU-ontbossingsverordening").
_COMPOUND = re.compile(
    r"(?<![\w-])((?:\w+[ -])?\w*-?(?:richtlijn|verordening))(?!\w)",
    re.IGNORECASE,
)
# Act numbers: "Verordening (EU) 2016/679", "Verordening (EG) nr. 428/2009", "richtlijn 2009/147/EG".
_NUMBER = re.compile(
    r"\b(verordening|richtlijn|besluit|regulation|directive)\s*(?:\((?:EU|EG|EEG|Euratom)\)\s*)?(?:nr\.?\s*)?"
    r"(\d{2,4}/\d{1,4}(?:/(?:EU|EG|EEG|EGKS|JBZ|GBVB))?)",
    re.IGNORECASE,
)
_COM = re.compile(r"\bCOM\s*\(\s*(\d{4})\s*\)\s*0*(\d+)", re.IGNORECASE)
_PROCEDURE = re.compile(r"\b(\d{4})/0*(\d{1,4})\s*\((COD|CNS|APP|NLE)\)")
# Acronyms (matched in capitals) and topic phrases (any case) that name EU acts or policies.
ACRONYMS = (
    "AVG GDPR GLB ETS ETS2 EU-ETS REACH DSA DMA MiCA MiFID MiFID2 PSD2 CSRD CSDDD CS3D NIS NIS2 DORA CBAM SFDR "
    "RED RED2 RED3 RED-II RED-III EED EPBD EUDR EUTR CLP PFAS AMLD GMO ggo CRD CRR BRRD SSM SRM EMIR UCITS AIFMD "
    "EFSA EMA ECB ESM EMFF EFMZV LULUCF ESR CO2 TEN-T CEF MFK MFF EOF EIB NGEU RRF HVF SURE EUMETSAT EES ETIAS "
    "SIS VIS Eurodac EOM EPPO OLAF Frontex EASO EUAA EES ECI RDE MSR PPWR ESPR ELD WFD KRW NEC NEC-richtlijn "
    "IED RIE RLD REDD SUP TACHO EETS ERTMS CAP CFP GVB ESF ESF+ EFRO FEAD JTF EGF UBO"
).split()
TOPICS = (
    "Schengen", "Dublin", "Natura 2000", "Natura2000", "Green Deal", "Fit for 55", "Fit-for-55", "Van boer tot bord",
    "Farm to Fork", "biodiversiteitsstrategie", "natuurherstelwet", "natuurherstelverordening", "migratiepact",
    "asiel- en migratiepact", "Stabiliteits- en Groeipact", "groeipact", "herstelfonds",
    "Herstel- en veerkrachtfaciliteit",
    "emissiehandel", "emissiehandelssysteem", "dual use", "dual-use", "derogatie", "nitraat", "glyfosaat",
    "toelating van gewasbeschermingsmiddelen", "dierenwelzijn", "roaming", "geoblocking", "e-privacy", "ePrivacy",
    "auteursrecht", "uploadfilter", "btw", "douane", "visum", "Europees Openbaar Ministerie", "bankenunie",
    "kapitaalmarktunie", "depositogarantie", "EDIS", "euro 7", "Euro 7", "Euro 6", "CO2-normen", "vrachtwagen",
    "rijtijden", "detachering", "detacheringsrichtlijn", "mobiliteitspakket", "Mobility Package", "chips act",
    "Chips Act", "CRMA", "Net Zero", "verpakkingen", "single use plastics", "wegwerpplastic", "ecodesign",
    "microplastics", "visserij", "pulsvisserij", "aanlandplicht", "staatssteun", "mededinging", "aanbesteding",
    "handelsakkoord", "Mercosur", "CETA", "TTIP", "JEFTA", "sancties", "sanctie", "asiel", "terugkeer",
    # names and phrases people use for acts informally (issue 16, fourth round)
    "arrestatiebevel", "aanhoudingsbevel", "herstelfonds", "coronafonds", "recovery fund", "europa-route",
    "restrictievoorstel", "restrictie", "vergroening", "scheurverbod", "landbouwsubsidie", "bedrijfstoeslag",
    "toeslagrechten", "SLAPP", "due diligence", "gezinshereniging", "natuurgebied", "aalbeheerplan",
    # acts named by their subject or by the Dutch law that carries them out (fifth round)
    "europese aanbesteding", "europees aanbesteden", "eu-aanbesteden", "europese aanbestedingsregels", "veetransport",
    "diertransport", "dierentransport", "varkenstransport", "kalvertransport", "nertsentransport",
    "langeafstandstransport", "transport van dieren", "vervoer van dieren", "cookiewet", "cookiemuur", "cookiewall",
    "cookies", "bewaarplicht", "privacywet", "privacywetgeving", "privacyregels", "ubo-register", "ubo-registratie",
    "bijstandsfraudeurs", "desinformatie", "legbatterij", "e-sigaret", "pulsvisserij", "neonicotinoïden",
    # the sixth round's subject phrases, and candidates left alone (visa-free travel)
    "cookiebeleid", "privacywetten", "thuiskopie", "hyperlink", "embedden", "compensatie", "schadevergoeding",
    "vouchers", "roamingkosten", "annex ix", "bijlage ix", "veilen van emissierechten", "europese natuurbeleid",
    "aanbestedingsregels", "visumvrij", "visavrijstelling",
)


_ACRONYM_RE = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(a) for a in sorted(set(ACRONYMS), key=len, reverse=True)) + r")(?!\w)"
)
_TOPIC_RE = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(t.lower()) for t in sorted(set(TOPICS), key=len, reverse=True)) + r")"
)


def _zaken(path: Path = ZAKEN) -> list[tuple[str, str]]:
    """(Nummer, Onderwerp) of every Zaak in the OData extract."""
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            z = json.loads(line)
            out.append((z.get("Nummer") or "", z.get("Onderwerp") or ""))
    return out


def _texts() -> list[tuple[str, str]]:
    """(file name, text) of every bundled text."""
    return [(p.name, p.read_text(encoding="utf-8", errors="replace"))
            for d in TEXT_DIRS for p in sorted(d.glob("*.txt"))]


def candidates(text: str) -> set[tuple[str, str]]:
    """(pattern, name) of every candidate in one title or text, names case folded."""
    found: set[tuple[str, str]] = set()
    for m in _COMPOUND.finditer(text):
        word = m.group(1)
        tail = word.split()[-1].lower()
        if re.search(r"(richtlijn|verordening)$", tail):
            found.add(("compound", tail if tail not in ("richtlijn", "verordening") else word.lower()))
    for m in _NUMBER.finditer(text):
        found.add(("number", f"{m.group(1).lower()} {m.group(2).upper()}"))
    for m in _COM.finditer(text):
        found.add(("com", f"COM({m.group(1)}) {int(m.group(2))}"))
    for m in _PROCEDURE.finditer(text):
        found.add(("procedure", f"{m.group(1)}/{int(m.group(2)):04d}({m.group(3)})"))
    for m in _ACRONYM_RE.finditer(text):
        found.add(("acronym", m.group(1)))
    for m in _TOPIC_RE.finditer(text.lower()):
        found.add(("topic", m.group(1)))
    return found


def area_names(text: str) -> set[tuple[str, str]]:
    """("natura2000-gebied", name) of every Natura 2000 area of ``data/eu/natura2000-gebieden.csv`` that ``text``
    names (each part of a name of several parts, as written), whatever the words beside it."""
    from ingest.citations.areas import DEFAULT_AREAS, names_pattern

    return {("natura2000-gebied", m.group(0)) for m in names_pattern(str(DEFAULT_AREAS)).finditer(text)}


def register_aliases(text: str, reg) -> set[tuple[str, str]]:
    """("alias", alias) of every alias of the register's verified rows in one title or text, as the linker's name
    look-up finds it (the context-bound ones whether or not their context words are there)."""
    spans = reg.alias_spans(text) + reg.context_alias_spans(text)
    return {("alias", alias) for _span, alias in spans}


def count(zaken: list[tuple[str, str]], texts: list[tuple[str, str]], reg=None) -> list[dict[str, object]]:
    """One row per (pattern, name): Zaak titles, texts and example Zaak numbers, most frequent first; with ``reg``
    (an EU register) also its aliases (:func:`register_aliases`)."""
    titles: Counter[tuple[str, str]] = Counter()
    in_texts: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)

    def candidates_with_aliases(text: str) -> set[tuple[str, str]]:
        return candidates(text) | (register_aliases(text, reg) | area_names(text) if reg is not None else set())

    for nummer, title in zaken:
        for c in candidates_with_aliases(title):
            titles[c] += 1
            if len(examples[c]) < 5:
                examples[c].append(nummer)
    for _name, text in texts:
        for c in candidates_with_aliases(text):
            in_texts[c] += 1
    keys = set(titles) | set(in_texts)
    rows = [
        {"pattern": p, "name": n, "zaak_titles": titles[(p, n)], "texts": in_texts[(p, n)],
         "example_zaken": ";".join(examples.get((p, n), []))}
        for p, n in keys
    ]
    rows.sort(key=lambda r: (-int(r["zaak_titles"]), -int(r["texts"]), str(r["pattern"]), str(r["name"])))
    return rows


def coverage(zaken: list[tuple[str, str]]) -> tuple[int, Counter[str]]:
    """Zaak titles that cite a verified resource of the register, and the titles per resource."""
    from ingest.citations import default_register, find_citations

    reg = default_register()
    per_act: Counter[str] = Counter()
    covered = 0
    for _nummer, title in zaken:
        targets = {c.target for c in find_citations(title, register=reg) if c.kind.startswith("eu")}
        covered += bool(targets)
        per_act.update(targets)
    return covered, per_act


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "data" / "eu" / "name-counts.csv"))
    ap.add_argument("--min", type=int, default=1, help="leave out names found in fewer titles and texts")
    ap.add_argument("--coverage", action="store_true", help="also count the Zaak titles that cite a register act")
    args = ap.parse_args(argv)
    from ingest.citations import default_register

    zaken, texts = _zaken(), _texts()
    rows = [r for r in count(zaken, texts, default_register()) if int(r["zaak_titles"]) + int(r["texts"]) >= args.min]
    with open(args.out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["pattern", "name", "zaak_titles", "texts", "example_zaken"])
        w.writeheader()
        w.writerows(rows)
    print(f"{len(zaken)} Zaak titles, {len(texts)} texts, {len(rows)} candidate names -> {args.out}", file=sys.stderr)
    if args.coverage:
        covered, per_act = coverage(zaken)
        print(f"{covered} of {len(zaken)} Zaak titles cite a verified register resource; "
              f"{len(per_act)} distinct resources", file=sys.stderr)
        for target, n in per_act.most_common(25):
            print(f"{n:5d}  {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
