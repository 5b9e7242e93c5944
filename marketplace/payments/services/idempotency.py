"""Idempotency-Key scopes of the payment and refund POSTs.

The replay is ``core.blueprint.Blueprint.idempotent`` over the orders key table (the key row is
inserted first inside a SAVEPOINT, so two concurrent requests with one key serialize on the
unique index and the loser replays the winner's response); only the scopes are ours.
"""


def per_order_scope(what):
    """Keys are scoped per organization (or per staff user) and per order endpoint."""

    def scope(actor, order_id):
        owner = f"org:{actor.organization_id}" if actor.organization_id else f"user:{actor.id}"
        return f"{owner}:{what}:{order_id}"

    return scope
