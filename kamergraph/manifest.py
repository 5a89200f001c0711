"""The dump release's ``manifest.json`` as the dataset description reads it: its files (format, media type,
size, triple count, checksum, date), every field checked."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"


class DatasetError(Exception):
    """The dataset description could not be made (a bad manifest, a store that cannot be counted)."""


@dataclass(frozen=True)
class DumpFile:
    file: str
    format: str
    media_type: str
    encoding: str | None
    bytes: int
    triples: int | None
    sha256: str
    created: str


@dataclass(frozen=True)
class Manifest:
    path: Path
    created: str
    files: tuple[DumpFile, ...]
    triples: int | None = None
    quads: int | None = None


_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_FILE = re.compile(r"^[A-Za-z0-9._-]+$")


def read_manifest(dumps_dir: Path | None) -> Manifest | None:
    """The dump release's manifest, or None when there is none. A bad one raises DatasetError
    naming the file, the place and the problem."""
    if dumps_dir is None:
        return None
    path = Path(dumps_dir) / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}: line {exc.lineno}, column {exc.colno}: not JSON: {exc.msg}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot be read: {exc}") from None
    created = _stamp(path, data, "manifest")
    raw_files = _need(path, data, "files", list, "manifest")
    files = [_dump_file(path, f, f"files[{i}]") for i, f in enumerate(raw_files)]
    counts = {k: data.get(k) for k in ("triples", "quads")}
    for k, v in counts.items():
        if v is not None and (not isinstance(v, int) or isinstance(v, bool)):
            raise DatasetError(f"{path}: manifest.{k}: {v!r} is not a count")
    return Manifest(path, created, tuple(files), counts["triples"], counts["quads"])


def _need(path: Path, obj: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """``obj[key]``, which must be there and of ``kind`` (not a boolean)."""
    if not isinstance(obj, dict) or key not in obj:
        raise DatasetError(f"{path}: {where}: '{key}' is missing")
    value = obj[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise DatasetError(f"{path}: {where}.{key}: {value!r} is not a {getattr(kind, '__name__', kind)}")
    return value


def _stamp(path: Path, obj: Any, where: str) -> str:
    """``obj``'s ``created``: an ISO 8601 date and time."""
    value = _need(path, obj, "created", str, where)
    if not _DATETIME.match(value):
        raise DatasetError(f"{path}: {where}.created: {value!r} is not an ISO 8601 date and time")
    return value


def _dump_file(path: Path, f: Any, where: str) -> DumpFile:
    """One entry of the manifest's ``files``, checked field by field."""
    name = _need(path, f, "file", str, where)
    if not _FILE.match(name):
        raise DatasetError(f"{path}: {where}.file: {name!r} is not a plain file name")
    sha = _need(path, f, "sha256", str, where).lower()
    if not _SHA256.match(sha):
        raise DatasetError(f"{path}: {where}.sha256: {sha!r} is not 64 hexadecimal digits")
    size = _need(path, f, "bytes", int, where)
    if size < 0:
        raise DatasetError(f"{path}: {where}.bytes: {size} is negative")
    triples = f.get("triples")
    if triples is not None and (not isinstance(triples, int) or isinstance(triples, bool) or triples < 0):
        raise DatasetError(f"{path}: {where}.triples: {triples!r} is not a count")
    encoding = f.get("encoding")
    if encoding is not None and not isinstance(encoding, str):
        raise DatasetError(f"{path}: {where}.encoding: {encoding!r} is not a string")
    return DumpFile(name, _need(path, f, "format", str, where), _need(path, f, "media_type", str, where),
                    encoding or None, size, triples, sha, _stamp(path, f, where))
