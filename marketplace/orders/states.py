"""Statuses and state tables of orders and fulfilments (pure data: no database, no Flask).

order:       pending_approval ─approve→ placed ─(every fulfilment accepted or cancelled)→ completed
                    └──────────cancel──────┴→ cancelled      (only before any fulfilment ships)
fulfilment:  pending → confirmed → shipped → delivered → accepted   (or cancelled with its order)

Every table has the one shape of ``core.transitions``: action → (states it may start from, state it leads to).
"""
from enum import StrEnum

from marketplace.core.transitions import target_state


class OrderStatus(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    PLACED = "placed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class FulfilmentStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"


class OrderPaymentStatus(StrEnum):
    """orders.payment_status: mirrors the order's payment for quick reads."""

    UNPAID = "unpaid"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


Ord, F = OrderStatus, FulfilmentStatus

#: action → (states it may start from, state it leads to)
ORDER_TRANSITIONS = {
    "approve": ((Ord.PENDING_APPROVAL,), Ord.PLACED),
    "cancel": ((Ord.PENDING_APPROVAL, Ord.PLACED), Ord.CANCELLED),
    "expire": ((Ord.PENDING_APPROVAL, Ord.PLACED), Ord.CANCELLED),
    "complete": ((Ord.PLACED,), Ord.COMPLETED),
    # an order expired unpaid whose bank transfer arrived in time comes back to its state before
    "reinstate": ((Ord.CANCELLED,), Ord.PLACED),
    "reinstate_for_approval": ((Ord.CANCELLED,), Ord.PENDING_APPROVAL),
}
#: the state an expired order had → the action that reinstates it
REINSTATE_ACTIONS = {Ord.PLACED: "reinstate", Ord.PENDING_APPROVAL: "reinstate_for_approval"}

#: action → (states it may start from, state it leads to)
FULFILMENT_TRANSITIONS = {
    "confirm": ((F.PENDING,), F.CONFIRMED),
    "ship": ((F.CONFIRMED,), F.SHIPPED),
    "deliver": ((F.SHIPPED,), F.DELIVERED),
    "accept": ((F.DELIVERED,), F.ACCEPTED),
}

#: orders.payment_status: action → (states it may start from, state it leads to)
ORDER_PAYMENT_TRANSITIONS = {
    "pay": ((OrderPaymentStatus.UNPAID,), OrderPaymentStatus.PAID),
    "refund_part": ((OrderPaymentStatus.PAID, OrderPaymentStatus.PARTIALLY_REFUNDED),
                    OrderPaymentStatus.PARTIALLY_REFUNDED),
    "refund_all": ((OrderPaymentStatus.PAID, OrderPaymentStatus.PARTIALLY_REFUNDED), OrderPaymentStatus.REFUNDED),
    # a refund undone (its money never left)
    "unrefund_all": ((OrderPaymentStatus.PARTIALLY_REFUNDED, OrderPaymentStatus.REFUNDED), OrderPaymentStatus.PAID),
    "unrefund_part": ((OrderPaymentStatus.PARTIALLY_REFUNDED, OrderPaymentStatus.REFUNDED),
                      OrderPaymentStatus.PARTIALLY_REFUNDED),
}

#: the timestamp column each fulfilment transition stamps
FULFILMENT_TIMESTAMPS = {
    "confirm": "confirmed_at",
    "ship": "shipped_at",
    "deliver": "delivered_at",
    "accept": "accepted_at",
}

#: which side performs a fulfilment transition
FULFILMENT_ACTORS = {"confirm": "supplier", "ship": "supplier", "deliver": "supplier", "accept": "buyer"}

#: once any fulfilment reaches one of these, the order can no longer be cancelled or expire
SHIPPED_STATES = (F.SHIPPED, F.DELIVERED, F.ACCEPTED)

#: fulfilment states that let the order complete (but not all cancelled)
FINISHED_FULFILMENT_STATES = (F.ACCEPTED, F.CANCELLED)

CANCELLABLE_ORDER_STATES = ORDER_TRANSITIONS["cancel"][0]


def order_target(action, current):
    """The state ``action`` leads to from ``current``, or None when the table forbids it."""
    return target_state(ORDER_TRANSITIONS, action, current)


def fulfilment_target(action, current):
    """The state ``action`` leads to from ``current``, or None when the table forbids it."""
    return target_state(FULFILMENT_TRANSITIONS, action, current)
