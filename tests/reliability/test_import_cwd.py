"""No import depends on the working directory (issue 13 item 10): folders named like the project's
packages, with an __init__.py that raises, in the working directory of a process that starts query
workers or runs the CLI, change nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("store", "server", "queries", "ingest", "shapes", "ontology", "kamergraph")
KG = "https://w3id.org/kamergraph/def#"


@pytest.fixture()
def shadowed(tmp_path: Path) -> Path:
    """A working directory full of shadow packages, and a small real store beside it."""
    cwd = tmp_path / "cwd"
    for name in PACKAGES:
        (cwd / name).mkdir(parents=True)
        (cwd / name / "__init__.py").write_text(
            f"raise RuntimeError('the shadow package {name} in the working directory was imported')\n")
    store = Store(str(tmp_path / "store"))
    g = NamedNode("https://kamergraph.nl/graph/test/a")
    store.extend(Quad(NamedNode(f"https://kamergraph.nl/id/t/{i}"), NamedNode(f"{KG}p"), Literal(f"value {i}"), g)
                 for i in range(5))
    store.flush()
    del store
    return cwd


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    return env


def test_query_workers_ignore_the_working_directory(shadowed: Path) -> None:
    script = shadowed.parent / "start_pool.py"  # outside the working directory: its folder comes first
    script.write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from store.pool import Job, WorkerPool

        if __name__ == "__main__":
            with WorkerPool({str(shadowed.parent / "store")!r}, size=1) as pool:
                print(pool.query("SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }}", timeout=20).values())
                print(pool.run(Job("ASK {{ ?s ?p ?o }}", output="json"), timeout=20).boolean)
    """))
    done = subprocess.run([sys.executable, str(script)], cwd=shadowed, env=_env(), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split("\n")[:2] == ["[{'n': '5'}]", "True"], done.stdout
    assert "shadow package" not in done.stderr


def test_the_cli_ignores_the_working_directory(shadowed: Path) -> None:
    cli = Path(sys.executable).parent / "kamergraph"
    if not cli.exists():
        pytest.fail(f"the kamergraph console script is not installed at {cli}")
    done = subprocess.run([str(cli), "--help"], cwd=shadowed, env=_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "usage" in done.stdout.lower(), done.stderr[-3000:]
