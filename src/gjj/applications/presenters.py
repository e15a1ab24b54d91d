"""What the member's pages show of an application, the same on the desktop and the H5: the house as
the registry answered it, the material rows, where a failed rule is shown (one map), the labels,
the result and the detail. Personal data leaves here masked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from gjj.core.masking import mask_card_number, mask_id_number, mask_phone
from gjj.core.timeutil import to_shanghai, today_shanghai
from gjj.policy.active import active_policy
from gjj.policy.facts import EvaluationFacts
from gjj.policy.reasons import SUBJECT_TENANCY, reason_for, reason_name
from gjj.policy.reasons.rent import rent_months_counted
from gjj.policy.rules import CARD_RULE_IDS, HOUSE_KIND_NAMES, HOUSE_NOT_FOUND, HOUSE_RULE_IDS
from gjj.policy.schema import Policy
from gjj.withdrawals import form_selectors, selectors
from gjj.withdrawals.eligibility import records_facts
from gjj.withdrawals.lifecycle import CANCELLABLE_STATES, PAYOUT_UNDER_WAY_STATES, SUBMITTED_STATES
from gjj.withdrawals.material_services import required_material_kinds
from gjj.withdrawals.models import Application, Material, State
from gjj.withdrawals.selectors import LOOKUP_FIELD_NAMES, RELATION_NAMES

# --- labels ----------------------------------------------------------------------------------------

LOOKUP_LABELS = LOOKUP_FIELD_NAMES  # 备案合同号 / 房证新档案号
RELATION_LABELS = RELATION_NAMES  # 本人 / 配偶
HOUSE_STATUS_LABELS = {"valid": "有效", "cancelled": "已撤销备案"}


# The national list's reasons this hall does not take yet (暂未开放 on every channel's list of
# reasons): (full name, short name, one sentence).
REASONS_NOT_OPEN: tuple[tuple[str, str, str], ...] = (
    (
        "建造翻建大修自住住房提取",
        "建造翻建大修提取",
        "建造、翻建、大修自有产权自住住房的，可申请提取住房公积金。",
    ),
    ("偿还购房贷款本息提取", "偿还购房贷款本息提取", "偿还自住住房贷款本息的，可申请提取住房公积金。"),
)


# --- where a failed rule is shown --------------------------------------------------------------


def field_for_rule(rule: str) -> str | None:
    """The form field a failed rule belongs to: house rules by the house fields, card rules by the
    card (the bank rule by the bank), the amount by 提取金额; the member's own account, loans, open
    applications and the other reasons' facts (owns_house, rent_interval, retired, loan_active) in
    the summary only (None). The desktop shows each by its field; the H5 sends the member back to the
    step of that field."""
    if rule in HOUSE_RULE_IDS:
        return "house"
    if rule == "bank_allowed":
        return "bank"
    if rule in CARD_RULE_IDS:
        return "card_no"
    if rule == "amount":
        return "amount"
    return None


# --- the house ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseEcho:
    """The house as the registry answered, for the read-only panel; buyers' ID numbers masked."""

    key_label: str
    key: str
    kind_label: str
    address: str
    area_m2: str
    total_price_fen: int
    date_label: str
    date: str
    status_label: str
    buyers: list[tuple[str, str]]
    relation_label: str
    looked_up_at: dt.datetime | None


def house_echo(application: Application) -> HouseEcho | None:
    snapshot = application.house_snapshot
    if not snapshot or not application.relation:
        return None
    new = snapshot.get("kind") == "new"
    return HouseEcho(
        key_label=LOOKUP_LABELS.get(application.lookup_field, "房屋编号"),
        key=application.house_key,
        kind_label=HOUSE_KIND_NAMES.get(str(snapshot.get("kind")), str(snapshot.get("kind"))),
        address=str(snapshot.get("address", "")),
        area_m2=str(snapshot.get("area_m2", "")),
        total_price_fen=int(snapshot.get("total_price_fen") or 0),
        date_label="合同备案日期" if new else "不动产登记日期",
        date=str((snapshot.get("filed_on") if new else snapshot.get("registered_on")) or "—"),
        status_label=HOUSE_STATUS_LABELS.get(str(snapshot.get("status")), str(snapshot.get("status"))),
        buyers=[(b.get("name", ""), mask_id_number(b.get("id_number"))) for b in snapshot.get("buyers", [])],
        relation_label=RELATION_LABELS.get(application.relation, ""),
        looked_up_at=application.house_looked_up_at,
    )


