from marketplace.ledger import bp  # noqa: F401
