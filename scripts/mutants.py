"""`make mutants`: mutmut over the money modules, each with its own narrow test selection.

Each group runs in its own copy of the project (``build/mutants/<group>``: mutmut writes its
``mutants/`` tree and state there), SQLite, one worker (``--max-children 1``), ``-x``, no
random order. The summary (killed / survived / timeout per module, the kill ratio with the
equivalent mutants of ``EQUIVALENT`` excluded, and every survivor) is written to
``bench/results/mutants.md``. Not part of ``make test``.

    python scripts/mutants.py [group ...]      # all groups when none is named
"""
import fnmatch
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "mutants"
RESULTS = ROOT / "bench" / "results"

#: group -> (module to mutate, the functions holding its money rules (mutmut name globs), the test
#: files that guard it). Only those functions are mutated: a whole-module run is ~1500 mutants,
#: hours on one core; the rest of each module is plumbing (HTTP shapes, look-ups, audit).
GROUPS = {
    "webhooks": ("marketplace/payments/webhooks.py",
                 ["*.x__on_intent_succeeded__mutmut_*", "*.x__on_charge_refunded__mutmut_*"],
                 ["tests/payments/test_stripe_webhooks.py", "tests/payments/test_money_exact_api.py",
                  "tests/payments/test_refund_failures.py"]),
    "placing": ("marketplace/orders/services/placing.py",
                ["*.x_take_stock__mutmut_*", "*.x__count_sales__mutmut_*"],
                ["tests/orders/test_placing_stock.py", "tests/orders/test_orders_api.py"]),
    "attribution": ("marketplace/ledger/services/attribution.py",
                    ["*supply_weights__mutmut_*", "*preload_schemes__mutmut_*", "*_Lookupsǁcollective__mutmut_*",
                     "*.x__plan_line__mutmut_*", "*.x__split_households__mutmut_*", "*.x__line_entry__mutmut_*"],
                    ["tests/ledger/test_money_exact.py", "tests/ledger/test_ledger_posting.py"]),
    "ledger_refunds": ("marketplace/ledger/services/refunds.py",
                       ["*.x_held_by_recipients__mutmut_*", "*.x__reverse_line__mutmut_*",
                        "*.x_post_refund__mutmut_*", "*.x_post_refund_paid__mutmut_*"],
                       ["tests/ledger/test_ledger_refunds.py", "tests/payments/test_money_exact_api.py"]),
    "refunding": ("marketplace/payments/services/refunding.py",
                  ["*.x_line_amount__mutmut_*", "*.x__resolve_lines__mutmut_*", "*.x__apply__mutmut_*",
                   "*.x_refund_cancelled_order__mutmut_*", "*.x_settle_refund__mutmut_*"],
                  ["tests/payments/test_refunds_api.py", "tests/payments/test_money_exact_api.py",
                   "tests/payments/test_refund_failures.py", "tests/payments/test_refund_cancelled_order.py"]),
    "refund_undo": ("marketplace/payments/services/refund_undo.py", ["*.x_undo_refund__mutmut_*"],
                    ["tests/payments/test_refund_failures.py", "tests/payments/test_refunds_api.py"]),
    "attribution_maths": ("marketplace/ledger/attribution_maths.py", ["*"],
                          ["tests/ledger/test_attribution_maths.py"]),
    "visibility": ("marketplace/orders/services/visibility.py",
                   ["*.x_order_visible_clause__mutmut_*", "*.x_order_changeable_clause__mutmut_*",
                    "*.x_fulfilment_visible_clause__mutmut_*", "*SupplierOrderView*__init____mutmut_*"],
                   ["tests/orders/test_order_fulfilment_flow.py", "tests/security/test_scope_and_mass_assignment.py",
                    "tests/orders/test_order_write_scope.py"]),
}

_SYNC = ("synchronize_session=None instead of False: the ORM then syncs the SKU/product objects in the "
         "session with the UPDATE; place_order expires exactly those attributes right after, so no reader "
         "can tell (the statements sent are the same)")

_ROWID = ("no ORDER BY id / no LIMIT 1 on the collective look-up: on SQLite (where the run goes) rows come back "
          "in rowid order, so the first row is still the lowest id; PostgreSQL gives no such promise, which is why "
          "the code orders (tests/ledger/test_money_exact.py::test_collective_is_the_lowest_id_not_suspended_one_"
          "at_the_origin_village pins the outcome)")

