"""Orders and fulfilments routes (thin: schemas, services, composition with payments)."""
from marketplace.core.auth import BUYER_ROLES, current_user, require_roles, require_user
from marketplace.core.http import page_of, paginate
from marketplace.orders import bp, services
from marketplace.orders.schemas import (
    CancelSchema,
    FulfilmentQuerySchema,
    FulfilmentSchema,
    OrderCreateSchema,
    OrderQuerySchema,
    OrderSchema,
    ShipSchema,
)
from marketplace.payments import services as payments


@bp.post("/orders")
@bp.created("get_order", order_id="id")
@require_roles(*BUYER_ROLES)
@bp.arguments(OrderCreateSchema)
@bp.idempotent(scope=services.order_scope)
@bp.response(201, OrderSchema)
def create_order(data):
    """Place an order (honours Idempotency-Key: same key and body replays the first response)."""
    buyer = current_user()
    order = services.place_order(buyer=buyer, data=data)
    payments.open_payment_for_order(actor=buyer, order=order, placed_now=True)
    return order


@bp.get("/orders")
@require_user
@bp.arguments(OrderQuerySchema, location="query")
@bp.response(200, page_of(OrderSchema))
def list_orders(args):
    """Orders the caller sees (buyer: own org; supplier: its part; staff: region scope)."""
    actor = current_user()
    page = paginate(services.list_orders_query(actor=actor, args=args), args)
    page["items"] = [services.view_for(actor, order) for order in page["items"]]
    return page


@bp.get("/orders/<int:order_id>")
@require_user
@bp.response(200, OrderSchema)
def get_order(order_id):
    """One order (a supplier sees only its own lines and fulfilment)."""
    actor = current_user()
    return services.view_for(actor, services.get_visible_order(actor, order_id))


@bp.post("/orders/<int:order_id>/approve")
@require_roles("buyer_approver")
@bp.response(200, OrderSchema)
def approve_order(order_id):
    """Approve an order above the threshold: pending_approval → placed."""
    return services.approve_order(actor=current_user(), order_id=order_id)


@bp.post("/orders/<int:order_id>/cancel")
@require_roles(*BUYER_ROLES, "admin")
@bp.arguments(CancelSchema)
@bp.response(200, OrderSchema)
def cancel_order(data, order_id):
    """Cancel before any shipment: stock restored, then what was paid is refunded."""
    actor = current_user()
    order = services.cancel_order(actor=actor, order_id=order_id, reason=data["reason"])
    payments.refund_cancelled_order(actor=actor, order=order)
    return order


@bp.get("/fulfilments")
@require_user
@bp.arguments(FulfilmentQuerySchema, location="query")
@bp.response(200, page_of(FulfilmentSchema))
def list_fulfilments(args):
    """Fulfilments the caller sees (supplier: own; buyer: its orders'; staff: scope)."""
    return paginate(services.list_fulfilments_query(actor=current_user(), args=args), args)


@bp.get("/fulfilments/<int:fulfilment_id>")
@require_user
@bp.response(200, FulfilmentSchema)
def get_fulfilment(fulfilment_id):
    """One fulfilment."""
    return services.get_visible_fulfilment(current_user(), fulfilment_id)


def _transition(fulfilment_id, action, data=None):
    return services.transition_fulfilment(actor=current_user(), fulfilment_id=fulfilment_id, action=action, data=data)


@bp.post("/fulfilments/<int:fulfilment_id>/confirm")
@require_roles("supplier_manager")
@bp.response(200, FulfilmentSchema)
def confirm_fulfilment(fulfilment_id):
    """Supplier confirms: pending → confirmed."""
    return _transition(fulfilment_id, "confirm")


@bp.post("/fulfilments/<int:fulfilment_id>/ship")
@require_roles("supplier_manager")
@bp.arguments(ShipSchema)
@bp.response(200, FulfilmentSchema)
def ship_fulfilment(data, fulfilment_id):
    """Supplier ships with carrier and tracking number: confirmed → shipped."""
    return _transition(fulfilment_id, "ship", data)


@bp.post("/fulfilments/<int:fulfilment_id>/deliver")
@require_roles("supplier_manager")
@bp.response(200, FulfilmentSchema)
def deliver_fulfilment(fulfilment_id):
    """Supplier marks delivered: shipped → delivered."""
    return _transition(fulfilment_id, "deliver")


@bp.post("/fulfilments/<int:fulfilment_id>/accept")
@require_roles(*BUYER_ROLES)
@bp.response(200, FulfilmentSchema)
def accept_fulfilment(fulfilment_id):
    """Buyer accepts the goods (验收): delivered → accepted; the last one completes the order."""
    return _transition(fulfilment_id, "accept")
