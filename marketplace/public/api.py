from marketplace.public import bp  # noqa: F401
