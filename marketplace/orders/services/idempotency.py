"""Idempotency-Key: one stored response per (scope, key). ``core.blueprint.Blueprint.idempotent`` replays
it; the scope of POST /orders is the buyer organization (``order_scope``)."""
import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict, field_error
from marketplace.extensions import db
from marketplace.orders.models import IdempotencyKey
from marketplace.orders.services.placing import buyer_org_for_ordering

HEADER = "Idempotency-Key"
#: keys live at least 24 h; `flask orders expire` purges them after this
KEEP_KEYS_FOR = timedelta(hours=48)


@dataclass
class Claim:
    row: IdempotencyKey
    #: (status, body) of the first response when this is a replay, else None
    replay: tuple | None = None


def request_hash(payload):
    """sha256 of the canonical JSON body (sorted keys, no spaces)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def order_scope(actor):
    """Keys of POST /orders are per buyer organization; a caller who may not order is 403 first."""
    return f"org:{buyer_org_for_ordering(actor).id}:orders"


def claim_idempotency_key(*, scope, key, payload):
    """Claim ``key`` for this request, or find the first response to replay.

    The key row is inserted (and flushed) before any other work, in a savepoint. A
    second request with the same key fails on the unique (scope, key) constraint; on
    PostgreSQL its INSERT waits until the first request commits or rolls back, so the
    row it then reads is the committed one with the stored response. If the first
    request failed (any 4xx/5xx rolls everything back), the key was never stored and
    the retry runs afresh.

    Raises 422 naming the header when the key is malformed or was used with a different
    body, and 409 if the first request has not stored a response (cannot normally happen).
    """
    if not key or len(key) > 200 or not key.isprintable():
        raise field_error(HEADER, "must be 1..200 printable characters")
    digest = request_hash(payload)
    row = IdempotencyKey(scope=scope, key=key, request_hash=digest)
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
        return Claim(row=row)
    except IntegrityError:
        pass
    existing = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
                                 .execution_options(populate_existing=True))
    if existing is None:  # the first request rolled back between our INSERT and SELECT: let the client retry
        raise Conflict(f"a request with this {HEADER} is still in progress; retry")
    if existing.request_hash != digest:
        raise field_error(HEADER, "this key was already used with a different request body")
    if existing.response_status is None:
        raise Conflict(f"a request with this {HEADER} is still in progress; retry")
    return Claim(row=existing, replay=(existing.response_status, existing.response_body))


def store_idempotent_response(claim, status, body):
    """Remember the response of a claimed key (in the same transaction as the work)."""
    claim.row.response_status = status
    claim.row.response_body = body
    db.session.flush()


def purge_idempotency_keys(*, now=None, older_than=KEEP_KEYS_FOR):
    """Delete keys older than ``older_than`` (default 48 h); returns how many."""
    cutoff = (now or utcnow()) - older_than
    result = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff)
                                .execution_options(synchronize_session=False))
    return result.rowcount
