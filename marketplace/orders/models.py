from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import Base, Fen, IntPK, UtcDateTime, check_one_of, enum_values, utcnow
from marketplace.orders.states import FulfilmentStatus, OrderPaymentStatus, OrderStatus
from marketplace.organizations.models import BUYER_KINDS


class PaymentMethod(StrEnum):
    STRIPE = "stripe"
    BANK_TRANSFER = "bank_transfer"


ORDER_STATUSES = enum_values(OrderStatus)
FULFILMENT_STATUSES = enum_values(FulfilmentStatus)
PAYMENT_METHODS = enum_values(PaymentMethod)


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[IntPK]
    #: PO-YYYY-NNNNNN, human readable, unique.
    number: Mapped[str] = mapped_column(String(20), unique=True)
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    #: Snapshot of the buyer's region and kind for reports and scoping.
    buyer_region_code: Mapped[str] = mapped_column(String(12), index=True)
    buyer_kind: Mapped[str] = mapped_column(String(20))
    placed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), index=True)
    payment_method: Mapped[str] = mapped_column(String(20))
    #: paid | unpaid | partially_refunded | refunded (mirrors payments for quick reads)
    payment_status: Mapped[str] = mapped_column(String(20), default="unpaid")
    total_fen: Mapped[Fen]
    delivery: Mapped[Any] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")
    #: Unpaid orders are cancelled after this (lazily on read and by `flask orders expire`).
    pay_by: Mapped[datetime] = mapped_column(UtcDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    lines = relationship("OrderLine", back_populates="order", order_by="OrderLine.id", lazy="selectin")
    fulfilments = relationship("Fulfilment", back_populates="order", order_by="Fulfilment.id", lazy="selectin")

    __table_args__ = (
        check_one_of("status", OrderStatus),
        check_one_of("payment_method", PaymentMethod, name="method_known"),
        check_one_of("payment_status", OrderPaymentStatus),
        check_one_of("buyer_kind", BUYER_KINDS),
        CheckConstraint("total_fen > 0", name="total_positive"),
    )


class Fulfilment(Base):
    """One supplier's part of an order."""

    __tablename__ = "fulfilments"
    id: Mapped[IntPK]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    carrier: Mapped[str | None] = mapped_column(String(100))
    tracking_no: Mapped[str | None] = mapped_column(String(100))
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    order = relationship("Order", back_populates="fulfilments")
    lines = relationship("OrderLine", back_populates="fulfilment", order_by="OrderLine.id", lazy="selectin")

    __table_args__ = (
        UniqueConstraint("order_id", "supplier_id", name="uq_fulfilments_order_supplier"),
        check_one_of("status", FulfilmentStatus),
    )


class OrderLine(Base):
    """A line with snapshots, so history never changes when the catalog does."""

    __tablename__ = "order_lines"
    id: Mapped[IntPK]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    fulfilment_id: Mapped[int] = mapped_column(ForeignKey("fulfilments.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[Fen]
    amount_fen: Mapped[Fen]
    product_name: Mapped[str] = mapped_column(String(200))
    sku_name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20))
    supplier_name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    origin_region_code: Mapped[str] = mapped_column(String(12), index=True)
    certificate_no: Mapped[str | None] = mapped_column(String(40))
    #: Quantity refunded so far; never above quantity.
    refunded_quantity: Mapped[int] = mapped_column(Integer, default=0)
    refunded_fen: Mapped[Fen] = mapped_column(default=0)

    order = relationship("Order", back_populates="lines")
    fulfilment = relationship("Fulfilment", back_populates="lines")

    __table_args__ = (
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("amount_fen = quantity * unit_price_fen", name="amount_exact"),
        CheckConstraint("refunded_quantity >= 0 AND refunded_quantity <= quantity", name="refund_qty_range"),
        CheckConstraint("refunded_fen >= 0 AND refunded_fen <= amount_fen", name="refund_fen_range"),
    )


class IdempotencyKey(Base):
    """A replayable response for (scope, key); a different request hash is a 422."""

    __tablename__ = "idempotency_keys"
    id: Mapped[IntPK]
    #: e.g. "org:12:POST /orders" — keys are scoped per organization and endpoint.
    scope: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)

    __table_args__ = (UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"),)


class OrderNumberCounter(Base):
    """Per-year sequence for order numbers (row-locked on increment)."""

    __tablename__ = "order_number_counters"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


Index("ix_order_lines_supplier_order", OrderLine.supplier_id, OrderLine.order_id)

