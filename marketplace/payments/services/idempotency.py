"""Idempotency-Key replay for payment and refund POSTs (the orders table, our own scopes).

The key row is inserted first, inside a SAVEPOINT, so two concurrent requests with
one key serialize on the unique index: the loser replays the winner's response.
"""
import hashlib
import json

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.core.errors import Conflict, field_error
from marketplace.extensions import db
from marketplace.orders.models import IdempotencyKey

MAX_KEY_LENGTH = 200


def request_hash(body):
    """A stable hash of a JSON request body."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def actor_scope(actor, what, order_id):
    """Keys are scoped per organization (or per staff user) and per order endpoint."""
    owner = f"org:{actor.organization_id}" if actor.organization_id else f"user:{actor.id}"
    return f"{owner}:{what}:{order_id}"


def _replay(row, hashed):
    if row.request_hash != hashed:
        raise field_error("Idempotency-Key", "this key was used with a different request body")
    if row.response_body is None:
        raise Conflict("a request with this Idempotency-Key is still being processed; retry shortly")
    return row.response_body


def run_once(*, scope, key, body, produce):
    """Return ``produce()`` (a JSON-ready dict), or the stored response of an earlier identical request.

    Without a key, ``produce()`` simply runs. Same key, different body: 422.
    """
    if key is None:
        return produce()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise field_error("Idempotency-Key", f"must be 1..{MAX_KEY_LENGTH} printable characters")
    hashed = request_hash(body)
    existing = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.scope == scope,
                                                              IdempotencyKey.key == key))
    if existing is not None:
        return _replay(existing, hashed)
    row = IdempotencyKey(scope=scope, key=key, request_hash=hashed)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        existing = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.scope == scope,
                                                                  IdempotencyKey.key == key)
                                     .execution_options(populate_existing=True))
        if existing is None:
            raise Conflict("a request with this Idempotency-Key is still being processed; retry shortly") from None
        return _replay(existing, hashed)
    result = produce()
    row.response_status = 201
    row.response_body = result
    return result
