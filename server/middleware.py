"""Two checks every request passes, whatever its route (pure ASGI, so streaming is untouched):

- :class:`SingleParameters`: a query parameter given twice is a 400, not "the last one wins"
  (``?format=csv&format=json``, ``?page=2&page=3``, a named query's ``?jaar=2019&jaar=2020``); only
  the parameters that are lists by definition may repeat (the SPARQL protocol's
  ``default-graph-uri`` and ``named-graph-uri``, and its update ones, which ``/sparql`` refuses
  with 403; the filters of the question list, whose pages check their own parameters);
- :class:`JsonErrors`: an error some layer below the routes answers in plain text (Starlette's
  ``FileResponse`` for a malformed or unsatisfiable ``Range``, its static files) is rewritten into
  the one JSON error shape with ``nosniff``, its other headers (``Content-Range``) kept.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from server.errors import NOSNIFF, error_body

Scope = dict[str, Any]

#: Parameters that may repeat, per path (the search pages check their own parameters, filters repeat).
REPEATABLE: Mapping[str, frozenset[str] | None] = {
    "/sparql": frozenset({"default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri"}),
    "/zoeken": None,  # None: the route checks repetition itself
    "/search": None,
    "/kamervragen": None,
}


def _json_error(status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None) -> tuple[dict, dict]:
    body = json.dumps(error_body(status, detail)).encode("utf-8")
    raw = [(k, v) for k, v in (headers or []) if k.lower() not in (b"content-type", b"content-length",
                                                                   b"x-content-type-options")]
    raw += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode("ascii")),
            (b"x-content-type-options", NOSNIFF.encode("ascii"))]
    return ({"type": "http.response.start", "status": status, "headers": raw},
            {"type": "http.response.body", "body": body})


def repeated(query_string: bytes, path: str) -> str | None:
    """The first parameter of ``query_string`` given more than once where that is not allowed, else None."""
    if b"&" not in query_string and b";" not in query_string:
        return None
    allowed = REPEATABLE.get(path.rstrip("/") or "/", frozenset())
    if allowed is None:
        return None
    try:
        names = [k for k, _ in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)]
    except ValueError:
        return None  # the route answers what it cannot read
    counts = Counter(names)
    return next((n for n in names if counts[n] > 1 and n not in allowed), None)


class SingleParameters:
    """Refuse a request whose query string repeats a parameter that is not a list (400, JSON)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            name = repeated(scope.get("query_string", b""), scope.get("path", "/"))
            if name is not None:
                count = sum(1 for k, _ in parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
                            if k == name)
                start, body = _json_error(400, f"the parameter {name} is given {count} times; give exactly one {name}")
                await send(start)
                await send(body)
                return
        await self.app(scope, receive, send)


class JsonErrors:
    """Rewrite a plain-text (or empty) error answer into the one JSON error shape."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def wrapped(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                ctype = dict(message.get("headers", [])).get(b"content-type", b"")
                if message["status"] >= 400 and (not ctype or ctype.startswith(b"text/plain")):
                    held["start"] = message  # hold it: the body becomes the detail
                    return
                await send(message)
            elif message["type"] == "http.response.body" and "start" in held:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    start = held.pop("start")
                    status = start["status"]
                    text = b"".join(chunks).decode("utf-8", "replace").strip()
                    if not text or text == HTTPStatus(status).phrase:
                        text = HTTPStatus(status).description or HTTPStatus(status).phrase
                    new_start, body = _json_error(status, text, start.get("headers", []))
                    if scope.get("method") == "HEAD":
                        body = {"type": "http.response.body", "body": b""}
                    await send(new_start)
                    await send(body)
            else:
                await send(message)

        await self.app(scope, receive, wrapped)
