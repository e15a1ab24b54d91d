"""What members type, read the same way on every channel (the desktop form, the H5, the API, the
补正 and change-card pages): one normaliser per input and one wording per problem. Pure functions;
the services apply them too, so a channel that forgets one still stores the same value.
"""

from __future__ import annotations

from gjj.core.money import MoneyFormatError, yuan_to_fen
from gjj.policy.schema import Policy

AMOUNT_NOT_POSITIVE = "提取金额须大于 0 元"
LOOKUP_FIELD_LABELS = {"contract_no": "备案合同号", "archive_no": "房证新档案号"}
MAX_HOUSE_KEY_LENGTH = 64  # Application.house_key
MAX_CARD_LENGTH = 19  # Application.card_no


def house_key_clean(text: str | None) -> str:
    """备案合同号 / 房证新档案号 as typed: without any whitespace, upper-case (``lnsy 2025 0001`` →
    ``LNSY20250001``)."""
    return "".join((text or "").split()).upper()


def house_key_problem(lookup_field: str, key: str) -> str | None:
    """A house number longer than the registry's (the registry answers the rest)."""
    if len(key) > MAX_HOUSE_KEY_LENGTH:
        label = LOOKUP_FIELD_LABELS.get(lookup_field, "房屋编号")
        return f"{label}不能超过 {MAX_HOUSE_KEY_LENGTH} 个字符，请核对"
    return None


def card_number_clean(text: str | None) -> str:
    """A card number as typed, without the spaces and "-" members copy from the card."""
    return "".join((text or "").split()).replace("-", "")


def card_length_problem(card_no: str, policy: Policy) -> str | None:
    """A number longer than any card (the card rules check the rest on 提交申请)."""
    if len(card_no) > MAX_CARD_LENGTH:
        return (
            f"银行卡号码应为 {policy.card_min_length}–{policy.card_max_length} 位数字，"
            f"您输入的是 {len(card_no)} 位"
        )
    return None


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
