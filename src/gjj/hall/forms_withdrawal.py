"""What the 购买商品住房提取 form posts, read and checked before the services see it, and where each
problem is shown on the page (next to its field and in the error summary at the top)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import QueryDict

from gjj.core.money import MoneyFormatError, yuan_to_fen
from gjj.policy.rules import CARD_RULE_IDS, HOUSE_RULE_IDS, RuleResult

LOOKUP_LABELS = {"contract_no": "备案合同号", "archive_no": "房证新档案号"}
DECLARATION_MISSING = "请阅读并勾选“我已阅读并同意《承诺书》”"
HOUSE_MISSING = "请填写备案合同号或房证新档案号"
HOUSE_BOTH = "备案合同号和房证新档案号只需填写一项：新建商品房填写备案合同号，存量房填写房证新档案号"

# The page's fields in their order on the page, with the id of the control a summary link focuses.
FIELD_ORDER = ("house", "bank", "card_no", "amount", "declaration")
FIELD_CONTROL_IDS = {
    "bank": "id_bank",
    "card_no": "id_card_no",
    "amount": "id_amount",
    "declaration": "id_declaration",
}


@dataclass(frozen=True)
class PurchaseInput:
    """The form as posted (by a plain submit or by htmx while the member types)."""

    contract_no: str
    archive_no: str
    bank: str | None  # None: not posted at all
    card_no: str  # digits only; "" keeps the card already saved in the draft
    amount_text: str | None  # None: not posted at all
    declaration: bool
    declaration_version: str
    action: str
    lookup_hint: str  # which house field the member just left (htmx), or ""

    @property
    def house_fields_filled(self) -> list[str]:
        return [name for name in ("contract_no", "archive_no") if getattr(self, name)]


def _clean_key(value: str) -> str:
    return "".join((value or "").split()).upper()


def purchase_input(data: QueryDict) -> PurchaseInput:
    return PurchaseInput(
        contract_no=_clean_key(data.get("contract_no", "")),
        archive_no=_clean_key(data.get("archive_no", "")),
        bank=data.get("bank") if "bank" in data else None,
        card_no=card_number_clean(data.get("card_no")),
        amount_text=data.get("amount") if "amount" in data else None,
        declaration=bool(data.get("declaration")),
        declaration_version=data.get("declaration_version", ""),
        action=data.get("action", "submit"),
        lookup_hint=data.get("lookup_field", ""),
    )


def house_choice(data: PurchaseInput) -> tuple[str | None, str, str | None]:
    """(lookup field, key, problem). The member fills one of the two house fields; when htmx says
    which one they just left, that one is looked up."""
    filled = data.house_fields_filled
    if data.lookup_hint in LOOKUP_LABELS and data.lookup_hint in filled:
        return data.lookup_hint, getattr(data, data.lookup_hint), None
    if not filled:
        return None, "", HOUSE_MISSING
    if len(filled) > 1:
        return None, "", HOUSE_BOTH
    return filled[0], getattr(data, filled[0]), None


def card_number_clean(text: str | None) -> str:
    """A card number as typed, without the spaces and "-" members copy from the card."""
    return "".join((text or "").split()).replace("-", "")


def amount_parse(text: str | None) -> tuple[int | None, str | None]:
    """(fen, problem) from what the member typed in 元; blank is None (the maximum is used)."""
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
        return None, "提取金额须大于 0 元"
    return fen, None


def field_for_rule(rule: str) -> str | None:
    """Where a failed rule is shown beside the summary: house rules by the house fields, card rules
    by the card (the bank rule by the bank), the amount by 提取金额; the member's own account, loans
    and open applications in the summary only."""
    if rule in HOUSE_RULE_IDS:
        return "house"
    if rule == "bank_allowed":
        return "bank"
    if rule in CARD_RULE_IDS:
        return "card_no"
    if rule == "amount":
        return "amount"
    return None


@dataclass
class FormErrors:
    """Problems of one submission: per field, and in page order for the summary."""

    house_control_id: str = "id_contract_no"
    by_field: dict[str | None, list[str]] = field(default_factory=dict)

    def add(self, name: str | None, message: str) -> None:
        messages = self.by_field.setdefault(name, [])
        # A reason that only repeats another with "无法核验…" added says nothing new.
        if any(message == m or message.startswith(m) for m in messages):
            return
        messages.append(message)

    def add_failures(self, failures: tuple[RuleResult, ...] | list[RuleResult], *, skip: set[str]) -> None:
        for result in failures:
            name = field_for_rule(result.rule)
            if name in skip:
                continue
            self.add(name, result.reason)

    def __bool__(self) -> bool:
        return any(self.by_field.values())

    def get(self, name: str) -> list[str]:
        return self.by_field.get(name, [])

    def has(self, name: str) -> bool:
        return bool(self.by_field.get(name))

    @property
    def field_errors(self) -> dict[str, list[str]]:
        """For the templates: each field's messages by its name."""
        return {name: list(self.by_field.get(name, [])) for name in FIELD_ORDER}

    @property
    def summary(self) -> list[tuple[str | None, str]]:
        """(id of the control to link to or None, message), the summary-only reasons first."""
        items: list[tuple[str | None, str]] = [(None, m) for m in self.by_field.get(None, [])]
        for name in FIELD_ORDER:
            control = self.house_control_id if name == "house" else FIELD_CONTROL_IDS[name]
            items += [(control, m) for m in self.by_field.get(name, [])]
        return items


# --- 影像上传: what each material should show ------------------------------------------------------

MATERIAL_EXAMPLES = {
    "id_card_front": "身份证人像面（有照片的一面）：四角完整，文字和照片清晰，无反光、无遮挡。",
    "id_card_back": "身份证国徽面（有签发机关和有效期限的一面）：四角完整，有效期限清晰可辨。",
    "purchase_contract": "商品房买卖合同中载有备案合同号、买受人、房屋坐落和总价的页面，以及双方签字盖章页。",
    "purchase_invoice": "购房发票（销售不动产统一发票）：购买方、金额和开票单位印章清晰。",
    "property_certificate": "不动产权证书中载有权利人、房屋坐落和登记日期的页面。",
    "deed_tax_certificate": "契税完税证明：纳税人、房屋坐落和税款金额清晰。",
    "bank_card": "收款银行卡正面：卡号完整清晰，须为本人名下的一类卡。",
    "marriage_certificate": "结婚证中载有双方姓名、身份证号和登记日期的页面。",
}
MATERIAL_ACCEPT = "image/jpeg,image/png,application/pdf"
