"""Idempotency-Key replay for payment and refund POSTs.

The mechanism is the orders one (``orders.services.claim_idempotency_key``: the key row is
inserted first inside a SAVEPOINT, so two concurrent requests with one key serialize on the
unique index and the loser replays the winner's response); only the scopes are ours.
"""
from marketplace.orders.services import claim_idempotency_key, store_idempotent_response


def actor_scope(actor, what, order_id):
    """Keys are scoped per organization (or per staff user) and per order endpoint."""
    owner = f"org:{actor.organization_id}" if actor.organization_id else f"user:{actor.id}"
    return f"{owner}:{what}:{order_id}"


def run_once(*, scope, key, body, produce):
    """Return ``produce()`` (a JSON-ready dict, answered 201), or the stored response of an
    earlier identical request. Without a key, ``produce()`` simply runs. Same key, different
    body: 422 naming the header; the first request still running: 409.
    """
    if key is None:
        return produce()
    claim = claim_idempotency_key(actor=None, key=key, payload=body, scope=scope)
    if claim.replay:
        return claim.replay[1]
    result = produce()
    store_idempotent_response(claim, 201, result)
    return result
