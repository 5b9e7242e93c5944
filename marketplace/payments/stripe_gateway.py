"""The only module that talks to Stripe (Saleor's thin adapter).

Each call builds a ``StripeClient`` from the app config, so tests point
``STRIPE_API_BASE`` at a local fake. Network trouble becomes a 502/503 with a
clear message, never a 500. Retries (``max_network_retries``) re-send the same
``Idempotency-Key``, so Stripe never creates a second object.
"""
import time

import stripe
import structlog
from flask import current_app

from marketplace.core.errors import ApiError, BadRequest, ServiceUnavailable

log = structlog.get_logger("marketplace.stripe")

MAX_NETWORK_RETRIES = 2
TIMEOUT_SECONDS = 20
SIGNATURE_TOLERANCE_SECONDS = 300


class BadGateway(ApiError):
    """Stripe answered, but not with something we can use."""

    status = 502


def _client():
    api_key = current_app.config.get("STRIPE_SECRET_KEY")
    if not api_key:
        raise ServiceUnavailable("Stripe payments are not configured (STRIPE_SECRET_KEY is unset)")
    kwargs = {
        "max_network_retries": MAX_NETWORK_RETRIES,
        "http_client": stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
    }
    base = current_app.config.get("STRIPE_API_BASE")
    if base:
        kwargs["base_addresses"] = {"api": base.rstrip("/")}
    return stripe.StripeClient(api_key, **kwargs)


def _translate(exc, action):
    """Map a Stripe library error to an API error (the message never echoes Stripe's text)."""
    log.warning("stripe_call_failed", action=action, error_type=type(exc).__name__,
                http_status=getattr(exc, "http_status", None))
    if isinstance(exc, stripe.APIConnectionError):
        return ServiceUnavailable(f"Stripe could not be reached to {action}; retry later")
    if isinstance(exc, (stripe.AuthenticationError, stripe.PermissionError)):
        return ServiceUnavailable(f"Stripe refused our credentials to {action}; the platform must fix its keys")
    if isinstance(exc, stripe.RateLimitError):
        return ServiceUnavailable(f"Stripe is rate limiting; retry later to {action}")
    error = BadGateway(f"Stripe could not {action} (status {getattr(exc, 'http_status', None) or 'unknown'})")
    # Stripe refused the request itself (4xx): sending it again with the same key cannot help.
    error.permanent = isinstance(exc, (stripe.InvalidRequestError, stripe.CardError, stripe.IdempotencyError))
    return error


def create_payment_intent(*, amount_fen, order_id, order_number, idempotency_key, payment_id=None):
    """Create a PaymentIntent in CNY for ``amount_fen``; returns (id, client_secret, status)."""
    metadata = {"order_id": str(order_id), "order_number": order_number}
    if payment_id is not None:
        metadata["payment_id"] = str(payment_id)
    params = {"amount": int(amount_fen), "currency": "cny", "metadata": metadata}
    try:
        intent = _client().v1.payment_intents.create(params=params, options={"idempotency_key": idempotency_key})
    except stripe.StripeError as exc:
        raise _translate(exc, "create the payment") from None
    data = intent.to_dict()
    return data["id"], data.get("client_secret"), data.get("status")


def create_refund(*, payment_intent_id, amount_fen, idempotency_key, refund_id=None):
    """Refund ``amount_fen`` of a PaymentIntent; returns (Stripe refund id, its status)."""
    params = {"payment_intent": payment_intent_id, "amount": int(amount_fen)}
    if refund_id is not None:
        params["metadata"] = {"refund_id": str(refund_id)}
    try:
        refund = _client().v1.refunds.create(params=params, options={"idempotency_key": idempotency_key})
    except stripe.StripeError as exc:
        raise _translate(exc, "create the refund") from None
    data = refund.to_dict()
    return data["id"], data.get("status")


def cancel_payment_intent(*, payment_intent_id, idempotency_key):
    """Cancel a PaymentIntent that must not be paid any more; returns its status."""
    try:
        intent = _client().v1.payment_intents.cancel(payment_intent_id, options={"idempotency_key": idempotency_key})
    except stripe.StripeError as exc:
        raise _translate(exc, "cancel the payment") from None
    return intent.to_dict().get("status")


def _header_timestamp(sig_header):
    for item in sig_header.split(","):
        name, _, value = item.strip().partition("=")
        if name == "t":
            try:
                return int(value)
            except ValueError:
                break
    raise BadRequest("Stripe-Signature carries no valid timestamp")


def construct_event(payload: bytes, sig_header, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS):
    """Verify a webhook and return the event as a plain dict.

    400 when the signature is missing, wrong, or its timestamp lies more than
    ``tolerance`` seconds in the past (checked by the library) or in the future
    (checked here: the library only looks back). 503 without a secret.
    """
    if not secret:
        raise ServiceUnavailable("Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET is unset)")
    if not sig_header:
        raise BadRequest("the Stripe-Signature header is missing")
    timestamp = _header_timestamp(sig_header)
    if timestamp > time.time() + tolerance:
        raise BadRequest("the Stripe-Signature timestamp lies in the future")
    try:
        event = stripe.Webhook.construct_event(payload, sig_header, secret, tolerance)
    except stripe.SignatureVerificationError:
        raise BadRequest("the Stripe-Signature does not verify (wrong, tampered or stale)") from None
    except ValueError:
        raise BadRequest("the webhook body is not a Stripe event") from None
    return event.to_dict()
