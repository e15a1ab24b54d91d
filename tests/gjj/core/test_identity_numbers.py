"""身份证号 (GB 11643, ISO 7064 MOD 11-2) and bank card numbers (Luhn)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gjj.core.identity_numbers import (
    card_number_problem,
    id_number_birth_date,
    id_number_check_character,
    id_number_make,
    id_number_normalize,
    id_number_problem,
    luhn_check_digit,
)
from gjj.core.timeutil import SHANGHAI
from tests.support.id_numbers import (
    IN_THE_FUTURE,
    INVALID,
    NOT_A_DATE,
    SHENYANG_DISTRICTS,
    TODAY,
    UNKNOWN_AREA,
    VALID,
    WRONG_CHECK,
    gb11643_check_char,
    make_id_number,
    with_check_char,
)

ID_CHECK_CHARS = "0123456789X"
REGIONS = (*SHENYANG_DISTRICTS, "110101", "310101", "210122", "210202")
WRONG_CHARACTERS = "身份证号前 17 位应为数字，最后一位为数字或大写 X"


def id_numbers() -> st.SearchStrategy[str]:
    return st.builds(
        make_id_number,
        st.sampled_from(REGIONS),
        st.dates(min_value=dt.date(1926, 1, 1), max_value=TODAY),
        st.integers(min_value=0, max_value=999),
    )


def problem(value: object) -> str | None:
    return id_number_problem(value, today=TODAY)  # type: ignore[arg-type]


# --- 身份证号: real-shaped numbers ---------------------------------------------------------


@pytest.mark.parametrize(("value", "who"), VALID)
def test_real_numbers_with_historic_or_current_area_codes_are_accepted(value: str, who: str) -> None:
    assert problem(value) is None, who


def test_every_shenyang_district_with_births_in_every_decade_is_in_the_table() -> None:
    valid = [value for value, _ in VALID]
    for district in SHENYANG_DISTRICTS:
        decades = {value[6:9] for value in valid if value.startswith(district)}
        assert {"195", "196", "197", "199"} <= decades, district


@pytest.mark.parametrize(("value", "reason"), INVALID)
def test_numbers_no_one_can_hold_are_refused_naming_the_part(value: str, reason: str) -> None:
    assert problem(value) == reason


@pytest.mark.parametrize(
    ("first_17", "reason"),
    [
        ("21010219000229001", NOT_A_DATE),  # 1900 was not a leap year
        ("21010219900230001", NOT_A_DATE),  # 30 February
        ("21010220261201001", IN_THE_FUTURE),  # tomorrow
        ("00000019900307001", UNKNOWN_AREA),
    ],
)
def test_an_impossible_area_or_birth_date_is_named_even_with_a_correct_check_character(
    first_17: str, reason: str
) -> None:
    assert problem(with_check_char(first_17)) == reason


def test_a_baby_born_today_has_a_valid_number() -> None:
    assert problem(make_id_number("210104", TODAY, 2)) is None


def test_without_today_the_date_in_shanghai_bounds_the_birth() -> None:
    # A day either side, so that midnight in Shanghai during the test changes nothing.
    shanghai_today = dt.datetime.now(SHANGHAI).date()
    after_tomorrow, yesterday = shanghai_today + dt.timedelta(days=2), shanghai_today - dt.timedelta(days=1)
    assert id_number_problem(make_id_number("210102", after_tomorrow, 1)) == IN_THE_FUTURE
    assert id_number_problem(make_id_number("210102", yesterday, 1)) is None
    assert id_number_problem("210102196204180133") is None


@given(id_numbers())
def test_generated_id_numbers_are_accepted(value: str) -> None:
    assert problem(value) is None


@given(id_numbers(), st.data())
def test_any_other_check_character_is_refused(value: str, data: st.DataObject) -> None:
    wrong = data.draw(st.sampled_from([c for c in ID_CHECK_CHARS if c != value[17]]))
    assert problem(value[:17] + wrong) == WRONG_CHECK


@given(id_numbers(), st.integers(min_value=0, max_value=16), st.data())
def test_any_single_digit_change_in_the_body_is_refused(
    value: str, position: int, data: st.DataObject
) -> None:
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != value[position]]))
    changed = value[:position] + digit + value[position + 1 :]
    # MOD 11-2 catches every single substitution; some also break the birth date or the area.
    assert problem(changed) is not None


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_the_check_character_is_the_standards(body: str) -> None:
    assert id_number_check_character(body) == gb11643_check_char(body)


@given(
    st.sampled_from(REGIONS), st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY), st.integers(0, 999)
)
def test_make_builds_the_number_of_that_area_birth_and_sequence(
    region: str, birth: dt.date, sequence: int
) -> None:
    value = id_number_make(area_code=region, birth=birth, sequence=sequence)
    assert value == make_id_number(region, birth, sequence)
    assert id_number_birth_date(value) == birth
    assert problem(value) is None


def test_a_birth_date_that_is_no_date_reads_as_none() -> None:
    assert id_number_birth_date("210102202302290011") is None


# --- 身份证号: what people type ------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (" 11010519491231002x ", "11010519491231002X"),
        ("210102 19620418 0133", "210102196204180133"),
        ("２１０１０２１９６２０４１８０１３３", "210102196204180133"),
        ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),
    ],
)
def test_normalize_keeps_the_number_and_drops_what_typing_adds(typed: str, stored: str) -> None:
    assert id_number_normalize(typed) == stored
    assert problem(id_number_normalize(typed)) is None


def test_lower_case_x_is_refused_until_normalized() -> None:
    value = "11010519491231002X"
    assert problem(value) is None
    assert problem(value.lower()) == WRONG_CHARACTERS


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "身份证号应为 18 位"),
        ("1101011990030700", "身份证号应为 18 位，您输入的是 16 位"),
        ("11010119900307001", "身份证号应为 18 位，您输入的是 17 位"),
        ("1101011990030700111", "身份证号应为 18 位，您输入的是 19 位"),
        (None, "身份证号应为 18 位"),
        (110101, "身份证号应为 18 位"),
    ],
)
def test_wrong_length_is_refused_naming_the_length(value: object, reason: str) -> None:
    assert problem(value) == reason


@pytest.mark.parametrize(
    "value",
    [
        "11010119900307A011",
        "X10101199003070011",
        "110101 99003070011",
        "11010119900307001Y",
        "２１０１０２１９６２０４１８０１３３"[:17] + "3",  # full-width digits, not normalized
        "21010219620418013٣",  # an Arabic-Indic digit
    ],
)
def test_letters_spaces_and_other_scripts_digits_are_refused(value: str) -> None:
    assert problem(value) == WRONG_CHARACTERS


# --- bank card numbers ------------------------------------------------------------------------


def luhn_is_valid(number: str) -> bool:
    """Luhn from its definition, independently of stdnum."""
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def card_numbers(min_length: int = 16, max_length: int = 19) -> st.SearchStrategy[str]:
    partial = st.integers(min_value=min_length - 1, max_value=max_length - 1).flatmap(
        lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)
    )
    return partial.map(lambda p: p + luhn_check_digit(p))


@pytest.mark.parametrize("value", ["4111111111111111", "5500000000000004", "6217000010001234569"])
def test_known_valid_card_numbers_are_accepted(value: str) -> None:
    assert luhn_is_valid(value)
    assert card_number_problem(value) is None


@given(card_numbers())
def test_numbers_completed_by_luhn_check_digit_are_accepted(value: str) -> None:
    assert luhn_is_valid(value)
    assert card_number_problem(value) is None


@given(card_numbers(), st.data())
def test_any_single_digit_change_is_refused(value: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(value) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != value[position]]))
    changed = value[:position] + digit + value[position + 1 :]
    assert card_number_problem(changed) == "银行卡号码校验位不正确，请核对卡号"


@given(st.one_of(st.integers(min_value=1, max_value=15), st.integers(min_value=20, max_value=40)), st.data())
def test_lengths_outside_16_to_19_are_refused_naming_the_length(length: int, data: st.DataObject) -> None:
    partial = data.draw(st.text(alphabet="0123456789", min_size=length - 1, max_size=length - 1))
    value = partial + luhn_check_digit(partial) if partial else "0"
    problem = card_number_problem(value)
    assert problem is not None
    assert "16–19" in problem
    assert f"您输入的是 {length} 位" in problem


def test_the_length_limits_can_be_set() -> None:
    value = "4111111111111111"
    assert card_number_problem(value, min_length=16, max_length=16) is None
    problem = card_number_problem(value, min_length=18, max_length=19)
    assert problem is not None and "18–19" in problem and "16 位" in problem


@pytest.mark.parametrize(
    "value",
    [
        "",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "411111111111111a",
        "abcdefghijklmnop",
        None,
        4111111111111111,
    ],
)
def test_non_digits_are_refused(value: object) -> None:
    assert card_number_problem(value) == "银行卡号码应全部为数字"  # type: ignore[arg-type]


@given(st.text(alphabet="0123456789", min_size=1, max_size=30))
def test_luhn_check_digit_is_the_one_digit_that_completes_a_valid_number(partial: str) -> None:
    digit = luhn_check_digit(partial)
    assert len(digit) == 1 and digit.isdigit()
    assert [d for d in "0123456789" if luhn_is_valid(partial + d)] == [digit]
