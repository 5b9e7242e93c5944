"""Cancelling orders (by a user, or by expiry past pay_by) and giving the stock back."""
from sqlalchemy import case, exists, select, update

from marketplace.audit.services import record
from marketplace.catalog.models import Product, Sku
from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict, InvalidTransition
from marketplace.extensions import db
from marketplace.orders.models import Fulfilment, Order
from marketplace.orders.states import CANCELLABLE_ORDER_STATES, SHIPPED_STATES

EXPIRY_REASON = "not paid by the pay_by deadline"


def _restore_stock(order):
    """Give every line's quantity back (SKUs, then products, in ascending id order)."""
    per_sku, per_product = {}, {}
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


def cancel_locked(order, *, actor, reason, action="cancel", extra_where=()):
    """Cancel ``order`` exactly once, restoring its stock; raises 409 otherwise.

    The conditional ``UPDATE orders SET status='cancelled' WHERE id=:id AND status IN
    (pending_approval, placed)`` both claims the cancellation and row-locks the order, so
    of two concurrent cancels (or a cancel and an expiry) one updates a row and the other
    gets rowcount 0 → 409 with the current state; stock is restored once. Fulfilment
    transitions lock the same order row first, so after it the shipped check below sees
    any shipment committed before us, and a shipment after us sees the cancelled order.
    All of it runs in a savepoint: a refused cancellation leaves nothing behind.
    """
    now = utcnow()
    lines = list(order.lines)  # loaded before the savepoint; lines never change
    with db.session.begin_nested():
        claimed = db.session.execute(
            update(Order).where(Order.id == order.id, Order.status.in_(CANCELLABLE_ORDER_STATES), *extra_where)
            .values(status="cancelled", cancel_reason=reason, cancelled_at=now)
            .execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            current = db.session.scalar(select(Order.status).where(Order.id == order.id))
            raise InvalidTransition("order", current, action)
        shipped = db.session.execute(select(Fulfilment.id, Fulfilment.status).where(
            Fulfilment.order_id == order.id, Fulfilment.status.in_(SHIPPED_STATES)).order_by(Fulfilment.id)).all()
        if shipped:
            raise Conflict(f"cannot {action} an order once a fulfilment has shipped (fulfilment {shipped[0].id} "
                           f"is {shipped[0].status})", current_state=order.status,
                           fulfilment_states={str(f.id): f.status for f in shipped})
        _restore_stock(order)
        db.session.execute(update(Fulfilment).where(Fulfilment.order_id == order.id, Fulfilment.status != "cancelled")
                           .values(status="cancelled").execution_options(synchronize_session=False))
    before = order.status
    db.session.expire(order)
    for fulfilment in order.fulfilments:
        db.session.expire(fulfilment)
    for line in lines:
        for obj in (db.session.get(Sku, line.sku_id), db.session.get(Product, line.product_id)):
            if obj is not None:
                db.session.expire(obj)
    record(actor, f"order.{action}", "order", order.id, before={"status": before},
           after={"status": "cancelled", "reason": reason,
                  "restored": [{"sku_id": line.sku_id, "quantity": line.quantity} for line in lines]},
           region_code=order.buyer_region_code)
    return order


def overdue_clause(now):
    """Unpaid, still cancellable, past pay_by, and nothing shipped: the expiry rule."""
    return (Order.status.in_(CANCELLABLE_ORDER_STATES), Order.payment_status == "unpaid", Order.pay_by < now,
            ~exists().where(Fulfilment.order_id == Order.id, Fulfilment.status.in_(SHIPPED_STATES)))


def is_overdue(order, now=None):
    now = now or utcnow()
    return (order.status in CANCELLABLE_ORDER_STATES and order.payment_status == "unpaid" and order.pay_by < now
            and not any(f.status in SHIPPED_STATES for f in order.fulfilments))


def expire_order(order, *, now=None):
    """Cancel one overdue order (system actor); False if it was not overdue after all
    (paid, shipped or cancelled meanwhile: the conditional UPDATE decides)."""
    now = now or utcnow()
    try:
        cancel_locked(order, actor=None, reason=EXPIRY_REASON, action="expire", extra_where=overdue_clause(now)[1:3])
    except Conflict:
        db.session.expire(order)
        return False
    return True


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
    return sum(1 for order in db.session.scalars(stmt).all() if expire_order(order, now=now))
