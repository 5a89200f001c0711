"""The ontology page's examples from the store: an instance of each class, a triple of each property,
a use of each individual, and the outside terms the data reuses, each with an example.

The examples are one query through the endpoint (:func:`server.endpoint.run_rows`): a ``LIMIT 1``
sub-select per term, each an index look-up (about 10 ms in all on the full store). Which outside terms
the data uses takes a scan of the whole store (about 2 s on the full corpus): for the embedded store it runs in a process of its own on the store opened read-only, so it never
takes one of the endpoint's query workers. Both are kept until the store's generation changes
(:class:`ExampleCache`).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyoxigraph import Literal, NamedNode

from ontology.namespaces import KG, PREFIXES, RDF, XSD, Iris, T
from ontology.vocabulary import Vocabulary, load as load_vocabulary
from server import describe as D
from server.endpoint import run_rows
from server.isolated import run_isolated
from server.render import PageError
from store import generation as store_generation
from store.pool import Job

if TYPE_CHECKING:
    from server.endpoint import Endpoint

log = logging.getLogger("kamergraph.server.ontology")

REMOTE_TTL = 600.0
#: Outside namespaces whose terms are listed as reused vocabulary (the project's, less its own and SHACL).
REUSED_NAMESPACES = {p: ns for p, ns in PREFIXES.items() if p not in ("kg", "sh", "xsd", "wd", "tk")}
LABEL_PATH = f"(<{T.label}>|<{T.pref_label}>|<{T.name}>|<{T.title}>)"


@dataclass(frozen=True)
class Node:
    """An example's subject or object as the page shows it."""

    text: str
    href: str | None = None
    lang: str | None = None
    datatype: str | None = None
    literal: bool = False


@dataclass(frozen=True)
class Example:
    subject: Node
    predicate: str | None = None  # the predicate's IRI (a triple), None (an instance)
    object: Node | None = None


@dataclass
class Examples:
    """Per term IRI its example; and the outside terms found in the data, with theirs."""

    terms: dict[str, Example] = field(default_factory=dict)
    reused: dict[str, tuple[str, Example]] = field(default_factory=dict)  # IRI -> (class | property, example)
    ok: bool = True
    outside_ready: bool = True  # the scan for the outside terms is done


def used_queries(ontology_graph: str) -> list[str]:
    """Every predicate, and every class with an instance, of the data graphs (not the ontology's own):
    rows of (predicate, None) and (None, class)."""
    data = f"FILTER (?g != <{ontology_graph}>)"
    return [f"SELECT DISTINCT ?p ?c WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {data} }}",
            f"SELECT DISTINCT ?p ?c WHERE {{ GRAPH ?g {{ ?s a ?c }} {data} }}"]


def outside_terms(rows: list[tuple[Any, ...]]) -> tuple[list[str], list[str]]:
    """(classes, properties) among the rows of :func:`used_queries` that are in the reused namespaces."""
    spaces = tuple(REUSED_NAMESPACES.values())
    classes, props = set(), set()
    for p, c in rows:
        for term, into in ((p, props), (c, classes)):
            if isinstance(term, NamedNode) and term.value.startswith(spaces) and not term.value.startswith(KG):
                into.add(term.value)
    return sorted(classes), sorted(props)


def used_in_store(path: str, ontology_graph: str) -> list[tuple[Any, ...]]:
    """:func:`used_queries` on the embedded store at ``path``, opened read-only here: a whole-store scan
    (2–4 s on the full corpus), so it runs in a process of its own, as the pages' overview does, never
    in the endpoint's query workers."""
    from pyoxigraph import Store

    store = Store.read_only(path)
    return [(sol["p"], sol["c"]) for text in used_queries(ontology_graph) for sol in store.query(text)]


