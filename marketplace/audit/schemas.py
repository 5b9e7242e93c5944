from marshmallow import Schema, fields, validate

from marketplace.core.http import PageQuerySchema


class AuditEventSchema(Schema):
    id = fields.Integer()
    actor_id = fields.Integer(allow_none=True)
    action = fields.String()
    entity_type = fields.String()
    entity_id = fields.String()
    region_code = fields.String()
    before = fields.Raw(allow_none=True, metadata={"type": "object"})
    after = fields.Raw(allow_none=True, metadata={"type": "object"})
    request_id = fields.String(allow_none=True)
    created_at = fields.DateTime()


class AuditQuerySchema(PageQuerySchema):
    entity_type = fields.String(validate=validate.Length(max=40))
    entity_id = fields.String(validate=validate.Length(max=40))
    actor_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))  # users.id is a PostgreSQL integer
    action = fields.String(validate=validate.Length(max=64))
    from_ = fields.Date(data_key="from")
    to = fields.Date()
