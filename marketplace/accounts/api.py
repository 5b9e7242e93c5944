from flask import current_app

from marketplace.accounts import bp, lifecycle, services, tokens
from marketplace.accounts.schemas import (
    PasswordChangeSchema,
    PasswordResetSchema,
    RefreshRequestSchema,
    ResetTokenSchema,
    TokenPairSchema,
    TokenRequestSchema,
    UserCreateSchema,
    UserSchema,
)
from marketplace.core.auth import current_token, current_user, require_user
from marketplace.extensions import limiter


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.post("/auth/token")
@limiter.limit(_login_limit, deduct_when=lambda response: response.status_code == 401)
@bp.arguments(TokenRequestSchema)
@bp.response(200, TokenPairSchema)
@bp.alt_response(401, description="invalid credentials")
@bp.alt_response(429, description="too many failed attempts")
def create_token(data):
    """Log in with email and password for an access and refresh token."""
    user = services.authenticate(data["email"], data["password"])
    return tokens.issue_pair(user)


@bp.post("/auth/refresh")
@bp.arguments(RefreshRequestSchema)
@bp.response(200, TokenPairSchema)
@bp.alt_response(401, description="used, expired or revoked refresh token")
def refresh_token(data):
    """Rotate a refresh token for a new pair."""
    return tokens.rotate_refresh(data["refresh_token"])


@bp.post("/auth/logout")
@require_user
@bp.response(204)
@bp.doc(operationId="log_out")
def logout():
    """Revoke the current access token and its refresh family."""
    tokens.revoke_family(current_token().family_id)


@bp.get("/me")
@require_user
@bp.response(200, UserSchema)
def get_me():
    """The authenticated user."""
    return current_user()


@bp.post("/users")
@require_user
@bp.arguments(UserCreateSchema)
@bp.response(201, UserSchema)
def create_user(data):
    """Create a user (admins: staff and org users in scope; org managers: their own org)."""
    return services.create_user(actor=current_user(), data=data)


@bp.post("/users/<int:user_id>/deactivate")
@require_user
@bp.response(200, UserSchema)
def deactivate_user(user_id):
    """Deactivate a user (admin in scope, or the organization's manager/approver): every session ends."""
    return lifecycle.set_active(actor=current_user(), user_id=user_id, active=False)


@bp.post("/users/<int:user_id>/reactivate")
@require_user
@bp.response(200, UserSchema)
def reactivate_user(user_id):
    """Reactivate a user (admin in scope, or the organization's manager/approver)."""
    return lifecycle.set_active(actor=current_user(), user_id=user_id, active=True)


@bp.post("/users/<int:user_id>/password-reset")
@require_user
@bp.response(201, ResetTokenSchema)
def issue_password_reset(user_id):
    """An admin in scope issues a one-time password reset token for the user."""
    return lifecycle.issue_reset_token(actor=current_user(), user_id=user_id)


@bp.post("/auth/password")
@require_user
@bp.arguments(PasswordChangeSchema)
@bp.response(204)
@bp.alt_response(403, description="the current password is wrong")
def change_password(data):
    """Change one's own password; the other sessions end."""
    lifecycle.change_password(actor=current_user(), token=current_token(), **data)


@bp.post("/auth/password/reset")
@limiter.limit(_login_limit, deduct_when=lambda response: response.status_code == 401)
@bp.arguments(PasswordResetSchema)
@bp.response(204)
@bp.alt_response(401, description="invalid, expired or used reset token")
def reset_password(data):
    """Set a new password with a one-time reset token; every session ends."""
    lifecycle.reset_password(**data)
