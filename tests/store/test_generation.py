"""store.generation and the worker pool's reload: readers see a store's changes, never stale data."""

from __future__ import annotations

from pathlib import Path

from store import generation
from store.embedded import EmbeddedStore
from store.pool import WorkerPool
from tests.support.listener import Listener

G = "https://kamergraph.nl/graph/test/a"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
SERVICE_ROW = {"head": {"vars": ["s"]},
               "results": {"bindings": [{"s": {"type": "uri", "value": "http://example.org/from-the-service"}}]}}


def _nq(n: int) -> str:
    return "".join(f"<https://kamergraph.nl/id/t/{i}> <https://w3id.org/kamergraph/def#p> \"{i}\" <{G}> .\n"
                   for i in range(n))


def test_every_write_moves_the_generation(tmp_path: Path) -> None:
    path = tmp_path / "store"
    store = EmbeddedStore(path)
    seen = [generation.current(path)]
    store.replace_graph(G, _nq(3))
    seen.append(generation.current(path))
    store.remove_graph(G)
    seen.append(generation.current(path))
    store.bulk_load(_nq(2).encode())
    seen.append(generation.current(path))
    fresh = store.begin_rebuild()
    fresh.bulk_load(_nq(5).encode())
    assert generation.current(path) == seen[-1]  # filling the store beside it changes nothing yet
    store.adopt(fresh)
    seen.append(generation.current(path))
    store.close()
    assert None not in seen and len(set(seen)) == len(seen), seen
    assert not generation.marker(path.with_name("store.rebuild")).exists()


def test_a_reloaded_pool_sees_a_rebuilt_store(tmp_path: Path) -> None:
    path = tmp_path / "store"
    store = EmbeddedStore(path)
    store.replace_graph(G, _nq(3))
    store.close()
    with WorkerPool(path, size=2) as pool:
        assert pool.query(COUNT, timeout=10).values() == [{"n": "3"}]
        pids = set(pool.pids)
        store = EmbeddedStore(path)
        fresh = store.begin_rebuild()
        fresh.bulk_load(_nq(7).encode())
        store.adopt(fresh)
        store.close()
        pool.reload()
        for _ in range(4):  # every worker, whichever answers
            assert pool.query(COUNT, timeout=10).values() == [{"n": "7"}]
        assert not pids & set(pool.pids)  # none of the workers that saw the old store is left
        assert pool.replaced == 0  # a reload is not counted as a failure


def test_reload_waits_for_running_queries(tmp_path: Path) -> None:
    """A query running during a reload ends normally; its worker is replaced afterwards.

    The query calls a loopback service that holds its answer until the reload is done, so the
    reload certainly happens while the query runs on its worker (no timing decides it)."""
    import threading

    path = tmp_path / "store"
    store = EmbeddedStore(path)
    store.replace_graph(G, _nq(300))
    store.close()
    with Listener(SERVICE_ROW, hold=True) as service, WorkerPool(path, size=1, allow_network=True) as pool:
        held = f"SELECT ?s WHERE {{ SERVICE <{service.url}> {{ ?s ?p ?o }} }}"
        old = set(pool.pids)
        out: list[object] = []
        t = threading.Thread(target=lambda: out.append(pool.query(held, timeout=30).values()))
        t.start()
        assert service.reached.wait(30), "the query never called the service"
        pool.reload()  # the query's worker is busy: it must be left to finish
        service.release()
        t.join(30)
        assert out == [[{"s": "http://example.org/from-the-service"}]]
        assert pool.query(COUNT, timeout=10).values() == [{"n": "300"}]
        assert not old & set(pool.pids)


def test_a_swap_moves_the_generation_by_itself(tmp_path: Path) -> None:
    """A rebuild moved into the store's place changes the generation in that very rename, before
    (or without) the marker's bump: a process stopped in between cannot leave readers on the old store."""
    import os

    path = tmp_path / "store"
    store = EmbeddedStore(path)
    store.replace_graph(G, _nq(3))
    store.close()
    before = generation.current(path)
    fresh = EmbeddedStore(tmp_path / "store.rebuild")
    fresh.bulk_load(_nq(5).encode())
    fresh.close()
    os.rename(path, tmp_path / "store.old")
    os.rename(tmp_path / "store.rebuild", path)  # no bump
    assert generation.current(path) != before


def test_a_write_stopped_before_its_bump_is_bumped_by_the_recovery(tmp_path: Path) -> None:
    from store.embedded import recover

    path = tmp_path / "store"
    store = EmbeddedStore(path)
    store.replace_graph(G, _nq(3))
    store.close()
    generation.pending(path)  # what a process killed between its write and its bump leaves
    before = generation.current(path)
    said = recover(path)
    assert said and "generation" in said[0], said
    assert not (generation.token(path) or "").startswith(generation.PENDING)
    assert generation.current(path) != before
    assert recover(path) == []  # nothing more to do
