"""Public disclosure (三级公开): the reports' own queries for one region and year, no login, masked.

A village's figures are exactly the admin beneficiaries report's row for that
village (same query); townships and counties get the aggregates only.
"""
import re

from marketplace.core.clock import now_local
from marketplace.core.errors import NotFound
from marketplace.extensions import db
from marketplace.geography.models import Region
from marketplace.reports.queries import beneficiaries as bq
from marketplace.reports.queries import sales as sq
from marketplace.reports.queries.common import Period
from marketplace.reports.services import beneficiary_rows, sum_beneficiaries

REGION_CODE = re.compile(r"^[0-9]{2,12}$")


def get_public_region(code):
    """The region, or NotFound for an unknown or malformed code."""
    region = db.session.get(Region, code) if REGION_CODE.match(code or "") else None
    if region is None:
        raise NotFound(f"region {code} not found")
    return region


def disclosure(*, region_code, year=None):
    """Totals, collective income, households benefited and (villages only) masked household amounts."""
    region = get_public_region(region_code)
    year = year or now_local().year
    period = Period.of_year(year)
    rows = beneficiary_rows(period=period, region=region.code, level_length=len(region.code))
    figures = rows[0] if rows else sum_beneficiaries([])
    sales = db.session.execute(sq.sales_totals_statement(period=period, region=region.code)).one()._mapping
    households = None
    if region.level == "village":
        stmt = bq.households_statement(period=period, village_code=region.code)
        households = [dict(row._mapping) for row in db.session.execute(stmt)]
    return {**{k: figures[k] for k in (*bq.MEASURES, *bq.DERIVED)},
            "region": {"code": region.code, "name": region.name, "level": region.level}, "year": year,
            "sales": dict(sales), "households": households}
