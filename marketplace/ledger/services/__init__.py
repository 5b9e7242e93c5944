"""Ledger use-cases. Other domains import from here (stable names):

* :func:`post_payment_success` / :func:`post_payments_success` (payments calls these),
  :func:`post_refund`, :func:`post_refund_paid`, :func:`post_refund_failed`;
* :func:`account_balance`, :func:`check_ledger`, :func:`household_income`, :func:`attribution_for_order`.

All of them flush, never commit.
"""
from marketplace.ledger.services.accounts import account_balance, ensure_accounts
from marketplace.ledger.services.attribution import post_payment_success, post_payments_success
from marketplace.ledger.services.checks import check_ledger, ledger_counts
from marketplace.ledger.services.queries import (
    account_postings_query,
    account_view,
    attribution_for_order,
    entries_query,
    get_visible_account,
    household_income,
)
from marketplace.ledger.services.refund_failures import post_refund_failed
from marketplace.ledger.services.refunds import post_refund, post_refund_paid

__all__ = ["account_balance", "account_postings_query", "account_view", "attribution_for_order", "check_ledger",
           "ensure_accounts", "entries_query", "get_visible_account", "household_income", "ledger_counts",
           "post_payment_success", "post_payments_success", "post_refund", "post_refund_failed", "post_refund_paid"]
