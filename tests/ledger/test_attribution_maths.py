"""Pin the ledger's rounding: exact sums, quotas within a fen, lowest key wins ties."""
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.ledger.attribution_maths import (
    largest_remainder,
    refund_parts,
    split_by_scheme,
)

#: 10000 examples; the mutation run (scripts/mutants.py) lowers it, since it runs these per mutant
MANY = settings(max_examples=int(os.environ.get("MONEY_HYPOTHESIS_EXAMPLES", "10000")), deadline=None)

weights_and_keys = st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 10**9)), min_size=1, max_size=12).filter(
    lambda pairs: sum(w for w, _ in pairs) > 0
)


@MANY
@given(total=st.integers(0, 10**12), pairs=weights_and_keys)
def test_largest_remainder_any_split_sums_exactly_within_one_fen(total, pairs):
    # given
    weights = [w for w, _ in pairs]
    keys = [k for _, k in pairs]
    weight_sum = sum(weights)
    # when
    parts = largest_remainder(total, weights, keys)
    # then
    assert sum(parts) == total
    assert parts == largest_remainder(total, list(weights), list(keys))
    for part, weight in zip(parts, weights, strict=True):
        # |part - total*w/W| < 1, in integers
        assert abs(part * weight_sum - total * weight) < weight_sum
        if weight == 0:
            assert part == 0


@MANY
@given(total=st.integers(0, 10**9), size=st.integers(1, 9), data=st.data())
def test_largest_remainder_equal_weights_extra_fen_go_to_lowest_keys(total, size, data):
    # given: equal weights, so every remainder ties
    keys = data.draw(st.permutations(list(range(100, 100 + size))))
    # when
    parts = largest_remainder(total, [7] * size, keys)
    # then
    base, extra = divmod(total, size)
    winners = set(sorted(keys)[:extra])
    assert parts == [base + 1 if key in winners else base for key in keys]


def test_largest_remainder_three_way_tie_lowest_key_gets_extra_fen():
    assert largest_remainder(100, [1, 1, 1], [3, 1, 2]) == [33, 34, 33]
    assert largest_remainder(101, [1, 1, 1], [3, 1, 2]) == [33, 34, 34]


def test_largest_remainder_zero_weight_gets_nothing():
    assert largest_remainder(5, [0, 1, 1], [1, 2, 3]) == [0, 3, 2]
    assert largest_remainder(0, [4, 5], [1, 2]) == [0, 0]


@pytest.mark.parametrize(
    "total,weights,keys",
    [
        (-1, [1], [1]),
        (10, [1, -1], [1, 2]),
        (10, [0, 0], [1, 2]),
        (10, [], []),
        (10, [1, 2], [1]),
    ],
)
def test_largest_remainder_bad_arguments_raise_value_error(total, weights, keys):
    with pytest.raises(ValueError):
        largest_remainder(total, weights, keys)


@pytest.mark.parametrize("total,weights", [(10.0, [1]), (10, [1.5]), (True, [1])])
def test_largest_remainder_non_integers_raise_type_error(total, weights):
    with pytest.raises(TypeError):
        largest_remainder(total, weights, [1])


def test_split_by_scheme_worked_example_matches_hand_calculation():
    # 1234567 * 0.6 = 740740.2, *0.2 = 246913.4, *0.1 = 123456.7 (twice).
    # Floors sum to 1234565; the 2 fen left go to the .7 remainders.
    parts = split_by_scheme(
        1234567,
        {
            "households_by_supply": 6000,
            "households_by_shares": 2000,
            "collective": 1000,
            "supplier": 1000,
        },
    )
    assert parts == {
        "households_by_supply": 740740,
        "households_by_shares": 246913,
        "collective": 123457,
        "supplier": 123457,
    }
    assert list(parts) == ["households_by_supply", "households_by_shares", "collective", "supplier"]


def test_split_by_scheme_worked_example_supply_bucket_over_households():
    # 500:300:200 kg of 740740 = 370370, 222222, 148148 exactly (no rounding).
    assert largest_remainder(740740, [500, 300, 200], [11, 12, 13]) == [370370, 222222, 148148]
    # One more fen: remainders .5, .3, .2 -> account 11 takes it.
    assert largest_remainder(740741, [500, 300, 200], [11, 12, 13]) == [370371, 222222, 148148]


def test_split_by_scheme_worked_example_shares_bucket_over_shareholders():
    # 246913 * 60/100 = 148147.8, * 40/100 = 98765.2; 1 fen left -> account 21 (.8).
    assert largest_remainder(246913, [60, 40], [21, 22]) == [148148, 98765]


