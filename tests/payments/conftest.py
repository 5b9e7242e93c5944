"""Payments test plumbing: a fake Stripe (pytest-httpserver), signed webhook deliveries, the
people around an order, and the ledger invariants checked after every test."""
import itertools
import json
import re

import pytest
from sqlalchemy import func, select
from werkzeug import Response

from marketplace.ledger.services import check_ledger
from marketplace.orders.models import Order, OrderLine
from marketplace.organizations.models import Organization
from marketplace.payments.models import Payment, Refund
from tests.payments.stripe_fakes import event_body, sign

_ids = itertools.count(1)


class StripeObjects:
    """What the fake Stripe made: one object per Idempotency-Key (a replayed key gets the first answer)."""

    def __init__(self):
        self.by_key = {}
        self.created = []

    def answer(self, request, make, creates=True):
        key = request.headers.get("Idempotency-Key")
        if key and key in self.by_key:
            return self.by_key[key]
        body = make()
        if creates:
            self.created.append(body)
        if key:
            self.by_key[key] = body
        return body


@pytest.fixture
def fake_stripe(app, httpserver):
    """A local Stripe answering PaymentIntent creation and cancelling, and refund creation; it honours
    Idempotency-Key like Stripe (same key, same object). Every request is in .log, every object made
    in .objects.created."""
    app.config["STRIPE_API_BASE"] = httpserver.url_for("/").rstrip("/")
    objects = httpserver.objects = StripeObjects()

    def respond(request, make):
        return Response(json.dumps(objects.answer(request, make)), content_type="application/json")

    def intent(request):
        form = request.form

        def make():
            n = next(_ids)
            return {"id": f"pi_fake_{n}", "object": "payment_intent", "amount": int(form["amount"]),
                    "currency": form["currency"], "client_secret": f"pi_fake_{n}_secret_x",
                    "status": "requires_payment_method"}
        return respond(request, make)

    def cancel(request):
        intent_id = request.path.split("/")[3]
        body = objects.answer(request, lambda: {"id": intent_id, "object": "payment_intent", "status": "canceled"},
                              creates=False)
        return Response(json.dumps(body), content_type="application/json")

    def refund(request):
        form = request.form

        def make():
            return {"id": f"re_fake_{next(_ids)}", "object": "refund", "amount": int(form["amount"]),
                    "payment_intent": form["payment_intent"], "status": httpserver.refund_status,
                    "metadata": {"refund_id": form.get("metadata[refund_id]")}}
        return respond(request, make)

    httpserver.refund_status = "pending"
    httpserver.expect_request("/v1/payment_intents", method="POST").respond_with_handler(intent)
    httpserver.expect_request(re.compile(r"^/v1/payment_intents/[^/]+/cancel$"), method="POST") \
        .respond_with_handler(cancel)
    httpserver.expect_request("/v1/refunds", method="POST").respond_with_handler(refund)
    return httpserver


@pytest.fixture
def send_event(client):
    """POST a signed event; ``header=`` overrides the signature, ``tamper`` flips one byte after signing."""
    def send(event_type, obj, *, event_id=None, timestamp=None, header="sign", tamper=False, payload=None):
        payload = payload or event_body(event_type, obj, event_id)
        headers = {"Content-Type": "application/json"}
        if header == "sign":
            header = sign(payload, timestamp)
        if header is not None:
            headers["Stripe-Signature"] = header
        if tamper:
            payload = payload.replace(b'"object"', b'"objecT"', 1)
        return client.post("/api/v1/webhooks/stripe", data=payload, headers=headers)
    return send


@pytest.fixture
def people(db, make_user, make_org):
    """The users around an order: its buyer, the first line's supplier manager, staff and strangers."""
    def make(order):
        buyer_org = db.session.get(Organization, order.buyer_org_id)
        supplier = db.session.get(Organization, order.lines[0].supplier_id)
        return {
            "buyer": make_user(role="buyer_purchaser", org=buyer_org),
            "approver": make_user(role="buyer_approver", org=buyer_org),
            "supplier": make_user(role="supplier_manager", org=supplier),
            "admin": make_user(role="admin"),
            "auditor": make_user(role="auditor"),
            "other_buyer": make_user(role="buyer_purchaser", org=make_org(kind="canteen")),
            "other_supplier": make_user(role="supplier_manager", org=make_org(kind="cooperative")),
            "far_admin": make_user(role="admin", region_scope="44"),
        }
    return make


def _refunded_duplicate(payment):
    """A second charge refunded whole, by a refund without lines (payments.services.duplicates)."""
    return payment.status == "refunded" and payment.refunds and all(not r.lines for r in payment.refunds)


def payments_invariants(session):
    """Refunds never above what was paid, per line and per payment; the order mirrors its payment."""
    problems = []
    for line in session.scalars(select(OrderLine)):
        if not (0 <= line.refunded_fen <= line.amount_fen and 0 <= line.refunded_quantity <= line.quantity):
            problems.append(f"line {line.id} refunded {line.refunded_quantity}/{line.refunded_fen}")
    for payment in session.scalars(select(Payment)):
        refunded = session.scalar(select(func.coalesce(func.sum(Refund.amount_fen), 0))
                                  .where(Refund.payment_id == payment.id,
                                         Refund.status.not_in(("failed", "cancelled"))))
        if refunded != payment.refunded_fen or payment.refunded_fen > payment.amount_fen:
            problems.append(f"payment {payment.id}: refunds {refunded} vs recorded {payment.refunded_fen}")
    for order in session.scalars(select(Order).where(Order.payment_status != "unpaid")):
        lines_refunded = sum(line.refunded_fen for line in order.lines)
        paid = [p for p in session.scalars(select(Payment).where(
            Payment.order_id == order.id, Payment.status.in_(("succeeded", "partially_refunded", "refunded"))))
            if not _refunded_duplicate(p)]
        if len(paid) != 1 or paid[0].status.replace("succeeded", "paid") != order.payment_status \
                or paid[0].refunded_fen != lines_refunded:
            problems.append(f"order {order.id}: {order.payment_status} does not mirror its payment")
    return problems


@pytest.fixture(autouse=True)
def _check_invariants_after_each_test(request):
    """After every payments test that touched the database: refunds <= paid, and the ledger balances."""
    if "db" not in request.fixturenames:
        yield
        return
    db = request.getfixturevalue("db")  # set up first, so it is torn down after this check
    yield
    db.session.rollback()
    assert payments_invariants(db.session) == []
    assert check_ledger() == []
