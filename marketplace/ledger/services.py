"""Ledger use-cases. (Interface placeholder: the ledger engineer replaces the bodies.)"""


def post_payment_success(payment):
    """Post cash-in, order clearing and the attribution of every paid line. Idempotent."""
    raise NotImplementedError("ledger posting is being built")


def post_refund(refund):
    """Post the reversal of a refund's lines, in proportion to what each recipient still holds."""
    raise NotImplementedError("ledger posting is being built")
