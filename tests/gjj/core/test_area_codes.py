"""The table of 行政区划代码 with history: every code that ever existed, whatever its years."""

from __future__ import annotations

import stdnum
from stdnum import numdb

from gjj.core.area_codes import TABLE, area_code_history, area_code_known, area_code_name


def _stdnum_codes() -> set[str]:
    """Every six-digit code in python-stdnum's own table, read through its database reader (so
    independently of the script that wrote ours): provinces, then their four-digit entries."""
    codes = set()
    for length, low, high, _props, children in numdb.get("cn/loc").prefixes:
        assert length == 2 and low == high
        for child_length, child_low, child_high, _child_props, _ in children:
            assert child_length == 4 and child_low == child_high
            codes.add(low + child_low)
    return codes


def test_every_code_of_python_stdnums_table_is_known() -> None:
    assert len(_stdnum_codes()) > 6000
    missing = sorted(code for code in _stdnum_codes() if not area_code_known(code))
    assert missing == [], (
        f"{len(missing)} codes of python-stdnum {stdnum.__version__} missing from {TABLE.name}"
    )


def test_retired_and_renamed_codes_keep_their_history() -> None:
    assert [(a.name, a.from_year, a.until_year) for a in area_code_history("210112")] == [
        ("东陵区", 1983, 2013),
        ("浑南区", 2014, None),
    ]
    assert area_code_name("210112", year=1990) == "东陵区"
    assert area_code_name("210112", year=2020) == "浑南区"
    assert area_code_name("210113", year=2000) == "新城子区"
    assert area_code_name("210113", year=2006) == "沈北新区"
    assert area_code_known("210122") and area_code_name("210122", year=2026) == "辽中县"
    assert area_code_name("210102", year=1962) == "和平区"  # before the code existed: its only name


def test_codes_that_never_existed_are_unknown() -> None:
    for code in ("210199", "219999", "999999", "000000", "2101", "21010a"):
        assert not area_code_known(code)
        assert area_code_history(code) == ()
        assert area_code_name(code, year=2000) is None
