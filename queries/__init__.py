"""kamergraph: queries."""
