"""Organization statuses and their transitions (pure data: no database, no Flask)."""
from enum import StrEnum


class OrganizationStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    SUSPENDED = "suspended"


S = OrganizationStatus

#: action → (states it may start from, state it leads to)
TRANSITIONS = {
    "verify": ((S.PENDING, S.SUSPENDED), S.VERIFIED),
    "suspend": ((S.PENDING, S.VERIFIED), S.SUSPENDED),
}
