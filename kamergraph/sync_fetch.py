"""`kamergraph sync`'s first phase: fetch the changes upstream since the cursors into the records mirror,
with the Zaken of changed ZaakActors and the publication texts of new Documents (see :mod:`kamergraph.sync`):
those of the questions and answers, and those of the BNC fiches (Kamerstukken of dossier 22112 whose title
opens with "Fiche", :func:`ingest.bnc.fiche_of_document`), kept apart in ``{texts}/bnc-fiche/`` so that the
text ingest does not read them as questions. The fiches' graphs, which the apply phase makes, are made here too
(:meth:`FetchRun._fiche_graphs`), beside their texts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import httpx

from ingest.errors import ParseError
from ingest.records import SourceRef, ZaakRecord
from ingest.sources.odata import read_jsonl
from ingest.sources.tk_api import Page, parse_odata_page, parse_syncfeed
from kamergraph.sync_http import (
    Fetcher,
    odata_first_url,
    odata_zaken_url,
    pdf_publication_text,
    publication_id,
    syncfeed_first_url,
    xml_publication_text,
)
from kamergraph.sync_state import (
    ANSWER_SOORTEN,
    QUESTION_SOORT,
    SYNCFEED_ENTITIES,
    HttpFailure,
    SyncOptions,
    SyncOutcome,
    SyncReport,
    SyncState,
    sort_time,
    write_atomic,
)

FICHE_TEXTS = "bnc-fiche"  # the folder in the texts folder where the fiches' texts are kept
ZAAK_BATCH = 20  # Zaken asked for at once by id (their ZaakActor changed, not the Zaak)
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class FetchRun:
    """One sync run's state and its fetch phase (:meth:`fetch`); :class:`kamergraph.sync_apply.SyncRun` adds
    the apply phase."""

    def __init__(self, store: Any, data_dir: Path, iris: Any, client: httpx.Client, state: SyncState,
                 options: SyncOptions, report: SyncReport, *, dry_run: bool, base_file: Path | None,
                 dumps_dir: Path | None, fetcher: Fetcher, checkpoint: Callable[[str], None],
                 log: Callable[[str], None]) -> None:
        from kamergraph.inputs import ODATA_FILE  # (ingest's mapping modules load only when a sync runs)

        self.store, self.data_dir, self.iris, self.client, self.state = store, data_dir, iris, client, state
        self.options, self.report, self.dry_run, self.fetcher = options, report, dry_run, fetcher
        self.checkpoint, self.log, self.dumps_dir = checkpoint, log, dumps_dir
        self.base_file = base_file or data_dir / ODATA_FILE
        self.base_name = f"data/{ODATA_FILE}" if base_file is None else str(base_file)
        self.memory_lines: list[dict[str, Any]] = []  # a dry run's pages (never written)
        self.fetched_texts: dict[str, str] = {}  # publication id -> text (dry run: kept in memory)
        self._base: list[ZaakRecord] | None = None
        self._nummers: dict[str, str] | None = None  # Zaak id -> number (for SyncFeed Documents)
        self._pending_before = set(state.pending_texts)  # texts not found in earlier runs: asked for again
        self._run_actors: dict[str, dict[str, str]] = {}  # Zaak id -> {ZaakActor id: GewijzigdOp}, fetched this run
        self._tk_fates: dict[tuple[str, str], Any] = {}  # (entity, Id) -> RecordFate of the member records
        self._run_documents: list[dict[str, Any]] = []  # the Document lines fetched this run (fiches among them)
        self.dossier_ids: dict[str, str] = {}  # Kamerstukdossier Id -> number, of the current records (apply)
        self.fiche_notes: dict[str, list[str]] = {}  # fiche graph -> why nothing was linked (apply)

    # -- base records
    def base_records(self) -> list[ZaakRecord]:
        if self._base is None:
            self._base = [z for z in read_jsonl(self.base_file, self.base_name) if isinstance(z, ZaakRecord)]
        return self._base

    def default_since(self) -> str | None:
        times = [z.gewijzigd_op for z in self.base_records() if z.gewijzigd_op is not None]
        return max(times).isoformat() if times else None

    # -- fetch
    def fetch(self, since: str | None) -> None:
        src = self.options.source
        entities = self.options.entities if src == "odata" else tuple(
            e for e in SYNCFEED_ENTITIES if e in self.options.entities or e in ("ZaakActor", "DocumentActor"))
        if since is not None and not self.dry_run:  # an explicit start is the cursor from now on (also if interrupted)
            for entity in entities:
                self.state.cursors[entity] = {"since": since, "next": None}
            self.state.source = src
            self.state.save()
        for entity in entities:
            cur = {"since": since, "next": None} if since is not None else dict(self.state.cursors.get(entity) or {})
            if src == "odata":
                start = cur.get("since") or self.default_since()
                url = cur.get("next") or odata_first_url(self.options, entity, start)
            else:
                url = cur.get("next") or syncfeed_first_url(self.options, entity)
            try:
                self._follow(entity, url, cur)
            except (HttpFailure, ParseError) as exc:
                self.report.errors.append(f"{entity}: {exc}; this feed stopped here and resumes from this page next time")
                self.log(f"sync: {entity}: {exc}")
        if self.options.fetch_texts:
            self._fiche_texts()
        if self.options.fetch_texts and not self.dry_run:
            self._retry_pending_texts()

    def _follow(self, entity: str, url: str | None, cur: dict[str, Any]) -> None:
        while url:
            accept = "application/json" if self.options.source == "odata" else "application/atom+xml"
            resp = self.fetcher.get(url, accept)
            if resp.status_code != 200:
                raise HttpFailure(url, f"HTTP {resp.status_code}: {resp.text[:200]!r}")
            page: Page = (parse_odata_page(resp.content, url, entity) if self.options.source == "odata"
                          else parse_syncfeed(resp.content, url))
            self.report.pages += 1
            self.checkpoint(f"page {url}")
            lines = [{"entity": e, "source": page.url, "pos": pos, "record": rec} for e, rec, pos in page.entries]
            if self.options.source == "odata" and entity == "ZaakActor":
                lines += self._zaken_of_actors(lines)
            for line in lines:
                self._note_zaak(line)
                self._note_actors(line)
                if line["entity"] == "Document" and self.options.fetch_texts:
                    self._document_text(line)
                    self._run_documents.append(line)
            if self.dry_run:
                self.memory_lines.extend(lines)
            else:
                self.state.append_mirror(lines)
                self.checkpoint(f"stored {url}")
            seen = [str(rec.get("GewijzigdOp")) for _e, rec, _p in page.entries if rec.get("GewijzigdOp")]
            newest = max([cur.get("since") or "", *seen], key=sort_time) or None
            if self.options.source == "odata":
                cur = {"since": newest, "next": page.next_link}
            else:  # the SyncFeed's last next link is where the next sync starts
                cur = {"since": newest, "next": page.next_link or cur.get("next") or url, "done": page.next_link is None}
            self.state.cursors[entity] = cur
            self.state.source = self.options.source
            if not self.dry_run:
                self.state.save()
                self.checkpoint(f"cursor {url}")
            if self.options.source == "syncfeed" and page.next_link is None:
                break
            url = page.next_link

    # -- ZaakActor changes (OData): a changed actor does not change its Zaak's GewijzigdOp
    def _note_actors(self, line: Mapping[str, Any]) -> None:
        """Remember the actor versions of a Zaak fetched in this run (with its actors expanded)."""
        rec = line["record"]
        if line["entity"] == "Zaak" and isinstance(rec.get("ZaakActor"), list) and isinstance(rec.get("Id"), str):
            self._run_actors[rec["Id"]] = {str(a.get("Id")): str(a.get("GewijzigdOp")) for a in rec["ZaakActor"]
                                           if isinstance(a, Mapping)}

    def _zaken_of_actors(self, actor_lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The Zaken (with their actors) of the changed ZaakActors on a page whose change the Zaken fetched
        in this run do not already show; mirrored as Zaak lines, so the next apply re-derives them."""
        want: list[str] = []
        for line in actor_lines:
            a = line["record"]
            zid = a.get("Zaak_Id")
            if not isinstance(zid, str) or not _GUID.match(zid) or zid in want:
                continue
            seen = self._run_actors.get(zid)
            if seen is not None and (seen.get(str(a.get("Id"))) == str(a.get("GewijzigdOp"))
                                     or (a.get("Verwijderd") and str(a.get("Id")) not in seen)):
                continue  # the Zaak as fetched in this run already has this version of the actor
            want.append(zid)
        out: list[dict[str, Any]] = []
        for i in range(0, len(want), ZAAK_BATCH):
            url: str | None = odata_zaken_url(self.options, want[i:i + ZAAK_BATCH])
            while url:
                resp = self.fetcher.get(url, "application/json")
                if resp.status_code != 200:
                    raise HttpFailure(url, f"HTTP {resp.status_code}: {resp.text[:200]!r}")
                page = parse_odata_page(resp.content, url, "Zaak")
                self.checkpoint(f"zaken {url}")
                out += [{"entity": e, "source": page.url, "pos": pos, "record": rec, "via": "ZaakActor"}
                        for e, rec, pos in page.entries]
                url = page.next_link
        return out

    # -- publication texts
    def _with_zaak_nummer(self, doc: Mapping[str, Any]) -> Mapping[str, Any]:
        """A SyncFeed Document links its Zaak by id only (``Zaak_Id``): add the Zaak's number, as OData's
        ``$expand=Zaak($select=Id,Nummer)`` gives it, from the base records and the Zaken fetched so far."""
        if doc.get("Zaak") or not doc.get("Zaak_Id"):
            return doc
        if self._nummers is None:
            self._nummers = {z.id: z.nummer for z in self.base_records()}
            for line in self.state.read_mirror():
                self._note_zaak(line)
        nummer = self._nummers.get(doc["Zaak_Id"])
        return {**doc, "Zaak": [{"Id": doc["Zaak_Id"], "Nummer": nummer}]} if nummer else doc

    def _note_zaak(self, line: Mapping[str, Any]) -> None:
        rec = line["record"]
        if self._nummers is not None and line["entity"] == "Zaak" and isinstance(rec.get("Nummer"), str):
            self._nummers[str(rec.get("Id"))] = rec["Nummer"]

    def _document_text(self, line: dict[str, Any]) -> None:
        doc = line["record"]
        if doc.get("Verwijderd") or doc.get("Soort") not in (QUESTION_SOORT, *ANSWER_SOORTEN):
            return
        pid = publication_id(self._with_zaak_nummer(doc))
        line["publication"] = pid
        if pid is None:
            return
        if self.text_path(pid).exists() or pid in self.fetched_texts:
            return
        self._fetch_text(pid, line["source"], line["pos"])

    def text_path(self, pid: str) -> Path:
        """Where the fetched text of publication ``pid`` is kept: a fiche's (``kst-…``) apart."""
        folder = self.state.texts_dir / FICHE_TEXTS if pid.startswith("kst-") else self.state.texts_dir
        return folder / f"{pid}.txt"

    def dossier_keys(self, lines: list[dict[str, Any]]) -> dict[str, str]:
        """The dossier number of every Kamerstukdossier record in ``lines`` by its Id (a Document links its
        dossier by Id only on the SyncFeed)."""
        from ingest.tk_reference import kamerstukdossier_key

        keys: dict[str, str] = {}
        for line in lines:
            rec = line["record"]
            if line["entity"] == "Kamerstukdossier" and rec.get("Id") is not None:
                try:
                    keys[str(rec["Id"])] = kamerstukdossier_key(rec)
                except ValueError:
                    continue
        return keys

    # -- BNC fiches: their texts
    def _fiche_texts(self) -> None:
        """Fetches the publication text (``kst-22112-{n}``) of every fiche among the Documents of this run whose
        text is not here yet; after every feed, since a Document may name its dossier by an Id whose record
        comes in a later feed."""
        from ingest.bnc import fiche_of_document

        if not self._run_documents:
            return
        keys = self.dossier_keys([*self.state.read_mirror(), *self.memory_lines])
        for line in self._run_documents:
            fiche = fiche_of_document(line["record"], SourceRef(line["source"], line["pos"]), keys)
            if fiche is None:
                continue
            pid = fiche.publication_id
            if not (self.text_path(pid).exists() or pid in self.fetched_texts):
                self._fetch_text(pid, line["source"], line["pos"])
        if not self.dry_run:
            self.state.save()

    def _fetch_text(self, pid: str, source: str, pos: int) -> bool:
        base = self.options.ob_url.rstrip("/") + "/"
        problems = []
        for suffix, reader in ((".xml", xml_publication_text), (".pdf", pdf_publication_text)):
            url = base + pid + suffix
            try:
                resp = self.fetcher.get(url, "application/xml" if suffix == ".xml" else "application/pdf")
            except HttpFailure as exc:
                problems.append(str(exc))
                continue
            if resp.status_code != 200:
                problems.append(f"{url}: HTTP {resp.status_code}")
                continue
            try:
                text = reader(resp.content, url)
            except ParseError as exc:
                problems.append(str(exc))
                continue
            self.fetched_texts[pid] = text
            if not self.dry_run:
                write_atomic(self.text_path(pid), text)
                self.state.pending_texts.pop(pid, None)
            return True
        if not self.dry_run:
            self.state.pending_texts[pid] = {"source": source, "pos": pos, "problems": problems}
        return False

    def _retry_pending_texts(self) -> None:
        for pid, info in list(self.state.pending_texts.items()):
            if pid not in self._pending_before:  # asked for in this run already
                continue
            if not self._fetch_text(pid, info.get("source", ""), info.get("pos", 0)):
                self.report.records.append(SyncOutcome("Document", None, f"{info.get('source')}#{info.get('pos')}",
                                                       "text unavailable", problems=self.state.pending_texts[pid]["problems"]))
        self.state.save()

    # -- BNC fiches: their fates and graphs, for the apply phase (:class:`kamergraph.sync_apply.SyncRun`)
    def _fiche_outcomes(self, lines: list[dict[str, Any]], outcomes: dict[int, SyncOutcome]) -> None:
        """A Document line that is a BNC fiche (or was: deleted) goes with its fiche graph (fate after the apply)."""
        from ingest.bnc import fiche_graph_iri

        for i, out in outcomes.items():
            line = lines[i]
            graph = fiche_graph_iri(line["record"], self.iris, self.dossier_ids) if out.entity == "Document" else None
            if graph is not None:
                out.graph, out.status = graph, "deleted" if line["record"].get("Verwijderd") else "pending"

    def _fiche_graphs(self, documents: Iterable[tuple[Mapping[str, Any], SourceRef]], graphs: dict[str, Any],
                      records: set[str]) -> None:
        """Adds the graph of every BNC fiche among ``documents`` (:func:`ingest.bnc.fiche_graph`, with its fetched
        text if any) to ``graphs`` and ``records``; why a fiche links nothing goes to ``self.fiche_notes``."""
        from ingest.bnc import fiche_graph, fiche_graph_iri, fiche_of_document

        for rec, src in documents:
            fiche = fiche_of_document(rec, src, self.dossier_ids)
            if fiche is None:
                continue
            path = self.text_path(fiche.publication_id)
            text = self.fetched_texts.get(fiche.publication_id) or (
                path.read_text(encoding="utf-8") if path.exists() else None)
            mg, notes = fiche_graph(rec, src, text, self.iris, self.dossier_ids)
            if notes:
                self.fiche_notes[fiche_graph_iri(rec, self.iris, self.dossier_ids)] = notes
            if mg is not None:
                graphs[mg.iri] = mg
                records.add(mg.iri)
