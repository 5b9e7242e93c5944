"""Fulfilment waits for the money: a Stripe order is confirmed, shipped, delivered or accepted only
once its payment succeeded (409 ``payment_required``). Bank-transfer orders keep today's rule (their
confirmation may come before payment); the ``pay_after_delivery`` flag of the issue is not built yet."""
from marketplace.core.errors import Conflict
from marketplace.orders.states import OrderPaymentStatus

PREPAID_METHODS = ("stripe",)


def require_payment(order, action):
    if order.payment_method in PREPAID_METHODS and order.payment_status == OrderPaymentStatus.UNPAID:
        raise Conflict(f"payment_required: the order must be paid before it can {action}",
                       code="payment_required", current_state=order.payment_status)
