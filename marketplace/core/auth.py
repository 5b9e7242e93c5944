"""Who is calling: bearer-token authentication and role checks (region scope: ``core.scope``).

The token lookup itself lives in ``accounts`` and is plugged in with
``set_user_loader`` so that ``core`` imports no domain.
"""
from functools import wraps

from flask import request
from flask_smorest import Blueprint

from marketplace.core.errors import Forbidden, Unauthorized
from marketplace.core.openapi import declare_errors
from marketplace.core.roles import BUYER_ROLES, ROLES, STAFF_ROLES, SUPPLIER_ROLES, Role  # noqa: F401 (re-exported)

_loader = {"fn": None}
BEARER_SECURITY = [{"bearerAuth": []}]
document_security = Blueprint.doc(security=BEARER_SECURITY)
#: A route that answers anonymous callers too, and more to a signed-in one (a bad token is still 401).
document_optional_security = Blueprint.doc(security=[{}, *BEARER_SECURITY])


def set_user_loader(fn):
    """fn(raw_token) -> (user, token_row) or None."""
    _loader["fn"] = fn


def _bearer_token():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def optional_user():
    """The authenticated user, or None for an anonymous caller (a bad token is still 401)."""
    # Cached on the request, not on g: an app context can outlive one request.
    cache = request.environ
    if "marketplace.user" in cache:
        return cache["marketplace.user"]
    raw = _bearer_token()
    user = None
    if raw is not None:
        found = _loader["fn"](raw) if _loader["fn"] else None
        if not found:
            raise Unauthorized("the access token is missing, expired or revoked")
        user, cache["marketplace.token"] = found
    cache["marketplace.user"] = user
    return user


def current_token():
    current_user()
    return request.environ["marketplace.token"]


def current_user():
    user = optional_user()
    if user is None:
        raise Unauthorized("authentication required: send Authorization: Bearer <access_token>")
    return user


def require_roles(*roles):
    """401 without a valid token; 403 when the user's role is not one of ``roles``.

    The route is documented as needing the bearer token through flask-smorest's public ``doc``,
    with its 401 (and 403 when roles are named) responses.
    """

    def decorator(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            user = current_user()
            if roles and user.role not in roles:
                raise Forbidden(f"role {user.role} may not do this")
            return fn(*args, **kwargs)

        return declare_errors(401, 403)(document_security(wrapper)) if roles else \
            declare_errors(401)(document_security(wrapper))

    return decorator


def require_user(fn):
    return require_roles()(fn)
