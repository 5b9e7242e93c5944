"""Regions: the code-prefix hierarchy, the national data load, villages added by admins."""
import csv
from pathlib import Path

from sqlalchemy import select

from marketplace.audit.services import record, record_update
from marketplace.core.errors import Conflict, NotFound, field_error
from marketplace.core.scope import may_change
from marketplace.extensions import db
from marketplace.geography.codes import ancestor_codes, level_of, parent_of
from marketplace.geography.models import Region

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "regions"
FILES = (("provinces.csv", None), ("cities.csv", "provinceCode"), ("areas.csv", "cityCode"),
         ("streets.csv", "areaCode"))
#: The formerly poor counties (code, name, lifted_year) flagged ``poverty_county`` when the regions load.
POVERTY_COUNTIES_FILE = "poverty_counties.csv"
NOT_FORMERLY_POOR = ("{code} is not a formerly poor county (poverty_county): "
                     "suppliers and product origins must lie in one")


def load_regions(data_dir=DATA_DIR, batch_size=5000):
    """Upsert provinces, cities, counties and townships from the national CSVs. Idempotent."""
    existing = set(db.session.scalars(select(Region.code)))
    added = 0
    for filename, parent_col in FILES:
        with open(Path(data_dir) / filename, encoding="utf-8") as fh:
            rows = []
            for row in csv.DictReader(fh):
                code = row["code"].strip()
                level = level_of(code)
                if code in existing or level is None:
                    continue
                parent = row[parent_col].strip() if parent_col else None
                rows.append({"code": code, "name": row["name"].strip(), "level": level,
                             "parent_code": parent, "poverty_county": False, "poverty_village": False})
                existing.add(code)
            for start in range(0, len(rows), batch_size):
                db.session.execute(Region.__table__.insert(), rows[start:start + batch_size])
            added += len(rows)
    flag_poverty_counties(Path(data_dir) / POVERTY_COUNTIES_FILE)
    return added


def flag_poverty_counties(path):
    """Flag the counties listed in ``path`` (code,name,lifted_year) ``poverty_county``; returns how many changed.

    A county already flagged keeps its lifted year (an admin may have corrected it); a missing file flags nothing.
    """
    if not Path(path).exists():
        return 0
    changed = 0
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            county = db.session.get(Region, row["code"].strip())
            if county is not None and county.level == "county" and not county.poverty_county:
                county.poverty_county = True
                county.lifted_year = county.lifted_year or int(row["lifted_year"])
                changed += 1
    db.session.flush()
    return changed


def check_formerly_poor(code, field):
    """The county rule: a supplier's organization and a product's origin lie in a formerly poor county.

    ``code`` is a region code of the county or below; raises a 422 naming ``field`` otherwise.
    """
    county = db.session.get(Region, code[:6]) if len(code) >= 6 else None
    if county is None or not county.poverty_county:
        raise field_error(field, NOT_FORMERLY_POOR.format(code=code[:6]))


def get_region(code):
    region = db.session.get(Region, code)
    if region is None:
        raise NotFound(f"region {code} not found")
    return region


def ancestors(region):
    codes = ancestor_codes(region.code)
    found = {r.code: r for r in db.session.scalars(select(Region).where(Region.code.in_(codes)))}
    return [found[c] for c in reversed(codes) if c in found]


def region_path(code):
    """[province, ..., region] rows for a code, top first."""
    region = db.session.get(Region, code)
    return ancestors(region) + [region] if region else []


def list_query(args):
    stmt = select(Region)
    if args.get("parent"):
        stmt = stmt.where(Region.parent_code == args["parent"])
    elif not args.get("q") and not args.get("level"):
        stmt = stmt.where(Region.level == "province")
    if args.get("level"):
        stmt = stmt.where(Region.level == args["level"])
    if args.get("q"):
        stmt = stmt.where(Region.name.contains(args["q"], autoescape=True))
    return stmt.order_by(Region.code)


def add_village(*, actor, data):
    """A 12-digit village under an existing township inside the admin's scope."""
    code, parent_code = data["code"], data["parent_code"]
    if parent_of(code) != parent_code:
        raise field_error("parent_code", "must be the first 9 digits of the village code")
    parent = db.session.get(Region, parent_code)
    if parent is None or parent.level != "township":
        raise field_error("parent_code", "no such township")
    if not may_change(actor, code):
        raise NotFound("region not found in your scope")
    if db.session.get(Region, code) is not None:
        raise Conflict(f"region {code} already exists", errors={"code": ["already exists"]})
    region = Region(code=code, name=data["name"], level="village", parent_code=parent_code,
                    poverty_village=data.get("poverty_village", False), poverty_county=False)
    db.session.add(region)
    db.session.flush()
    record(actor, "region.create", "region", code, after={"name": region.name,
                                                         "poverty_village": region.poverty_village},
           region_code=code)
    return region


def update_flags(*, actor, code, data):
    region = get_region(code)
    if not may_change(actor, code):
        raise NotFound(f"region {code} not found")
    record_update(actor, "region.update", region, data, region_code=code)
    return region
