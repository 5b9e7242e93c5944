"""CORS for a JSON API: closed unless the origin is listed in ``CORS_ORIGINS``.

An allowed origin gets ``Access-Control-Allow-Origin`` (echoed, never ``*``: the API
takes bearer tokens) and ``Vary: Origin``; an OPTIONS preflight from it is answered
with 204 and the allowed methods and headers. Any other origin gets no CORS header,
so the browser refuses to hand the response to the page.
"""
from flask import request

ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, If-None-Match, X-Request-ID"
EXPOSED_HEADERS = "X-Request-ID, ETag, Retry-After, Content-Disposition"
MAX_AGE_SECONDS = "600"


def _allowed(app, origin):
    allowed = app.config.get("CORS_ORIGINS") or []
    return bool(origin) and ("*" in allowed or origin in allowed)


def register_cors(app):
    @app.before_request
    def answer_preflight():
        if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
            return None
        if request.url_rule is None:
            return None  # an unknown path stays a 404
        if not _allowed(app, request.headers.get("Origin")):
            return None  # Flask's default OPTIONS answer, without CORS headers
        response = app.response_class(status=204)
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = MAX_AGE_SECONDS
        return response

    @app.after_request
    def cors_headers(response):
        origin = request.headers.get("Origin")
        response.vary.add("Origin")
        if _allowed(app, origin):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return response
