"""Factory fixtures for households (owned by that domain)."""