def examples_query(vocab: Vocabulary, outside_classes: list[str], outside_props: list[str], ontology_graph: str) -> str:
    """One SELECT of ``LIMIT 1`` sub-selects: an instance per kg class, a triple per kg property, a use
    of each individual, and an instance or a triple of each outside term the data uses (outside the
    ontology's graph). The IRIs in the text are vocabulary terms, never request values."""
    lab = f"OPTIONAL {{ ?s {LABEL_PATH} ?sl }} OPTIONAL {{ ?o {LABEL_PATH} ?ol }}"
    data = f"FILTER (?g != <{ontology_graph}>)"
    branches = []
    for t in vocab.terms:
        if t.kind == "class":
            branches.append(f'{{ SELECT ?t ?k ?s ?sl WHERE {{ ?s a <{t.iri}> FILTER (isIRI(?s)) '
                            f'OPTIONAL {{ ?s {LABEL_PATH} ?sl }} BIND (<{t.iri}> AS ?t) BIND ("class" AS ?k) }} '
                            'LIMIT 1 }')
        elif t.kind == "individual":
            branches.append(f'{{ SELECT ?t ?k ?s ?p ?o ?sl WHERE {{ GRAPH ?g {{ ?s ?p <{t.iri}> }} {data} '
                            f'BIND (<{t.iri}> AS ?o) OPTIONAL {{ ?s {LABEL_PATH} ?sl }} BIND (<{t.iri}> AS ?t) '
                            f'BIND ("use" AS ?k) }} LIMIT 1 }}')
        else:
            branches.append(f'{{ SELECT ?t ?k ?s ?o ?sl ?ol WHERE {{ ?s <{t.iri}> ?o FILTER (isIRI(?s)) {lab} '
                            f'BIND (<{t.iri}> AS ?t) BIND ("property" AS ?k) }} LIMIT 1 }}')
    for c in outside_classes:
        branches.append(f'{{ SELECT ?t ?k ?s ?sl WHERE {{ GRAPH ?g {{ ?s a <{c}> }} {data} '
                        f'OPTIONAL {{ ?s {LABEL_PATH} ?sl }} BIND (<{c}> AS ?t) BIND ("outside-class" AS ?k) }} '
                        'LIMIT 1 }')
    for p in outside_props:
        branches.append(f'{{ SELECT ?t ?k ?s ?o ?sl ?ol WHERE {{ GRAPH ?g {{ ?s <{p}> ?o }} {data} {lab} '
                        f'BIND (<{p}> AS ?t) BIND ("outside-property" AS ?k) }} LIMIT 1 }}')
    return "SELECT ?t ?k ?s ?p ?o ?sl ?ol WHERE {\n  " + "\n  UNION ".join(branches) + "\n}\n"


def _node(term: Any, label: Any, base: str, lang: str) -> Node:
    if isinstance(term, NamedNode):
        text = label.value if isinstance(label, Literal) and label.value else None
        kind = D.kind_of(term.value, base)
        ours_says_more = kind is not None and (kind[0] in ("kamerstuk", "dossier") or
                                               (kind[0] == "kamervraag" and "/" in kind[1]))
        if text is None or ours_says_more:  # "Kamerstuk 22112, nr. 2686", "Kamervraag …, vraag 6"
            text = D.iri_label(term.value, base, lang)
        if term.value.startswith(KG):
            return Node("kg:" + term.value[len(KG):], "/def#" + term.value[len(KG):])
        return Node(text, D.resource_href(term.value, base))
    if isinstance(term, Literal):
        dtype = term.datatype.value if term.datatype else None
        shown = None if dtype in (XSD + "string", RDF + "langString", None) else "xsd:" + dtype[len(XSD):] \
            if dtype.startswith(XSD) else dtype
        value = term.value if len(term.value) <= 200 else term.value[:200] + "…"
        return Node(value, lang=term.language or None, datatype=shown, literal=True)
    return Node(str(term))


