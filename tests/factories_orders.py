"""Factory fixtures for orders (owned by that domain): buyers and orders placed through the service."""
from datetime import timedelta

import pytest

from marketplace.core.clock import today_local
from marketplace.orders.schemas import OrderCreateSchema
from marketplace.orders.services import approve_order, cancel_order, place_order, transition_fulfilment
from marketplace.payments import services as payments


def order_payload(lines, payment_method="bank_transfer", requested_date=None, note=""):
    """The POST /orders body for [(sku or sku_id, quantity), ...] (dates as ISO strings)."""
    requested = requested_date or today_local() + timedelta(days=3)
    return {
        "lines": [{"sku_id": getattr(sku, "id", sku), "quantity": qty} for sku, qty in lines],
        "delivery": {"address": "四川省达州市万源市太平镇 食堂后门", "contact_name": "王师傅",
                     "contact_phone": "13800000001", "requested_date": requested.isoformat()},
        "payment_method": payment_method,
        **({"note": note} if note else {}),
    }


@pytest.fixture
def make_buyer(db, make_org, make_user):
    """A buyer user (approver by default) of a new verified buyer organization (or of ``org``)."""
    def make(kind="canteen", role="buyer_approver", approval_threshold_fen=None, org=None, status="verified"):
        org = org or make_org(kind=kind, status=status, approval_threshold_fen=approval_threshold_fen)
        return make_user(role=role, org=org)
    return make


@pytest.fixture
def make_order(db, make_buyer, make_sku, make_user):
    """Place an order through the service and commit; returns the Order.

    status: None (as placed: placed, or pending_approval above the threshold),
    "pending_approval", "placed", "cancelled", or a fulfilment stage reached by every
    fulfilment: "confirmed", "shipped", "delivered", "completed" (all accepted); an unpaid
    bank-transfer order is fulfilled because its buyer is set to pay after delivery.
    """
    def make(buyer=None, lines=None, payment_method="bank_transfer", status=None, open_payment=True):
        buyer = buyer or make_buyer()
        lines = lines if lines is not None else [(make_sku(), 1)]
        data = OrderCreateSchema().load(order_payload(lines, payment_method))
        org = buyer.organization
        saved_threshold = org.approval_threshold_fen
        if status == "pending_approval":
            org.approval_threshold_fen = 0
        order = place_order(buyer=buyer, data=data)
        org.approval_threshold_fen = saved_threshold
        if open_payment:
            payments.open_payment_for_order(actor=buyer, order=order)
        db.session.commit()
        if status in (None, "pending_approval"):
            return order
        if order.status == "pending_approval":
            approver = buyer if buyer.role == "buyer_approver" else make_user(role="buyer_approver", org=org)
            approve_order(actor=approver, order_id=order.id)
            db.session.commit()
        if status == "cancelled":
            cancel_order(actor=buyer, order_id=order.id, reason="factory cancel")
            db.session.commit()
            return order
        if status != "placed" and payment_method == "bank_transfer":
            org.pay_after_delivery = True  # fulfilled before payment: only a buyer who pays after delivery
        stages = {"placed": [], "confirmed": ["confirm"], "shipped": ["confirm", "ship"],
                  "delivered": ["confirm", "ship", "deliver"], "completed": ["confirm", "ship", "deliver", "accept"]}
        for fulfilment in list(order.fulfilments):
            manager = make_user(role="supplier_manager", org=db.session.get(type(org), fulfilment.supplier_id))
            for action in stages[status]:
                actor = buyer if action == "accept" else manager
                data = {"carrier": "顺丰", "tracking_no": f"SF{fulfilment.id:010d}"} if action == "ship" else None
                transition_fulfilment(actor=actor, fulfilment_id=fulfilment.id, action=action, data=data)
                db.session.commit()
        db.session.refresh(order)
        return order
    return make
