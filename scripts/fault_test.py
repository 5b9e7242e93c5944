"""Fault test: gunicorn (2 sync workers) on a fresh PostgreSQL database under a bounded loopback load of
order placements and signed Stripe webhooks, with workers killed by SIGKILL mid-load.

    .venv/bin/python scripts/fault_test.py [--pg postgresql://postgres@127.0.0.1:5432] [--orders 400]
        [--webhooks 100] [--kills 5]

Afterwards: `flask ledger check` passes, every order answered 201 exists with its lines, stock + sold =
initial for every SKU, no order is half-written (no lines or no fulfilments), every webhook answered 200
left its payment succeeded exactly once, and the live server shows no version banner. Prints the kills
survived and the counts; exits 1 on any breach. Bounded: a fixed number of requests, 8 client threads.
"""
import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
WEBHOOK_SECRET = "whsec_fault_test"
THREADS = 8


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_database(base, name):
    from marketplace.core.pgdb import ensure_database

    ensure_database(f"{base}/{name}", fresh=True)


def drop_database(base, name):
    from marketplace.core.pgdb import drop_database as drop

    drop(f"{base}/{name}")


def seed(app):
    """A small catalog with known stock, buyers with tokens, and stripe orders with open PaymentIntents."""
    from sqlalchemy import func, select

    from marketplace.accounts import tokens
    from marketplace.accounts.services import new_user
    from marketplace.catalog import services as catalog
    from marketplace.certification import services as certification
    from marketplace.core.clock import today_local
    from marketplace.extensions import db
    from marketplace.geography.models import LEVEL_BY_LENGTH, Region
    from marketplace.geography.services import parent_of
    from marketplace.orders import services as orders
    from marketplace.orders.models import Order
    from marketplace.organizations.models import Organization
    from marketplace.organizations.uscc import uscc_check_char
    from marketplace.outbox.dispatch import run_due
    from marketplace.payments import services as payments
    from marketplace.payments import stripe_gateway
    from marketplace.payments.models import Payment

    for code in ("511781101001", "511702"):
        chain, c = [], code
        while c is not None:
            chain.append(c)
            c = parent_of(c)
        for c in reversed(chain):
            if db.session.get(Region, c) is None:
                db.session.add(Region(code=c, name=f"地区{c}", level=LEVEL_BY_LENGTH[len(c)], parent_code=parent_of(c),
                                      poverty_county=len(c) == 6, poverty_village=len(c) == 12))
                db.session.flush()

    def org(n, kind, region):
        body = f"9151178{n:010d}"
        o = Organization(kind=kind, name=f"{kind}-{n}", uscc=body + uscc_check_char(body), region_code=region,
                         contact_name="联系人", contact_phone="13800000000", status="verified")
        db.session.add(o)
        db.session.flush()
        return o

    admin = new_user(email="admin@fault.cn", password="fault-password-1", name="管理员", role="admin")
    suppliers = [org(1, "cooperative", "511781"), org(2, "cooperative", "511781")]
    org(3, "collective", "511781101001")
    managers = [new_user(email=f"m{i}@fault.cn", password="fault-password-1", name=f"经理{i}",
                         role="supplier_manager", organization=s) for i, s in enumerate(suppliers)]
    today = today_local()
    skus = []
    # stock: plenty on most SKUs, two scarce ones so some placements are refused with 409 under contention
    stocks = [5000, 5000, 5000, 60, 5000, 40]
    for i, stock in enumerate(stocks):
        manager = managers[i % 2]
        product = catalog.create_product(actor=manager, data={
            "name": f"故障测试产品{i}", "category": "tea", "origin_region_code": "511781101001",
            "description": "", "images": [], "shelf_life_days": 180, "storage": "常温"})
        skus.append(catalog.create_sku(actor=manager, product_id=product.id, data={
            "name": f"规格{i}", "unit": "袋", "price_fen": 1000 + i * 100, "stock": stock, "min_order_qty": 1}))
        catalog.set_scheme(actor=manager, product=product, data={
            "households_by_supply_bp": 0, "households_by_shares_bp": 0, "collective_bp": 3000,
            "supplier_bp": 7000, "supply_lookback_days": 365})
        cert = certification.submit(actor=manager, product_id=product.id, data={
            "evidence_urls": ["https://example.cn/e.pdf"], "benefit_description": "带动增收"})
        certification.approve(actor=admin, cert_id=cert.id, data={
            "valid_from": today - timedelta(days=1), "valid_until": today + timedelta(days=365)})
        catalog.change_product_status(actor=manager, product_id=product.id, action="publish")
    buyers = []
    for n in range(4):
        buyer_org = org(10 + n, "canteen", "511702")
        buyers.append(new_user(email=f"b{n}@fault.cn", password="fault-password-1", name=f"采购{n}",
                               role="buyer_approver", organization=buyer_org))
    db.session.flush()
    # stripe orders placed beforehand, with their PaymentIntents (the gateway answered by a stub, in this process)
    stripe_gateway.create_payment_intent = lambda **kw: (f"pi_fault_{kw['order_id']}", "secret_x",
                                                         "requires_payment_method")
    intents = []
    for i in range(app.config["FAULT_WEBHOOKS"]):
        buyer = buyers[i % len(buyers)]
        order = orders.place_order(buyer=buyer, data={
            "lines": [{"sku_id": skus[0].id, "quantity": 1}],
            "delivery": {"address": "食堂", "contact_name": "王师傅", "contact_phone": "13800000001",
                         "requested_date": today + timedelta(days=3)},
            "payment_method": "stripe"})
        payment = payments.create_payment(actor=buyer, order_id=order.id)
        db.session.flush()
        intents.append({"amount": payment.amount_fen, "payment_id": payment.id})
    tokens_ = [tokens.issue_pair(b)["access_token"] for b in buyers]
    db.session.commit()
    # the PaymentIntents are created by the outbox after the commit (here by the stub, as the dispatcher would)
    while run_due(limit=1000):
        pass
    for intent in intents:
        intent["intent"] = db.session.get(Payment, intent["payment_id"]).stripe_payment_intent_id
        assert intent["intent"], f"payment {intent['payment_id']} has no PaymentIntent after dispatch"
    initial = {s.id: s.stock for s in db.session.scalars(select(skus[0].__class__))}
    max_order_id = db.session.scalar(select(func.max(Order.id))) or 0
    return {"skus": [s.id for s in skus], "tokens": tokens_, "intents": intents, "initial_stock": initial,
            "max_order_id_before": max_order_id}


