"""Household schemas. No message here ever contains the value it rejects (names and ID numbers are PII)."""
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from marketplace.core.http import PageQuerySchema
from marketplace.core.money import fen_field
from marketplace.households.id_numbers import normalize_id_number, validate_id_number
from marketplace.households.models import MAX_MEMBERS, MIN_MEMBERS, STATUSES

MAX_QUANTITY = 10**9
MAX_SHARES = 10**9


class IdNumber(fields.String):
    """A GB 11643 ID number, normalised (strip, upper-case ``x``) before the check."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        value = normalize_id_number(value)
        if not validate_id_number(value):
            raise ValidationError("not a valid ID number (18 characters, GB 11643 check digit, real birth date)")
        return value


class HeadName(fields.String):
    """A personal name, stripped; 1..50 printable characters."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Length(min=1, max=50), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip()
        if not value.isprintable():
            raise ValidationError("must not contain control characters")
        return value


VillageCode = validate.Regexp(r"^[0-9]{12}$", error="a village code is 12 digits")
RegistryNo = validate.Regexp(r"^[0-9A-Za-z-]{1,40}$", error="1 to 40 letters, digits or '-'")


def members_field(**kwargs):
    return fields.Integer(strict=True, validate=validate.Range(min=MIN_MEMBERS, max=MAX_MEMBERS), **kwargs)


def lifted_year_field(**kwargs):
    return fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1978, max=2100), **kwargs)


def baseline_field(**kwargs):
    return fen_field(allow_none=True, **kwargs)


class _LiftedYearCheck:
    @validates("lifted_year")
    def check_lifted_year(self, value, **kwargs):
        if value is not None and value > date.today().year:
            raise ValidationError("must not be in the future")


class HouseholdCreateSchema(_LiftedYearCheck, Schema):
    village_code = fields.String(required=True, validate=VillageCode)
    head_name = HeadName(required=True)
    id_number = IdNumber(required=True)
    registry_no = fields.String(required=True, validate=RegistryNo)
    members = members_field(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    lifted_year = lifted_year_field(load_default=None)
    baseline_income_per_capita_fen = baseline_field(load_default=None)


class HouseholdUpdateSchema(_LiftedYearCheck, Schema):
    """The ID number and village are immutable: sending them is an unknown-field 422."""

    head_name = HeadName()
    registry_no = fields.String(validate=RegistryNo)
    members = members_field()
    status = fields.String(validate=validate.OneOf(STATUSES))
    lifted_year = lifted_year_field()
    baseline_income_per_capita_fen = baseline_field()


class HouseholdSchema(Schema):
    """``id_number`` is always masked; ``head_name`` is masked except for admins inside their scope;
    ``registry_no`` is shown to staff only."""

    id = fields.Integer()
    village_code = fields.String()
    head_name = fields.String()
    id_number = fields.String(metadata={"description": "always masked: 5134**********1234"})
    registry_no = fields.String()
    members = fields.Integer()
    status = fields.String()
    lifted_year = fields.Integer(allow_none=True)
    baseline_income_per_capita_fen = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class HouseholdQuerySchema(PageQuerySchema):
    village = fields.String(validate=validate.Regexp(r"^[0-9]{2,12}$", error="a region code prefix of 2-12 digits"))
    status = fields.String(validate=validate.OneOf(STATUSES))
    q = fields.String(validate=validate.Length(min=1, max=50),
                      metadata={"description": "registry number (exact) or masked name prefix"})


class MaskedHouseholdSchema(Schema):
    id = fields.Integer()
    village_code = fields.String()
    head_name = fields.String(metadata={"description": "masked"})
    id_number = fields.String(metadata={"description": "masked"})
    members = fields.Integer()


class MembershipCreateSchema(Schema):
    household_id = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=2**31 - 1))
    shares = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=MAX_SHARES))


class MembershipSchema(Schema):
    organization_id = fields.Integer()
    household_id = fields.Integer()
    shares = fields.Integer()
    created_at = fields.DateTime()
    household = fields.Nested(MaskedHouseholdSchema)


class SupplyRecordCreateSchema(Schema):
    household_id = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=2**31 - 1))
    product_id = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=2**31 - 1))
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=MAX_QUANTITY),
                              metadata={"description": "whole units of `unit`"})
    unit = fields.String(required=True, validate=validate.Length(min=1, max=20))
    amount_paid_fen = fen_field(required=True)
    supplied_on = fields.Date(required=True)

    @validates("supplied_on")
    def check_supplied_on(self, value, **kwargs):
        if value > date.today():
            raise ValidationError("must not be in the future")
        if value < date(2000, 1, 1):
            raise ValidationError("must be on or after 2000-01-01")

    @validates_schema
    def check_unit(self, data, **kwargs):
        if "unit" in data and not data["unit"].strip():
            raise ValidationError("must not be blank", "unit")


class SupplyRecordSchema(Schema):
    id = fields.Integer()
    organization_id = fields.Integer()
    household_id = fields.Integer()
    product_id = fields.Integer()
    quantity = fields.Integer()
    unit = fields.String()
    amount_paid_fen = fields.Integer()
    supplied_on = fields.Date()
    created_at = fields.DateTime()
    household = fields.Nested(MaskedHouseholdSchema)


class SupplyRecordQuerySchema(PageQuerySchema):
    household_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    product_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    from_ = fields.Date(data_key="from")
    to = fields.Date()