class ExampleCache:
    """The examples of the current store generation, asked again when the store changes.

    The outside terms the data uses come from a scan of the whole store, started in the background by
    the first request of a generation (:meth:`start_scan`); until it is done the page has the kg terms'
    examples and says that the list of reused terms is being made, and the next request after it has it.
    """

    def __init__(self, endpoint: Endpoint, vocab_file: Path) -> None:
        self.endpoint = endpoint
        self.vocab_file = vocab_file
        self._rows: list[tuple[Any, ...]] | None = None
        self._key: Any = None
        self._lock = asyncio.Lock()
        self._outside: tuple[list[str], list[str]] | None = None  # (classes, properties) of _outside_gen
        self._outside_gen: Any = None
        self._scanning: threading.Thread | None = None
        self._scan_lock = threading.Lock()
        self._scanned = threading.Event()

    def generation(self) -> Any:
        path = getattr(self.endpoint, "store_path", None)
        if path is not None:
            return store_generation.current(path)
        return int(time.monotonic() // REMOTE_TTL)

    def outside(self, gen: Any) -> tuple[list[str], list[str]] | None:
        """The outside terms of generation ``gen``, if its scan is done (else the scan is started)."""
        with self._scan_lock:
            if self._outside is not None and self._outside_gen == gen:
                return self._outside
            if self._scanning is None:
                self._scanned.clear()
                self._scanning = threading.Thread(target=self._scan, args=(gen,), daemon=True,
                                                  name="kamergraph-ontology-scan")
                self._scanning.start()
            return None

    def wait_for_scan(self, timeout: float = 120.0) -> bool:
        """Wait until the scan started last is done (for tests and benchmarks)."""
        return self._scanned.wait(timeout)

    def _scan(self, gen: Any) -> None:
        try:
            found = outside_terms(self._used(Iris(self.endpoint.settings.base).ontology_graph()))
            with self._scan_lock:
                self._outside, self._outside_gen = found, gen
        except Exception as exc:  # noqa: BLE001 - the page goes on without the list; tried again next time
            log.warning("the outside terms could not be read from the store: %s", exc)
        finally:
            with self._scan_lock:
                self._scanning = None
            self._scanned.set()

    async def rows(self) -> tuple[list[tuple[Any, ...]] | None, bool]:
        """(the rows of the examples query or None, whether the outside terms are among them)."""
        gen = self.generation()
        outside = self.outside(gen)
        key = (gen, self.vocab_file.stat().st_mtime_ns, outside is not None)
        if self._rows is not None and self._key == key:
            return self._rows, key[2]
        async with self._lock:
            if self._rows is not None and self._key == key:
                return self._rows, key[2]
            vocab = load_vocabulary(self.vocab_file)
            graph = Iris(self.endpoint.settings.base).ontology_graph()
            classes, props = outside or ([], [])
            try:
                answer = await run_rows(self.endpoint, Job(examples_query(vocab, classes, props, graph),
                                                           output="rows", row_limit=None))
            except PageError as exc:  # the page is still drawn, without examples; asked again next time
                log.warning("the ontology page's examples could not be read from the store: %s", exc.message)
                return None, False
            assert answer.result is not None
            self._rows = [tuple(r) for r in answer.result.rows]
            self._key = key
            return self._rows, key[2]

    def _used(self, ontology_graph: str) -> list[tuple[Any, ...]]:
        """The rows of :func:`used_queries`: for the embedded store in a process of its own (a whole-store
        scan, kept out of the endpoint's workers), for a remote store through the endpoint."""
        path = getattr(self.endpoint, "store_path", None)
        if path is None:
            rows: list[tuple[Any, ...]] = []
            for text in used_queries(ontology_graph):
                answer = self.endpoint.run(Job(text, output="rows", row_limit=None))
                assert answer.result is not None
                rows += [tuple(r) for r in answer.result.rows]
            return rows
        return run_isolated(used_in_store, str(path), ontology_graph, owner=self.endpoint)

    async def get(self, lang: str) -> Examples:
        rows, with_outside = await self.rows()
        if rows is None:
            return Examples(ok=False)
        base = self.endpoint.settings.base
        out = Examples(outside_ready=with_outside)
        for t, k, s, p, o, sl, ol in rows:
            if t is None or s is None:
                continue
            subject = _node(s, sl, base, lang)
            if k.value == "class":
                out.terms.setdefault(t.value, Example(subject))
            elif k.value == "use":
                out.terms.setdefault(t.value, Example(subject, p.value if p is not None else None,
                                                      _node(o, None, base, lang)))
            elif k.value == "property":
                out.terms.setdefault(t.value, Example(subject, t.value, _node(o, ol, base, lang)))
            elif k.value == "outside-class":
                out.reused.setdefault(t.value, ("class", Example(subject)))
            elif k.value == "outside-property" and o is not None:
                out.reused.setdefault(t.value, ("property", Example(subject, t.value, _node(o, ol, base, lang))))
        return out
