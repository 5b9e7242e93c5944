"""The public disclosure body: aggregates for any region, masked per-household amounts for a village."""
from marshmallow import Schema, fields, validate

from marketplace.reports.schemas import BeneficiaryFiguresSchema


class DisclosureQuerySchema(Schema):
    year = fields.Integer(strict=False, validate=validate.Range(min=2000, max=2100),
                          metadata={"description": "calendar year (Asia/Shanghai); default this year"})


class DisclosureRegionSchema(Schema):
    code = fields.String()
    name = fields.String()
    level = fields.String()


class DisclosureSalesSchema(Schema):
    orders = fields.Integer()
    quantity = fields.Integer()
    gross_fen = fields.Integer()
    refunded_fen = fields.Integer()
    net_fen = fields.Integer()


class DisclosedHouseholdSchema(Schema):
    """Masked name and amounts only: no id, no ID number."""

    head_name_masked = fields.String()
    members = fields.Integer()
    income_fen = fields.Integer()
    operating_fen = fields.Integer()
    asset_fen = fields.Integer()


class DisclosureSchema(BeneficiaryFiguresSchema):
    region = fields.Nested(DisclosureRegionSchema)
    year = fields.Integer()
    sales = fields.Nested(DisclosureSalesSchema, metadata={
        "description": "paid sales in the year of products originating in the region"})
    households = fields.List(fields.Nested(DisclosedHouseholdSchema), allow_none=True, metadata={
        "description": "villages only (null above village level): benefited households, largest first"})
