from marketplace.payments import bp  # noqa: F401
