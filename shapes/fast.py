"""The fast evaluator: the compiled shapes (:mod:`shapes.compiler`) run by pyoxigraph over a whole store in
a few threads, their rows turned into the report's results."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import RDFS

from shapes.compiler import FOCUS, SPARQL, Emit, Query, ShapeCompiler
from shapes.errors import ShapesValidationError
from shapes.report import Report, ValidationResult, sort_key

_GRAPH_KEY_LIMIT = 2000  # above this many graphs, restrict focus nodes in Python, not in VALUES
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


class FastValidator(ShapeCompiler):
    """The shapes compiled into SPARQL, evaluated by pyoxigraph over a whole store.

    Per node shape: one scan over its focus nodes' triples for all value-type constraints
    (datatype, class, nodeKind, pattern, in) of all its property shapes; one query for all its
    sh:minCount 1; one for all its sh:maxCount 1 (run only for predicates where a cheap count over
    the whole store shows some subject with two values); one per other count, sh:hasValue,
    sh:or/sh:xone/sh:not and SPARQL constraint. Queries run in a few threads (pyoxigraph releases
    the GIL while evaluating). Lookups read the union of all graphs; focus nodes are found with
    ``GRAPH ?g { ?this a C }``.
    """

    def __init__(self, shapes_path: str | Path | None = None, workers: int | None = None) -> None:
        self.workers = workers or min(8, os.cpu_count() or 2)
        super().__init__(shapes_path)

    def _subclasses(self, store: Any, iri: str, cache: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
        if iri not in cache:
            rows = store.query(
                f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>+ <{iri}> }}", use_default_graph_as_union=True
            )
            cache[iri] = tuple(sorted({iri} | {r["c"].value for r in rows if hasattr(r["c"], "value")
                                               and type(r["c"]).__name__ == "NamedNode"}))
        return cache[iri]

    def _render(self, store: Any, text: str, targets: tuple[str, ...], graph_values: str,
                cache: dict[str, tuple[str, ...]]) -> str:
        if FOCUS in text:
            classes = sorted({c for t in targets for c in self._subclasses(store, t, cache)})
            if len(classes) == 1:
                focus = f"{graph_values} GRAPH ?g {{ ?this a <{classes[0]}> }}"
            else:
                focus = (f"VALUES ?__cls {{ {' '.join(f'<{c}>' for c in classes)} }} {graph_values} "
                         f"GRAPH ?g {{ ?this a ?__cls }}")
            text = text.replace(FOCUS, focus)

        def values(m: re.Match) -> str:
            var, iri = m.group(1), m.group(2)
            return f"VALUES {var} {{ {' '.join(f'<{c}>' for c in self._subclasses(store, iri, cache))} }}"

        return re.sub(r"@@VALUES (\?\w+) (\S+?)@@", values, text)

    def _dirty_predicates(self, store: Any, preds: Iterable[str], pool: ThreadPoolExecutor) -> set[str]:
        """Predicates for which some subject has more than one triple (over the union of all graphs)."""

        def check(p: str) -> tuple[str, bool]:
            sol = next(iter(store.query(
                f"SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?m) WHERE {{ ?s <{p}> ?o }}",
                use_default_graph_as_union=True)))
            return p, sol["n"].value != sol["m"].value

        return {p for p, dirty in pool.map(check, sorted(set(preds))) if dirty}

    def validate_store(self, store: Any, graphs: Iterable[str] | None = None) -> Report:
        """Validate the focus nodes typed in ``graphs`` (all named graphs when None) of a pyoxigraph Store.

        For the whole store (or more than a couple of thousand graphs), value-type constraints are
        evaluated per predicate over the whole store first and only the violating values are then
        matched to their focus nodes; for a few graphs, every query starts from their focus nodes.
        """
        gset = None if graphs is None else {str(g) for g in graphs}
        if gset is not None and not gset:
            return Report()
        graph_values = ""
        if gset is not None and len(gset) <= _GRAPH_KEY_LIMIT:
            graph_values = "VALUES ?g { " + " ".join(f"<{g}>" for g in sorted(gset)) + " }"
        run = _Run(self, store, gset)
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            tasks, scans = self._plan(run, graph_values, pool)
            scan_futures = [pool.submit(run.scan, it) for it in self._scan_texts(run, scans)]
            for q, rows in pool.map(run.task, tasks):
                for row in rows:
                    run.add(q, row)
            second = _scan_candidates(scans, scan_futures)
            for q, rows, focus in pool.map(run.focus, second):
                if focus is None:
                    for row in rows:
                        run.add(q, row)
                    continue
                for this, g in focus:
                    for r in rows:
                        if r["this"] == this:
                            run.add(q, {**r, "g": g})
        return Report(tuple(sorted(run.found.values(), key=sort_key)))

    def _plan(self, run: _Run, graph_values: str, pool: ThreadPoolExecutor
              ) -> tuple[list[tuple[Query, str]], dict[str, list[tuple[Query, tuple[str, ...]]]]]:
        """The queries to run as (query, rendered text), and, for the whole store (``graph_values`` empty),
        the value-type queries set aside per predicate for the scans. A maxCount-1 query runs only for the
        predicates the pre-check over the whole store finds some subject with two values of."""
        restricted = bool(graph_values)
        dirty: set[str] | None = None
        if not restricted:  # pre-check maxCount 1 predicates over the whole store
            dirty = self._dirty_predicates(run.store, (p for q in self.queries for p in q.precheck), pool)
        tasks: list[tuple[Query, str]] = []
        scans: dict[str, list[tuple[Query, tuple[str, ...]]]] = defaultdict(list)
        for q in self.queries:
            if q.value_scan is not None and not restricted:
                scans[q.value_scan[0]].append((q, q.value_scan[1]))
                continue
            text = q.focused if (restricted and q.focused) else q.text
            text = run.render(text, q.targets, graph_values)
            if q.precheck:
                preds = [p for p in q.precheck if dirty is None or p in dirty]
                if not preds:
                    continue
                text = text.replace("@@PREDS@@", ", ".join(f"<{p}>" for p in preds))
            tasks.append((q, text))
        return tasks, scans

    @staticmethod
    def _scan_texts(run: _Run, scans: dict[str, list[tuple[Query, tuple[str, ...]]]]
                    ) -> list[tuple[str, list[str], str]]:
        """Whole store: one scan per predicate for the value-type constraints of all shapes, as (predicate, its
        conditions, the query)."""
        scan_texts: list[tuple[str, list[str], str]] = []
        for pred, entries in sorted(scans.items()):
            conds = sorted({c for _q, cs in entries for c in cs})
            binds = " ".join(f"BIND (COALESCE({c}, true) AS ?s{i})" for i, c in enumerate(conds))
            text = (f"SELECT ?this ?v {' '.join(f'?s{i}' for i in range(len(conds)))} WHERE {{ "
                    f"?this <{pred}> ?v . {binds} FILTER ({' || '.join(f'?s{i}' for i in range(len(conds)))}) }}")
            scan_texts.append((pred, conds, run.render(text, (), "")))
        return scan_texts

    @staticmethod
    def _result(e: Emit, row: dict[str, Any], this: Any, gname: str | None) -> ValidationResult:
        import pyoxigraph as ox

        def ident(t: Any) -> str:
            return f"_:{t.value}" if isinstance(t, ox.BlankNode) else t.value

        vnode = None
        if e.value_var == "this":
            vnode = this
        elif e.value_var is not None:
            vnode = row.get(e.value_var)
            if vnode is None and e.component == SPARQL:
                vnode = this
        path = e.path
        if e.path_var and isinstance(row.get("path"), ox.NamedNode):
            path = row["path"].value
        msg = e.messages[0] if e.messages else e.generic
        if e.substitute:
            for name, t in row.items():
                msg = re.sub(r"\{[?$]" + re.escape(name) + r"\}", lambda _m, t=t: ident(t), msg)
        return ValidationResult(
            focus_node=ident(this),
            path=path,
            message=msg,
            severity=e.severity,  # type: ignore[arg-type]
            source_shape=e.shape,
            value=ident(vnode) if vnode is not None else None,
            graph=gname,
            component=e.component,
            value_term=str(vnode) if vnode is not None else None,
        )

    def validate_quads(self, quads: Iterable[Any], reference_store: Any | None = None) -> Report:
        """Validate pyoxigraph Quads (their named graphs' focus nodes), with an optional reference store.

        Copies the quads (and the reference store, if given) into a fresh in-memory store; for big
        reference data prefer loading once and calling :meth:`validate_store` with ``graphs``.
        """
        import pyoxigraph as ox

        store = ox.Store()
        quads = list(quads)
        store.extend(quads)
        if reference_store is not None:
            store.extend(reference_store.quads_for_pattern(None, None, None, None))
        names = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
        return self.validate_store(store, names)


class _Run:
    """One :meth:`FastValidator.validate_store` call: the store, the graphs reported on (``gset``, None: all),
    the subclass lookups so far, and the results found so far (one per key, value and message; of the
    lexically smallest graph)."""

    def __init__(self, validator: FastValidator, store: Any, gset: set[str] | None) -> None:
        self.validator, self.store, self.gset = validator, store, gset
        self.cache: dict[str, tuple[str, ...]] = {}
        self.found: dict[tuple, ValidationResult] = {}

    def render(self, text: str, targets: tuple[str, ...], graph_values: str) -> str:
        return self.validator._render(self.store, text, targets, graph_values, self.cache)

    def query(self, text: str) -> list[dict[str, Any]]:
        """The rows of a compiled query over the union of all graphs (unbound variables left out)."""
        try:
            solutions = self.store.query(text, use_default_graph_as_union=True)
        except (SyntaxError, ValueError, OSError) as e:
            raise ShapesValidationError(f"compiled query failed: {e}\n{text}") from e
        variables = [v.value for v in solutions.variables]
        return [{n: sol[n] for n in variables if sol[n] is not None} for sol in solutions]

    def add(self, q: Query, row: dict[str, Any]) -> None:
        """The results of one row of ``q``: one per emit whose predicate and flag the row matches."""
        g = row.get("g")
        gname = g.value if isinstance(g, ox.NamedNode) else None
        if self.gset is not None and gname not in self.gset:
            return
        this = row["this"]
        p = row.get("p")
        for e in q.emits:
            if e.match_p is not None and (p is None or p.value != e.match_p):
                continue
            if e.flag is not None:
                f = row.get(e.flag)
                if not (isinstance(f, ox.Literal) and f.value == "true"):
                    continue
            res = self.validator._result(e, row, this, gname)
            k = res.key() + (res.value, res.message)
            old = self.found.get(k)
            if old is None or (res.graph or "~") < (old.graph or "~"):
                self.found[k] = res

    def task(self, item: tuple[Query, str]) -> tuple[Query, list[dict[str, Any]]]:
        return item[0], self.query(item[1])

    def scan(self, item: tuple[str, list[str], str]) -> tuple[str, list[str], list[dict[str, Any]]]:
        return item[0], item[1], self.query(item[2])

    def focus(self, item: tuple[Query, list[dict[str, Any]]]) -> tuple[Query, list[dict[str, Any]], set | None]:
        """The focus nodes (and graphs) of the subjects a scan flagged for ``q``; where a subject is a blank
        node, ``q`` itself is run instead (its rows returned, no focus set)."""
        q, flagged = item
        subjects = {r["this"] for r in flagged}
        if any(not isinstance(t, ox.NamedNode) for t in subjects):
            return q, self.query(self.render(q.text, q.targets, "")), None
        return q, flagged, self.typed_in(subjects, q.targets)

    def typed_in(self, subjects: set[Any], targets: tuple[str, ...]) -> set[tuple[Any, Any]]:
        """The (subject, named graph) pairs where one of ``subjects`` is typed with a target class (or a
        subclass of one): what ``GRAPH ?g { ?this a ?cls }`` finds, looked up subject by subject (a query
        with thousands of subjects in VALUES took seconds)."""
        classes = {ox.NamedNode(c) for t in targets for c in self.validator._subclasses(self.store, t, self.cache)}
        found = set()
        for this in subjects:
            for quad in self.store.quads_for_pattern(this, _RDF_TYPE, None, None):
                if quad.object in classes and not isinstance(quad.graph_name, ox.DefaultGraph):
                    found.add((this, quad.graph_name))
        return found


def _scan_candidates(scans: dict[str, list[tuple[Query, tuple[str, ...]]]], scan_futures: list[Future]
                     ) -> list[tuple[Query, list[dict[str, Any]]]]:
    """The candidates of the scans, per query using them: the rows (renamed to the query's flags) where one
    of the query's own conditions holds; to be matched to the focus nodes of each shape."""
    second: list[tuple[Query, list[dict[str, Any]]]] = []
    for fut in scan_futures:
        pred, conds, rows = fut.result()
        if not rows:
            continue
        for q, cs in scans[pred]:
            flagged = []
            for row in rows:
                r = {"this": row["this"], "v": row["v"]}
                hit = False
                for i, c in enumerate(cs):
                    f = row.get(f"s{conds.index(c)}")
                    r[f"f{i}"] = f
                    hit = hit or (isinstance(f, ox.Literal) and f.value == "true")
                if hit:
                    flagged.append(r)
            if flagged:
                second.append((q, flagged))
    return second
