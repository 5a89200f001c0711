"""Header values built from IRIs and paths.

HTTP header values are Latin-1 on the wire (Starlette encodes them so, and fails on anything
else): an IRI or a path with characters beyond Latin-1 (``/id/kamervraag/€``) is written in a
``Link``, ``Location`` or ``Content-Location`` header as its URI, with every character outside
printable ASCII percent-encoded as UTF-8 (RFC 3987 §3.1), and the characters that would end a
``<…>`` reference or a quoted string (``<>"`` and spaces) encoded too.
"""

from __future__ import annotations

from urllib.parse import quote

__all__ = ["header_uri"]

#: Left as they are: the reserved characters of RFC 3986 and ``%`` (already percent-encoded octets).
_SAFE = "!#$%&'()*+,/:;=?@[]~"


def header_uri(iri_or_path: str) -> str:
    """``iri_or_path`` as an ASCII URI reference fit for a header value."""
    return quote(iri_or_path, safe=_SAFE)
