"""kamergraph: where graphs live. Embedded Oxigraph by default."""

from __future__ import annotations

from store.base import QueryError, QueryResult, QueryTimeout, Store, StoreError


def open_store(location: str) -> Store:
    """Open the store at ``location``: a directory (embedded Oxigraph).

    An ``http(s)://`` SPARQL endpoint is refused with a clear message until the remote
    store lands (issue 4); nothing is guessed.
    """
    if location.startswith(("http://", "https://")):
        raise StoreError(
            f"{location}: remote SPARQL stores are not supported yet; use a directory for the embedded store"
        )
    from store.embedded import EmbeddedStore

    return EmbeddedStore(location)


__all__ = ["QueryError", "QueryResult", "QueryTimeout", "Store", "StoreError", "open_store"]
