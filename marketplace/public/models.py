"""Models of public."""
