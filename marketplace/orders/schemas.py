"""Order and fulfilment schemas (input validation and output shape)."""
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from marketplace.core.clock import today_local
from marketplace.core.db import enum_values
from marketplace.core.http import PageQuerySchema
from marketplace.core.text import Name
from marketplace.orders.models import FULFILMENT_STATUSES, ORDER_STATUSES, PAYMENT_METHODS
from marketplace.orders.states import OrderPaymentStatus

MAX_LINES = 100
MAX_QUANTITY = 10**6
MAX_ID = 2**31 - 1
Phone = validate.Regexp(r"^[0-9+\- ]{5,32}$", error="not a phone number")
NonBlank = validate.Regexp(r"\S", error="must not be blank")


class OrderLineCreateSchema(Schema):
    sku_id = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=MAX_ID))
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=MAX_QUANTITY))
    #: the unit price the buyer saw; a different current price refuses the order (409 price_changed)
    expected_unit_price_fen = fields.Integer(strict=True, load_default=None, allow_none=True,
                                             validate=validate.Range(min=0, max=10**15))


class DeliverySchema(Schema):
    address = fields.String(required=True, validate=[validate.Length(min=1, max=500), NonBlank])
    contact_name = Name(required=True, validate=[validate.Length(min=1, max=100), NonBlank])
    contact_phone = fields.String(required=True, validate=Phone)
    requested_date = fields.Date(required=True)

    @validates("requested_date")
    def not_in_the_past(self, value, **kwargs):
        if value < today_local():  # a calendar date in China, like every date buyers see
            raise ValidationError("must not be in the past (dates are Asia/Shanghai)")


class OrderCreateSchema(Schema):
    lines = fields.List(fields.Nested(OrderLineCreateSchema), required=True,
                        validate=validate.Length(min=1, max=MAX_LINES))
    delivery = fields.Nested(DeliverySchema, required=True)
    payment_method = fields.String(required=True, validate=validate.OneOf(PAYMENT_METHODS))
    note = fields.String(load_default="", validate=validate.Length(max=500))

    @validates_schema
    def distinct_skus(self, data, **kwargs):
        seen = set()
        for line in data.get("lines") or []:
            if line["sku_id"] in seen:
                raise ValidationError(f"sku {line['sku_id']} appears twice; one line per SKU", "lines")
            seen.add(line["sku_id"])


class CancelSchema(Schema):
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=500), NonBlank])


class ShipSchema(Schema):
    carrier = fields.String(required=True, validate=[validate.Length(min=1, max=100), NonBlank])
    tracking_no = fields.String(required=True, validate=[validate.Length(min=1, max=100), NonBlank])


class OrderQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(ORDER_STATUSES))
    #: placement date range, inclusive, Asia/Shanghai calendar days
    from_ = fields.Date(data_key="from")
    to = fields.Date()

    @validates_schema
    def ordered_range(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("must not be before from", "to")


class FulfilmentQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(FULFILMENT_STATUSES))


class OrderLineSchema(Schema):
    id = fields.Integer()
    fulfilment_id = fields.Integer()
    sku_id = fields.Integer()
    product_id = fields.Integer()
    supplier_id = fields.Integer()
    supplier_name = fields.String()
    product_name = fields.String()
    sku_name = fields.String()
    unit = fields.String()
    category = fields.String()
    origin_region_code = fields.String()
    certificate_no = fields.String(allow_none=True)
    quantity = fields.Integer()
    unit_price_fen = fields.Integer()
    amount_fen = fields.Integer()
    refunded_quantity = fields.Integer()
    refunded_fen = fields.Integer()


class FulfilmentSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    order_number = fields.Function(lambda f: f.order.number, metadata={"type": "string"})
    supplier_id = fields.Integer()
    supplier_name = fields.Function(lambda f: f.lines[0].supplier_name if f.lines else None, allow_none=True,
                                    metadata={"type": "string"})
    status = fields.String(metadata={"enum": list(FULFILMENT_STATUSES)})
    carrier = fields.String(allow_none=True)
    tracking_no = fields.String(allow_none=True)
    confirmed_at = fields.DateTime(allow_none=True)
    shipped_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)
    total_fen = fields.Function(lambda f: sum(line.amount_fen for line in f.lines),
                                metadata={"type": "integer", "minimum": 0})
    lines = fields.List(fields.Nested(OrderLineSchema))


class OrderFulfilmentSchema(FulfilmentSchema):
    """A fulfilment inside its order (the order number is already on the order)."""

    class Meta:
        exclude = ("order_number",)


class OrderSchema(Schema):
    """An order. For a supplier, ``lines``, ``fulfilments`` and ``total_fen`` cover only its own part."""

    id = fields.Integer()
    number = fields.String()
    status = fields.String(metadata={"enum": list(ORDER_STATUSES)})
    buyer_org_id = fields.Integer()
    buyer_region_code = fields.String()
    buyer_kind = fields.String()
    placed_by_id = fields.Integer()
    approved_by_id = fields.Integer(allow_none=True)
    total_fen = fields.Integer()
    payment_method = fields.String(metadata={"enum": list(PAYMENT_METHODS)})
    payment_status = fields.String(metadata={"enum": list(enum_values(OrderPaymentStatus))})
    pay_by = fields.DateTime()
    delivery = fields.Dict()
    note = fields.String()
    cancel_reason = fields.String(allow_none=True)
    placed_at = fields.DateTime()
    paid_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    lines = fields.List(fields.Nested(OrderLineSchema))
    fulfilments = fields.List(fields.Nested(OrderFulfilmentSchema))
