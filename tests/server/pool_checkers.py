"""Query checkers for the pool tests (tests/server/test_pool.py).

A checker runs in the query worker, which imports it by name when the job arrives: this module
imports nothing but the standard library, so that the import costs a worker milliseconds (the
test module, with pytest, httpx and the server's fixtures, took seconds on a loaded machine and
once ran past a first query's time limit)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

SEED = "2019Z15231"


@dataclass(frozen=True)
class Checked:
    text: str
    kind: str
    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()
    pid: int = 0
    saw_graph: bool | None = None


class Refused(Exception):
    def __init__(self, message: str, code: int) -> None:
        self.code = code
        super().__init__(message)

    def __reduce__(self):
        return (type(self), (str(self), self.code))


def rewriting_checker(text: str, *, graph_exists=None) -> Checked:
    """Refuses texts with 'forbidden'; otherwise runs another text than it was given (so a test can
    tell which text ran), and reports whether graph_exists sees a graph of the store."""
    if "forbidden" in text:
        raise Refused("no forbidden queries", 403)
    kind = "construct" if "CONSTRUCT" in text else "select"
    seen = graph_exists(f"https://kamergraph.nl/graph/kamervraag/{SEED}") if graph_exists else None
    return Checked(text.replace("?wrong", "?k"), kind, pid=os.getpid(), saw_graph=seen)


def sleepy_checker(text: str, *, graph_exists=None) -> Checked:
    time.sleep(5)
    return Checked(text, "select")
