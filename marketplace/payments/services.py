"""Payments use-cases. (Interface placeholder: the payments engineer replaces the bodies.)"""
from marketplace.core.errors import Conflict


def refund_cancelled_order(*, actor, order):
    """Refund everything paid on a cancelled order (called by orders/api.py after cancel_order).

    Until payments land, a paid order cannot be cancelled.
    """
    if order.payment_status != "unpaid":
        raise Conflict("cancelling a paid order needs a refund, which is not available yet",
                       current_state=order.payment_status)
    return None


def open_payment_for_order(*, actor, order):
    """Create the order's initial Payment row where its method needs one (bank transfer)."""
    return None
