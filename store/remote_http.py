"""HTTP for the remote store: credentials sent up front, the server's own words from an error
answer, and response bodies read against a deadline."""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import itertools
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
from collections.abc import Mapping
from typing import Any

from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from store.base import StoreError

AGENT = "kamergraph (remote store; SPARQLWrapper)"


class HttpAuth:
    """HTTP basic or digest credentials, sent with every request (digest after the server's challenge).

    urllib's own digest handler answers each 401 by sending the request again, which a server
    that closes the connection on a 401 (Virtuoso) turns into a broken upload for large bodies;
    here the challenge is learnt once (with a bodiless request) and then answered up front.
    """

    def __init__(self, user: str, password: str, scheme: str) -> None:
        if scheme not in ("digest", "basic"):
            raise StoreError(f"unknown HTTP authentication {scheme!r}: digest or basic")
        self.user, self.password, self.scheme = user, password, scheme
        self._challenges: dict[str, dict[str, str]] = {}
        self._nc = itertools.count(1)
        self._lock = threading.Lock()

    @staticmethod
    def _origin(url: str) -> str:
        p = urllib.parse.urlsplit(url)
        return f"{p.scheme}://{p.netloc}{p.path}"

    def ready(self, url: str) -> bool:
        return self.scheme == "basic" or self._origin(url) in self._challenges

    def learn(self, url: str, headers: list[str]) -> bool:
        """Keep the server's digest challenge for ``url``; True if there was one."""
        for h in headers:
            scheme, _, rest = h.strip().partition(" ")
            if scheme.lower() == "digest":
                params = {k.lower(): quoted or bare
                          for k, quoted, bare in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]*))', rest)}
                if "nonce" in params and "realm" in params:
                    with self._lock:
                        self._challenges[self._origin(url)] = params
                    return True
            elif scheme.lower() == "basic" and self.scheme == "basic":
                return True
        return False

    def header(self, method: str, url: str) -> str | None:
        if self.scheme == "basic":
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
            return f"Basic {token}"
        ch = self._challenges.get(self._origin(url))
        if ch is None:
            return None
        p = urllib.parse.urlsplit(url)
        uri = p.path + (f"?{p.query}" if p.query else "")
        algorithm = ch.get("algorithm", "MD5")
        name = algorithm.upper().removesuffix("-SESS")
        hash_name = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}.get(name)
        if hash_name is None:
            raise StoreError(f"{url}: the server asks for digest algorithm {algorithm}, which kamergraph does not speak")

        def h(s: str) -> str:
            return hashlib.new(hash_name, s.encode("utf-8")).hexdigest()

        cnonce = os.urandom(8).hex()
        ha1 = h(f"{self.user}:{ch['realm']}:{self.password}")
        if algorithm.upper().endswith("-SESS"):
            ha1 = h(f"{ha1}:{ch['nonce']}:{cnonce}")
        ha2 = h(f"{method}:{uri}")
        qops = [q.strip() for q in ch.get("qop", "").split(",") if q.strip()]
        realm, nonce = ch["realm"], ch["nonce"]
        parts = [f'username="{self.user}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"',
                 f"algorithm={algorithm}"]
        if "auth" in qops:
            with self._lock:
                nc = f"{next(self._nc):08x}"
            response = h(f"{ha1}:{ch['nonce']}:{nc}:{cnonce}:auth:{ha2}")
            parts += [f'response="{response}"', "qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
        else:
            nonce = ch["nonce"]
            parts.append(f'response="{h(f"{ha1}:{nonce}:{ha2}")}"')
        if "opaque" in ch:
            opaque = ch["opaque"]
            parts.append(f'opaque="{opaque}"')
        return "Digest " + ", ".join(parts)


def server_message(exc: SPARQLWrapperException | urllib.error.HTTPError, limit: int = 600) -> str:
    """The server's own words from an error answer, without the echo of the whole query."""
    if isinstance(exc, urllib.error.HTTPError):
        try:
            raw: Any = exc.read()
        except OSError:
            raw = b""
    else:
        text = str(exc)
        _, sep, tail = text.partition("Response:\n")
        raw = text
        if sep:
            try:
                raw = ast.literal_eval(tail.strip())
            except (ValueError, SyntaxError):
                raw = tail
    msg = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    msg = msg.split("\n\nSPARQL query:", 1)[0]  # Virtuoso echoes the query after its message
    msg = re.sub(r"<[^>]{1,40}>", " ", msg) if msg.lstrip().startswith("<") else msg  # an HTML page
    msg = " ".join(msg.split())
    return msg[:limit] + ("…" if len(msg) > limit else "")


class ResponseBody(io.RawIOBase):
    """A response body read against a deadline, optionally keeping a copy of what was read."""

    def __init__(self, response: Any, deadline: float | None, keep: bool) -> None:
        self.response = response
        self.deadline = deadline
        self.kept: bytearray | None = bytearray() if keep else None
        self.timed_out = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.timed_out = True
            raise TimeoutError("the query ran past its time limit")
        try:
            n = self.response.readinto(buffer)
        except (TimeoutError, socket.timeout):
            self.timed_out = True
            raise
        if n and self.kept is not None:
            self.kept += bytes(memoryview(buffer)[:n])
        return n or 0


def drain(body: ResponseBody) -> None:
    """Read the rest of ``body`` (its kept copy is then whole)."""
    while body.read(65536):
        pass


def with_params(url: str, params: Mapping[str, str]) -> str:
    """``url`` with these query parameters added."""
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
