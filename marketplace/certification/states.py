"""Certification statuses and their transitions (pure data: no database, no Flask).

submit → submitted ─approve→ approved ─revoke→ revoked
              └──reject→ rejected
"""
from enum import StrEnum


class CertificationStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"


C = CertificationStatus

#: action → (states it may start from, state it leads to)
TRANSITIONS = {
    "approve": ((C.SUBMITTED,), C.APPROVED),
    "reject": ((C.SUBMITTED,), C.REJECTED),
    "revoke": ((C.APPROVED,), C.REVOKED),
}
