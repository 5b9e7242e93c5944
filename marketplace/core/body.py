"""JSON bodies: a documented (required) JSON body that is absent, or sent without a JSON
content type, is a 400, not silently an empty object (which made ``PATCH`` with no body a
200 no-op while the OpenAPI document says the body is required)."""
from flask_smorest.arguments import ArgumentsMixin
from webargs.core import missing
from webargs.flaskparser import FlaskParser

from marketplace.core.errors import BadRequest


class JsonBodyParser(FlaskParser):
    def load_json(self, req, schema):
        data = super().load_json(req, schema)
        if data is missing:
            raise BadRequest("a JSON body is required (Content-Type: application/json)")
        return data


def install_json_body_parser():
    """Every ``@bp.arguments(...)`` declared after this uses the strict parser (call before any api import)."""
    ArgumentsMixin.ARGUMENTS_PARSER = JsonBodyParser()