def test_split_by_scheme_tie_goes_to_first_bucket():
    parts = split_by_scheme(1, {"a": 5000, "b": 5000})
    assert parts == {"a": 1, "b": 0}
    parts = split_by_scheme(1, {"b": 5000, "a": 5000})
    assert parts == {"b": 1, "a": 0}


def test_split_by_scheme_shares_not_summing_to_10000_raise():
    with pytest.raises(ValueError):
        split_by_scheme(100, {"supplier": 9999})


def test_refund_parts_worked_example_half_refund_reverses_in_proportion():
    remaining = [370370, 222222, 148148]
    assert refund_parts(370370, remaining, [11, 12, 13]) == [185185, 111111, 74074]
    assert refund_parts(1, remaining, [11, 12, 13]) == [1, 0, 0]
    assert refund_parts(740740, remaining, [11, 12, 13]) == remaining


def test_refund_parts_nothing_left_refund_zero_is_all_zero():
    assert refund_parts(0, [0, 0], [1, 2]) == [0, 0]


@pytest.mark.parametrize(
    "refund,remaining",
    [(11, [5, 5]), (-1, [5, 5]), (1, [0, 0]), (1, [3, -1])],
)
def test_refund_parts_refund_above_remaining_or_negative_raise(refund, remaining):
    with pytest.raises(ValueError):
        refund_parts(refund, remaining, [1, 2])


@MANY
@given(
    line_fen=st.integers(0, 10**9),
    pairs=weights_and_keys,
    refund_fractions=st.lists(st.integers(0, 10**6), max_size=8),
)
def test_refund_parts_partial_refund_sequence_never_negative_full_refund_zeroes(line_fen, pairs, refund_fractions):
    # given: a line attributed to recipients
    weights = [w for w, _ in pairs]
    keys = [k for _, k in pairs]
    remaining = largest_remainder(line_fen, weights, keys)
    refunded_total = 0
    # when: a sequence of partial refunds, each at most what is left
    for fraction in refund_fractions:
        left = sum(remaining)
        refund = left * fraction // 10**6
        parts = refund_parts(refund, remaining, keys)
        # then
        assert sum(parts) == refund
        assert all(0 <= p <= r for p, r in zip(parts, remaining, strict=True))
        remaining = [r - p for r, p in zip(remaining, parts, strict=True)]
        refunded_total += refund
        assert all(r >= 0 for r in remaining)
    # and refunding the rest zeroes everyone exactly
    last = refund_parts(sum(remaining), remaining, keys)
    assert last == remaining
    assert refunded_total + sum(last) == line_fen


@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda: largest_remainder(10.0, [1], [1]), TypeError, "total_fen must be an int, got float"),
        (lambda: largest_remainder(True, [1], [1]), TypeError, "total_fen must be an int, got bool"),
        (lambda: largest_remainder(10, [1, 1.5], [1, 2]), TypeError, "weight must be an int, got float"),
        (lambda: largest_remainder(-1, [1], [1]), ValueError, "total_fen must not be negative"),
        (lambda: largest_remainder(10, [1, 2], [1]), ValueError, "weights and tie_keys must have the same length"),
        (lambda: largest_remainder(10, [1, -1], [1, 2]), ValueError, "weights must not be negative"),
        (lambda: largest_remainder(10, [0, 0], [1, 2]), ValueError, "weights must have a positive sum"),
        (lambda: split_by_scheme(100, {"supplier": 9999}), ValueError, "scheme shares must sum to 10000 bp"),
        (lambda: refund_parts(1.0, [5], [1]), TypeError, "refund_fen must be an int, got float"),
        (lambda: refund_parts(1, [5, 2.0], [1, 2]), TypeError, "remaining must be an int, got float"),
        (lambda: refund_parts(-1, [5, 5], [1, 2]), ValueError, "refund_fen must not be negative"),
        (lambda: refund_parts(1, [5, 5], [1]), ValueError, "remaining and tie_keys must have the same length"),
        (lambda: refund_parts(1, [3, -1], [1, 2]), ValueError, "remaining amounts must not be negative"),
        (lambda: refund_parts(11, [5, 5], [1, 2]), ValueError, "refund exceeds the amount still credited"),
    ],
)
def test_bad_arguments_name_the_argument_and_the_rule_broken(call, error, message):
    with pytest.raises(error) as raised:
        call()
    assert str(raised.value) == message
