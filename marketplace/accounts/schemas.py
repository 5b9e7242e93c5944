from marshmallow import Schema, fields, validate

from marketplace.core.auth import ROLES
from marketplace.core.text import Name
from marketplace.geography.codes import SCOPE_PATTERN

Email = fields.Email
Password = validate.Length(min=8, max=128)


class TokenRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))


class RefreshRequestSchema(Schema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenPairSchema(Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True)


class OrganizationBriefSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    status = fields.String()
    region_code = fields.String()


class UserSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String(metadata={"enum": list(ROLES)})
    organization = fields.Nested(OrganizationBriefSchema, allow_none=True)
    region_scope = fields.String()
    is_active = fields.Boolean()


class UserCreateSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=Password)
    name = Name(required=True, validate=validate.Length(min=1, max=100))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    organization_id = fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1), allow_none=True)
    region_scope = fields.String(validate=validate.Regexp(SCOPE_PATTERN))


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=128))
    new_password = fields.String(required=True, validate=Password)


class PasswordResetSchema(Schema):
    reset_token = fields.String(required=True, validate=validate.Length(min=1, max=500))
    new_password = fields.String(required=True, validate=Password)


class ResetTokenSchema(Schema):
    reset_token = fields.String(required=True)
    expires_in = fields.Integer(required=True)
