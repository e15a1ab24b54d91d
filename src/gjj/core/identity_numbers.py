"""身份证号 (GB 11643) and bank card numbers (Luhn): normalisation and validation with reasons in
Chinese. The one validator of 身份证号 for the hall, govsso and the dataset tools.

A 身份证号 is six digits of area code (the issuing area, GB/T 2260), eight of birth date, three of
sequence (odd for men, even for women) and a check character (ISO 7064 MOD 11-2, ``X`` for 10).
The area code is checked against every code that has ever existed (``area_codes``), never
against the birth year: the number carries the code of where and when it was issued, so a member
born in 1962 in 和平区 holds 210102 although the code dates from 1983.
"""

from __future__ import annotations

import datetime as dt

from stdnum import luhn

from gjj.core.area_codes import area_code_known
from gjj.core.timeutil import SHANGHAI

ID_NUMBER_LENGTH = 18
# Nobody alive was born earlier; a number claiming so is mistyped.
EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)
_WEIGHTS = tuple(pow(2, 17 - position, 11) for position in range(17))
_CHECK_CHARACTERS = "10X98765432"
# What members type from a Chinese input method: full-width digits and X.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")


def _ascii_digits(value: str) -> bool:
    """str.isdigit() also takes full-width and other scripts' digits; numbers here are ASCII."""
    return value.isascii() and value.isdigit()


def id_number_normalize(value: str) -> str:
    """A 身份证号 as typed or received, as the centre stores it: no spaces, full-width digits as
    ASCII, the final check character ``x`` as ``X``. Nothing else is changed, so a wrong number
    stays wrong and ``id_number_problem`` can say why."""
    return "".join(value.split()).translate(_FULL_WIDTH).upper()


def id_number_check_character(first_17: str) -> str:
    """The 18th character of the number whose first 17 digits are ``first_17`` (GB 11643)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def id_number_birth_date(value: str) -> dt.date | None:
    """The birth date written in digits 7–14, or None when they are not a date."""
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def id_number_problem(value: str, *, today: dt.date | None = None) -> str | None:
    """None when ``value`` is a valid 18-character 身份证号, else what is wrong with it, naming the
    part. ``value`` is taken as stored (``id_number_normalize`` first for what a person typed).
    ``today`` (default: today in Shanghai) bounds the birth date."""
    if not isinstance(value, str) or len(value) != ID_NUMBER_LENGTH:
        typed = f"，您输入的是 {len(value)} 位" if isinstance(value, str) and value else ""
        return f"身份证号应为 18 位{typed}"
    if not (_ascii_digits(value[:17]) and (_ascii_digits(value[17]) or value[17] == "X")):
        return "身份证号前 17 位应为数字，最后一位为数字或大写 X"
    birth = id_number_birth_date(value)
    if birth is None:
        return "身份证号第 7–14 位的出生日期不是有效日期"
    if birth > (today or dt.datetime.now(SHANGHAI).date()):
        return "身份证号第 7–14 位的出生日期晚于今天"
    if birth < EARLIEST_BIRTH_DATE:
        return "身份证号第 7–14 位的出生日期早于 1900 年"
    if not area_code_known(value[:6]):
        return "身份证号前 6 位的地区码不是有效的行政区划代码"
    if id_number_check_character(value[:17]) != value[17]:
        return "身份证号校验位（第 18 位）与前 17 位不符，请逐位核对"
    return None


def id_number_make(*, area_code: str, birth: dt.date, sequence: int) -> str:
    """The number of the person with this area, birth date and 3-digit sequence (odd for men)."""
    first_17 = f"{area_code}{birth:%Y%m%d}{sequence:03d}"
    return first_17 + id_number_check_character(first_17)


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
