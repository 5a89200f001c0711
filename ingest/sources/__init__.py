"""kamergraph: ingest/sources."""
