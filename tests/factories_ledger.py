"""Factory fixtures for ledger (owned by that domain)."""
