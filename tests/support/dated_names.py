"""The query the tests of names on the date share: the addressed post and its ministry of a Kamervraag
``?kv``, each under its name on the question's date (ontology.dated_names.NAME_ON_DATE_PATTERN), and the
ministry's current label beside it."""

from __future__ import annotations

from ontology.dated_names import NAME_ON_DATE_PATTERN
from ontology.namespaces import sparql_prefixes


def names_on_the_date_query(kv: str | None = None) -> str:
    """SELECT ?postnaam ?ministerienaam ?huidig for ``?kv`` (the Kamervraag IRI ``kv``, else left to bind)."""
    pattern_post = NAME_ON_DATE_PATTERN.replace("?naam", "?postnaam").replace("?ding", "?post")
    pattern_ministry = NAME_ON_DATE_PATTERN.replace("?naam", "?ministerienaam").replace("?ding", "?ministerie")
    values = f"VALUES ?kv {{ <{kv}> }}" if kv else ""
    return sparql_prefixes() + f"""
    SELECT ?kv ?postnaam ?ministerienaam ?huidig WHERE {{
      {values}
      ?kv kg:adressering/kg:post ?post ; dcterms:dateSubmitted ?d .
      BIND (xsd:date(?d) AS ?datum)
      ?post org:postIn ?ministerie . ?ministerie rdfs:label ?huidig .
      {pattern_post}
      {pattern_ministry}
    }}"""
