"""Payments use-cases (flush, never commit). Split by flow: paying, refunding, idempotency."""
from marketplace.payments.services.idempotency import actor_scope, run_once
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
    "actor_scope", "confirm_transfer", "create_payment", "create_refund", "get_changeable_payment", "issue_refund",
    "list_payments", "list_refunds", "mark_refund_executed", "mark_succeeded", "open_payment_for_order",
    "refund_cancelled_order", "run_once", "settle_refund",
]
