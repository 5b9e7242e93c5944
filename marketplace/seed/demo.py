"""`flask seed demo`: real places and the cases the product was born from. Idempotent.

Everything goes through the domain services (households, links, catalog, certification,
orders, payments, refunds), so every rule and every ledger posting is the real one. What
exists already (found by a natural key: e-mail, USCC, village code, ID number, product name,
order note) is left alone, so a second run adds nothing. The only liberty: paid demo orders
get their placement/payment/fulfilment times moved into their products' seasons over the last
twelve months (ledger postings keep their real time: they are append-only). Evidence documents
are generated PDFs kept in the file storage and served by the app.
"""
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.accounts.services import new_user
from marketplace.catalog import services as catalog
from marketplace.catalog.models import Product
from marketplace.certification import services as certification
from marketplace.core.clock import LOCAL_TZ, today_local
from marketplace.extensions import db
from marketplace.geography.codes import county_of, parent_of
from marketplace.geography.models import Region
from marketplace.households import linking
from marketplace.households import services as households
from marketplace.households.id_numbers import id_check_char
from marketplace.households.models import Membership, SupplyRecord
from marketplace.households.protection import find_by_id_number
from marketplace.orders import services as orders
from marketplace.orders.models import Order
from marketplace.organizations import services as organizations
from marketplace.organizations.models import Organization, ProcurementTarget
from marketplace.organizations.uscc import KIND_PREFIXES, org_code_check_char, uscc_check_char
from marketplace.payments import services as payments
from marketplace.payments.models import Payment
from marketplace.seed import demo_data as data
from marketplace.seed.evidence import write_evidence

DEMO_PASSWORD = "demo-password-2026"
ORDER_NOTE = "demo:"


def demo_uscc(n, region_code="511781", kind="cooperative"):
    """A synthetic USCC: the kind's prefix, the registering county, an organization code with its check."""
    org_code = f"MA{n:06d}" if KIND_PREFIXES[kind][0][0] == "9" else f"{n:08d}"
    body = f"{KIND_PREFIXES[kind][0]}{county_of(region_code)}{org_code}{org_code_check_char(org_code)}"
    return body + uscc_check_char(body)


def sale_day(today, month, index):
    """The order's day in ``month``: the latest such day before today (so within the last twelve months)."""
    day = date(today.year, month, 3 + index * 5 % 23)
    return day if day < today else day.replace(year=today.year - 1)


def demo_id_number(county, village_index, index):
    """A synthetic ID number: the county, a birth date, a sequence and a valid check digit."""
    born = date(1952 + (index * 7 + village_index * 3) % 36, 1 + (index * 5 + village_index) % 12,
                1 + (index * 11 + village_index * 3) % 28)
    body = f"{county}{born:%Y%m%d}{village_index * 20 + index + 101:03d}"
    return body + id_check_char(body)


def ensure_user(email, role, name, organization=None, region_scope=""):
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = new_user(email=email, password=DEMO_PASSWORD, name=name, role=role, organization=organization,
                        region_scope=region_scope)
    return user


def ensure_org(n, kind, name, region_code, **fields):
    uscc = demo_uscc(n, region_code, kind)
    org = db.session.scalar(select(Organization).where(Organization.uscc == uscc))
    if org is None:
        contact_name, contact_phone = data.CONTACTS[n]
        org = Organization(kind=kind, name=name, uscc=uscc, region_code=region_code, contact_name=contact_name,
                           contact_phone=contact_phone, status="verified", **fields)
        db.session.add(org)
        db.session.flush()
    return org


def ensure_village(code, name, lifted_year=None):
    if db.session.get(Region, code) is None and db.session.get(Region, parent_of(code)) is not None:
        db.session.add(Region(code=code, name=name, level="village", parent_code=parent_of(code), poverty_village=True,
                              poverty_county=False, lifted_year=lifted_year))
        db.session.flush()
    return db.session.get(Region, code)


