"""The Stripe adapter against a local fake Stripe (pytest-httpserver) and the real signing helper."""
import json
import time
from urllib.parse import parse_qs

import pytest
import stripe
from werkzeug import Response

from marketplace.core.errors import BadRequest, ServiceUnavailable
from marketplace.payments import stripe_gateway
from marketplace.payments.stripe_gateway import BadGateway

SECRET = "whsec_test_secret"


def _form(request):
    return {k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}


def _intent(pi_id="pi_123", amount=1000):
    return {"id": pi_id, "object": "payment_intent", "amount": amount, "currency": "cny",
            "client_secret": f"{pi_id}_secret_abc", "status": "requires_payment_method"}


@pytest.fixture
def fake_stripe(app, httpserver):
    app.config["STRIPE_API_BASE"] = httpserver.url_for("/").rstrip("/")
    return httpserver


def test_create_payment_intent_sends_amount_currency_metadata_and_key(app, fake_stripe):
    # given
    fake_stripe.expect_request("/v1/payment_intents", method="POST").respond_with_json(_intent())
    # when
    with app.app_context():
        result = stripe_gateway.create_payment_intent(amount_fen=1000, order_id=7, order_number="PO-2025-000007",
                                                      idempotency_key="pi-create-3")
    # then
    assert result == ("pi_123", "pi_123_secret_abc", "requires_payment_method")
    (request, _), = fake_stripe.log
    form = _form(request)
    assert form["amount"] == "1000" and form["currency"] == "cny"
    assert form["metadata[order_id]"] == "7" and form["metadata[order_number]"] == "PO-2025-000007"
    assert request.headers["Idempotency-Key"] == "pi-create-3"
    assert request.headers["Authorization"] == "Bearer sk_test_fake"


def test_create_payment_intent_after_injected_500_retries_with_same_key(app, fake_stripe):
    # given: the first call fails with a 500, the retry succeeds
    fake_stripe.expect_oneshot_request("/v1/payment_intents", method="POST").respond_with_json(
        {"error": {"type": "api_error", "message": "boom"}}, status=500)
    fake_stripe.expect_request("/v1/payment_intents", method="POST").respond_with_json(_intent("pi_retry"))
    # when
    with app.app_context():
        pi_id, _, _ = stripe_gateway.create_payment_intent(amount_fen=500, order_id=1, order_number="PO-1",
                                                           idempotency_key="pi-create-9")
    # then
    assert pi_id == "pi_retry"
    keys = [req.headers["Idempotency-Key"] for req, _ in fake_stripe.log]
    assert keys == ["pi-create-9", "pi-create-9"]


def test_create_payment_intent_stripe_down_gives_502_not_500(app, fake_stripe):
    fake_stripe.expect_request("/v1/payment_intents", method="POST").respond_with_response(
        Response(json.dumps({"error": {"type": "api_error"}}), status=500, headers={"Stripe-Should-Retry": "false"},
                 content_type="application/json"))
    with app.app_context(), pytest.raises(BadGateway):
        stripe_gateway.create_payment_intent(amount_fen=500, order_id=1, order_number="PO-1", idempotency_key="k")


def test_create_payment_intent_unreachable_gives_503(app):
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"
    with app.app_context(), pytest.raises(ServiceUnavailable):
        stripe_gateway.create_payment_intent(amount_fen=500, order_id=1, order_number="PO-1", idempotency_key="k")


def test_create_payment_intent_without_secret_key_gives_503(app):
    app.config["STRIPE_SECRET_KEY"] = None
    with app.app_context(), pytest.raises(ServiceUnavailable):
        stripe_gateway.create_payment_intent(amount_fen=500, order_id=1, order_number="PO-1", idempotency_key="k")


def test_create_refund_sends_intent_amount_and_key(app, fake_stripe):
    fake_stripe.expect_request("/v1/refunds", method="POST").respond_with_json(
        {"id": "re_1", "object": "refund", "amount": 300, "status": "succeeded"})
    with app.app_context():
        assert stripe_gateway.create_refund(payment_intent_id="pi_1", amount_fen=300,
                                            idempotency_key="refund-4") == ("re_1", "succeeded")
    (request, _), = fake_stripe.log
    assert _form(request) == {"payment_intent": "pi_1", "amount": "300"}
    assert request.headers["Idempotency-Key"] == "refund-4"


def _event_payload():
    return json.dumps({"id": "evt_1", "object": "event", "type": "payment_intent.succeeded",
                       "data": {"object": _intent()}}).encode()


def _header(payload, timestamp=None, secret=SECRET):
    return stripe.WebhookSignature.generate_signature_header(payload.decode(), secret, timestamp=timestamp)


def test_construct_event_valid_signature_returns_dict():
    payload = _event_payload()
    event = stripe_gateway.construct_event(payload, _header(payload), SECRET)
    assert event["id"] == "evt_1" and event["data"]["object"]["amount"] == 1000


@pytest.mark.parametrize("case", ["tampered", "missing", "stale", "future", "wrong_secret", "garbage"])
def test_construct_event_bad_signature_raises_400(case):
    payload = _event_payload()
    now = int(time.time())
    header = {
        "tampered": _header(payload),
        "missing": None,
        "stale": _header(payload, now - 301),
        "future": _header(payload, now + 301),
        "wrong_secret": _header(payload, secret="whsec_other"),
        "garbage": "nonsense",
    }[case]
    if case == "tampered":
        payload = payload.replace(b"1000", b"1001", 1)
    with pytest.raises(BadRequest):
        stripe_gateway.construct_event(payload, header, SECRET)


def test_construct_event_within_tolerance_both_sides_accepted():
    payload = _event_payload()
    now = int(time.time())
    for ts in (now - 290, now + 290):
        assert stripe_gateway.construct_event(payload, _header(payload, ts), SECRET)["id"] == "evt_1"


def test_construct_event_without_secret_gives_503():
    payload = _event_payload()
    with pytest.raises(ServiceUnavailable):
        stripe_gateway.construct_event(payload, _header(payload), None)
