"""Kill -9 at many points of `kamergraph build`, `ingest` and `sync`; after each kill: the next start
cleans up, `kamergraph validate` passes, the command runs again to the end, the server opens the store.

    python bench/crash_points.py [--only build,ingest,sync,swap] [--zaken 30] [--work DIR] [--no-server]

Points of two kinds, each on a fresh copy of the same store:

- timed: the command is killed (SIGKILL) at a share of its measured duration (an uninterrupted
  reference run first measures it and gives the expected end state);
- named: the command kills itself at a checkpoint (``KAMERGRAPH_CRASH_AT``, see
  ``store.generation.crash_point``): before the swap, after the swap's journal, between moving the old
  store away and moving the new one in, between the swap and the generation bump, after the bump,
  half-way through removing the old store, and between a write and its bump.

After each kill, in this order: ``kamergraph validate`` (the first start after the kill: it runs the
recovery and must pass; what the recovery said is kept); the store must hold exactly the state before
the command or the state after it (build, the swap), or a state the command passes through (ingest,
sync: each file or batch one transaction); no leftovers may remain (``{store}.rebuild``, ``.old``,
``.swap``, temporary files of the generation marker, a pending generation, a held RocksDB lock);
then the command again (it must end as the reference run did, with the same store), ``validate``
again, and the server's app opened on the store with one request (``--no-server`` skips that).
The dataset description graph is left out of the comparisons: it records when it was made.

Prints one line per point and the totals: points, inconsistent stores, leftovers, failed restarts.
The test suite runs a fixed few of these points (``tests/reliability/test_crash_recovery.py``).
Only loopback addresses are used (the sync's upstream is replayed over 127.0.0.1).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA = ROOT / "data"
ODATA = DATA / "tk-odata" / "zaken-schriftelijke-vragen.jsonl.gz"
SEED = "2019Z15231"
BASE = "https://kamergraph.nl/"
DESCRIPTION = BASE + "graph/dataset/beschrijving"
SINCE = "2024-10-01T00:00:00+00:00"
SWAP_POINTS = ("build-before-swap", "swap-journal", "swap-moved-old", "swap-renamed", "swap-bumped", "cleanup")
SHARES = (0.15, 0.3, 0.45, 0.6, 0.75, 0.9)


@dataclass
class Point:
    command: str  # build | ingest | sync | swap
    name: str  # "35%" for a timed kill, else the checkpoint
    share: float | None = None
    crash_at: str | None = None


@dataclass
class Outcome:
    point: Point
    killed: bool = False
    recovery: list[str] = field(default_factory=list)
    validate_ok: bool = False
    consistent: bool = False
    state: str = ""
    leftovers: list[str] = field(default_factory=list)
    restart_ok: bool = False
    server_ok: bool | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return (self.validate_ok and self.consistent and not self.leftovers and self.restart_ok
                and self.server_ok is not False)

    def line(self) -> str:
        srv = "-" if self.server_ok is None else ("ok" if self.server_ok else "FAIL")
        return (f"{self.point.command:<7} {self.point.name:<18} killed={'yes' if self.killed else 'no ':<3} "
                f"validate={'ok' if self.validate_ok else 'FAIL':<4} state={self.state:<12} "
                f"leftovers={len(self.leftovers)} restart={'ok' if self.restart_ok else 'FAIL':<4} server={srv:<4} "
                + ("; ".join(self.recovery) if self.recovery else "") + (f" !! {self.detail}" if self.detail else ""))


# --------------------------------------------------------------------------- processes


class Work:
    """A work folder and the environment the commands run in (nothing of it in the repository)."""

    def __init__(self, root: Path, **env: str) -> None:
        self.root = root
        self.env = dict(os.environ)
        self.env.pop("KAMERGRAPH_CRASH_AT", None)
        self.env.update(PYTHONPATH=str(ROOT), KAMERGRAPH_DUMPS_DIR=str(root / "dumps"),
                        KAMERGRAPH_REPORT=str(root / "build-report.json"),
                        KAMERGRAPH_SYNC_REPORT=str(root / "sync-report.json"), KAMERGRAPH_QUERY_WORKERS="1",
                        KAMERGRAPH_SYNC_RATE="0")
        self.env.update(env)

    def popen(self, argv: list[str], crash_at: str | None = None) -> subprocess.Popen:
        env = dict(self.env)
        if crash_at:
            env["KAMERGRAPH_CRASH_AT"] = crash_at
        return subprocess.Popen([sys.executable, "-m", "kamergraph.cli", *argv], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def run(self, argv: list[str], timeout: float = 900, crash_at: str | None = None) -> tuple[int, str, str]:
        p = self.popen(argv, crash_at)
        out, err = p.communicate(timeout=timeout)
        return p.returncode, out, err


def kill_at(p: subprocess.Popen, seconds: float) -> bool:
    """SIGKILL ``p`` after ``seconds`` (if it is still running then); True if it was killed."""
    try:
        p.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
    p.communicate()
    return p.returncode == -signal.SIGKILL


# --------------------------------------------------------------------------- looking at a store


State = dict[Any, frozenset[str]]


def quads(store: Path) -> State:
    """The store's statements graph by graph (N-Quads lines), but those of the dataset description."""
    from pyoxigraph import Store

    s = Store.read_only(str(store))
    graphs: dict[Any, set[str]] = {}
    for q in s:
        g = getattr(q.graph_name, "value", None)
        if g != DESCRIPTION:
            graphs.setdefault(g, set()).add(str(q))
    del s
    return {g: frozenset(v) for g, v in graphs.items()}


