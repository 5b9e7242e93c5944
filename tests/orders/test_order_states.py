"""The state tables (pure: no app)."""
import pytest

from marketplace.orders.states import (
    FULFILMENT_TIMESTAMPS,
    FULFILMENT_TRANSITIONS,
    ORDER_TRANSITIONS,
    fulfilment_target,
    order_target,
)


@pytest.mark.parametrize("action,current,target", [
    ("approve", "pending_approval", "placed"), ("approve", "placed", None),
    ("cancel", "pending_approval", "cancelled"), ("cancel", "placed", "cancelled"),
    ("cancel", "cancelled", None), ("cancel", "completed", None),
    ("complete", "placed", "completed"), ("complete", "pending_approval", None),
])
def test_order_table(action, current, target):
    assert order_target(action, current) == target


def test_fulfilment_chain_is_linear():
    state = "pending"
    for action in ("confirm", "ship", "deliver", "accept"):
        assert all(fulfilment_target(other, state) is None for other in FULFILMENT_TRANSITIONS if other != action)
        state = fulfilment_target(action, state)
    assert state == "accepted"
    assert set(FULFILMENT_TIMESTAMPS) == set(FULFILMENT_TRANSITIONS)
    assert "cancel" in ORDER_TRANSITIONS
