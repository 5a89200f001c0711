"""Writes to the remote store over SPARQL Update: triples in chunks one ``INSERT DATA`` takes
(``INSERT { … } WHERE {}`` where there are blank nodes), and N-Quads cut into dataset POSTs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pyoxigraph import BlankNode, RdfFormat, Triple, serialize

UPDATE_CHUNK = 500  # triples per INSERT DATA (Virtuoso fails somewhere above 1000)
UPDATE_CHUNK_BYTES = 256_000
POST_BATCH_BYTES = 8_000_000  # N-Quads per dataset POST (Oxigraph)


def update_chunks(triples: list[Triple]) -> Iterator[list[Triple]]:
    """``triples`` in chunks of at most UPDATE_CHUNK statements and about UPDATE_CHUNK_BYTES."""
    chunk: list[Triple] = []
    size = 0
    for t in triples:
        n = len(str(t))
        if chunk and (len(chunk) >= UPDATE_CHUNK or size + n > UPDATE_CHUNK_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(t)
        size += n
    if chunk:
        yield chunk


def insert_text(graph: str, triples: list[Triple]) -> str:
    """One SPARQL update adding ``triples`` to ``graph``: INSERT DATA, or, where there are blank
    nodes (which Virtuoso refuses in INSERT DATA), INSERT { … } WHERE {} (one solution, so every
    blank node label stands for one new node)."""
    data = (serialize(triples, format=RdfFormat.N_TRIPLES) or b"").decode("utf-8")
    if has_blank_nodes(triples):
        return f"INSERT {{ GRAPH {graph} {{\n{data}}} }} WHERE {{}}"
    return f"INSERT DATA {{ GRAPH {graph} {{\n{data}}} }}"


def has_blank_nodes(triples: Iterable[Triple]) -> bool:
    return any(isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode) for t in triples)


def split_lines(data: bytes, size: int) -> Iterator[bytes]:
    """N-Quads in parts of about ``size`` bytes, cut at line ends (a statement never spans lines)."""
    start = 0
    n = len(data)
    while start < n:
        end = min(n, start + size)
        if end < n:
            nl = data.rfind(b"\n", start, end)
            end = nl + 1 if nl >= start else data.find(b"\n", end) + 1 or n
        yield data[start:end]
        start = end
