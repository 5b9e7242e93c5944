from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import Base, Fen, IntPK, UtcDateTime, check_one_of, utcnow
from marketplace.orders.models import PaymentMethod
from marketplace.payments.states import PaymentStatus, RefundStatus


class Payment(Base):
    __tablename__ = "payments"
    id: Mapped[IntPK]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="requires_payment", index=True)
    amount_fen: Mapped[Fen]
    refunded_fen: Mapped[Fen] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3), default="cny")
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    client_secret: Mapped[str | None] = mapped_column(String(200))
    bank_reference: Mapped[str | None] = mapped_column(String(100))
    received_on: Mapped[date | None] = mapped_column(Date)
    succeeded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    refunds = relationship("Refund", back_populates="payment", order_by="Refund.id", lazy="selectin")

    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("refunded_fen >= 0 AND refunded_fen <= amount_fen", name="refund_range"),
        check_one_of("method", PaymentMethod),
        check_one_of("status", PaymentStatus),
    )


class Refund(Base):
    __tablename__ = "refunds"
    id: Mapped[IntPK]
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    amount_fen: Mapped[Fen]
    reason: Mapped[str] = mapped_column(String(500))
    #: pending (bank: for the admin to execute) | succeeded | failed
    status: Mapped[str] = mapped_column(String(12), default="pending")
    stripe_refund_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    payment = relationship("Payment", back_populates="refunds")
    lines = relationship("RefundLine", back_populates="refund", order_by="RefundLine.id", lazy="selectin")

    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        check_one_of("status", RefundStatus),
    )


class RefundLine(Base):
    __tablename__ = "refund_lines"
    id: Mapped[IntPK]
    refund_id: Mapped[int] = mapped_column(ForeignKey("refunds.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[Fen]

    refund = relationship("Refund", back_populates="lines")

    __table_args__ = (
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
    )


class StripeEvent(Base):
    """Processed webhook event ids, written in the same transaction as their postings."""

    __tablename__ = "stripe_events"
    id: Mapped[IntPK]
    event_id: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(40))
    payload_summary: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("event_id", name="uq_stripe_events_event_id"),)
