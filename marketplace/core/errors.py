"""The contract's error body, produced here for every error source.

Body: {"status", "title", "detail", "errors"?} plus domain extras such as
``current_state`` (409 on a wrong transition) or ``sku_id``/``available``, served as
``application/problem+json`` (RFC 9457); a 401 also says ``WWW-Authenticate: Bearer``.
"""
import traceback

import structlog
from flask import jsonify
from marshmallow import INCLUDE, Schema, ValidationError, fields
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

log = structlog.get_logger("marketplace.errors")
PROBLEM_MIMETYPE = "application/problem+json"


class ErrorSchema(Schema):
    class Meta:
        unknown = INCLUDE  # domain errors add fields (sku_id, available, fulfilment_states...)

    status = fields.Integer(required=True)
    title = fields.String(required=True)
    detail = fields.String()
    errors = fields.Dict()
    current_state = fields.String()


class ApiError(Exception):
    status = 500
    title = None

    def __init__(self, detail=None, errors=None, **extra):
        super().__init__(detail)
        self.detail = detail
        self.errors = flatten_field_errors(errors) if isinstance(errors, dict) else errors
        self.extra = extra

    def body(self):
        body = {"status": self.status, "title": self.title or HTTP_STATUS_CODES.get(self.status, "Error")}
        if self.detail:
            body["detail"] = self.detail
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class Unprocessable(ApiError):
    status = 422


class TooManyRequests(ApiError):
    status = 429


class ServiceUnavailable(ApiError):
    status = 503


class InvalidTransition(Conflict):
    """A state machine refused a transition; the body carries the current state."""

    def __init__(self, entity, current_state, action):
        super().__init__(f"cannot {action} a {entity} in state {current_state}", current_state=current_state)


def field_error(field, message, status=422):
    """A validation error naming one field."""
    cls = Unprocessable if status == 422 else BadRequest
    return cls(f"{field}: {message}", errors={field: [message]})


def flatten_field_errors(messages, prefix=""):
    """The one naming of field errors: nested messages become dotted names, one level.

    ``{"lines": {1: {"quantity": [..]}}}`` → ``{"lines.1.quantity": [..]}``; a nested schema's own
    error (``{"delivery": {"_schema": [..]}}``) is named after the field (``delivery``).
    """
    flat = {}
    for key, value in messages.items():
        name = f"{prefix}{key}" if key != "_schema" or not prefix else prefix[:-1]
        if isinstance(value, dict):
            flat.update(flatten_field_errors(value, name + "."))
        else:
            flat.setdefault(name, []).extend(value if isinstance(value, list) else [value])
    return flat


def _flatten(messages):
    """webargs nests messages by location ({"json": {...}}); the contract does not, nor nests fields."""
    locations = {"json", "query", "headers", "form", "view_args", "path", "files"}
    if isinstance(messages, dict) and set(messages) <= locations:
        flat = {}
        for value in messages.values():
            if isinstance(value, dict):
                flat.update(value)
            else:
                flat.setdefault("_schema", []).extend(value if isinstance(value, list) else [value])
        messages = flat
    return flatten_field_errors(messages) if isinstance(messages, dict) else messages


def _problem(status, detail=None, errors=None, headers=None, **extra):
    body = {"status": status, "title": HTTP_STATUS_CODES.get(status, "Error")}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    return problem_response(body, headers)


def problem_response(body, headers=None):
    """The one way an error body is sent: problem+json, its status, Bearer challenge on a 401."""
    response = jsonify(body)
    response.status_code = body["status"]
    response.mimetype = PROBLEM_MIMETYPE
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="marketplace"'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _validation_detail(errors):
    if isinstance(errors, dict) and errors:
        return "invalid fields: " + ", ".join(sorted(str(k) for k in errors))
    return "invalid input"


def register_error_handlers(app):
    @app.errorhandler(ApiError)
    def handle_api_error(exc):
        return problem_response(exc.body())

    @app.errorhandler(ValidationError)
    def handle_validation_error(exc):
        errors = _flatten(exc.messages)
        return _problem(422, _validation_detail(errors), errors if isinstance(errors, dict) else {"_schema": errors})

    @app.errorhandler(HTTPException)
    def handle_http_exception(exc):
        data = getattr(exc, "data", None) or {}
        messages = data.get("messages")
        headers = dict(exc.get_headers()) if exc.code == 405 else {}
        headers.pop("Content-Type", None)
        if exc.code == 429:
            retry = getattr(getattr(exc, "limit", None), "limit", None)
            headers["Retry-After"] = str(retry.get_expiry()) if retry else "60"
        if messages:
            errors = _flatten(messages)
            field_level = isinstance(errors, dict) and "_schema" not in errors
            status = 422 if exc.code in (400, 422) and field_level else exc.code
            return _problem(status, _validation_detail(errors), errors, headers)
        detail = exc.description if exc.code != 500 else None
        return _problem(exc.code or 500, detail, headers=headers)

    @app.errorhandler(Exception)
    def handle_unexpected(exc):
        # The message is left out on purpose: driver errors echo SQL parameters (personal data).
        log.error("unhandled_exception", error_type=type(exc).__name__,
                  where=traceback.format_tb(exc.__traceback__)[-3:])
        return _problem(500, "an unexpected error occurred; it has been logged")
