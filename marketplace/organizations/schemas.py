from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates

from marketplace.core.body import StrictBoolean
from marketplace.core.http import PageQuerySchema
from marketplace.core.money import fen_field
from marketplace.core.text import Name
from marketplace.organizations.models import KINDS, STATUSES
from marketplace.organizations.uscc import normalize_uscc, validate_uscc

Phone = validate.Regexp(r"^[0-9+\- ]{5,32}$", error="not a phone number")


class ManagerSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(min=8, max=128))
    name = Name(required=True, validate=validate.Length(min=1, max=100))


class OrganizationCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    name = Name(required=True, validate=validate.Length(min=1, max=200))
    uscc = fields.String(required=True)
    region_code = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{6}([0-9]{3}([0-9]{3})?)?$"))
    contact_name = Name(required=True, validate=validate.Length(min=1, max=100))
    contact_phone = fields.String(required=True, validate=Phone)
    manager = fields.Nested(ManagerSchema, required=True)

    @pre_load
    def normalise_uscc(self, data, **kwargs):
        """Entered codes vary in case and spacing; store one form so uniqueness holds."""
        if isinstance(data, dict) and isinstance(data.get("uscc"), str):
            data = dict(data, uscc=normalize_uscc(data["uscc"]))
        return data

    @validates("uscc")
    def check_uscc(self, value, **kwargs):
        if not validate_uscc(value):
            raise ValidationError("not a valid unified social credit code (GB 32100 check character)")


class OrganizationUpdateSchema(Schema):
    contact_name = Name(validate=validate.Length(min=1, max=100))
    contact_phone = fields.String(validate=Phone)
    approval_threshold_fen = fen_field(allow_none=True)
    #: admins only (a buyer's bank-transfer orders may be fulfilled before payment); JSON true/false only
    pay_after_delivery = StrictBoolean()


class OrganizationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(KINDS)})
    name = fields.String()
    uscc = fields.String()
    region_code = fields.String()
    contact_name = fields.String()
    contact_phone = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    approval_threshold_fen = fields.Integer(allow_none=True)
    pay_after_delivery = fields.Boolean()
    created_at = fields.DateTime()


class OrganizationQuerySchema(PageQuerySchema):
    kind = fields.String(validate=validate.OneOf(KINDS))
    status = fields.String(validate=validate.OneOf(STATUSES))
    region = fields.String(validate=validate.Regexp(r"^[0-9]{2,12}$"))


class TargetSchema(Schema):
    target_fen = fen_field(required=True)


class TargetOutSchema(Schema):
    organization_id = fields.Integer()
    year = fields.Integer()
    target_fen = fields.Integer()
