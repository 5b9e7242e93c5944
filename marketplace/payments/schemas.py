from marshmallow import Schema, fields, validate

from marketplace.core.http import PageQuerySchema
from marketplace.core.money import fen_field

MAX_QUANTITY = 10**6


class PaymentSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    method = fields.String()
    status = fields.String()
    amount_fen = fields.Integer()
    refunded_fen = fields.Integer()
    currency = fields.String()
    stripe_payment_intent_id = fields.String(allow_none=True)
    bank_reference = fields.String(allow_none=True)
    received_on = fields.Date(allow_none=True)
    succeeded_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class PaymentCreatedSchema(PaymentSchema):
    """The buyer's answer to starting a payment: with the Stripe client secret."""

    client_secret = fields.String(allow_none=True)


class PaymentQuerySchema(PageQuerySchema):
    pass


class TransferConfirmSchema(Schema):
    amount_fen = fen_field(min_fen=1, required=True)
    bank_reference = fields.String(required=True, validate=validate.Length(min=1, max=100))
    received_on = fields.Date(required=True)


class RefundLineCreateSchema(Schema):
    line_id = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=2**31 - 1))
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=MAX_QUANTITY))


class RefundCreateSchema(Schema):
    lines = fields.List(fields.Nested(RefundLineCreateSchema), required=True, validate=validate.Length(min=1, max=100))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class RefundLineSchema(Schema):
    id = fields.Integer()
    order_line_id = fields.Integer()
    line_id = fields.Function(lambda line: line.order_line_id, metadata={"type": "integer"})
    quantity = fields.Integer()
    amount_fen = fields.Integer()


class RefundSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    payment_id = fields.Integer()
    amount_fen = fields.Integer()
    reason = fields.String()
    status = fields.String()
    stripe_refund_id = fields.String(allow_none=True)
    created_at = fields.DateTime()
    lines = fields.List(fields.Nested(RefundLineSchema))


class WebhookAckSchema(Schema):
    received = fields.Boolean()
    outcome = fields.String()
