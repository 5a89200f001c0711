"""The store's errors cross process boundaries (a query worker sends them to the pool, the pool to
the server) by pickle: each comes back as the same type, with the same message and fields."""

from __future__ import annotations

import pickle

import pytest

from store.base import KindNotAcceptable, QueryError, QueryOverMemory, QueryTimeout, StoreError, TooManyLongQueries
from store.export import GraphSelectionError
from store.pool import PoolBusy

CASES = [
    (QueryTimeout(2.5), {"seconds": 2.5}),
    (QueryOverMemory(300.0), {"limit_mb": 300.0, "pool": False}),
    (QueryOverMemory(1200.0, pool=True), {"limit_mb": 1200.0, "pool": True}),
    (TooManyLongQueries(3, 10.0), {"most": 3, "after": 10.0}),
    (KindNotAcceptable("construct"), {"kind": "construct"}),
    (PoolBusy(7.0), {"seconds": 7.0}),
    (StoreError("the store is closed"), {"args": ("the store is closed",)}),
    (QueryError("syntax error at line 1"), {"args": ("syntax error at line 1",)}),
    (GraphSelectionError("--graph <x>: no such graph"), {"args": ("--graph <x>: no such graph",)}),
]


@pytest.mark.parametrize(("error", "fields"), CASES, ids=lambda c: type(c).__name__ if isinstance(c, Exception) else "")
def test_errors_round_trip_through_pickle(error: StoreError, fields: dict[str, object]) -> None:
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error)
    assert {k: getattr(back, k) for k in fields} == fields


def test_an_error_whose_fields_are_not_kept_does_not_pickle_silently_wrong() -> None:
    """An error whose constructor argument has no attribute of its name cannot be rebuilt: pickling
    it fails loudly instead of sending an error with other fields."""

    class Forgetful(StoreError):
        def __init__(self, seconds: float) -> None:
            super().__init__(f"after {seconds} s")

    with pytest.raises(AttributeError):
        pickle.dumps(Forgetful(1.0))


class _Parts(StoreError):
    """An error whose constructor takes any number of parts and options (none of the store's does yet)."""

    def __init__(self, first: str, *parts: str, limit: int = 1, **options: str) -> None:
        super().__init__(f"{first}: {', '.join(parts)} (limit {limit})")
        self.first, self.parts, self.limit, self.options = first, parts, limit, options


def test_an_error_with_any_number_of_arguments_round_trips() -> None:
    error = _Parts("graphs", "a", "b", limit=3, where="store")
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is _Parts and str(back) == str(error)
    assert (back.first, back.parts, back.limit, back.options) == ("graphs", ("a", "b"), 3, {"where": "store"})
