"""Fulfilment waits for the money: an order is confirmed, shipped, delivered or accepted only once
its payment succeeded (409 ``payment_required``), except a bank-transfer order of a buyer who pays
after delivery (``Organization.pay_after_delivery``, set by admins: public institutions often pay on
invoice). Such an order, accepted unpaid, is due ``ORDER_PAY_BY_DAYS_TRANSFER`` days after acceptance."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from marketplace.core.errors import Conflict
from marketplace.extensions import db
from marketplace.orders.states import OrderPaymentStatus
from marketplace.organizations.models import Organization

PAY_AFTER_DELIVERY_METHODS = ("bank_transfer",)


def pays_after_delivery(order):
    """An unpaid order whose buyer may pay after delivery (bank transfer only)."""
    return order.payment_method in PAY_AFTER_DELIVERY_METHODS and bool(db.session.scalar(
        select(Organization.pay_after_delivery).where(Organization.id == order.buyer_org_id)))


def require_payment(order, action):
    if order.payment_status == OrderPaymentStatus.UNPAID and not pays_after_delivery(order):
        raise Conflict(f"payment_required: the order must be paid before it can {action}",
                       code="payment_required", current_state=order.payment_status)


def due_after_acceptance(order, accepted_at):
    """An order completed unpaid (its buyer pays after delivery): pay_by counts from acceptance."""
    if order.payment_status == OrderPaymentStatus.UNPAID:
        order.pay_by = accepted_at + timedelta(days=current_app.config["ORDER_PAY_BY_DAYS_TRANSFER"])
