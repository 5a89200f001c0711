"""Citations in published texts: URLs, Kamerstukken, Aanhangsels, letters and EU legal resources.

Pure functions, no rdflib, no network. :func:`find_citations` reads a (question, answer or
footnote) text and returns :class:`~ingest.records.Citation` records with character spans into
that text (plus ``offset``, so that a caller can pass a slice and get spans into the whole text).

EU legal resources are found in two ways:

* by their number ("Verordening (EU) 2021/821", "Verordening (EG) nr. 428/2009",
  "Richtlijn 2009/147/EG", "COM(2016) 616", "2016/0295(COD)"), method ``"identificatie"``;
  the target is the ELI of the act (``http://data.europa.eu/eli/reg/2021/821/oj``), the CELLAR
  IRI of a Commission proposal (``http://publications.europa.eu/resource/celex/52016PC0616``) or
  of a procedure (``http://publications.europa.eu/resource/procedure/2016_295``);
* by name, from the aliases of the register ``data/eu/eu-acts.csv`` ("de dual use-verordening",
  "AVG", "het voorstel van de Europese Commissie uit 2016 om de dual use-verordening te
  herzien"), method ``"alias"``.

:class:`EURegister` is that register: look-ups by key, CELEX, number, IRI and alias, and
:meth:`EURegister.related` for the links between a proposal, its procedure and the acts.

:func:`repair_publication_id` repairs an official publication id printed with an extraction slip
("kv-tk-2019Z215231") against the official id list.

The modules: ``register`` (the EU register), ``patterns`` (the patterns of EU identifiers: act, COM,
procedure, CELEX and ELI numbers), ``names`` (what a name stands for on a date), ``finder`` (the
other patterns and :func:`find_citations`), ``linker`` (the title linker), ``subjects`` (acts named by their
subject), ``areas`` (Natura 2000 areas by their names), ``ids``
(:func:`repair_publication_id`). They import each other directly, never this package.
"""

from ingest.citations.finder import find_citations
from ingest.citations.ids import repair_publication_id
from ingest.citations.register import EURegister, EUResource, default_register

__all__ = ["EURegister", "EUResource", "default_register", "find_citations", "repair_publication_id"]
