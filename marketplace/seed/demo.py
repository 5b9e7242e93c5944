"""`flask seed demo`: real places and the cases the product was born from. Idempotent."""
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.accounts.services import new_user
from marketplace.extensions import db
from marketplace.geography.models import Region
from marketplace.organizations.models import Organization
from marketplace.organizations.uscc import uscc_check_char

DEMO_PASSWORD = "demo-password-2026"


def demo_uscc(n):
    body = f"93511781MA{n:07d}"
    return body + uscc_check_char(body)


def ensure_user(email, role, name, organization=None, region_scope=""):
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = new_user(email=email, password=DEMO_PASSWORD, name=name, role=role, organization=organization,
                        region_scope=region_scope)
    return user


def ensure_org(n, kind, name, region_code, **fields):
    uscc = demo_uscc(n)
    org = db.session.scalar(select(Organization).where(Organization.uscc == uscc))
    if org is None:
        org = Organization(kind=kind, name=name, uscc=uscc, region_code=region_code, contact_name="联系人",
                           contact_phone="0818-8620000", status="verified", **fields)
        db.session.add(org)
        db.session.flush()
    return org


def ensure_village(code, name):
    if db.session.get(Region, code) is None and db.session.get(Region, code[:9]) is not None:
        db.session.add(Region(code=code, name=name, level="village", parent_code=code[:9], poverty_village=True))
        db.session.flush()
    return db.session.get(Region, code)


def run():
    """Create the demo organizations and users; returns the logins to print."""
    logins = [
        ensure_user("admin@demo.cn", "admin", "全国管理员"),
        ensure_user("wanyuan-admin@demo.cn", "admin", "万源市乡村振兴局", region_scope="511781"),
        ensure_user("auditor@demo.cn", "auditor", "审计员"),
    ]
    wanyuan = db.session.get(Region, "511781")
    if wanyuan is not None:
        wanyuan.poverty_county = True
        tea = ensure_org(1, "cooperative", "万源市富硒茶专业合作社", "511781")
        logins.append(ensure_user("tea@demo.cn", "supplier_manager", "茶社经理", organization=tea))
    canteen = ensure_org(2, "canteen", "达州市机关事务服务中心食堂", "511702" if db.session.get(Region, "511702")
                         else "511781", approval_threshold_fen=5_000_000)
    logins.append(ensure_user("canteen@demo.cn", "buyer_approver", "食堂采购主管", organization=canteen))
    logins.append(ensure_user("canteen-buyer@demo.cn", "buyer_purchaser", "食堂采购员", organization=canteen))
    db.session.flush()
    return [(u.email, u.role) for u in logins]
