"""User roles (pure data: models and the auth layer both read them)."""
from enum import StrEnum

from marketplace.core.db import enum_values


class Role(StrEnum):
    """A user's role (users.role; CHECK ck_users_role_known)."""

    ADMIN = "admin"
    AUDITOR = "auditor"
    SUPPLIER_MANAGER = "supplier_manager"
    BUYER_PURCHASER = "buyer_purchaser"
    BUYER_APPROVER = "buyer_approver"


ROLES = enum_values(Role)
STAFF_ROLES = enum_values((Role.ADMIN, Role.AUDITOR))
SUPPLIER_ROLES = enum_values((Role.SUPPLIER_MANAGER,))
BUYER_ROLES = enum_values((Role.BUYER_PURCHASER, Role.BUYER_APPROVER))
