"""Beneficiaries: attributed income of households and village collectives, from ledger postings.

A recipient's income is ``-SUM(postings.amount_fen)`` on its income account
(attribution credits are negative, refund reversals positive), dated by the
posting's ``created_at``. One statement: per-recipient sums (households, and
collectives keyed by their village), grouped by a region prefix, then named.
"""
from sqlalchemy import BigInteger, case, func, literal, null, select, union_all

from marketplace.geography.models import Region
from marketplace.households.models import Household
from marketplace.ledger.models import LedgerAccount, Posting
from marketplace.organizations.models import Organization
from marketplace.reports.queries.common import in_period, total, under_prefix

MEASURES = ("households_benefited", "members_benefited", "household_income_fen", "operating_fen", "asset_fen",
            "collective_income_fen")
#: Derived from each grouped row (integer fen, floor).
DERIVED = ("per_household_fen", "per_capita_fen")


def household_incomes(period, region=""):
    """Per household with postings in the period: village, members, masked name, income split by mode."""
    income = -Posting.amount_fen
    return (select(Household.village_code.label("village_code"), Household.id.label("household_id"),
                   Household.members.label("members"), Household.head_name_masked.label("head_name_masked"),
                   total(case((Posting.benefit_mode == "operating", income), else_=0)).label("operating_fen"),
                   total(case((Posting.benefit_mode == "asset", income), else_=0)).label("asset_fen"),
                   total(income).label("income_fen"))
            .select_from(Posting)
            .join(LedgerAccount, LedgerAccount.id == Posting.account_id)
            .join(Household, Household.id == LedgerAccount.household_id)
            .where(LedgerAccount.kind == "household_income", in_period(Posting.created_at, period),
                   under_prefix(Household.village_code, region))
            .group_by(Household.id, Household.village_code, Household.members, Household.head_name_masked))


def _collective_incomes(period, region):
    zero = literal(0, BigInteger)
    return (select(Organization.region_code.label("village_code"), null().label("household_id"),
                   zero.label("members"), zero.label("operating_fen"), zero.label("asset_fen"),
                   zero.label("income_fen"), total(-Posting.amount_fen).label("collective_fen"))
            .select_from(Posting)
            .join(LedgerAccount, LedgerAccount.id == Posting.account_id)
            .join(Organization, Organization.id == LedgerAccount.organization_id)
            .where(LedgerAccount.kind == "collective_income", in_period(Posting.created_at, period),
                   under_prefix(Organization.region_code, region))
            .group_by(Organization.region_code))


def beneficiaries_statement(*, period, region="", level_length=12):
    """One row per region of ``level_length`` digits (12 village, 6 county, any prefix length) with income."""
    h = household_incomes(period, region).subquery("h")
    households = select(h.c.village_code, h.c.household_id, h.c.members, h.c.operating_fen, h.c.asset_fen,
                        h.c.income_fen, literal(0, BigInteger).label("collective_fen"))
    recipients = union_all(households, _collective_incomes(period, region)).subquery("recipients")
    key = func.substr(recipients.c.village_code, 1, level_length).label("region_code")
    benefited = recipients.c.income_fen > 0
    grouped = (select(key,
                      func.count(case((benefited, recipients.c.household_id))).label("households_benefited"),
                      total(case((benefited, recipients.c.members), else_=0)).label("members_benefited"),
                      total(recipients.c.income_fen).label("household_income_fen"),
                      total(recipients.c.operating_fen).label("operating_fen"),
                      total(recipients.c.asset_fen).label("asset_fen"),
                      total(recipients.c.collective_fen).label("collective_income_fen"))
               .group_by(key).subquery("grouped"))
    return (select(grouped.c.region_code, Region.name.label("region_name"),
                   *(grouped.c[m] for m in MEASURES))
            .select_from(grouped).outerjoin(Region, Region.code == grouped.c.region_code)
            .order_by(grouped.c.region_code))


def households_statement(*, period, village_code):
    """A village's benefited households (masked name only), largest income first, then by id."""
    h = household_incomes(period, village_code).subquery("h")
    return (select(h.c.household_id, h.c.head_name_masked, h.c.members, h.c.income_fen, h.c.operating_fen,
                   h.c.asset_fen)
            .where(h.c.village_code == village_code, h.c.income_fen > 0)
            .order_by(h.c.income_fen.desc(), h.c.household_id))


def derive(row):
    """Per household and per capita (floor) from a grouped row's mapping; None when nobody benefited."""
    n, members, income = row["households_benefited"], row["members_benefited"], row["household_income_fen"]
    return {"per_household_fen": income // n if n else None,
            "per_capita_fen": income // members if members else None}
