"""kamergraph: ingest."""
