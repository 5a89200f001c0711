"""Parse a published text of written questions, answers or a postponement notice.

``parse_text(text, source, known_ids=()) -> TextDocument``. Pure: no network, no store.

The texts come from PDF/DOCX extraction and are untidy: hyphenation at line ends, page headers and
footers in the middle of a question, footnotes between the questions, missing spaces where lines
were joined, OCR slips. The parser works from patterns that hold across the corpus (headings
"Vraag N" / "Antwoord N" / numbered paragraphs, the "Vragen van … aan … over …" sentence, page
footers, footnote blocks at page ends) and repairs only with evidence: a Dutch word list
(pyspellchecker's ``nl`` dictionary), the reference names of ministries and posts, and the
document's own spelling elsewhere. Every repair that changes a fact is noted in ``notes``;
what cannot be repaired is noted too, and the confidence drops to "low" where honest.

The steps, one module each: ``lines`` (the lines and their kinds), ``footnotes`` (footnote blocks,
Word footnotes, lost references, markers), ``header`` (askers, addressees, subject, dates, who
answers), ``letter`` (publication id, Zaak, kind), ``blocks`` (questions and answers), ``record``
(the record put together); ``clean`` repairs the text, with the evidence of ``evidence``;
``numbering`` tells apart the parts a text prints under one number (for the graph's identifiers).
Submodules import their siblings directly, never this package.
"""

from ingest.texts.clean import clean_text
from ingest.texts.record import parse_text

__all__ = ["parse_text", "clean_text"]
