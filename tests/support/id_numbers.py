"""Real-shaped 身份证号 for every layer's tests: the people the centre actually serves.

The check character is computed here from GB 11643's own definition, independently of the code
under test. ``VALID`` are numbers real people hold (old members of 沈阳's districts, whose codes
date from 1983; codes retired or renamed since); ``INVALID`` are numbers no one can hold, each with
the reason every channel must give.
"""

from __future__ import annotations

import datetime as dt

# The day the tables are judged on (a birth date after it is in the future).
TODAY = dt.date(2026, 11, 30)

SHENYANG_DISTRICTS = {
    "210102": "和平区",
    "210103": "沈河区",
    "210104": "大东区",
    "210105": "皇姑区",
    "210106": "铁西区",
    "210111": "苏家屯区",
    "210112": "东陵区/浑南区",
    "210113": "新城子区/沈北新区",
    "210114": "于洪区",
}
BIRTHS_BY_DECADE = (dt.date(1956, 5, 1), dt.date(1962, 4, 18), dt.date(1971, 9, 30), dt.date(1994, 1, 2))


def gb11643_check_char(first_17: str) -> str:
    """ISO 7064 MOD 11-2 as GB 11643 defines it."""
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    total = sum(int(d) * w for d, w in zip(first_17, weights, strict=True))
    return "10X98765432"[total % 11]


def make_id_number(area: str, birth: dt.date, sequence: int) -> str:
    first_17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first_17 + gb11643_check_char(first_17)


def with_check_char(first_17: str) -> str:
    return first_17 + gb11643_check_char(first_17)


# (number, who holds it)
VALID: tuple[tuple[str, str], ...] = (
    *(
        (make_id_number(area, birth, 10 + index), f"born {birth.year} in {name}")
        for area, name in SHENYANG_DISTRICTS.items()
        for index, birth in enumerate(BIRTHS_BY_DECADE)
    ),
    ("210102196204180133", "born 1962 in 和平区: the number the issue was found with"),
    (make_id_number("210112", dt.date(1965, 6, 6), 21), "东陵区, issued before it became 浑南区 (2014)"),
    (make_id_number("210112", dt.date(2008, 6, 6), 22), "浑南区, the same code after 2014"),
    (make_id_number("210113", dt.date(1958, 2, 2), 44), "新城子区, before it became 沈北新区 (2006)"),
    (make_id_number("210122", dt.date(1960, 10, 10), 58), "辽中县, a code retired in 2016"),
    (make_id_number("210121", dt.date(1950, 1, 20), 7), "新民县, a code retired in 1993"),
    (make_id_number("210115", dt.date(2002, 3, 3), 8), "辽中区, since 2016"),
    (make_id_number("210103", dt.date(1936, 8, 1), 1), "a 90-year-old retiree in 沈河区"),
    (make_id_number("210106", dt.date(1964, 2, 29), 77), "born on 29 February of a leap year"),
    ("11010519491231002X", "check character X"),
    (make_id_number("830000", dt.date(1985, 4, 4), 11), "台湾居民居住证 (GB 11643 numbering since 2018)"),
)

NOT_A_DATE = "身份证号第 7–14 位的出生日期不是有效日期"
IN_THE_FUTURE = "身份证号第 7–14 位的出生日期晚于今天"
UNKNOWN_AREA = "身份证号前 6 位的地区码不是有效的行政区划代码"
WRONG_CHECK = "身份证号校验位（第 18 位）与前 17 位不符，请逐位核对"

# (number, the reason given for it)
INVALID: tuple[tuple[str, str], ...] = (
    (with_check_char("21019919620418013"), UNKNOWN_AREA),  # 沈阳 has no district 99
    (with_check_char("99999919900307001"), UNKNOWN_AREA),  # no such area anywhere
    ("210102196204180134", WRONG_CHECK),
    (with_check_char("21010220230229001"), NOT_A_DATE),  # 29 February of a common year
    (with_check_char("21010219901301001"), NOT_A_DATE),  # month 13
    (with_check_char("21010230010101001"), IN_THE_FUTURE),
    (with_check_char("21010218991231001"), "身份证号第 7–14 位的出生日期早于 1900 年"),
    ("2101021962041801", "身份证号应为 18 位，您输入的是 16 位"),
)
