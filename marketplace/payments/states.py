"""Payment and refund statuses and their transitions (pure data: no database, no Flask).

payment:  requires_payment → processing → succeeded → partially_refunded → refunded
               └──────(fail)──────┴→ failed ─(a later attempt of the same intent succeeds)→ succeeded
          (a charge of an order another payment already paid: open or failed → refunded at once;
          an undone refund moves partially_refunded/refunded back)
refund:   requested → pending → succeeded | failed | cancelled
          (requested: a Stripe refund not yet accepted by Stripe, sent by the outbox; bank-transfer
          refunds start pending. A refund Stripe reports failed or cancelled, even after succeeded,
          is undone: its payment goes back to succeeded or partially_refunded.)
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
    """requested (Stripe: written, not yet accepted by Stripe) → pending (bank transfer: for an admin
    to execute; Stripe: accepted, until its outcome) → succeeded | failed | cancelled"""

    REQUESTED = "requested"
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


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
    # a second charge of an order already paid by another payment: refunded whole at once
    "refund_duplicate": ((*OPEN_STATUSES, P.FAILED), P.REFUNDED),
    # a refund undone (its money never left): back to what the other refunds leave
    "unrefund_all": ((P.PARTIALLY_REFUNDED, P.REFUNDED), P.SUCCEEDED),
    "unrefund_part": ((P.PARTIALLY_REFUNDED, P.REFUNDED), P.PARTIALLY_REFUNDED),
}

#: action → (states it may start from, state it leads to)
REFUND_TRANSITIONS = {
    "accept": ((R.REQUESTED,), R.PENDING),
    "succeed": ((R.REQUESTED, R.PENDING), R.SUCCEEDED),
    # a succeeded refund that Stripe later reports failed (or cancelled) is undone too
    "fail": ((R.REQUESTED, R.PENDING, R.SUCCEEDED), R.FAILED),
    "cancel": ((R.REQUESTED, R.PENDING, R.SUCCEEDED), R.CANCELLED),
}
#: refunds whose money never left: undone (quantities freed, reversal reversed)
UNDONE_REFUND_STATUSES = (R.FAILED, R.CANCELLED)
