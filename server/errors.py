"""The one JSON error shape of the application: ``{"error": {"status", "title", "detail"}}``.

Every error answer carries ``X-Content-Type-Options: nosniff`` (a browser must not read a JSON
error that echoes the request as something else).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi.responses import JSONResponse

NOSNIFF = "nosniff"


def error_body(status: int, detail: str) -> dict[str, Any]:
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    return {"error": {"status": status, "title": title, "detail": detail}}


def error_response(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, detail), status_code=status,
                        headers={**(headers or {}), "X-Content-Type-Options": NOSNIFF})
