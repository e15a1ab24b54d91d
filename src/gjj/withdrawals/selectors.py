"""Reads of withdrawal applications for the member's pages (我的业务, the detail timeline, 办理回执).

Everything leaves here in the words a member reads, and personal data already masked: a card
number is never handed to a template or a PDF in full. Writes stay in ``services``. (The
withdrawal form's own reads are in ``gjj.withdrawals.form_selectors``.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from gjj.core.masking import mask_card_number, mask_id_number
from gjj.core.timeutil import to_shanghai
from gjj.members.models import AccountStatus, Person
from gjj.policy.active import active_policy
from gjj.policy.reasons import SUBJECT_HOUSE, reason_for, reason_name
from gjj.policy.schema import Policy
from gjj.withdrawals.lifecycle import PAYOUT_UNDER_WAY_STATES, PRE_SUBMISSION_STATES, REVIEWABLE_STATES
from gjj.withdrawals.models import Application, Channel, Payout, State, Transition

# The policy's rule ids in the words of the page (DESIGN.md's table).
RULE_NAMES: dict[str, str] = {
    "account_found": "公积金账户",
    "account_status": "账户状态",
    "contribution_months": "连续缴存月数",
    "loan_overdue": "公积金贷款逾期",
    "owns_house": "名下住房",
    "rent_interval": "租房提取间隔",
    "retired": "退休状态",
    "loan_active": "公积金贷款结清",
    "house_found": "房屋信息",
    "house_status": "房屋备案状态",
    "house_kind": "房屋类型",
    "time_window": "申请时限",
    "open_application": "在办申请",
    "house_used": "同一房屋提取次数",
    "amount": "提取金额",
    "bank_allowed": "收款银行",
    "card_number": "银行卡号码",
    "card_type": "银行卡类型",
    "card_bank_match": "卡号与收款银行",
    "card_class": "银行账户类别",
    "card_holder": "银行卡户名",
    "card_status": "银行卡状态",
}

RELATION_NAMES: dict[str, str] = {"buyer": "本人", "spouse": "配偶"}
HOUSE_KIND_NAMES: dict[str, str] = {"new": "新建商品房", "resale": "存量房"}
LOOKUP_FIELD_NAMES: dict[str, str] = {"contract_no": "备案合同号", "archive_no": "房证新档案号"}

# Items a reviewer may name in ``what_to_fix`` besides material kinds (policy.material_names).
FIX_FIELD_NAMES: dict[str, str] = {
    "amount": "提取金额",
    "amount_fen": "提取金额",
    "bank": "收款银行",
    "card": "收款银行卡",
    "card_no": "银行卡号码",
    "house": "房屋信息",
    "contract_no": "备案合同号",
    "archive_no": "房证新档案号",
    "relation": "与购房人关系",
    "declaration": "承诺书",
}


def state_label(state: str) -> str:
    try:
        return str(State(state).label)
    except ValueError:
        return state


def channel_label(channel: str) -> str:
    try:
        return str(Channel(channel).label)
    except ValueError:
        return channel


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return to_shanghai(moment) if moment else None


def draft_has_content(application: Application) -> bool:
    """A draft the member has typed something into (an untouched one is not shown as a business)."""
    return bool(
        application.house_key
        or application.bank
        or application.card_no
        or application.amount_fen
        or application.declaration_accepted_at
    )


def _member_applications_qs(person: Person) -> QuerySet[Application]:
    untouched_draft = Q(
        state=State.DRAFT,
        house_key="",
        bank="",
        card_no="",
        amount_fen__isnull=True,
        declaration_accepted_at__isnull=True,
    )
    return Application.objects.filter(person=person).exclude(untouched_draft)


@dataclass(frozen=True)
class ApplicationRow:
    """One line of 我的业务."""

    pk: int
    business_no: str
    reason_name: str
    amount_fen: int | None
    state: str
    state_label: str
    submitted_at: dt.datetime | None
    created_at: dt.datetime
    channel_label: str
    is_draft: bool
    reason: str = "purchase"  # the registry's key: where 继续办理 of a draft goes


def applications_for_member(*, person: Person, policy: Policy | None = None) -> list[ApplicationRow]:
    """The member's applications, newest first, without an untouched empty draft."""
    policy = policy or active_policy()
    return [
        ApplicationRow(
            pk=application.pk,
            business_no=application.business_no or "",
            reason_name=reason_name(policy, application.reason),
            amount_fen=application.amount_fen,
            state=application.state,
            state_label=state_label(application.state),
            submitted_at=_local(application.submitted_at),
            created_at=to_shanghai(application.created_at),
            channel_label=channel_label(application.channel),
            is_draft=application.state == State.DRAFT,
            reason=application.reason,
        )
        for application in _member_applications_qs(person).order_by("-created_at", "-pk")
    ]


