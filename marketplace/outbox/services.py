"""Writing outbox messages inside the business transaction (flush, never commit)."""
import uuid

from sqlalchemy import select

from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.outbox.models import OutboxMessage

#: Ids of messages written in the current transaction, for the dispatch right after commit.
SESSION_KEY = "outbox_new"


def _remember(message):
    db.session.info.setdefault(SESSION_KEY, []).append(message.id)


def enqueue(kind, subject, payload):
    """Write the intent to call Stripe; its idempotency key is drawn here, once (a UUID)."""
    message = OutboxMessage(kind=kind, subject=subject, payload=payload, idempotency_key=uuid.uuid4().hex,
                            status="pending", attempts=0, next_attempt_at=utcnow())
    db.session.add(message)
    db.session.flush()
    _remember(message)
    return message


def messages_for(subject, kind=None):
    stmt = select(OutboxMessage).where(OutboxMessage.subject == subject).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return db.session.scalars(stmt).all()


def touch(message):
    """Make a pending message due now and dispatch it after this transaction commits (a client retry)."""
    if message.status == "pending":
        message.next_attempt_at = utcnow()
        _remember(message)
    return message


def take_remembered():
    """The ids written (or touched) since the last call; the caller dispatches them after commit."""
    return db.session.info.pop(SESSION_KEY, [])
