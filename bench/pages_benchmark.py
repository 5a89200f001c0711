"""Pages benchmark: the browsable graph on the full store, over loopback HTTP against `kamergraph serve`.

Starts `kamergraph serve` on the store (the full bundled build; built first if the store is empty),
waits until the overview of the store and the search index are ready, then asks for ``--n`` pages
of each page class, a different entity for each request (picked at random from the store with
``--seed``): Kamervragen, questions, persons, fracties, posts, ministries, cabinets, EU acts,
Kamerstukken, publications (the generic page), the Turtle description of a Kamervraag, and the
home page. When the search page (/zoeken) and the list of Kamervragen (/kamervragen) are there, it
asks those too: searches for Dutch words, and the list with all its facets under random filters.
Prints p50, p95 and the maximum per class and checks them against the targets (entity pages
p95 <= 30 ms, search p95 <= 100 ms, list with facets p95 <= 150 ms).

    python bench/pages_benchmark.py [--store var/store] [--n 200] [--warmup 20] [--seed 5] [--no-cache] [--json out.json]

Classes with fewer entities than requests (fracties, posts, ministries, cabinets, EU acts) repeat
them; the server keeps answers it has given (its answer cache), so ``--no-cache`` switches that off
to time every page as if it were asked for the first time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import free_port, pct, server  # noqa: E402
from kamergraph.settings import get_settings  # noqa: E402

KG = "https://w3id.org/kamergraph/def#"
ELI = "http://data.europa.eu/eli/ontology#"
ENTITY_TARGET_MS = 30.0
TARGETS = {"search": 100.0, "list with facets": 150.0}
SEARCH_WORDS = ["cybersurveillance", "stikstof", "jeugdzorg", "belasting", "vluchtelingen", "pensioen", "politie",
                "onderwijs", "klimaat", "huurwoningen", "zorgverzekering", "defensie", "export", "asielzoekers",
                "boeren", "schiphol", "corona", "energie", "wolf", "gaswinning groningen"]


def sample(store: Path, base: str, n: int, seed: int) -> dict[str, list[str]]:
    """Random IRIs per page class, read from the store itself."""
    from pyoxigraph import Store

    s = Store.read_only(str(store))

    def iris(sparql: str) -> list[str]:
        return sorted({row[0].value for row in s.query(sparql, use_default_graph_as_union=True)})

    classes = {
        "kamervraag": f"SELECT ?x WHERE {{ ?x a <{KG}Kamervraag> }}",
        "vraag": f"SELECT ?x WHERE {{ ?x a <{KG}Vraag> }}",
        "persoon (Kamerlid)": f"SELECT DISTINCT ?x WHERE {{ ?vs a <{KG}Vraagstelling> ; <{KG}persoon> ?x }}",
        "persoon (any)": f"SELECT ?x WHERE {{ ?x a <{KG}Persoon> }}",
        "fractie": f"SELECT ?x WHERE {{ ?x a <{KG}Fractie> }}",
        "post": f"SELECT ?x WHERE {{ ?x a <{KG}Post> }}",
        "ministerie": f"SELECT ?x WHERE {{ ?x a <{KG}Ministerie> }}",
        "kabinet": f"SELECT ?x WHERE {{ ?x a <{KG}Kabinet> }}",
        "eu": f"SELECT ?x WHERE {{ {{ ?x a <{ELI}LegalResource> }} UNION {{ ?x a <{KG}EUVoorstel> }} "
              f"UNION {{ ?x a <{KG}EUProcedure> }} }}",
        "kamerstuk": f"SELECT ?x WHERE {{ ?x a <{KG}Kamerstuk> }}",
        "publicatie (generic)": f"SELECT ?x WHERE {{ ?x a <{KG}Publicatie> ; <{KG}publicatieId> ?id . "
                                f"FILTER (STRSTARTS(?id, \"kv-\")) }}",
    }
    rng = random.Random(seed)
    out: dict[str, list[str]] = {}
    pools: dict[str, list[str]] = {}
    for name, q in classes.items():
        pool = pools[name] = iris(q)
        out[name] = [rng.choice(pool) for _ in range(n)] if len(pool) < n else rng.sample(pool, n)
    # other Kamervragen than the pages' (the server keeps answers: the same description would be a hit)
    shown = set(out["kamervraag"])
    out["kamervraag (turtle)"] = rng.sample([i for i in pools["kamervraag"] if i not in shown], n)
    return out


def path_of(iri: str, base: str) -> str:
    if iri.startswith(base):
        return "/" + iri[len(base):]
    return "/resource?iri=" + quote(iri, safe="")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default=None, help="the store directory (default: KAMERGRAPH_STORE)")
    ap.add_argument("--n", type=int, default=200, help="timed requests per page class")
    ap.add_argument("--warmup", type=int, default=20, help="untimed requests per page class first")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--json", help="write the figures here too")
    ap.add_argument("--no-cache", action="store_true",
                    help="switch the server's answer cache off (classes with fewer entities than requests repeat them)")
    args = ap.parse_args()

    settings = get_settings()
    base = settings.base
    store = Path(args.store or settings.store).resolve()
    bindir = Path(sys.executable).parent
    kamergraph = str(bindir / "kamergraph")
    if not (store / "CURRENT").exists():
        print(f"building the full store at {store} first …", file=sys.stderr)
        subprocess.run([kamergraph, "build", "--store", str(store)], check=True)
    picks = sample(store, base, args.n + args.warmup, args.seed)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "KAMERGRAPH_STORE": str(store)}
    if args.no_cache:
        env["KAMERGRAPH_RESULT_CACHE_MB"] = "0"
    cmd = [kamergraph, "serve", "--store", str(store), "--port", str(port), "--log-level", "warning"]
    results: dict[str, dict[str, float]] = {}

    def ready_to_serve() -> bool:  # the home page (the overview) and, if there, the search index answer
        home = httpx.get(url + "/", headers={"Accept": "text/html"}, timeout=300)
        search = httpx.get(url + "/zoeken", params={"q": "kamer"}, headers={"Accept": "text/html"}, timeout=300)
        return home.status_code == 200 and search.status_code in (200, 404)

    with server(cmd, ready_to_serve, "kamergraph serve", env, 900) as ready:
        rng = random.Random(args.seed)
        with httpx.Client(base_url=url, timeout=60) as client:
            has_search = client.get("/zoeken", params={"q": "kamer"}).status_code == 200
            has_list = client.get("/kamervragen").status_code == 200
            facet_keys = _facet_keys(picks, base)

            def page(path: str, accept: str = "text/html") -> Callable[[], httpx.Response]:
                return lambda: client.get(path, headers={"Accept": accept})

            plans: dict[str, list[Callable[[], httpx.Response]]] = {
                "home": [page("/") for _ in range(args.n + args.warmup)],
            }
            for name, iris in picks.items():
                accept = "text/turtle" if name.endswith("(turtle)") else "text/html"
                plans[name] = [page(path_of(i, base), accept) for i in iris]
            if has_search:
                plans["search"] = [page("/zoeken?" + urlencode({"q": rng.choice(SEARCH_WORDS)}))
                                   for _ in range(args.n + args.warmup)]
            if has_list:
                plans["list with facets"] = [page("/kamervragen?" + urlencode(_filters(rng, facet_keys)))
                                             for _ in range(args.n + args.warmup)]
            for name, calls in plans.items():
                times = []
                for i, call in enumerate(calls):
                    t0 = time.perf_counter()
                    r = call()
                    elapsed = time.perf_counter() - t0
                    if r.status_code != 200:
                        raise SystemExit(f"{name}: {r.request.url} answered {r.status_code}: {r.text[:300]}")
                    if i >= args.warmup:
                        times.append(1000 * elapsed)
                results[name] = {"n": len(times), "p50_ms": statistics.median(times), "p95_ms": pct(times, 95),
                                 "max_ms": max(times)}

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; store {store}; "
          f"workers {settings.query_workers}; ready after {ready:.1f} s (overview and search index); "
          f"load average {os.getloadavg()[0]:.1f} at the end; answer cache {'off' if args.no_cache else 'on'}")
    print(f"\npages over loopback HTTP, a different entity per request, {args.n} timed requests per class (ms):")
    print(f"{'page class':24} {'p50':>8} {'p95':>8} {'max':>8}  target p95")
    failed = []
    for name, r in results.items():
        target = TARGETS.get(name, ENTITY_TARGET_MS)
        ok = r["p95_ms"] <= target
        if not ok:
            failed.append(name)
        print(f"{name:24} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['max_ms']:8.1f}  <= {target:g} {'ok' if ok else 'MISSED'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "failed": failed}, indent=1) + "\n")
    if failed:
        print(f"\ntargets missed: {', '.join(failed)}")


def _facet_keys(picks: dict[str, list[str]], base: str) -> dict[str, list[str]]:
    def keys(name: str, kind: str) -> list[str]:
        prefix = f"{base}id/{kind}/"
        return sorted({i[len(prefix):] for i in picks.get(name, []) if i.startswith(prefix)})

    return {"fractie": keys("fractie", "fractie"), "lid": keys("persoon (Kamerlid)", "persoon"),
            "post": keys("post", "post"), "ministerie": keys("ministerie", "ministerie"),
            "eu": sorted(set(picks.get("eu", [])))}


def _filters(rng: random.Random, keys: dict[str, list[str]]) -> list[tuple[str, str]]:
    """One to three random filters of the list (fractie, lid, post, ministerie, jaar, status, eu)."""
    out: list[tuple[str, str]] = []
    for facet in rng.sample(["fractie", "post", "ministerie", "jaar", "status", "lid", "eu"], rng.randint(1, 3)):
        if facet == "jaar":
            out.append(("jaar", str(rng.randint(2008, 2024))))
        elif facet == "status":
            out.append(("status", rng.choice(["beantwoord", "open", "uitgesteld"])))
        elif keys.get(facet):
            out.append((facet, rng.choice(keys[facet])))
    return out


if __name__ == "__main__":
    main()
