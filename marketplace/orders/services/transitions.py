"""Order approval and cancellation; fulfilment transitions and acceptance (验收).

Every transition is a conditional UPDATE ``... WHERE status = :from`` (checked by
rowcount), so of two racing requests exactly one wins and the other gets 409 with the
current state. Fulfilment transitions first lock their order row (SELECT ... FOR UPDATE
on PostgreSQL; SQLite holds the database write lock from BEGIN IMMEDIATE), the same row
a cancellation updates first: a ship and a cancel of one order are serialized, and the
loser sees the winner's committed state.
"""
from sqlalchemy import exists, select, update

from marketplace.audit.services import record
from marketplace.core.db import utcnow
from marketplace.core.errors import InvalidTransition
from marketplace.extensions import db
from marketplace.orders.models import Fulfilment, Order
from marketplace.orders.services.cancelling import cancel_locked
from marketplace.orders.services.payment_gate import require_payment
from marketplace.orders.services.visibility import get_visible_fulfilment, get_visible_order
from marketplace.orders.states import (
    FINISHED_FULFILMENT_STATES,
    FULFILMENT_TIMESTAMPS,
    FULFILMENT_TRANSITIONS,
    ORDER_TRANSITIONS,
)


def approve_order(*, actor, order_id):
    """pending_approval → placed by a buyer_approver of the order's organization.

    404 outside the organization; 409 (current_state) in any other state, including an
    order that expired unpaid before approval.
    """
    order = get_visible_order(actor, order_id)
    sources, target = ORDER_TRANSITIONS["approve"]
    result = db.session.execute(update(Order).where(Order.id == order.id, Order.status.in_(sources))
                                .values(status=target, approved_by_id=actor.id)
                                .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise InvalidTransition("order", _order_status(order.id), "approve")
    db.session.expire(order)
    record(actor, "order.approve", "order", order.id, before={"status": sources[0]}, after={"status": target},
           region_code=order.buyer_region_code)
    return order


def cancel_order(*, actor, order_id, reason):
    """Cancel a pending_approval or placed order before any fulfilment ships; stock comes
    back exactly once and every fulfilment is cancelled.

    Buyers of the organization and admins in scope (404 otherwise). 409 with
    current_state when it is already cancelled/completed or a fulfilment has shipped.
    Refunding a paid order is the caller's next step (payments, composed in api.py).
    """
    order = get_visible_order(actor, order_id)
    return cancel_locked(order, actor=actor, reason=reason, action="cancel")


def _order_status(order_id, lock=False):
    stmt = select(Order.status).where(Order.id == order_id)
    if lock:
        stmt = stmt.with_for_update()
    return db.session.scalar(stmt)


def _complete_if_finished(order_id, now):
    """placed → completed once every fulfilment is accepted or cancelled (not all cancelled)."""
    unfinished = exists().where(Fulfilment.order_id == order_id, Fulfilment.status.not_in(FINISHED_FULFILMENT_STATES))
    accepted = exists().where(Fulfilment.order_id == order_id, Fulfilment.status == "accepted")
    sources, target = ORDER_TRANSITIONS["complete"]
    result = db.session.execute(update(Order).where(Order.id == order_id, Order.status.in_(sources), ~unfinished,
                                                    accepted)
                                .values(status=target, completed_at=now).execution_options(synchronize_session=False))
    return result.rowcount == 1


def transition_fulfilment(*, actor, fulfilment_id, action, data=None):
    """confirm / ship / deliver (the fulfilment's own supplier) or accept (a buyer of the order).

    The order must be ``placed`` (not awaiting approval, cancelled or completed), else 409
    with the order's state; the fulfilment must be in the table's source state, else 409
    with its state. ``ship`` records carrier and tracking_no. Accepting the last open
    fulfilment completes the order. 404 when the actor does not see the fulfilment.
    """
    fulfilment = get_visible_fulfilment(actor, fulfilment_id)
    order_status = _order_status(fulfilment.order_id, lock=True)
    if order_status != "placed":
        raise InvalidTransition("order", order_status, action)
    require_payment(fulfilment.order, action)
    source, target = FULFILMENT_TRANSITIONS[action]
    now = utcnow()
    values = {"status": target, FULFILMENT_TIMESTAMPS[action]: now}
    if action == "ship":
        values.update(carrier=data["carrier"], tracking_no=data["tracking_no"])
    result = db.session.execute(update(Fulfilment).where(Fulfilment.id == fulfilment.id, Fulfilment.status == source)
                                .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        current = db.session.scalar(select(Fulfilment.status).where(Fulfilment.id == fulfilment.id))
        raise InvalidTransition("fulfilment", current, action)
    completed = action == "accept" and _complete_if_finished(fulfilment.order_id, now)
    db.session.expire(fulfilment)
    db.session.expire(fulfilment.order)
    after = {"status": target, **({k: values[k] for k in ("carrier", "tracking_no")} if action == "ship" else {})}
    order = fulfilment.order
    record(actor, f"fulfilment.{action}", "fulfilment", fulfilment.id, before={"status": source}, after=after,
           region_code=order.buyer_region_code)
    if completed:
        record(actor, "order.complete", "order", order.id, before={"status": "placed"}, after={"status": "completed"},
               region_code=order.buyer_region_code)
    return fulfilment
