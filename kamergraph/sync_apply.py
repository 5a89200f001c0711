"""`kamergraph sync`'s second phase: apply the records mirror to the store (see :mod:`kamergraph.sync`).

The current records are the base overlaid with the mirror; they go through the build's own stages, and
every graph whose statements differ from what was last stored is validated and replaces its graph. Each
changed graph is validated once, before it is written, with one validator per run; the findings graph
(:mod:`shapes.results`) takes its results from that validation.

The BNC fiches among the latest Documents (:mod:`ingest.bnc`) become graphs of their own, with their
fetched texts: a deleted fiche loses its graph, a changed one is replaced (a build makes none).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import ParseError
from ingest.records import SourceRef, ZaakRecord
from ingest.sources.odata import SOORT as ZAAK_SOORT, parse_zaak
from ingest.sources.tk_api import join_zaak_actors
from kamergraph.sync_fetch import FetchRun
from kamergraph.sync_http import publication_id
from kamergraph.sync_state import ANSWER_SOORTEN, QUESTION_SOORT, TK_REFERENCE_ENTITIES, SyncOutcome, sort_time
from shapes.report import ValidationResult
from shapes.results import replace_results


@dataclass
class _Overlay:
    """What :meth:`SyncRun.current_records` gathers while it reads the lines: the current Zaken by id, the
    graphs of deleted records, the dossier numbers by Id, the latest Persoon records and the latest
    ZaakActors by Zaak id."""

    final: dict[str, ZaakRecord]
    personen: dict[str, Any]
    actors: dict[str, list[dict[str, Any]]]
    deleted_graphs: list[str] = field(default_factory=list)
    dossier_keys: dict[str, str] = field(default_factory=dict)  # Id -> number, of any version (a deleted one may come without it)


class SyncRun(FetchRun):
    """One sync run: the fetch phase (:class:`kamergraph.sync_fetch.FetchRun`) and the apply phase (:meth:`apply`)."""

    # -- the current records
    def current_records(self, lines: list[dict[str, Any]]) -> tuple[list[ZaakRecord], dict[int, SyncOutcome], list[str]]:
        """The records as they stand after ``lines``: the base overlaid with the mirror.

        The latest Persoon, Fractie, FractieZetel and FractieZetelPersoon records (with the places they
        were read) are kept in ``self.tk_records`` and ``self.tk_sources``, the latest Kamerstukdossier records
        in ``self.dossiers``, for :meth:`derive`."""
        latest, where = _latest_records(lines)
        self.tk_records = {
            ent: {k[1]: v for k, v in latest.items() if k[0] == ent} for ent in TK_REFERENCE_ENTITIES}
        self.tk_sources = {k: v for k, v in where.items() if k[0] in TK_REFERENCE_ENTITIES}
        self.dossiers = [(rec, where[k]) for k, rec in latest.items() if k[0] == "Kamerstukdossier"
                         and not rec.get("Verwijderd")]
        self.documents = [(rec, where[k]) for k, rec in latest.items() if k[0] == "Document"
                          and not rec.get("Verwijderd")]
        overlay = _Overlay(final={z.id: z for z in self.base_records()},
                           personen={k[1]: v for k, v in latest.items() if k[0] == "Persoon"},
                           actors=_actors_by_zaak(latest))
        outcomes: dict[int, SyncOutcome] = {}
        for i, line in enumerate(lines):
            outcomes[i] = self._line_outcome(line, overlay)
        self._actor_outcomes(lines, outcomes, overlay.final)
        self.dossier_ids = dict(overlay.dossier_keys)
        self._fiche_outcomes(lines, outcomes)
        _mark_superseded(outcomes)
        live_graphs = {self.iris.zaak_graph(z.nummer) for z in overlay.final.values()}
        return list(overlay.final.values()), outcomes, [g for g in overlay.deleted_graphs if g not in live_graphs]

    def _line_outcome(self, line: Mapping[str, Any], overlay: _Overlay) -> SyncOutcome:
        """What becomes of one mirror line (``pending`` where its graph's fate is known only after the apply)."""
        ent, rec = line["entity"], line["record"]
        src = f"{line['source']}#{line['pos']}"
        rid = rec.get("Id") if isinstance(rec.get("Id"), str) else None
        if ent in TK_REFERENCE_ENTITIES:
            graph = self.iris.reference_graph(
                {"Persoon": "personen", "Fractie": "fracties"}.get(ent, "lidmaatschappen"))
            return SyncOutcome(ent, rid, src, "deleted" if rec.get("Verwijderd") else "pending", graph=graph)
        if ent == "ZaakActor":
            return SyncOutcome(ent, rid, src, "pending")  # its Zaak's fate, in _actor_outcomes
        if ent == "Kamerstukdossier":
            return self._dossier_outcome(line, rid, src, overlay)
        if ent != "Zaak":
            return self._mirrored_outcome(line, rid, src)
        return self._zaak_outcome(line, rid, src, overlay)

    def _dossier_outcome(self, line: Mapping[str, Any], rid: str | None, src: str, overlay: _Overlay) -> SyncOutcome:
        """A Kamerstukdossier line: its graph (by its number), deleted, pending, or unusable without a number."""
        from ingest.tk_reference import kamerstukdossier_key

        ent, rec = line["entity"], line["record"]
        try:
            overlay.dossier_keys[str(rid)] = kamerstukdossier_key(rec)
        except ValueError as exc:
            if not rec.get("Verwijderd"):
                return SyncOutcome(ent, rid, src, "unusable", problems=[
                    f"{line['source']}, entry {line['pos']}: Kamerstukdossier {rid}: {exc}"])
        dkey = overlay.dossier_keys.get(str(rid))
        graph = self.iris.graph("dossier", dkey) if dkey else None
        if rec.get("Verwijderd"):
            if graph:
                overlay.deleted_graphs.append(graph)
            return SyncOutcome(ent, rid, src, "deleted", graph=graph)
        return SyncOutcome(ent, rid, src, "pending", graph=graph)

    def _mirrored_outcome(self, line: Mapping[str, Any], rid: str | None, src: str) -> SyncOutcome:
        """A line kept in the mirror only (a Document, a DocumentActor): for a question or answer Document,
        whether its publication text was fetched."""
        ent, rec = line["entity"], line["record"]
        out = SyncOutcome(ent, rid, src, "mirrored")
        if ent == "Document" and rec.get("Verwijderd"):
            out.status = "deleted (mirrored)"
        elif ent == "Document" and rec.get("Soort") in (QUESTION_SOORT, *ANSWER_SOORTEN):
            pid = line.get("publication") or publication_id(self._with_zaak_nummer(rec))
            if pid is None:
                out.status = "no publication id"
                out.problems.append("no Zaak number (question) or Aanhangselnummer and Vergaderjaar (answer)")
            elif (self.state.texts_dir / f"{pid}.txt").exists() or pid in self.fetched_texts:
                out.status = "text fetched"
                out.graph = self.iris.graph("publicatie", pid)
            elif self.options.fetch_texts:
                out.status = "text unavailable"
                out.problems += self.state.pending_texts.get(pid, {}).get("problems", [])
            else:
                out.status = "mirrored (texts not fetched)"
        return out

    def _zaak_outcome(self, line: Mapping[str, Any], rid: str | None, src: str, overlay: _Overlay) -> SyncOutcome:
        """A Zaak line: it leaves the current Zaken (deleted), is skipped (another Soort), cannot be read, or
        replaces the Zaak of the same id (joined with its latest actors unless it brings its own)."""
        ent, rec = line["entity"], line["record"]
        if rec.get("Verwijderd"):
            old = overlay.final.pop(rid, None) if rid else None
            nummer = rec.get("Nummer") or (old.nummer if old else None)
            graph = self.iris.zaak_graph(nummer) if nummer else None
            if graph:
                overlay.deleted_graphs.append(graph)
            return SyncOutcome(ent, rid, src, "deleted", graph=graph, zaak=nummer)
        if rec.get("Soort") != ZAAK_SOORT:
            return SyncOutcome(ent, rid, src, "skipped", problems=[f"Soort {rec.get('Soort')!r}"])
        actors = overlay.actors
        obj = rec if "ZaakActor" in rec or rid not in actors else join_zaak_actors(rec, actors[rid], overlay.personen)
        try:
            z = parse_zaak(obj, SourceRef(line["source"], line["pos"]))
        except ParseError as exc:
            return SyncOutcome(ent, rid, src, "unparseable", problems=[exc.problem])
        overlay.final[z.id] = z
        return SyncOutcome(ent, z.id, src, "pending", graph=self.iris.zaak_graph(z.nummer), zaak=z.nummer)

    def _actor_outcomes(self, lines: list[dict[str, Any]], outcomes: dict[int, SyncOutcome],
                        final: dict[str, ZaakRecord]) -> None:
        """A ZaakActor line goes with its Zaak's graph, or is skipped when its Zaak is not a current one."""
        for i, out in outcomes.items():
            if out.entity != "ZaakActor":
                continue
            zid = lines[i]["record"].get("Zaak_Id")
            z = final.get(zid) if isinstance(zid, str) else None
            if z is None:
                out.status = "skipped"
                out.problems.append(f"its Zaak {zid} is not a current Zaak of Soort {ZAAK_SOORT!r}")
            else:
                out.graph, out.zaak = self.iris.zaak_graph(z.nummer), z.nummer

    # -- the graphs
    def text_files(self) -> list[Path]:
        from kamergraph.texts import bundled_text_files

        files = bundled_text_files(self.data_dir)
        if self.state.texts_dir.exists():
            files += sorted(self.state.texts_dir.glob("*.txt"))
        if self.dry_run and self.fetched_texts:
            import tempfile

            tmp = Path(tempfile.mkdtemp(prefix="kamergraph-sync-dry-"))
            for pid, text in self.fetched_texts.items():
                (tmp / f"{pid}.txt").write_text(text, encoding="utf-8")
                files.append(tmp / f"{pid}.txt")
        return files

    def text_files_base(self) -> list[Path]:
        from kamergraph.texts import bundled_text_files

        return bundled_text_files(self.data_dir)

    def derive(self, zaken: list[ZaakRecord], texts: list[Path], tk_records: Mapping[str, Mapping[str, Any]] | None = None,
               tk_sources: Mapping[tuple[str, str], SourceRef] | None = None,
               dossiers: Iterable[tuple[Mapping[str, Any], SourceRef]] = (),
               documents: Iterable[tuple[Mapping[str, Any], SourceRef]] = ()
               ) -> tuple[dict[str, Any], set[str], dict[str, list[str]]]:
        """Every graph the build would make of these records: {iri: MappedGraph}, the record graphs
        (validated before loading) and, per text graph, the case graphs it must be validated with.

        ``tk_records`` (entity -> Id -> the latest Persoon, Fractie, FractieZetel, FractieZetelPersoon
        record) are folded into the reference data after its completion
        (:func:`ingest.tk_reference.overlay_tk_records`); what became of each is left in ``self._tk_fates``.
        ``dossiers`` (the latest Kamerstukdossier records, not deleted, and where each was read) become
        record graphs of their own (:func:`ingest.tk_reference.map_kamerstukdossier`); the BNC fiches among the
        ``documents`` (the latest Documents, not deleted, and where each was read) too (:meth:`_fiche_graphs`)."""
        from kamergraph.inputs import content_digest, files_key, memoised_on

        # what the graphs of the records and texts follow from; the same within a process (a sync every
        # hour in a server, the tests' many syncs of one feed): derived once
        key = (self.iris.base, str(self.data_dir), files_key([self.data_dir]), files_key(texts), tuple(zaken),
               content_digest(tk_records or {}, sorted((tk_sources or {}).items())))
        fates, core, core_records, text_outcomes = memoised_on(
            "sync-derive", key, lambda: self._derive_records(zaken, texts, tk_records, tk_sources))
        if fates is not None:
            self._tk_fates = fates
        graphs, records = dict(core), set(core_records)
        self._dossier_graphs(dossiers, graphs, records)
        self._fiche_graphs(documents, graphs, records)
        companions: dict[str, list[str]] = {}
        for t in text_outcomes:
            if t.graph is None:
                continue
            graphs[t.graph.iri] = t.graph
            records.add(t.graph.iri)
            companions[t.graph.iri] = [self.iris.zaak_graph(t.resolved.kamervraag)] if t.resolved and t.resolved.kamervraag else []
        # a text graph is validated with its case and with the other texts (an answer may be what types its case)
        texts_all = list(companions)
        for g in texts_all:
            companions[g] = companions[g] + texts_all
        return graphs, records, companions

    def _derive_records(self, zaken: list[ZaakRecord], texts: list[Path],
                        tk_records: Mapping[str, Mapping[str, Any]] | None,
                        tk_sources: Mapping[tuple[str, str], SourceRef] | None) -> tuple[Any, dict[str, Any], set[str], list[Any]]:
        """The part of :meth:`derive` that follows from the records, the texts and the member records only:
        the member records' fates (None when there are none), the context and case graphs, the case graphs'
        IRIs and the texts' outcomes."""
        from ingest.map import map_kamervraag
        from ingest.resolve import Resolver
        from ingest.resolve_text import TextResolver, post_evidence
        from kamergraph.inputs import context_graphs, publication_ids
        from kamergraph.texts import process_texts

        pub_ids = publication_ids(self.data_dir)
        ref = self._reference(zaken, tk_records, tk_sources, texts, pub_ids)
        fates = self._tk_fates if tk_records and any(tk_records.values()) else None
        resolver = Resolver(ref)
        graphs = {g.iri: g for g in context_graphs(ref, self.iris)}
        records: set[str] = set()
        # the texts first: the posts they name settle the addressees of their Zaken, as in the build
        text_outcomes = process_texts(texts, self.data_dir, TextResolver(ref, resolver, zaken), pub_ids, self.iris)
        evidence = post_evidence(t.resolved for t in text_outcomes if t.resolved is not None)
        for z in zaken:
            mg = map_kamervraag(resolver.resolve(z, pub_ids, evidence.get(z.nummer, ())), self.iris)
            graphs[mg.iri] = mg
            records.add(mg.iri)
        return fates, graphs, records, text_outcomes

    def _reference(self, zaken: list[ZaakRecord], tk_records: Mapping[str, Mapping[str, Any]] | None,
                   tk_sources: Mapping[tuple[str, str], SourceRef] | None, texts: Iterable[Path] = (),
                   pub_ids: frozenset[str] = frozenset()) -> Any:
        """The bundled reference data with the member records ``tk_records`` folded in (their fates left in
        ``self._tk_fates``), then completed from ``zaken`` and the fracties the ``texts`` print (an asker in
        no list gets the fractie a text prints, naming that text, as in the build)."""
        from ingest.infer import complete_reference
        from kamergraph.inputs import reference_data
        from kamergraph.texts import printed_in_texts

        ref = reference_data(self.data_dir)
        if tk_records and any(tk_records.values()):
            from ingest.tk_reference import overlay_tk_records

            ref, self._tk_fates = overlay_tk_records(
                ref, tk_records.get("Persoon", {}), tk_records.get("Fractie", {}), tk_records.get("FractieZetel", {}),
                tk_records.get("FractieZetelPersoon", {}), dict(tk_sources or {}))
        # completed after the member records are in, as a build completes a member list that has them: an
        # asker the records now list is that person, not also a person inferred from the questions
        return complete_reference(ref, zaken, printed_in_texts(texts, self.data_dir, pub_ids))

    def _dossier_graphs(self, dossiers: Iterable[tuple[Mapping[str, Any], SourceRef]], graphs: dict[str, Any],
                        records: set[str]) -> None:
        """Adds the graph of every usable Kamerstukdossier record to ``graphs`` and ``records``."""
        if not dossiers:
            return
        from ingest.tk_reference import map_kamerstukdossier

        for rec, src in dossiers:
            try:
                mg = map_kamerstukdossier(rec, src, self.iris)
            except ValueError:
                continue  # reported as unusable by current_records
            graphs[mg.iri] = mg
            records.add(mg.iri)

    # -- apply
    def apply(self) -> None:
        """Reads the mirror, derives every graph, validates the changed record graphs and writes them (in a dry
        run: only reports what would change). Every line not applied before gets its fate in the report."""
        timings = self.report.timings
        t0 = time.perf_counter()
        mirror = self.state.read_mirror()
        all_lines = mirror + self.memory_lines
        pending_from = min(self.state.applied_lines, len(mirror))
        zaken, outcomes, _deleted = self.current_records(all_lines)
        pending = [outcomes[i] for i in range(pending_from, len(all_lines)) if i in outcomes]
        timings["read"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        hashes = self._stored_hashes()
        graphs, record_graphs, companions = self.derive(zaken, self.text_files(), self.tk_records, self.tk_sources,
                                                        self.dossiers, self.documents)
        self._member_fates(pending)
        for out in pending:  # a fiche with nothing linked: why, and no graph (an earlier one leaves the store)
            if out.entity == "Document" and out.graph in self.fiche_notes:
                out.problems += self.fiche_notes[out.graph]
                if out.graph not in graphs and out.status == "pending":
                    out.status = "fiche not linked"
        timings["derive"] = time.perf_counter() - t0

        changed = [g for g, m in graphs.items() if hashes.get(g) != _sha(m.nquads)]
        removed = sorted(g for g in hashes if g not in graphs)
        to_check = [g for g in changed if g in record_graphs]

        t0 = time.perf_counter()
        rejected, results = _violations(graphs, record_graphs, companions, to_check,
                                        [g for g in changed if g not in record_graphs])
        timings["validate"] = time.perf_counter() - t0

        self._report_fates(pending, graphs, changed, removed, rejected)
        if self.dry_run:
            return

        t0 = time.perf_counter()
        self._write(graphs, hashes, changed, removed, rejected, results)
        self.state.applied_lines = len(mirror)
        self.state.store_quads = len(self.store)
        self.state.save()
        timings["write"] = time.perf_counter() - t0

    def _stored_hashes(self) -> dict[str, str]:
        """The hash of every stored graph as the last sync left it; at the first sync, or when the store changed
        since (a note says so), those of the graphs the build made from the base records."""
        hashes = self.state.read_hashes()
        if hashes is not None and self.state.store_quads is not None and len(self.store) != self.state.store_quads:
            # the store is not as the last sync left it (a build since, or a run stopped mid-write): compare afresh
            self.report.notes.append(
                f"the store has {len(self.store):,} quads, not the {self.state.store_quads:,} the last sync left "
                "(a build since, or a sync stopped while writing): its graphs are compared with the records afresh")
            hashes = None
        if hashes is None:  # the first sync: what the build stored, derived from the same base
            present = set(self.store.named_graphs())
            hashes = {g: h for g, h in self._base_hashes().items() if g in present}
            if not self.dry_run:
                self.state.write_hashes(hashes)
                self.checkpoint("hashes")
        return hashes

    def _base_hashes(self) -> dict[str, str]:
        """The hash of every graph the build makes of the base records and the bundled texts, derived
        once per process for as long as the base file and the data folder stay as they are
        (:func:`kamergraph.inputs.memoised`; the graphs follow from these files, the names they are
        given and the base IRI only)."""
        from kamergraph.inputs import memoised

        def derive_base() -> dict[str, str]:
            base_graphs, _r, _c = self.derive(self.base_records(), self.text_files_base())
            return {g: _sha(m.nquads) for g, m in base_graphs.items()}

        # the names the graphs' provenance gives the files are part of the key, not only the files
        return memoised("base-graph-hashes", Path(self.base_file), derive_base,
                        also=(self.data_dir, str(self.data_dir), self.base_name, self.iris.base))

    def _member_fates(self, pending: list[SyncOutcome]) -> None:
        """A pending member record (Persoon, Fractie, FractieZetel, FractieZetelPersoon) gets what became of it
        in the reference data: still pending (its graph's fate decides), unchanged, unused or unusable."""
        tk_status = {"added": "pending", "updated": "pending", "used": "pending", "unchanged": "unchanged",
                     "unused": "unused", "unusable": "unusable"}
        for out in pending:
            f = self._tk_fates.get((out.entity, out.id or "")) if out.entity in TK_REFERENCE_ENTITIES else None
            if f is None or out.status != "pending":
                continue
            out.status = tk_status.get(f.status, out.status)
            out.problems += f.problems
            if out.status == "unusable":
                out.graph = None
            elif f.status == "unused" and out.entity == "Persoon":
                out.problems.append("a person no fractie period refers to: not a member, not added")

    def _report_fates(self, pending: list[SyncOutcome], graphs: dict[str, Any], changed: list[str],
                      removed: list[str], rejected: dict[str, list[str]]) -> None:
        """Every pending line gets its graph's fate (loaded, rejected, deleted, unchanged; in a dry run "would
        load", "would delete"); the report gets the lines, the fates of graphs no line names, and the counts."""
        fate: dict[str, str] = {}
        for g in changed:
            fate[g] = "rejected" if g in rejected else ("would load" if self.dry_run else "loaded")
        for g in removed:
            fate[g] = "would delete" if self.dry_run else "deleted"
        for out in pending:
            if out.entity == "Document" and out.status == "text fetched" and out.graph in fate:
                out.status = "text fetched, " + fate[out.graph]
                out.problems += rejected.get(out.graph, [])
                continue
            if out.status != "pending":
                continue
            if out.graph in fate:
                out.status = fate[out.graph]
                out.problems += rejected.get(out.graph, [])
            else:
                out.status = "unchanged"
        for out in pending:
            if out.status == "deleted" and out.graph not in fate:
                out.status = "deleted (already absent)"
            elif out.status == "deleted" and self.dry_run:
                out.status = "would delete"
        self.report.records.extend(pending)
        seen = {o.graph for o in pending}
        self.report.graph_fates = [{"graph": g, "status": s, **({"problems": rejected[g]} if g in rejected else {})}
                                   for g, s in sorted(fate.items()) if g not in seen]
        self.report.graphs = {
            "changed": len(changed) - len(rejected), "removed": len(removed), "rejected": len(rejected),
            "unchanged": len(graphs) - len(changed),
        }

    def _write(self, graphs: dict[str, Any], hashes: dict[str, str], changed: list[str], removed: list[str],
               rejected: dict[str, list[str]], results: Mapping[str, list[ValidationResult]]) -> None:
        """Removes the removed graphs, writes the changed ones not rejected (in batches) with their validation
        ``results`` (by graph) in the findings graph, and describes the dataset afresh; the hashes are written
        after every step, so an interrupted run resumes there."""
        if (changed or removed) and not self.state.describe_pending:
            # the dataset description is recomputed after the writes, also when a run stopped in between
            self.state.describe_pending = True
            self.state.save()
        replace_graphs(self.store, [], removed)
        replace_results(self.store, self.iris, [], [], removed)
        for g in removed:
            hashes.pop(g, None)
        self.state.write_hashes(hashes)
        self.checkpoint("removed")
        to_write = [g for g in changed if g not in rejected]
        batch = max(1, self.options.write_batch)
        for i in range(0, len(to_write), batch):
            part = to_write[i:i + batch]
            replace_graphs(self.store, [(g, graphs[g].nquads) for g in part])
            replace_results(self.store, self.iris, [r for g in part for r in results.get(g, ())], part)
            for g in part:
                hashes[g] = _sha(graphs[g].nquads)
            self.state.write_hashes(hashes)
            self.checkpoint(f"written {i + batch}")
        if self.state.describe_pending:
            from kamergraph.aggregates import refresh_aggregates
            from kamergraph.dataset import load_description

            refresh_aggregates(self.store, self.iris)  # recounted before the description counts the store
            load_description(self.store, self.iris, self.dumps_dir)
            self.checkpoint("described")
            self.state.describe_pending = False


def _latest_records(lines: list[dict[str, Any]]) -> tuple[dict[tuple[str, str], dict[str, Any]],
                                                          dict[tuple[str, str], SourceRef]]:
    """The latest version of every record in ``lines`` by (entity, Id), and where each was read. A member
    period read on OData comes with its seat, the seat's fractie and the person expanded: those count as
    read there too, unless a later version of them was read themselves."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    where: dict[tuple[str, str], SourceRef] = {}
    for line in lines:
        rec = line["record"]
        ent = line["entity"]
        if ent in ("FractieZetel", "FractieZetelPersoon"):
            # expanded with the period (OData): its seat, the seat's fractie and the person, unless read themselves
            nested = [("FractieZetel", rec.get("FractieZetel")), ("Persoon", rec.get("Persoon")),
                      ("Fractie", rec.get("Fractie"))]
            if isinstance(rec.get("FractieZetel"), Mapping):
                nested.append(("Fractie", rec["FractieZetel"].get("Fractie")))
            for n_ent, n_rec in nested:
                if isinstance(n_rec, Mapping) and isinstance(n_rec.get("Id"), str):
                    k = (n_ent, n_rec["Id"])
                    if k not in latest or sort_time(str(n_rec.get("GewijzigdOp") or "")) > sort_time(
                            str(latest[k].get("GewijzigdOp") or "")):
                        latest[k] = {f: v for f, v in n_rec.items() if not isinstance(v, (Mapping, list))}
                        where[k] = SourceRef(line["source"], line["pos"])
        latest[(ent, str(rec.get("Id")))] = rec
        where[(ent, str(rec.get("Id")))] = SourceRef(line["source"], line["pos"])
    return latest, where


def _actors_by_zaak(latest: Mapping[tuple[str, str], dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The latest ZaakActor records by their Zaak's id."""
    actors: dict[str, list[dict[str, Any]]] = {}
    for (ent, _id), rec in latest.items():
        if ent == "ZaakActor" and rec.get("Zaak_Id"):
            actors.setdefault(rec["Zaak_Id"], []).append(rec)
    return actors


def _mark_superseded(outcomes: dict[int, SyncOutcome]) -> None:
    """A record that comes again later in the run: the later version is the one applied."""
    last_index: dict[tuple[str, str | None], int] = {}
    for i, out in outcomes.items():
        last_index[(out.entity, out.id)] = i
    for i, out in outcomes.items():
        if out.id is not None and last_index[(out.entity, out.id)] != i:
            out.status = "superseded"


def _violations(graphs: dict[str, Any], record_graphs: set[str], companions: dict[str, list[str]],
                to_check: list[str], also: Iterable[str] = ()) -> tuple[dict[str, list[str]],
                                                                    dict[str, list[ValidationResult]]]:
    """Validates the record graphs ``to_check`` and the changed context graphs ``also`` once, in a staging
    store with the context graphs and each record graph's companions, with one validator. Returns the shape
    violations of the record graphs (by graph: they are not written) and every result by graph (what the
    findings graph gets for the graphs written)."""
    from pyoxigraph import RdfFormat, Store as OxStore

    from shapes.validate import FastValidator

    rejected: dict[str, list[str]] = {}
    by_graph: dict[str, list[ValidationResult]] = {}
    focus = [*to_check, *also]
    if focus:
        staging = OxStore()
        context = [g for g in graphs if g not in record_graphs]
        need = set(context) | set(to_check) | {c for g in to_check for c in companions.get(g, ()) if c in graphs}
        staging.bulk_load("".join(graphs[g].nquads for g in need).encode("utf-8"), format=RdfFormat.N_QUADS)
        result = FastValidator().validate_store(staging, graphs=focus)
        del staging
        checked = set(to_check)
        for r in result.results:
            by_graph.setdefault(r.graph or "", []).append(r)
            if r.severity == "Violation" and r.graph in checked:
                rejected.setdefault(r.graph, []).append(
                    f"{r.message} (focus {r.focus_node}, path {r.path}, shape {r.source_shape})")
    return rejected, by_graph


def replace_graphs(store: Any, replace: list[tuple[str, str]], remove: Iterable[str] = ()) -> None:
    """Replace (and remove) named graphs: on the embedded store in one transaction (one SPARQL update,
    one flush), elsewhere one transaction per graph."""
    from store.embedded import EmbeddedStore

    remove = list(remove)
    if not isinstance(store, EmbeddedStore):
        for g in remove:
            store.remove_graph(g)
        for g, nquads in replace:
            store.replace_graph(g, nquads)
        return
    parts = [f"DROP SILENT GRAPH <{g}>" for g in remove]
    for g, nquads in replace:
        parts += _replacement(store.ox, g, nquads)
    if not parts:
        return
    from store import generation
    from store.base import StoreError

    if store.path is not None:  # a sync stopped before the bump below is bumped by the next command's recovery
        generation.pending(store.path)
    try:
        store.ox.update(" ;\n".join(parts))
    except (OSError, ValueError, SyntaxError) as exc:
        raise StoreError(f"cannot replace {len(replace)} graphs: {exc}") from None
    if store.path is not None:
        store.flush()
        generation.crash_point("write-before-bump")
        generation.bump(store.path)


def _replacement(ox: Any, g: str, nquads: str) -> list[str]:
    """The update operations that make graph ``g`` hold exactly the statements of ``nquads``: only what
    changed (DELETE DATA of the statements that go, INSERT DATA of those that come), so that a large
    reference graph in which one member changed costs a few lines, not the whole graph parsed again as
    SPARQL; a graph with blank nodes (DELETE DATA cannot name them) is dropped and inserted whole."""
    from pyoxigraph import BlankNode, NamedNode, RdfFormat, parse, serialize

    new = {q.triple for q in parse(nquads, format=RdfFormat.N_QUADS)} if nquads else set()
    old = {q.triple for q in ox.quads_for_pattern(None, None, None, NamedNode(g))}
    if not new:
        return [f"DROP SILENT GRAPH <{g}>"]

    def blank(ts: set[Any]) -> bool:
        return any(isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode) for t in ts)

    def data(ts: Iterable[Any]) -> str:
        return serialize(ts, format=RdfFormat.N_TRIPLES).decode("utf-8")

    if blank(new) or blank(old):
        return [f"DROP SILENT GRAPH <{g}>", f"INSERT DATA {{ GRAPH <{g}> {{\n{data(new)}}} }}"]
    ops = []
    if gone := old - new:
        ops.append(f"DELETE DATA {{ GRAPH <{g}> {{\n{data(gone)}}} }}")
    if come := new - old:
        ops.append(f"INSERT DATA {{ GRAPH <{g}> {{\n{data(come)}}} }}")
    return ops


def _sha(nquads: str) -> str:
    """A graph's fingerprint: of its N-Quads lines in sorted order (a graph is a set of statements)."""
    return hashlib.sha1("".join(sorted(nquads.splitlines(keepends=True))).encode("utf-8")).hexdigest()
