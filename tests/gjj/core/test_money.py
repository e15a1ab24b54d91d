"""Money: integer fen inside, 元 strings with at most two decimals at the edges."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gjj.core.money import MoneyFormatError, fen_to_yuan, format_yuan, yuan_to_fen

# The largest amount the parser takes: 13 whole-元 digits (far above any fund balance).
MAX_FEN = 10**15 - 1


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("0", 0),
        ("0.00", 0),
        ("0.5", 50),
        ("0.05", 5),
        ("1", 100),
        ("1.1", 110),
        ("86420.50", 8642050),
        ("200000.00", 20000000),
        ("9999999999999.99", MAX_FEN),
    ],
)
def test_yuan_to_fen_examples(text: str, fen: int) -> None:
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["0.29", "1.15", "4.35", "0.57", "1.13", "19.99", "1005.07"])
def test_yuan_to_fen_is_exact_where_float_arithmetic_is_not(text: str) -> None:
    # e.g. 0.29 * 100 == 28.999999999999996 in binary floating point.
    whole, cents = text.split(".")
    assert yuan_to_fen(text) == int(whole) * 100 + int(cents)


def test_surrounding_whitespace_of_a_form_field_is_ignored() -> None:
    assert yuan_to_fen(" 12.30 ") == 1230


@pytest.mark.parametrize(
    "text",
    [
        "1.234",  # three decimals
        "0.001",
        "-1",  # negative
        "-0.01",
        "+1",
        "abc",
        "1e3",  # exponent
        "1E3",
        "NaN",
        "Infinity",
        "0x10",
        " ",
        "",
        "01.5",  # leading zero
        "00",
        "1.",  # a point without decimals
        ".5",  # decimals without a whole part
        "1,000",
        "1 000",
        "1_000",
        "1.2.3",
        "１００",  # full-width digits
        "10000000000000",  # 14 whole digits: beyond any amount the hall handles
    ],
)
def test_bad_yuan_strings_are_refused(text: str) -> None:
    with pytest.raises(MoneyFormatError) as info:
        yuan_to_fen(text)
    assert "格式不正确" in str(info.value)


@pytest.mark.parametrize("text", ["1１", "1.５", "1٠"])
def test_non_ascii_digits_are_refused(text: str) -> None:
    with pytest.raises(MoneyFormatError):
        yuan_to_fen(text)


@pytest.mark.parametrize("value", [None, 100, 1.5, Decimal("1.50"), b"1.50"])
def test_yuan_to_fen_refuses_what_is_not_a_string(value: object) -> None:
    with pytest.raises(MoneyFormatError):
        yuan_to_fen(value)  # type: ignore[arg-type]


def test_money_format_error_is_a_value_error() -> None:
    assert issubclass(MoneyFormatError, ValueError)


@pytest.mark.parametrize(
    ("fen", "text"),
    [(0, "0.00"), (5, "0.05"), (50, "0.50"), (100, "1.00"), (8642050, "86420.50"), (-5, "-0.05")],
)
def test_fen_to_yuan_examples(fen: int, text: str) -> None:
    assert fen_to_yuan(fen) == text


@pytest.mark.parametrize("value", [1.5, "100", Decimal(100), None])
def test_fen_to_yuan_refuses_what_is_not_an_int(value: object) -> None:
    with pytest.raises(TypeError):
        fen_to_yuan(value)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_fen_yuan_round_trip(fen: int) -> None:
    text = fen_to_yuan(fen)
    assert re.fullmatch(r"(0|[1-9]\d*)\.\d{2}", text)
    assert yuan_to_fen(text) == fen


@given(st.integers(min_value=0, max_value=10**13 - 1), st.integers(min_value=0, max_value=99))
def test_two_decimal_strings_round_trip(whole: int, cents: int) -> None:
    text = f"{whole}.{cents:02d}"
    assert yuan_to_fen(text) == whole * 100 + cents
    assert fen_to_yuan(yuan_to_fen(text)) == text


@given(st.integers(min_value=0, max_value=10**13 - 1), st.integers(min_value=0, max_value=9))
def test_one_decimal_means_tenths(whole: int, tenth: int) -> None:
    assert yuan_to_fen(f"{whole}.{tenth}") == whole * 100 + tenth * 10
    assert yuan_to_fen(str(whole)) == whole * 100


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=999))
def test_three_decimals_are_always_refused(whole: int, thousandths: int) -> None:
    with pytest.raises(MoneyFormatError):
        yuan_to_fen(f"{whole}.{thousandths:03d}")


@given(st.integers(min_value=1, max_value=MAX_FEN))
def test_negative_amounts_are_always_refused(fen: int) -> None:
    with pytest.raises(MoneyFormatError):
        yuan_to_fen(fen_to_yuan(-fen))


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "0.00 元"),
        (5, "0.05 元"),
        (99999, "999.99 元"),
        (100000, "1,000.00 元"),
        (8642050, "86,420.50 元"),
        (20000000, "200,000.00 元"),
        (123456789012, "1,234,567,890.12 元"),
        (-100000, "-1,000.00 元"),
    ],
)
def test_format_yuan_groups_thousands(fen: int, text: str) -> None:
    assert format_yuan(fen) == text


@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_format_yuan_is_fen_to_yuan_with_thousands_separators(fen: int) -> None:
    text = format_yuan(fen)
    assert text.endswith(" 元")
    number = text.removesuffix(" 元")
    whole, _cents = number.split(".")
    groups = whole.split(",")
    assert 1 <= len(groups[0]) <= 3
    assert all(len(group) == 3 for group in groups[1:])
    assert number.replace(",", "") == fen_to_yuan(fen)
