"""Ledger request and response schemas (money in integer fen, signs as in ledger/models.py)."""
from marshmallow import Schema, fields, validate

from marketplace.core.http import PageQuerySchema

MAX_ID = 2**63 - 1


class RecipientSchema(Schema):
    """A masked household ({id, village_code, head_name (masked), id_number (masked), members})
    or an organization ({organization_id, name, kind})."""

    id = fields.Integer()
    village_code = fields.String()
    head_name = fields.String()
    id_number = fields.String()
    members = fields.Integer()
    organization_id = fields.Integer()
    name = fields.String()
    kind = fields.String()


class AttributionPartSchema(Schema):
    account_id = fields.Integer()
    kind = fields.String()
    benefit_mode = fields.String()
    recipient = fields.Nested(RecipientSchema, allow_none=True)
    attributed_fen = fields.Integer()
    refunded_fen = fields.Integer()
    amount_fen = fields.Integer()


class AttributionLineSchema(Schema):
    line_id = fields.Integer()
    product_id = fields.Integer()
    product_name = fields.String()
    supplier_id = fields.Integer()
    amount_fen = fields.Integer()
    attributed = fields.Boolean()
    scheme_id = fields.Integer(allow_none=True)
    scheme_version = fields.Integer(allow_none=True)
    memo = fields.String()
    parts = fields.List(fields.Nested(AttributionPartSchema))


class OrderAttributionSchema(Schema):
    order_id = fields.Integer()
    number = fields.String()
    lines = fields.List(fields.Nested(AttributionLineSchema))


class PostingSchema(Schema):
    id = fields.Integer()
    entry_id = fields.Integer()
    account_id = fields.Integer()
    amount_fen = fields.Integer()
    order_line_id = fields.Integer(allow_none=True)
    benefit_mode = fields.String(allow_none=True)
    created_at = fields.DateTime()


class EntrySchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    order_id = fields.Integer(allow_none=True)
    payment_id = fields.Integer(allow_none=True)
    refund_id = fields.Integer(allow_none=True)
    order_line_id = fields.Integer(allow_none=True)
    scheme_id = fields.Integer(allow_none=True)
    scheme_version = fields.Integer(allow_none=True)
    idempotency_key = fields.String()
    memo = fields.String()
    created_at = fields.DateTime()
    postings = fields.List(fields.Nested(PostingSchema))


class EntryQuerySchema(PageQuerySchema):
    order_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))  # orders.id is a PostgreSQL integer
    account = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    from_ = fields.Date(data_key="from")
    to = fields.Date()


class PostingPageSchema(Schema):
    items = fields.List(fields.Nested(PostingSchema))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


class AccountSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    organization_id = fields.Integer(allow_none=True)
    household_id = fields.Integer(allow_none=True)
    order_id = fields.Integer(allow_none=True)
    owner = fields.Nested(RecipientSchema, allow_none=True)
    #: Signed: debits positive. An income account's income is -balance_fen.
    balance_fen = fields.Integer()
    postings = fields.Nested(PostingPageSchema)


class IncomeQuerySchema(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class IncomeMonthSchema(Schema):
    month = fields.Integer()
    operating_fen = fields.Integer()
    asset_fen = fields.Integer()
    total_fen = fields.Integer()


class IncomePostingSchema(Schema):
    id = fields.Integer()
    entry_id = fields.Integer()
    entry_kind = fields.String()
    order_id = fields.Integer(allow_none=True)
    order_line_id = fields.Integer(allow_none=True)
    benefit_mode = fields.String(allow_none=True)
    amount_fen = fields.Integer()
    #: -amount_fen: positive for attributed income, negative for a refund's reversal.
    income_fen = fields.Integer()
    created_at = fields.DateTime()


class HouseholdIncomeSchema(Schema):
    household_id = fields.Integer()
    year = fields.Integer()
    total_fen = fields.Integer()
    operating_fen = fields.Integer()
    asset_fen = fields.Integer()
    months = fields.List(fields.Nested(IncomeMonthSchema))
    postings = fields.List(fields.Nested(IncomePostingSchema))
