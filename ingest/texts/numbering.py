"""The identity of the questions and answers of a parsed text when its own numbering is
inconsistent: which printed question each answer answers, and the key that tells two parts
printed under the same number apart.

A text is parsed as printed (a question number printed twice stays twice, see
:mod:`ingest.texts.blocks`), so numbers alone do not name the parts. The rules, for the graph's
identifiers (``{kamervraag}/vraag/{key}``, ``{kamervraag}/antwoord/{key}``):

- the key of a part is its printed number, and for the second and later parts printed under the
  same number that number with the occurrence: ``3``, ``3-2``, ``3-3`` (in the order of the text).
  A text whose numbering is consistent has the keys it always had (its numbers);
- an answer printed as "Antwoord N" answers the question numbered N printed last before it (in an
  answer text each answer follows its question), or, where no question N precedes it, the first
  question N; a number no question has answers nothing in this text (the question may be in the
  published question set).

Pure: reads a :class:`~ingest.records.TextDocument`, adds nothing to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.records import TextDocument


@dataclass(frozen=True)
class PartKeys:
    """The keys of a text's questions and answers (in the order of ``doc.questions`` and
    ``doc.answers``), and for each answer, for each of its numbers, the index in ``doc.questions``
    of the question it answers (None: no question of that number in this text)."""

    questions: tuple[str, ...]
    answers: tuple[str | None, ...]
    answered: tuple[tuple[int | None, ...], ...]


def occurrence_key(number: int, occurrence: int) -> str:
    """``3`` for the first part printed as 3, ``3-2`` for the second, and so on."""
    return str(number) if occurrence <= 1 else f"{number}-{occurrence}"


def _keys(numbers: list[int | None]) -> list[str | None]:
    seen: dict[int, int] = {}
    out: list[str | None] = []
    for n in numbers:
        if n is None:
            out.append(None)
            continue
        seen[n] = seen.get(n, 0) + 1
        out.append(occurrence_key(n, seen[n]))
    return out


def _answered_question(doc: TextDocument, number: int, at: int) -> int | None:
    """The index of the question numbered ``number`` printed last before source offset ``at``, else
    the first one of that number, else None."""
    same = [i for i, q in enumerate(doc.questions) if q.number == number]
    if not same:
        return None
    before = [i for i in same if doc.questions[i].span.start < at]
    return before[-1] if before else same[0]


def part_keys(doc: TextDocument) -> PartKeys:
    """The keys of ``doc``'s parts and the question each answer answers (the rules above).

    Questions printed together ("Vraag 2 en 3") are one record per number and keep their numbers."""
    qkeys = _keys([q.number for q in doc.questions])
    akeys = _keys([a.numbers[0] if a.numbers else None for a in doc.answers])
    answered = tuple(tuple(_answered_question(doc, n, a.span.start) for n in a.numbers) for a in doc.answers)
    return PartKeys(tuple(k for k in qkeys if k is not None), tuple(akeys), answered)


def footnote_question(doc: TextDocument, footnote_number: int, question_number: int | None) -> int | None:
    """The index in ``doc.questions`` of the question that carries footnote ``footnote_number``:
    the first whose text holds its marker, else the first question numbered ``question_number``."""
    for i, q in enumerate(doc.questions):
        if footnote_number in q.footnote_markers:
            return i
    if question_number is None:
        return None
    return next((i for i, q in enumerate(doc.questions) if q.number == question_number), None)


def _listed(numbers: list[int], and_word: str) -> str:
    return ", ".join(map(str, numbers[:-1])) + f" {and_word} {numbers[-1]}" if len(numbers) > 1 else str(numbers[0])


def numbering_findings(doc: TextDocument) -> list[tuple[str, str]]:
    """What is inconsistent in ``doc``'s own numbering, each as a sentence in Dutch and in English:
    question or answer numbers printed more than once, question numbers missing from the sequence,
    answer numbers skipped, and answer numbers no question has. Read from the parts as printed
    (questions printed together under one heading share their place and count once); empty for a
    text numbered consistently."""
    out: list[tuple[str, str]] = []
    places: dict[int, set[int]] = {}
    for q in doc.questions:
        places.setdefault(q.number, set()).add(q.span.start)
    twice = sorted(n for n, at in places.items() if len(at) > 1)
    if twice:
        out.append((f"Vraagnummer {_listed(twice, 'en')} staat meer dan eens afgedrukt; zo overgenomen, de latere als "
                    f"{twice[0]}-2 enzovoort.",
                    f"Question number {_listed(twice, 'and')} is printed more than once; kept as printed, the later "
                    f"ones as {twice[0]}-2 and so on."))
    missing = sorted(set(range(1, max(places, default=0) + 1)) - set(places))
    if missing:
        out.append((f"Vraagnummer {_listed(missing, 'en')} ontbreekt in de nummering van de vragen.",
                    f"Question number {_listed(missing, 'and')} is missing from the numbering of the questions."))
    counted: dict[int, int] = {}
    for a in doc.answers:
        for n in a.numbers:
            counted[n] = counted.get(n, 0) + 1
    if not counted:
        return out
    again = sorted(n for n, k in counted.items() if k > 1)
    if again:
        out.append((f"Antwoordnummer {_listed(again, 'en')} staat meer dan eens afgedrukt; zo overgenomen.",
                    f"Answer number {_listed(again, 'and')} is printed more than once; kept as printed."))
    skipped = sorted(set(range(1, max(counted) + 1)) - set(counted))
    if skipped:
        out.append((f"Antwoordnummer {_listed(skipped, 'en')} wordt overgeslagen in de antwoorden; zo overgenomen.",
                    f"Answer number {_listed(skipped, 'and')} is skipped in the answers; kept as printed."))
    stray = sorted(n for n in counted if places and n not in places)
    if stray:
        out.append((f"Antwoordnummer {_listed(stray, 'en')} heeft geen vraag met dat nummer.",
                    f"Answer number {_listed(stray, 'and')} has no question of that number."))
    return out