_PRELOAD = ("preload_schemes' early or late look-up made with product or supplier None: that look-up lands on a "
            "fallback (supplier default or built-in), cached under its own key; it only decides whether the "
            "shortcut applies, and when it does anyway the scheme stored is the one every moment resolves to "
            "(same id and version); otherwise each moment is looked up on its own: the same schemes")

_STRICT = ("zip(..., strict=True) -> strict None/False/absent: largest_remainder returns exactly one part per "
           "weight, so the two sequences always have the same length; strict is a guard that cannot fire")

#: mutant name -> why no test can tell it from the original (excluded from the ratio)
EQUIVALENT: dict[str, str] = {
    "marketplace.payments.services.refunding.x_settle_refund__mutmut_1":
        "the default region_code of settle_refund changed: every caller (mark_refund_executed, "
        "outbox_handlers.settle_from_stripe and the refused-refund path) passes region_code, the default is never used",
    "marketplace.orders.services.visibility.x_fulfilment_visible_clause__mutmut_5":
        "a supplier manager without an organization compared by supplier_id = NULL instead of false(): "
        "fulfilments.supplier_id is NOT NULL, so neither matches a row",
    **{f"marketplace.ledger.attribution_maths.x_split_by_scheme__mutmut_{n}": _STRICT for n in (19, 22, 23)},
    **{f"marketplace.ledger.attribution_maths.x_refund_parts__mutmut_{n}": _STRICT for n in (48, 51, 52)},
    **{f"marketplace.ledger.attribution_maths.x_refund_parts__mutmut_{n}":
       "the message of refund_parts' AssertionError: the guard cannot fire (the docstring's proof: a part is at "
       "most the ceiling of a quota that is at most the integer held), so no test can see its text"
       for n in (53, 54, 55)},
    "marketplace.ledger.services.refunds.x_held_by_recipients__mutmut_32":
        "holdings of exactly 0 kept (total <= 0): refund_parts gives such a holding 0 (a part never exceeds what "
        "is held) and EntryDraft.post drops a 0 amount, so the entry is the same",
    "marketplace.ledger.services.refunds.x_held_by_recipients__mutmut_14":
        "no income-kind filter: the only other accounts with postings on a line are the order's clearing "
        "account, whose per-line total is never negative (debited the attribution, credited at most that by "
        "refunds), and holdings keep only negative totals",
    **{f"marketplace.ledger.services.refunds.x_held_by_recipients__mutmut_{n}":
       "join(LedgerAccount) without its ON clause: SQLAlchemy infers the same join from the one foreign key"
       for n in (16, 18)},
    **{f"marketplace.ledger.services.refunds.x_held_by_recipients__mutmut_{n}":
       "the ORDER BY of the holdings changed or dropped: refund_parts breaks ties on the (account id, mode) key "
       "passed with each holding, not on position, and the parts are zipped back to their own holdings"
       for n in (3, 4, 5, 6)},
    "marketplace.payments.webhooks.x__on_intent_succeeded__mutmut_28":
        "a missing currency read as 'xxxx' instead of '': neither equals the payment's 'cny', so both are a "
        "mismatch",
    "marketplace.ledger.services.attribution.xǁ_Lookupsǁpreload_schemes__mutmut_5": _PRELOAD,
    "marketplace.ledger.services.attribution.xǁ_Lookupsǁpreload_schemes__mutmut_6": _PRELOAD,
    "marketplace.ledger.services.attribution.xǁ_Lookupsǁpreload_schemes__mutmut_12": _PRELOAD,
    "marketplace.ledger.services.attribution.xǁ_Lookupsǁpreload_schemes__mutmut_13": _PRELOAD,
    "marketplace.ledger.services.attribution.xǁ_Lookupsǁpreload_schemes__mutmut_14":
        "the late look-up made at 'now' instead of the last moment: when early is already the latest version the "
        "last moment has it too (versions only follow each other); otherwise no shortcut: the same schemes",
    "marketplace.ledger.services.attribution.xǁ_Lookupsǁpreload_schemes__mutmut_21":
        "setdefault(early): stores None under the scheme object as key; no moment is preloaded, each is looked "
        "up on its own: the same schemes, more queries",
    "marketplace.ledger.services.attribution.xǁ_Lookupsǁpreload_schemes__mutmut_19":
        "the shortcut stores under the key None: no moment is preloaded, each is looked up on its own: the same "
        "schemes, more queries",
    "marketplace.ledger.services.attribution.xǁ_Lookupsǁcollective__mutmut_20":
        "limit(2) instead of limit(1): session.scalar takes the first row either way",
    "marketplace.ledger.services.attribution.x__split_households__mutmut_13": _STRICT,
    "marketplace.ledger.services.attribution.x__split_households__mutmut_16": _STRICT,
    "marketplace.ledger.services.attribution.x__split_households__mutmut_17": _STRICT,
    "marketplace.ledger.services.attribution.xǁ_Lookupsǁcollective__mutmut_4": _ROWID,
    "marketplace.ledger.services.attribution.xǁ_Lookupsǁcollective__mutmut_5": _ROWID,
    "marketplace.orders.services.placing.x_take_stock__mutmut_11": _SYNC,
    "marketplace.orders.services.placing.x_take_stock__mutmut_40": _SYNC,
    "marketplace.orders.services.placing.x__count_sales__mutmut_3": _SYNC,
}

