from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.db import Base, IntPK, UtcDateTime, utcnow

OUTBOX_KINDS = ("create_payment_intent", "create_refund", "cancel_payment_intent")
OUTBOX_STATUSES = ("pending", "sent", "failed")


class OutboxMessage(Base):
    """One intended call to Stripe, committed with the business change that needs it.

    ``idempotency_key`` is a UUID drawn once when the row is written and sent as Stripe's
    Idempotency-Key on every attempt, so any number of attempts (after a crash, a timeout, two
    dispatchers) makes one Stripe object. ``subject`` names the business row ("refund:12").
    """

    __tablename__ = "outbox"
    id: Mapped[IntPK]
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(60), index=True)
    payload: Mapped[Any] = mapped_column(JSON)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)
