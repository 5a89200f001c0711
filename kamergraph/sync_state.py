"""`kamergraph sync`'s vocabulary: the entities it reads, its errors, its options, its run report, and its
state (the cursors, the records mirror, the fetched texts, the graph hashes), kept beside the store."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENTITIES = ("Zaak", "ZaakActor", "Document", "Persoon", "Fractie", "FractieZetel", "FractieZetelPersoon",
            "Kamerstukdossier")
TK_REFERENCE_ENTITIES = ("Persoon", "Fractie", "FractieZetel", "FractieZetelPersoon")
SYNCFEED_ENTITIES = ("Zaak", "ZaakActor", "Document", "DocumentActor", "Persoon", "Fractie", "FractieZetel",
                     "FractieZetelPersoon", "Kamerstukdossier")
DOCUMENT_SOORTEN = (
    "Schriftelijke vragen",
    "Antwoord schriftelijke vragen",
    "Antwoord schriftelijke vragen (nader)",
    "Mededeling (uitstel antwoord)",
)
QUESTION_SOORT = "Schriftelijke vragen"
ANSWER_SOORTEN = ("Antwoord schriftelijke vragen", "Antwoord schriftelijke vragen (nader)")


class SyncError(Exception):
    """A sync that cannot go on (names the URL or file and the problem)."""


class HttpFailure(SyncError):
    def __init__(self, url: str, problem: str) -> None:
        self.url, self.problem = url, problem
        super().__init__(f"{url}: {problem}")


class Interrupted(BaseException):
    """Raised by a test's checkpoint hook to stop a sync at a given step, like a killed process."""


@dataclass
class SyncOptions:
    odata_url: str = "https://gegevensmagazijn.tweedekamer.nl/OData/v4/2.0/"
    syncfeed_url: str = "https://gegevensmagazijn.tweedekamer.nl/SyncFeed/2.0/"
    ob_url: str = "https://zoek.officielebekendmakingen.nl/"
    source: str = "odata"  # odata | syncfeed
    page_size: int = 250
    retries: int = 6
    backoff: float = 1.0
    backoff_max: float = 60.0
    min_interval: float = 0.25
    fetch_texts: bool = True
    entities: tuple[str, ...] = ENTITIES
    write_batch: int = 500

    @classmethod
    def from_settings(cls, settings: Any) -> SyncOptions:
        return cls(
            odata_url=settings.tk_odata_url,
            syncfeed_url=settings.tk_syncfeed_url,
            ob_url=settings.ob_url,
            source=settings.sync_source,
            page_size=settings.sync_page_size,
            retries=settings.sync_retries,
            backoff=settings.sync_backoff,
            backoff_max=settings.sync_backoff_max,
            min_interval=1.0 / settings.sync_rate if settings.sync_rate > 0 else 0.0,
        )


@dataclass
class SyncOutcome:
    entity: str
    id: str | None
    source: str
    status: str
    graph: str | None = None
    zaak: str | None = None
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"entity": self.entity, "id": self.id, "source": self.source, "status": self.status}
        for k in ("graph", "zaak"):
            if getattr(self, k):
                d[k] = getattr(self, k)
        if self.problems:
            d["problems"] = self.problems
        return d


@dataclass
class SyncReport:
    started: str
    dry_run: bool = False
    source: str = "odata"
    requests: int = 0
    retries: list[str] = field(default_factory=list)
    waited_s: float = 0.0
    pages: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    records: list[SyncOutcome] = field(default_factory=list)
    graphs: dict[str, int] = field(default_factory=dict)
    graph_fates: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    cursors: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return dict(Counter(r.status for r in self.records))

    def as_dict(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "dry_run": self.dry_run,
            "source": self.source,
            "requests": self.requests,
            "pages": self.pages,
            "retries": self.retries,
            "waited_s": round(self.waited_s, 3),
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
            "errors": self.errors,
            "notes": self.notes,
            "counts": self.counts(),
            "graphs": self.graphs,
            "cursors": self.cursors,
            "records": [r.as_dict() for r in self.records],
            "graph_fates": self.graph_fates,
        }

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.as_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)


