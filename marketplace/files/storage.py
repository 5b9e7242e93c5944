"""File storage behind a small interface: ``save(key, data, content_type) -> key`` and ``open(key)``.

The local backend keeps each file under ``FILE_STORAGE_DIR`` (default ``instance/files``) with
its content type beside it (``<key>.type``). A key is a relative path of lower-case segments
(``evidence/tea-2026.pdf``); anything else (``..``, absolute paths, upper case) is refused, so a
key never leaves the directory. Another backend (object storage) only needs these two methods.
Like every call outside the database, saving happens outside an open transaction.
"""
import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9]+)?(/[a-z0-9][a-z0-9_-]*(\.[a-z0-9]+)?)*$")
MAX_KEY_LENGTH = 200


def valid_key(key):
    return isinstance(key, str) and len(key) <= MAX_KEY_LENGTH and KEY.match(key) is not None


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    content_type: str


class LocalFileStorage:
    def __init__(self, root):
        self.root = Path(root)

    def _path(self, key):
        if not valid_key(key):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key

    def save(self, key, data, content_type):
        """Write ``data`` under ``key`` (replacing what was there); returns the key."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.with_name(path.name + ".type").write_text(content_type, encoding="ascii")
        return key

    def open(self, key):
        """The stored file, or None when nothing is stored under ``key`` (or the key is not valid)."""
        if not valid_key(key):
            return None
        path = self.root / key
        if not path.is_file():
            return None
        type_file = path.with_name(path.name + ".type")
        content_type = type_file.read_text(encoding="ascii") if type_file.is_file() else "application/octet-stream"
        return StoredFile(path.read_bytes(), content_type)


def file_storage():
    """The configured storage (local directory ``FILE_STORAGE_DIR``)."""
    return LocalFileStorage(current_app.config["FILE_STORAGE_DIR"])
