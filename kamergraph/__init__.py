"""kamergraph: kamergraph."""
