"""Orders use-cases (flush, never commit). Other domains import from here:

    from marketplace.orders.services import get_visible_order

Procurement rule (消费扶贫 targets): the spend that counts toward a buyer organization's
yearly procurement target is **paid orders only**: orders whose ``payment_status`` is
``paid`` or ``partially_refunded``, counting ``total_fen`` minus what was refunded
(``sum(order_lines.refunded_fen)``), attributed to the year of ``paid_at`` in
Asia/Shanghai. Placed-but-unpaid, cancelled and fully refunded orders never count, so a
buyer cannot meet its target with orders it then abandons.
"""
from marketplace.orders.services.cancelling import expire_order, expire_overdue_orders, is_overdue
from marketplace.orders.services.idempotency import (
    claim_idempotency_key,
    order_scope,
    purge_idempotency_keys,
    request_hash,
    store_idempotent_response,
)
from marketplace.orders.services.numbering import next_order_number
from marketplace.orders.services.placing import buyer_org_for_ordering, place_order, take_stock
from marketplace.orders.services.reinstating import expired_unpaid, reinstate_expired
from marketplace.orders.services.transitions import approve_order, cancel_order, transition_fulfilment
from marketplace.orders.services.visibility import (
    SupplierOrderView,
    fulfilment_visible_clause,
    get_changeable_order,
    get_visible_fulfilment,
    get_visible_order,
    list_fulfilments_query,
    list_orders_query,
    order_changeable_clause,
    order_visible_clause,
    view_for,
)

__all__ = [
    "SupplierOrderView", "approve_order", "buyer_org_for_ordering", "cancel_order", "claim_idempotency_key",
    "expire_order", "expire_overdue_orders", "expired_unpaid", "fulfilment_visible_clause", "get_changeable_order",
    "get_visible_fulfilment", "get_visible_order", "is_overdue", "list_fulfilments_query", "list_orders_query",
    "next_order_number", "order_changeable_clause", "order_scope", "order_visible_clause", "place_order",
    "purge_idempotency_keys", "reinstate_expired", "request_hash", "store_idempotent_response", "take_stock",
    "transition_fulfilment", "view_for",
]
