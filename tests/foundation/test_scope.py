"""core.scope: the see rule (any region in scope) and the change rule (every region in scope)."""
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from marketplace.core.errors import NotFound
from marketplace.core.scope import covers, in_scope_clause, may_change, may_see, narrowed
from marketplace.geography.models import Region


def _actor(scope):
    return SimpleNamespace(region_scope=scope)


@pytest.mark.parametrize("scope,code,expected", [
    ("", "511781101001", True), (None, "", True), ("51", "511781", True), ("511781", "511781", True),
    ("511781", "511722", False), ("511781", "51", False), ("511781", "", False), ("511781", None, False),
])
def test_covers_is_the_code_prefix_rule(scope, code, expected):
    assert covers(scope, code) is expected


def test_may_see_needs_any_region_may_change_needs_every_region():
    county = _actor("511781")
    assert may_see(county, "511722", "511781101001") and not may_change(county, "511722", "511781101001")
    assert may_change(county, "511781", "511781101001") and may_see(county, "511781")
    assert not may_see(county, "511722") and not may_see(county, "")
    national = _actor("")
    assert may_see(national, "44") and may_change(national, "44", "511781")


def test_narrowed_takes_the_narrower_prefix_or_refuses_a_disjoint_one():
    assert narrowed("5117", "511781") == "511781"
    assert narrowed("511781", "51") == "511781"
    assert narrowed("", "") == "" and narrowed(None, "44") == "44"
    with pytest.raises(NotFound):
        narrowed("511781", "511722")


def test_in_scope_clause_matches_the_prefix_literally(db):
    db.session.add_all([Region(code=c, name=c, level="county") for c in ("511781", "511722", "5_1781")])
    db.session.flush()

    def codes(scope):
        return sorted(db.session.scalars(select(Region.code).where(in_scope_clause(Region.code, scope))))
    assert codes("5117") == ["511722", "511781"]
    assert codes("") == ["511722", "511781", "5_1781"]
    assert codes("5_") == ["5_1781"]  # '_' is no LIKE wildcard here
