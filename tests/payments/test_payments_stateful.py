"""Hypothesis state machine: pay, refund, replay webhooks, cancel and confirm in any order, refunds
failing or settled by webhook, dashboard refunds, a crash before dispatch, dispatch retries and duplicate charges;
the payments and ledger invariants, "Stripe objects = intents sent" and "buyer charged net = order net" hold
after every step."""
import itertools
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import func, select

from marketplace.core.clock import today_local
from marketplace.core.db import utcnow
from marketplace.ledger.services import check_ledger
from marketplace.outbox import dispatch
from marketplace.outbox.models import OutboxMessage
from marketplace.outbox.services import take_remembered
from marketplace.payments import services as payment_services
from marketplace.payments.models import Payment, Refund
from tests.payments.conftest import payments_invariants
from tests.payments.stripe_fakes import event_body, intent_obj, sign

_events = itertools.count(1)


def test_payments_state_machine_keeps_invariants(app, api, db, fake_stripe, make_order, make_sku, make_user,
                                                 make_buyer):
    admin = make_user(role="admin")
    skus = [make_sku(price_fen=997, stock=10**6), make_sku(price_fen=150, stock=10**6)]

    class PaymentsMachine(RuleBasedStateMachine):
        @initialize(method=st.sampled_from(["stripe", "bank_transfer"]), q0=st.integers(1, 4), q1=st.integers(1, 3),
                    pay_first=st.booleans(), fail_first=st.booleans())
        def place(self, method, q0, q1, pay_first, fail_first):
            self.buyer = make_buyer()
            self.order = make_order(buyer=self.buyer, lines=[(skus[0], q0), (skus[1], q1)], payment_method=method)
            self.remaining = {line.id: line.quantity for line in self.order.lines}
            self.paid = self.cancelled = False
            self.payment_id = self.last_event = None
            self.abandoned = []  # Stripe payments that failed: the buyer may still pay them (a duplicate charge)
            if method == "bank_transfer":
                self.payment_id = db.session.scalar(select(Payment.id).where(Payment.order_id == self.order.id))
            if pay_first and method == "bank_transfer":  # half the runs start paid, so refunds are common
                self.confirm_transfer()
            elif pay_first:
                if fail_first:  # an abandoned intent the buyer may still pay: duplicate charges are common
                    self.start_stripe_payment()
                    self.stripe_failed()
                self.start_stripe_payment()
                self.stripe_succeeded()

        @property
        def stripe(self):
            return self.order.payment_method == "stripe"

        def _deliver(self, payload):
            self.last_event = payload
            return api.client.post("/api/v1/webhooks/stripe", data=payload,
                                   headers={"Stripe-Signature": sign(payload), "Content-Type": "application/json"})

        def _refund_all_remaining(self):
            self.remaining = dict.fromkeys(self.remaining, 0)

        @precondition(lambda self: self.stripe)
        @rule()
        def start_stripe_payment(self):
            resp = api.post(f"/orders/{self.order.id}/payments", self.buyer)
            expected = 409 if (self.paid or self.cancelled) else 201
            assert resp.status_code == expected, resp.get_json()
            if expected == 201:
                self.payment_id = resp.get_json()["id"]

        @precondition(lambda self: self.stripe and self.payment_id is not None)
        @rule()
        def stripe_succeeded(self):
            payment = db.session.get(Payment, self.payment_id)
            resp = self._deliver(event_body("payment_intent.succeeded", intent_obj(payment), f"evt_s{next(_events)}"))
            assert resp.status_code == 200
            if not self.paid:
                self.paid = True
                if self.cancelled:
                    self._refund_all_remaining()

        @precondition(lambda self: self.stripe and self.payment_id is not None)
        @rule()
        def stripe_failed(self):
            payment = db.session.get(Payment, self.payment_id)
            obj = intent_obj(payment, status="requires_payment_method")
            assert self._deliver(event_body("payment_intent.payment_failed", obj, f"evt_f{next(_events)}")
                                 ).status_code == 200
            if not self.paid:
                self.abandoned.append(self.payment_id)
                self.payment_id = None

        @precondition(lambda self: self.last_event is not None)
        @rule()
        def duplicate_webhook(self):
            resp = self._deliver(self.last_event)
            assert resp.status_code == 200 and resp.get_json()["outcome"] == "duplicate"

        @precondition(lambda self: not self.stripe)
        @rule()
        def confirm_transfer(self):
            payment = db.session.get(Payment, self.payment_id)
            resp = api.post(f"/payments/{self.payment_id}/confirm-transfer", admin, json={
                "amount_fen": payment.amount_fen, "bank_reference": "B-1", "received_on": today_local().isoformat()})
            expected = 409 if (self.paid or self.cancelled) else 200
            assert resp.status_code == expected, resp.get_json()
            self.paid = self.paid or expected == 200

        @rule(index=st.integers(0, 1), quantity=st.integers(1, 4))
        def partial_refund(self, index, quantity):
            line_id = self.order.lines[index].id
            resp = api.post(f"/orders/{self.order.id}/refunds", admin,
                            json={"lines": [{"line_id": line_id, "quantity": quantity}], "reason": "部分退款"})
            if not self.paid or not any(self.remaining.values()):
                expected = 409
            else:
                expected = 422 if quantity > self.remaining[line_id] else 201
            assert resp.status_code == expected, resp.get_json()
            if expected == 201:
                self.remaining[line_id] -= quantity

        @precondition(lambda self: self.stripe and self.paid and any(self.remaining.values()))
        @rule(index=st.integers(0, 1))
        def failed_refund(self, index):
            """Stripe answers the refund failed: it is undone, the quantity can be refunded again."""
            line_id = self.order.lines[index].id
            if not self.remaining[line_id]:
                return
            fake_stripe.refund_status = "failed"
            try:
                resp = api.post(f"/orders/{self.order.id}/refunds", admin,
                                json={"lines": [{"line_id": line_id, "quantity": 1}], "reason": "失败"})
            finally:
                fake_stripe.refund_status = "pending"
            assert resp.status_code == 201 and resp.get_json()["status"] == "failed", resp.get_json()

        @precondition(lambda self: self.stripe and self.paid and any(self.remaining.values()))
        @rule()
        def crash_before_dispatch(self):
            """The refund commits, the worker dies before sending it: the next dispatch sends it once."""
            line = next(line for line in self.order.lines if self.remaining[line.id])
            payment_services.create_refund(actor=admin, order_id=self.order.id, data={
                "lines": [{"line_id": line.id, "quantity": 1}], "reason": "崩溃"})
            db.session.commit()
            take_remembered()
            self.remaining[line.id] -= 1

        @precondition(lambda self: self.stripe and self.paid and self.remaining[self.order.lines[0].id] > 0)
        @rule()
        def dashboard_refund(self):
            """One unit of line 0 refunded in the Stripe dashboard: booked like ours (charge.refunded)."""
            payment = db.session.scalar(select(Payment).where(Payment.order_id == self.order.id,
                                                              Payment.status.in_(("succeeded", "partially_refunded"))))
            line = self.order.lines[0]
            amount = min(line.unit_price_fen, line.amount_fen - line.refunded_fen)
            charge = {"id": f"ch_{next(_events)}", "object": "charge",
                      "payment_intent": payment.stripe_payment_intent_id,
                      "amount_refunded": payment.refunded_fen + amount,
                      "refunds": {"data": [{"id": f"re_dash_{next(_events)}", "amount": amount,
                                            "status": "succeeded"}]}}
            assert self._deliver(event_body("charge.refunded", charge, f"evt_d{next(_events)}")).status_code == 200
            self.remaining[line.id] -= 1

        @precondition(lambda self: self.stripe and self.paid and self.abandoned)
        @rule()
        def duplicate_charge(self):
            """An earlier, failed intent is paid after all: the second charge is refunded whole, the order unchanged."""
            payment = db.session.get(Payment, self.abandoned.pop())
            resp = self._deliver(event_body("payment_intent.succeeded", intent_obj(payment), f"evt_x{next(_events)}"))
            assert resp.status_code == 200 and resp.get_json()["outcome"] == "duplicate_payment_refunded", \
                resp.get_json()

        @rule()
        def dispatch_retry(self):
            dispatch.run_due(now=utcnow() + timedelta(hours=2))

        @precondition(lambda self: self.stripe)
        @rule(stripe_status=st.sampled_from(["failed", "canceled", "succeeded"]))
        def refund_updated(self, stripe_status):
            """Stripe settles the oldest pending refund (a webhook)."""
            refund = db.session.scalar(select(Refund).where(Refund.order_id == self.order.id,
                                                            Refund.status == "pending").order_by(Refund.id))
            if refund is None:
                return
            payment = db.session.get(Payment, refund.payment_id)
            obj = {"id": refund.stripe_refund_id, "object": "refund", "amount": refund.amount_fen,
                   "payment_intent": payment.stripe_payment_intent_id, "status": stripe_status}
            assert self._deliver(event_body("refund.updated", obj, f"evt_r{next(_events)}")).status_code == 200
            if stripe_status != "succeeded":
                for refund_line in refund.lines:
                    self.remaining[refund_line.order_line_id] += refund_line.quantity

        @rule()
        def cancel(self):
            resp = api.post(f"/orders/{self.order.id}/cancel", self.buyer, json={"reason": "不需要了"})
            assert resp.status_code == (409 if self.cancelled else 200), resp.get_json()
            if not self.cancelled:
                self.cancelled = True
                if self.paid:
                    self._refund_all_remaining()

        @invariant()
        def invariants_hold(self):
            db.session.expire_all()
            # Stripe objects = intents sent: one object per outbox message, whatever the retries
            sent = db.session.scalar(select(func.count(OutboxMessage.id)).where(
                OutboxMessage.status == "sent", OutboxMessage.kind.in_(("create_payment_intent", "create_refund"))))
            assert len(fake_stripe.objects.created) == sent
            assert payments_invariants(db.session) == []
            assert check_ledger() == []
            order = self.order
            refunded = sum(line.quantity - self.remaining[line.id] for line in order.lines)
            expected = "unpaid" if not self.paid else (
                "paid" if refunded == 0 else "refunded" if not any(self.remaining.values()) else
                "partially_refunded")
            assert order.payment_status == expected
            assert order.status == ("cancelled" if self.cancelled else "placed")
            # buyer charged net = order net: every charge taken, less every refund not failed or cancelled
            charged = db.session.scalar(select(func.coalesce(func.sum(Payment.amount_fen), 0)).where(
                Payment.order_id == order.id, Payment.status.in_(("succeeded", "partially_refunded", "refunded"))))
            returned = db.session.scalar(select(func.coalesce(func.sum(Refund.amount_fen), 0)).where(
                Refund.order_id == order.id, Refund.status.not_in(("failed", "cancelled"))))
            order_net = order.total_fen - sum(line.refunded_fen for line in order.lines) if self.paid else 0
            assert charged - returned == order_net
            db.session.rollback()

    PaymentsMachine.TestCase.settings = settings(
        max_examples=25, stateful_step_count=10, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    PaymentsMachine.TestCase().runTest()
