"""State tables for orders and fulfilments (pure data: no database, no Flask).

order:       pending_approval ─approve→ placed ─(every fulfilment accepted or cancelled)→ completed
                    └──────────cancel──────┴→ cancelled      (only before any fulfilment ships)
fulfilment:  pending → confirmed → shipped → delivered → accepted   (or cancelled with its order)
"""

#: action → (states it may start from, state it leads to)
ORDER_TRANSITIONS = {
    "approve": (("pending_approval",), "placed"),
    "cancel": (("pending_approval", "placed"), "cancelled"),
    "expire": (("pending_approval", "placed"), "cancelled"),
    "complete": (("placed",), "completed"),
}

#: action → (the one state it may start from, state it leads to)
FULFILMENT_TRANSITIONS = {
    "confirm": ("pending", "confirmed"),
    "ship": ("confirmed", "shipped"),
    "deliver": ("shipped", "delivered"),
    "accept": ("delivered", "accepted"),
}

#: the timestamp column each fulfilment transition stamps
FULFILMENT_TIMESTAMPS = {
    "confirm": "confirmed_at",
    "ship": "shipped_at",
    "deliver": "delivered_at",
    "accept": "accepted_at",
}

#: which side performs a fulfilment transition
FULFILMENT_ACTORS = {"confirm": "supplier", "ship": "supplier", "deliver": "supplier", "accept": "buyer"}

#: once any fulfilment reaches one of these, the order can no longer be cancelled or expire
SHIPPED_STATES = ("shipped", "delivered", "accepted")

#: fulfilment states that let the order complete (but not all cancelled)
FINISHED_FULFILMENT_STATES = ("accepted", "cancelled")

CANCELLABLE_ORDER_STATES = ORDER_TRANSITIONS["cancel"][0]


def order_target(action, current):
    """The state ``action`` leads to from ``current``, or None when the table forbids it."""
    sources, target = ORDER_TRANSITIONS[action]
    return target if current in sources else None


def fulfilment_target(action, current):
    """The state ``action`` leads to from ``current``, or None when the table forbids it."""
    source, target = FULFILMENT_TRANSITIONS[action]
    return target if current == source else None
