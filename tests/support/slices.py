"""Tiny real builds for tests: the records of a few chosen Zaken from the bundled OData file, and a store
built from them with the given published texts (the build itself, on the bundled reference data)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kamergraph.build import BuildReport

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
ODATA = DATA / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz"
BASE = "https://kamergraph.nl/"


def odata_slice(zaken: Iterable[str], dest: Path) -> Path:
    """Writes to ``dest`` (gzip, no timestamp: the same bytes every time) the lines of the bundled OData file
    that hold one of the Zaak numbers ``zaken``; returns ``dest``."""
    wanted = [f'"{z}"' for z in zaken]
    with gzip.open(ODATA, "rt", encoding="utf-8") as fh:
        lines = [ln for ln in fh.read().splitlines() if any(w in ln for w in wanted)]
    dest.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0))
    return dest


def build_slice(path: Path, zaken: Iterable[str], texts: Iterable[Path], name: str) -> BuildReport:
    """Builds into a new embedded store at ``path`` the Zaken ``zaken`` (their slice is written beside it as
    ``name``) and the published ``texts``; returns the build's report."""
    from kamergraph.build import build
    from ontology.namespaces import Iris
    from store.embedded import EmbeddedStore

    odata = odata_slice(zaken, path.parent / name)
    store = EmbeddedStore(path)
    try:
        return build(store, DATA, Iris(BASE), odata_file=odata, texts=list(texts))
    finally:
        store.close()


def zaak_titles(numbers: Iterable[str]) -> dict[str, tuple[str, dt.date]]:
    """(title, date) of the Zaken ``numbers`` as the bundled OData file gives them (``Onderwerp``, the date of
    ``GestartOp``); every number must be there."""
    wanted = set(numbers)
    pattern = re.compile("|".join(f'"{re.escape(n)}"' for n in sorted(wanted)))
    out = {}
    with gzip.open(ODATA, "rt", encoding="utf-8") as fh:
        for line in fh:
            if pattern.search(line):
                z = json.loads(line)
                if z["Nummer"] in wanted:
                    out[z["Nummer"]] = (z["Onderwerp"], dt.date.fromisoformat(z["GestartOp"][:10]))
    assert set(out) == wanted, f"not in the OData file: {sorted(wanted - set(out))}"
    return out
