"""Demo and scale data generators (CLI only)."""
