"""Factory fixtures for orders (owned by that domain)."""
