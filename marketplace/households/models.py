"""Models of households."""
