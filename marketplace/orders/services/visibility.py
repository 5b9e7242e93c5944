"""Who sees and who may change which orders and fulfilments (404 outside), with lazy expiry.

Sees (``order_visible_clause`` / ``get_visible_order``):

- buyers (purchaser, approver): their organization's orders;
- a supplier_manager: orders holding its organization's fulfilment, and of those only its
  own lines and fulfilment (``view_for``: ``total_fen`` is then its own lines' total);
- admins and auditors: orders whose buyer region OR any line's origin region lies under
  their region scope prefix ('' = national) (``core.scope``: the *see* rule).

May change (``order_changeable_clause`` / ``get_changeable_order``, every write on an order,
its payments and refunds): buyers and suppliers as they see; a region-scoped admin only an
order whose buyer region AND every line's origin region lie in its scope (the *change* rule).
"""
from sqlalchemy import and_, exists, false, or_, select, true

from marketplace.core.auth import BUYER_ROLES, STAFF_ROLES
from marketplace.core.clock import day_end_utc, day_start_utc
from marketplace.core.errors import NotFound
from marketplace.core.scope import every_in_scope_clause, in_scope_clause
from marketplace.extensions import db
from marketplace.orders.models import Fulfilment, Order, OrderLine
from marketplace.orders.services.cancelling import expire_order, expire_overdue_orders, is_overdue

#: lazy expiry before a list touches at most this many overdue orders per request
LAZY_EXPIRY_BATCH = 200


def order_visible_clause(actor):
    """SQL boolean over Order: may ``actor`` see it."""
    if actor.role in STAFF_ROLES:
        scope = actor.region_scope or ""
        if not scope:
            return true()
        return or_(in_scope_clause(Order.buyer_region_code, scope),
                   exists().where(OrderLine.order_id == Order.id, in_scope_clause(OrderLine.origin_region_code, scope)))
    if actor.organization_id is None:
        return false()
    if actor.role in BUYER_ROLES:
        return Order.buyer_org_id == actor.organization_id
    if actor.role == "supplier_manager":
        return exists().where(Fulfilment.order_id == Order.id, Fulfilment.supplier_id == actor.organization_id)
    return false()


def order_changeable_clause(actor):
    """SQL boolean over Order: may ``actor`` change it. Staff: the buyer region and every line's
    origin region lie in the scope; buyers and suppliers: the orders they see."""
    if actor.role in STAFF_ROLES:
        scope = actor.region_scope or ""
        if not scope:
            return true()
        return and_(in_scope_clause(Order.buyer_region_code, scope),
                    every_in_scope_clause(OrderLine.origin_region_code, scope, OrderLine.order_id == Order.id))
    return order_visible_clause(actor)


def fulfilment_visible_clause(actor):
    """SQL boolean over Fulfilment: a supplier its own; buyers and staff those of orders they see."""
    if actor.role == "supplier_manager":
        return Fulfilment.supplier_id == actor.organization_id if actor.organization_id else false()
    return exists().where(Order.id == Fulfilment.order_id, order_visible_clause(actor))


def get_visible_order(actor, order_id):
    """The Order ``order_id`` if ``actor`` may see it, else NotFound (404).

    An unpaid order past its pay_by (nothing shipped) is cancelled first (lazy expiry,
    stock restored), so callers always see its real state. Returns the full Order model
    (all lines), whoever the actor; use ``view_for`` to trim it for a supplier's eyes.
    """
    return _get_order(order_id, order_visible_clause(actor))


def get_changeable_order(actor, order_id):
    """The Order ``order_id`` if ``actor`` may change it (``order_changeable_clause``), else NotFound
    (404, also when the actor sees it but may not change it). Lazily expired like ``get_visible_order``."""
    return _get_order(order_id, order_changeable_clause(actor))


def _get_order(order_id, clause):
    order = db.session.scalar(select(Order).where(Order.id == order_id, clause))
    if order is None:
        raise NotFound("order not found")
    if is_overdue(order):
        expire_order(order)
    return order


def list_orders_query(*, actor, args):
    """The select of orders ``actor`` sees, newest first; filters status / from / to
    (placement dates, Asia/Shanghai, inclusive). Overdue unpaid orders among them are
    expired first, so the status filter sees their real state."""
    visible = order_visible_clause(actor)
    expire_overdue_orders(where=visible, limit=LAZY_EXPIRY_BATCH)
    stmt = select(Order).where(visible)
    if args.get("status"):
        stmt = stmt.where(Order.status == args["status"])
    if args.get("from_"):
        stmt = stmt.where(Order.placed_at >= day_start_utc(args["from_"]))
    if args.get("to"):
        stmt = stmt.where(Order.placed_at < day_end_utc(args["to"]))
    return stmt.order_by(Order.id.desc())


class SupplierOrderView:
    """An order as one supplier sees it: only its lines and fulfilment; total of its lines."""

    def __init__(self, order, supplier_id):
        self._order = order
        self.lines = [line for line in order.lines if line.supplier_id == supplier_id]
        self.fulfilments = [f for f in order.fulfilments if f.supplier_id == supplier_id]
        self.total_fen = sum(line.amount_fen for line in self.lines)

    def __getattr__(self, name):
        return getattr(self._order, name)


def view_for(actor, order):
    """What ``actor`` is shown of a visible order (a supplier: its own part only)."""
    if actor.role == "supplier_manager":
        return SupplierOrderView(order, actor.organization_id)
    return order


def get_visible_fulfilment(actor, fulfilment_id):
    """The Fulfilment if ``actor`` may see it, else NotFound; its order lazily expires first."""
    fulfilment = db.session.scalar(select(Fulfilment).where(Fulfilment.id == fulfilment_id,
                                                            fulfilment_visible_clause(actor)))
    if fulfilment is None:
        raise NotFound("fulfilment not found")
    if is_overdue(fulfilment.order):
        expire_order(fulfilment.order)
    return fulfilment


def list_fulfilments_query(*, actor, args):
    """Fulfilments ``actor`` sees, newest first, optionally by status (overdue orders expired first)."""
    expire_overdue_orders(where=order_visible_clause(actor), limit=LAZY_EXPIRY_BATCH)
    stmt = select(Fulfilment).where(fulfilment_visible_clause(actor))
    if args.get("status"):
        stmt = stmt.where(Fulfilment.status == args["status"])
    return stmt.order_by(Fulfilment.id.desc())
