"""Factory fixtures for catalog (owned by that domain)."""
