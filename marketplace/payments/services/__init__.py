"""Payments use-cases (flush, never commit). Split by flow: paying, refunding, idempotency."""
from marketplace.payments.services.idempotency import per_order_scope
from marketplace.payments.services.paying import (
    confirm_transfer,
    create_payment,
    get_changeable_payment,
    list_payments,
    mark_succeeded,
    open_payment_for_order,
)
from marketplace.payments.services.refunding import (
    create_refund,
    issue_refund,
    list_refunds,
    mark_refund_executed,
    refund_cancelled_order,
    settle_refund,
)

__all__ = [
    "confirm_transfer", "create_payment", "create_refund", "get_changeable_payment", "issue_refund",
    "list_payments", "list_refunds", "mark_refund_executed", "mark_succeeded", "open_payment_for_order",
    "per_order_scope", "refund_cancelled_order", "settle_refund",
]