def house_context(application: Application, *, problem: str | None = None) -> dict[str, object]:
    """The echo panel: the house, or why there is none; the house rules' problems and the maximum."""
    echo = house_echo(application)
    check = form_selectors.draft_house_check(application) if echo else None
    refusal = problem
    if refusal is None and application.house_key and echo is None:
        refusal = HOUSE_NOT_FOUND
    return {
        "echo": echo,
        "house_refusal": refusal,
        "house_problems": [r.reason for r in check.failures] if check else [],
        "max_amount_fen": check.max_amount_fen if check else None,
    }


# --- the amount of a reason without a house (租房提取, 离退休提取) ---------------------------------


@dataclass(frozen=True)
class ReasonAmount:
    """What the member may withdraw for a reason without a house, from the centre's own records
    (the account and the last rent withdrawal), before the rules run: the form shows it next to
    提取金额. Rent: monthly limit × months counted, at most the available balance (the member may
    lower it). Retirement: the whole balance, not typed (None while part of it is frozen)."""

    reason: str
    reason_name: str
    fixed: bool  # the whole balance: shown, not typed (离退休提取)
    closes_account: bool  # 销户 once paid
    max_amount_fen: int | None
    balance_fen: int
    available_fen: int
    frozen_fen: int
    # 租房提取 only:
    monthly_limit_fen: int | None = None
    months_counted: int | None = None  # whole months since the last rent withdrawal, at most max_months
    max_months: int | None = None
    last_rent_paid_on: dt.date | None = None  # None: no rent withdrawal before
    limited_by_balance: bool = False  # the available balance is less than monthly limit × months

    @property
    def rent_limit_fen(self) -> int | None:
        if self.monthly_limit_fen is None or self.months_counted is None:
            return None
        return self.monthly_limit_fen * self.months_counted


def reason_amount(
    application: Application, *, policy: Policy | None = None, on: dt.date | None = None
) -> ReasonAmount:
    """The maximum of the application's reason over the member's records (no registry, no bank):
    the rent and retirement forms show it on every channel, as a submission computes it."""
    policy = policy or active_policy()
    reason = reason_for(application.reason)
    person = application.person
    # The account and the last rent payment, as a submission reads them (no registry, no bank).
    records = records_facts(
        person=person, house=None, exclude_application_id=application.pk, reason=reason.key
    )
    facts = EvaluationFacts(
        on=on or today_shanghai(),
        applicant_id_number=person.id_number,
        applicant_name=person.name,
        house=None,
        registry_unavailable=False,
        card=None,
        requested_amount_fen=None,
        reason=reason.key,
        **records,  # type: ignore[arg-type]
    )
    account = facts.account
    balance, available, frozen = (
        (account.balance_fen, account.available_fen, account.frozen_fen) if account else (0, 0, 0)
    )
    max_fen = reason.max_amount(policy, facts)
    amount = ReasonAmount(
        reason=reason.key,
        reason_name=reason_name(policy, reason.key),
        fixed=reason.amount_fixed,
        closes_account=reason.closes_account,
        max_amount_fen=max_fen,
        balance_fen=balance,
        available_fen=available,
        frozen_fen=frozen,
    )
    if reason.subject != SUBJECT_TENANCY:
        return amount
    rent = policy.rent
    last = facts.last_rent_paid_on
    months = rent_months_counted(policy, facts)
    return replace(
        amount,
        monthly_limit_fen=rent.monthly_limit_fen,
        months_counted=months,
        max_months=rent.max_months,
        last_rent_paid_on=last,
        limited_by_balance=account is not None and available < rent.monthly_limit_fen * months,
    )


# --- 影像上传 -------------------------------------------------------------------------------------

