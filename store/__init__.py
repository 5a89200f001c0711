"""kamergraph: where graphs live. Embedded Oxigraph by default, or a SPARQL endpoint elsewhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.base import QueryError, QueryResult, QueryTimeout, Store, StoreError

if TYPE_CHECKING:
    from store.remote import RemoteSettings


def open_store(location: str, settings: RemoteSettings | None = None) -> Store:
    """Open the store at ``location``: a directory (embedded Oxigraph) or an ``http(s)://`` SPARQL
    endpoint (:class:`store.remote.RemoteStore`, configured by ``settings``: the update and Graph
    Store endpoints, credentials, time limit, and the base whose ``{base}graph/…`` graphs it holds).

    Opening a remote store sends nothing; the first use asks the server what it is.
    """
    if location.startswith(("http://", "https://")):
        from store.remote import RemoteStore

        return RemoteStore.from_settings(location, settings)
    from store.embedded import EmbeddedStore

    return EmbeddedStore(location)


__all__ = ["QueryError", "QueryResult", "QueryTimeout", "Store", "StoreError", "open_store"]
