"""身份证号 (GB 11643) and bank card numbers (Luhn): validation with reasons in Chinese."""

from __future__ import annotations

from stdnum import luhn
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError


def _ascii_digits(value: str) -> bool:
    """str.isdigit() also takes full-width and other scripts' digits; numbers here are ASCII."""
    return value.isascii() and value.isdigit()


def id_number_problem(value: str) -> str | None:
    """None when ``value`` is a valid 18-character 身份证号, else what is wrong with it."""
    if not isinstance(value, str) or len(value) != 18:
        return "身份证号应为 18 位"
    if not (_ascii_digits(value[:17]) and (_ascii_digits(value[17]) or value[17] == "X")):
        return "身份证号前 17 位应为数字，最后一位为数字或大写 X"
    try:
        ric.validate(value)
    except InvalidChecksum:
        return "身份证号校验位不正确"
    except (InvalidComponent, InvalidFormat, InvalidLength):
        return "身份证号中的出生日期或地区码不正确"
    except ValidationError:
        return "身份证号不正确"
    return None


def card_number_problem(value: str, *, min_length: int = 16, max_length: int = 19) -> str | None:
    """None when ``value`` is a plausible card number (length and Luhn digit), else why not."""
    if not isinstance(value, str) or not _ascii_digits(value):
        return "银行卡号码应全部为数字"
    if not min_length <= len(value) <= max_length:
        return f"银行卡号码应为 {min_length}–{max_length} 位数字，您输入的是 {len(value)} 位"
    if not luhn.is_valid(value):
        return "银行卡号码校验位不正确，请核对卡号"
    return None


def luhn_check_digit(partial: str) -> str:
    return luhn.calc_check_digit(partial)