#: Statements not mutated: audit records, log lines and the memo text (wording, not money rules)
SKIP_LINES = [r"^\s*record\(", r"^\s*log\.", r"^\s*memo\.append\("]

#: Survivors of a run (its group copied the tests before these were written) that a new test kills,
#: counted as killed. Checked by hand (mutation applied, the test fails; restored, it passes) except those
#: marked "asserted directly": the test compares the very field the mutant changes (not re-run).
_NAMES = ("tests/ledger/test_money_exact.py::test_attribution_entries_name_their_order_payment_and_line_on_every_"
          "posting")

_RECEIVED = "tests/payments/test_stripe_webhooks.py::test_webhook_amount_received_is_what_counts"

_CANCEL = "tests/payments/test_refund_cancelled_order.py::"

_MESSAGES = "tests/ledger/test_attribution_maths.py::test_bad_arguments_name_the_argument_and_the_rule_broken"
_CHECKED = {"x__require_int__mutmut_3", "x_largest_remainder__mutmut_5", "x_refund_parts__mutmut_32"}
_MESSAGE_MUTANTS = (["x__require_int__mutmut_3", "x__require_int__mutmut_4", "x_split_by_scheme__mutmut_6"]
                    + [f"x_{f}__mutmut_{n}" for f in ("largest_remainder", "refund_parts")
                       for n in (1, 5, 6, 9, 10, 11, 13, 14, 15, 16, 20, 21, 24, 25, 26)]
                    + [f"x_largest_remainder__mutmut_{n}" for n in (31, 32, 33)]
                    + [f"x_refund_parts__mutmut_{n}" for n in (30, 31, 32)])