def size(state: State) -> int:
    return sum(len(v) for v in state.values())


def leftovers(store: Path) -> list[str]:
    """What a stopped process may leave beside the store and the next start must have removed."""
    from store import generation
    from store.embedded import _locked

    found = [p.name for p in store.parent.iterdir()
             if p.name in (f"{store.name}.rebuild", f"{store.name}.old", f"{store.name}.swap")
             or (p.name.startswith((f"{store.name}.generation.", f"{store.name}.swap.")) and p.name.endswith(".tmp"))]
    if (generation.token(store) or "").startswith(generation.PENDING):
        found.append("pending generation token")
    if store.exists() and _locked(store):
        found.append("the store's lock is held")
    if not store.exists():
        found.append("no store")
    return found


def copy_store(src: Path, dest: Path) -> Path:
    if dest.parent.exists():
        shutil.rmtree(dest.parent)
    dest.parent.mkdir(parents=True)
    shutil.copytree(src, dest)
    marker = src.with_name(src.name + ".generation")
    if marker.exists():
        shutil.copy2(marker, dest.with_name(dest.name + ".generation"))
    return dest


SERVE_ONCE = """
import sys
from fastapi.testclient import TestClient
from kamergraph.settings import Settings
from server.app import create_app
if __name__ == "__main__":
    p = sys.argv[1]
    with TestClient(create_app(Settings(store=p, query_workers=1), p)) as c:
        r = c.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                  headers={"Accept": "text/csv"})
        print(r.status_code, r.text.split()[-1])
"""


def server_answers(work: Work, store: Path) -> tuple[bool, str]:
    """The server's app opened on the store (its real worker pool) answers a count over every graph."""
    script = work.root / "serve_once.py"
    if not script.exists():
        script.write_text(SERVE_ONCE, encoding="utf-8")
    r = subprocess.run([sys.executable, str(script), str(store)], cwd=work.root, env=work.env,
                       capture_output=True, text=True, timeout=300)
    parts = r.stdout.split()
    ok = r.returncode == 0 and parts[-2:-1] == ["200"] and parts[-1].isdigit() and int(parts[-1]) > 0
    return ok, "" if ok else (r.stderr.strip().splitlines() or ["no answer"])[-1]


# --------------------------------------------------------------------------- scenarios


