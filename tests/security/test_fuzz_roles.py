"""schemathesis fuzzing (positive and negative data, seeded, five examples per operation and mode) over the
whole OpenAPI document for every other role, anonymous included: no 5xx, responses match their schemas,
invalid data rejected, declared auth enforced."""
import json

import pytest

ROLES = ("auditor", "supplier_manager", "buyer_purchaser", "buyer_approver", "anonymous")


@pytest.mark.parametrize("role", ROLES)
def test_schemathesis_fuzzing_as_role_zero_failures(fuzz, role):
    stats, failures, errors = fuzz(role)
    print(f"\nschemathesis {role}: {len(stats['operations'])} operations, {stats['cases']} cases, "
          f"statuses {sorted(stats['statuses'].items())}")
    assert len(stats["operations"]) >= 70
    assert errors == []
    assert failures == [], json.dumps(failures, ensure_ascii=False, indent=1)