KILLED_AFTER_RUN = {
    **{f"marketplace.payments.services.refund_undo.x_undo_refund__mutmut_{n}":
       "tests/payments/test_refund_failures.py::test_a_failed_refund_next_to_a_standing_one_leaves_the_order_"
       "partially_refunded" + ("" if n in (22, 27) else " (same as _27)") for n in (22, 27, 28)},
    **{f"marketplace.ledger.attribution_maths.{m}": _MESSAGES + ("" if m in _CHECKED else " (asserted directly)")
       for m in _MESSAGE_MUTANTS},
    "marketplace.payments.services.refunding.x_line_amount__mutmut_1":
        "tests/payments/test_refunds_api.py::test_refund_of_the_last_units_after_an_outside_refund_takes_the_lines_"
        "remainder",
    **{f"marketplace.payments.services.refunding.x_settle_refund__mutmut_{n}":
       "tests/payments/test_refunds_api.py::test_bank_refund_mark_executed_is_audited_with_its_admin_and_status_change"
       + ("" if n in (13, 16, 17, 18) else " (asserted directly)") for n in (13, 16, 17, 18, 22, 23, 24, 25, 26)},
    **{f"marketplace.payments.services.refunding.x_refund_cancelled_order__mutmut_{n}":
       f"{_CANCEL}test_cancel_refund_after_a_partial_refund_takes_only_what_is_left" for n in (8, 9)},
    **{f"marketplace.payments.services.refunding.x_refund_cancelled_order__mutmut_{n}":
       f"{_CANCEL}test_cancel_refund_without_a_cancel_reason_is_made_by_the_given_actor" for n in (13, 15)},
    **{f"marketplace.orders.services.visibility.x_order_visible_clause__mutmut_{n}":
       "tests/orders/test_order_write_scope.py::test_county_admin_sees_an_order_of_its_buyer_whose_lines_all_come_from_elsewhere"
       for n in (6, 8)},
    **{f"marketplace.orders.services.visibility.x_order_changeable_clause__mutmut_{n}":
       "tests/orders/test_order_write_scope.py::test_county_admin_cannot_change_an_order_of_a_buyer_outside_its_county"
       for n in (8, 11)},
    "marketplace.orders.services.visibility.x_order_changeable_clause__mutmut_19":
        "tests/orders/test_order_write_scope.py::test_another_orders_foreign_line_does_not_stop_a_county_admin",
    "marketplace.orders.services.visibility.xǁSupplierOrderViewǁ__init____mutmut_1":
        "tests/orders/test_order_fulfilment_flow.py::test_supplier_view_shows_the_orders_own_fields",
    **{f"marketplace.ledger.services.refunds.x_held_by_recipients__mutmut_{n}":
       "tests/ledger/test_money_exact.py::test_refund_reverses_a_household_per_benefit_mode" for n in (8, 10)},
    **{f"marketplace.ledger.services.refunds.x_post_refund_paid__mutmut_{n}":
       "tests/payments/test_money_exact_api.py::test_cancel_paid_transfer_order_refunds_everything_and_restores_stock"
       " (asserted directly)" for n in (6, 7, 11, 12)},
    **{f"marketplace.payments.webhooks.x__on_intent_succeeded__mutmut_{n}": _RECEIVED + "[received_absent]"
       for n in (19, 20, 21)},
    **{f"marketplace.payments.webhooks.x__on_intent_succeeded__mutmut_{n}": _RECEIVED + "[received_exact] (audit "
       "source)" for n in (46, 47)},
    "marketplace.payments.webhooks.x__on_intent_succeeded__mutmut_41": _RECEIVED + "[received_exact] (audit source)",
    **{f"marketplace.ledger.services.attribution.x__line_entry__mutmut_{n}": _NAMES + " (asserted directly)"
       for n in (11, 12, 13, 18, 19, 20, 34)},
    "marketplace.ledger.services.attribution.x__line_entry__mutmut_31": _NAMES,
    "marketplace.ledger.services.attribution.x__split_households__mutmut_20":
        "tests/ledger/test_money_exact.py::test_supply_lookback_window_includes_its_edge_days_and_nothing_beyond",
    "marketplace.ledger.services.attribution.xǁ_Lookupsǁpreload_schemes__mutmut_22":
        "tests/ledger/test_money_exact.py::test_batch_posting_of_three_payments_under_one_scheme_version "
        "(same effect as _20: a None scheme stored for the middle moment)",
    "marketplace.ledger.services.attribution.x__plan_line__mutmut_23":
        "tests/ledger/test_money_exact.py::test_supply_window_uses_the_shanghai_date_of_the_payment",
    "marketplace.ledger.services.attribution.xǁ_Lookupsǁpreload_schemes__mutmut_20":
        "tests/ledger/test_money_exact.py::test_batch_posting_of_three_payments_under_one_scheme_version",
    "marketplace.ledger.services.attribution.xǁ_Lookupsǁsupply_weights__mutmut_1":
        "tests/ledger/test_money_exact.py::test_batch_posting_looks_up_supply_per_product",
    "marketplace.ledger.services.attribution.xǁ_Lookupsǁcollective__mutmut_9":
        "tests/ledger/test_money_exact.py::test_collective_is_the_lowest_id_not_suspended_one_at_the_origin_village "
        "(a cooperative at the village, lowest id)",
    "marketplace.ledger.services.attribution.xǁ_Lookupsǁcollective__mutmut_10":
        "tests/ledger/test_money_exact.py::test_collective_is_the_lowest_id_not_suspended_one_at_the_origin_village "
        "(a collective of another village, lower id)",
}

