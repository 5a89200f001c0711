"""Writing to a remote store: replacing and removing graphs through the Graph Store Protocol and
through SPARQL Update in chunks, blank nodes, what a rebuild replaces and drops (and what it
leaves alone), literals that are hard to carry, and the errors that name the server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyoxigraph import (
    BlankNode,
    CanonicalizationAlgorithm,
    Dataset,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    parse,
    serialize,
)

from store.base import QueryError, StoreError
from store.remote import RemoteStore

SCRATCH = "https://scratch.example/graph/"  # a dataset of its own on the same servers
EX = "http://example.org/"


def nquads(quads) -> bytes:
    return serialize(list(quads), format=RdfFormat.N_QUADS) or b""


def graph(name: str, n: int, *, blank: bool = False) -> list[Quad]:
    g = NamedNode(SCRATCH + name)
    subject = BlankNode("b0") if blank else NamedNode(EX + name)
    quads = [Quad(subject, NamedNode(EX + "p"), Literal(f"value {i} of {name}"), g) for i in range(n)]
    if blank:
        quads.append(Quad(NamedNode(EX + name), NamedNode(EX + "q"), subject, g))
    return quads


def canonical(data: bytes) -> set:
    ds = Dataset(parse(data, format=RdfFormat.N_QUADS))
    ds.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return set(ds)


def scratch_store(store: RemoteStore, **overrides) -> RemoteStore:
    return store.with_options(**{"graph_prefix": SCRATCH, **overrides})


@pytest.fixture(params=["gsp", "update"])
def scratch(request: pytest.FixtureRequest, remote) -> Iterator[tuple[str, RemoteStore]]:
    """A store over the scratch graphs, writing through the Graph Store Protocol or SPARQL Update."""
    name, store = remote
    s = scratch_store(store, gsp_endpoint="auto" if request.param == "gsp" else "")
    yield f"{name}-{request.param}", s
    for g in s.named_graphs():
        s.remove_graph(g)
    assert s.named_graphs() == []
    s.close()


def test_replace_and_remove_graphs(scratch, remote) -> None:
    label, s = scratch
    _, main = remote
    before = len(main)
    big = graph("big", 1234)  # three INSERT DATA chunks of at most 500 statements
    s.replace_graph(SCRATCH + "big", nquads(big))
    assert canonical(s.graph_nquads(SCRATCH + "big")) == canonical(nquads(big))
    smaller = graph("big", 7)
    s.replace_graph(SCRATCH + "big", nquads(smaller))
    assert canonical(s.graph_nquads(SCRATCH + "big")) == canonical(nquads(smaller)), "old statements left"
    s.bulk_load(nquads(graph("added", 3)))
    assert s.named_graphs() == [SCRATCH + "added", SCRATCH + "big"]
    assert len(s) == 10
    assert s.graph_exists(SCRATCH + "added")
    s.remove_graph(SCRATCH + "big")
    s.remove_graph(SCRATCH + "never-there")
    assert s.named_graphs() == [SCRATCH + "added"]
    assert len(main) == before, f"{label}: the store's own dataset changed"


def test_blank_nodes_stay_one_node(scratch) -> None:
    label, s = scratch
    small = graph("blank", 3, blank=True)
    s.replace_graph(SCRATCH + "blank", nquads(small))
    assert canonical(s.graph_nquads(SCRATCH + "blank")) == canonical(nquads(small))
    big = graph("blank-big", 600, blank=True)
    if label.endswith("update"):  # more than one INSERT DATA would split the blank node
        with pytest.raises(StoreError, match="blank nodes"):
            s.replace_graph(SCRATCH + "blank-big", nquads(big))
    else:
        s.replace_graph(SCRATCH + "blank-big", nquads(big))
        assert canonical(s.graph_nquads(SCRATCH + "blank-big")) == canonical(nquads(big))


HARD = ["  padded  ", "tab\tand\nnewline and \r", "control \x10\x1f chars", 'quotes " \' """', "back\\slash \\u0022",
        "𝄞 é ñ ☃", ""]


