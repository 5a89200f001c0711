"""The dumps: ``/dumps/`` (the current release: a page for browsers, its manifest as JSON for
programs), ``/dumps/{file}`` (the files) and ``/def/context.jsonld`` (the JSON-LD context the dumps
name).

A release is written by ``kamergraph dumps`` (``store.export.write_release``) into
``KAMERGRAPH_DUMPS_DIR``, a link to the newest release directory; the server only reads it and never
builds dumps on request. Each request resolves the link once, so a download that started on one
release finishes on it even when a newer one is switched in meanwhile (the previous release is kept).

The files are gzip files and are served as what they are: ``Content-Type: application/gzip``,
without ``Content-Encoding``, as attachments. ``curl -O``, ``wget`` and browsers save them as
``kamergraph.nt.gz`` without touching the bytes (with ``Content-Encoding: gzip`` some would unpack
them on the fly and store a file whose name, size and SHA-256 no longer match the listing; with an
RDF media type on gzip bytes, RDF tools that read the URL would try to parse the compressed bytes).
The RDF media type of each file's contents is in the manifest and on the page.

Every file has a strong ``ETag``: its SHA-256 (the same contents always give the same bytes, so the
tag stays the same from one release to the next while the data do not change). ``If-None-Match``
gets ``304 Not Modified``; ``Range`` gets ``206 Partial Content`` (one range or several) and ``416``
beyond the end, ``If-Range`` with the ETag resumes only the same file (Starlette's ``FileResponse``).
"""

from __future__ import annotations

import hashlib
import json
import os
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from ontology.context import jsonld_context
from server.render import render, templates
from server.i18n import install as install_i18n, page_lang
from server.errors import error_response
from server.negotiation import wants_html
from store import generation
from store.export import FORMATS, GZIP_MEDIA_TYPE, MANIFEST, current_release, read_manifest

if TYPE_CHECKING:
    from kamergraph.settings import Settings
    from server.endpoint import Endpoint

__all__ = ["install_dumps"]

JSONLD_MEDIA = "application/ld+json"
FILE_CACHE = "public, max-age=3600"


_error = error_response  # the one JSON error shape (server.errors)


def _etag_matches(header: str | None, etag: str) -> bool:
    """If-None-Match: ``*`` or any listed tag equal to ``etag`` (weak comparison, RFC 9110 13.1.2)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    ours = etag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == ours for t in header.split(","))


def _not_modified(request: Request, etag: str, mtime: float | None, headers: dict[str, str]) -> bool:
    inm = request.headers.get("if-none-match")
    if inm is not None:
        return _etag_matches(inm, etag)
    ims = request.headers.get("if-modified-since")
    if ims and mtime is not None:
        try:
            return int(mtime) <= parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError, OverflowError):
            return False
    return False


def _human(n: int, lang: str) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            text = f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
            return text.replace(".", ",") if lang == "nl" else text
        size /= 1000
    return str(n)


def install_dumps(app: FastAPI, endpoint: Endpoint, settings: Settings | None = None) -> None:
    """Add ``/dumps/``, ``/dumps/{file}`` and ``/def/context.jsonld`` to the application."""
    settings = settings or endpoint.settings
    dumps_dir = Path(settings.dumps_dir)
    base = settings.base
    install_i18n(templates.env)
    context_body, context_headers = _jsonld_context()

    @app.api_route("/def/context.jsonld", methods=["GET", "HEAD"], name="jsonld_context", include_in_schema=False)
    async def context(request: Request) -> Response:
        """The JSON-LD context of the dumps (generated from the ontology and the project's prefixes)."""
        if _not_modified(request, context_headers["ETag"], None, context_headers):
            return Response(status_code=304, headers=context_headers)
        return Response(context_body if request.method == "GET" else b"", media_type=JSONLD_MEDIA,
                        headers={**context_headers, "Content-Length": str(len(context_body))})

    @app.get("/dumps", include_in_schema=False)
    async def dumps_redirect(request: Request) -> Response:
        query = request.url.query
        return RedirectResponse("/dumps/" + (f"?{query}" if query else ""), status_code=308)

    @app.get("/dumps/", name="dumps", include_in_schema=False)
    async def dumps(request: Request) -> Response:
        """The current release: a page (browsers, ``format=html``) or its manifest (JSON)."""
        fmt = request.query_params.get("format")
        if fmt and fmt.lower() not in ("json", "html"):
            return _error(400, f"format={fmt}: give json or html")
        manifest = read_manifest(dumps_dir)
        if not wants_html(request.headers.get("accept"), fmt):
            return _manifest_json(manifest, base)
        return _release_page(request, endpoint, manifest, dumps_dir, base)

    @app.api_route("/dumps/{name}", methods=["GET", "HEAD"], name="dump_file", include_in_schema=False)
    async def dump_file(name: str, request: Request) -> Response:
        """One file of the current release (ETag, If-None-Match, Range)."""
        return _dump_file(request, dumps_dir, name)

    app.state.dumps_dir = dumps_dir


def _jsonld_context() -> tuple[bytes, dict[str, str]]:
    """The JSON-LD context's body and its response headers (its ETag is the body's SHA-256)."""
    body = json.dumps({"@context": jsonld_context()}, ensure_ascii=False, indent=1).encode("utf-8")
    etag = f'"{hashlib.sha256(body).hexdigest()}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=86400",
               "Access-Control-Allow-Origin": "*"}  # JSON-LD processors in browsers fetch it
    return body, headers