#: what each recorded run covered (printed under the table): a partial or earlier run says so here
RUN_NOTES = {
    "webhooks": "run 2026-11-29 ~14:30 UTC on the code before the outbox merge (only _on_intent_succeeded "
                "selected then); _on_intent_succeeded has changed since only in its duplicate branch "
                "(refund_duplicate_charge, _replay_deferred). The re-run on the merged code (with "
                "_on_charge_refunded) stopped at mutmut's stats step: a stale test "
                "(test_webhook_success_for_an_order_already_paid_otherwise_...) asserted the pre-merge outcome; it is "
                "fixed, the re-run was not made (time)",
    "attribution": "run on the code before the int2/int3 merges (preload_supply and local_date came since); "
                   "51 selected mutants not run (time)",
    "ledger_refunds": "run on the code before the merge (post_refund gained `at`); 125 selected mutants not run (time)",
    "refunding": "partial (stopped for time after refund_cancelled_order, settle_refund, line_amount and the first "
                 "_apply mutants); _resolve_lines and most of _apply not run",
    "attribution_maths": "complete; re-run after the message test was written",
    "visibility": "complete",
    "refund_undo": "new group (the failed-refund reversal), complete",
    "placing": "complete (earlier run, code unchanged in the mutated functions)",
}

PYTEST_ARGS = ["-x", "-q", "-p", "no:randomly", "-p", "no:xdist", "-p", "no:cacheprovider"]


def _setup(group, module, tests):
    where = WORK / group
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    for name in ("marketplace", "tests", "config.py", "wsgi.py", "data"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, where / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy(src, where / name)
    tests = [t for t in tests if (ROOT / t).exists()]
    (where / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\npythonpath = ["."]\nfilterwarnings = ["ignore::DeprecationWarning"]\n'
        'markers = ["postgres: needs PostgreSQL (skipped on SQLite)"]\n\n'
        "[tool.mutmut]\n"
        'source_paths = ["marketplace"]\n'
        f"only_mutate = {json.dumps([module])}\n"
        f"pytest_add_cli_args = {json.dumps(PYTEST_ARGS)}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
        'also_copy = ["config.py", "wsgi.py", "data"]\n'
        f"do_not_mutate_patterns = {json.dumps(SKIP_LINES)}\n"
        "use_git_change_detection = false\n"
        "timeout_multiplier = 5.0\n"
        "timeout_constant = 10.0\n")
    return where


def run_group(group):
    module, functions, tests = GROUPS[group]
    where = _setup(group, module, tests)
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env["MONEY_HYPOTHESIS_EXAMPLES"] = "200"
    mutmut = [sys.executable, "-m", "mutmut"]
    with open(where / "run.log", "w") as log:
        subprocess.run([*mutmut, "run", "--max-children", "1", *functions], cwd=where, env=env, stdout=log,
                       stderr=subprocess.STDOUT)
    out = subprocess.run([*mutmut, "results", "--all", "true"], cwd=where, env=env, capture_output=True, text=True)
    return module, _parse(out.stdout)


def _parse(text):
    statuses = {}
    for line in text.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name and status.strip() != "not checked":
            statuses[name] = status.strip()
    return statuses


def _not_run(group):
    """Selected mutants (the group's function globs) the run never reached (stopped for time)."""
    where = WORK / group
    if not (where / "mutants").exists():
        return None
    out = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=where,
                         capture_output=True, text=True)
    globs = GROUPS[group][1]
    return sum(1 for line in out.stdout.splitlines() if line.strip().endswith(": not checked")
               and any(fnmatch.fnmatch(line.strip().rpartition(": ")[0], g) for g in globs))


def _diff(group, name):
    where = WORK / group
    out = subprocess.run([sys.executable, "-m", "mutmut", "show", name], cwd=where, capture_output=True, text=True)
    return "\n".join(line for line in out.stdout.splitlines() if line.startswith(("+", "-"))
                     and not line.startswith(("+++", "---")))


#: The four survivors of the issue-24 manual audit and the test that now kills each (checked by hand:
#: the mutation applied to the code, the test run, it fails; the code restored, it passes).
ISSUE_SURVIVORS = [
    ("placing.take_stock: `sorted(...)` dropped (lines' order, not SKU id order)",
     "tests/orders/test_placing_stock.py::test_stock_updates_run_in_ascending_sku_id_order_whatever_the_line_order"),
    ("placing.take_stock: the give-back loop skipped on a shortage (`for ... in taken[:0]`)",
     "tests/orders/test_placing_stock.py::test_shortage_on_a_later_sku_gives_back_what_was_taken_from_earlier_ones"),
    ("webhooks._on_intent_succeeded: `amount != payment.amount_fen` -> `amount < ...` (overpayment accepted)",
     "tests/payments/test_stripe_webhooks.py::test_webhook_amount_or_currency_mismatch_acknowledged_not_posted_"
     "audited[overpaid_1_fen]"),
    ("paying.confirm_transfer: `!=` -> `<` on the amount (same one-sided test)",
     "tests/payments/test_confirm_transfer.py::test_confirm_transfer_wrong_amount_gives_422_naming_amount"
     "[overpaid_1_fen]; tests/payments/test_money_exact_api.py::test_confirm_transfer_one_fen_off_posts_nothing[2001]"),
    ("attribution supply look-back one day short (`timedelta(days=lookback_days - 1)`)",
     "tests/ledger/test_money_exact.py::test_supply_lookback_window_includes_its_edge_days_and_nothing_beyond"),
]


