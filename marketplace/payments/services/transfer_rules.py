"""The rules of a confirmed bank transfer: judged by its value date (``received_on``), not the clock.

* ``received_on`` lies between the order's placement (local date) and today;
* a bank reference confirms one payment per payer organization (409 otherwise);
* lateness is ``received_on`` after ``pay_by`` (local date): a timely transfer is confirmed even
  when the confirmation comes after ``pay_by``; the confirmation itself never expires the order;
* ``paid_at`` is the value date (local midnight of ``received_on``);
* an order that expired before a timely transfer was confirmed is reinstated if stock allows.
"""
from sqlalchemy import select

from marketplace.core.clock import day_start_utc, local_date, today_local
from marketplace.core.errors import Conflict, NotFound, field_error
from marketplace.extensions import db
from marketplace.orders import services as order_services
from marketplace.orders.models import Order
from marketplace.payments.models import Payment


def value_date_start(day):
    """The value date as a moment: local midnight of ``day``."""
    return day_start_utc(day)


def changeable_payment_without_expiry(actor, payment_id):
    """The payment and its order if the caller may change the order (``get_changeable_order``'s rule);
    no lazy expiry on the way (an order past ``pay_by`` whose transfer arrived in time must not be
    cancelled by its own confirmation)."""
    payment = db.session.get(Payment, payment_id)
    order = None if payment is None else db.session.scalar(
        select(Order).where(Order.id == payment.order_id, order_services.order_changeable_clause(actor)))
    if order is None:
        raise NotFound(f"payment {payment_id} not found")
    return payment, order


def check_transfer(payment, order, data):
    """422 for a value date outside [placement, today]; 409 for a late transfer (the order
    expires unpaid, lazily, as any overdue order) or a bank reference already used by the payer organization."""
    received_on = data["received_on"]
    if received_on > today_local():
        raise field_error("received_on", "must not be in the future")
    if received_on < local_date(order.placed_at):
        raise field_error("received_on", f"must not be before the order was placed ({local_date(order.placed_at)})")
    used = db.session.scalar(select(Payment.id).join(Order, Order.id == Payment.order_id).where(
        Order.buyer_org_id == order.buyer_org_id, Payment.bank_reference == data["bank_reference"],
        Payment.id != payment.id).limit(1))
    if used is not None:
        raise Conflict(f"bank_reference {data['bank_reference']!r} already confirmed payment {used} of this payer",
                       current_state=payment.status)
    if received_on > local_date(order.pay_by):
        raise Conflict(f"the transfer arrived on {received_on}, after pay_by ({local_date(order.pay_by)}): "
                       "the order expired unpaid; return the money to the payer", current_state="late")


def reinstate_if_timely(payment, order, data, *, actor):
    """An order that expired unpaid although this transfer arrived by ``pay_by`` is reinstated
    (409 naming the short lines when the stock is gone; 409 ``late`` for a late transfer)."""
    if payment.method == "bank_transfer" and order_services.expired_unpaid(order):
        check_transfer(payment, order, data)
        order_services.reinstate_expired(order, actor=actor)
