"""geography.codes: levels by length, parents, counties; pure functions on strings."""
import pytest

from marketplace.geography.codes import (
    ancestor_codes,
    county_of,
    is_valid_code,
    level_of,
    parent_of,
    same_county,
)


@pytest.mark.parametrize("code,level,parent", [
    ("51", "province", None), ("5117", "city", "51"), ("511781", "county", "5117"),
    ("511781101", "township", "511781"), ("511781101001", "village", "511781101"),
    ("5117811", None, None), ("", None, None),
])
def test_level_and_parent_follow_the_code_length(code, level, parent):
    assert level_of(code) == level and parent_of(code) == parent


def test_ancestors_and_county():
    assert ancestor_codes("511781101001") == ["511781101", "511781", "5117", "51"]
    assert county_of("511781101001") == county_of("511781") == "511781"
    assert county_of("5117") is None
    assert same_county("511781101001", "511781") and not same_county("511781", "511722")
    assert not same_county("5117", "5117")


@pytest.mark.parametrize("code,valid", [("51", True), ("511781101001", True), ("5117811", False), ("", False),
                                        ("５１", False), ("51a", False), (None, False)])
def test_is_valid_code_takes_ascii_digits_of_a_level_length(code, valid):
    assert is_valid_code(code) is valid