def report(results):
    lines = ["# Mutation run over the money modules (`make mutants`)", "",
             "mutmut, SQLite, one worker, `-x -p no:randomly`, each module against its own test files "
             "(`scripts/mutants.py`: GROUPS).", "",
             "| module | mutants run | killed | survived | timeout/other | equivalent | kill ratio "
             "| selected, not run |",
             "|---|---|---|---|---|---|---|---|"]
    total_k = total_n = total_later = 0
    details = []
    for group, (module, statuses) in results.items():
        later = [n for n, s in statuses.items() if s == "survived" and n in KILLED_AFTER_RUN]
        killed = sum(1 for s in statuses.values() if s in ("killed", "timeout")) + len(later)
        equivalent = [n for n in statuses if n in EQUIVALENT]
        survived = [n for n, s in statuses.items()
                    if s == "survived" and n not in EQUIVALENT and n not in KILLED_AFTER_RUN]
        other = [n for n, s in statuses.items() if s not in ("killed", "survived", "timeout")]
        counted = killed + len(survived)
        ratio = f"{100 * killed / counted:.1f} %" if counted else "-"
        total_k += killed
        total_n += counted
        total_later += len(later)
        not_run = _not_run(group)
        lines.append(f"| {module} | {len(statuses)} | {killed} | {len(survived)} | {len(other)} "
                     f"| {len(equivalent)} | {ratio} | {'-' if not_run is None else not_run} |")
        for name in survived:
            details.append(f"### survived: `{name}`\n```diff\n{_diff(group, name)}\n```")
        for name in other:
            details.append(f"- {statuses[name]}: `{name}`")
        for name in later:
            details.append(f"- survived the run, killed since by `{KILLED_AFTER_RUN[name]}`: `{name}`\n"
                           f"```diff\n{_diff(group, name)}\n```")
    lines += ["", "Per module:"] + [f"- `{GROUPS[g][0]}`: {RUN_NOTES[g]}" for g in results if g in RUN_NOTES]
    missing = [f"`{GROUPS[g][0]}`" for g in GROUPS if g not in results]
    if missing:
        lines += ["", "Not run yet (time): " + ", ".join(missing) + "."]
    if total_n:
        lines += ["", f"**Total: {total_k} killed of {total_n} (equivalents excluded): "
                      f"{100 * total_k / total_n:.1f} %**, of which {total_later} survived the run and are killed by "
                      f"tests written after it (listed below; as run: {total_k - total_later} of {total_n}, "
                      f"{100 * (total_k - total_later) / total_n:.1f} %)"]
    lines += ["", "## The survivors named in issue 24", "", "| mutant | killed by |", "|---|---|"]
    lines += [f"| {mutant} | `{test}` |" for mutant, test in ISSUE_SURVIVORS]
    lines += ["", "## Equivalent mutants (excluded)", ""]
    lines += [f"- `{n}`: {why}" for n, why in EQUIVALENT.items()] or ["(none)"]
    lines += ["", "## Survivors, killed-since and other outcomes", ""] + (details or ["(none)"])
    return "\n".join(lines) + "\n"


def main(argv):
    """``--report``: only rewrite bench/results/mutants.md from the last results."""
    report_only = "--report" in argv
    argv = [a for a in argv if a != "--report"]
    groups = [] if report_only else (argv or list(GROUPS))
    results = {}
    state = WORK / "results.json"
    if state.exists():
        results = {g: tuple(v) for g, v in json.loads(state.read_text()).items()}
    for group in groups:
        print(f"== {group}", flush=True)
        results[group] = run_group(group)
        state.write_text(json.dumps(results, indent=1))
        module, statuses = results[group]
        print(f"   {module}: {sum(s == 'killed' for s in statuses.values())}/{len(statuses)} killed", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "mutants.md").write_text(report(results))


if __name__ == "__main__":
    main(sys.argv[1:])
