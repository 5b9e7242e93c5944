"""Factory fixtures for payments (owned by that domain)."""
