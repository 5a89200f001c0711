"""The slice built into each server (through ``build()``, the code path of `kamergraph build --store
http://…`) is the dataset the embedded store holds: same named graphs, each graph isomorphic."""

from __future__ import annotations

import io

from pyoxigraph import BlankNode, CanonicalizationAlgorithm, Dataset, NamedNode, RdfFormat, Triple, parse

from store.remote import RemoteStore

FOUNDING = "https://kamergraph.nl/graph/kamervraag/2019Z15231"


def dataset(nquads: bytes) -> Dataset:
    """The statements as a dataset; blank nodes, if any, with canonical labels (RDFC-1.0: two isomorphic
    datasets are equal). The build leaves none, and then canonicalising, which changes nothing, is skipped."""
    quads = list(parse(nquads, format=RdfFormat.N_QUADS))
    ds = Dataset(quads)
    if any(isinstance(t, (BlankNode, Triple)) for q in quads for t in (q.subject, q.object, q.graph_name)):
        ds.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return ds


def by_graph(ds: Dataset) -> dict[str, set]:
    out: dict[str, set] = {}
    for q in ds:
        assert isinstance(q.graph_name, NamedNode), f"a statement outside the named graphs: {q}"
        out.setdefault(q.graph_name.value, set()).add(q.triple)
    return out


OURS: dict[tuple[str, str], object] = {}


def ours(embedded, what: str, arg: str):
    """The embedded store's side of a comparison, computed once per session and kept (both servers' tests
    compare with it and nothing writes the embedded store): ``("dump", fmt)`` the statements of its dump as a
    set (``"nq"``: by graph), ``("graph", iri)`` the dataset of one graph."""
    if (what, arg) not in OURS:
        if what == "graph":
            OURS[what, arg] = dataset(embedded.graph_nquads(arg))
        else:
            out = io.BytesIO()
            embedded.dump(out, arg)
            OURS[what, arg] = by_graph(dataset(out.getvalue())) if arg == "nq" else \
                set(parse(out.getvalue(), format={"ttl": RdfFormat.TURTLE, "trig": RdfFormat.TRIG}[arg]))
    return OURS[what, arg]


def test_remote_dataset_is_the_embedded_dataset(embedded, remote) -> None:
    name, store = remote
    theirs = io.BytesIO()
    store.dump(theirs, "nq")
    expected, got = ours(embedded, "dump", "nq"), by_graph(dataset(theirs.getvalue()))
    assert sorted(got) == sorted(expected), f"{name}: other named graphs"
    different = [g for g in expected if got[g] != expected[g]]
    if different:
        g = different[0]
        only_here = sorted(map(str, expected[g] - got[g]))[:3]
        only_there = sorted(map(str, got[g] - expected[g]))[:3]
        raise AssertionError(f"{name}: {len(different)} graphs differ, e.g. <{g}>: only embedded {only_here}, "
                             f"only remote {only_there}")


def test_counts_graph_list_and_one_graph(embedded, remote) -> None:
    name, store = remote
    assert store.named_graphs() == embedded.named_graphs()
    assert len(store) == len(embedded) > 100_000
    assert dataset(store.graph_nquads(FOUNDING)) == ours(embedded, "graph", FOUNDING)
    assert store.graph_exists(FOUNDING)
    assert not store.graph_exists(FOUNDING + "-no-such-case")
    assert not store.graph_exists("http://www.openlinksw.com/schemas/virtrdf#")  # not a graph of this store


def test_no_blank_nodes_in_the_data(embedded) -> None:
    """The build skolemises the ontology's blank nodes; the remote stores rely on it only for
    SPARQL Update loads of graphs too large for one request (see test_writes)."""
    res = embedded.query("ASK { GRAPH ?g { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } }")
    assert res.boolean is False


def test_dump_formats(embedded, remote) -> None:
    """The triple formats write the union of the graphs (Turtle here; N-Triples takes the same branch of
    RemoteStore.dump with Oxigraph's other serializer); TriG keeps the graphs (N-Quads: the test above).
    TriG is compared on the Oxigraph server only: it takes N-Quads' branch (the same reading of the
    server, checked on each by the test above) with another of pyoxigraph's writers, which does not
    depend on the server."""
    name, store = remote
    formats = [("ttl", RdfFormat.TURTLE)] + ([("trig", RdfFormat.TRIG)] if name == "oxigraph" else [])
    for fmt, rdf in formats:
        b = io.BytesIO()
        store.dump(b, fmt)
        assert set(parse(b.getvalue(), format=rdf)) == ours(embedded, "dump", fmt), f"{name}: {fmt}"


def test_virtuoso_reads_big_graphs_in_pages(virtuoso_kg: RemoteStore, embedded) -> None:
    """The test Virtuoso answers at most 20000 rows (ResultSetMaxRows) and says so only for SELECT:
    the store has read that limit and pages through graphs larger than it, checking each count."""
    assert virtuoso_kg.max_rows == 20000
    big = "https://kamergraph.nl/graph/referentie/lidmaatschappen"
    expected = ours(embedded, "graph", big)
    assert len(expected) > 3 * 20000
    assert dataset(virtuoso_kg.graph_nquads(big)) == expected
    # a query past the limit comes back flagged as cut, not silently short
    res = virtuoso_kg.query("SELECT ?s ?p ?o WHERE { GRAPH <%s> { ?s ?p ?o } }" % big)
    assert res.truncated and len(res.rows) == 20000
    res = virtuoso_kg.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <%s> { ?s ?p ?o } }" % big)
    # (a CONSTRUCT is cut at 20000 or 20001 statements: an off-by-one of Virtuoso's, openlink/virtuoso-opensource#939)
    assert res.truncated and len(res.triples) in (20000, 20001)


def test_paging_in_small_pages(embedded, remote) -> None:
    """Graphs listed and read in pages of 7 rows: the sorted pages of Virtuoso (its CONSTRUCT and
    sub-query form) and of any SPARQL 1.1 server (Oxigraph taken for a 'generic' one; Virtuoso
    cannot be: its JSON results need reading as Virtuoso's)."""
    name, store = remote
    for dialect in ("auto", "generic") if name == "oxigraph" else ("auto",):
        small = store.with_options(page_size=7, dialect=dialect)
        assert small.named_graphs() == embedded.named_graphs(), dialect
        assert dataset(small.graph_nquads(FOUNDING)) == ours(embedded, "graph", FOUNDING), dialect
        small.close()
