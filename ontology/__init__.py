"""kamergraph: ontology."""
