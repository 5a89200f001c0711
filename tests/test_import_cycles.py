"""No module of the project imports a module that imports it back, directly or through others.

The test reads every module's source with :mod:`ast` (nothing is imported) and follows every import
statement: at module level, inside functions (lazy imports) and under ``if TYPE_CHECKING:`` alike,
because each of them is a dependency a reader has to follow. ``from package import name`` counts as an
import of the submodule ``package.name`` when there is one, and of ``package`` otherwise. A circle is
reported as the chain of imports that closes it, each with its file and line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Import:
    target: str
    file: Path
    line: int


def packages(root: Path) -> list[str]:
    """The project's top-level packages: folders at the root with an ``__init__.py``."""
    return sorted(p.name for p in root.iterdir() if (p / "__init__.py").is_file())


def modules(root: Path) -> dict[str, Path]:
    """Every module of the project's packages, by dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for top in packages(root):
        for path in sorted((root / top).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> Iterator[Import]:
    """The project modules that the module ``name`` (file ``path``) imports, wherever the statement is."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                # `import a.b.c` imports a, a.b and a.b.c; the deepest project module is the dependency
                parts = alias.name.split(".")
                for n in range(len(parts), 0, -1):
                    if ".".join(parts[:n]) in known:
                        yield Import(".".join(parts[:n]), path, node.lineno)
                        break
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                if sub in known:
                    yield Import(sub, path, node.lineno)
                elif module in known:
                    yield Import(module, path, node.lineno)


def graph(root: Path) -> dict[str, list[Import]]:
    known = modules(root)
    edges: dict[str, list[Import]] = {}
    for name, path in known.items():
        edges[name] = [imp for imp in imports_of(name, path, known) if imp.target != name]
    return edges


def cycles(edges: dict[str, list[Import]]) -> list[tuple[list[str], list[Import]]]:
    """Every circle: its modules (a strongly connected set, found with Tarjan's algorithm, iterative)
    and one chain of imports that closes it (a shortest path from its first module back to itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = [imp.target for imp in edges.get(node, [])]
            if i < len(targets):
                work.append((node, i + 1))
                nxt = targets[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return [(component, _closing_chain(component, edges)) for component in components]


def _closing_chain(component: list[str], edges: dict[str, list[Import]]) -> list[Import]:
    """The shortest chain of imports inside ``component`` from its first module back to itself."""
    members = set(component)
    first = component[0]
    paths: dict[str, list[Import]] = {first: []}
    frontier = [first]
    while frontier:
        nxt_frontier = []
        for node in frontier:
            for imp in edges[node]:
                if imp.target not in members:
                    continue
                if imp.target == first:
                    return [*paths[node], imp]
                if imp.target not in paths:
                    paths[imp.target] = [*paths[node], imp]
                    nxt_frontier.append(imp.target)
        frontier = nxt_frontier
    raise AssertionError(f"no chain back to {first} in {component}")  # a strongly connected set always has one


def describe(chain: list[Import], root: Path, members: list[str] | None = None) -> str:
    """The chain as lines ``module / imports X (file:line) / …``, after the circle's members if given."""
    steps = [f"  imports {imp.target}  ({imp.file.relative_to(root)}:{imp.line})" for imp in chain]
    head = [f"circle of {len(members)} modules: {', '.join(members)}"] if members else []
    return "\n".join([*head, chain[-1].target, *steps])


def test_no_module_imports_a_module_that_imports_it_back() -> None:
    found = cycles(graph(ROOT))
    report = "\n\n".join(describe(chain, ROOT, members) for members, chain in found)
    print(f"import cycles in {', '.join(packages(ROOT))}: {len(found)}" + (f"\n{report}" if report else ""))
    assert not found, f"{len(found)} import circle(s):\n{report}"


def test_the_walk_finds_every_kind_of_import_circle(tmp_path: Path) -> None:
    """The check itself can fail: a small package with one circle of each kind the walk must see."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from pkg.sub import c  # a package importing its own module: no circle\n")
    files = {
        # a lazy import inside a function closes a circle too
        "a.py": "from pkg import b\n",
        "b.py": "def f():\n    from pkg.a import x\n",
        # a TYPE_CHECKING import and a relative import
        "sub/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..d import y\n",
        "d.py": "from .sub import c\n",
        # `import a.b` form, and a module without circle
        "e.py": "import pkg.f\n",
        "f.py": "import pkg.e as e\n",
        "g.py": "import pkg.a\nfrom pkg import e\n",
    }
    for name, text in files.items():
        (pkg / name).write_text(text)
    found = {tuple(members) for members, _ in cycles(graph(tmp_path))}
    assert found == {("pkg.a", "pkg.b"), ("pkg.d", "pkg.sub.c"), ("pkg.e", "pkg.f")}, found
    chain = next(c for members, c in cycles(graph(tmp_path)) if members == ["pkg.a", "pkg.b"])
    assert "b.py:2" in describe(chain, tmp_path) and "a.py:1" in describe(chain, tmp_path)
