"""What members type, read the same way on every channel (the desktop form, the H5, the API, the
补正 and change-card pages): one normaliser per input and one wording per problem. Pure functions;
the services apply them too, so a channel that forgets one still stores the same value.
"""

from __future__ import annotations

from gjj.core.money import MoneyFormatError, yuan_to_fen

AMOUNT_NOT_POSITIVE = "提取金额须大于 0 元"


def house_key_clean(text: str | None) -> str:
    """备案合同号 / 房证新档案号 as typed: without any whitespace, upper-case (``lnsy 2025 0001`` →
    ``LNSY20250001``)."""
    return "".join((text or "").split()).upper()


def card_number_clean(text: str | None) -> str:
    """A card number as typed, without the spaces and "-" members copy from the card."""
    return "".join((text or "").split()).replace("-", "")


def bank_code_clean(text: str | None) -> str:
    """A bank's code (CCB, ICBC, SJB) as posted: trimmed, upper-case."""
    return (text or "").strip().upper()


def amount_parse(text: str | None) -> tuple[int | None, str | None]:
    """(fen, problem) from what the member typed in 元 ("50000", "50,000.00", "50，000元", with
    spaces anywhere); blank is (None, None): the maximum is used."""
    cleaned = "".join((text or "").split()).replace(",", "").replace("，", "").removesuffix("元")
    if not cleaned:
        return None, None
    try:
        fen = yuan_to_fen(cleaned)
    except MoneyFormatError:
        return (
            None,
            f"提取金额“{text.strip() if text else ''}”格式不正确，请填写以元为单位、最多两位小数的金额，例如 50000.00",
        )
    if fen <= 0:
        return None, AMOUNT_NOT_POSITIVE
    return fen, None
