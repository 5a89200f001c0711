"""The patterns of EU identifiers in running text, one home for the citation finder
(:mod:`ingest.citations.finder`), the title linker (:mod:`ingest.citations.linker`) and whoever else
reads them: an act by its number (:data:`ACT_RE`, read by :func:`act_identity`), a Commission
document by its COM number (:data:`COM_RE`), a legislative procedure (:data:`PROC_RE`), a CELEX
number (:data:`CELEX_RE`) and an ELI (:data:`ELI_RE`). Pure regular expressions, no register."""

from __future__ import annotations

import re

#: An act by its number: "Verordening (EU) 2021/821", "Richtlijn 2009/147/EG", "Verordening (EG) nr. 428/2009",
#: "uitvoeringsverordening (EU) 2022/1317", "Kaderbesluit 2002/584/JBZ".
ACT_RE = re.compile(
    r"""
    (?<![^\W\d_])
    (?P<mod>gedelegeerde?\s+|delegated\s+|implementing\s+|framework\s+)?
    (?P<pre>[^\W\d_]{0,20}?)
    (?P<base>verordening|richtlijn|besluit|regulation|directive|decision)
    \s*(?:\(\s*(?P<des>EU|EG|EEG|EC|EEC|EGKS|EU,\s*Euratom|EG,\s*Euratom|Euratom|GBVB|CFSP)\s*\)\s*)?
    (?:(?P<nr>nr|no|n°)\.?\s*)?
    (?P<open>\(\s*)?(?P<a>\d{2,4})\s*/\s*(?P<b>\d{1,4})(?![\d])
    (?:\s*/\s*(?P<suf>EU|EG|EEG|EC|EEC|Euratom|GBVB|CFSP|JBZ|JHA)(?![\w]))?
    (?(open)\s*\)?)
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: A Commission document: "COM(2016) 616 final", "COM/2016/616".
COM_RE = re.compile(
    r"(?<![^\W\d_])COM\s*(?:\(\s*(?P<y>(?:19|20)\d{2})\s*\)|/\s*(?P<y2>(?:19|20)\d{2})\s*/)\s*(?P<n>\d{1,4})(?!\d)"
    r"(?:\s*(?:final|def(?:initief)?\.?)(?![\w]))?"
)
#: A legislative procedure: "2016/0295(COD)".
PROC_RE = re.compile(
    r"(?<![\w/])(?P<y>(?:19|20)\d{2})\s*/\s*(?P<n>\d{1,4})\s*\(\s*"
    r"(?P<t>COD|CNS|APP|NLE|BUD|DEC|INI|RSP|INL|SYN|AVC|ACI|DCE|IMM|REG|RPS|RSO|DEA)\s*\)"
)
#: A CELEX number: "32016R0679", "CELEX:52016PC0616".
CELEX_RE = re.compile(r"(?<![\w/])(?:CELEX\s*[:=]?\s*)?(?P<celex>[3-5](?:19|20)\d{2}[A-Z]{1,2}\d{4})(?!\w)")
#: An ELI of an act: "data.europa.eu/eli/reg/2016/679/oj".
ELI_RE = re.compile(r"data\.europa\.eu/eli/(?P<t>[a-z_]+)/(?P<y>\d{4})/(?P<n>\d+)(?:/oj)?", re.IGNORECASE)

ELI_TYPES = {"verordening": "reg", "regulation": "reg", "richtlijn": "dir", "directive": "dir",
             "besluit": "dec", "decision": "dec"}  # fmt: skip


def year_of(raw: str) -> int | None:
    """A year written with two or four digits ("09" is 2009, "99" 1999); None if it is not one."""
    y = int(raw)
    if len(raw) == 2:
        return 1900 + y if y >= 50 else 2000 + y
    if len(raw) == 4 and 1950 <= y <= 2099:
        return y
    return None


def act_identity(m: re.Match[str]) -> tuple[str, int, int, str] | None:
    """(ELI type, year, number, number as printed) of an act matched by :data:`ACT_RE`, or None."""
    base = ELI_TYPES[m.group("base").lower()]
    pre = (m.group("pre") or "").lower()
    mod = (m.group("mod") or "").lower()
    eli_type = base
    if pre.startswith("uitvoerings") or mod.startswith("implementing"):
        eli_type = f"{base}_impl"
    elif mod.startswith(("gedelegeerd", "delegated")):
        eli_type = f"{base}_del"
    elif base == "dec" and (pre.startswith("kader") or mod.startswith("framework")):
        eli_type = "dec_framw"
    elif base == "reg" and pre and not (m.group("des") or m.group("nr") or m.group("suf")):
        return None  # "noodverordening 2024/3": a national word, not an EU act
    a, b = m.group("a"), m.group("b")
    des = (m.group("des") or "").upper()
    if m.group("nr"):
        year, number = year_of(b), int(a)
    elif base == "reg":
        ya, yb = year_of(a) if len(a) == 4 else None, year_of(b)
        if ya is not None and ya >= 2015 and (des in ("", "EU") or des.startswith("EU")):
            year, number = ya, int(b)
        elif yb is not None and (len(b) == 2 or yb < 2015):
            year, number = yb, int(a)
        else:
            year, number = (ya, int(b)) if ya is not None else (None, 0)
    else:
        year, number = year_of(a), int(b)
    if year is None or number <= 0:
        return None
    printed = re.sub(r"\s+", "", f"{a}/{b}")
    if m.group("suf"):
        printed += "/" + m.group("suf")
    return eli_type, year, number, printed
