"""The one loopback listener of the tests and benchmarks: a SPARQL endpoint on 127.0.0.1 (a free
port) that counts every connection made to it, to show whether a query reached out (SERVICE).

Without an ``answer`` it hangs up on every connection unanswered (a SERVICE call to it fails);
with one (SPARQL JSON results) it answers every request with it. With ``hold`` it answers only
once :meth:`Listener.release` is called, and sets :attr:`Listener.reached` when a request has come
in: a test can keep a query running, on a worker, for as long as it needs, without a sleep.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Listener"]

HOLD_LIMIT = 60.0  # seconds a held request waits for release() at the most (a failed test must end)


class Listener:
    """A counting loopback SPARQL endpoint, serving from a thread of its own until :meth:`close`.

    ``port``, ``base`` (``http://127.0.0.1:{port}``) and ``url`` (``{base}/sparql``) say where it
    is; ``contacts`` is the number of connections it accepted so far."""

    def __init__(self, answer: dict[str, Any] | None = None, *, hold: bool = False) -> None:
        self._lock = threading.Lock()
        self._contacts = 0
        self.body = json.dumps(answer).encode() if answer is not None else None
        self.reached = threading.Event()
        self._released = threading.Event()
        if not hold:
            self._released.set()
        self._server = _Server(self)
        self.port: int = self._server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/sparql"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="test-listener")
        self._thread.start()

    @property
    def contacts(self) -> int:
        with self._lock:
            return self._contacts

    def _count(self) -> None:
        with self._lock:
            self._contacts += 1

    def release(self) -> None:
        """Let held requests (and every later one) be answered."""
        self._released.set()

    def close(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, listener: Listener) -> None:
        self.listener = listener
        super().__init__(("127.0.0.1", 0), _Handler)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        """Every connection is counted; without an answer to give it is closed unanswered."""
        self.listener._count()
        return self.listener.body is not None


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _answer(self) -> None:
        listener = self.server.listener
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        listener.reached.set()
        listener._released.wait(HOLD_LIMIT)
        body = listener.body or b""
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass
