"""kamergraph: server."""
