"""The export formats and the byte plumbing of exports: a sink that gzips, counts and hashes what
it is given, a writable that passes writes on to several, and a readable over byte blocks."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

from zlib_ng import zlib_ng as zlib  # zlib's deflate format, compressed 1.7 times as fast (level 6)

from store.base import StoreError


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    media_type: str
    suffix: str
    dataset: bool  # keeps the named graphs (else: triples, the union of the graphs)


FORMATS: dict[str, Format] = {
    "nq": Format("nq", "N-Quads", "application/n-quads", ".nq", True),
    "nt": Format("nt", "N-Triples", "application/n-triples", ".nt", False),
    "ttl": Format("ttl", "Turtle", "text/turtle", ".ttl", False),
    "jsonld": Format("jsonld", "JSON-LD", "application/ld+json", ".jsonld", True),
    "trig": Format("trig", "TriG", "application/trig", ".trig", True),
    "rdf": Format("rdf", "RDF/XML", "application/rdf+xml", ".rdf", False),
}

_BLOCK = 1 << 18  # bytes buffered before a compress/hash/write step


class Sink:
    """Where an export's bytes go: ``raw`` (a binary file), gzipped or not, with the size and SHA-256
    of the bytes written to ``raw``. The gzip stream has no file name and no time stamp, so that the
    same contents give the same bytes (and the same SHA-256, which the server uses as the ETag)."""

    def __init__(self, raw: BinaryIO | IO[bytes], gzip_level: int | None = None) -> None:
        self.raw = raw
        self.gzip_level = gzip_level
        self._z = zlib.compressobj(gzip_level, zlib.DEFLATED, 31) if gzip_level is not None else None
        self._members = False  # gzip members compressed elsewhere (write_gzip_member)
        self._buf = bytearray()
        self.sha256 = hashlib.sha256()
        self.bytes = 0
        self.uncompressed = 0
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._members:
            raise StoreError("a Sink that took gzip members takes no more plain bytes")
        self._buf += data
        if len(self._buf) >= _BLOCK:
            self._push(bytes(self._buf))
            self._buf.clear()
        return len(data)

    def _push(self, data: bytes) -> None:
        self.uncompressed += len(data)
        out = self._z.compress(data) if self._z is not None else data
        self._out(out)

    def _out(self, out: bytes) -> None:
        if out:
            self.sha256.update(out)
            self.raw.write(out)
            self.bytes += len(out)

    def write_gzip_member(self, member: bytes, uncompressed: int) -> None:
        """A whole gzip member (header, deflate stream, trailer), compressed elsewhere at this sink's
        level, for ``uncompressed`` bytes. A gzip file may be a series of members (RFC 1952, 2.2):
        gzip, zcat, Python's gzip, Java's GZIPInputStream and the like read it as one stream."""
        if self._z is None or self.uncompressed and not self._members or self._buf:
            raise StoreError("gzip members go only into a gzip Sink that has taken nothing else")
        self._members = True
        self.uncompressed += uncompressed
        self._out(member)

    def flush(self) -> None:  # pyoxigraph calls it; the bytes are pushed on close
        pass

    def close(self) -> None:
        """Write what is buffered and end the gzip stream (the raw file stays open)."""
        if self.closed:
            return
        if self._buf:
            self._push(bytes(self._buf))
            self._buf.clear()
        if self._z is not None and not self._members:
            self._out(self._z.flush())
        self.closed = True


class Tee:
    """A writable that passes every write to each of its writers."""

    def __init__(self, *writers: Any) -> None:
        self.writers = writers

    def write(self, data: bytes) -> int:
        for w in self.writers:
            w.write(data)
        return len(data)

    def flush(self) -> None:
        pass


class IterReader(io.RawIOBase):
    """A readable binary stream over an iterator of byte blocks (to feed pyoxigraph's parser)."""

    def __init__(self, blocks: Iterator[bytes]) -> None:
        self._blocks = blocks
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._rest:
            try:
                self._rest = next(self._blocks)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._rest))
        buffer[:n] = self._rest[:n]
        self._rest = self._rest[n:]
        return n
