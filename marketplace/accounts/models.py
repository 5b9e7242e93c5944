from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import Base, IntPK, UtcDateTime, check_one_of, utcnow
from marketplace.core.roles import Role


class TokenKind(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"


class User(Base):
    __tablename__ = "users"
    id: Mapped[IntPK]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    #: Region code prefix for admins and auditors ("" = national).
    region_scope: Mapped[str] = mapped_column(String(12), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    organization = relationship("Organization", lazy="joined")

    @property
    def may_sign_in(self) -> bool:
        """Active, and not of a suspended organization (its tokens stop working, it cannot log in)."""
        return self.is_active and (self.organization is None or self.organization.status != "suspended")

    __table_args__ = (check_one_of("role", Role),)


class AuthToken(Base):
    """An opaque token, stored only as its SHA-256 hash."""

    __tablename__ = "auth_tokens"
    id: Mapped[IntPK]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # access | refresh
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: All tokens descending from one login share a family; reuse of a rotated
    #: refresh token revokes the whole family.
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (check_one_of("kind", TokenKind),)
