"""Money is integer fen (分) in storage and arithmetic; 元 strings only at the edges."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_YUAN = re.compile(r"^(0|[1-9][0-9]{0,12})(\.[0-9]{1,2})?$")


class MoneyFormatError(ValueError):
    """A 元 amount that is not a non-negative decimal with at most two places."""


def yuan_to_fen(text: str) -> int:
    """Parse a 元 amount such as ``"86420.50"`` into fen, exactly; never through float."""
    if not isinstance(text, str) or not _YUAN.match(text.strip()):
        raise MoneyFormatError(f"金额“{text}”格式不正确，应为不小于 0、最多两位小数的元金额")
    try:
        fen = Decimal(text.strip()) * 100
    except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes this
        raise MoneyFormatError(f"金额“{text}”格式不正确") from exc
    return int(fen)


def fen_to_yuan(fen: int) -> str:
    """``8642050`` → ``"86420.50"`` (the form of the evaluate contract and the dataset)."""
    if not isinstance(fen, int):
        raise TypeError("金额必须是整数分")
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def format_yuan(fen: int) -> str:
    """For people: ``8642050`` → ``"86,420.50 元"``."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d} 元"
