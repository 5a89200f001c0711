"""Readers of published texts: text extracted from the official PDFs, and Word (DOCX) answer letters.

Both return the text as one ``str``; :func:`ingest.texts.parse_text` turns it into a record.
Errors name the file (and the line where one is known): :class:`ingest.errors.ParseError`.
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from pathlib import Path

from ingest.errors import ParseError

__all__ = ["read_text_file", "read_docx", "MAX_TEXT_BYTES", "MAX_DOCX_UNPACKED_BYTES"]

# The defaults of the settings max_text_bytes and max_docx_unpacked_bytes (kamergraph/settings.py),
# which the front door passes in; the ingest stage does not read the settings itself.
MAX_TEXT_BYTES = 2_000_000
MAX_DOCX_UNPACKED_BYTES = 50_000_000
_MOST_DOCX_PARTS = 2_000  # a Word file has a few dozen parts
_CHUNK = 1 << 20


def _too_big(size: int, limit: int, what: str) -> str:
    return f"{what} is {size:,} bytes, more than the {limit:,} bytes a published text may have (max_text_bytes)"


def read_text_file(path: str | Path, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """The UTF-8 text of ``path`` (a leading BOM is dropped, line ends become ``\\n``).

    Raises :class:`ParseError` for a file that cannot be read (missing, a directory, a dangling
    link), one larger than ``max_bytes`` (refused before it is read), an empty (or blank) file and a
    binary file (NUL bytes or bytes that are not UTF-8), naming the file and, where known, the line.
    """
    name = str(path)
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise ParseError(name, None, "cannot read the file: it is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise ParseError(name, None, "cannot read the file: not a regular file")
        if st.st_size > max_bytes:
            raise ParseError(name, None, _too_big(st.st_size, max_bytes, "the file"))
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)  # a file that grew since it was measured is cut here, and refused
    except OSError as exc:
        what = " (a dangling link)" if Path(path).is_symlink() else ""
        raise ParseError(name, None, f"cannot read the file: {exc.strerror or exc}{what}") from None
    if len(data) > max_bytes:
        raise ParseError(name, None, _too_big(len(data), max_bytes, "the file"))
    if not data.strip():
        raise ParseError(name, 1, "the file is empty")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise ParseError(name, line, "binary content (NUL byte), not a text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ParseError(name, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ParseError(name, 1, "the file holds only white space")
    return text


def _check_unpacked(name: str, zf: zipfile.ZipFile, limit: int) -> None:
    """Refuse a zip whose parts unpack to more than ``limit`` bytes: first by the sizes the zip
    declares, then by inflating every part (discarding the bytes) and counting what comes out, since
    declared sizes can lie. Raises :class:`ParseError` naming the file; a corrupt part is refused too."""
    infos = zf.infolist()
    if len(infos) > _MOST_DOCX_PARTS:
        raise ParseError(name, None, f"not a DOCX file: {len(infos):,} parts in the zip (a Word file has a few dozen)")
    declared = sum(i.file_size for i in infos)
    if declared > limit:
        raise ParseError(name, None, f"the DOCX unpacks to {declared:,} bytes (as the zip declares), more than the "
                         f"{limit:,} bytes allowed (max_docx_unpacked_bytes); not unpacked")
    total = 0
    for info in infos:
        try:
            with zf.open(info) as part:
                while chunk := part.read(_CHUNK):
                    total += len(chunk)
                    if total > limit:
                        raise ParseError(name, None, f"the DOCX unpacks to more than {limit:,} bytes (the zip declares "
                                         f"{declared:,}), more than allowed (max_docx_unpacked_bytes); not unpacked further")
        except ParseError:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, ValueError,
                zlib.error, OSError) as exc:
            raise ParseError(name, None, f"not a readable DOCX file: part {info.filename!r}: {exc}") from None


def _footnotes(path: str | Path) -> list[tuple[str, str]]:
    """The footnotes of a DOCX (``word/footnotes.xml``) as (w:id, text), in document order."""
    from lxml import etree  # python-docx depends on lxml

    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    try:
        with zipfile.ZipFile(path) as zf:
            if "word/footnotes.xml" not in zf.namelist():
                return []
            parser = etree.XMLParser(resolve_entities=False, no_network=True)
            root = etree.fromstring(zf.read("word/footnotes.xml"), parser)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError, ValueError, zlib.error):
        return []
    out: list[tuple[str, str]] = []
    for fn in root.findall("w:footnote", ns):
        kind = fn.get(f"{{{ns['w']}}}type")
        if kind in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        text = " ".join("".join(t.text or "" for t in fn.iter(f"{{{ns['w']}}}t")).split())
        out.append((fn.get(f"{{{ns['w']}}}id") or "", text))  # an empty footnote is still referenced
    return out


def read_docx(path: str | Path, max_unpacked: int = MAX_DOCX_UNPACKED_BYTES, max_text: int = MAX_TEXT_BYTES) -> str:
    """The text of a Word file: paragraphs and table cells in body order, one paragraph a line.

    Tables nested in table cells (the letterhead's "In antwoord op uw brief …, nr. <Zaak>" and the
    signature sit in one) are read in place. Word footnotes (``word/footnotes.xml``, which
    python-docx does not expose) are written the Markdown way: the reference as ``[^N]`` where it
    stands, the text at the end as a line ``[^N]: text``. That keeps them apart from footnotes the
    author typed by hand ("vraagt? 1)", "[1]"), which letters mix with Word footnotes and whose
    numbers collide with them; :func:`ingest.texts.parse_text` counts the two series separately.

    Raises :class:`ParseError` naming the file when it cannot be read (missing, a directory, a
    dangling link), is not a zip (not a DOCX), unpacks to more than ``max_unpacked`` bytes (refused
    before python-docx reads it; see :func:`_check_unpacked`), is a zip without a readable Word
    document in it, or holds a text longer than ``max_text`` bytes.
    """
    name = str(path)
    p = Path(path)
    document = _open_docx(name, p, max_unpacked)
    notes = _footnotes(p)
    refs = {fid: n for n, (fid, _) in enumerate(notes, start=1)}
    lines: list[str] = []
    try:
        _block_lines(document.element.body, document, refs, lines)
    except RecursionError:
        raise ParseError(name, None, "not a readable DOCX file: tables nested too deeply") from None
    except Exception as exc:  # a malformed part python-docx trips over while reading
        raise ParseError(name, None, f"not a readable DOCX file: {type(exc).__name__}: {exc}") from None
    if notes:
        lines.append("")
        lines.extend(f"[^{n}]: {t}" for n, (_, t) in enumerate(notes, start=1))
    text = "\n".join(lines)
    if not text.strip():
        raise ParseError(name, None, "the DOCX holds no text")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_text:
        raise ParseError(name, None, _too_big(size, max_text, "the text of the DOCX"))
    return text


def _open_docx(name: str, p: Path, max_unpacked: int):  # -> docx.document.Document
    """The Word document at ``p``, read by python-docx after the checks :func:`read_docx` lists
    (a readable file, a zip, not unpacking to more than ``max_unpacked`` bytes)."""
    if p.is_dir():
        raise ParseError(name, None, "cannot read the file: it is a directory")
    if not p.is_file():
        raise ParseError(name, None, "cannot read the file: no such file" + (" (a dangling link)" if p.is_symlink() else ""))
    try:
        with zipfile.ZipFile(p) as zf:
            _check_unpacked(name, zf, max_unpacked)
    except ParseError:
        raise
    except zipfile.BadZipFile:
        raise ParseError(name, None, "not a DOCX file (not a zip archive)") from None
    except OSError as exc:
        raise ParseError(name, None, f"cannot read the file: {exc.strerror or exc}") from None
    except Exception as exc:  # a zip whose directory is malformed in other ways
        raise ParseError(name, None, f"not a readable DOCX file: {type(exc).__name__}: {exc}") from None
    try:
        import docx  # python-docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as exc:  # pragma: no cover - dependency missing
        raise ParseError(name, None, f"python-docx is not installed: {exc}") from None
    try:
        return docx.Document(str(p))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ParseError(name, None, f"not a readable DOCX file: {exc}") from None
    except Exception as exc:  # lxml errors and other malformed-package errors
        raise ParseError(name, None, f"not a readable DOCX file: {type(exc).__name__}: {exc}") from None


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _paragraph_text(el, refs: dict[str, int]) -> str:
    """A paragraph's text, with the footnote references (``refs``: Word's footnote id -> number) as "[^n]"."""
    out: list[str] = []
    for node in el.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}footnoteReference"):
        tag = node.tag[len(_W):]
        if tag == "t":
            out.append(node.text or "")
        elif tag == "tab":
            out.append("\t")
        elif tag == "br":
            out.append("\n")
        else:
            n = refs.get(node.get(f"{_W}id") or "")
            if n is not None:
                out.append(f"[^{n}]")
    return "".join(out)


def _block_lines(container, document, refs: dict[str, int], lines: list[str]) -> None:
    """Adds to ``lines`` the paragraphs and table cells of ``container`` in order, nested tables included."""
    from docx.table import Table

    for child in container.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(_paragraph_text(child, refs))
        elif tag == "tbl":
            for row in Table(child, document).rows:
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # merged cells repeat
                        continue
                    seen.add(id(cell._tc))
                    _block_lines(cell._tc, document, refs, lines)  # a cell may hold a table of its own (letterheads do)
        elif tag in ("sdt", "sdtContent", "customXml", "ins"):  # content controls and tracked insertions
            _block_lines(child, document, refs, lines)
