from flask import request

from marketplace.core.auth import BUYER_ROLES, STAFF_ROLES, SUPPLIER_ROLES, current_user, require_roles
from marketplace.core.http import page_of, paginate
from marketplace.extensions import limiter
from marketplace.payments import bp, outbox_handlers, services, webhooks
from marketplace.payments.schemas import (
    PaymentCreatedSchema,
    PaymentQuerySchema,
    PaymentSchema,
    RefundCreateSchema,
    RefundSchema,
    TransferConfirmSchema,
    WebhookAckSchema,
)


@bp.post("/orders/<int:order_id>/payments")
@require_roles(*BUYER_ROLES)
@bp.respond_after_commit(PaymentCreatedSchema(), outbox_handlers.payment_after_dispatch,
                         touch=outbox_handlers.touch_payment_intent)
@bp.idempotent(scope=services.per_order_scope("payments"))
@bp.response(201, PaymentCreatedSchema)
def create_payment(order_id):
    """Start paying an order (a Stripe PaymentIntent, or the bank-transfer payment)."""
    return services.create_payment(actor=current_user(), order_id=order_id)


@bp.get("/orders/<int:order_id>/payments")
@require_roles(*BUYER_ROLES, *STAFF_ROLES, *SUPPLIER_ROLES)
@bp.arguments(PaymentQuerySchema, location="query")
@bp.response(200, page_of(PaymentSchema))
def list_payments(args, order_id):
    """The payments of an order."""
    return paginate(services.list_payments(actor=current_user(), order_id=order_id), args)


@bp.post("/payments/<int:payment_id>/confirm-transfer")
@require_roles("admin")
@bp.arguments(TransferConfirmSchema)
@bp.response(200, PaymentSchema)
def confirm_transfer(data, payment_id):
    """Confirm that a bank transfer for the amount due has arrived."""
    return services.confirm_transfer(actor=current_user(), payment_id=payment_id, data=data)


@bp.post("/orders/<int:order_id>/refunds")
@require_roles("admin", *SUPPLIER_ROLES)
@bp.respond_after_commit(RefundSchema(), outbox_handlers.refund_after_dispatch)
@bp.arguments(RefundCreateSchema)
@bp.idempotent(scope=services.per_order_scope("refunds"))
@bp.response(201, RefundSchema)
def create_refund(data, order_id):
    """Refund quantities of an order's lines (a supplier its own lines, an admin any)."""
    return services.create_refund(actor=current_user(), order_id=order_id, data=data)


@bp.get("/orders/<int:order_id>/refunds")
@require_roles(*BUYER_ROLES, *STAFF_ROLES, *SUPPLIER_ROLES)
@bp.arguments(PaymentQuerySchema, location="query")
@bp.response(200, page_of(RefundSchema))
def list_refunds(args, order_id):
    """The refunds of an order."""
    return paginate(services.list_refunds(actor=current_user(), order_id=order_id), args)


@bp.post("/refunds/<int:refund_id>/mark-executed")
@require_roles("admin")
@bp.response(200, RefundSchema)
def mark_refund_executed(refund_id):
    """Record that a bank-transfer refund has been paid out to the buyer."""
    return services.mark_refund_executed(actor=current_user(), refund_id=refund_id)


@bp.post("/webhooks/stripe")
@limiter.exempt
@bp.response(200, WebhookAckSchema)
def receive_stripe_webhook():
    """Stripe event delivery, verified with Stripe-Signature (no login)."""
    return webhooks.handle_stripe_webhook(request.get_data(), request.headers.get("Stripe-Signature"))