def write_atomic(path: Path, text: str) -> None:
    """Writes ``text`` to ``path`` through a temporary file beside it, synced, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class SyncState:
    """The cursor per entity and how far the mirror has been applied (``{store}.sync.json``), and the
    folder of the same name without ``.json``: the records mirror, the fetched texts, the graph hashes."""

    VERSION = 1

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.dir = self.path.with_suffix("") if self.path.suffix == ".json" else self.path.with_name(self.path.name + ".d")
        self.cursors: dict[str, dict[str, Any]] = {}
        self.applied_lines = 0
        self.pending_texts: dict[str, dict[str, Any]] = {}
        self.source: str | None = None
        self.describe_pending = False
        self.store_quads: int | None = None  # the store's size when the last sync ended
        if self.path.exists():
            try:
                d = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise SyncError(f"{self.path}: the sync state cannot be read: {exc}") from None
            if not isinstance(d, dict) or d.get("version") != self.VERSION:
                raise SyncError(f"{self.path}: not a kamergraph sync state (version {self.VERSION})")
            self.cursors = d.get("cursors") or {}
            self.applied_lines = int(d.get("applied_lines") or 0)
            self.pending_texts = d.get("pending_texts") or {}
            self.source = d.get("source")
            self.describe_pending = bool(d.get("describe_pending"))
            self.store_quads = d.get("store_quads")

    @property
    def mirror_path(self) -> Path:
        return self.dir / "records.jsonl"

    @property
    def texts_dir(self) -> Path:
        return self.dir / "texts"

    @property
    def hashes_path(self) -> Path:
        return self.dir / "graphs.json"

    def save(self) -> None:
        write_atomic(self.path, json.dumps({
            "version": self.VERSION,
            "source": self.source,
            "cursors": self.cursors,
            "applied_lines": self.applied_lines,
            "pending_texts": self.pending_texts,
            "describe_pending": self.describe_pending,
            "store_quads": self.store_quads,
        }, ensure_ascii=False, indent=1) + "\n")

    # -- the records mirror: one line per fetched entity {"entity", "source", "pos", "record"}
    def read_mirror(self) -> list[dict[str, Any]]:
        if not self.mirror_path.exists():
            return []
        lines = []
        with self.mirror_path.open("r", encoding="utf-8") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.endswith("\n"):
                    break  # a line cut off by an interruption: its page is fetched again
                try:
                    lines.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise SyncError(f"{self.mirror_path}:{n}: broken mirror line ({exc.msg})") from None
        return lines

    def append_mirror(self, lines: list[dict[str, Any]]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.mirror_path
        if path.exists():  # drop a line cut off by an earlier interruption
            data = path.read_bytes()
            if data and not data.endswith(b"\n"):
                with path.open("r+b") as fh:
                    fh.truncate(data.rfind(b"\n") + 1)
        text = "".join(json.dumps(x, ensure_ascii=False, sort_keys=True) + "\n" for x in lines)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())

    def read_hashes(self) -> dict[str, str] | None:
        if not self.hashes_path.exists():
            return None
        try:
            return json.loads(self.hashes_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise SyncError(f"{self.hashes_path}: cannot be read: {exc}") from None

    def write_hashes(self, hashes: Mapping[str, str]) -> None:
        write_atomic(self.hashes_path, json.dumps(dict(sorted(hashes.items())), indent=0) + "\n")


def sort_time(value: str) -> tuple[int, str]:
    """A sort key of a ``GewijzigdOp`` value: as UTC when it reads as an ISO date-time; empty values first."""
    if not value:
        return (0, "")
    try:
        d = dt.datetime.fromisoformat(value)
        if d.tzinfo is None:
            d = d.replace(tzinfo=dt.UTC)
        return (1, d.astimezone(dt.UTC).isoformat())
    except ValueError:
        return (1, value)
