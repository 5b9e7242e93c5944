"""A hand-built dataset for the report tests: orders, lines and postings inserted straight from the models,
so every figure the tests expect can be worked out by hand (see the comments).

Regions: county 511781 (万源市) › township 511781101 (太平镇) › villages V1 511781101001 (石塘村),
V2 511781101002 (青龙村); county 511722 (宣汉县) › 511722100 (南坝镇) › V3 511722100001 (白马村).

Orders (paid_at in UTC; Shanghai = UTC+8):
  O1 B1  2024-01-31 16:30Z = 2024-02-01 00:30 local   L1 P1(V1, tea)   10 x 1500 = 15000, refunded 1 / 1500
                                                      L2 P2(V2, fungi)  5 x 2000 = 10000
  O2 B2  2024-03-10 02:00Z (a Sunday)                 L3 P1(V1, tea)    4 x 1500 =  6000
                                                      L4 P3(V3, honey)  2 x 5000 = 10000 (supplier "=HYPERLINK...")
  O3 B1  unpaid                                       P1 100 x 1500 (never counted)
  O4 B1  2023-12-31 15:59Z = 2023-12-31 23:59 local   P1 1 x 1500 (2023)
  O5 B2  2024-03-20 04:00Z, refunded in full          P2 1 x 2000, refunded 1 / 2000

Postings on income accounts (credit < 0 is income):
  2024-02-01  H1 -6000 operating, H1 -1500 asset, H2 -3000 asset, C1 (collective of V1) -2000, S1 -12500
  2024-03-15  H1 +600 operating (refund reversal)
  2024-03-10  H4 -4000 operating, S2 -6000
  2023-12-31  H2 -9999 asset (previous year)
  2025-01-01 00:30 local  H1 -777 operating (next year)

Households: H1 V1 王秀英 3 members baseline 3800 yuan; H2 V1 李建国 4 members 4300 yuan;
H3 V2 张桂兰 2 members 5000 yuan; H4 V3 刘德明 5 members 4495 yuan; H5 V1 陈春梅 1 member, no baseline.
"""
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from marketplace.geography.models import Region
from marketplace.ledger.models import JournalEntry, LedgerAccount, Posting
from marketplace.orders.models import Fulfilment, Order, OrderLine
from marketplace.organizations.models import ProcurementTarget

V1, V2, V3 = "511781101001", "511781101002", "511722100001"
FORMULA_SUPPLIER = '=HYPERLINK("http://evil.example","点我")'
REGIONS = [("51", "四川省", "province", None), ("5117", "达州市", "city", "51"),
           ("511781", "万源市", "county", "5117"), ("511781101", "太平镇", "township", "511781"),
           (V1, "石塘村", "village", "511781101"), (V2, "青龙村", "village", "511781101"),
           ("511722", "宣汉县", "county", "5117"), ("511722100", "南坝镇", "township", "511722"),
           (V3, "白马村", "village", "511722100")]


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@dataclass
class Dataset:
    orgs: dict = field(default_factory=dict)
    households: dict = field(default_factory=dict)
    products: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


def _regions(db):
    for code, name, level, parent in REGIONS:
        if db.session.get(Region, code) is None:
            db.session.add(Region(code=code, name=name, level=level, parent_code=parent,
                                  poverty_county=level == "county", poverty_village=level == "village"))
    db.session.commit()


class _Orders:
    def __init__(self, db, placed_by):
        self.db, self.placed_by, self.n = db, placed_by, 0

    def add(self, buyer, lines, paid_at=None, payment_status="paid"):
        """lines: [(product, sku, quantity, unit_price_fen, refunded_quantity)]."""
        self.n += 1
        total = sum(q * p for _, _, q, p, _ in lines)
        order = Order(number=f"PO-2024-{self.n:06d}", buyer_org_id=buyer.id, buyer_region_code=buyer.region_code,
                      buyer_kind=buyer.kind, placed_by_id=self.placed_by.id, status="placed",
                      payment_method="bank_transfer", payment_status=payment_status, total_fen=total,
                      delivery={"address": "食堂"}, pay_by=utc(2030, 1, 1),
                      placed_at=(paid_at or utc(2024, 6, 1)) - timedelta(hours=1), paid_at=paid_at)
        self.db.session.add(order)
        self.db.session.flush()
        fulfilments = {}
        for product, sku, quantity, price, refunded_qty in lines:
            supplier = product.supplier
            if supplier.id not in fulfilments:
                fulfilments[supplier.id] = Fulfilment(order_id=order.id, supplier_id=supplier.id)
                self.db.session.add(fulfilments[supplier.id])
                self.db.session.flush()
            self.db.session.add(OrderLine(
                order_id=order.id, fulfilment_id=fulfilments[supplier.id].id, sku_id=sku.id,
                product_id=product.id, supplier_id=supplier.id, quantity=quantity, unit_price_fen=price,
                amount_fen=quantity * price, product_name=product.name, sku_name=sku.name, unit=sku.unit,
                supplier_name=supplier.name, category=product.category,
                origin_region_code=product.origin_region_code, refunded_quantity=refunded_qty,
                refunded_fen=refunded_qty * price))
        self.db.session.commit()
        return order


