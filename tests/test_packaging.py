"""An install carries every package of the project: the list in pyproject.toml is the one that setuptools finds."""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_folder_is_installed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    installed = set(find_packages(str(ROOT), include=config["packages"]["find"]["include"]))
    # a package folder: it and every folder above it, up to the root, hold an __init__.py
    folders = {".".join(parts) for parts in (p.parent.relative_to(ROOT).parts for p in ROOT.glob("*/**/__init__.py"))
               if parts[0] != "tests" and all((ROOT.joinpath(*parts[:i]) / "__init__.py").is_file()
                                              for i in range(1, len(parts) + 1))}
    assert folders, "no package folders found"
    assert {"server.pages", "server.search", "ingest.texts", "ingest.citations"} <= folders
    assert installed == folders, f"not installed: {sorted(folders - installed)}; not a folder: {sorted(installed - folders)}"
