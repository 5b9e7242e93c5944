"""Account lifecycle: deactivate/reactivate, change one's password, admin-issued reset tokens.

Who may act on a user: an admin whose scope holds the user's organization (or, for staff, the
user's own scope), or the organization's manager/approver for users of its own organization;
nobody on themselves. Others see 404 (outside) or 403 (a role that never may).

Reset tokens are signed (``SECRET_KEY``, salt ``password-reset``), expire after
``PASSWORD_RESET_TTL_SECONDS`` and carry a fingerprint of the password hash they were issued
under: once any password is set, the token no longer matches (one time), nothing is stored.
"""
import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import update

from marketplace.accounts.models import AuthToken, User
from marketplace.accounts.passwords import hash_password, verify_password
from marketplace.audit.services import record
from marketplace.core.db import utcnow
from marketplace.core.errors import Forbidden, NotFound, Unauthorized
from marketplace.core.scope import may_change
from marketplace.extensions import db

ORG_MANAGERS = ("supplier_manager", "buyer_approver")


def _region(user):
    return user.organization.region_code if user.organization is not None else user.region_scope


def _managed_user(actor, user_id, *, roles=("admin", *ORG_MANAGERS)):
    if actor.role not in roles:
        raise Forbidden(f"role {actor.role} may not manage users")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("user not found")
    if actor.role == "admin":
        visible = may_change(actor, _region(user))
    else:
        visible = user.organization_id is not None and user.organization_id == actor.organization_id
    if not visible:
        raise NotFound("user not found")
    if user.id == actor.id:
        raise Forbidden("you may not do this to your own account")
    return user


def revoke_sessions(user, *, keep_family=None):
    """Revoke every live token of the user (but the family ``keep_family``, the caller's session)."""
    stmt = update(AuthToken).where(AuthToken.user_id == user.id, AuthToken.revoked_at.is_(None))
    if keep_family is not None:
        stmt = stmt.where(AuthToken.family_id != keep_family)
    db.session.execute(stmt.values(revoked_at=utcnow()))


def set_active(*, actor, user_id, active):
    """Deactivate (every session ends) or reactivate a user."""
    user = _managed_user(actor, user_id)
    if user.is_active != active:
        user.is_active = active
        if not active:
            revoke_sessions(user)
        record(actor, "user.reactivate" if active else "user.deactivate", "user", user.id,
               before={"is_active": not active}, after={"is_active": active}, region_code=_region(user))
    return user


def change_password(*, actor, token, current_password, new_password):
    """Change one's own password; every other session of the user ends (this one stays)."""
    if not verify_password(actor.password_hash, current_password):
        raise Forbidden("the current password is wrong")
    actor.password_hash = hash_password(new_password)
    revoke_sessions(actor, keep_family=token.family_id)
    record(actor, "user.password_change", "user", actor.id, region_code=_region(actor))


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _fingerprint(user):
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def issue_reset_token(*, actor, user_id):
    """An admin (in scope) issues a one-time reset token to hand to the user."""
    user = _managed_user(actor, user_id, roles=("admin",))
    ttl = current_app.config["PASSWORD_RESET_TTL_SECONDS"]
    record(actor, "user.password_reset_issue", "user", user.id, region_code=_region(user))
    return {"reset_token": _serializer().dumps({"u": user.id, "p": _fingerprint(user)}), "expires_in": ttl}


def reset_password(*, reset_token, new_password):
    """Set a new password with a reset token: 401 if forged, expired or already used; every session ends."""
    ttl = current_app.config["PASSWORD_RESET_TTL_SECONDS"]
    invalid = Unauthorized("the reset token is invalid, expired or already used")
    try:
        claims = _serializer().loads(reset_token, max_age=ttl)
    except BadSignature:
        raise invalid from None
    user = db.session.get(User, claims.get("u")) if isinstance(claims, dict) else None
    if user is None or claims.get("p") != _fingerprint(user) or not user.is_active:
        raise invalid
    user.password_hash = hash_password(new_password)
    revoke_sessions(user)
    record(None, "user.password_reset", "user", user.id, region_code=_region(user))
