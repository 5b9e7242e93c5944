"""Public, cacheable GETs: a weak ETag, ``Cache-Control: public, max-age``, 304 on ``If-None-Match``.

Only for an anonymous caller: a signed-in one may see more (a supplier its drafts), so what it
gets stays ``no-store`` (the default of every answer).
"""
import hashlib
from functools import wraps

from flask import current_app, request

from marketplace.core.openapi import CACHE_HEADERS

DEFAULT_MAX_AGE = 300


def etag_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:40]


def make_cacheable(response, max_age=DEFAULT_MAX_AGE):
    """``response`` (a 200 JSON) with its weak ETag and Cache-Control; a 304 if the client holds it."""
    if response.status_code != 200 or request.headers.get("Authorization"):
        return response
    etag = etag_of(response.get_data())
    if request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
    response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.vary.add("Authorization")
    return response


def public_cache(bp, max_age=DEFAULT_MAX_AGE):
    """View decorator (under ``@bp.get``, above ``@bp.response``): cacheable for anonymous callers,
    with its ETag/Cache-Control headers and 304 in the document."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            return make_cacheable(current_app.make_response(view(*args, **kwargs)), max_age)

        documented = bp.doc(responses={200: {"headers": CACHE_HEADERS}})(wrapper)
        return bp.alt_response(304, description="Not Modified: the If-None-Match ETag is current")(documented)

    return decorator