class Load:
    def __init__(self, base_url, world, orders, seed_value):
        self.base = base_url
        self.world = world
        self.rng = random.Random(seed_value)
        self.orders = orders
        self.lock = threading.Lock()
        self.created = {}  # order id -> sent lines {sku_id: qty}
        self.results = {"201": 0, "409": 0, "other": 0, "conn_error": 0, "retried": 0, "gave_up": 0, "webhook_200": 0,
                        "webhook_other": 0, "webhook_conn_error": 0}
        self.webhooks_ok = set()
        self.done = 0
        self.server_headers = set()

    def _post(self, path, body, headers):
        req = urllib.request.Request(self.base + path, data=body, method="POST",
                                     headers={"Content-Type": "application/json", **headers})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, resp.read(), tuple(resp.headers.get_all("Server") or ())
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), tuple(exc.headers.get_all("Server") or ())

    def place(self, i):
        rng = random.Random(i)
        skus = rng.sample(self.world["skus"], rng.randint(1, 3))
        lines = {s: rng.randint(1, 4) for s in skus}
        requested = time.strftime("%Y-%m-%d", time.localtime(time.time() + 5 * 86400))
        body = json.dumps({"lines": [{"sku_id": s, "quantity": q} for s, q in lines.items()],
                           "delivery": {"address": "食堂", "contact_name": "王师傅", "contact_phone": "13800000001",
                                        "requested_date": requested},
                           "payment_method": "bank_transfer"}).encode()
        headers = {"Authorization": f"Bearer {self.world['tokens'][i % len(self.world['tokens'])]}",
                   "Idempotency-Key": f"fault-{i}-{uuid.uuid4().hex[:8]}"}
        for _attempt in range(4):  # a killed worker drops the connection: retry with the same Idempotency-Key
            try:
                status, data, server = self._post("/api/v1/orders", body, headers)
                break
            except (urllib.error.URLError, http.client.HTTPException, OSError):
                with self.lock:
                    self.results["conn_error"] += 1
                    self.results["retried"] += 1
                time.sleep(0.2)
        else:
            with self.lock:
                self.results["gave_up"] += 1
            return
        with self.lock:
            self.server_headers.update(server)
            if status == 201:
                order = json.loads(data)
                if order["id"] in self.created:
                    raise AssertionError(f"order {order['id']} answered 201 twice")
                self.created[order["id"]] = lines
                self.results["201"] += 1
            elif status == 409:
                self.results["409"] += 1
            else:
                self.results["other"] += 1
                self.results.setdefault(f"status_{status}", 0)
                self.results[f"status_{status}"] += 1

    def webhook(self, i):
        import stripe

        intent = self.world["intents"][i]
        payload = json.dumps({"id": f"evt_fault_{i}", "object": "event", "type": "payment_intent.succeeded",
                              "created": int(time.time()), "data": {"object": {
                                  "id": intent["intent"], "object": "payment_intent", "amount": intent["amount"],
                                  "amount_received": intent["amount"], "currency": "cny", "status": "succeeded"}}})
        for _attempt in range(4):  # Stripe retries a delivery that got no answer
            header = stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET)
            try:
                status, _, _ = self._post("/api/v1/webhooks/stripe", payload.encode(), {"Stripe-Signature": header})
                break
            except (urllib.error.URLError, http.client.HTTPException, OSError):
                with self.lock:
                    self.results["webhook_conn_error"] += 1
                time.sleep(0.2)
        else:
            return
        with self.lock:
            if status == 200:
                self.results["webhook_200"] += 1
                self.webhooks_ok.add(intent["payment_id"])
            else:
                self.results["webhook_other"] += 1

    def run_one(self, task):
        kind, i = task
        try:
            (self.place if kind == "order" else self.webhook)(i)
        finally:
            with self.lock:
                self.done += 1


