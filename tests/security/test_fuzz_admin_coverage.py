"""schemathesis over the whole OpenAPI document as the national admin (the role that reaches the deepest
code): the coverage phase (boundary and invalid values of every parameter and body field, undeclared
methods) and then fuzzing, positive and negative, seeded, five examples per operation and mode."""
import json


def test_schemathesis_admin_coverage_and_fuzzing_zero_failures(fuzz):
    stats, failures, errors = fuzz("admin", coverage=True)
    print(f"\nschemathesis admin: {len(stats['operations'])} operations, {stats['cases']} cases, "
          f"statuses {sorted(stats['statuses'].items())}")
    assert len(stats["operations"]) >= 70
    assert errors == []
    assert failures == [], json.dumps(failures, ensure_ascii=False, indent=1)
