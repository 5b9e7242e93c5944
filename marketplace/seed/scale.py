"""`flask seed scale`: a large, realistic data set for benchmarks, written in bulk.

The world: villages added under real townships (data/regions) of a few dozen counties
(the demo's first), suppliers with 2-6 certified products each (SKUs, a scheme, supply
records, members), village collectives, buyer organizations with targets, households with
encrypted synthetic identities. Then ``orders`` paid orders (see ``scale_orders``): product
popularity is Zipf-skewed, months are seasonal (Spring Festival, Mid-Autumn), every line
is attributed with balanced postings and a few lines are refunded. Rows go in with COPY on
PostgreSQL and executemany on SQLite, in the session's transaction, one batch of orders
per commit; every CHECK constraint and trigger applies.
"""
import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from marketplace.accounts.passwords import hash_password
from marketplace.catalog.models import CATEGORIES
from marketplace.core.clock import today_local
from marketplace.extensions import db
from marketplace.geography.codes import county_of
from marketplace.geography.models import Region
from marketplace.households.id_numbers import id_check_char, mask_id_number, mask_name
from marketplace.households.protection import NAME_HASH_PREFIX, cipher
from marketplace.organizations.models import BUYER_KINDS
from marketplace.organizations.uscc import uscc_check_char
from marketplace.seed import demo_data
from marketplace.seed.bulk import BulkWriter
from marketplace.seed.scale_orders import OrderGenerator

PROVINCES = ("51", "50", "52", "53", "61", "62", "63", "64", "65", "45", "43", "42", "36", "22", "14", "15")
VILLAGE_WORDS = ("新民", "和平", "红星", "团结", "建设", "光明", "胜利", "前进", "永安", "太平", "长兴", "双河",
                 "石桥", "大河", "柳树", "杨家", "李家", "高峰", "金竹", "青山", "龙泉", "桃园", "白果", "黄桷")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ("秀英", "建国", "桂兰", "德明", "玉珍", "志强", "春梅", "永福", "国华", "淑珍", "长林", "明芳", "海军",
         "凤英", "福生", "金花", "文才", "翠兰", "光荣", "玉兰")
#: category → [(product word, sku name, unit, price fen range)]
PRODUCTS = {
    "tea": [("富硒绿茶", "250克礼盒", "盒", (6_000, 30_000)), ("红茶", "200克罐装", "罐", (5_000, 20_000)),
            ("毛尖", "250克袋装", "袋", (4_000, 16_000))],
    "konjac": [("魔芋豆腐", "1公斤装", "袋", (1_500, 4_000)), ("魔芋粉丝", "500克装", "袋", (1_200, 3_000))],
    "fungi": [("黑木耳", "500克袋装", "袋", (4_000, 9_000)), ("香菇", "500克袋装", "袋", (3_000, 8_000)),
              ("大球盖菇", "5公斤箱", "箱", (8_000, 20_000)), ("羊肚菌", "100克盒装", "盒", (8_000, 25_000))],
    "rice": [("高山大米", "10公斤袋", "袋", (6_000, 15_000))],
    "grain_oil": [("菜籽油", "5升桶", "桶", (6_000, 14_000)), ("山茶油", "1升瓶", "瓶", (8_000, 20_000))],
    "eggs": [("土鸡蛋", "30枚箱", "箱", (3_000, 7_000))],
    "meat": [("腊肉", "1公斤装", "袋", (8_000, 16_000)), ("黑山羊肉", "2公斤装", "袋", (15_000, 30_000))],
    "honey": [("土蜂蜜", "500克瓶装", "瓶", (5_000, 12_000))],
    "fruit": [("苹果", "10斤箱", "箱", (5_000, 12_000)), ("猕猴桃", "5斤箱", "箱", (4_000, 10_000)),
              ("核桃", "2公斤袋", "袋", (5_000, 12_000))],
    "vegetables": [("竹笋", "1公斤装", "袋", (2_000, 5_000)), ("土豆", "10公斤袋", "袋", (2_000, 4_000))],
    "spice": [("花椒", "250克袋装", "袋", (3_000, 8_000)), ("干辣椒", "500克袋装", "袋", (2_000, 5_000))],
    "other": [("红薯粉条", "2公斤袋", "袋", (2_500, 6_000))],
}
#: scheme templates (supply, shares, collective, supplier) in basis points
SCHEMES = ((6000, 0, 1000, 3000), (5000, 2000, 1000, 2000), (3000, 3000, 2000, 2000), (0, 6000, 1000, 3000),
           (7000, 0, 500, 2500))
