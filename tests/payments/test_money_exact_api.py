"""Money to the fen through the API: payment (Stripe webhook, bank transfer), refunds, cancellation.

One world: a cooperative's product from village DEFAULT_VILLAGE, whose collective exists; no scheme
row, so the built-in 6000 / 0 / 1000 / 3000 bp applies; two supplying households, H1 (2 units)
and H2 (1 unit), H1 created first (so H1's account id is the lower). The order: line A = 3 x 333
= 999 fen, line B = 1 x 1001 fen; total 2000 fen.

Worked by hand (largest remainder; quotas as floor + remainder over 10000 bp, then over 3 units):

    line A 999: supply 599 r4000, shares 0, collective 99 r9000, supplier 299 r7000; 2 fen left
                -> collective 100, supplier 300, supply 599
                supply 599 over 2:1 -> H1 399 r1/3, H2 199 r2/3; 1 fen left -> H2: H1 399, H2 200
    line B 1001: supply 600 r6000, collective 100 r1000, supplier 300 r3000; 1 fen left -> supply 601
                supply 601 over 2:1 -> H1 400 r2/3, H2 200 r1/3; 1 fen left -> H1: H1 401, H2 200
    totals: H1 800, H2 400, collective 200, supplier 600 (= 2000)

A refund of 1 unit of line A (333 fen) is weighted by what each still holds on line A
(H1 399, H2 200, supplier 300, collective 100 = 999): exact thirds 133, 66.67, 100, 33.33;
floors 133 + 66 + 100 + 33 = 332, the last fen to H2 (largest remainder) -> 133 / 67 / 100 / 33.
Two units (666 fen): 266, 133.33, 200, 66.67 -> floors 665, the last fen to collective ->
266 / 133 / 200 / 67.
"""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Sku
from marketplace.certification.services import today_local
from marketplace.ledger.models import JournalEntry, LedgerAccount, Posting
from marketplace.orders.models import Order
from marketplace.payments.models import Payment, Refund
from tests.factories import DEFAULT_VILLAGE
from tests.payments.stripe_fakes import intent_obj


@pytest.fixture
def world(db, make_org, make_product, make_sku, make_household, make_supply_record, make_user):
    coop = make_org(kind="cooperative")
    collective = make_org(kind="collective", region_code=DEFAULT_VILLAGE)
    product = make_product(supplier=coop, origin_region_code=DEFAULT_VILLAGE)
    h1, h2 = make_household(), make_household()
    make_supply_record(coop, h1, product, quantity=2, supplied_on=today_local() - timedelta(days=10))
    make_supply_record(coop, h2, product, quantity=1, supplied_on=today_local() - timedelta(days=10))
    sku_a = make_sku(product=product, price_fen=333, stock=10)
    sku_b = make_sku(product=product, price_fen=1001, stock=10)
    names = {f"household:{h1.id}": "H1", f"household:{h2.id}": "H2", f"org:{collective.id}": "collective",
             f"org:{coop.id}": "supplier", "": "platform"}
    return {"sku_a": sku_a, "sku_b": sku_b, "names": names, "admin": make_user(role="admin")}


def _name(world, kind, owner):
    if kind == "order_clearing":
        return "clearing"
    if kind in ("platform_cash", "refunds_payable"):
        return kind
    return world["names"][owner]


def balances(db, world):
    """{account name: balance} over every account with postings (income credited = negative)."""
    rows = db.session.execute(select(LedgerAccount.kind, LedgerAccount.owner_key, func.sum(Posting.amount_fen))
                              .join(Posting, Posting.account_id == LedgerAccount.id)
                              .group_by(LedgerAccount.kind, LedgerAccount.owner_key))
    return {_name(world, kind, owner): int(total) for kind, owner, total in rows}


def postings(db, world, **where):
    """[{account name: amount}] per journal entry matching ``where`` (entry id order)."""
    entries = db.session.scalars(select(JournalEntry).filter_by(**where).order_by(JournalEntry.id)).all()
    found = []
    for entry in entries:
        rows = db.session.execute(select(LedgerAccount.kind, LedgerAccount.owner_key, Posting.amount_fen)
                                  .join(Posting, Posting.account_id == LedgerAccount.id)
                                  .where(Posting.entry_id == entry.id))
        found.append({_name(world, kind, owner): amount for kind, owner, amount in rows})
    return found


AFTER_PAYMENT = {"platform_cash": 2000, "clearing": 0, "H1": -800, "H2": -400, "collective": -200,
                 "supplier": -600}
ATTRIBUTION_A = {"clearing": 999, "H1": -399, "H2": -200, "collective": -100, "supplier": -300}
ATTRIBUTION_B = {"clearing": 1001, "H1": -401, "H2": -200, "collective": -100, "supplier": -300}


def _order(db, make_order, world, method):
    order = make_order(lines=[(world["sku_a"], 3), (world["sku_b"], 1)], payment_method=method)
    assert order.total_fen == 2000 and [line.amount_fen for line in order.lines] == [999, 1001]
    return order


