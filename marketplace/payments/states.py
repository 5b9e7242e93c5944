"""Payment and refund statuses and their transitions (pure data: no database, no Flask).

payment:  requires_payment → processing → succeeded → partially_refunded → refunded
               └──────(fail)──────┴→ failed ─(a later attempt of the same intent succeeds)→ succeeded
refund:   pending → succeeded | failed
"""
from enum import StrEnum


class PaymentStatus(StrEnum):
    REQUIRES_PAYMENT = "requires_payment"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


class RefundStatus(StrEnum):
    """pending (bank transfer: for an admin to execute; Stripe: until its webhook) | succeeded | failed"""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


P, R = PaymentStatus, RefundStatus
OPEN_STATUSES = (P.REQUIRES_PAYMENT, P.PROCESSING)
PAID_STATUSES = (P.SUCCEEDED, P.PARTIALLY_REFUNDED, P.REFUNDED)

#: action → (states it may start from, state it leads to)
PAYMENT_TRANSITIONS = {
    "process": ((P.REQUIRES_PAYMENT,), P.PROCESSING),
    "succeed": ((*OPEN_STATUSES, P.FAILED), P.SUCCEEDED),
    "fail": (OPEN_STATUSES, P.FAILED),
    "refund_part": ((P.SUCCEEDED, P.PARTIALLY_REFUNDED), P.PARTIALLY_REFUNDED),
    "refund_all": ((P.SUCCEEDED, P.PARTIALLY_REFUNDED), P.REFUNDED),
}

#: action → (states it may start from, state it leads to)
REFUND_TRANSITIONS = {
    "succeed": ((R.PENDING,), R.SUCCEEDED),
    "fail": ((R.PENDING,), R.FAILED),
}
