"""The facts of a letter outside its header statement: the printed publication id (checked against
the official ids and repaired), the Zaak number, the kind of text, and the dates a letter head or a
postponement notice gives."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Container

from ingest.texts.evidence import _DATE, MONTHS, _date
from ingest.texts.lines import _Line


def _printed_ids(text: str, lines: list[_Line], notes: list[str]) -> tuple[str | None, str | None]:
    """The publication id printed in the text (the first ``kv-tk-…`` / ``ah-tk-…``) and the Zaak
    number printed on a line of its own ("2024Z18439", also with spaces: noted)."""
    printed_id = None
    for ln in lines:
        m = re.search(r"\b((?:kv|ah)-tk-[0-9A-Za-z-]{1,40}?)(?=\s*\.?\s*$|\s)", ln.text)  # ids have < 30 characters
        if m:
            printed_id = m.group(1)
            break
    zm = re.search(r"^[^\S\n]*(\d{4})\s?Z\s?(\d{5})\s*$", text, re.M)
    zaak = f"{zm.group(1)}Z{zm.group(2)}" if zm else None
    if zm and " " in zm.group(0).strip():
        notes.append(f"Zaak number printed as {zm.group(0).strip()!r}; read as {zaak}")
    return printed_id, zaak


def _ids_within_1(s: str, known: Container[str]) -> list[str]:
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyzZ-"
    cands: set[str] = set()
    for i in range(len(s) + 1):
        if i < len(s):
            cands.add(s[:i] + s[i + 1:])
            for c in alphabet:
                cands.add(s[:i] + c + s[i + 1:])
        for c in alphabet:
            cands.add(s[:i] + c + s[i:])
    cands.discard(s)
    out = []
    for c in sorted(cands):
        try:
            if c in known:
                out.append(c)
        except TypeError:
            return []
    return out


def _vergaderjaar(d: dt.date) -> str:
    y = d.year if d.month >= 9 else d.year - 1
    return f"{y}{y + 1}"


_ZAAK_LABEL = re.compile(
    r"(?P<label>\buw\s+brief\s+van\s+[^,\n]{0,40}?,?\s*(?:nr\.?|nummer|kenmerk)"
    r"|(?<!ons\s)\b(?:Uw\s+)?(?:kenmerk|[Zz]aak(?:nummer|nr\.?)?))"
    r"\s*:?\s*(?P<y>20\d{2})\s?Z\s?(?P<n>\d{5})\b",
    re.I,
)
_NOTICE_ASKED = re.compile(
    r"\bOp\s+(?P<d>\d{1,2})\s+(?P<m>" + "|".join(MONTHS) + r")(?:\s+(?P<y>\d{4}))?\s*(?P<jl>j\.?\s?l\.?)?"
    r"\s+(?:hebben|heeft)\b[^.]{0,400}?\bvragen\s+(?:gesteld|ingediend)",
    re.I,
)


def _letter_date(text: str, header_lines: list[_Line]) -> dt.date | None:
    """The date of a letter: the "Datum" field of its head (the date may stand on the next line)."""
    head_end = header_lines[-1].end if header_lines else len(text)
    m = re.search(r"^[^\S\n]*Datum\b[\s:]*(" + _DATE.pattern + r")", text[:head_end], re.M | re.I)
    return _date(m.group(1)) if m else None


def _submitted_in_notice(text: str, ref: dt.date | None) -> tuple[dt.date, str] | None:
    """The date questions were asked, from "Op 6 november jl. hebben de leden … vragen gesteld".

    Without a printed year the date is the last such day before ``ref`` (the notice's received or
    letter date): "jl." (jongstleden) means just that. Without ``ref`` no year can be given.
    """
    m = _NOTICE_ASKED.search(text)
    if not m:
        return None
    month, day = MONTHS[m.group("m").lower()], int(m.group("d"))
    try:
        if m.group("y"):
            d = dt.date(int(m.group("y")), month, day)
            return d, f"submission date {d.isoformat()} read from {m.group(0)[:40]!r}…"
        if ref is None:
            return None
        d = dt.date(ref.year, month, day)
        if d > ref:
            d = dt.date(ref.year - 1, month, day)
    except ValueError:
        return None
    return d, f"submission date {d.isoformat()} read from {m.group(0)[:40]!r}…; the year follows from the notice's date {ref.isoformat()}"


def _zaak_in_letter_head(text: str, header_lines: list[_Line], notes: list[str]) -> str | None:
    """The Zaak a letter names in its head: "In antwoord op uw brief van 6 december 2023, nr.
    2023Z19677", or in a labelled field "Uw kenmerk" / "Zaaknummer" (the label may stand on the line
    above). Only the header counts: Zaak numbers further on belong to other Zaken."""
    head_end = header_lines[-1].end if header_lines else len(text)
    lm = _ZAAK_LABEL.search(text, 0, head_end)
    if not lm:
        return None
    zaak = f"{lm.group('y')}Z{lm.group('n')}"
    notes.append(f"Zaak number {zaak} read from {' '.join(lm.group('label').split())!r} in the letter head")
    return zaak


def _kind(text: str, head_text: str, lines: list[_Line], printed_id: str | None) -> str:
    """"uitstel" (a postponement notice), "antwoord" (answers) or "vragen" (questions), from the
    flattened header ``head_text``, the headings among ``lines`` and the printed id."""
    qheads = any(ln.kind == "qhead" for ln in lines)
    aheads = any(ln.kind == "ahead" for ln in lines)
    if re.search(r"\bMededeling\b", head_text) or (
        not qheads and not aheads and re.search(r"(?:niet binnen de gebruikelijke termijn|uitstel)", text, re.I)
        and not re.search(r"\?\s*$", text, re.M)
    ):
        return "uitstel"
    if aheads or re.search(r"Antwoord(?:en)?\s+van\b|Aanhangsel van de Handelingen|^[^\S\n]*AH\s+\d+", head_text, re.M) or (
        printed_id or ""
    ).startswith("ah-"):
        return "antwoord"
    return "vragen"


def _repair_printed_id(printed_id: str | None, known_ids: Container[str], notes: list[str]) -> tuple[str | None, str | None, bool]:
    """The printed id checked against ``known_ids``: (the id, the printed id when it was repaired,
    whether the confidence drops). A slip is repaired to the one known id within edit distance 1."""
    if not (printed_id and known_ids):
        return printed_id, None, False
    try:
        ok = printed_id in known_ids
    except TypeError:
        ok = True
    if ok:
        return printed_id, None, False
    near = _ids_within_1(printed_id, known_ids)
    if len(near) == 1:
        notes.append(f"publication id printed as {printed_id!r}; repaired to {near[0]!r} (the one official id within edit distance 1)")
        return near[0], printed_id, False
    if near:
        notes.append(f"publication id {printed_id!r} is not official; several official ids are within edit distance 1: {near[:5]}")
        return printed_id, None, True
    notes.append(f"publication id {printed_id!r} is not in the official id list")
    return printed_id, None, False


def _derived_id(text: str, on: dt.date | None, zaak: str | None, kind: str, known_ids: Container[str], notes: list[str]) -> str | None:
    """A publication id where none is printed: "ah-tk-<vergaderjaar>-N" from "AH N" and the date
    ``on`` (received, else submitted), or a question set's "kv-tk-<Zaak>" when it is official."""
    am = re.search(r"^[^\S\n]*AH\s+(\d+)\s*$", text, re.M)
    if am and on:
        cand = f"ah-tk-{_vergaderjaar(on)}-{am.group(1)}"
        try:
            inlist = bool(known_ids) and cand in known_ids
        except TypeError:
            inlist = False
        if inlist or not known_ids:
            notes.append(f"publication id {cand!r} derived from 'AH {am.group(1)}' and the date {on.isoformat()}")
            return cand
    elif zaak and kind == "vragen":
        cand = f"kv-tk-{zaak}"
        try:
            if known_ids and cand in known_ids:
                notes.append(f"publication id {cand!r} derived from the Zaak number")
                return cand
        except TypeError:
            pass
    return None


