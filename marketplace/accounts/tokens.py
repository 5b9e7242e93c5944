"""Opaque access/refresh tokens: issue, rotate with reuse detection, revoke."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from marketplace.accounts.models import AuthToken, User
from marketplace.core.db import utcnow
from marketplace.core.errors import Unauthorized
from marketplace.extensions import db


def _hash(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def _new(user_id, kind, family_id, ttl):
    raw = secrets.token_urlsafe(32)
    db.session.add(AuthToken(token_hash=_hash(raw), kind=kind, user_id=user_id, family_id=family_id,
                             expires_at=utcnow() + timedelta(seconds=ttl)))
    return raw


def issue_pair(user, family_id=None):
    """A new access + refresh pair; a fresh family unless rotating."""
    family_id = family_id or secrets.token_hex(16)
    access_ttl = current_app.config["ACCESS_TOKEN_TTL_SECONDS"]
    access = _new(user.id, "access", family_id, access_ttl)
    refresh = _new(user.id, "refresh", family_id, current_app.config["REFRESH_TOKEN_TTL_SECONDS"])
    db.session.flush()
    return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer", "expires_in": access_ttl}


def revoke_family(family_id):
    db.session.execute(update(AuthToken).where(AuthToken.family_id == family_id, AuthToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))


def rotate_refresh(raw_refresh):
    """Exchange a refresh token for a new pair. A token used twice revokes its family (401).

    The family revocation must survive the 401, so it is committed here.
    """
    now = utcnow()
    token = db.session.scalar(select(AuthToken).where(AuthToken.token_hash == _hash(raw_refresh),
                                                      AuthToken.kind == "refresh"))
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise Unauthorized("the refresh token is invalid, expired or revoked")
    claimed = db.session.execute(update(AuthToken).where(AuthToken.id == token.id, AuthToken.used_at.is_(None))
                                 .values(used_at=now))
    if claimed.rowcount != 1:
        revoke_family(token.family_id)
        db.session.commit()
        raise Unauthorized("the refresh token was already used; its session has been revoked")
    user = db.session.get(User, token.user_id)
    if user is None or not user.may_sign_in:
        raise Unauthorized("the refresh token is invalid, expired or revoked")
    # Access tokens of the old generation end with the rotation.
    db.session.execute(update(AuthToken).where(AuthToken.family_id == token.family_id, AuthToken.kind == "access",
                                               AuthToken.revoked_at.is_(None)).values(revoked_at=now))
    return issue_pair(user, token.family_id)


def load_user(raw_access):
    """(user, token) for a live access token, else None."""
    row = db.session.execute(
        select(User, AuthToken).join(AuthToken, AuthToken.user_id == User.id)
        .where(AuthToken.token_hash == _hash(raw_access), AuthToken.kind == "access")
    ).first()
    if row is None:
        return None
    user, token = row
    if token.revoked_at is not None or token.expires_at <= utcnow() or not user.may_sign_in:
        return None
    return user, token
