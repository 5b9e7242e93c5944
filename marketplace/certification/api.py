from marketplace.certification import bp  # noqa: F401
