"""A snapshot of what the project produces, to prove that a change of structure changed no output.

Builds the whole bundled corpus into a fresh embedded store (or takes one already built with
``--store``), then writes into ``OUT``:

- ``graph.nq``: the store's N-Quads, lines sorted (the same comparison as the determinism test);
- ``pages/``: the HTML (and Turtle) of a fixed set of pages: the site's own pages and the first
  three resources of every class that has an entity page (sorted by IRI, so the set is the same
  for every run on the same data);
- ``SHA256SUMS``: one line per file.

Compare two snapshots with ``diff -r A B`` (or ``sha256sum -c``)::

    .venv/bin/python bench/identity_snapshot.py /tmp/before   # on the old commit
    .venv/bin/python bench/identity_snapshot.py /tmp/after    # on the new one
    diff -r /tmp/before /tmp/after && echo identical
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SITE_PAGES = ["/", "/dataset", "/kamervragen", "/zoeken?q=dual-use", "/queries", "/query", "/dumps/",
              "/def", "/def/shapes", "/id/kamervraag/2019Z15231"]
PER_CLASS = 3


def safe_name(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", path.strip("/")) or "index"


def main() -> int:
    if os.environ.get("PYTHONHASHSEED") != "0":
        # ties in the overview's bars (a Counter over a set) follow the string hash: fix it, so that two
        # runs of the same code give the same pages
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path, help="folder for the snapshot (created; must not exist)")
    ap.add_argument("--store", type=Path, help="an embedded store already built from data/ (default: build one)")
    ap.add_argument("--keep", type=Path, help="build into this folder and keep the store (for a later --store)")
    args = ap.parse_args()
    args.out.mkdir(parents=True)

    from fastapi.testclient import TestClient
    from pyoxigraph import Store as OxStore

    from kamergraph.build import build
    from kamergraph.settings import Settings
    from ontology.namespaces import Iris
    from server.app import create_app
    from store.embedded import EmbeddedStore

    base = "https://kamergraph.nl/"
    with tempfile.TemporaryDirectory() as tmp:
        store_path = args.store
        if store_path is None:
            store_path = args.keep or Path(tmp) / "store"
            t0 = time.monotonic()
            store = EmbeddedStore(store_path)
            report = build(store, ROOT / "data", Iris(base))
            store.close()
            print(f"built {report.counts()} in {time.monotonic() - t0:.1f} s", file=sys.stderr)
        store = EmbeddedStore(store_path)
        buf = io.BytesIO()
        store.dump(buf, "nq")
        store.close()
        lines = sorted(buf.getvalue().decode("utf-8").splitlines())
        (args.out / "graph.nq").write_text("\n".join(lines) + "\n", encoding="utf-8")
        del buf, lines

        ox = OxStore.read_only(str(store_path))
        first: dict[str, list[str]] = {}
        for row in ox.query("SELECT DISTINCT ?c ?s WHERE { GRAPH ?g { ?s a ?c } "
                            f"FILTER(STRSTARTS(STR(?s), '{base}id/')) }} ORDER BY ?c ?s"):
            chosen = first.setdefault(row["c"].value, [])
            if len(chosen) < PER_CLASS:
                chosen.append(row["s"].value)
        entities = [iri[len(base) - 1:] for c in sorted(first) for iri in first[c]]
        del ox
        paths = list(dict.fromkeys(SITE_PAGES + entities))

        pages = args.out / "pages"
        pages.mkdir()
        settings = Settings(store=str(store_path), query_workers=2, query_timeout=60.0)
        with TestClient(create_app(settings, store_path), raise_server_exceptions=True) as client:
            # /def lists the outside terms once the background scan, started by its first request, has read them
            client.get("/def", headers={"Accept": "text/html"})
            assert client.app.state.ontology_examples.wait_for_scan(600), "the ontology scan did not finish"
            for path in paths:
                for accept, suffix in (("text/html", "html"), ("text/turtle", "ttl")):
                    r = client.get(path, headers={"Accept": accept})
                    body = f"{r.status_code} {r.headers.get('content-type', '')}\n".encode() + r.content
                    (pages / f"{safe_name(path)}.{suffix}").write_bytes(body)
    sums = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(args.out)}"
            for p in sorted(args.out.rglob("*")) if p.is_file()]
    (args.out / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    print(f"{len(paths)} pages, {len(sums)} files in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
