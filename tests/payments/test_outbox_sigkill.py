"""The done-when fault test: a real worker (`flask outbox run`) is killed with SIGKILL while Stripe
holds its request, before and after Stripe made the refund or the PaymentIntent; on PostgreSQL.
Afterwards Stripe has exactly one object per intent, the ledger check passes and refunded <= paid
(autouse check)."""
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug import Response

from marketplace.outbox import dispatch
from marketplace.outbox.models import OutboxMessage
from marketplace.outbox.services import take_remembered
from marketplace.payments import services as payment_services
from marketplace.payments.models import Payment, Refund
from tests.payments.test_outbox_crash import _later, _refund_objects, _request_refund

ROOT = Path(__file__).resolve().parents[2]


def _holding_refund_handler(fake_stripe, *, make_first):
    """/v1/refunds that signals arrival and holds the answer until released; ``make_first`` = Stripe
    has made the refund (under the request's key) before the worker dies."""
    arrived, release = threading.Event(), threading.Event()

    def handler(request):
        def make():
            return {"id": f"re_killed_{len(fake_stripe.objects.created)}", "object": "refund",
                    "amount": int(request.form["amount"]), "payment_intent": request.form["payment_intent"],
                    "status": "pending"}
        body = fake_stripe.objects.answer(request, make) if make_first else None
        arrived.set()
        release.wait(30)
        return Response(json.dumps(body or {}), content_type="application/json")

    fake_stripe.clear_all_handlers()
    fake_stripe.expect_oneshot_request("/v1/refunds", method="POST").respond_with_handler(handler)
    return arrived, release


@pytest.mark.parametrize("make_first", [False, True], ids=["killed_before_stripe_made_it", "killed_after"])
def test_sigkill_of_the_dispatcher_leaves_one_stripe_refund(app, db, fake_stripe, is_postgres, make_order,
                                                            make_user, api, people, send_event, make_first):
    if not is_postgres:
        pytest.skip("the worker process needs a shared database server (PostgreSQL)")
    from tests.payments.stripe_fakes import intent_obj
    order = make_order(payment_method="stripe")
    payment = db.session.get(Payment, api.post(f"/orders/{order.id}/payments", people(order)["buyer"])
                             .get_json()["id"])
    send_event("payment_intent.succeeded", intent_obj(payment))
    refund_id, message_id = _request_refund(db, order, make_user(role="admin"))
    arrived, release = _holding_refund_handler(fake_stripe, make_first=make_first)
    _kill_worker_while_stripe_holds(app, arrived, release)
    # when: the dispatcher runs again after the lease (Stripe answers normally now)
    fake_stripe.clear_all_handlers()
    fake_stripe.expect_request("/v1/refunds", method="POST").respond_with_handler(
        lambda request: Response(json.dumps(fake_stripe.objects.answer(request, lambda: {
            "id": "re_after_restart", "object": "refund", "amount": int(request.form["amount"]),
            "payment_intent": request.form["payment_intent"], "status": "pending"})),
            content_type="application/json"))
    db.session.rollback()
    assert dispatch.run_due(now=_later()) == 1
    # then: one Stripe refund, recorded on our refund
    db.session.expire_all()
    (made,) = _refund_objects(fake_stripe)
    assert db.session.get(Refund, refund_id).stripe_refund_id == made["id"]
    assert db.session.get(OutboxMessage, message_id).status == "sent"


def _kill_worker_while_stripe_holds(app, arrived, release):
    """Start `flask outbox run`, SIGKILL it once its Stripe request has arrived, then let Stripe answer."""
    base = app.config["STRIPE_API_BASE"]
    env = {**os.environ, "APP_ENV": "testing", "FLASK_APP": "wsgi", "STRIPE_API_BASE": base,
           "TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"].replace("+psycopg", "")}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "outbox", "run"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert arrived.wait(60), "the worker never called Stripe"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        release.set()
        if worker.poll() is None:
            worker.kill()


def _intent(fake_stripe, request, name):
    return fake_stripe.objects.answer(request, lambda: {
        "id": name, "object": "payment_intent", "amount": int(request.form["amount"]),
        "currency": request.form["currency"], "client_secret": f"{name}_secret_x", "status": "requires_payment_method"})


def _holding_intent_handler(fake_stripe, *, make_first):
    """/v1/payment_intents that signals arrival and holds the answer; ``make_first`` = Stripe has made
    the PaymentIntent (under the request's key) before the worker dies."""
    arrived, release = threading.Event(), threading.Event()

    def handler(request):
        body = _intent(fake_stripe, request, "pi_killed") if make_first else None
        arrived.set()
        release.wait(30)
        return Response(json.dumps(body or {}), content_type="application/json")

    fake_stripe.clear_all_handlers()
    fake_stripe.expect_oneshot_request("/v1/payment_intents", method="POST").respond_with_handler(handler)
    return arrived, release


@pytest.mark.parametrize("make_first", [False, True], ids=["killed_before_stripe_made_it", "killed_after"])
def test_sigkill_of_the_dispatcher_leaves_one_payment_intent(app, db, fake_stripe, is_postgres, make_order,
                                                             people, make_first):
    if not is_postgres:
        pytest.skip("the worker process needs a shared database server (PostgreSQL)")
    # given: a Stripe payment and its create_payment_intent message committed, nothing sent
    order = make_order(payment_method="stripe")
    payment = payment_services.create_payment(actor=people(order)["buyer"], order_id=order.id)
    payment_id = payment.id
    db.session.commit()
    take_remembered()
    message_id = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == "create_payment_intent"))
    arrived, release = _holding_intent_handler(fake_stripe, make_first=make_first)
    _kill_worker_while_stripe_holds(app, arrived, release)
    # when: the dispatcher runs again after the lease (Stripe answers normally now)
    fake_stripe.clear_all_handlers()
    fake_stripe.expect_request("/v1/payment_intents", method="POST").respond_with_handler(
        lambda request: Response(json.dumps(_intent(fake_stripe, request, "pi_after_restart")),
                                 content_type="application/json"))
    db.session.rollback()
    assert dispatch.run_due(now=_later()) == 1
    # then: one PaymentIntent, recorded on our payment
    db.session.expire_all()
    (made,) = [o for o in fake_stripe.objects.created if o["object"] == "payment_intent"]
    assert made["id"] == ("pi_killed" if make_first else "pi_after_restart")
    assert db.session.get(Payment, payment_id).stripe_payment_intent_id == made["id"]
    assert db.session.get(OutboxMessage, message_id).status == "sent"
