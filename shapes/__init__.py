"""kamergraph: shapes."""
