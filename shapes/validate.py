"""The validation stage: SHACL shapes -> Report.

Two evaluators of the same shapes file (``shapes/kamergraph.shapes.ttl``):

* :func:`validate` — the reference path: pyshacl over an rdflib graph (no inference). Exact, but
  slow; for one record or a small batch and for tests.
* :class:`FastValidator` — the shapes compiled once into SPARQL SELECT queries (per node shape:
  its minCount-1 and maxCount-1 checks; per property shape: its value-type checks; per logical
  constraint and SPARQL rule: one query), run by pyoxigraph over a whole store in a few threads.
  For the full corpus: ~45,000 Zaak graphs (2.8 M quads) in about 5 s on 2 cores.

Both report the same findings (focus node, source shape, path, severity, constraint component);
the test suite checks that on every fixture.

Semantics shared by both paths:

* The data is a dataset: one named graph per source record plus reference graphs. Focus nodes are
  the instances of a shape's target class (rdf:type, with rdfs:subClassOf* from the data); every
  other lookup (values, types of values, the Kamervraag above a Vraagstelling, memberships,
  Ambtsperioden) reads the union of all graphs.
* ``ValidationResult.graph`` is the named graph holding the focus node's rdf:type triple (the
  lexically smallest one, should there be several); ``None`` when not known (plain rdflib.Graph
  input, or a node typed only in the default graph).
* With :func:`validate`'s ``reference`` graph or :meth:`FastValidator.validate_store`'s
  ``graphs``, only focus nodes typed in the data / in those graphs are reported; the reference is
  used for lookups.

The modules, after the parts of the SHACL specification they implement: :mod:`shapes.shapes_graph` (the
shapes graph), :mod:`shapes.report` (the validation report), :mod:`shapes.errors`,
:mod:`shapes.reference` (the pySHACL evaluator), :mod:`shapes.compiler` (the constraint components
compiled into SPARQL, by kind) and :mod:`shapes.fast` (the store-level driver that runs them). This
module names the stage's public API.
"""

from __future__ import annotations

from shapes.errors import ShapesFileError, ShapesValidationError, UnsupportedShapeError
from shapes.fast import FastValidator
from shapes.reference import validate
from shapes.report import Report, Severity, ValidationResult
from shapes.shapes_graph import SHAPES_PATH, load_shapes

__all__ = [
    "SHAPES_PATH", "FastValidator", "Report", "Severity", "ShapesFileError", "ShapesValidationError",
    "UnsupportedShapeError", "ValidationResult", "load_shapes", "validate",
]
