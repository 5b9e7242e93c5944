"""Cancelling orders (by a user, or by expiry past pay_by) and giving the stock back."""
from sqlalchemy import case, exists, select, update

from marketplace.audit.services import record_change
from marketplace.catalog.models import Product, Sku
from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict
from marketplace.core.transitions import Change, transition
from marketplace.extensions import db
from marketplace.orders.models import Fulfilment, Order
from marketplace.orders.states import (
    CANCELLABLE_ORDER_STATES,
    ORDER_TRANSITIONS,
    SHIPPED_STATES,
    FulfilmentStatus,
    OrderPaymentStatus,
    OrderStatus,
)

EXPIRY_REASON = "not paid by the pay_by deadline"


def _restore_stock(orders):
    """Give every line's quantity back, all orders at once: SKUs, then products, each in
    ascending id order (the order placement takes them in), so a batch never deadlocks
    with a placement."""
    per_sku, per_product = {}, {}
    for order in orders:
        for line in order.lines:
            per_sku[line.sku_id] = per_sku.get(line.sku_id, 0) + line.quantity
            per_product[line.product_id] = per_product.get(line.product_id, 0) + line.quantity
    for sku_id in sorted(per_sku):
        db.session.execute(update(Sku).where(Sku.id == sku_id).values(stock=Sku.stock + per_sku[sku_id])
                           .execution_options(synchronize_session=False))
    for product_id in sorted(per_product):
        q = per_product[product_id]
        db.session.execute(update(Product).where(Product.id == product_id)
                           .values(sales_count=case((Product.sales_count >= q, Product.sales_count - q), else_=0))
                           .execution_options(synchronize_session=False))
    return per_sku, per_product


def _claim(order, *, reason, action, extra_where, now):
    """Mark one order cancelled, or raise 409 and leave nothing behind (savepoint).

    The conditional ``UPDATE orders SET status='cancelled' WHERE id=:id AND status IN
    (pending_approval, placed)`` both claims the cancellation and row-locks the order, so
    of two concurrent cancels (or a cancel and an expiry) one updates a row and the other
    gets rowcount 0 → 409 with the current state. Fulfilment transitions lock the same
    order row first, so after it the shipped check sees any shipment committed before us,
    and a shipment after us sees the cancelled order.
    """
    with db.session.begin_nested():
        before = transition(order, ORDER_TRANSITIONS, action, values={"cancel_reason": reason, "cancelled_at": now},
                            where=extra_where).before
        shipped = db.session.execute(select(Fulfilment.id, Fulfilment.status).where(
            Fulfilment.order_id == order.id, Fulfilment.status.in_(SHIPPED_STATES)).order_by(Fulfilment.id)).all()
        if shipped:
            raise Conflict(f"cannot {action} an order once a fulfilment has shipped (fulfilment {shipped[0].id} "
                           f"is {shipped[0].status})", current_state=before,
                           fulfilment_states={str(f.id): f.status for f in shipped})
    return before


def _finish(claimed, *, actor, reason, action):
    """After the claims: stock back (once, all orders together), fulfilments cancelled, audit."""
    orders = [order for order, _ in claimed]
    if not orders:
        return
    per_sku, per_product = _restore_stock(orders)
    db.session.execute(update(Fulfilment).where(Fulfilment.order_id.in_([o.id for o in orders]),
                                                Fulfilment.status != FulfilmentStatus.CANCELLED)
                       .values(status=FulfilmentStatus.CANCELLED).execution_options(synchronize_session=False))
    for order, before in claimed:
        restored = [{"sku_id": line.sku_id, "quantity": line.quantity} for line in order.lines]
        db.session.expire(order)
        for fulfilment in order.fulfilments:
            db.session.expire(fulfilment)
        record_change(actor, f"order.{action}", order, Change(before, OrderStatus.CANCELLED),
                      after={"reason": reason, "restored": restored}, region_code=order.buyer_region_code)
    for model, ids in ((Sku, per_sku), (Product, per_product)):
        for obj_id in ids:
            obj = db.session.identity_map.get(db.session.identity_key(model, obj_id))
            if obj is not None:
                db.session.expire(obj)


def cancel_locked(order, *, actor, reason, action="cancel", extra_where=()):
    """Cancel ``order`` exactly once, restoring its stock; raises 409 otherwise (see _claim)."""
    order.lines  # noqa: B018 - loaded before the claim: lines never change
    before = _claim(order, reason=reason, action=action, extra_where=extra_where, now=utcnow())
    _finish([(order, before)], actor=actor, reason=reason, action=action)
    return order


def overdue_clause(now):
    """Unpaid, still cancellable, past pay_by, and nothing shipped: the expiry rule."""
    return (Order.status.in_(CANCELLABLE_ORDER_STATES), Order.payment_status == OrderPaymentStatus.UNPAID,
            Order.pay_by < now,
            ~exists().where(Fulfilment.order_id == Order.id, Fulfilment.status.in_(SHIPPED_STATES)))


def is_overdue(order, now=None):
    now = now or utcnow()
    return (order.status in CANCELLABLE_ORDER_STATES and order.payment_status == "unpaid" and order.pay_by < now
            and not any(f.status in SHIPPED_STATES for f in order.fulfilments))


def expire_order(order, *, now=None):
    """Cancel one overdue order (system actor); False if it was not overdue after all
    (paid, shipped or cancelled meanwhile: the conditional UPDATE decides)."""
    return expire_orders([order], now=now) == 1


def expire_orders(orders, *, now=None):
    """Cancel the given overdue orders as one batch: every order row is claimed first
    (ascending id), then all their stock comes back in one ascending pass over SKUs, so
    the batch takes its locks in the same order as a placement and cannot deadlock with
    one. Orders paid, shipped or cancelled meanwhile are skipped. Returns how many expired."""
    now = now or utcnow()
    claimed = []
    for order in sorted(orders, key=lambda o: o.id):
        order.lines  # noqa: B018 - loaded before the claim
        try:
            claimed.append((order, _claim(order, reason=EXPIRY_REASON, action="expire",
                                          extra_where=overdue_clause(now)[1:3], now=now)))
        except Conflict:
            db.session.expire(order)
    _finish(claimed, actor=None, reason=EXPIRY_REASON, action="expire")
    return len(claimed)


def expire_overdue_orders(*, now=None, where=None, limit=None):
    """Cancel every unpaid order past its pay_by (optionally only those matching ``where``).

    Idempotent: an order already cancelled is not matched again. Returns how many expired.
    Used lazily before reads (scoped to what the reader sees) and by ``flask orders expire``.
    """
    now = now or utcnow()
    stmt = select(Order).where(*overdue_clause(now)).order_by(Order.id)
    if where is not None:
        stmt = stmt.where(where)
    if limit:
        stmt = stmt.limit(limit)
    return expire_orders(db.session.scalars(stmt).all(), now=now)