class Scenario:
    """A command on a store: its base store, its argv, the reference run's duration and end state."""

    command = ""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.base: Path = work.root / f"base-{self.command}" / "kgstore"
        self.duration = 0.0
        self.before: State = {}
        self.after: State = {}
        self.reference_code = 0

    def argv(self, store: Path, restart: bool = False) -> list[str]:
        raise NotImplementedError

    def fresh(self, name: str) -> Path:
        store = copy_store(self.base, self.work.root / "points" / name / "kgstore")
        self.reset(store)
        return store

    def reset(self, store: Path) -> None:
        """Remove the command's own state beside a fresh store (the sync's cursor)."""

    def reference(self) -> None:
        store = self.fresh("reference")
        self.before = quads(store)
        t0 = time.perf_counter()
        code, _out, err = self.work.run(self.argv(store))
        self.duration = time.perf_counter() - t0
        self.reference_code = code
        if code not in (0, 1) or "Traceback" in err:
            raise SystemExit(f"the reference {self.command} failed ({code}): {err[-2000:]}")
        self.after = quads(store)

    between = False  # whether the command passes through states of some graphs old, some new

    def without_reference(self, code: int = 0) -> None:
        """Skip the reference run (for named points): the end state is then that of the restart, and
        ``code`` the exit code it must end with (a build run twice gives the same store)."""
        self.before = quads(self.fresh("reference"))
        self.after = None  # type: ignore[assignment]
        self.reference_code = code

    def acceptable(self, state: State) -> str:
        """'before', 'after', 'between' (each graph as it was before or as it is after: a state a
        command that writes graph by graph passes through), or '' (inconsistent)."""
        if state == self.before:
            return "before"
        if state == self.after:
            return "after"
        graphs = set(state) | set(self.before) | set(self.after)
        if self.between and all(state.get(g) in (self.before.get(g), self.after.get(g)) for g in graphs):
            return "between"
        return ""

    shares: tuple[float, ...] = SHARES
    named = True  # whether to run the named points too

    def points(self) -> list[Point]:
        return [Point(self.command, f"{round(s * 100)}%", share=s) for s in self.shares]


