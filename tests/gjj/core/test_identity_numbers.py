"""身份证号 (GB 11643, ISO 7064 MOD 11-2) and bank card numbers (Luhn)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from gjj.core.identity_numbers import card_number_problem, id_number_problem, luhn_check_digit

ID_CHECK_CHARS = "0123456789X"
# Region codes valid for every birth year used below (stdnum checks the place of birth too).
REGIONS = ("110101", "110105", "310101")


def make_id_number(region: str, birth: dt.date, sequence: int) -> str:
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    # stdnum's calc_check_digit takes the full 18 characters and ignores the last one.
    return body + ric.calc_check_digit(body + "0")


def id_numbers() -> st.SearchStrategy[str]:
    return st.builds(
        make_id_number,
        st.sampled_from(REGIONS),
        st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2010, 12, 31)),
        st.integers(min_value=0, max_value=999),
    )


def gb11643_check_char(body17: str) -> str:
    """The check character computed from the standard's own definition, independently of stdnum."""
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    total = sum(int(d) * w for d, w in zip(body17, weights, strict=True))
    return "10X98765432"[total % 11]


# --- 身份证号 -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["11010519491231002X", "110101199003070011", "310101200001010018"])
def test_known_valid_id_numbers_are_accepted(value: str) -> None:
    assert gb11643_check_char(value[:17]) == value[17]
    assert id_number_problem(value) is None


@given(id_numbers())
def test_generated_id_numbers_are_accepted(value: str) -> None:
    assert value[17] == gb11643_check_char(value[:17])
    assert id_number_problem(value) is None


@given(id_numbers(), st.data())
def test_any_other_check_character_is_refused(value: str, data: st.DataObject) -> None:
    wrong = data.draw(st.sampled_from([c for c in ID_CHECK_CHARS if c != value[17]]))
    assert id_number_problem(value[:17] + wrong) == "身份证号校验位不正确"


@given(id_numbers(), st.integers(min_value=0, max_value=16), st.data())
def test_any_single_digit_change_in_the_body_is_refused(
    value: str, position: int, data: st.DataObject
) -> None:
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != value[position]]))
    changed = value[:position] + digit + value[position + 1 :]
    # MOD 11-2 catches every single substitution; some also break the birth date or region.
    assert id_number_problem(changed) is not None


def test_lower_case_x_is_refused() -> None:
    value = "11010519491231002X"
    assert id_number_problem(value) is None
    assert id_number_problem(value.lower()) == "身份证号前 17 位应为数字，最后一位为数字或大写 X"


@pytest.mark.parametrize(
    "value", ["", "1101011990030700", "11010119900307001", "1101011990030700111", None, 110101]
)
def test_wrong_length_is_refused(value: object) -> None:
    assert id_number_problem(value) == "身份证号应为 18 位"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value", ["11010119900307A011", "X10101199003070011", "110101 99003070011", "11010119900307001Y"]
)
def test_letters_and_spaces_are_refused(value: str) -> None:
    assert id_number_problem(value) == "身份证号前 17 位应为数字，最后一位为数字或大写 X"


@pytest.mark.parametrize(
    "body",
    [
        "11010119900230001",  # 30 February
        "11010119901301001",  # month 13
        "99999919900307001",  # no such region
    ],
)
def test_bad_birth_date_or_region_is_refused_even_with_a_correct_check_digit(body: str) -> None:
    value = body + gb11643_check_char(body)
    assert id_number_problem(value) == "身份证号中的出生日期或地区码不正确"


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
