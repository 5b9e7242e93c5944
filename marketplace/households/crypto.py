"""Encryption at rest and keyed look-up hashes for household ID numbers.

Rules (DESIGN.md "Households", config ``HOUSEHOLD_ID_KEY``):

* The config value is a comma-separated list of Fernet keys (each 32 random
  bytes in URL-safe base64, as ``Fernet.generate_key()`` prints, or in
  standard base64, as ``openssl rand -base64 32`` prints: one alphabet per
  key), **newest first**. A bad value stops the app at start-up. Rotation: put a new key in front, run
  :meth:`IdNumberCipher.rotate` over the stored tokens and recompute the
  look-up hashes, then drop the old key.
* :meth:`~IdNumberCipher.encrypt` always uses the newest key;
  :meth:`~IdNumberCipher.decrypt` accepts a token made under any listed key.
* The look-up hash is HMAC-SHA256 of the (normalised) ID number under a
  subkey derived from a Fernet key with HKDF-SHA256 (info
  ``household-id-lookup``), so the encryption key itself is never the HMAC
  key. :meth:`~IdNumberCipher.lookup_hash` uses the newest key;
  :meth:`~IdNumberCipher.lookup_hashes` gives one hash per key, newest first,
  to find rows hashed before a rotation.
* Key material and plaintext never appear in an exception message or repr.
"""

import base64
import hashlib
import hmac
import re
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

LOOKUP_INFO = b"household-id-lookup"
# 32 bytes in URL-safe or standard base64 with its one "=" pad (one alphabet, not a mix).
# Checked strictly: the base64 decoder would silently skip stray characters.
_KEY_FORM = re.compile(rb"[A-Za-z0-9_-]{43}=|[A-Za-z0-9+/]{43}=")


class IdNumberTokenError(ValueError):
    """A stored token is corrupt or was made under a key no longer configured."""


def _raw_key(key: bytes | str, position: int) -> bytes:
    if isinstance(key, str):
        key = key.encode("ascii", errors="replace")
    if not isinstance(key, bytes) or not _KEY_FORM.fullmatch(key):
        raise ValueError(f"HOUSEHOLD_ID_KEY key {position} is not 32 bytes of base64")
    return base64.urlsafe_b64decode(key.translate(bytes.maketrans(b"+/", b"-_")))


def _lookup_subkey(raw_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=LOOKUP_INFO).derive(raw_key)


class IdNumberCipher:
    """Encrypts, decrypts and hashes ID numbers under a list of keys, newest first."""

    def __init__(self, keys: Sequence[bytes | str]):
        """Build from Fernet keys, newest first; raise ``ValueError`` if any is bad."""
        if isinstance(keys, (bytes, str)) or not keys:
            raise ValueError("HOUSEHOLD_ID_KEY needs at least one key")
        raw_keys = [_raw_key(key, n) for n, key in enumerate(keys, start=1)]
        if len(set(raw_keys)) != len(raw_keys):
            raise ValueError("HOUSEHOLD_ID_KEY lists the same key twice")
        self._fernet = MultiFernet([Fernet(base64.urlsafe_b64encode(raw)) for raw in raw_keys])
        self._lookup_keys = [_lookup_subkey(raw) for raw in raw_keys]

    @classmethod
    def from_config(cls, value: str) -> "IdNumberCipher":
        """Build from the ``HOUSEHOLD_ID_KEY`` string: base64 keys, comma-separated."""
        if not isinstance(value, str):
            raise ValueError("HOUSEHOLD_ID_KEY must be a string")
        keys = [part.strip() for part in value.split(",")]
        if not value.strip() or any(not key for key in keys):
            raise ValueError("HOUSEHOLD_ID_KEY has an empty key")
        return cls(keys)

    def __repr__(self) -> str:
        return f"<IdNumberCipher keys={len(self._lookup_keys)}>"

    def encrypt(self, plain: str) -> str:
        """Encrypt under the newest key; the token is ASCII and differs every call."""
        return self._fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Decrypt a token made under any configured key.

        Raises :class:`IdNumberTokenError` if no key opens it.
        """
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise IdNumberTokenError("ID number token cannot be decrypted") from None

    def rotate(self, token: str) -> str:
        """Re-encrypt a token under the newest key (raises like :meth:`decrypt`)."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            raise IdNumberTokenError("ID number token cannot be decrypted") from None

    def lookup_hash(self, plain: str) -> str:
        """Hex HMAC-SHA256 of ``plain`` under the newest key's look-up subkey."""
        return self._hmac(self._lookup_keys[0], plain)

    def lookup_hashes(self, plain: str) -> list[str]:
        """One look-up hash per configured key, newest first."""
        return [self._hmac(key, plain) for key in self._lookup_keys]

    @staticmethod
    def _hmac(key: bytes, plain: str) -> str:
        return hmac.new(key, plain.encode("utf-8"), hashlib.sha256).hexdigest()
