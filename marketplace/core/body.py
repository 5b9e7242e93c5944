"""JSON bodies: a documented (required) JSON body that is absent, or sent without a JSON
content type, is a 400, not silently an empty object (which made ``PATCH`` with no body a
200 no-op while the OpenAPI document says the body is required).

The body is parsed here, not by Flask: an integer literal longer than ``MAX_INTEGER_DIGITS``
characters or nesting deeper than ``MAX_DEPTH`` is a 400 (thousands of digits cost quadratic
time to convert and overflow every column; deep nesting overflowed the parser's recursion:
both were 500s), and every string of the body is checked by ``core.text``.
"""
import json

from marshmallow import fields
from webargs.core import missing
from webargs.flaskparser import FlaskParser, is_json_request

from marketplace.core.errors import BadRequest
from marketplace.core.text import reject_control_characters

MAX_DEPTH = 32
MAX_INTEGER_DIGITS = 40


def _parse_int(literal):
    if len(literal) > MAX_INTEGER_DIGITS:
        raise BadRequest(f"a JSON integer has more than {MAX_INTEGER_DIGITS} digits")
    return int(literal)


def _depth(data):
    """Nesting depth of parsed JSON, without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def parse_json_body(raw):
    """Decoded JSON of ``raw`` (bytes), within the integer and depth limits, else 400."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8") from None
    try:
        data = json.loads(text, parse_int=_parse_int)
    except RecursionError:
        raise BadRequest(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    if _depth(data) > MAX_DEPTH:
        raise BadRequest(f"JSON nested deeper than {MAX_DEPTH} levels")
    return data


class JsonBodyParser(FlaskParser):
    """The parser of ``core.blueprint.Blueprint`` (its ``ARGUMENTS_PARSER``)."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return missing
        return parse_json_body(req.get_data(cache=True))

    def load_json(self, req, schema):
        data = super().load_json(req, schema)
        if data is missing:
            raise BadRequest("a JSON body is required (Content-Type: application/json)")
        reject_control_characters(data)
        return data


class StrictBoolean(fields.Boolean):
    """JSON ``true``/``false`` only: marshmallow's Boolean also takes 0, 1, "yes", "on"... (and a
    ``truthy={True}`` set does not help, since ``0 == False``)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value
