"""Income bands: households by per-capita income = baseline + attributed income in the year ÷ members.

Thresholds arrive in fen, strictly increasing. Band ``i`` holds incomes in
``[thresholds[i-1], thresholds[i])`` (band 0 is below the first threshold, band
``k`` at or above the last). Names and ID numbers come only from the masked columns.
"""
from sqlalchemy import BigInteger, case, func, select
from sqlalchemy.sql.expression import cast

from marketplace.geography.models import Region
from marketplace.households.models import Household
from marketplace.ledger.models import LedgerAccount, Posting
from marketplace.reports.queries.common import in_period, total, under_prefix

LIST_COLUMNS = ("household_id", "head_name_masked", "id_number_masked", "village_code", "village_name", "status",
                "members", "baseline_per_capita_fen", "attributed_fen", "per_capita_income_fen", "band",
                "below_threshold_fen")


def floor_div(a, b):
    """Integer floor division in SQL on both engines (they truncate toward zero).

    ``//``, not ``/``: since SQLAlchemy 2.0 ``/`` is true division (``a / CAST(b AS NUMERIC)``)."""
    a = cast(a, BigInteger)
    return case((a >= 0, a // b), else_=-((-a + b - 1) // b))


def _band(expr, thresholds):
    return case(*((expr < t, i) for i, t in enumerate(thresholds)), else_=len(thresholds))


def _per_household(period, region, thresholds):
    attributed = (select(LedgerAccount.household_id.label("household_id"),
                         total(-Posting.amount_fen).label("attributed_fen"))
                  .select_from(Posting).join(LedgerAccount, LedgerAccount.id == Posting.account_id)
                  .where(LedgerAccount.kind == "household_income", in_period(Posting.created_at, period))
                  .group_by(LedgerAccount.household_id).subquery("attributed"))
    baseline = func.coalesce(Household.baseline_income_per_capita_fen, 0)
    amount = func.coalesce(attributed.c.attributed_fen, 0)
    per_capita = (cast(baseline, BigInteger) + floor_div(amount, Household.members))
    return (select(Household.id.label("household_id"), Household.head_name_masked, Household.id_number_masked,
                   Household.village_code, Household.status, Household.members,
                   cast(baseline, BigInteger).label("baseline_per_capita_fen"),
                   cast(amount, BigInteger).label("attributed_fen"),
                   per_capita.label("per_capita_income_fen"),
                   _band(per_capita, thresholds).label("band"))
            .select_from(Household).outerjoin(attributed, attributed.c.household_id == Household.id)
            .where(under_prefix(Household.village_code, region))
            .subquery("per_household"))


def band_counts_statement(*, period, region, thresholds):
    """(band, households) for every non-empty band."""
    ph = _per_household(period, region, thresholds)
    return select(ph.c.band, func.count().label("households")).group_by(ph.c.band).order_by(ph.c.band)


def below_statement(*, period, region, thresholds):
    """Households under the highest threshold, lowest per-capita income first (ties by id), masked."""
    ph = _per_household(period, region, thresholds)
    below = case(*((ph.c.band == i, t) for i, t in enumerate(thresholds)), else_=None)
    return (select(ph.c.household_id, ph.c.head_name_masked, ph.c.id_number_masked, ph.c.village_code,
                   Region.name.label("village_name"), ph.c.status, ph.c.members, ph.c.baseline_per_capita_fen,
                   ph.c.attributed_fen, ph.c.per_capita_income_fen, ph.c.band,
                   below.label("below_threshold_fen"))
            .select_from(ph).outerjoin(Region, Region.code == ph.c.village_code)
            .where(ph.c.band < len(thresholds))
            .order_by(ph.c.per_capita_income_fen, ph.c.household_id))