def application_for_member(*, person: Person, business_no: str) -> Application | None:
    """The member's own application with this business number; None for anyone else's."""
    return (
        Application.objects.select_related("person", "account", "account__employer")
        .filter(person=person, business_no=business_no)
        .exclude(state=State.DRAFT)
        .first()
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime  # Asia/Shanghai
    from_label: str
    to_label: str
    same_state: bool
    actor_label: str  # already masked (Actor.member masks the ID number)
    channel_label: str
    reason: str


def application_timeline(*, application: Application) -> list[TimelineEntry]:
    """Every transition, oldest first: when, from → to, who, through which channel, why."""
    return [
        TimelineEntry(
            at=to_shanghai(transition.at),
            from_label=state_label(transition.from_state) if transition.from_state else "",
            to_label=state_label(transition.to_state),
            same_state=transition.from_state == transition.to_state,
            actor_label=transition.actor_label,
            channel_label=channel_label(transition.channel),
            reason=transition.reason,
        )
        for transition in Transition.objects.filter(application=application).order_by("at", "id")
    ]


@dataclass(frozen=True)
class RuleLine:
    rule: str
    name: str
    passed: bool
    reason: str


def application_rule_lines(*, application: Application) -> list[RuleLine]:
    """The stored rule results in the page's words (failures carry the policy's reason)."""
    lines = []
    for result in application.rule_results or []:
        rule = str(result.get("rule", ""))
        lines.append(
            RuleLine(
                rule=rule,
                name=RULE_NAMES.get(rule, rule),
                passed=bool(result.get("passed")),
                reason=str(result.get("reason") or ""),
            )
        )
    return lines


@dataclass(frozen=True)
class FixItem:
    key: str
    name: str
    is_material: bool


def fix_items(*, application: Application, policy: Policy | None = None) -> list[FixItem]:
    """What a reviewer asked the member to correct (退回补正), material kinds and fields alike."""
    policy = policy or active_policy()
    items = []
    for key in application.what_to_fix or []:
        key = str(key)
        if key in policy.material_names:
            items.append(FixItem(key=key, name=policy.material_names[key], is_material=True))
        else:
            items.append(FixItem(key=key, name=FIX_FIELD_NAMES.get(key, key), is_material=False))
    return items


def latest_return(*, application: Application) -> Transition | None:
    """The reviewer's latest 退回补正, if the application was ever returned."""
    return (
        Transition.objects.filter(application=application, to_state=State.RETURNED)
        .order_by("-at", "-id")
        .first()
    )


def materials_to_replace(*, application: Application, policy: Policy | None = None) -> list[str]:
    """Material kinds the reviewer named at the latest return that have not been uploaded again since
    (the member must replace them, not resubmit the old images)."""
    returned = latest_return(application=application)
    if returned is None:
        return []
    wanted = [item.key for item in fix_items(application=application, policy=policy) if item.is_material]
    replaced = set(
        application.materials.filter(is_current=True, uploaded_at__gt=returned.at).values_list(
            "kind", flat=True
        )
    )
    return [kind for kind in wanted if kind not in replaced]


def latest_payout(*, application: Application) -> Payout | None:
    return Payout.objects.filter(application=application).order_by("-created_at", "-id").first()


def has_receipt(application: Application) -> bool:
    """办理回执 exists for an application that reached the centre (submitted with its materials)."""
    return application.state not in PRE_SUBMISSION_STATES and application.submitted_at is not None


@dataclass(frozen=True)
class ApplicationFacts:
    """The summary of one application for its detail page and its receipt, masked, times in
    Asia/Shanghai."""

    business_no: str
    reason_name: str
    state: str
    state_label: str
    applicant_name: str
    masked_id_number: str
    account_no: str
    employer_name: str
    house_address: str
    house_kind_label: str
    house_key_label: str  # 备案合同号 or 房证新档案号
    house_key: str
    relation_label: str
    bank_name: str
    masked_card_no: str
    amount_fen: int | None
    channel_label: str
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    paid_at: dt.datetime | None
    decision_reason: str
    instant_approved: bool
    reason: str = "purchase"
    has_house: bool = True
    account_closed: bool = False


def application_facts(*, application: Application, policy: Policy | None = None) -> ApplicationFacts:
    policy = policy or active_policy()
    snapshot = application.house_snapshot or {}
    person = application.person
    account = application.account
    return ApplicationFacts(
        business_no=application.business_no or "",
        reason_name=reason_name(policy, application.reason),
        reason=application.reason,
        has_house=reason_for(application.reason).subject == SUBJECT_HOUSE,
        account_closed=account.status == AccountStatus.CLOSED,
        state=application.state,
        state_label=state_label(application.state),
        applicant_name=person.name,
        masked_id_number=mask_id_number(person.id_number),
        account_no=account.account_no,
        employer_name=account.employer.name if account.employer_id else "",
        house_address=str(snapshot.get("address") or ""),
        house_kind_label=HOUSE_KIND_NAMES.get(str(snapshot.get("kind") or ""), ""),
        house_key_label=LOOKUP_FIELD_NAMES.get(application.lookup_field, "备案合同号/房证新档案号"),
        house_key=application.house_key,
        relation_label=RELATION_NAMES.get(application.relation, application.relation),
        bank_name=policy.bank_name(application.bank) if application.bank else "",
        masked_card_no=mask_card_number(application.card_no),
        amount_fen=application.amount_fen,
        channel_label=channel_label(application.channel),
        submitted_at=_local(application.submitted_at),
        decided_at=_local(application.decided_at),
        paid_at=_local(application.paid_at),
        decision_reason=application.decision_reason,
        instant_approved=application.instant_approved,
    )


def next_step_text(*, application: Application, policy: Policy | None = None) -> str:
    """What happens next, in one or two sentences (the detail page and the receipt say the same)."""
    policy = policy or active_policy()
    state = application.state
    if state == State.AWAITING_MATERIALS:
        return "请在【我的业务】中上传影像材料并提交申请（个人网厅、微信公众号、手机APP均可），逾期未上传的申请将自动过期。"
    if state in REVIEWABLE_STATES:
        return (
            f"中心将在 {policy.decision_limit_days} 个工作日内完成审核，审核结果将以短信通知您，"
            "也可在个人网厅、微信公众号或手机APP的【我的业务】中查询办理进度。"
        )
    if state in PAYOUT_UNDER_WAY_STATES:
        prefix = "您的申请已秒批通过" if application.instant_approved else "您的申请已审批通过"
        return f"{prefix}，提取资金将转入您的收款银行卡，到账后以短信通知您。"
    if state == State.PAID:
        return "提取资金已转入您的收款银行卡，本笔业务已办结。"
    if state == State.RETURNED:
        return "您的申请被退回补正，请在【我的业务】中按要求修改后重新提交（个人网厅、微信公众号、手机APP均可）。"
    if state == State.REJECTED:
        return "您的申请未通过审核，本笔业务已办结。如有疑问，请拨打服务热线咨询。"
    if state == State.PAYOUT_FAILED:
        return "银行支付未成功，冻结资金已解冻。请在【我的业务】中更换收款银行卡（个人网厅、微信公众号、手机APP均可），中心将重新支付。"
    if state == State.CANCELLED:
        return "本申请已撤回，本笔业务已办结。"
    if state == State.EXPIRED:
        return "本申请因未在规定期限内上传影像材料已过期，如需提取请重新申请。"
    return ""
