"""The validation cache (shapes.cache): the reference graphs' results kept by their content stand for what
validating the whole store finds, on the server tests' small real build (60 Zaken and the founding case with
its text), in memory as the build validates it."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from shapes.cache import ValidationCache, content_key, independent
from shapes.validate import FastValidator, Report
from store.embedded import EmbeddedStore
from tests.server.conftest import build_kg
from tests.support.build_cache import cached_store

BASE = "https://kamergraph.nl/"
NAME = ox.NamedNode("http://xmlns.com/foaf/0.1/name")
CONTEXT = (f"{BASE}graph/referentie/", f"{BASE}graph/ontologie/")
LATER = (f"{BASE}graph/validatie/", f"{BASE}graph/dataset/")  # written after the build's validation


@pytest.fixture(scope="module")
def slice_quads(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[str], list[str]]:
    """The small build's statements as the build validates them (without the findings and the description),
    its context graphs and its record graphs."""
    path = tmp_path_factory.mktemp("validation-cache") / "store"
    cached_store("kg", build_kg, path)
    store = EmbeddedStore(path)
    try:
        graphs = sorted(g for g in store.named_graphs() if not g.startswith(LATER))
        data = b"".join(store.graph_nquads(g) for g in graphs)
    finally:
        store.close()
    context = [g for g in graphs if g.startswith(CONTEXT)]
    return data, context, [g for g in graphs if g not in context]


def memory(data: bytes) -> ox.Store:
    store = ox.Store()
    store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    return store


def a_person_without_a_name(store: ox.Store) -> ox.NamedNode:
    """Takes a listed person's name out of the persons graph (a violation of a reference node); returns them."""
    graph = ox.NamedNode(f"{BASE}graph/referentie/personen")
    quad = next(iter(store.quads_for_pattern(None, NAME, None, graph)))
    store.remove(quad)
    return quad.subject


@pytest.fixture(scope="module")
def planted(slice_quads) -> tuple[ox.Store, ox.NamedNode, Report]:
    """The small build in memory with a listed person's name taken out (so that a reference node has a result),
    that person, and what validating the whole store finds."""
    store = memory(slice_quads[0])
    person = a_person_without_a_name(store)
    return store, person, FastValidator().validate_store(store)


def test_the_reference_graphs_alone_find_what_they_find_within_the_store(slice_quads, planted) -> None:
    _data, context, records = slice_quads
    within, person, whole = planted
    alone = ox.Store()
    alone.extend(q for q in within if q.graph_name.value in context)
    own = FastValidator().validate_store(alone).results
    assert own == tuple(r for r in whole.results if r.graph in context)
    assert any(r.focus_node == person.value and r.severity == "Violation" for r in own)
    assert {r.graph for r in whole.results} - set(context), "the records have results of their own"
    assert independent(within, context, records)


def test_a_cached_entry_gives_what_the_whole_store_gives(slice_quads, planted, tmp_path: Path) -> None:
    _data, context, _records = slice_quads
    store, person, whole = planted
    validator = FastValidator()
    cache = ValidationCache(tmp_path)
    first = cache.validate(validator, store, context)
    assert not cache.hit and first.results == whole.results
    second = cache.validate(validator, store, context)
    assert cache.hit and second.results == whole.results and cache.notes == []
    assert [r.value_term for r in second.results] == [r.value_term for r in whole.results]
    assert any(r.focus_node == person.value for r in second.results)
    (entry,) = tmp_path.glob("*.json")
    assert entry.stem == content_key(store, context, validator.shapes_path)


def test_another_content_is_another_key(slice_quads, planted) -> None:
    """The person's name back: another key, so the entry of the store without it is never read."""
    data, context, _records = slice_quads
    store, _person, _whole = planted
    shapes = FastValidator().shapes_path
    assert content_key(store, context, shapes) != content_key(memory(data), context, shapes)


def test_a_corrupt_entry_is_noted_and_computed_again(slice_quads, planted, tmp_path: Path) -> None:
    _data, context, _records = slice_quads
    store, _person, whole = planted
    validator = FastValidator()
    entry = tmp_path / f"{content_key(store, context, validator.shapes_path)}.json"
    entry.write_text('{"version": "1", "results": [{"focus_node": ', encoding="utf-8")  # cut short
    cache = ValidationCache(tmp_path)
    assert cache.validate(validator, store, context).results == whole.results
    assert not cache.hit and len(cache.notes) == 1 and entry.name in cache.notes[0]
    again = ValidationCache(tmp_path)
    assert again.validate(validator, store, context).results == whole.results and again.hit


def test_a_record_statement_about_a_reference_node_is_validated_with_the_whole_store(slice_quads,
                                                                                    tmp_path: Path) -> None:
    """A record graph giving a listed person a second name: the person's results depend on that graph, so the
    cache is not used and the whole store is validated (the second name is found)."""
    data, context, records = slice_quads
    validator = FastValidator()
    store = memory(data)
    person = next(iter(store.quads_for_pattern(None, NAME, None, ox.NamedNode(f"{BASE}graph/referentie/personen"))))
    store.add(ox.Quad(person.subject, NAME, ox.Literal("Tweede naam"), ox.NamedNode(records[0])))
    cache = ValidationCache(tmp_path)
    cache._write(content_key(store, context, validator.shapes_path), [])  # an entry for these reference graphs
    assert not independent(store, context, records)
    got = cache.validate(validator, store, context)
    assert not cache.hit  # the entry (no results) is not used: the second name is found
    assert any(r.focus_node == person.subject.value and r.severity == "Violation" for r in got.results)


def test_more_record_graphs_than_the_limit_are_validated_with_the_whole_store(slice_quads, planted, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import shapes.cache

    _data, context, records = slice_quads
    store, _person, whole = planted
    monkeypatch.setattr(shapes.cache, "MAX_OTHERS", len(records) - 1)
    cache = ValidationCache(tmp_path)
    assert cache.validate(FastValidator(), store, context).results == whole.results
    assert not cache.hit and not list(tmp_path.iterdir())


def test_off_means_no_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from shapes.cache import default_folder

    monkeypatch.setenv("KAMERGRAPH_VALIDATION_CACHE", "off")
    assert default_folder() is None
    monkeypatch.setenv("KAMERGRAPH_VALIDATION_CACHE", str(tmp_path))
    assert default_folder() == tmp_path
    monkeypatch.delenv("KAMERGRAPH_VALIDATION_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_folder() == tmp_path / "kamergraph" / "validation"
