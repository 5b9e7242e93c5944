"""Ledger and attribution routes (thin: schemas, scoped look-ups, services)."""
from marketplace.core.auth import STAFF_ROLES, current_user, require_roles, require_user
from marketplace.core.clock import today_local
from marketplace.core.http import PageQuerySchema, page_of, paginate
from marketplace.households import services as household_services
from marketplace.ledger import bp, services
from marketplace.ledger.schemas import (
    AccountSchema,
    EntryQuerySchema,
    EntrySchema,
    HouseholdIncomeSchema,
    IncomeQuerySchema,
    OrderAttributionSchema,
)
from marketplace.orders import services as order_services


@bp.get("/orders/<int:order_id>/attribution")
@require_user
@bp.response(200, OrderAttributionSchema)
def get_order_attribution(order_id):
    """Per line: the parts by recipient (households masked), benefit mode and scheme version."""
    actor = current_user()
    order = order_services.get_visible_order(actor, order_id)
    lines = order.lines
    if actor.role == "supplier_manager":
        lines = [line for line in lines if line.supplier_id == actor.organization_id]
    return services.attribution_for_order(order, lines)


@bp.get("/households/<int:household_id>/income")
@require_roles(*STAFF_ROLES)
@bp.arguments(IncomeQuerySchema, location="query")
@bp.response(200, HouseholdIncomeSchema)
def get_household_income(args, household_id):
    """A household's attributed income in a year, by month and benefit mode, with the postings."""
    household = household_services.get_scoped_household(current_user(), household_id)
    year = args.get("year") or today_local().year
    return services.household_income(household.id, year)


@bp.get("/ledger/entries")
@require_roles(*STAFF_ROLES)
@bp.arguments(EntryQuerySchema, location="query")
@bp.response(200, page_of(EntrySchema))
def list_ledger_entries(args):
    """Journal entries with their postings (newest first), in the caller's region scope."""
    return paginate(services.entries_query(actor=current_user(), args=args), args)


@bp.get("/ledger/accounts/<int:account_id>")
@require_roles(*STAFF_ROLES)
@bp.arguments(PageQuerySchema, location="query")
@bp.response(200, AccountSchema)
def get_ledger_account(args, account_id):
    """An account's balance (debits positive) and its postings, newest first, paginated."""
    account = services.get_visible_account(current_user(), account_id)
    return {**services.account_view(account),
            "postings": paginate(services.account_postings_query(account.id), args)}