def worker_pids(master_pid):
    out = subprocess.run(["ps", "--ppid", str(master_pid), "-o", "pid="], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def wait_ready(url, proc, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited early")
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as resp:
                if resp.status == 200:
                    return resp.headers.get_all("Server") or []
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise SystemExit("gunicorn did not become ready")


def check(app, world, load):
    """The invariants after the storm; returns a list of breaches."""
    from sqlalchemy import func, select

    from marketplace.catalog.models import Sku
    from marketplace.extensions import db
    from marketplace.orders.models import Fulfilment, Order, OrderLine
    from marketplace.payments.models import Payment

    breaches = []
    with app.app_context():
        for order_id, lines in load.created.items():
            order = db.session.get(Order, order_id)
            if order is None:
                breaches.append(f"order {order_id} answered 201 but does not exist")
                continue
            got = {line.sku_id: line.quantity for line in order.lines}
            if got != lines:
                breaches.append(f"order {order_id} lines {got} != sent {lines}")
        no_lines = db.session.scalar(select(func.count()).select_from(Order).where(
            ~select(OrderLine.id).where(OrderLine.order_id == Order.id).exists()))
        no_fulfilments = db.session.scalar(select(func.count()).select_from(Order).where(
            ~select(Fulfilment.id).where(Fulfilment.order_id == Order.id).exists()))
        if no_lines or no_fulfilments:
            breaches.append(f"half-written orders: {no_lines} without lines, {no_fulfilments} without fulfilments")
        sold = dict(db.session.execute(
            select(OrderLine.sku_id, func.sum(OrderLine.quantity)).join(Order, Order.id == OrderLine.order_id)
            .where(Order.status != "cancelled").group_by(OrderLine.sku_id)).all())
        for sku in db.session.scalars(select(Sku)):
            initial = world["initial_stock"][sku.id] + (world["sold_before"].get(sku.id, 0))
            if sku.stock + int(sold.get(sku.id, 0)) != initial or sku.stock < 0:
                breaches.append(f"sku {sku.id}: stock {sku.stock} + sold {sold.get(sku.id, 0)} != initial {initial}")
        for payment_id in load.webhooks_ok:
            payment = db.session.get(Payment, payment_id)
            if payment.status != "succeeded":
                breaches.append(f"payment {payment_id}: webhook answered 200 but status {payment.status}")
        placed = db.session.scalar(select(func.count()).select_from(Order).where(
            Order.id > world["max_order_id_before"]))
        answered, gave_up = load.results["201"], load.results["gave_up"]
        if not answered <= placed <= answered + gave_up:
            breaches.append(f"{placed} orders placed under load for {answered} answered 201 ({gave_up} given up): "
                            "a retried placement was written twice")
        paid_orders = db.session.scalar(select(func.count()).select_from(Order).where(Order.payment_status == "paid"))
        orders_total = db.session.scalar(select(func.count()).select_from(Order))
        db.session.remove()
    return breaches, {"orders_in_db": orders_total, "paid_orders": paid_orders}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get("FAULT_PG_BASE", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--webhooks", type=int, default=100)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    started = time.time()
    db_name = f"mk_faults_{os.getpid()}"
    url = f"{args.pg}/{db_name}"
    env = {**os.environ, "DATABASE_URL": url, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "APP_ENV": "development",
           "STRIPE_SECRET_KEY": "sk_test_fault", "LOG_LEVEL": "WARNING", "FLASK_APP": "wsgi"}
    # before the first import of the project: config.py reads DATABASE_URL when it is imported
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "STRIPE_WEBHOOK_SECRET", "STRIPE_SECRET_KEY",
                                           "LOG_LEVEL")})
    create_database(args.pg, db_name)
    from sqlalchemy import func, select

    from marketplace import create_app
    from marketplace.extensions import db
    from marketplace.orders.models import OrderLine

    upgrade = subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True)
    app = create_app("development")
    app.config["FAULT_WEBHOOKS"] = args.webhooks
    with app.app_context():
        if upgrade.returncode != 0:
            print(f"flask db upgrade failed ({upgrade.stderr.strip()[-300:]}); building the schema with create_all")
            db.drop_all()
            db.create_all()
        world = seed(app)
        world["sold_before"] = dict(db.session.execute(
            select(OrderLine.sku_id, func.sum(OrderLine.quantity)).group_by(OrderLine.sku_id)).all())
        world["initial_stock"] = {k: v + 0 for k, v in world["initial_stock"].items()}
        db.session.remove()
        db.engine.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
                             "--worker-class", "sync", "--timeout", "30", "--graceful-timeout", "5", "wsgi:app"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    breaches, kills = [], 0
    try:
        banners = wait_ready(base, proc)
        # The app answers "Server: marketplace"; gunicorn replaces it with its own bare "gunicorn" (no version
        # since gunicorn 20). A banner with a version number in it is the breach.
        if not banners or any(ch.isdigit() for b in banners for ch in b):
            breaches.append(f"Server headers of the live server: {banners} (a version banner, or not the app's)")
        tasks = [("order", i) for i in range(args.orders)] + [("webhook", i) for i in range(args.webhooks)]
        random.Random(args.seed).shuffle(tasks)
        load = Load(base, world, args.orders, args.seed)
        total = len(tasks)
        kill_at = [int(total * (k + 1) / (args.kills + 1)) for k in range(args.kills)]

        def killer():
            nonlocal kills
            for threshold in kill_at:
                while load.done < threshold:
                    time.sleep(0.01)
                pids = worker_pids(proc.pid)
                if pids:
                    os.kill(random.Random(threshold).choice(pids), signal.SIGKILL)
                    kills += 1
                    # wait for the master to replace it before the next kill
                    deadline = time.time() + 10
                    while len(worker_pids(proc.pid)) < 2 and time.time() < deadline:
                        time.sleep(0.05)

        killer_thread = threading.Thread(target=killer, daemon=True)
        killer_thread.start()
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(load.run_one, tasks))
        killer_thread.join(timeout=15)
        if proc.poll() is not None:
            breaches.append("the gunicorn master died")
        if any(ch.isdigit() for b in load.server_headers for ch in b):
            breaches.append(f"a version banner in the Server headers seen under load: {load.server_headers}")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    ledger = subprocess.run([str(BIN / "flask"), "ledger", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    if ledger.returncode != 0:
        breaches.append(f"flask ledger check failed: {ledger.stdout[-800:]} {ledger.stderr[-800:]}")
    more, counts = check(app, world, load)
    breaches += more
    if kills < args.kills:
        breaches.append(f"only {kills} of {args.kills} kills happened (the load ended first)")
    if load.results["201"] == 0 or load.results["webhook_200"] == 0:
        breaches.append("no successful request: the load did not run")
    if not args.keep_db:
        with app.app_context():
            db.engine.dispose()
        drop_database(args.pg, db_name)
    print(f"schema: {'flask db upgrade' if upgrade.returncode == 0 else 'db.create_all()'}")
    print(f"fault test: {kills} worker kills survived (SIGKILL), {args.orders} order placements and "
          f"{args.webhooks} webhook deliveries in {time.time() - started:.1f} s")
    print("  results: " + ", ".join(f"{k} {v}" for k, v in load.results.items()))
    print("  database: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"  ledger check: {'ok' if ledger.returncode == 0 else 'FAILED'}")
    print(f"  Server headers seen: {sorted(load.server_headers)}")
    for breach in breaches:
        print("BREACH: " + breach)
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