class BuildScenario(Scenario):
    """`kamergraph build` of a slice of the bundled Zaken onto a store built from a smaller slice."""

    command = "build"

    def __init__(self, work: Work, zaken: int) -> None:
        super().__init__(work)
        self.odata = work.root / "slice.jsonl.gz"
        write_slice(self.odata, zaken)
        build_store(self.base, write_slice(work.root / "slice-base.jsonl.gz", max(1, zaken // 2)))

    def argv(self, store: Path, restart: bool = False) -> list[str]:
        return ["build", "--store", str(store), "--odata", str(self.odata), "--quiet",
                "--report", str(store.parent / "report.json")]

    def points(self) -> list[Point]:
        return super().points() + [Point("build", p, crash_at=p) for p in SWAP_POINTS if self.named]


class IngestScenario(Scenario):
    """`kamergraph ingest` of bundled published texts into a store built without them."""

    command = "ingest"
    between = True  # one transaction per file

    def __init__(self, work: Work, zaken: int, files: int = 16) -> None:
        super().__init__(work)
        build_store(self.base, write_slice(work.root / "slice-ingest.jsonl.gz", zaken))
        self.files = sorted((DATA / "texts").glob("*.txt"))[:files]

    def argv(self, store: Path, restart: bool = False) -> list[str]:
        return ["ingest", "--store", str(store), *map(str, self.files)]

    def points(self) -> list[Point]:
        return super().points()[:5] + [Point("ingest", "write-before-bump", crash_at="write-before-bump")
                                       for _ in range(self.named)]


class SyncScenario(Scenario):
    """`kamergraph sync` from a replayed OData feed (new, changed and deleted Zaken) served on loopback."""

    command = "sync"
    between = True  # one transaction per batch of graphs

    def __init__(self, work: Work, zaken: int, feed: int = 150, page: int = 25) -> None:
        super().__init__(work)
        from tests.kamergraph.sync_helpers import bundled_lines, changed, deleted, write_jsonl

        lines = bundled_lines(DATA)
        base = lines[:zaken]
        self.base_file = write_jsonl(work.root / "sync-base.jsonl", base)
        self.feed = ([changed(base[1], "2024-10-02T09:00:00+02:00", Onderwerp="Een eerdere versie")]
                     + lines[zaken:zaken + feed] + [deleted(base[2], "2024-10-03T09:00:00+02:00")])
        build_store(self.base, self.base_file)
        self.server = Upstream(self.feed, page)
        work.env.update(KAMERGRAPH_TK_ODATA_URL=self.server.odata_url, KAMERGRAPH_SYNC_PAGE_SIZE=str(page))

    def reset(self, store: Path) -> None:
        for p in (Path(f"{store}.sync.json"), Path(f"{store}.sync")):
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()

    def argv(self, store: Path, restart: bool = False) -> list[str]:
        resume = restart and Path(f"{store}.sync.json").exists()  # as an operator would: from the stored cursor
        return ["sync", "--store", str(store), "--odata", str(self.base_file), "--no-texts",
                "--report", str(store.parent / "sync-report.json"), *([] if resume else ["--since", SINCE])]

    def points(self) -> list[Point]:
        return super().points()[:5] + [Point("sync", "write-before-bump", crash_at="write-before-bump")
                                       for _ in range(self.named)]


class Upstream:
    """The recorded OData pages of a feed, served over 127.0.0.1 (any other OData URL: an empty page)."""

    def __init__(self, feed: list[dict[str, Any]], page: int) -> None:
        from kamergraph.sync import SyncOptions
        from tests.kamergraph.sync_helpers import odata_pages, to_odata

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.odata_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/OData/v4/2.0/"
        opts = SyncOptions(odata_url=self.odata_url, page_size=page)
        pages = odata_pages(opts, "Zaak", SINCE, [to_odata(x) for x in feed], page)
        self.httpd.pages = {_key(u): body for u, body in pages}  # type: ignore[attr-defined]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()


def _key(url: str) -> str:
    u = urlsplit(url)
    return u.path + ("?" + u.query if u.query else "")


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = self.server.pages.get(self.path)  # type: ignore[attr-defined]
        if body is None and self.path.startswith("/OData/"):
            body = b'{"value": []}'
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class SwapScenario(Scenario):
    """The store's own rebuild and write (EmbeddedStore.begin_rebuild/adopt, replace_graph) on a tiny
    store, killed at each named point: fast, for the exact places."""

    command = "swap"
    SCRIPT = """
import sys
from store.embedded import EmbeddedStore
p, kind = sys.argv[1], sys.argv[2]
G = "https://kamergraph.nl/graph/test/"
nq = "".join(f"<https://kamergraph.nl/id/t/{i}> <https://w3id.org/kamergraph/def#p> \\"{i}\\" <{G}{i % 3}> .\\n"
             for i in range(int(sys.argv[3])))
s = EmbeddedStore(p)
if kind == "rebuild":
    fresh = s.begin_rebuild()
    fresh.bulk_load(nq.encode())
    s.adopt(fresh)
else:
    s.replace_graph(G + "0", "".join(l for l in nq.splitlines(keepends=True) if l.endswith(f"<{G}0> .\\n")))
s.close()
"""

    def __init__(self, work: Work, kind: str = "rebuild") -> None:
        super().__init__(work)
        self.kind = kind
        self.script = work.root / "swap_once.py"
        self.script.write_text(self.SCRIPT, encoding="utf-8")
        self.base = work.root / f"base-{kind}" / "kgstore"
        if not self.base.exists():
            self.base.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run([sys.executable, str(self.script), str(self.base), "rebuild", "30"], cwd=work.root,
                           env=work.env, check=True)
            recover_quietly(self.base)

    def run_command(self, store: Path, crash_at: str | None) -> tuple[int, str, str]:
        env = dict(self.work.env)
        if crash_at:
            env["KAMERGRAPH_CRASH_AT"] = crash_at
        r = subprocess.run([sys.executable, str(self.script), str(store), self.kind, "60"], cwd=self.work.root,
                           env=env, capture_output=True, text=True, timeout=120)
        return r.returncode, r.stdout, r.stderr

    def reference(self) -> None:
        store = self.fresh("reference-" + self.kind)
        self.before = quads(store)
        t0 = time.perf_counter()
        code, _o, err = self.run_command(store, None)
        self.duration = time.perf_counter() - t0
        if code != 0:
            raise SystemExit(f"the reference swap failed: {err[-2000:]}")
        self.after = quads(store)

    def points(self) -> list[Point]:
        if self.kind == "write":
            return [Point("swap", "write-before-bump", crash_at="write-before-bump")]
        return [Point("swap", p, crash_at=p) for p in SWAP_POINTS[1:]]


def recover_quietly(store: Path) -> None:
    from store.embedded import recover

    recover(store)


def write_slice(dest: Path, n: int) -> Path:
    """The first ``n`` bundled Zaken and the founding case as an OData file of their own."""
    with gzip.open(ODATA, "rt", encoding="utf-8") as fh:
        lines = [ln for i, ln in enumerate(fh) if i < n or f'"{SEED}"' in ln]
    dest.write_bytes(gzip.compress("".join(lines).encode("utf-8")))
    return dest


def build_store(dest: Path, odata: Path) -> None:
    """A store built from an OData file (no published texts), in a process of its own."""
    if dest.exists():
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    code = ("import sys\nfrom pathlib import Path\nfrom kamergraph.build import build\n"
            "from ontology.namespaces import Iris\nfrom store.embedded import EmbeddedStore\n"
            "s = EmbeddedStore(sys.argv[1])\n"
            f"build(s, Path({str(DATA)!r}), Iris({BASE!r}), odata_file=Path(sys.argv[2]), texts=[])\ns.close()\n")
    subprocess.run([sys.executable, "-c", code, str(dest), str(odata)], cwd=ROOT, check=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})


# --------------------------------------------------------------------------- one point


def run_point(sc: Scenario, point: Point, server: bool = True) -> Outcome:
    out = Outcome(point)
    store = sc.fresh(f"{point.command}-{point.name.replace('%', 'pct')}")
    work = sc.work
    if isinstance(sc, SwapScenario):
        code, _o, err = sc.run_command(store, point.crash_at)
        out.killed = code == -signal.SIGKILL
    elif point.crash_at:
        code, _o, err = work.run(sc.argv(store), crash_at=point.crash_at)
        out.killed = code == -signal.SIGKILL
    else:
        p = work.popen(sc.argv(store))
        out.killed = kill_at(p, (point.share or 0.5) * sc.duration)
    if not out.killed:
        out.detail = "the command ended before the point (not killed)"
    # the first start after the kill: validate (it runs the recovery first)
    code, _o, err = work.run(["validate", "--store", str(store)])
    out.validate_ok = code == 0
    out.recovery = [ln.removeprefix("kamergraph: ") for ln in err.splitlines() if ln.startswith("kamergraph: ")]
    if not out.validate_ok:
        out.detail += f" validate: {err.strip()[-300:]}"
    out.leftovers = leftovers(store)
    try:
        killed_state: State | None = quads(store)
    except OSError as exc:
        killed_state = None
        out.detail += f" {exc}"
    # the restart: the command again, to the end, then validate again and the server
    if isinstance(sc, SwapScenario):
        code, _o, err = sc.run_command(store, None)
        restarted = code == 0
    else:
        t0 = time.perf_counter()
        code, _o, err = work.run(sc.argv(store, restart=True))
        if not point.crash_at and killed_state == sc.before:  # a full run: how long the command takes now (the
            sc.duration = time.perf_counter() - t0  # machine's load varies), for the timed points after this one
        restarted = code == sc.reference_code and "Traceback" not in err
    final = quads(store) if store.exists() else {}
    if sc.after is None:  # no reference run: the restart's end state is the one to compare with
        sc.after = final
    out.state = "UNREADABLE" if killed_state is None else (sc.acceptable(killed_state) or "INCONSISTENT")
    out.consistent = out.state not in ("INCONSISTENT", "UNREADABLE")
    again = work.run(["validate", "--store", str(store)])[0] == 0
    out.restart_ok = restarted and again and final == sc.after and not leftovers(store)
    if not out.restart_ok:
        out.detail += f" restart: exit {code}, validate {'ok' if again else 'FAIL'}, " \
                      f"end state {'as the reference' if final == sc.after else 'DIFFERENT'}; {err.strip()[-300:]}"
    if server:
        out.server_ok, why = server_answers(work, store)
        if not out.server_ok:
            out.detail += f" server: {why}"
    shutil.rmtree(store.parent, ignore_errors=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default="swap,build,ingest,sync", help="scenarios to run (comma-separated)")
    ap.add_argument("--zaken", type=int, default=30, help="Zaken in the build slice (the base store: half)")
    ap.add_argument("--work", help="work folder (default: a temporary one, removed afterwards)")
    ap.add_argument("--no-server", action="store_true", help="skip opening the server's app after each point")
    ap.add_argument("--shares", help="the timed points as shares of the duration, e.g. 0.5,0.8 (default: "
                    + ",".join(map(str, SHARES)) + ")")
    ap.add_argument("--timed-only", action="store_true", help="only the timed points")
    args = ap.parse_args()
    root = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="kg-crash-"))
    root.mkdir(parents=True, exist_ok=True)
    work = Work(root)
    outcomes: list[Outcome] = []
    t0 = time.perf_counter()
    try:
        for name in args.only.split(","):
            scenarios = {"swap": lambda: [SwapScenario(work), SwapScenario(work, "write")],
                         "build": lambda: [BuildScenario(work, args.zaken)],
                         "ingest": lambda: [IngestScenario(work, args.zaken)],
                         "sync": lambda: [SyncScenario(work, 100)]}[name]()
            for sc in scenarios:
                if args.shares:
                    sc.shares = tuple(float(x) for x in args.shares.split(","))
                sc.named = not args.timed_only
                sc.reference()
                print(f"# {sc.command}: reference run {sc.duration:.1f} s, {size(sc.before):,} -> {size(sc.after):,} "
                      "quads", flush=True)
                for point in sc.points():
                    o = run_point(sc, point, server=not args.no_server)
                    outcomes.append(o)
                    print(o.line(), flush=True)
                if isinstance(sc, SyncScenario):
                    sc.server.close()
    finally:
        if not args.work:
            shutil.rmtree(root, ignore_errors=True)
    killed = sum(o.killed for o in outcomes)
    print(f"\npoints: {len(outcomes)} ({killed} killed, "
          + ", ".join(f"{c} {sum(o.point.command == c for o in outcomes)}" for c in ("swap", "build", "ingest", "sync"))
          + f") in {time.perf_counter() - t0:.0f} s")
    print(f"inconsistent stores: {sum(not o.consistent or not o.validate_ok for o in outcomes)}")
    print(f"leftovers: {sum(len(o.leftovers) for o in outcomes)}")
    print(f"failed restarts: {sum(not o.restart_ok for o in outcomes)}; "
          f"server failures: {sum(o.server_ok is False for o in outcomes)}; not killed: {len(outcomes) - killed}")
    said = sorted({re.sub(r"\S*/kgstore", "{store}", r.split(" (")[0]) for o in outcomes for r in o.recovery})
    print("what the recovery said (kinds):" + "".join(f"\n  {s}" for s in said))
    return 0 if all(o.ok and o.killed for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
