"""How ``kamergraph serve`` runs the application: uvicorn with an HTTP protocol that answers what the
parser refuses in the one JSON error shape.

uvicorn's httptools protocol answers a request it cannot parse with a plain-text 400 ("Invalid HTTP
request received."), and a request URL over 65,535 bytes is such a request: the URL parser keeps its
offsets in 16 bits. It also keeps reading a request line of any length into memory. Here a URL
longer than :data:`MAX_URL_BYTES` is refused while it is read (nothing more of it is kept) with
414 URI Too Long, and every other unparsable request gets 400, both as JSON with
``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

import json

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from server.errors import NOSNIFF, error_body

__all__ = ["MAX_URL_BYTES", "HttpProtocol", "serve"]

#: The longest request URL (path and query) the server reads: the most httptools can parse.
#: A longer query goes in a POST body (up to the max_body_bytes setting).
MAX_URL_BYTES = 65_535
#: How long a stopping server waits for requests still running before it closes them, in seconds.
GRACEFUL_SHUTDOWN_SECONDS = 5.0


class _UrlTooLong(Exception):
    """Raised in the parser's URL callback: stops the parser, which then refuses the request."""


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a bounded request URL and JSON errors."""

    max_url_bytes = MAX_URL_BYTES

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.url_too_long = False

    def on_url(self, url: bytes) -> None:
        if len(self.url) + len(url) > self.max_url_bytes:
            self.url_too_long = True
            raise _UrlTooLong
        super().on_url(url)

    def send_400_response(self, msg: str) -> None:
        """Refuse the request (uvicorn calls this when the parser fails) in the one JSON shape."""
        if getattr(self, "url_too_long", False):
            status, detail = 414, (f"the request URL is longer than the limit of {self.max_url_bytes:,} bytes; "
                                   "send a long query in a POST body (application/sparql-query or a form)")
        else:
            status, detail = 400, f"the request is not valid HTTP/1.1 ({msg.rstrip('.').lower()})"
        body = json.dumps(error_body(status, detail)).encode("utf-8")
        reason = b"URI Too Long" if status == 414 else b"Bad Request"
        head = [b"HTTP/1.1 %d %s\r\n" % (status, reason)]
        for name, value in self.server_state.default_headers:
            head.append(name + b": " + value + b"\r\n")
        head.append(b"content-type: application/json\r\n")
        head.append(b"x-content-type-options: " + NOSNIFF.encode("ascii") + b"\r\n")
        head.append(b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body))
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def config(app: object, host: str, port: int, log_level: str = "info", **options: object) -> uvicorn.Config:
    """The uvicorn configuration of the application: this module's HTTP protocol, a bounded graceful
    shutdown (so that stopping the server never waits on a long request), the lifespan on (its end
    stops every process the application started)."""
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, http=HttpProtocol, lifespan="on",
                          timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS, **options)  # type: ignore[arg-type]


def serve(app: object, host: str, port: int, log_level: str = "info") -> None:
    """Run the application until SIGINT or SIGTERM (what ``kamergraph serve`` calls)."""
    uvicorn.Server(config(app, host, port, log_level)).run()
