from marketplace.catalog import bp  # noqa: F401
