"""The done-when fault test: a real worker (`flask outbox run`) is killed with SIGKILL while Stripe
holds its request, before and after Stripe made the refund; on PostgreSQL. Afterwards Stripe has
exactly one refund for the intent, the ledger check passes and refunded <= paid (autouse check)."""
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug import Response

from marketplace.outbox import dispatch
from marketplace.outbox.models import OutboxMessage
from marketplace.payments.models import Refund
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
    from marketplace.payments.models import Payment
    from tests.payments.stripe_fakes import intent_obj
    order = make_order(payment_method="stripe")
    payment = db.session.get(Payment, api.post(f"/orders/{order.id}/payments", people(order)["buyer"])
                             .get_json()["id"])
    send_event("payment_intent.succeeded", intent_obj(payment))
    refund_id, message_id = _request_refund(db, order, make_user(role="admin"))
    base = app.config["STRIPE_API_BASE"]
    arrived, release = _holding_refund_handler(fake_stripe, make_first=make_first)
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
