"""Order approval and cancellation; fulfilment transitions and acceptance (验收).

Every transition is a conditional UPDATE ``... WHERE status IN (:from)`` (checked by
rowcount, ``core.transitions``), so of two racing requests exactly one wins and the other gets 409 with the
current state. Fulfilment transitions first lock their order row (``core.locks``: SELECT ... FOR
UPDATE on PostgreSQL; SQLite holds the database write lock from BEGIN IMMEDIATE), the same row
a cancellation updates first: a ship and a cancel of one order are serialized, and the
loser sees the winner's committed state.
"""
from sqlalchemy import exists

from marketplace.audit.services import record_change
from marketplace.core.db import utcnow
from marketplace.core.errors import InvalidTransition
from marketplace.core.locks import lock_rows
from marketplace.core.transitions import transition
from marketplace.orders.approval import check_may_approve
from marketplace.orders.models import Fulfilment, Order
from marketplace.orders.services.cancelling import cancel_locked
from marketplace.orders.services.payment_gate import due_after_acceptance, require_payment
from marketplace.orders.services.visibility import get_changeable_order, get_visible_fulfilment
from marketplace.orders.states import (
    FINISHED_FULFILMENT_STATES,
    FULFILMENT_TIMESTAMPS,
    FULFILMENT_TRANSITIONS,
    ORDER_TRANSITIONS,
    FulfilmentStatus,
    OrderStatus,
)


def approve_order(*, actor, order_id):
    """pending_approval → placed by a buyer_approver of the order's organization.

    404 outside the organization; 409 (current_state) in any other state, including an
    order that expired unpaid before approval.
    """
    order = get_changeable_order(actor, order_id)
    check_may_approve(actor, order)
    change = transition(order, ORDER_TRANSITIONS, "approve", values={"approved_by_id": actor.id})
    record_change(actor, "order.approve", order, change, region_code=order.buyer_region_code)
    return order


def cancel_order(*, actor, order_id, reason):
    """Cancel a pending_approval or placed order before any fulfilment ships; stock comes
    back exactly once and every fulfilment is cancelled.

    Buyers of the organization and admins whose scope holds the buyer and every line (404 otherwise). 409 with
    current_state when it is already cancelled/completed or a fulfilment has shipped.
    Refunding a paid order is the caller's next step (payments, composed in api.py).
    """
    order = get_changeable_order(actor, order_id)
    return cancel_locked(order, actor=actor, reason=reason, action="cancel")


def _complete_if_finished(order, now):
    """placed → completed once every fulfilment is accepted or cancelled (not all cancelled)."""
    unfinished = exists().where(Fulfilment.order_id == order.id, Fulfilment.status.not_in(FINISHED_FULFILMENT_STATES))
    accepted = exists().where(Fulfilment.order_id == order.id, Fulfilment.status == FulfilmentStatus.ACCEPTED)
    return transition(order, ORDER_TRANSITIONS, "complete", values={"completed_at": now},
                      where=(~unfinished, accepted), strict=False)


def transition_fulfilment(*, actor, fulfilment_id, action, data=None):
    """confirm / ship / deliver (the fulfilment's own supplier) or accept (a buyer of the order).

    The order must be ``placed`` (not awaiting approval, cancelled or completed), else 409
    with the order's state; the fulfilment must be in the table's source state, else 409
    with its state. ``ship`` records carrier and tracking_no. Accepting the last open
    fulfilment completes the order. 404 when the actor does not see the fulfilment.
    """
    fulfilment = get_visible_fulfilment(actor, fulfilment_id)
    (order,) = lock_rows(Order, [fulfilment.order_id])
    if order.status != OrderStatus.PLACED:
        raise InvalidTransition("order", order.status, action)
    require_payment(order, action)
    now = utcnow()
    values = {FULFILMENT_TIMESTAMPS[action]: now}
    shipping = {"carrier": data["carrier"], "tracking_no": data["tracking_no"]} if action == "ship" else {}
    change = transition(fulfilment, FULFILMENT_TRANSITIONS, action, values={**values, **shipping})
    completed = _complete_if_finished(order, now) if action == "accept" else None
    record_change(actor, f"fulfilment.{action}", fulfilment, change, after=shipping,
                  region_code=order.buyer_region_code)
    if completed:
        due_after_acceptance(order, now)
        record_change(actor, "order.complete", order, completed, region_code=order.buyer_region_code)
    return fulfilment
