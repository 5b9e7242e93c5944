"""The household registry: admin CRUD inside a region scope, search, and the weights the ledger reads.

Other domains may import (stable names):

* :func:`supply_weights` and :func:`share_weights`: attribution weights, one SQL query each.
* :func:`masked_household`: the masked dict every non-admin output shows.
* :func:`get_household`: a household by id (no access check), or None.

Personal data (name, ID number) is never logged, audited or put in an error in clear:
audit events carry the masked forms only.
"""
import re
from collections import defaultdict
from datetime import date

from sqlalchemy import exists, false, or_, select
from sqlalchemy.exc import IntegrityError

from marketplace.audit.services import record
from marketplace.core.auth import STAFF_ROLES
from marketplace.core.errors import Conflict, NotFound, field_error
from marketplace.core.scope import in_scope_clause, may_change, may_see
from marketplace.extensions import db
from marketplace.geography.models import Region
from marketplace.households import protection
from marketplace.households.id_numbers import normalize_id_number, validate_id_number
from marketplace.households.models import Household, Membership, SupplyRecord
from marketplace.households.protection import household_view, masked_household

__all__ = ["create_household", "get_household", "get_scoped_household", "household_view", "list_query",
           "masked_household", "new_household", "share_weights", "supply_weights", "update_household",
           "visible_view"]

PLAIN_FIELDS = ("registry_no", "members", "status", "lifted_year", "baseline_income_per_capita_fen")
REGISTRY_LIKE = re.compile(r"^[0-9A-Za-z-]{1,40}$")
DUPLICATE_ID = "a household with this ID number is already registered"


def new_household(*, village_code, head_name, id_number, registry_no, members, status, lifted_year=None,
                  baseline_income_per_capita_fen=None) -> Household:
    """Build and add a household (name and ID number encrypted, hashed, masked); no checks, no audit.

    For trusted callers (the importer, test factories). ``id_number`` must already be validated.
    """
    household = Household(village_code=village_code, registry_no=registry_no, members=members, status=status,
                          lifted_year=lifted_year, baseline_income_per_capita_fen=baseline_income_per_capita_fen)
    protection.set_head_name(household, head_name)
    protection.set_id_number(household, id_number)
    db.session.add(household)
    return household


def audit_values(household: Household) -> dict:
    """What an audit event may hold about a household: masked personal data only."""
    return {"village_code": household.village_code, "head_name": household.head_name_masked,
            "id_number": household.id_number_masked, **{k: getattr(household, k) for k in PLAIN_FIELDS}}


def check_village(code, field="village_code"):
    """422 naming the field unless ``code`` is a known village-level region."""
    region = db.session.get(Region, code)
    if region is None or region.level != "village":
        raise field_error(field, "not a known village code")
    return region


def check_lifted(status, lifted_year):
    if status == "lifted" and lifted_year is None:
        raise field_error("lifted_year", "required when status is lifted")


def create_household(*, actor, data) -> Household:
    """An admin registers a household in a village inside their scope.

    Raises NotFound (village outside the scope), 422 (unknown village, lifted without a year),
    Conflict 409 if the ID number is already registered (the number is never echoed).
    """
    if not may_change(actor, data["village_code"]):
        raise NotFound("region not found")
    check_village(data["village_code"])
    check_lifted(data["status"], data.get("lifted_year"))
    if protection.find_by_id_number(data["id_number"]) is not None:
        raise Conflict(DUPLICATE_ID, errors={"id_number": ["already registered"]})
    try:
        # A concurrent insert of the same number passes the check above; the unique hash catches it.
        with db.session.begin_nested():
            household = new_household(**data)
    except IntegrityError:
        raise Conflict(DUPLICATE_ID, errors={"id_number": ["already registered"]}) from None
    record(actor, "household.create", "household", household.id, after=audit_values(household),
           region_code=household.village_code)
    return household


def get_household(household_id) -> Household | None:
    """A household by id, no access check (for other domains' services)."""
    return db.session.get(Household, household_id)


def get_scoped_household(actor, household_id) -> Household:
    """The household if it lies inside the admin's region scope; else NotFound."""
    household = db.session.get(Household, household_id)
    if household is None or not may_see(actor, household.village_code):
        raise NotFound("household not found")
    return household


def update_household(*, actor, household_id, data) -> Household:
    """An admin in scope edits members, status, lifted year, baseline income, head's name or registry number.

    The ID number and village are immutable (the schema rejects them). Raises NotFound, 422.
    """
    household = get_scoped_household(actor, household_id)
    before = audit_values(household)
    for key in PLAIN_FIELDS:
        if key in data:
            setattr(household, key, data[key])
    # Two names can share a mask (张小三, 张大三): compare the clear names, audit only the masks.
    renamed = "head_name" in data and data["head_name"] != protection.head_name(household)
    if renamed:
        protection.set_head_name(household, data["head_name"])
    check_lifted(household.status, household.lifted_year)
    after = audit_values(household)
    changed = {k for k in after if after[k] != before[k] or (k == "head_name" and renamed)}
    if changed:
        db.session.flush()
        record(actor, "household.update", "household", household.id, before={k: before[k] for k in changed},
               after={k: after[k] for k in changed}, region_code=household.village_code)
    return household


