"""Separation of duties (issue 15): an approver may not approve an order they placed (403),
unless the organization has a single active approver."""
from tests.factories_orders import order_payload
from tests.helpers import assert_problem


def test_an_approver_may_not_approve_their_own_order_when_another_approver_exists(api, make_buyer, make_user,
                                                                                    make_sku):
    placer = make_buyer(approval_threshold_fen=1000)
    colleague = make_user(role="buyer_approver", org=placer.organization)
    order = api.post("/orders", placer, json=order_payload([(make_sku(price_fen=5000), 1)])).get_json()
    assert order["status"] == "pending_approval"
    assert_problem(api.post(f"/orders/{order['id']}/approve", placer), 403)
    resp = api.post(f"/orders/{order['id']}/approve", colleague)
    assert resp.status_code == 200 and resp.get_json()["approved_by_id"] == colleague.id


def test_a_single_approver_approves_their_own_order(api, db, make_buyer, make_user, make_sku):
    placer = make_buyer(approval_threshold_fen=1000)
    inactive = make_user(role="buyer_approver", org=placer.organization)
    inactive.is_active = False
    db.session.commit()
    order = api.post("/orders", placer, json=order_payload([(make_sku(price_fen=5000), 1)])).get_json()
    resp = api.post(f"/orders/{order['id']}/approve", placer)
    assert resp.status_code == 200 and resp.get_json()["approved_by_id"] == placer.id
