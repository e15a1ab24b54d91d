"""行政区划代码 (GB/T 2260) with their history: the first six digits of a 身份证号.

A 身份证号 carries the code of the public-security office's area that issued the number (numbers
were first issued from 1984; the 18-digit upgrade of 1999 kept the code), not the place or the
year of birth. Areas are renamed, merged and split, but nobody's number changes with them: 东陵区's
210112 became 浑南区's in 2014, 辽中县's 210122 was retired in 2016, and both are still on the cards
of the people who hold them. So a code is good when it exists or has ever existed in any edition,
whatever the holder's birth year; the years are kept only to name the area.

The table (``gb2260_area_codes.txt`` beside this file) is made from python-stdnum's by
``scripts/gb2260_from_stdnum.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLE = Path(__file__).with_name("gb2260_area_codes.txt")


@dataclass(frozen=True)
class AreaName:
    name: str
    from_year: int | None  # None: in force since before the first edition (1980)
    until_year: int | None  # None: still in force

    def in_force(self, year: int) -> bool:
        return (self.from_year is None or self.from_year <= year) and (
            self.until_year is None or year <= self.until_year
        )


@cache
def _area_names() -> dict[str, tuple[AreaName, ...]]:
    names: dict[str, list[AreaName]] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        code, from_year, until_year, name = line.split("\t")
        names.setdefault(code, []).append(
            AreaName(name, int(from_year) if from_year else None, int(until_year) if until_year else None)
        )
    return {code: tuple(history) for code, history in names.items()}


def area_code_known(code: str) -> bool:
    """True when ``code`` is, or once was, a 行政区划代码."""
    return code in _area_names()


def area_code_history(code: str) -> tuple[AreaName, ...]:
    """Every name ``code`` has had, oldest first; empty for a code that never existed."""
    return _area_names().get(code, ())


def area_code_name(code: str, *, year: int) -> str | None:
    """The name ``code`` had in ``year``, else its latest name (a number keeps a retired code)."""
    history = area_code_history(code)
    for area in history:
        if area.in_force(year):
            return area.name
    return history[-1].name if history else None
