from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from marketplace.certification.models import STATUSES
from marketplace.core.http import PageQuerySchema


class CertificationCreateSchema(Schema):
    evidence_urls = fields.List(fields.Url(schemes={"http", "https"}, validate=validate.Length(max=500)),
                                required=True, validate=validate.Length(min=1, max=10))
    benefit_description = fields.String(required=True, validate=validate.Length(min=10, max=2000))


class CertificationApproveSchema(Schema):
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True)
    certificate_no = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9-]{4,40}$",
                                                            error="4-40 letters, digits or hyphens"))

    @validates_schema
    def check_window(self, data, **kwargs):
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            raise ValidationError("must not be before valid_from", "valid_until")


class CertificationReasonSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class CertificationSchema(Schema):
    id = fields.Integer()
    product_id = fields.Integer()
    product_name = fields.Function(lambda c: c.product.name, metadata={"type": "string"})
    supplier_id = fields.Function(lambda c: c.product.supplier_id, metadata={"type": "integer"})
    origin_region_code = fields.Function(lambda c: c.product.origin_region_code, metadata={"type": "string"})
    status = fields.String(metadata={"enum": list(STATUSES)})
    evidence_urls = fields.List(fields.String())
    benefit_description = fields.String()
    certificate_no = fields.String(allow_none=True)
    valid_from = fields.Date(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    reason = fields.String(allow_none=True)
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class CertificationQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    region = fields.String(validate=validate.Regexp(r"^[0-9]{2,12}$"))
    product_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
