"""Text inputs: what a string may hold, decided once for every route.

- Every string of a JSON body, a query string or a path (``reject_control_characters``, run by
  ``core.body.JsonBodyParser`` and a ``before_request`` hook): no NUL nor other control character
  (tab, newline and carriage return excepted), no lone surrogate; else 422 naming the field.
  PostgreSQL refuses NUL in text, so without this such an input was a 500.
- Names (``Name``): NFKC-normalized and trimmed (a full-width letter is the letter a user meant),
  no control character at all, no bidirectional embedding, override or isolate (U+202A-202E,
  U+2066-2069), which can make a name display as another.
- Codes and digit patterns are ASCII (``[0-9]``, never ``\\d``, which matches any Unicode digit).
"""
import re
import unicodedata

from flask import request
from marshmallow import ValidationError, fields

from marketplace.core.errors import Unprocessable

#: C0 controls except tab/newline/carriage return, DEL, C1 controls, lone surrogates.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
#: In a name: every control character and the bidirectional formatting characters.
NAME_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
CONTROL_MESSAGE = "must not contain control characters"
NAME_MESSAGE = "must not contain control or bidirectional formatting characters"


def control_character_errors(data, prefix=""):
    """``{dotted field name: [message]}`` for every string (key or value) holding a control character."""
    errors = {}
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}{key}"
            if isinstance(key, str) and CONTROL.search(key):
                errors[prefix + CONTROL.sub("?", key)] = [CONTROL_MESSAGE]
            else:
                errors.update(control_character_errors(value, name + "."))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            errors.update(control_character_errors(value, f"{prefix}{index}."))
    elif isinstance(data, str) and CONTROL.search(data):
        errors[prefix[:-1] or "_schema"] = [CONTROL_MESSAGE]
    return errors


def reject_control_characters(data):
    """Raise a 422 naming each field whose string holds a control character."""
    errors = control_character_errors(data)
    if errors:
        raise Unprocessable("invalid fields: " + ", ".join(sorted(errors)), errors=errors)


def register_input_guard(app):
    """Query strings and path parameters of every route, parsed by a schema or not."""

    @app.before_request
    def reject_control_characters_in_url():
        reject_control_characters(request.args.to_dict(flat=False))
        reject_control_characters(request.view_args or {})


class Name(fields.String):
    """A name a person reads: NFKC, trimmed, no control nor bidirectional formatting character."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = unicodedata.normalize("NFKC", super()._deserialize(value, attr, data, **kwargs)).strip()
        if NAME_FORBIDDEN.search(value):
            raise ValidationError(NAME_MESSAGE)
        return value
