"""The Store interface every backend implements, its result type and its exception family."""

from __future__ import annotations

import abc
import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal

from pyoxigraph import BlankNode, Literal as OxLiteral, NamedNode, Triple

Term = NamedNode | BlankNode | OxLiteral | Triple


class StoreError(Exception):
    """Base of the store stage's errors.

    An error that takes arguments of its own keeps each in an attribute of the same name: so it
    pickles (a query worker sends its errors to the pool) as a call of its constructor with them."""

    def __reduce__(self) -> tuple[Any, ...]:
        init = type(self).__init__
        if init is StoreError.__init__:  # the exception's own arguments (a message)
            return super().__reduce__()
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for p in list(inspect.signature(init).parameters.values())[1:]:
            if p.kind is p.KEYWORD_ONLY:
                kwargs[p.name] = getattr(self, p.name)
            elif p.kind is p.VAR_POSITIONAL:  # kept as the tuple it was given
                args.extend(getattr(self, p.name))
            elif p.kind is p.VAR_KEYWORD:
                kwargs.update(getattr(self, p.name))
            else:
                args.append(getattr(self, p.name))
        return (_rebuild, (type(self), tuple(args), kwargs))


def _rebuild(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return cls(*args, **kwargs)


class QueryError(StoreError):
    """The store could not run a query (syntax error, unsupported feature)."""


class QueryTimeout(StoreError):
    """A query ran past its time limit and was stopped."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"query stopped after the time limit of {seconds:g} s")


class QueryOverMemory(StoreError):
    """A query took more memory than a query worker may use (or the pool's budget ran out); it was stopped."""

    def __init__(self, limit_mb: float, *, pool: bool = False) -> None:
        self.limit_mb = limit_mb
        self.pool = pool
        what = "all running queries together" if pool else "one query"
        super().__init__(f"query stopped: it needed more memory than the {limit_mb:g} MB {what} may use")


class TooManyLongQueries(StoreError):
    """A query became long (see the setting long_query_after) while the most long queries already ran."""

    def __init__(self, most: int, after: float) -> None:
        self.most = most
        self.after = after
        super().__init__(f"query stopped: {most} queries running longer than {after:g} s are the most this server "
                         "runs at once; try again later")


class KindNotAcceptable(StoreError):
    """The caller named no answer format for this kind of query (the server answers 406)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(f"no acceptable answer format for a {kind.upper()} query")




@dataclass
class QueryResult:
    """The answer of a query, whatever its form."""

    kind: Literal["select", "ask", "graph"]
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Triple] = field(default_factory=list)
    truncated: bool = False  # the row limit cut the answer short

    def column(self, name: str) -> list[Term | None]:
        i = self.variables.index(name)
        return [r[i] for r in self.rows]

    def values(self) -> list[dict[str, str | None]]:
        """Rows as plain dicts of term values (the lexical form), for tests and scripts."""
        return [
            {v: (t.value if t is not None else None) for v, t in zip(self.variables, r, strict=True)}
            for r in self.rows
        ]


class Store(abc.ABC):
    """Where the graphs live. One transaction per named graph on replace."""

    @abc.abstractmethod
    def replace_graph(self, graph: str, nquads: str | bytes) -> None:
        """Replace one named graph by these statements (N-Quads), in one transaction."""

    @abc.abstractmethod
    def remove_graph(self, graph: str) -> None: ...

    @abc.abstractmethod
    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        timeout: float | None = None,
        row_limit: int | None = None,
        union_default_graph: bool = True,
    ) -> QueryResult:
        """Run a query with values bound to variables (never pasted into the text)."""

    @abc.abstractmethod
    def dump(self, out: BinaryIO, fmt: str = "nq") -> None:
        """Write the whole store (all named graphs) to ``out``."""

    @abc.abstractmethod
    def named_graphs(self) -> list[str]: ...

    @abc.abstractmethod
    def __len__(self) -> int: ...

    def optimize(self) -> None:  # noqa: B027 - optional for backends
        """Compact after a bulk load, where the backend has such a step."""

    # -- what a build needs (the embedded and the remote store have them all)

    def bulk_load(self, nquads: bytes, *, lenient: bool = False) -> None:
        """Add N-Quads without per-graph transactions (for a store being rebuilt); ``lenient``: the parser may
        skip its checks (the caller has parsed the same bytes strictly)."""
        raise StoreError(f"{type(self).__name__} cannot bulk-load")

    def graph_nquads(self, graph: str) -> bytes:
        """One named graph as N-Quads (to carry it over into a rebuilt store)."""
        raise StoreError(f"{type(self).__name__} cannot read a graph as N-Quads")

    def begin_rebuild(self) -> Store:
        """An empty store for a build to fill; :meth:`adopt` then makes it this store's contents."""
        raise StoreError(f"{type(self).__name__} cannot be rebuilt")

    def adopt(self, rebuilt: Store) -> None:
        """Make the contents of a store from :meth:`begin_rebuild` this store's contents."""
        raise StoreError(f"{type(self).__name__} cannot be rebuilt")

    def flush(self) -> None:  # noqa: B027
        """Make every write durable (where the backend buffers writes)."""

    def close(self) -> None:  # noqa: B027
        """Release the backend."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def term_json(t: Term) -> dict[str, Any]:
    """A term in the SPARQL 1.1 Query Results JSON format (RDF-star triples nested)."""
    if isinstance(t, NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, OxLiteral):
        d: dict[str, Any] = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            d["datatype"] = t.datatype.value
        return d
    if isinstance(t, Triple):
        return {
            "type": "triple",
            "value": {"subject": term_json(t.subject), "predicate": term_json(t.predicate), "object": term_json(t.object)},
        }
    raise QueryError(f"cannot write the term {t!r} as SPARQL JSON")
