"""GB 11643 check character, birth date rule, normalising and masking."""

import datetime as dt

import pytest

from marketplace.households.id_numbers import (
    birth_date,
    id_check_char,
    mask_id_number,
    mask_name,
    normalize_id_number,
    validate_id_number,
)

VALID = [
    "11010519491231002X",  # the standard's own example, check character X
    "513401199001011230",
    "110101200002290018",  # born on a leap day
    "320102198510150068",
    "440304201012311231",
]


@pytest.mark.parametrize("number", VALID)
def test_validate_id_number_valid_vector_is_valid(number):
    assert validate_id_number(number)


def test_id_check_char_worked_example():
    # 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10+1*5+0*8+0*4+2*2
    # = 167; 167 mod 11 = 2; "10X98765432"[2] = "X"
    assert id_check_char("11010519491231002") == "X"


@pytest.mark.parametrize("number", VALID)
def test_validate_id_number_any_other_check_char_is_invalid(number):
    for char in "0123456789X":
        if char != number[-1]:
            assert not validate_id_number(number[:-1] + char)


@pytest.mark.parametrize(
    "number",
    [
        "",
        "11010519491231002",  # 17
        "11010519491231002X0",  # 19
        "110105491231002",  # old 15-digit form
        "11010519491231002Y",
        "1101051949123100AX",
        "１10105194912310021",  # full-width digit
        None,
        110105194912310021,
    ],
)
def test_validate_id_number_malformed_is_invalid(number):
    assert not validate_id_number(number)


@pytest.mark.parametrize(
    "body",
    [
        "11010119900230001",  # 30 February
        "11010119900431001",  # 31 April
        "11010119000229001",  # 1900 was no leap year
        "11010119901301001",  # month 13
        "11010118991231001",  # before 1900
        "44052418800101001",  # before 1900
    ],
)
def test_validate_id_number_bad_birth_date_is_invalid(body):
    # given: a correct check character, so only the date can fail
    number = body + id_check_char(body)
    # then
    assert not validate_id_number(number)


def test_validate_id_number_birth_date_in_future_is_invalid():
    body = "11010120300101001"
    number = body + id_check_char(body)
    assert not validate_id_number(number, today=dt.date(2029, 12, 31))
    assert validate_id_number(number, today=dt.date(2030, 1, 1))


def test_validate_id_number_earliest_date_1900_01_01_is_valid():
    body = "11010119000101001"
    assert validate_id_number(body + id_check_char(body))


def test_validate_id_number_lower_case_x_valid_after_normalising():
    assert not validate_id_number("11010519491231002x")
    assert normalize_id_number(" 11010519491231002x\t") == "11010519491231002X"
    assert validate_id_number(normalize_id_number("11010519491231002x"))


def test_birth_date_reads_characters_7_to_14():
    assert birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert birth_date("110101199002300010") is None


@pytest.mark.parametrize("body", ["", "1101051949123100", "1101051949123100A"])
def test_id_check_char_bad_body_raises(body):
    with pytest.raises(ValueError):
        id_check_char(body)


def test_mask_id_number_keeps_first_4_and_last_4():
    assert mask_id_number("513401199001011230") == "5134**********1230"
    assert mask_id_number("11010519491231002X") == "1101**********002X"


def test_mask_id_number_unexpected_length_is_all_stars():
    assert mask_id_number("110105491231002") == "*" * 15
    assert mask_id_number("") == ""


@pytest.mark.parametrize(
    "name,masked",
    [
        ("张", "*"),
        ("张三", "张*"),
        ("张小三", "张*三"),
        ("欧阳小明", "欧**明"),
        ("阿卜杜热合曼", "阿****曼"),
        (" 李四 ", "李*"),
        ("", ""),
    ],
)
def test_mask_name_keeps_first_and_last_character(name, masked):
    assert mask_name(name) == masked
