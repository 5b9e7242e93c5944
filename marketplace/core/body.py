"""JSON bodies: a documented (required) JSON body that is absent, or sent without a JSON
content type, is a 400, not silently an empty object (which made ``PATCH`` with no body a
200 no-op while the OpenAPI document says the body is required)."""
from marshmallow import fields
from webargs.core import missing
from webargs.flaskparser import FlaskParser

from marketplace.core.errors import BadRequest


class JsonBodyParser(FlaskParser):
    """The parser of ``core.blueprint.Blueprint`` (its ``ARGUMENTS_PARSER``)."""

    def load_json(self, req, schema):
        data = super().load_json(req, schema)
        if data is missing:
            raise BadRequest("a JSON body is required (Content-Type: application/json)")
        return data


class StrictBoolean(fields.Boolean):
    """JSON ``true``/``false`` only: marshmallow's Boolean also takes 0, 1, "yes", "on"... (and a
    ``truthy={True}`` set does not help, since ``0 == False``)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value