def _manifest_json(manifest: dict | None, base: str) -> Response:
    """The release's manifest with the files' and the context's URLs (JSON), or a 404 without a release."""
    if manifest is None:
        return _error(404, "no dump release yet: an administrator makes one with `kamergraph dumps`",
                      {"Vary": "Accept"})
    body = dict(manifest)
    body["files"] = [{**f, "url": f"{base}dumps/{f['file']}"} for f in manifest.get("files", [])]
    body["context"] = f"{base}def/context.jsonld"
    return JSONResponse(body, headers={"Vary": "Accept", "Cache-Control": "no-cache"})


def _store_changed(endpoint: Endpoint, manifest: dict | None) -> bool:
    """Whether the embedded store has a generation other than the one the release was made from."""
    if manifest is None or endpoint.store_path is None or not manifest.get("store_generation"):
        return False
    try:
        now = generation.marker(endpoint.store_path).read_text(encoding="ascii").strip()
        return bool(now) and now != manifest["store_generation"]
    except OSError:
        return False


def _release_page(request: Request, endpoint: Endpoint, manifest: dict | None, dumps_dir: Path, base: str) -> Response:
    """The release as a page: its files with their labels and sizes, and whether the store changed since."""
    lang = page_lang(request)
    files = []
    for f in (manifest or {}).get("files", []):
        known = FORMATS.get(f.get("format", ""))
        files.append({**f, "label": known.label if known else f.get("format"), "size": _human(f["bytes"], lang)})
    return render(request, "dumps.html", {
        "lang": lang, "nav": "", "manifest": manifest, "files": files, "changed": _store_changed(endpoint, manifest),
        "dumps_dir": str(dumps_dir), "base": base, "context_url": f"{base}def/context.jsonld",
    }, 200, {"Vary": "Accept, Cookie", "Cache-Control": "no-cache"})


def _manifest_file(request: Request, directory: Path) -> Response:
    """The release's manifest.json as it is on disk (ETag: its SHA-256)."""
    path = directory / MANIFEST
    data = path.read_bytes()
    etag = f'"{hashlib.sha256(data).hexdigest()}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if _not_modified(request, etag, None, headers):
        return Response(status_code=304, headers=headers)
    return Response(data if request.method == "GET" else b"", media_type="application/json",
                    headers={**headers, "Content-Length": str(len(data))})


def _dump_file(request: Request, dumps_dir: Path, name: str) -> Response:
    """One file of the current release, or its manifest; a 404 naming what the release has."""
    release = current_release(dumps_dir)  # the directory and its manifest, of one release
    if release is None:
        return _error(404, f"no dump release yet, so no {name}: an administrator makes one with `kamergraph dumps`")
    directory, manifest = release
    if name == MANIFEST:
        return _manifest_file(request, directory)
    entry = next((f for f in manifest.get("files", []) if f.get("file") == name), None)
    if entry is None:
        listed = ", ".join(f["file"] for f in manifest.get("files", []))
        return _error(404, f"no file {name!r} in the current release; it has {listed} and {MANIFEST}")
    path = directory / entry["file"]
    try:
        st = os.stat(path)
    except OSError:
        return _error(404, f"{name} is listed in the release but missing on the server")
    etag = f'"{entry["sha256"]}"'
    headers = {
        "ETag": etag,
        "Cache-Control": FILE_CACHE,
        "Last-Modified": formatdate(st.st_mtime, usegmt=True),
        "X-Content-Media-Type": entry.get("media_type", ""),  # what the gzip holds
    }
    if _not_modified(request, etag, st.st_mtime, headers):
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type=GZIP_MEDIA_TYPE, headers=headers, filename=entry["file"],
                        stat_result=st)