def _stock(db, world):
    db.session.expire_all()
    return db.session.get(Sku, world["sku_a"].id).stock, db.session.get(Sku, world["sku_b"].id).stock


def _confirm_transfer(api, db, order, world, amount_fen=2000):
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
    return payment, api.post(f"/payments/{payment.id}/confirm-transfer", world["admin"], json={
        "amount_fen": amount_fen, "bank_reference": "ICBC-1", "received_on": today_local().isoformat()})


def _refund(api, order, user, items):
    return api.post(f"/orders/{order.id}/refunds", user,
                    json={"lines": [{"line_id": lid, "quantity": q} for lid, q in items], "reason": "质量问题"})


def test_stripe_webhook_payment_then_partial_refund_exact_postings(api, db, fake_stripe, make_order, people,
                                                                   send_event, world):
    # given: a Stripe order paid by the payment_intent.succeeded webhook
    order = _order(db, make_order, world, "stripe")
    resp = api.post(f"/orders/{order.id}/payments", people(order)["buyer"])
    payment = db.session.get(Payment, resp.get_json()["id"])
    assert send_event("payment_intent.succeeded", intent_obj(payment)).get_json()["outcome"] == "succeeded"
    db.session.expire_all()
    assert postings(db, world, kind="payment") == [{"platform_cash": 2000, "clearing": -2000}]
    assert postings(db, world, kind="attribution") == [ATTRIBUTION_A, ATTRIBUTION_B]
    assert balances(db, world) == AFTER_PAYMENT
    assert _stock(db, world) == (7, 9)
    # when: an admin refunds 1 unit of line A
    resp = _refund(api, order, world["admin"], [(order.lines[0].id, 1)])
    # then
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["amount_fen"] == 333 and body["status"] == "pending"
    assert fake_stripe.log[-1][0].form["amount"] == "333"
    assert postings(db, world, refund_id=body["id"], kind="refund_attribution") == [
        {"H1": 133, "H2": 67, "supplier": 100, "collective": 33, "clearing": -333}]
    assert postings(db, world, refund_id=body["id"], kind="refund") == [{"clearing": 333, "refunds_payable": -333}]
    assert balances(db, world) == {"platform_cash": 2000, "clearing": 0, "refunds_payable": -333, "H1": -667,
                                   "H2": -333, "collective": -167, "supplier": -500}
    db.session.expire_all()
    payment = db.session.get(Payment, payment.id)
    assert (payment.status, payment.refunded_fen, order.payment_status) == ("partially_refunded", 333,
                                                                           "partially_refunded")
    assert (order.lines[0].refunded_quantity, order.lines[0].refunded_fen) == (1, 333)
    assert _stock(db, world) == (7, 9)  # a refund returns money, not goods
    # and when: Stripe reports the refund succeeded, the money leaves cash
    charge = {"id": "ch_1", "object": "charge", "payment_intent": payment.stripe_payment_intent_id,
              "amount_refunded": 333,
              "refunds": {"data": [{"id": body["stripe_refund_id"], "amount": 333, "status": "succeeded"}]}}
    assert send_event("charge.refunded", charge).get_json()["outcome"] == "reconciled"
    db.session.expire_all()
    assert postings(db, world, refund_id=body["id"], kind="refund_paid") == [
        {"refunds_payable": 333, "platform_cash": -333}]
    assert balances(db, world) == {"platform_cash": 1667, "clearing": 0, "refunds_payable": 0, "H1": -667,
                                   "H2": -333, "collective": -167, "supplier": -500}


def test_confirm_transfer_then_refunds_of_a_line_down_to_zero(api, db, make_order, people, world):
    # given: a bank-transfer order confirmed by an admin for exactly 2000 fen
    order = _order(db, make_order, world, "bank_transfer")
    payment, resp = _confirm_transfer(api, db, order, world)
    assert resp.status_code == 200, resp.get_json()
    db.session.expire_all()
    assert postings(db, world, kind="payment") == [{"platform_cash": 2000, "clearing": -2000}]
    assert postings(db, world, kind="attribution") == [ATTRIBUTION_A, ATTRIBUTION_B]
    assert balances(db, world) == AFTER_PAYMENT
    line_a = order.lines[0].id
    # when: the supplier refunds 2 units of line A, then the admin the last one
    first = _refund(api, order, people(order)["supplier"], [(line_a, 2)]).get_json()
    last = _refund(api, order, world["admin"], [(line_a, 1)]).get_json()
    # then: 666 then the line's remainder 333; each recipient weighted by what it still held
    assert (first["amount_fen"], last["amount_fen"]) == (666, 333)
    assert postings(db, world, refund_id=first["id"], kind="refund_attribution") == [
        {"H1": 266, "H2": 133, "supplier": 200, "collective": 67, "clearing": -666}]
    assert postings(db, world, refund_id=last["id"], kind="refund_attribution") == [
        {"H1": 133, "H2": 67, "supplier": 100, "collective": 33, "clearing": -333}]
    # line A's recipients are back to zero on it; line B's attribution stands
    assert balances(db, world) == {"platform_cash": 2000, "clearing": 0, "refunds_payable": -999, "H1": -401,
                                   "H2": -200, "collective": -100, "supplier": -300}
    # and when: the admin executes both bank refunds
    for refund_id in (first["id"], last["id"]):
        assert api.post(f"/refunds/{refund_id}/mark-executed", world["admin"]).status_code == 200
    db.session.expire_all()
    assert balances(db, world)["platform_cash"] == 1001 and balances(db, world)["refunds_payable"] == 0
    payment = db.session.get(Payment, payment.id)
    assert (payment.status, payment.refunded_fen) == ("partially_refunded", 999)