CERT_TEXT = "带动农户增收的扶贫产品（批量演示数据）"
STATUSES = (("lifted", 60), ("monitored", 15), ("edge", 10), ("registered_poor", 5), ("ordinary", 10))


def _uscc(county, serial):
    body = f"93{county}JC{serial:07d}"
    return body + uscc_check_char(body)


def _short(name):
    return name[:-1] if len(name) > 2 and name[-1] in "县市区旗" else name


class World:
    """Regions, organizations, households and catalog of one scale run (ids known in memory)."""

    def __init__(self, writer, rng, households):
        self.w, self.rng, self.n_households = writer, rng, households
        self.now = datetime.now(UTC)
        self.today = today_local()
        self.counties, self.villages = [], {}      # county → [village codes]
        self.county_names = {}
        self.suppliers, self.collectives, self.buyers = [], {}, []
        self.households = {}                       # county → [household ids]
        self.products = []                         # dicts, see _catalog

    def build(self):
        self._regions()
        self._organizations()
        self._households()
        self._catalog()
        self._links()

    def _regions(self):
        n_villages = max(5, min(self.n_households // 40, 60_000))
        n_counties = max(3, min(n_villages // 8, 400))
        townships = {}
        rows = db.session.execute(select(Region.code).where(
            Region.level == "township", func.substr(Region.code, 1, 2).in_(PROVINCES)).order_by(Region.code))
        for (code,) in rows:
            townships.setdefault(county_of(code), []).append(code)
        candidates = [c for c, ts in townships.items() if len(ts) >= 5 and c not in demo_data.COUNTIES]
        if not townships:
            raise RuntimeError("no townships: run `flask regions load` first")
        demo = [c for c in demo_data.COUNTIES if c in townships]
        self.rng.shuffle(candidates)
        self.counties = (demo + candidates)[:n_counties]
        names = dict(db.session.execute(select(Region.code, Region.name).where(Region.code.in_(self.counties))).all())
        self.county_names = {c: _short(names[c]) for c in self.counties}
        existing = set(db.session.scalars(select(Region.code).where(Region.level == "village")))
        new = []
        for i in range(n_villages):
            county = self.counties[i % len(self.counties)]
            township = self.rng.choice(townships[county])
            for suffix in range(500 + self.rng.randrange(400), 1000):
                code = f"{township}{suffix:03d}"
                if code not in existing:
                    break
            else:
                continue
            existing.add(code)
            self.villages.setdefault(county, []).append(code)
            name = self.rng.choice(VILLAGE_WORDS) + "村"
            new.append((code, name, "village", township, False, self.rng.random() < 0.6, None))
        self.w.write("regions", ("code", "name", "level", "parent_code", "poverty_county", "poverty_village",
                                 "lifted_year"), new)
        self.counties = [c for c in self.counties if self.villages.get(c)]

    def _org(self, kind, name, region, threshold=None):
        (org_id,) = self.w.next_ids("organizations", 1)
        return (org_id, kind, name, _uscc(county_of(region), org_id), region, "联系人", "0818-0000000", "verified",
                threshold, self.now)

    def _organizations(self):
        rows = []
        n_suppliers = max(5, min(self.n_households // 100, 3000))
        for i in range(n_suppliers):
            county = self.counties[i % len(self.counties)]
            kind = self.rng.choice(("cooperative", "cooperative", "enterprise", "collective"))
            region = self.rng.choice(self.villages[county]) if kind == "collective" else county
            label = {"cooperative": "专业合作社", "enterprise": "农产品有限公司", "collective": "股份经济合作社"}[kind]
            row = self._org(kind, f"{self.county_names[county]}{i + 1}号{label}", region)
            rows.append(row)
            self.suppliers.append({"id": row[0], "kind": kind, "county": county, "name": row[2]})
        for villages in self.villages.values():
            for village in villages:
                if self.rng.random() < 0.5 or village == villages[0]:
                    row = self._org("collective", f"{village}村股份经济合作社", village)
                    rows.append(row)
                    self.collectives[village] = row[0]
        all_counties = list(db.session.scalars(select(Region.code).where(Region.level == "county")))
        n_buyers = max(10, min(self.n_households // 200, 1000))
        for i in range(n_buyers):
            kind = self.rng.choice(BUYER_KINDS)
            region = self.rng.choice(all_counties)
            row = self._org(kind, f"采购单位{i + 1}（{kind}）", region, threshold=None)
            rows.append(row)
            self.buyers.append({"id": row[0], "kind": kind, "region": region, "name": row[2]})
        self.w.write("organizations", ("id", "kind", "name", "uscc", "region_code", "contact_name", "contact_phone",
                                       "status", "approval_threshold_fen", "created_at"), rows)
        password = hash_password("scale-password-2026")
        user_ids = self.w.next_ids("users", len(self.buyers))
        users, targets = [], []
        for uid, buyer in zip(user_ids, self.buyers, strict=True):
            buyer["user_id"] = uid
            users.append((uid, f"scale-buyer-{buyer['id']}@scale.invalid", password, buyer["name"] + "采购员",
                          "buyer_approver", buyer["id"], "", True, self.now))
            for year, target in ((self.today.year, self.rng.randrange(10, 500) * 1_000_000),
                                 (self.today.year - 1, self.rng.randrange(10, 500) * 1_000_000)):
                targets.append((buyer["id"], year, target, self.now))
        self.w.write("users", ("id", "email", "password_hash", "name", "role", "organization_id", "region_scope",
                               "is_active", "created_at"), users)
        self.w.write("procurement_targets", ("organization_id", "year", "target_fen", "updated_at"), targets)

    def _households(self):
        c = cipher()
        ids = self.w.next_ids("households", self.n_households)
        villages = [v for vs in self.villages.values() for v in vs]
        rows = []
        for n, hid in enumerate(ids):
            village = villages[n % len(villages)]
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)
            born = date(1940, 1, 1) + timedelta(days=hid % 25_000)
            body = f"{county_of(village)}{born:%Y%m%d}{500 + (hid // 25_000) % 500:03d}"
            id_number = body + id_check_char(body)
            status = self.rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
            lifted = self.rng.randrange(2014, 2021) if status in ("lifted", "monitored") else None
            rows.append((hid, village, c.encrypt(name), mask_name(name), c.lookup_hash(NAME_HASH_PREFIX + name),
                         c.encrypt(id_number), c.lookup_hash(id_number), mask_id_number(id_number),
                         f"SC-{hid:09d}", self.rng.randrange(1, 7), status, lifted,
                         self.rng.randrange(2_800, 7_000) * 100, self.now, self.now))
            self.households.setdefault(county_of(village), []).append(hid)
        self.w.write("households", ("id", "village_code", "head_name_enc", "head_name_masked", "head_name_hash",
                                    "id_number_enc", "id_number_hash", "id_number_masked", "registry_no", "members",
                                    "status", "lifted_year", "baseline_income_per_capita_fen", "created_at",
                                    "updated_at"), rows)

    def _catalog(self):
        products, skus, certs, schemes = [], [], [], []
        valid_from = date(self.today.year - 1, 1, 1)
        categories = list(PRODUCTS)
        for supplier in self.suppliers:
            county = supplier["county"]
            for _ in range(self.rng.randrange(2, 7)):
                category = self.rng.choice(categories)
                word, sku_name, unit, (low, high) = self.rng.choice(PRODUCTS[category])
                (pid,) = self.w.next_ids("products", 1)
                origin = self.rng.choice(self.villages[county])
                name = f"{self.county_names[county]}{word}"
                products.append((pid, supplier["id"], name, category, origin,
                                 f"{supplier['name']}出品的{CATEGORIES[category][0]}：{name}，扶贫认定产品。", [], 365,
                                 "常温", "active", 0, self.now))
                price = self.rng.randrange(low, high) // 10 * 10
                product = {"id": pid, "supplier": supplier, "name": name, "category": category, "origin": origin,
                           "certificate_no": f"FP-{county}-{valid_from.year}-S{pid:07d}", "skus": []}
                for k in range(self.rng.choice((1, 1, 2))):
                    (sku_id,) = self.w.next_ids("skus", 1)
                    name_k = sku_name if k == 0 else f"{sku_name}×4"
                    price_k = price if k == 0 else price * 4 - price // 5
                    skus.append((sku_id, pid, name_k, unit, price_k, 1_000_000, 1, True, self.now))
                    product["skus"].append((sku_id, name_k, unit, price_k))
                (cid,) = self.w.next_ids("certifications", 1)
                certs.append((cid, pid, "approved", [], CERT_TEXT, product["certificate_no"], valid_from,
                              date(valid_from.year + 2, 12, 31), self.now, self.now))
                (scheme_id,) = self.w.next_ids("attribution_schemes", 1)
                bp = self.rng.choice(SCHEMES)
                schemes.append((scheme_id, pid, supplier["id"], 1, *bp, 365, self.now))
                product["scheme"] = (scheme_id, 1, bp)
                self.products.append(product)
        self.w.write("products", ("id", "supplier_id", "name", "category", "origin_region_code", "description",
                                  "images", "shelf_life_days", "storage", "status", "sales_count", "created_at"),
                     products)
        self.w.write("skus", ("id", "product_id", "name", "unit", "price_fen", "stock", "min_order_qty", "is_active",
                              "created_at"), skus)
        self.w.write("certifications", ("id", "product_id", "status", "evidence_urls", "benefit_description",
                                        "certificate_no", "valid_from", "valid_until", "decided_at", "created_at"),
                     certs)
        self.w.write("attribution_schemes", ("id", "product_id", "supplier_id", "version", "households_by_supply_bp",
                                             "households_by_shares_bp", "collective_bp", "supplier_bp",
                                             "supply_lookback_days", "created_at"), schemes)

    def _links(self):
        """Members of cooperatives and supply records per product (the attribution weights)."""
        members, supplies = [], []
        for supplier in self.suppliers:
            pool = self.households[supplier["county"]]
            if supplier["kind"] in ("cooperative", "collective"):
                chosen = self.rng.sample(pool, min(len(pool), self.rng.randrange(3, 9)))
                supplier["members"] = sorted((hid, self.rng.randrange(1, 30)) for hid in chosen)
                members += [(supplier["id"], hid, shares, self.now) for hid, shares in supplier["members"]]
            else:
                supplier["members"] = []
        for product in self.products:
            pool = self.households[product["supplier"]["county"]]
            chosen = self.rng.sample(pool, min(len(pool), self.rng.randrange(2, 6)))
            weights = {}
            for hid in chosen:
                quantity = self.rng.randrange(20, 2_000)
                weights[hid] = quantity
                supplies.append((product["supplier"]["id"], hid, product["id"], quantity, "公斤", quantity * 300,
                                 self.today - timedelta(days=self.rng.randrange(1, 300)), self.now))
            product["supply"] = sorted(weights.items())
            product["collective"] = self.collectives.get(product["origin"])
        self.w.write("household_memberships", ("organization_id", "household_id", "shares", "created_at"), members)
        self.w.write("supply_records", ("organization_id", "household_id", "product_id", "quantity", "unit",
                                        "amount_paid_fen", "supplied_on", "created_at"), supplies)


def generate(*, orders, households, lines_per_order=2.5, seed=20260101, batch=20_000, progress=print):
    """Generate the world and ``orders`` paid orders; commits per batch. Returns row counts written."""
    rng = random.Random(seed)
    writer = BulkWriter()
    world = World(writer, rng, households)
    world.build()
    writer.sync_sequences()
    db.session.commit()
    progress(f"world: {sum(map(len, world.villages.values()))} villages, "
             f"{len(world.suppliers)} suppliers, {len(world.products)} products, {households} households")
    OrderGenerator(writer, world, rng, lines_per_order).run(orders, batch=batch, progress=progress)
    writer.sync_sequences()
    db.session.commit()
    return dict(writer.written)
