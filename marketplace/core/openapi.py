"""The OpenAPI document as a contract: error responses, headers and per-operation error declarations.

- ``ContractApi``: flask-smorest's ``Api`` whose error responses (one component per status) are
  ``application/problem+json``; a 401 documents its ``WWW-Authenticate`` header.
- ``declare_errors(*statuses)``: the one helper declaring the error statuses an operation answers
  (a reference to the status's component response). The project Blueprint declares 404 for a
  path with a parameter and 409 for a write (the commit's conflict); ``require_roles`` declares 401/403.
- ``LOCATION_HEADER`` / ``CACHE_HEADERS``: response headers of the contract.
"""
import http
from copy import deepcopy

from flask_smorest import Api
from flask_smorest.utils import prepare_response

PROBLEM_MIMETYPE = "application/problem+json"
WWW_AUTHENTICATE = {"description": "The challenge: Bearer", "schema": {"type": "string"}}
LOCATION_HEADER = {"Location": {"description": "URL of the created resource", "schema": {"type": "string"}}}
CACHE_HEADERS = {
    "ETag": {"description": "weak validator of the body; send it back in If-None-Match", "schema": {"type": "string"}},
    "Cache-Control": {"description": "public, max-age in seconds", "schema": {"type": "string"}},
}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}


class ContractApi(Api):
    """``Api`` documenting every error response as problem+json (RFC 9457)."""

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            if status == 401:
                response["headers"] = {"WWW-Authenticate": WWW_AUTHENTICATE}
            if status in (429, 503):
                response["headers"] = RETRY_AFTER
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def declare_errors(*statuses):
    """Decorator: the operation may answer these error statuses (problem+json bodies).

    Stored with the view's doc; the project Blueprint turns them into responses at registration,
    leaving a status the view documents itself (``alt_response``) as it is.
    """

    def decorator(fn):
        fn._apidoc = deepcopy(getattr(fn, "_apidoc", {}))
        fn._apidoc.setdefault("contract_errors", []).extend(int(status) for status in statuses)
        return fn

    return decorator


WRITE_METHODS = {"post", "put", "patch", "delete"}


def complete_operation(doc, *, method, rule, operation_id):
    """An operation's doc as the contract wants it: its operationId and its error responses."""
    manual = doc.setdefault("manual_doc", {})
    manual.setdefault("operationId", operation_id)
    statuses = set(doc.get("contract_errors", ()))
    if "<" in rule:
        statuses.add(404)
    if method in WRITE_METHODS:
        statuses.add(409)
    documented = {str(code) for code in doc.get("response", {}).get("responses", {})}
    documented |= {str(code) for code in manual.get("responses", {})}
    for status in sorted(statuses):
        if str(status) not in documented:
            manual.setdefault("responses", {})[str(status)] = http.HTTPStatus(status).name