def test_cancel_paid_transfer_order_refunds_everything_and_restores_stock(api, db, make_order, people, world):
    # given: a paid bank-transfer order (stock 10 - 3 = 7 and 10 - 1 = 9)
    order = _order(db, make_order, world, "bank_transfer")
    payment, resp = _confirm_transfer(api, db, order, world)
    assert resp.status_code == 200 and _stock(db, world) == (7, 9)
    # when: the buyer cancels it
    resp = api.post(f"/orders/{order.id}/cancel", people(order)["buyer"], json={"reason": "预算调整"})
    # then: cancelled, every unit refunded (2000 fen), the stock back
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "cancelled"
    assert _stock(db, world) == (10, 10)
    refund = db.session.scalar(select(Refund).where(Refund.order_id == order.id))
    assert (refund.amount_fen, refund.status) == (2000, "pending")
    assert sorted((rl.quantity, rl.amount_fen) for rl in refund.lines) == [(1, 1001), (3, 999)]
    payment = db.session.get(Payment, payment.id)
    assert (payment.status, payment.refunded_fen) == ("refunded", 2000)
    assert db.session.get(Order, order.id).payment_status == "refunded"
    assert postings(db, world, refund_id=refund.id, kind="refund_attribution") == [
        {"H1": 399, "H2": 200, "supplier": 300, "collective": 100, "clearing": -999},
        {"H1": 401, "H2": 200, "supplier": 300, "collective": 100, "clearing": -1001}]
    assert postings(db, world, refund_id=refund.id, kind="refund") == [{"clearing": 2000, "refunds_payable": -2000}]
    assert balances(db, world) == {"platform_cash": 2000, "clearing": 0, "refunds_payable": -2000, "H1": 0, "H2": 0,
                                   "collective": 0, "supplier": 0}
    # and when: the admin pays the money back, cash is empty again
    assert api.post(f"/refunds/{refund.id}/mark-executed", world["admin"]).status_code == 200
    db.session.expire_all()
    paid = db.session.scalar(select(JournalEntry).where(JournalEntry.kind == "refund_paid"))
    assert (paid.order_id, paid.payment_id, paid.refund_id) == (order.id, payment.id, refund.id)
    assert balances(db, world) == {"platform_cash": 0, "clearing": 0, "refunds_payable": 0, "H1": 0, "H2": 0,
                                   "collective": 0, "supplier": 0}


@pytest.mark.parametrize("amount_fen", [1999, 2001])
def test_confirm_transfer_one_fen_off_posts_nothing(api, db, make_order, world, amount_fen):
    order = _order(db, make_order, world, "bank_transfer")
    payment, resp = _confirm_transfer(api, db, order, world, amount_fen=amount_fen)
    assert resp.status_code == 422 and "amount_fen" in resp.get_json()["errors"]
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status == "requires_payment"
    assert balances(db, world) == {}


def test_cancel_refund_reason_quotes_the_cancel_reason_cut_at_500(api, db, make_order, people, world):
    order = _order(db, make_order, world, "bank_transfer")
    _confirm_transfer(api, db, order, world)
    reason = "预" * 500
    assert api.post(f"/orders/{order.id}/cancel", people(order)["buyer"], json={"reason": reason}).status_code == 200
    refund = db.session.scalar(select(Refund).where(Refund.order_id == order.id))
    assert refund.reason == ("order cancelled: " + reason)[:500] and len(refund.reason) == 500


def test_refund_lines_come_back_in_line_order_whatever_the_request_order(api, db, make_order, world):
    order = _order(db, make_order, world, "bank_transfer")
    _confirm_transfer(api, db, order, world)
    line_a, line_b = order.lines[0].id, order.lines[1].id
    body = _refund(api, order, world["admin"], [(line_b, 1), (line_a, 2)]).get_json()
    assert [(rl["line_id"], rl["quantity"], rl["amount_fen"]) for rl in body["lines"]] == [(line_a, 2, 666),
                                                                                          (line_b, 1, 1001)]
    assert body["amount_fen"] == 1667
    db.session.expire_all()
    assert postings(db, world, refund_id=body["id"], kind="refund_attribution") == [
        {"H1": 266, "H2": 133, "supplier": 200, "collective": 67, "clearing": -666},
        {"H1": 401, "H2": 200, "supplier": 300, "collective": 100, "clearing": -1001}]