def _linked_to(org_id):
    member = exists().where(Membership.household_id == Household.id, Membership.organization_id == org_id)
    supplied = exists().where(SupplyRecord.household_id == Household.id, SupplyRecord.organization_id == org_id)
    return member | supplied


def list_query(*, actor, args):
    """Households the actor may see, filtered by ``village`` (code prefix), ``status`` and ``q``.

    Staff: inside their region scope. Supplier managers: households linked to their organization
    by membership or supply records. ``q`` matches the registry number exactly, the masked name by
    prefix (``张`` or ``张*``) or a full name exactly by keyed hash: names are never decrypted to search.
    """
    stmt = select(Household)
    if actor.role in STAFF_ROLES:
        stmt = stmt.where(in_scope_clause(Household.village_code, actor.region_scope))
    else:
        stmt = stmt.where(_linked_to(actor.organization_id))
    if args.get("village"):
        stmt = stmt.where(in_scope_clause(Household.village_code, args["village"]))
    if args.get("status"):
        stmt = stmt.where(Household.status == args["status"])
    if args.get("q") and args["q"].strip():
        stmt = stmt.where(_search(args["q"].strip(), by_name=actor.role == "admin"))
    return stmt.order_by(Household.id)


def _search(q, *, by_name):
    """A registry number (the household code, exact), an ID number (exact, by keyed hash) and, only
    ``by_name`` (admins, whose list is already their scope), a masked-name prefix (``张``, ``张*``)
    or a full name (by keyed hash). Others may not search names: guessing the middle character of
    ``张*三`` by full-name hash recovered a name in ~40 requests.

    Neither a full name nor an ID number reaches the database or its logs in clear: only its HMAC does.
    """
    clauses = [false()]
    if REGISTRY_LIKE.match(q):
        clauses.append(Household.registry_no == q)
    if validate_id_number(normalize_id_number(q)):
        clauses.append(Household.id_number_hash.in_(protection.id_number_hashes(q)))
    if by_name and ("*" in q or len(q) == 1):
        clauses.append(Household.head_name_masked.startswith(q, autoescape=True))
    elif by_name:
        clauses.append(Household.head_name_hash.in_(protection.name_hashes(q)))
    return or_(*clauses)


def visible_view(actor, household) -> dict:
    """The response form for this actor: admins in scope see the name; nobody sees the ID number;
    suppliers see neither the registry number nor anything beyond the masked household."""
    if actor.role == "admin" and may_see(actor, household.village_code):
        return household_view(household, full_name=True)
    return household_view(household, full_name=False, registry=actor.role in STAFF_ROLES)


def supply_weights(*, product_id: int, supplier_id: int, since: date, until: date) -> list[tuple[int, int]]:
    """Supply-record weights for ``households_by_supply`` attribution, one SQL aggregate.

    Returns ``[(household_id, total_quantity), ...]`` for the supplier's records of that product
    with ``since <= supplied_on <= until`` (both inclusive), ordered by household id; households
    with no records in the window are absent (an empty list means no recipients). Quantities are
    whole units, so every total is a positive int.
    """
    window = (product_id, supplier_id, since, until)
    return supply_weights_many([window])[window]


def supply_weights_many(windows) -> dict:
    """:func:`supply_weights` of many ``(product_id, supplier_id, since, until)`` windows at once:
    ``{window: [(household_id, total_quantity), ...]}``, one query per (product, supplier)."""
    by_pair = defaultdict(set)
    for window in windows:
        by_pair[window[:2]].add(window)
    found = {}
    for (product_id, supplier_id), wanted in by_pair.items():
        rows = db.session.execute(
            select(SupplyRecord.household_id, SupplyRecord.supplied_on, SupplyRecord.quantity)
            .where(SupplyRecord.product_id == product_id, SupplyRecord.organization_id == supplier_id,
                   SupplyRecord.supplied_on >= min(w[2] for w in wanted),
                   SupplyRecord.supplied_on <= max(w[3] for w in wanted))).all()
        for window in wanted:
            totals = defaultdict(int)
            for household_id, supplied_on, quantity in rows:
                if window[2] <= supplied_on <= window[3]:
                    totals[int(household_id)] += int(quantity)
            found[window] = sorted(totals.items())
    return found


def share_weights(*, supplier_id: int) -> list[tuple[int, int]]:
    """Membership weights for ``households_by_shares`` attribution: ``[(household_id, shares), ...]``
    for the supplier, ordered by household id (shares are always > 0; empty = no members)."""
    rows = db.session.execute(select(Membership.household_id, Membership.shares)
                              .where(Membership.organization_id == supplier_id).order_by(Membership.household_id))
    return [(int(household_id), int(shares)) for household_id, shares in rows]
