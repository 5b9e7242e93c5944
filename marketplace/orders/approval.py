"""Separation of duties on approval: the one rule, called by ``services.transitions.approve_order``.

An approver may not approve an order they placed (403), unless their organization has a single
active approver: then there is no one else to ask, and the approval stands as the record.
"""
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.core.errors import Forbidden
from marketplace.extensions import db


def check_may_approve(actor, order) -> None:
    """403 when ``actor`` placed ``order`` and another active approver of its organization exists."""
    if order.placed_by_id != actor.id:
        return
    approvers = db.session.scalar(select(func.count()).select_from(User).where(
        User.organization_id == order.buyer_org_id, User.role == "buyer_approver", User.is_active.is_(True)))
    if approvers > 1:
        raise Forbidden("an approver may not approve an order they placed; another approver of the organization must")
