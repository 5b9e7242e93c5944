"""Catalog schemas. Input schemas list only what a caller may set: unknown fields
(``status``, ``supplier_id``, ``stock`` on PATCH...) are rejected with 422."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from marketplace.catalog.models import CATEGORIES, PRODUCT_STATUSES
from marketplace.core.body import StrictBoolean
from marketplace.core.http import ModelSchema, PageQuerySchema
from marketplace.core.money import fen_field
from marketplace.core.text import Name

MAX_STOCK = 10**9
MAX_MIN_ORDER_QTY = 10**6
BP_TOTAL = 10000
SORTS = ("price", "-price", "newest", "sales")

RegionCode = validate.Regexp(r"^([0-9]{6}|[0-9]{12})$", error="a county (6 digits) or village (12 digits) code")
ImageUrl = fields.Url(schemes={"http", "https"}, validate=validate.Length(max=500))


def _bp(**kw):
    return fields.Integer(strict=True, required=True, validate=validate.Range(min=0, max=BP_TOTAL), **kw)


class CategorySchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()


class ProductCreateSchema(Schema):
    name = Name(required=True, validate=validate.Length(min=1, max=200))
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    origin_region_code = fields.String(required=True, validate=RegionCode)
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    images = fields.List(ImageUrl, load_default=list, validate=validate.Length(max=10))
    shelf_life_days = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=3650))
    storage = fields.String(load_default="", validate=validate.Length(max=500))


class ProductUpdateSchema(Schema):
    name = Name(validate=validate.Length(min=1, max=200))
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    origin_region_code = fields.String(validate=RegionCode)
    description = fields.String(validate=validate.Length(max=5000))
    images = fields.List(ImageUrl, validate=validate.Length(max=10))
    shelf_life_days = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=3650))
    storage = fields.String(validate=validate.Length(max=500))


class SkuCreateSchema(Schema):
    name = Name(required=True, validate=validate.Length(min=1, max=100))
    unit = fields.String(required=True, validate=validate.Length(min=1, max=20))
    price_fen = fen_field(min_fen=1, required=True)
    stock = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0, max=MAX_STOCK))
    min_order_qty = fields.Integer(strict=True, load_default=1, validate=validate.Range(min=1, max=MAX_MIN_ORDER_QTY))


class SkuUpdateSchema(Schema):
    """No ``stock``: stock changes only through stock adjustments and orders."""

    name = Name(validate=validate.Length(min=1, max=100))
    unit = fields.String(validate=validate.Length(min=1, max=20))
    price_fen = fen_field(min_fen=1)
    min_order_qty = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_MIN_ORDER_QTY))
    is_active = StrictBoolean()  # JSON true/false only


class SkuSchema(ModelSchema):
    id = fields.Integer()
    product_id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    price_fen = fields.Integer()
    stock = fields.Integer()
    min_order_qty = fields.Integer()
    is_active = fields.Boolean()


class StockAdjustmentCreateSchema(Schema):
    delta = fields.Integer(strict=True, required=True,
                           validate=[validate.Range(min=-MAX_STOCK, max=MAX_STOCK),
                                     validate.NoneOf([0], error="must not be zero")])
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class StockAdjustmentSchema(Schema):
    id = fields.Integer()
    sku_id = fields.Integer()
    delta = fields.Integer()
    reason = fields.String()
    stock_after = fields.Integer()
    actor_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class CertificationSummarySchema(Schema):
    id = fields.Integer()
    certificate_no = fields.String(allow_none=True)
    valid_from = fields.Date(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    status = fields.String()


class RegionStepSchema(Schema):
    code = fields.String()
    name = fields.String()
    level = fields.String()


class ProductSchema(ModelSchema):
    id = fields.Integer()
    supplier_id = fields.Integer()
    supplier_name = fields.Function(lambda p: p.supplier.name if p.supplier else None, allow_none=True,
                                    metadata={"type": "string"})
    name = fields.String()
    category = fields.String(metadata={"enum": list(CATEGORIES)})
    origin_region_code = fields.String()
    description = fields.String()
    images = fields.List(fields.String())
    shelf_life_days = fields.Integer(allow_none=True)
    storage = fields.String()
    status = fields.String(metadata={"enum": list(PRODUCT_STATUSES)})
    sales_count = fields.Integer()
    created_at = fields.DateTime()
    #: Lowest price over active SKUs (what sort=price orders by); null without SKUs.
    min_price_fen = fields.Function(lambda p: min((s.price_fen for s in p.skus if s.is_active), default=None),
                                    allow_none=True, metadata={"type": "integer", "minimum": 0})
    in_stock = fields.Function(lambda p: any(s.is_active and s.stock > 0 for s in p.skus), metadata={"type": "boolean"})
    skus = fields.List(fields.Nested(SkuSchema))


class ProductDetailSchema(ProductSchema):
    orderable = fields.Boolean()
    certification = fields.Nested(CertificationSummarySchema, allow_none=True)
    origin_region_path = fields.List(fields.Nested(RegionStepSchema))


class ProductQuerySchema(PageQuerySchema):
    q = fields.String(validate=validate.Length(min=1, max=50))
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    region = fields.String(validate=validate.Regexp(r"^[0-9]{2,12}$"))
    supplier_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    min_price_fen = fen_field(strict=False)
    max_price_fen = fen_field(strict=False)
    in_stock = fields.Boolean()
    sort = fields.String(load_default="newest", validate=validate.OneOf(SORTS))
    #: Suppliers (own products) and admins/auditors (their scope) may list beyond orderable ones.
    include_unorderable = fields.Boolean(load_default=False)
    status = fields.String(validate=validate.OneOf(PRODUCT_STATUSES))

    @validates_schema
    def check_price_range(self, data, **kwargs):
        low, high = data.get("min_price_fen"), data.get("max_price_fen")
        if low is not None and high is not None and low > high:
            raise ValidationError("must not be below min_price_fen", "max_price_fen")


class ProductSchemeCreateSchema(Schema):
    households_by_supply_bp = _bp()
    households_by_shares_bp = _bp()
    collective_bp = _bp()
    supplier_bp = _bp()
    supply_lookback_days = fields.Integer(strict=True, load_default=365, validate=validate.Range(min=1, max=730))

    @validates_schema
    def check_sum(self, data, **kwargs):
        keys = ("households_by_supply_bp", "households_by_shares_bp", "collective_bp", "supplier_bp")
        if all(k in data for k in keys) and sum(data[k] for k in keys) != BP_TOTAL:
            raise ValidationError(f"the four shares must sum to {BP_TOTAL} basis points")


class ProductSchemeSchema(Schema):
    id = fields.Integer(allow_none=True)
    product_id = fields.Integer(allow_none=True)
    supplier_id = fields.Integer(allow_none=True)
    version = fields.Integer()
    households_by_supply_bp = fields.Integer()
    households_by_shares_bp = fields.Integer()
    collective_bp = fields.Integer()
    supplier_bp = fields.Integer()
    supply_lookback_days = fields.Integer()
    #: product | supplier_default | builtin
    source = fields.String()
    created_at = fields.DateTime(allow_none=True)


class ProductSchemeHistorySchema(Schema):
    current = fields.Nested(ProductSchemeSchema)
    versions = fields.List(fields.Nested(ProductSchemeSchema))