class _Ledger:
    def __init__(self, db):
        self.db, self.accounts, self.n = db, {}, 0

    def account(self, kind, org=None, household=None):
        owner = f"org:{org.id}" if org else f"household:{household.id}" if household else ""
        key = (kind, owner)
        if key not in self.accounts:
            account = LedgerAccount(kind=kind, owner_key=owner, organization_id=org.id if org else None,
                                    household_id=household.id if household else None)
            self.db.session.add(account)
            self.db.session.flush()
            self.accounts[key] = account
        return self.accounts[key]

    def entry(self, when, kind, parts):
        """parts: [(account, amount_fen, benefit_mode)]; a clearing posting balances the entry."""
        self.n += 1
        entry = JournalEntry(kind=kind, idempotency_key=f"test:{self.n}", memo="hand-built", created_at=when)
        self.db.session.add(entry)
        self.db.session.flush()
        clearing = self.account("platform_cash")
        for account, amount, mode in [*parts, (clearing, -sum(p[1] for p in parts), None)]:
            self.db.session.add(Posting(entry_id=entry.id, account_id=account.id, amount_fen=amount,
                                        benefit_mode=mode, created_at=when))
        self.db.session.commit()


def build(db, make_org, make_user, make_product, make_sku, make_household):
    _regions(db)
    ds = Dataset()
    o = ds.orgs
    o["S1"] = make_org(kind="cooperative", region_code="511781", name="万源富硒茶合作社")
    o["S2"] = make_org(kind="enterprise", region_code="511722", name=FORMULA_SUPPLIER)
    o["C1"] = make_org(kind="collective", region_code=V1, name="石塘村股份经济合作社")
    o["B1"] = make_org(kind="canteen", region_code="511781", name="万源市机关食堂")
    o["B2"] = make_org(kind="school", region_code="511722", name="宣汉县第一中学")
    o["B3"] = make_org(kind="agency", region_code="511781", name="万源市乡村振兴局")
    p = ds.products
    p["P1"] = make_product(supplier=o["S1"], origin_region_code=V1, category="tea", name="富硒绿茶")
    p["P2"] = make_product(supplier=o["S1"], origin_region_code=V2, category="fungi", name="黑木耳")
    p["P3"] = make_product(supplier=o["S2"], origin_region_code=V3, category="honey", name="土蜂蜜")
    sku = {k: make_sku(product=v) for k, v in p.items()}
    placed_by = make_user(role="buyer_purchaser", org=o["B1"])

    orders = _Orders(db, placed_by)
    orders.add(o["B1"], [(p["P1"], sku["P1"], 10, 1500, 1), (p["P2"], sku["P2"], 5, 2000, 0)],
               paid_at=utc(2024, 1, 31, 16, 30), payment_status="partially_refunded")
    orders.add(o["B2"], [(p["P1"], sku["P1"], 4, 1500, 0), (p["P3"], sku["P3"], 2, 5000, 0)],
               paid_at=utc(2024, 3, 10, 2, 0))
    orders.add(o["B1"], [(p["P1"], sku["P1"], 100, 1500, 0)], payment_status="unpaid")
    orders.add(o["B1"], [(p["P1"], sku["P1"], 1, 1500, 0)], paid_at=utc(2023, 12, 31, 15, 59))
    orders.add(o["B2"], [(p["P2"], sku["P2"], 1, 2000, 1)], paid_at=utc(2024, 3, 20, 4, 0),
               payment_status="refunded")

    h = ds.households
    h["H1"] = make_household(village_code=V1, members=3, head_name="王秀英", baseline_income_per_capita_fen=380000)
    h["H2"] = make_household(village_code=V1, members=4, head_name="李建国", baseline_income_per_capita_fen=430000)
    h["H3"] = make_household(village_code=V2, members=2, head_name="张桂兰", baseline_income_per_capita_fen=500000)
    h["H4"] = make_household(village_code=V3, members=5, head_name="刘德明", baseline_income_per_capita_fen=449500,
                             id_number=None)
    h["H5"] = make_household(village_code=V1, members=1, head_name="陈春梅")

    ledger = _Ledger(db)
    hh = {k: ledger.account("household_income", household=v) for k, v in h.items()}
    collective = ledger.account("collective_income", org=o["C1"])
    s1, s2 = ledger.account("supplier", org=o["S1"]), ledger.account("supplier", org=o["S2"])
    ledger.entry(utc(2024, 1, 31, 16, 31), "attribution",
                 [(hh["H1"], -6000, "operating"), (hh["H1"], -1500, "asset"), (hh["H2"], -3000, "asset"),
                  (collective, -2000, "collective"), (s1, -12500, "supplier")])
    ledger.entry(utc(2024, 3, 15, 1, 0), "refund_attribution", [(hh["H1"], 600, "operating")])
    ledger.entry(utc(2024, 3, 10, 2, 1), "attribution", [(hh["H4"], -4000, "operating"), (s2, -6000, "supplier")])
    ledger.entry(utc(2023, 12, 31, 10, 0), "attribution", [(hh["H2"], -9999, "asset")])
    ledger.entry(utc(2024, 12, 31, 16, 30), "attribution", [(hh["H1"], -777, "operating")])

    for org, year, target in (("B1", 2024, 50000), ("B2", 2024, 15000), ("B3", 2024, 10000), ("B1", 2025, 99999)):
        db.session.add(ProcurementTarget(organization_id=o[org].id, year=year, target_fen=target))
    db.session.commit()

    u = ds.users
    u["admin"] = make_user(role="admin", region_scope="")
    u["auditor"] = make_user(role="auditor", region_scope="")
    u["county_a"] = make_user(role="admin", region_scope="511781")
    u["county_b_auditor"] = make_user(role="auditor", region_scope="511722")
    u["supplier_manager"] = make_user(role="supplier_manager", org=o["S1"])
    u["buyer_purchaser"] = placed_by
    u["buyer_approver"] = make_user(role="buyer_approver", org=o["B1"])
    return ds


@pytest.fixture(name="ds")
def ds_fixture(db, make_org, make_user, make_product, make_sku, make_household):
    """The dataset above (import this fixture into a test module)."""
    return build(db, make_org, make_user, make_product, make_sku, make_household)
