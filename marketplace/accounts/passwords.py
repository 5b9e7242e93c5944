"""argon2id password hashing; a cheap profile under testing only."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_hashers = {
    "default": PasswordHasher(),
    "cheap": PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}
#: Verified against when the email is unknown, so timing does not reveal accounts.
_DUMMY = {}


def _hasher():
    return _hashers[current_app.config.get("ARGON2_PROFILE", "default")]


def hash_password(password):
    return _hasher().hash(password)


def verify_password(password_hash, password):
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def burn_time(password):
    """Spend the same work as a real verification when there is no user."""
    profile = current_app.config.get("ARGON2_PROFILE", "default")
    if profile not in _DUMMY:
        _DUMMY[profile] = _hasher().hash("not-a-real-password")
    verify_password(_DUMMY[profile], password)
