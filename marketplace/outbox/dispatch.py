"""Sending outbox messages after commit: never inside a business transaction.

Per message, three short steps: (1) claim: lock the row, count the attempt, lease it (its
``next_attempt_at`` moves ahead) and commit; (2) call Stripe with the message's idempotency
key, outside any transaction; (3) record: lock the row again, apply Stripe's answer to the
business rows and mark it ``sent``, commit. A crash between any two steps leaves the message
``pending``; the next attempt (after the lease, by ``flask outbox run``) sends the same key,
so Stripe answers with the object it already made. Errors back off exponentially; a permanent
refusal, or too many attempts, marks it ``failed`` and lets its handler undo the business change.

Handlers live with their domain (:mod:`marketplace.payments.outbox_handlers`), registered at app
creation with ``register_handlers`` (this package is plumbing: it imports no domain): ``send(payload,
key)`` talks to Stripe only, ``apply(payload, result)`` and ``fail(payload, error)`` write rows.
"""
from datetime import timedelta

import structlog
from flask import current_app
from sqlalchemy import select

from marketplace.core.db import utcnow
from marketplace.core.errors import ApiError
from marketplace.extensions import db
from marketplace.outbox.models import OutboxMessage
from marketplace.outbox.services import take_remembered

log = structlog.get_logger("marketplace.outbox")

LEASE_SECONDS = 60
MAX_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 3600


_handlers = {}


def register_handlers(kinds):
    """``{kind: {"send": ..., "apply": ..., "fail": ...}}`` of one domain's messages."""
    _handlers.update(kinds)


def handlers():
    return _handlers


def backoff(attempts):
    """Seconds to wait after the ``attempts``-th failed attempt: 2, 4, 8, ... capped at an hour."""
    return min(2 ** attempts, MAX_BACKOFF_SECONDS)


def _locked(message_id):
    stmt = (select(OutboxMessage).where(OutboxMessage.id == message_id)
            .with_for_update(skip_locked=True).execution_options(populate_existing=True))
    return db.session.scalar(stmt)


def _claim(message_id, now):
    message = _locked(message_id)
    if message is None or message.status != "pending" or message.next_attempt_at > now:
        db.session.rollback()
        return None
    message.attempts += 1
    message.next_attempt_at = now + timedelta(seconds=LEASE_SECONDS)
    claimed = (message.kind, dict(message.payload), message.idempotency_key, message.attempts)
    db.session.commit()
    return claimed


def _record(message_id, handler, payload, result):
    message = _locked(message_id)
    if message is None or message.status != "pending":
        db.session.rollback()
        return "already_recorded"
    handler["apply"](payload, result)
    message.status, message.result, message.sent_at, message.last_error = "sent", result, utcnow(), None
    db.session.commit()
    return None


def _record_error(message_id, handler, payload, exc, attempts):
    message = _locked(message_id)
    if message is None or message.status != "pending":
        db.session.rollback()
        return
    message.last_error = f"{type(exc).__name__}: {getattr(exc, 'detail', None) or exc}"[:2000]
    if getattr(exc, "permanent", False) or attempts >= MAX_ATTEMPTS:
        message.status = "failed"
        handler["fail"](payload, message.last_error)
    else:
        message.next_attempt_at = utcnow() + timedelta(seconds=backoff(attempts))
    db.session.commit()


def dispatch_one(message_id, *, now=None):
    """Send one due message; returns None (sent), "skipped" (not due, taken, done) or the error."""
    claimed = _claim(message_id, now or utcnow())
    if claimed is None:
        return "skipped"
    kind, payload, key, attempts = claimed
    handler = handlers()[kind]
    try:
        result = handler["send"](payload, key)
    except ApiError as exc:
        log.warning("outbox_send_failed", message_id=message_id, kind=kind, attempts=attempts)
        _record_error(message_id, handler, payload, exc, attempts)
        return exc
    try:
        return _record(message_id, handler, payload, result)
    except Exception as exc:  # the answer is kept by Stripe under the key: the next attempt records it
        db.session.rollback()
        log.exception("outbox_record_failed", message_id=message_id, kind=kind)
        _record_error(message_id, handler, payload, exc, attempts)
        return exc


def dispatch_pending(ids, *, now=None):
    """Dispatch these messages, each in its own transactions; {id: None | "skipped" | error}."""
    return {message_id: dispatch_one(message_id, now=now) for message_id in dict.fromkeys(ids)}


def run_due(*, now=None, limit=100):
    """Dispatch every pending message that is due (``flask outbox run``); returns how many were tried
    (a message another dispatcher holds is skipped, not counted)."""
    now = now or utcnow()
    ids = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "pending",
                                                            OutboxMessage.next_attempt_at <= now)
                             .order_by(OutboxMessage.id).limit(limit)).all()
    db.session.rollback()
    return sum(1 for outcome in dispatch_pending(ids, now=now).values() if outcome != "skipped")


def dispatch_after_commit():
    """The after-commit callback (``core.blueprint.register_after_commit``): on the embedded default
    (``OUTBOX_DISPATCH_INLINE``), send what the request's committed transaction wrote."""
    ids = take_remembered()
    if not ids or not current_app.config.get("OUTBOX_DISPATCH_INLINE", True):
        return
    try:
        dispatch_pending(ids)
    except Exception:  # never fail a request whose change is committed; `flask outbox run` retries
        db.session.rollback()
        log.exception("outbox_inline_dispatch_failed", ids=ids)
