"""GB 32100-2015 check character: published codes pass, any single change fails."""

import pytest

from marketplace.organizations.uscc import (
    USCC_CHARSET,
    normalize_uscc,
    org_code_check_char,
    prefix_matches_kind,
    uscc_check_char,
    validate_uscc,
)

PUBLISHED = [
    "91350100M000100Y43",
    "91110000600037341L",
    "91440300708461136T",
    "91110108551385082Q",
    "91110000100005220B",
    "914403001922038216",
]

# Bodies chosen by hand, completed with uscc_check_char; the full codes are
# written out so a change in the maths is caught.
CONSTRUCTED = [
    "93510000MA1234567X",
    "12100000400012345P",
    "52330100MJ00000011",
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_validate_uscc_published_code_is_valid(code):
    assert validate_uscc(code)


@pytest.mark.parametrize("code", CONSTRUCTED)
def test_validate_uscc_constructed_code_is_valid(code):
    assert uscc_check_char(code[:17]) == code[17]
    assert validate_uscc(code)


def test_uscc_check_char_known_values():
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert uscc_check_char("91110000600037341") == "L"
    assert uscc_check_char("91440300192203821") == "6"


def test_uscc_check_char_sum_divisible_by_31_gives_zero():
    # all zeros: weighted sum 0 -> 31 - 0 = 31 -> "0"
    assert uscc_check_char("0" * 17) == "0"
    assert validate_uscc("0" * 18)


@pytest.mark.parametrize("code", PUBLISHED)
def test_validate_uscc_any_other_check_char_is_invalid(code):
    for char in USCC_CHARSET:
        if char != code[-1]:
            assert not validate_uscc(code[:-1] + char)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "91350100M000100Y4",
        "91350100M000100Y433",
        "91350100m000100Y43",  # lower case
        "91350100I000100Y43",  # I
        "91350100O000100Y43",  # O
        "91350100S000100Y43",  # S
        "91350100V000100Y43",  # V
        "91350100Z000100Y43",  # Z
        "91350100M000100Y4 ",
        "９1350100M000100Y43",  # full-width digit
        None,
        913501001000100143,
    ],
)
def test_validate_uscc_malformed_code_is_invalid(code):
    assert not validate_uscc(code)


@pytest.mark.parametrize("body", ["", "9135010", "91350100M000100Y43", "91350100I000100Y4"])
def test_uscc_check_char_bad_body_raises(body):
    with pytest.raises(ValueError):
        uscc_check_char(body)


def test_normalize_uscc_strips_and_upper_cases():
    assert normalize_uscc(" 91110000600037341l\n") == "91110000600037341L"
    assert validate_uscc(normalize_uscc(" 91110000600037341l\n"))


def test_org_code_check_char_gb11714_examples():
    assert org_code_check_char("D2143569") == "X"
    assert org_code_check_char("M000100Y") == "4"  # the organization code inside 91350100M000100Y43


@pytest.mark.parametrize("code,kind,matches", [
    ("93511781MA0000017X", "cooperative", True), ("91511781MA0000017X", "cooperative", False),
    ("91511781MA0000017X", "enterprise", True), ("12511702000000000X", "hospital", True),
    ("81511702000000000X", "union", True), ("N2220422MA0000017X", "collective", True),
    ("93220422MA0000017X", "collective", False), ("12511702000000000X", "nonsense", False),
])
def test_prefix_matches_kind(code, kind, matches):
    assert prefix_matches_kind(code, kind) is matches
