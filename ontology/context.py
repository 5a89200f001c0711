"""The JSON-LD ``@context`` of the dumps, generated from the ontology and the project's prefixes.

The context is the same for every deployment (it names no data IRI): it maps

- every prefix of :data:`ontology.namespaces.PREFIXES` (``"kg": "https://w3id.org/kamergraph/def#"``, …),
  so that any IRI in those namespaces can be written as a compact IRI (``"dcterms:title"``);
- every class of the ontology to a term of its local name (``"Kamervraag": "kg:Kamervraag"``), for
  ``"@type": "Kamervraag"``;
- every property of the ontology to a term of its local name, with the type its ``rdfs:range``
  implies: object properties ``{"@id": "kg:indiener", "@type": "@id"}`` (the value is an IRI),
  datatype properties with a non-string range ``{"@id": "kg:bronregel", "@type": "xsd:integer"}``,
  string properties ``"kg:zaaknummer"`` (a plain JSON string is an ``xsd:string`` literal).

The dumps write a value in its short form only where the term's coercion gives back exactly the
same RDF term (:class:`Compactor` decides, from this very dict); any other value keeps its full
value object. So the context can only make the JSON-LD shorter, never change what it says.

It is served at ``{base}def/context.jsonld`` (``server/dumps.py``), the URL the JSON-LD dumps name.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, RdfFormat, parse

from ontology.namespaces import KG, OWL, PREFIXES, RDF, RDFS, XSD

ONTOLOGY_FILE = Path(__file__).resolve().parent / "kamergraph.ttl"
CONTEXT_PATH = "def/context.jsonld"

__all__ = ["CONTEXT_PATH", "Compactor", "context_url", "jsonld_context"]

_STRING_RANGES = {XSD + "string", RDF + "langString", RDFS + "Literal"}


def context_url(base: str) -> str:
    """Where a deployment with this base publishes the context: ``{base}def/context.jsonld``."""
    return base + CONTEXT_PATH


def _curie(iri: str) -> str:
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")) and len(iri) > len(ns):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri


@lru_cache(maxsize=1)
def jsonld_context() -> dict[str, Any]:
    """The context (the value of ``"@context"``) as a dict, generated from ``ontology/kamergraph.ttl``."""
    types: dict[str, set[str]] = {}
    ranges: dict[str, set[str]] = {}
    with ONTOLOGY_FILE.open("rb") as fh:
        for t in parse(fh, format=RdfFormat.TURTLE, base_iri=KG):
            s = t.subject
            if not isinstance(s, NamedNode) or not s.value.startswith(KG) or not isinstance(t.object, NamedNode):
                continue
            if t.predicate.value == RDF + "type":
                types.setdefault(s.value, set()).add(t.object.value)
            elif t.predicate.value == RDFS + "range":
                ranges.setdefault(s.value, set()).add(t.object.value)
    ctx: dict[str, Any] = dict(PREFIXES)
    terms: dict[str, Any] = {}
    for iri in sorted(types):
        kinds = types[iri]
        name = iri[len(KG):]
        if not name or not name.replace("_", "").replace("-", "").isalnum():
            continue
        if OWL + "Class" in kinds or RDFS + "Class" in kinds:
            definition: Any = _curie(iri)
        elif OWL + "ObjectProperty" in kinds:
            definition = {"@id": _curie(iri), "@type": "@id"}
        elif OWL + "DatatypeProperty" in kinds:
            rng = ranges.get(iri, set())
            if len(rng) == 1 and not rng & _STRING_RANGES and next(iter(rng)).startswith(XSD):
                definition = {"@id": _curie(iri), "@type": _curie(next(iter(rng)))}
            else:
                definition = _curie(iri)
        else:
            continue
        if name in ctx or name in terms:  # a prefix or another term of that name: leave both out
            terms[name] = None
            continue
        terms[name] = definition
    ctx.update({k: v for k, v in terms.items() if v is not None})
    return ctx


class Compactor:
    """Writes RDF terms in the short forms a context allows, and only where they expand back to the
    same term (JSON-LD 1.1 expansion rules: compact IRIs for any prefix ending in ``/`` or ``#``,
    type coercion of terms)."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.prefixes: list[tuple[str, str]] = sorted(
            ((k, v) for k, v in context.items() if isinstance(v, str) and v.endswith(("/", "#")) and ":" in v),
            key=lambda kv: -len(kv[1]))
        self.terms = set(context)
        self.vocab_terms: dict[str, str] = {}  # full IRI -> term, for @type values and property keys
        self.coercion: dict[str, str | None] = {}  # full property IRI -> "@id", a datatype IRI, or None
        for name, definition in context.items():
            if isinstance(definition, str) and ":" in definition and not definition.endswith(("/", "#")):
                self.vocab_terms[self.expand(definition)] = name
            elif isinstance(definition, dict) and "@id" in definition:
                full = self.expand(definition["@id"])
                self.vocab_terms[full] = name
                t = definition.get("@type")
                self.coercion[full] = "@id" if t == "@id" else (self.expand(t) if t else None)
        self._cache: dict[str, str] = {}

    def expand(self, value: str) -> str:
        prefix, _, suffix = value.partition(":")
        for p, ns in self.prefixes:
            if p == prefix and not suffix.startswith("//"):
                return ns + suffix
        return value

    def iri(self, iri: str) -> str:
        """An IRI in an ``@id`` position: a compact IRI where a prefix fits, else the IRI itself."""
        hit = self._cache.get(iri)
        if hit is not None:
            return hit
        out = iri
        for p, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
                out = f"{p}:{iri[len(ns):]}"
                break
        else:
            scheme = iri.split(":", 1)[0]
            if scheme in self.terms and not iri[len(scheme) + 1:].startswith("//"):
                raise ValueError(f"the IRI <{iri}> would read as a compact IRI with the context's {scheme!r}")
        if len(self._cache) > 100_000:
            self._cache.clear()
        self._cache[iri] = out
        return out

    def vocab(self, iri: str) -> str:
        """An IRI in a vocabulary position (a property key, an ``@type`` value): a term where one fits."""
        term = self.vocab_terms.get(iri)
        return term if term is not None else self.iri(iri)