class Demo:
    """One run of the demo loader; ``run()`` returns the logins to print."""

    def __init__(self, evidence_urls):
        self.evidence_urls = evidence_urls
        self.today = today_local()
        self.logins = []
        self.suppliers, self.managers, self.buyers, self.products = {}, {}, {}, {}
        self.households = {}

    def user(self, *args, **kwargs):
        user = ensure_user(*args, **kwargs)
        self.logins.append(user)
        return user

    def regions(self):
        for code, lifted in data.COUNTIES.items():
            county = db.session.get(Region, code)
            if county is not None and not county.poverty_county:
                county.poverty_county, county.lifted_year = True, lifted
        for code, (name, lifted) in data.VILLAGES.items():
            ensure_village(code, name, lifted)

    def organizations(self):
        for key, n, kind, name, region, email, manager in data.SUPPLIERS:
            self.suppliers[key] = ensure_org(n, kind, name, region)
            self.managers[key] = self.user(email, "supplier_manager", manager, organization=self.suppliers[key])
        for n, name, village in data.COLLECTIVES:
            ensure_org(n, "collective", name, village)
        for key, n, kind, name, region, threshold, target, users in data.BUYERS:
            org = self.buyers[key] = ensure_org(n, kind, name, region, approval_threshold_fen=threshold)
            for email, role, user_name in users:
                self.user(email, role, user_name, organization=org)
            year = self.today.year
            exists = db.session.scalar(select(ProcurementTarget.id).where(
                ProcurementTarget.organization_id == org.id, ProcurementTarget.year == year))
            if not exists:
                organizations.set_target(actor=self.admin, org_id=org.id, year=year, target_fen=target)

    def register_households(self):
        for v_index, (village, rows) in enumerate(data.HOUSEHOLDS.items()):
            for index, (name, members, status, lifted, baseline_yuan) in enumerate(rows):
                id_number = demo_id_number(county_of(village), v_index, index)
                household = find_by_id_number(id_number)
                if household is None:
                    household = households.create_household(actor=self.admin, data={
                        "village_code": village, "head_name": name, "id_number": id_number,
                        "registry_no": f"JD-{village}-{index + 1:02d}", "members": members, "status": status,
                        "lifted_year": lifted, "baseline_income_per_capita_fen": baseline_yuan * 100})
                self.households[(village, index)] = household
        for key, members in data.MEMBERS.items():
            org = self.suppliers[key]
            for village, index, shares in members:
                household = self.households[(village, index)]
                if not db.session.scalar(select(Membership.id).where(Membership.organization_id == org.id,
                                                                     Membership.household_id == household.id)):
                    linking.add_member(actor=self.managers[key], org_id=org.id,
                                       data={"household_id": household.id, "shares": shares})

    def catalog(self):
        valid_from = date(self.today.year, 1, 1)
        for (key, supplier, name, category, origin, description, shelf_life, storage, skus, scheme, supplies,
             _) in data.PRODUCTS:
            org, manager = self.suppliers[supplier], self.managers[supplier]
            product = db.session.scalar(select(Product).where(Product.supplier_id == org.id, Product.name == name))
            if product is None:
                product = self._list_product(manager, org, name, category, origin, description, shelf_life,
                                             storage, skus, scheme, self.evidence_urls[key], valid_from)
            self.products[key] = product
            if not db.session.scalar(select(SupplyRecord.id).where(SupplyRecord.product_id == product.id)):
                for village, index, quantity, unit, paid, days_ago in supplies:
                    linking.add_supply_record(actor=manager, org_id=org.id, data={
                        "household_id": self.households[(village, index)].id, "product_id": product.id,
                        "quantity": quantity, "unit": unit, "amount_paid_fen": paid,
                        "supplied_on": self.today - timedelta(days=days_ago)})

    def _list_product(self, manager, org, name, category, origin, description, shelf_life, storage, skus, scheme,
                      evidence, valid_from):
        product = catalog.create_product(actor=manager, data={
            "name": name, "category": category, "origin_region_code": origin, "description": description,
            "images": [], "shelf_life_days": shelf_life, "storage": storage})
        for sku_name, unit, price, stock, min_qty in skus:
            catalog.create_sku(actor=manager, product_id=product.id, data={
                "name": sku_name, "unit": unit, "price_fen": price, "stock": stock, "min_order_qty": min_qty})
        supply_bp, shares_bp, collective_bp, supplier_bp = scheme
        catalog.set_scheme(actor=manager, product=product, data={
            "households_by_supply_bp": supply_bp, "households_by_shares_bp": shares_bp,
            "collective_bp": collective_bp, "supplier_bp": supplier_bp, "supply_lookback_days": 365})
        cert = certification.submit(actor=manager, product_id=product.id, data={
            "evidence_urls": [evidence],
            "benefit_description": f"{org.name}：{description}"})
        certification.approve(actor=self.admin, cert_id=cert.id, data={
            "valid_from": valid_from, "valid_until": date(valid_from.year + 2, 12, 31)})
        catalog.change_product_status(actor=manager, product_id=product.id, action="publish")
        return product

    def place_orders(self):
        users = {u.email: u for u in self.logins}
        for index, (key, email, lines, outcome, month) in enumerate(data.ORDERS):
            if db.session.scalar(select(Order.id).where(Order.note == ORDER_NOTE + key)):
                continue
            buyer = users[email]
            order = self._place(buyer, key, lines)
            day = sale_day(self.today, month, index) if month else self.today - timedelta(days=4)
            if outcome != "unpaid":
                self._pay(order, day)
                self._fulfil(order, buyer, done=outcome != "shipped")
                if outcome == "refund":
                    self._refund(order)
                self._backdate(order, day)

    def _place(self, buyer, key, lines):
        skus = [(self.products[p].skus[i].id, q) for p, i, q in lines]
        order = orders.place_order(buyer=buyer, data={
            "lines": [{"sku_id": sku_id, "quantity": q} for sku_id, q in skus],
            "delivery": {"address": f"{buyer.organization.name}后勤仓库", "contact_name": buyer.name,
                         "contact_phone": buyer.organization.contact_phone,
                         "requested_date": self.today + timedelta(days=7)},
            "payment_method": "bank_transfer", "note": ORDER_NOTE + key})
        payments.open_payment_for_order(actor=buyer, order=order)
        if order.status == "pending_approval":
            approver = db.session.scalar(select(User).where(User.organization_id == order.buyer_org_id,
                                                            User.role == "buyer_approver").order_by(User.id))
            orders.approve_order(actor=approver, order_id=order.id)
        return order

    def _pay(self, order, day):
        payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
        received = day
        # a transfer is never dated before its order: place the demo order on that day first
        order.placed_at = min(order.placed_at, datetime.combine(received, time(9, 0), LOCAL_TZ).astimezone(UTC))
        payments.confirm_transfer(actor=self.admin, payment_id=payment.id, data={
            "amount_fen": payment.amount_fen, "bank_reference": f"DEMO-{order.number}", "received_on": received})

    def _fulfil(self, order, buyer, done):
        for fulfilment in list(order.fulfilments):
            supplier = next(m for k, m in self.managers.items() if self.suppliers[k].id == fulfilment.supplier_id)
            orders.transition_fulfilment(actor=supplier, fulfilment_id=fulfilment.id, action="confirm")
            tracking = {"carrier": "中国邮政", "tracking_no": f"EMS{order.id:09d}{fulfilment.id}"}
            orders.transition_fulfilment(actor=supplier, fulfilment_id=fulfilment.id, action="ship", data=tracking)
            if done:
                orders.transition_fulfilment(actor=supplier, fulfilment_id=fulfilment.id, action="deliver")
                orders.transition_fulfilment(actor=buyer, fulfilment_id=fulfilment.id, action="accept")

    def _refund(self, order):
        product_key, quantity, reason = data.REFUND
        product = self.products[product_key]
        line = next(line for line in order.lines if line.product_id == product.id)
        manager = next(m for k, m in self.managers.items() if self.suppliers[k].id == line.supplier_id)
        payments.create_refund(actor=manager, order_id=order.id,
                               data={"lines": [{"line_id": line.id, "quantity": quantity}], "reason": reason})

    def _backdate(self, order, day):
        """Date a paid demo order on ``day`` (10:30 local time): placed the day before, then paid."""
        at = datetime.combine(day, time(10, 30), LOCAL_TZ).astimezone(UTC)
        if at >= datetime.now(UTC):
            return
        db.session.refresh(order)
        order.placed_at = at - timedelta(days=1)
        order.paid_at = at
        if order.completed_at is not None:
            order.completed_at = at + timedelta(days=4)
        for payment in db.session.scalars(select(Payment).where(Payment.order_id == order.id)):
            payment.succeeded_at = at
        for fulfilment in order.fulfilments:
            for step, offset in (("confirmed_at", 0), ("shipped_at", 1), ("delivered_at", 3), ("accepted_at", 4)):
                if getattr(fulfilment, step) is not None:
                    setattr(fulfilment, step, at + timedelta(days=offset))

    def run(self):
        self.admin = self.user("admin@demo.cn", "admin", "全国管理员")
        self.user("wanyuan-admin@demo.cn", "admin", "万源市乡村振兴局", region_scope="511781")
        self.user("dongliao-admin@demo.cn", "admin", "东辽县乡村振兴局", region_scope="220422")
        self.user("auditor@demo.cn", "auditor", "审计员")
        if db.session.get(Region, "511781") is None:
            return self.logins  # regions not loaded: users only (run `flask regions load` first)
        self.regions()
        self.organizations()
        self.register_households()
        self.catalog()
        self.place_orders()
        db.session.flush()
        return self.logins


def run(base_url="http://127.0.0.1:8000"):
    """Load the demo (idempotent); returns [(email, role)] of the demo logins.

    The evidence PDFs are written first, before the transaction begins; their URLs start with ``base_url``.
    """
    usccs = {key: demo_uscc(n, region, kind) for key, n, kind, _, region, _, _ in data.SUPPLIERS}
    evidence = write_evidence([(p[0], p[-1], usccs[p[1]], p[4]) for p in data.PRODUCTS], base_url)
    return [(u.email, u.role) for u in Demo(evidence).run()]
