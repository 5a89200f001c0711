"""kamergraph.sync_apply.replace_graphs on the embedded store: a replaced graph holds exactly its new
statements, whatever it held before; only what changed is written (the update names the statements that
go and those that come), a graph with blank nodes is written whole, an empty one is dropped; the other
graphs stay as they are."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, serialize

from kamergraph.sync_apply import _replacement, replace_graphs
from store.embedded import EmbeddedStore

EX = "https://example.org/"


def quads(g: str, n: int, start: int = 0, blank: bool = False) -> list[Quad]:
    out = [Quad(NamedNode(f"{EX}s{i}"), NamedNode(EX + "p"), Literal(f"waarde {i} \"met\" tekens\n"), NamedNode(g))
           for i in range(start, start + n)]
    if blank:
        out.append(Quad(NamedNode(EX + "s0"), NamedNode(EX + "b"), BlankNode("x"), NamedNode(g)))
    return out


def nq(qs: list[Quad]) -> str:
    return serialize(qs, format=RdfFormat.N_QUADS).decode("utf-8")


def graph(store: EmbeddedStore, g: str) -> set[tuple[str, str, str]]:
    return {(str(q.subject), str(q.predicate), str(q.object))
            for q in store.ox.quads_for_pattern(None, None, None, NamedNode(g))}


def test_a_replaced_graph_holds_exactly_its_new_statements(tmp_path: Path) -> None:
    a, b, c, d = (EX + f"graph/{x}" for x in "abcd")
    with EmbeddedStore(tmp_path / "store") as store:
        store.ox.extend(quads(a, 1000) + quads(b, 5) + quads(c, 3) + quads(d, 2, blank=True))
        store.flush()
        changed = quads(a, 999, start=1) + quads(a, 1, start=5000)  # s0 goes, s5000 comes
        # only what changed is in the update: one statement goes, one comes
        ops = _replacement(store.ox, a, nq(changed))
        assert [op.split(" ", 1)[0] for op in ops] == ["DELETE", "INSERT"]
        assert [op.count("\n") for op in ops] == [2, 2]
        assert _replacement(store.ox, a, nq(quads(a, 1000))) == []  # unchanged: nothing to write
        replace_graphs(store, [(a, nq(changed)), (c, ""), (d, nq(quads(d, 1)))], remove=[])
        assert graph(store, a) == graph_of(changed)
        assert c not in set(store.named_graphs())  # no statements left: the graph is gone
        assert graph(store, d) == graph_of(quads(d, 1))  # the blank node went with the whole graph
        assert graph(store, b) == graph_of(quads(b, 5))  # untouched
        replace_graphs(store, [(c, nq(quads(c, 2)))], remove=[b])  # a new graph, a removed one
        assert graph(store, c) == graph_of(quads(c, 2)) and graph(store, b) == set()


def test_a_graph_with_blank_nodes_is_replaced_whole(tmp_path: Path) -> None:
    g = EX + "graph/blank"
    with EmbeddedStore(tmp_path / "store") as store:
        store.ox.extend(quads(g, 3, blank=True))
        store.flush()
        ops = _replacement(store.ox, g, nq(quads(g, 4, blank=True)))
        assert ops[0] == f"DROP SILENT GRAPH <{g}>" and ops[1].startswith("INSERT DATA") and len(ops) == 2
        replace_graphs(store, [(g, nq(quads(g, 4, blank=True)))])
        assert len(graph(store, g)) == 5


def graph_of(qs: list[Quad]) -> set[tuple[str, str, str]]:
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in qs}
