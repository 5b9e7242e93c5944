from marketplace.households import bp  # noqa: F401
