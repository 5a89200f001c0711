"""The embedded store: graph replacement, bound parameters, limits that really stop, dumps."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, parse
from rdflib import Dataset
from rdflib.compare import isomorphic

from store import QueryError, QueryTimeout, StoreError, open_store
from store.embedded import EmbeddedStore

G = "https://kamergraph.nl/graph/kamervraag/2019Z15231"
KV = "https://kamergraph.nl/id/kamervraag/2019Z15231"
TITLE = "http://purl.org/dc/terms/title"


def nq(subject: str, title: str, graph: str = G) -> str:
    esc = title.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'<{subject}> <{TITLE}> "{esc}"@nl <{graph}> .\n'


@pytest.fixture()
def disk_store(tmp_path: Path) -> EmbeddedStore:
    s = EmbeddedStore(tmp_path / "store")
    yield s
    s.close()


def titles(store: EmbeddedStore) -> list[str]:
    return [r["t"] for r in store.query(f"SELECT ?t WHERE {{ ?s <{TITLE}> ?t }} ORDER BY ?t").values()]


def test_replace_graph_replaces_only_that_graph(disk_store: EmbeddedStore) -> None:
    other = "https://kamergraph.nl/graph/kamervraag/2019Z00001"
    disk_store.replace_graph(G, nq(KV, "De export van cybersurveillance technologie"))
    disk_store.replace_graph(other, nq(KV + "x", "Een andere vraag", other))
    disk_store.replace_graph(G, nq(KV, 'Nieuwe "titel"\nmet regel'))
    assert titles(disk_store) == ["Een andere vraag", 'Nieuwe "titel"\nmet regel']
    disk_store.replace_graph(G, "")
    assert titles(disk_store) == ["Een andere vraag"]
    assert disk_store.named_graphs() == [other]


def test_replace_graph_with_bad_data_keeps_the_old_graph(disk_store: EmbeddedStore) -> None:
    disk_store.replace_graph(G, nq(KV, "oud"))
    with pytest.raises((StoreError, SyntaxError)):
        disk_store.replace_graph(G, f"<{KV}> <{TITLE}> \"kapot <{G}> .\n")
    assert titles(disk_store) == ["oud"]


def test_bound_values_are_not_pasted(disk_store: EmbeddedStore) -> None:
    disk_store.replace_graph(G, nq(KV, "De export"))
    hostile = Literal('x" } ; DROP ALL ; SELECT * { "')
    r = disk_store.query(f"SELECT * WHERE {{ ?s <{TITLE}> ?t }}", {"s": NamedNode(KV)})
    assert [row["t"] for row in r.values()] == ["De export"]
    r = disk_store.query(f"SELECT * WHERE {{ ?s <{TITLE}> ?t }}", {"t": hostile})
    assert r.rows == []
    assert len(disk_store) == 1


def test_row_limit_flags_truncation(disk_store: EmbeddedStore) -> None:
    disk_store.bulk_load("".join(nq(f"{KV}/{i}", f"vraag {i}") for i in range(50)).encode())
    r = disk_store.query(f"SELECT ?s WHERE {{ ?s <{TITLE}> ?t }}", row_limit=10, timeout=10)
    assert len(r.rows) == 10 and r.truncated
    r = disk_store.query(f"SELECT ?s WHERE {{ ?s <{TITLE}> ?t }}", row_limit=50, timeout=10)
    assert len(r.rows) == 50 and not r.truncated


def test_time_limit_really_stops_the_query(disk_store: EmbeddedStore) -> None:
    disk_store.bulk_load("".join(nq(f"{KV}/{i}", "a" * 200 + str(i)) for i in range(400)).encode())
    slow = (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a <{TITLE}> ?x . ?b <{TITLE}> ?y . ?c <{TITLE}> ?z . "
        'FILTER (REGEX(CONCAT(?x, ?y, ?z), "(a+)+b")) }'
    )
    t0 = time.perf_counter()
    with pytest.raises(QueryTimeout):
        disk_store.query(slow, timeout=1.0)
    assert time.perf_counter() - t0 < 1.0 + 5  # the time-out plus a wide margin for a busy machine
    # the store answers straight after, in this process and in a worker
    assert disk_store.query("ASK { ?s ?p ?o }", timeout=5).boolean is True


def test_syntax_error_is_a_query_error(disk_store: EmbeddedStore) -> None:
    with pytest.raises(QueryError, match="(?i)syntax|expected"):
        disk_store.query("SELECT WHERE { ?s ?p }")
    with pytest.raises(QueryError):
        disk_store.query("SELECT WHERE { ?s ?p }", timeout=5)


@pytest.mark.parametrize("fmt,rdf", [("nq", RdfFormat.N_QUADS), ("trig", RdfFormat.TRIG)])
def test_dump_round_trips_as_a_dataset(disk_store: EmbeddedStore, fmt: str, rdf: RdfFormat) -> None:
    data = nq(KV, "De export van cybersurveillance technologie") + nq(KV, "ünïcode ’s", "https://kamergraph.nl/graph/x/1")
    disk_store.bulk_load(data.encode())
    buf = io.BytesIO()
    disk_store.dump(buf, fmt)
    assert len(list(parse(buf.getvalue(), format=rdf))) == 2
    a, b = Dataset(), Dataset()
    a.parse(data=data, format="nquads")
    b.parse(data=buf.getvalue().decode(), format="nquads" if fmt == "nq" else "trig")
    for g in ("https://kamergraph.nl/graph/x/1", G):
        from rdflib import URIRef

        assert isomorphic(a.graph(URIRef(g)), b.graph(URIRef(g)))


def test_rebuild_takes_the_place_of_the_store(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graph(G, nq(KV, "oud"))
    fresh = store.begin_rebuild()
    fresh.bulk_load(nq(KV, "nieuw").encode())
    assert titles(store) == ["oud"]  # untouched until adopted
    store.adopt(fresh)
    assert titles(store) == ["nieuw"]
    assert not (tmp_path / "store.rebuild").exists() and not (tmp_path / "store.old").exists()
    store.close()
    assert titles(EmbeddedStore(tmp_path / "store")) == ["nieuw"]


def test_a_url_opens_a_remote_store() -> None:
    """An http(s):// location is a remote SPARQL endpoint (tests/remote/ runs real servers);
    opening it sends nothing, using it when nothing answers names the URL."""
    from store.remote import RemoteStore

    store = open_store("http://127.0.0.1:9/query")
    assert isinstance(store, RemoteStore) and store.endpoint == "http://127.0.0.1:9/query"
    with pytest.raises(StoreError, match=r"cannot reach the SPARQL server at http://127\.0\.0\.1:9/query"):
        len(store)


def test_readers_need_no_lock_and_cannot_write(tmp_path: Path) -> None:
    """Read-only opens share the store: no lock is taken (two read-write opens would exclude each other)."""
    path = tmp_path / "store"
    writer = EmbeddedStore(path)
    writer.replace_graph("https://kamergraph.nl/graph/t", "<urn:a> <urn:p> \"1\" <https://kamergraph.nl/graph/t> .\n")
    writer.close()
    a = EmbeddedStore(path, read_only=True)
    b = EmbeddedStore(path, read_only=True)
    assert len(a) == len(b) == 1
    with pytest.raises(StoreError, match="read-only"):
        a.replace_graph("https://kamergraph.nl/graph/t", "")
    with pytest.raises(StoreError):  # the lock a writer takes: not taken by the readers above
        EmbeddedStore(path), EmbeddedStore(path)
    for s in (a, b):
        s.close()
    with pytest.raises(StoreError, match="no store"):
        EmbeddedStore(tmp_path / "missing", read_only=True)
    assert not (tmp_path / "missing").exists()


def _two_stores(tmp_path: Path) -> tuple[Path, EmbeddedStore]:
    path = tmp_path / "store"
    store = EmbeddedStore(path)
    store.bulk_load(b"<urn:a> <urn:p> \"old\" <https://kamergraph.nl/graph/t> .\n")
    fresh = store.begin_rebuild()
    fresh.bulk_load(b"<urn:a> <urn:p> \"new\" <https://kamergraph.nl/graph/t> .\n")
    store.close()
    fresh.close()
    return path, fresh


def _values(path: Path) -> list[str]:
    s = EmbeddedStore(path, read_only=True)
    try:
        return [q.object.value for q in s.ox]
    finally:
        s.close()


def test_recovery_finishes_a_swap_stopped_after_its_journal(tmp_path: Path) -> None:
    import json

    from store import generation
    from store.embedded import recover

    path, _fresh = _two_stores(tmp_path)
    (tmp_path / "store.swap").write_text(json.dumps({"generation": "g2"}))
    path.rename(tmp_path / "store.old")  # stopped between the two renames: no store at all
    said = recover(path)
    assert _values(path) == ["new"]
    assert generation.token(path) == "g2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store", "store.generation"]
    assert any("moved the finished rebuild" in s for s in said) and any("store.old" in s for s in said), said


def test_recovery_removes_an_unfinished_rebuild_but_not_one_in_use(tmp_path: Path) -> None:
    import subprocess
    import sys

    from store.embedded import recover

    path, fresh = _two_stores(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom pyoxigraph import Store\n"
                               "s = Store(sys.argv[1])\nprint('open', flush=True)\ntime.sleep(60)", str(fresh.path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        assert recover(path) == []  # a build is filling it: left alone
        assert fresh.path.exists()
    finally:
        holder.kill()
        holder.wait()
    said = recover(path)  # its build was stopped: removed, and said so
    assert not fresh.path.exists() and _values(path) == ["old"]
    assert said and "store.rebuild" in said[0] and "stopped" in said[0], said


def test_a_failed_build_after_the_journal_keeps_the_rebuild_for_recovery(tmp_path: Path) -> None:
    """A swap that failed between its two renames (its journal written): the build's clean-up must not
    delete the rebuild, the only copy of the new store; the next recovery finishes the swap (review:
    discard() deleted it and recover() then removed store.old, losing both)."""
    import json

    from store.embedded import recover

    path, fresh = _two_stores(tmp_path)
    (tmp_path / "store.swap").write_text(json.dumps({"generation": "g2"}))
    path.rename(tmp_path / "store.old")
    owner = EmbeddedStore.__new__(EmbeddedStore)  # the build's handle on the (moved) store: only its path counts
    owner.path = path
    EmbeddedStore.discard(owner, fresh)
    assert fresh.path.exists()
    recover(path)
    assert _values(path) == ["new"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store", "store.generation"]


def test_recovery_puts_the_old_store_back_when_the_rebuild_is_gone(tmp_path: Path) -> None:
    import json
    import shutil

    from store.embedded import recover

    path, fresh = _two_stores(tmp_path)
    (tmp_path / "store.swap").write_text(json.dumps({"generation": "g2"}))
    path.rename(tmp_path / "store.old")
    shutil.rmtree(fresh.path)  # lost: the old store is the only copy
    said = recover(path)
    assert _values(path) == ["old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store", "store.generation"]
    assert any("moved" in s and "back" in s for s in said), said


def test_recovery_of_an_unreadable_journal(tmp_path: Path) -> None:
    from store import generation
    from store.embedded import recover

    path, _fresh = _two_stores(tmp_path)
    before = generation.token(path)
    (tmp_path / "store.swap").write_text('{"generat')  # cut short
    said = recover(path)
    assert _values(path) == ["new"] and generation.token(path) != before
    assert any("unreadable" in s for s in said), said
