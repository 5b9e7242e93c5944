"""Offline Stripe helpers: events signed with the real library's signing helper."""
import itertools
import json
import time

import stripe

WEBHOOK_SECRET = "whsec_test_secret"
_ids = itertools.count(1)


def sign(payload: bytes, timestamp=None, secret=WEBHOOK_SECRET):
    """A Stripe-Signature header made by the real library's signing helper."""
    return stripe.WebhookSignature.generate_signature_header(payload.decode(), secret, timestamp=timestamp)


def event_body(event_type, obj, event_id=None):
    return json.dumps({"id": event_id or f"evt_{next(_ids)}", "object": "event", "type": event_type,
                       "created": int(time.time()), "data": {"object": obj}}).encode()


def intent_obj(payment, *, amount=None, currency="cny", status="succeeded"):
    amount = payment.amount_fen if amount is None else amount
    return {"id": payment.stripe_payment_intent_id, "object": "payment_intent", "amount": amount,
            "amount_received": amount if status == "succeeded" else 0, "currency": currency, "status": status}


