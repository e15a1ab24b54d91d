"""One small pure function per rule of DESIGN.md. Each takes the policy and the facts and returns a
RuleResult; a failure carries a plain Chinese reason that names the fact and the limit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gjj.core.identity_numbers import card_number_problem
from gjj.core.money import format_yuan
from gjj.core.timeutil import add_years
from gjj.policy.facts import (
    SOURCE_BANK,
    SOURCE_CENTRE,
    SOURCE_POLICY,
    SOURCE_REGISTRY,
    EvaluationFacts,
)
from gjj.policy.schema import Policy

ACCOUNT_STATUS_NAMES = {"normal": "正常", "sealed": "封存", "frozen": "冻结", "closed": "销户"}
HOUSE_KIND_NAMES = {"new": "新建商品房", "resale": "存量房"}
CARD_STATUS_NAMES = {"normal": "正常", "frozen": "冻结", "closed": "销户"}
ACCOUNT_CLASS_NAMES = {1: "一类账户", 2: "二类账户", 3: "三类账户"}

# A house that exists but is not the applicant's answers exactly like one that does not exist, and
# so do the rules that would otherwise describe it.
HOUSE_NOT_FOUND = "未查询到您（或配偶）名下与该编号对应的房屋备案或产权信息，请核对备案合同号或房证新档案号"
NO_ACCOUNT = "未查询到您在本中心的住房公积金账户"


@dataclass(frozen=True)
class RuleResult:
    rule: str
    passed: bool
    reason: str
    source: str

    def as_json(self) -> dict[str, object]:
        return {"rule": self.rule, "passed": self.passed, "reason": self.reason}


def passed(rule: str, source: str) -> RuleResult:
    return RuleResult(rule=rule, passed=True, reason="", source=source)


def failed(rule: str, source: str, reason: str) -> RuleResult:
    return RuleResult(rule=rule, passed=False, reason=reason, source=source)


# --- account -------------------------------------------------------------------------------

PURCHASE_SHORT_NAME = "购房提取"
_STATUS_ORDER = {status: index for index, status in enumerate(ACCOUNT_STATUS_NAMES)}


def reason_short_name(policy: Policy, reason: str) -> str:
    """The reason as rule texts name it: 购房提取, 租房提取, 离退休提取."""
    if reason == "rent":
        return policy.rent.reason_name
    if reason == "retirement":
        return policy.retirement.reason_name
    return PURCHASE_SHORT_NAME


def _allowed_statuses(policy: Policy, reason: str) -> frozenset[str]:
    if reason == "rent":
        return policy.rent.allowed_account_statuses
    if reason == "retirement":
        return policy.retirement.allowed_account_statuses
    return policy.allowed_account_statuses


def account_found(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    if facts.account is None:
        name = reason_short_name(policy, facts.reason)
        return failed("account_found", SOURCE_CENTRE, f"{NO_ACCOUNT}，不符合{name}条件")
    return passed("account_found", SOURCE_CENTRE)


def account_status(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    if facts.account is None:
        return failed("account_status", SOURCE_CENTRE, f"{NO_ACCOUNT}，无法核验账户状态")
    statuses = _allowed_statuses(policy, facts.reason)
    if facts.account.status not in statuses:
        name = ACCOUNT_STATUS_NAMES.get(facts.account.status, facts.account.status)
        allowed = "、".join(
            ACCOUNT_STATUS_NAMES.get(s, s) for s in sorted(statuses, key=lambda s: _STATUS_ORDER.get(s, 99))
        )
        return failed(
            "account_status",
            SOURCE_CENTRE,
            f"您的公积金账户状态为{name}，不符合{reason_short_name(policy, facts.reason)}条件（账户状态须为{allowed}）",
        )
    return passed("account_status", SOURCE_CENTRE)


def contribution_months(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    if facts.account is None:
        return failed("contribution_months", SOURCE_CENTRE, f"{NO_ACCOUNT}，无法核验缴存月数")
    months = facts.account.consecutive_months
    least = policy.rent.min_consecutive_months if facts.reason == "rent" else policy.min_consecutive_months
    if months < least:
        return failed(
            "contribution_months",
            SOURCE_CENTRE,
            f"您的公积金已连续缴存 {months} 个月，{reason_short_name(policy, facts.reason)}须连续足额缴存满 {least} 个月",
        )
    return passed("contribution_months", SOURCE_CENTRE)


def loan_overdue(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    if policy.refuse_overdue_loans and facts.has_overdue_loan:
        return failed(
            "loan_overdue",
            SOURCE_CENTRE,
            "您的住房公积金贷款存在逾期，须先归还逾期贷款后再申请提取",
        )
    return passed("loan_overdue", SOURCE_CENTRE)


# --- house ---------------------------------------------------------------------------------


def _registry_down_reason(what: str) -> str:
    return f"房屋信息系统暂时无法访问，无法核验{what}，请稍后再试"


def house_found(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    if facts.registry_unavailable:
        return failed("house_found", SOURCE_REGISTRY, _registry_down_reason("房屋信息"))
    if facts.house is None:
        return failed("house_found", SOURCE_REGISTRY, HOUSE_NOT_FOUND)
    return passed("house_found", SOURCE_REGISTRY)


def house_status(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    if facts.registry_unavailable:
        return failed("house_status", SOURCE_REGISTRY, _registry_down_reason("备案状态"))
    if facts.house is None:
        return failed("house_status", SOURCE_REGISTRY, f"{HOUSE_NOT_FOUND}，无法核验备案状态")
    if facts.house.status != "valid":
        return failed(
            "house_status",
            SOURCE_REGISTRY,
            "该房屋的购房合同已撤销备案，不能办理购房提取",
        )
    return passed("house_status", SOURCE_REGISTRY)


def house_kind(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    if facts.registry_unavailable:
        return failed("house_kind", SOURCE_REGISTRY, _registry_down_reason("房屋类型"))
    house = facts.house
    if house is None:
        return failed("house_kind", SOURCE_REGISTRY, f"{HOUSE_NOT_FOUND}，无法核验房屋类型")
    name = HOUSE_KIND_NAMES.get(house.kind, house.kind)
    if house.kind not in policy.allowed_house_kinds:
        return failed("house_kind", SOURCE_POLICY, f"本中心暂不受理{name}的购房提取")
    expected_key = "contract_no" if house.kind == "new" else "archive_no"
    if house.looked_up_by != expected_key:
        how = "备案合同号" if house.kind == "new" else "房证新档案号"
        return failed("house_kind", SOURCE_REGISTRY, f"该房屋为{name}，请按{how}查询")
    return passed("house_kind", SOURCE_REGISTRY)


def time_window(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    if facts.registry_unavailable:
        return failed("time_window", SOURCE_REGISTRY, _registry_down_reason("备案或登记时间"))
    house = facts.house
    if house is None:
        return failed("time_window", SOURCE_REGISTRY, f"{HOUSE_NOT_FOUND}，无法核验备案或登记时间")
    started = house.filed_on if house.kind == "new" else house.registered_on
    what = "购房合同备案" if house.kind == "new" else "不动产登记"
    if started is None:
        return failed("time_window", SOURCE_REGISTRY, f"房屋信息中没有{what}日期，无法核验办理时限")
    years = policy.max_years_since_filing
    last_day = add_years(started, years)
    if facts.on > last_day:
        return failed(
            "time_window",
            SOURCE_REGISTRY,
            f"该房屋{what}日期为 {started.isoformat()}，已超过 {years} 年（最迟应于 {last_day.isoformat()} 前申请），"
            "不能办理购房提取",
        )
    return passed("time_window", SOURCE_REGISTRY)


def open_application(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    numbers = facts.open_application_numbers
    if len(numbers) >= policy.max_open_applications:
        return failed(
            "open_application",
            SOURCE_CENTRE,
            f"您已有 {len(numbers)} 笔未办结的提取申请（业务流水号 {'、'.join(numbers)}），"
            f"同时最多办理 {policy.max_open_applications} 笔，请办结后再申请",
        )
    return passed("open_application", SOURCE_CENTRE)


def house_used(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    if facts.registry_unavailable:
        return failed("house_used", SOURCE_REGISTRY, _registry_down_reason("该房屋的提取记录"))
    if facts.house is None:
        return failed("house_used", SOURCE_CENTRE, f"{HOUSE_NOT_FOUND}，无法核验该房屋的提取记录")
    limit = policy.max_withdrawals_per_member_per_house
    if facts.member_withdrawals_on_house >= limit:
        return failed(
            "house_used",
            SOURCE_CENTRE,
            f"您已使用该房屋办理过 {facts.member_withdrawals_on_house} 次购房提取，同一房屋每人最多提取 {limit} 次",
        )
    return passed("house_used", SOURCE_CENTRE)


# --- amount --------------------------------------------------------------------------------


def max_amount_fen(facts: EvaluationFacts) -> int | None:
    """The most this applicant may withdraw for this house: the available balance, and no more than
    what is left of the house price after every withdrawal by anyone on it. None when unknown."""
    if facts.account is None or facts.house is None:
        return None
    left_of_price = max(facts.house.total_price_fen - facts.house_withdrawn_fen, 0)
    return min(facts.account.available_fen, left_of_price)


def amount(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    limit = max_amount_fen(facts)
    if limit is None:
        return failed("amount", SOURCE_CENTRE, "未能确定公积金账户或房屋信息，无法核定可提取金额")
    account, house = facts.account, facts.house
    assert account is not None and house is not None
    left_of_price = max(house.total_price_fen - facts.house_withdrawn_fen, 0)
    if limit <= 0:
        if account.available_fen <= 0:
            return failed("amount", SOURCE_CENTRE, "您的公积金账户可用余额为 0.00 元，没有可提取的金额")
        return failed(
            "amount",
            SOURCE_CENTRE,
            f"该房屋的提取总额已达到房屋总价 {format_yuan(house.total_price_fen)}，不能再提取",
        )
    requested = facts.requested_amount_fen if facts.requested_amount_fen is not None else limit
    if requested <= 0:
        return failed("amount", SOURCE_CENTRE, "提取金额须大于 0 元")
    if requested > account.available_fen:
        return failed(
            "amount",
            SOURCE_CENTRE,
            f"提取金额 {format_yuan(requested)}超过您的公积金账户可用余额 {format_yuan(account.available_fen)}",
        )
    if requested > left_of_price:
        return failed(
            "amount",
            SOURCE_CENTRE,
            f"提取金额 {format_yuan(requested)}超过该房屋尚可提取的金额 {format_yuan(left_of_price)}"
            f"（房屋总价 {format_yuan(house.total_price_fen)}，已提取 {format_yuan(facts.house_withdrawn_fen)}）",
        )
    return passed("amount", SOURCE_CENTRE)


# --- card ----------------------------------------------------------------------------------


def _card_unusable_reason(policy: Policy, facts: EvaluationFacts) -> str | None:
    """Why the bank could not be asked about the card, or None when its answer is in the facts."""
    card = facts.card
    if card is None:
        return "尚未填写收款银行卡"
    if card_number_problem(
        card.card_no, min_length=policy.card_min_length, max_length=policy.card_max_length
    ):
        return "银行卡号码不正确，无法向银行核验"
    if card.bank_unavailable:
        return "银行系统暂时无法核验该卡，请稍后再试"
    if card.bank_found is None:
        return "尚未向银行核验该卡"
    if not card.bank_found:
        return "银行未查询到该卡，请核对卡号和收款银行"
    return None


def bank_allowed(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    if facts.card is None:
        return failed("bank_allowed", SOURCE_POLICY, "请选择收款银行")
    if facts.card.bank not in policy.allowed_banks:
        names = "、".join(policy.allowed_banks.values())
        chosen = facts.card.bank or "（未选择）"
        return failed(
            "bank_allowed", SOURCE_POLICY, f"所选收款银行 {chosen} 不在受理范围内，收款银行须为{names}之一"
        )
    return passed("bank_allowed", SOURCE_POLICY)


def card_number(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    if facts.card is None:
        return failed("card_number", SOURCE_POLICY, "请填写银行卡号码")
    problem = card_number_problem(
        facts.card.card_no, min_length=policy.card_min_length, max_length=policy.card_max_length
    )
    if problem:
        return failed("card_number", SOURCE_POLICY, problem)
    return passed("card_number", SOURCE_POLICY)


def card_type(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    card = facts.card
    if card is None or not (card.card_no.isascii() and card.card_no.isdigit()):
        return failed("card_type", SOURCE_POLICY, "银行卡号码不正确，无法识别卡种")
    issuer = policy.find_bin(card.card_no)
    if issuer is None:
        return failed("card_type", SOURCE_POLICY, "无法识别该卡的发卡行和卡种，收款账户须为本人一类借记卡")
    if issuer.type == "credit" or card.bank_card_type == "credit":
        return failed("card_type", SOURCE_BANK, "该卡为信用卡，收款账户须为借记卡（储蓄卡），不能使用信用卡")
    return passed("card_type", SOURCE_BANK if card.bank_card_type else SOURCE_POLICY)


def card_bank_match(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    card = facts.card
    if card is None or not (card.card_no.isascii() and card.card_no.isdigit()):
        return failed("card_bank_match", SOURCE_POLICY, "银行卡号码不正确，无法识别发卡行")
    issuer = policy.find_bin(card.card_no)
    if issuer is None:
        return failed("card_bank_match", SOURCE_POLICY, "无法识别该卡的发卡行，请核对卡号")
    if issuer.bank != card.bank:
        return failed(
            "card_bank_match",
            SOURCE_POLICY,
            f"该卡号属于{policy.bank_name(issuer.bank)}，与所选收款银行{policy.bank_name(card.bank)}不一致",
        )
    if len(card.card_no) != issuer.length:
        return failed(
            "card_bank_match",
            SOURCE_POLICY,
            f"{policy.bank_name(issuer.bank)}该类卡号应为 {issuer.length} 位，您输入的是 {len(card.card_no)} 位",
        )
    return passed("card_bank_match", SOURCE_POLICY)


def card_class(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    unusable = _card_unusable_reason(policy, facts)
    if unusable:
        return failed("card_class", SOURCE_BANK, unusable)
    assert facts.card is not None
    required = policy.required_account_class
    if facts.card.bank_account_class != required:
        actual = ACCOUNT_CLASS_NAMES.get(facts.card.bank_account_class or 0, "未知类别账户")
        return failed(
            "card_class",
            SOURCE_BANK,
            f"该卡为{actual}，收款账户须为本人{ACCOUNT_CLASS_NAMES.get(required, '一类账户')}（一类卡）",
        )
    return passed("card_class", SOURCE_BANK)


def card_holder(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    unusable = _card_unusable_reason(policy, facts)
    if unusable:
        return failed("card_holder", SOURCE_BANK, unusable)
    card = facts.card
    assert card is not None
    if (
        card.bank_holder_id_number != facts.applicant_id_number
        or card.bank_holder_name != facts.applicant_name
    ):
        return failed(
            "card_holder", SOURCE_BANK, "该卡的户主不是申请人本人，收款账户须为申请人本人名下的银行卡"
        )
    return passed("card_holder", SOURCE_BANK)


def card_status(policy: Policy, facts: EvaluationFacts) -> RuleResult:
    unusable = _card_unusable_reason(policy, facts)
    if unusable:
        return failed("card_status", SOURCE_BANK, unusable)
    assert facts.card is not None
    if facts.card.bank_status != "normal":
        name = CARD_STATUS_NAMES.get(facts.card.bank_status or "", "异常")
        return failed("card_status", SOURCE_BANK, f"该卡在银行的状态为{name}，收款账户须为正常状态")
    return passed("card_status", SOURCE_BANK)


Rule = Callable[[Policy, EvaluationFacts], RuleResult]

# The card's rules, shared by every reason (gjj.policy.reasons), in this order.
CARD_RULES: tuple[Rule, ...] = (
    bank_allowed,
    card_number,
    card_type,
    card_bank_match,
    card_class,
    card_holder,
    card_status,
)
# 购房提取's rules in the order of DESIGN.md: the member, the house, the amount, the card.
RULES: tuple[Rule, ...] = (
    account_found,
    account_status,
    contribution_months,
    loan_overdue,
    house_found,
    house_status,
    house_kind,
    time_window,
    open_application,
    house_used,
    amount,
    *CARD_RULES,
)
RULE_IDS: tuple[str, ...] = tuple(rule.__name__ for rule in RULES)
CARD_RULE_IDS = frozenset(rule.__name__ for rule in CARD_RULES)
HOUSE_RULE_IDS = frozenset({"house_found", "house_status", "house_kind", "time_window", "house_used"})
