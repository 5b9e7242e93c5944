from marshmallow import Schema, fields, validate

from marketplace.core.body import StrictBoolean
from marketplace.core.http import PageQuerySchema
from marketplace.core.text import Name
from marketplace.geography.models import LEVELS

RegionCode = fields.String


class RegionSchema(Schema):
    code = fields.String()
    name = fields.String()
    level = fields.String(metadata={"enum": list(LEVELS)})
    parent_code = fields.String(allow_none=True)
    poverty_county = fields.Boolean()
    poverty_village = fields.Boolean()
    lifted_year = fields.Integer(allow_none=True)


class RegionDetailSchema(RegionSchema):
    ancestors = fields.List(fields.Nested(RegionSchema))


class RegionQuerySchema(PageQuerySchema):
    parent = fields.String(validate=validate.Regexp(r"^[0-9]{2,12}$"))
    level = fields.String(validate=validate.OneOf(LEVELS))
    q = fields.String(validate=validate.Length(min=1, max=50))
    page_size = fields.Integer(load_default=100, validate=validate.Range(min=1, max=100))


class VillageCreateSchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{12}$", error="must be 12 digits"))
    name = Name(required=True, validate=validate.Length(min=1, max=100))
    parent_code = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{9}$", error="must be 9 digits"))
    poverty_village = StrictBoolean(load_default=False)


class RegionFlagsSchema(Schema):
    # JSON true/false only: 0, 1, "yes" are wrong types (422), as for strict integers.
    poverty_county = StrictBoolean()
    poverty_village = StrictBoolean()
    lifted_year = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1978, max=2100))