def test_hard_literals_come_back_as_they_went(scratch) -> None:
    """Spaces around a literal (pyoxigraph 0.5's XML results reader trims them), control characters
    (Virtuoso's XML results write them as references XML forbids), escapes, astral characters."""
    label, s = scratch
    g = SCRATCH + "hard"
    quads = [Quad(NamedNode(EX + f"s{i}"), NamedNode(EX + "p"), Literal(v), NamedNode(g)) for i, v in enumerate(HARD)]
    quads.append(Quad(NamedNode(EX + "s"), NamedNode(EX + "flag"), Literal("false", datatype=NamedNode(
        "http://www.w3.org/2001/XMLSchema#boolean")), NamedNode(g)))
    s.replace_graph(g, nquads(quads))
    res = s.query(f"SELECT ?o WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")
    assert sorted(str(r[0]) for r in res.rows) == sorted(str(q.object) for q in quads)
    assert canonical(s.graph_nquads(g)) == canonical(nquads(quads))
    # bound as a parameter, the same string finds its statement
    for v in HARD:
        hit = s.query(f"SELECT ?v ?s WHERE {{ GRAPH <{g}> {{ ?s <{EX}p> ?v }} }}", {"v": Literal(v)})
        assert len(hit.rows) == 1, repr(v)


def test_rebuild_replaces_adds_and_drops_only_its_own_graphs(remote) -> None:
    name, store = remote
    s = scratch_store(store)
    outside = scratch_store(store, graph_prefix="https://outside.example/graph/")
    try:
        s.bulk_load(nquads(graph("kept-but-changed", 4) + graph("gone", 2)))
        outside.bulk_load(nquads([Quad(NamedNode(EX + "x"), NamedNode(EX + "p"), Literal("x"),
                                       NamedNode("https://outside.example/graph/other"))]))
        before_main = (store.named_graphs(), len(store))
        fresh = s.begin_rebuild()
        fresh.bulk_load(nquads(graph("kept-but-changed", 2) + graph("new", 3)))
        s.adopt(fresh)
        assert s.named_graphs() == [SCRATCH + "kept-but-changed", SCRATCH + "new"]
        assert canonical(s.graph_nquads(SCRATCH + "kept-but-changed")) == canonical(nquads(graph("kept-but-changed", 2)))
        assert outside.named_graphs() == ["https://outside.example/graph/other"]
        assert (store.named_graphs(), len(store)) == before_main
        assert not fresh.path.parent.exists(), "the local staging folder is removed"
        with pytest.raises(StoreError):
            s.adopt(fresh)
    finally:
        for st in (s, outside):
            for g in st.named_graphs():
                st.remove_graph(g)
            st.close()


def test_virtuoso_update_without_credentials_after_a_grant(virtuoso, virtuoso_kg) -> None:
    """With SPARQL_UPDATE granted to Virtuoso's anonymous SPARQL user, a store without credentials
    updates through …/sparql and loads through …/sparql-graph-crud."""
    virtuoso.isql_exec('grant SPARQL_UPDATE to "SPARQL";')
    try:
        for gsp in ("auto", ""):
            s = RemoteStore(virtuoso.url, gsp_endpoint=gsp, graph_prefix=SCRATCH)
            assert s.update_url == virtuoso.url
            assert s.gsp_url == (virtuoso.url + "-graph-crud" if gsp else None)
            s.replace_graph(SCRATCH + "anonymous", nquads(graph("anonymous", 3)))
            assert len(s) == 3
            s.remove_graph(SCRATCH + "anonymous")
            assert len(s) == 0
            s.close()
    finally:
        virtuoso.isql_exec('revoke SPARQL_UPDATE from "SPARQL";')
    s = RemoteStore(virtuoso.url, gsp_endpoint="", graph_prefix=SCRATCH)
    with pytest.raises(StoreError, match=r"SPARQL update failed \(HTTP"):
        s.replace_graph(SCRATCH + "anonymous", nquads(graph("anonymous", 3)))


def test_wrong_password_is_named(virtuoso_kg) -> None:
    s = scratch_store(virtuoso_kg, password="not-the-password")
    with pytest.raises(StoreError, match="credentials"):
        s.replace_graph(SCRATCH + "x", nquads(graph("x", 1)))


def test_server_syntax_error_is_a_query_error_with_its_message(remote) -> None:
    name, store = remote
    with pytest.raises(QueryError) as err:
        store.query("SELECT ?s WHERE { ?s ?p ")
    text = str(err.value)
    assert store.endpoint in text
    assert ("error at 1:" if name == "oxigraph" else "SP030: SPARQL compiler") in text


def test_unreachable_server_is_a_store_error_naming_the_url() -> None:
    s = RemoteStore("http://127.0.0.1:9/query")
    with pytest.raises(StoreError, match=r"cannot reach the SPARQL server at http://127\.0\.0\.1:9/query"):
        s.query("ASK {}")
    with pytest.raises(StoreError, match=r"http://127\.0\.0\.1:9/query"):
        len(s)