def _zaak_of(pub: str | None) -> str | None:
    """The Zaak number in a question set's id ("kv-tk-2024Z18439" -> "2024Z18439")."""
    if pub and pub.startswith("kv-tk-"):
        m = re.match(r"kv-tk-(\d{4}Z\d{5})$", pub)
        return m.group(1) if m else None
    return None


def _submission_in_notice(text: str, received: dt.date | None, header_lines: list[_Line], notes: list[str]) -> dt.date | None:
    """Where no "(ingezonden …)" is printed: the date a notice says the questions were asked
    (:func:`_submitted_in_notice`, its year from the ``received`` date or the letter's date), noted."""
    sub = _submitted_in_notice(text, received or _letter_date(text, header_lines))
    if sub is None:
        return None
    notes.append(sub[1])
    return sub[0]


def _publication_id(
    text: str, printed_id: str | None, zaak: str | None, kind: str, on: dt.date | None, known_ids: Container[str], notes: list[str]
) -> tuple[str | None, str | None, str | None, bool]:
    """The publication id: the printed one checked and repaired (:func:`_repair_printed_id`), else one
    derived (:func:`_derived_id`, from the date ``on``); the printed id where it was repaired; the Zaak
    (``zaak``, else read from a question set's id); and whether the confidence drops."""
    pub, pub_printed, low = _repair_printed_id(printed_id, known_ids, notes)
    if pub is None:
        pub = _derived_id(text, on, zaak, kind, known_ids, notes)
    if zaak is None:
        zaak = _zaak_of(pub)
    return pub, pub_printed, zaak, low