MATERIAL_EXAMPLES = {
    "id_card_front": "身份证人像面（有照片的一面）：四角完整，文字和照片清晰，无反光、无遮挡。",
    "id_card_back": "身份证国徽面（有签发机关和有效期限的一面）：四角完整，有效期限清晰可辨。",
    "purchase_contract": "商品房买卖合同中载有备案合同号、买受人、房屋坐落和总价的页面，以及双方签字盖章页。",
    "purchase_invoice": "购房发票（销售不动产统一发票）：购买方、金额和开票单位印章清晰。",
    "property_certificate": "不动产权证书中载有权利人、房屋坐落和登记日期的页面。",
    "deed_tax_certificate": "契税完税证明：纳税人、房屋坐落和税款金额清晰。",
    "bank_card": "收款银行卡正面：卡号完整清晰，须为本人名下的一类卡。",
    "marriage_certificate": "结婚证中载有双方姓名、身份证号和登记日期的页面。",
    "retirement_certificate": "退休证（或社保部门出具的退休证明）中载有姓名、身份证号和退休日期的页面。",
    "lease_contract": "房屋租赁合同中载有出租人、承租人、房屋坐落、租期和租金的页面，以及双方签字页。",
}
MATERIAL_ACCEPT = "image/jpeg,image/png,application/pdf"


def size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


@dataclass(frozen=True)
class MaterialRow:
    """One material the application needs: what it should show, the current upload (if any), and,
    after 退回补正, whether the reviewer named it and whether it is still to be photographed again."""

    kind: str
    name: str
    example: str
    material: Material | None
    is_pdf: bool
    original_name: str
    uploaded_at: dt.datetime | None
    size_label: str
    to_fix: bool
    still_to_replace: bool
    errors: list[str] = field(default_factory=list)

    @property
    def error(self) -> str | None:
        return self.errors[0] if self.errors else None


def material_rows(
    application: Application, policy: Policy, errors: Mapping[str, list[str]] | None = None
) -> list[MaterialRow]:
    """The reason's materials in the policy's order (gjj.withdrawals.material_services)."""
    errors = errors or {}
    current = form_selectors.current_materials(application)
    fix = {item.key for item in selectors.fix_items(application=application, policy=policy)}
    to_replace = set(selectors.materials_to_replace(application=application, policy=policy))
    rows = []
    for kind in required_material_kinds(application, policy):
        material = current.get(kind)
        rows.append(
            MaterialRow(
                kind=kind,
                name=policy.material_names.get(kind, kind),
                example=MATERIAL_EXAMPLES.get(kind, ""),
                material=material,
                is_pdf=bool(material and material.content_type == "application/pdf"),
                original_name=material.original_name if material else "",
                uploaded_at=to_shanghai(material.uploaded_at) if material else None,
                size_label=size_label(material.size) if material else "",
                to_fix=kind in fix,
                still_to_replace=kind in to_replace,
                errors=list(errors.get(kind, [])),
            )
        )
    return rows


# --- the result and the detail --------------------------------------------------------------------


def result_context(application: Application) -> dict[str, object]:
    """提交结果: the state, the reason's name, the card (masked) and the payout on its way."""
    policy = active_policy()
    return {
        "application": application,
        "submitted": application.state in SUBMITTED_STATES,
        # While the payout is on its way the result page asks for its status every 2 s.
        "polling": application.state in PAYOUT_UNDER_WAY_STATES,
        "state_label": State(application.state).label,
        "reason_name": reason_name(policy, application.reason),
        "bank_name": policy.bank_name(application.bank),
        "card_masked": mask_card_number(application.card_no),
        "phone_masked": mask_phone(application.person.phone),
        "decision_limit_days": policy.decision_limit_days,
        "payout": form_selectors.latest_payout(application),
    }


def application_detail_context(application: Application) -> dict[str, object]:
    """业务详情 on either channel: the facts, the timeline, the rules (all of them, and the failed
    ones), what to fix, what happens next and which actions the state allows."""
    policy = active_policy()
    state = application.state
    rule_lines = selectors.application_rule_lines(application=application)
    payout = selectors.latest_payout(application=application)
    return {
        "application": application,
        "facts": selectors.application_facts(application=application, policy=policy),
        "timeline": selectors.application_timeline(application=application),
        "rule_lines": rule_lines,
        "failed_rules": [line for line in rule_lines if not line.passed],
        "fix_items": selectors.fix_items(application=application, policy=policy)
        if state == State.RETURNED
        else [],
        "next_step": selectors.next_step_text(application=application, policy=policy),
        "can_cancel": state in CANCELLABLE_STATES,
        "is_draft": state == State.DRAFT,
        "is_returned": state == State.RETURNED,
        "is_awaiting_materials": state == State.AWAITING_MATERIALS,
        "is_payout_failed": state == State.PAYOUT_FAILED,
        "bank_message": payout.bank_message if payout is not None else "",
        "has_receipt": selectors.has_receipt(application),
    }
