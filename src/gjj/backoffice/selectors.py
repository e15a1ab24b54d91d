"""Reads of the back office: the review queue with its filters and deadlines, one case's whole
file, and the payouts list. Personal data leaves here masked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.fields.json import KT

from gjj.core.masking import mask_card_number, mask_id_number, mask_phone
from gjj.core.money import format_yuan
from gjj.core.timeutil import SHANGHAI, to_shanghai, today_shanghai, whole_months_between
from gjj.members.models import AccountStatus, FundAccount, Person
from gjj.policy.active import active_policy
from gjj.policy.deadlines import decision_due, latest_overdue_submission_day, working_days_between
from gjj.policy.reasons import (
    REASONS,
    SUBJECT_HOUSE,
    SUBJECT_RETIREMENT,
    SUBJECT_TENANCY,
    Reason,
    UnknownReason,
    reason_for,
    reason_name,
)
from gjj.policy.reasons.rent import rent_months_capped
from gjj.policy.schema import Policy
from gjj.staff.roles import StaffRole, user_roles
from gjj.withdrawals.eligibility import last_rent_withdrawal
from gjj.withdrawals.lifecycle import REVIEWABLE_STATES as REVIEW_STATES
from gjj.withdrawals.models import (
    OPEN_PAYOUT_STATES,
    Application,
    Channel,
    Decision,
    Material,
    Payout,
    PayoutState,
    ReviewDecision,
    State,
)
from gjj.withdrawals.selectors import (
    FIX_FIELD_NAMES,
    HOUSE_KIND_NAMES,
    RELATION_NAMES,
    RuleLine,
    TimelineEntry,
    application_rule_lines,
    application_timeline,
    channel_label,
    state_label,
)
from gjj.withdrawals.services import required_material_kinds

STAGE_LABELS = {1: "待初审", 2: "待复审"}


def reason_choices(policy: Policy | None = None) -> list[tuple[str, str]]:
    """Every reason of the registry, in its order, by the name the back office shows."""
    policy = policy or active_policy()
    return [(key, reason_name(policy, key)) for key in REASONS]


def reason_label(policy: Policy, key: str) -> str:
    """The reason's name; an application of a reason no longer in the registry shows its key."""
    try:
        return reason_name(policy, key)
    except UnknownReason:
        return key


def _reason_or_none(key: str) -> Reason | None:
    try:
        return reason_for(key)
    except UnknownReason:
        return None


class FilterError(ValueError):
    pass


@dataclass(frozen=True)
class QueueFilters:
    stage: int | None = None  # 1 初审, 2 复审
    state: str = ""
    channel: str = ""
    reason: str = ""  # a key of the registry (gjj.policy.reasons)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    amount_min_fen: int | None = None
    amount_max_fen: int | None = None
    house_kind: str = ""
    relation: str = ""
    reviewer: str = ""  # a username, "me" or "none" (unclaimed)
    overdue_only: bool = False

    @classmethod
    def from_query(cls, query: dict[str, str]) -> tuple[QueueFilters, list[str]]:
        """Filters from the query string; what cannot be read is named and left out."""
        problems: list[str] = []

        def day(name: str, label: str) -> dt.date | None:
            text = (query.get(name) or "").strip()
            if not text:
                return None
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                problems.append(f"{label}“{text}”不是有效日期（格式 YYYY-MM-DD）")
                return None

        def money(name: str, label: str) -> int | None:
            text = (query.get(name) or "").strip().replace(",", "")
            if not text:
                return None
            try:
                value = Decimal(text)
            except InvalidOperation:
                problems.append(f"{label}“{text}”不是有效金额")
                return None
            if value < 0 or value.as_tuple().exponent < -2:  # type: ignore[operator]
                problems.append(f"{label}“{text}”应为不小于 0、最多两位小数的金额（元）")
                return None
            return int(value * 100)

        stage_text = (query.get("stage") or "").strip()
        stage = int(stage_text) if stage_text in ("1", "2") else None
        state = (query.get("state") or "").strip()
        if state and state not in REVIEW_STATES:
            problems.append("状态只能筛选“已提交”或“审核中”")
            state = ""
        channel = (query.get("channel") or "").strip()
        if channel and channel not in Channel.values:
            problems.append(f"没有“{channel}”这个渠道")
            channel = ""
        reason = (query.get("reason") or "").strip()
        if reason and reason not in REASONS:
            problems.append(f"没有“{reason}”这个提取原因")
            reason = ""
        house_kind = (query.get("house_kind") or "").strip()
        if house_kind and house_kind not in HOUSE_KIND_NAMES:
            problems.append(f"没有“{house_kind}”这种房屋类型")
            house_kind = ""
        relation = (query.get("relation") or "").strip()
        if relation and relation not in RELATION_NAMES:
            problems.append(f"没有“{relation}”这种购房关系")
            relation = ""
        filters = cls(
            stage=stage,
            state=state,
            channel=channel,
            reason=reason,
            date_from=day("date_from", "提交日期起"),
            date_to=day("date_to", "提交日期止"),
            amount_min_fen=money("amount_min", "最低金额"),
            amount_max_fen=money("amount_max", "最高金额"),
            house_kind=house_kind,
            relation=relation,
            reviewer=(query.get("reviewer") or "").strip()[:150],
            overdue_only=query.get("overdue") == "1",
        )
        return filters, problems


@dataclass(frozen=True)
class QueueRow:
    business_no: str
    applicant_name: str
    masked_id_number: str
    channel_label: str
    reason: str
    reason_label: str
    state_label: str
    stage: int
    stage_label: str
    amount_fen: int | None
    house_kind_label: str
    relation_label: str
    submitted_at: dt.datetime | None
    due: dt.date | None
    working_days_waited: int
    overdue: bool
    due_today: bool
    claimed_by_label: str
    claimed_by_me: bool


def visible_stages(user: AbstractBaseUser) -> tuple[int, ...]:
    roles = user_roles(user)
    stages = []
    if StaffRole.FIRST_REVIEWER in roles:
        stages.append(1)
    if StaffRole.SECOND_REVIEWER in roles:
        stages.append(2)
    return tuple(stages)


def _user_label(user: AbstractBaseUser | None) -> str:
    if user is None:
        return ""
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return str(full or user.get_username())


def _start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def review_queue_qs(*, user: AbstractBaseUser, filters: QueueFilters) -> QuerySet[Application]:
    """The waiting cases this reviewer may see, filtered, in the queue's order (oldest first).

    Every waiting case has been submitted, so ``(submitted_at, pk)`` orders them totally: the
    queue's pages are cut on it (``QueueCursor``), through the partial index of the waiting cases
    (``application_waiting_queue``)."""
    stages = visible_stages(user)
    if filters.stage is not None:
        stages = tuple(stage for stage in stages if stage == filters.stage)
    qs = Application.objects.filter(
        state__in=REVIEW_STATES, review_stage__in=stages, submitted_at__isnull=False
    ).order_by("submitted_at", "pk")
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.reason:
        qs = qs.filter(reason=filters.reason)
    # Shanghai days as ranges of the stored moment (not the moment's date): the index can read them.
    if filters.date_from:
        qs = qs.filter(submitted_at__gte=_start_of_day(filters.date_from))
    if filters.date_to:
        qs = qs.filter(submitted_at__lt=_start_of_day(filters.date_to + dt.timedelta(days=1)))
    if filters.amount_min_fen is not None:
        qs = qs.filter(amount_fen__gte=filters.amount_min_fen)
    if filters.amount_max_fen is not None:
        qs = qs.filter(amount_fen__lte=filters.amount_max_fen)
    if filters.house_kind:
        qs = qs.filter(house_snapshot__kind=filters.house_kind)
    if filters.relation:
        qs = qs.filter(relation=filters.relation)
    if filters.reviewer == "none":
        qs = qs.filter(claimed_by__isnull=True)
    elif filters.reviewer == "me":
        qs = qs.filter(claimed_by_id=user.pk)
    elif filters.reviewer:
        # An EXISTS rather than a join to the decisions: no duplicate rows, so no DISTINCT that
        # would sort the whole result before the page is cut.
        decided_by_reviewer = ReviewDecision.objects.filter(
            application=OuterRef("pk"), reviewer__username=filters.reviewer
        )
        qs = qs.filter(
            Q(claimed_by__username=filters.reviewer)
            | Q(claimed_by__first_name=filters.reviewer)
            | Exists(decided_by_reviewer)
        )
    return qs


def queue_row(
    application: Application, *, house_kind: str, user: AbstractBaseUser, today: dt.date, policy: Policy
) -> QueueRow:
    submitted = to_shanghai(application.submitted_at) if application.submitted_at else None
    due = (
        decision_due(submitted.date(), days=policy.decision_limit_days, holidays=policy.holidays)
        if submitted
        else None
    )
    return QueueRow(
        business_no=application.business_no or "",
        applicant_name=application.person.name,
        masked_id_number=mask_id_number(application.person.id_number),
        channel_label=channel_label(application.channel),
        reason=application.reason,
        reason_label=reason_label(policy, application.reason),
        state_label=state_label(application.state),
        stage=application.review_stage,
        stage_label=STAGE_LABELS.get(application.review_stage, ""),
        amount_fen=application.amount_fen,
        house_kind_label=HOUSE_KIND_NAMES.get(house_kind, ""),
        relation_label=RELATION_NAMES.get(application.relation, application.relation),
        submitted_at=submitted,
        due=due,
        working_days_waited=working_days_between(submitted.date(), today, holidays=policy.holidays)
        if submitted
        else 0,
        overdue=bool(due and today > due),
        due_today=bool(due and today == due),
        claimed_by_label=_user_label(application.claimed_by),
        claimed_by_me=application.claimed_by_id == user.pk,
    )


def overdue_cutoff(*, today: dt.date, policy: Policy) -> dt.datetime:
    """Applications submitted before this moment are past their decision limit today."""
    last_overdue_day = latest_overdue_submission_day(
        today=today, days=policy.decision_limit_days, holidays=policy.holidays
    )
    return dt.datetime.combine(last_overdue_day + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)


QUEUE_PAGE_SIZE = 50
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


@dataclass(frozen=True)
class QueueCursor:
    """Where a page of the queue ends (or begins): a row's sort key, ``(submitted_at, pk)``.

    A page is "the rows after (or before) this key", read from the index, so page 400 costs what
    page 1 does, and a case decided meanwhile neither shifts nor repeats the rows of the next page
    (as an OFFSET would)."""

    submitted_at: dt.datetime
    pk: int

    @classmethod
    def of(cls, application: Application) -> QueueCursor:
        assert application.submitted_at is not None  # every waiting case was submitted
        return cls(submitted_at=application.submitted_at, pk=application.pk)

    @property
    def token(self) -> str:
        """For the URL: microseconds since the epoch, a dot, the pk (exact, no time-zone text)."""
        return f"{(self.submitted_at - _EPOCH) // _MICROSECOND}.{self.pk}"

    @classmethod
    def parse(cls, token: str) -> QueueCursor | None:
        """None for anything that is not a token this queue wrote."""
        micros, dot, pk = token.strip().partition(".")
        if not dot or not micros.isdigit() or not pk.isdigit():
            return None
        try:
            return cls(submitted_at=_EPOCH + int(micros) * _MICROSECOND, pk=int(pk))
        except OverflowError:
            return None

    def rows_after(self) -> Q:
        return Q(submitted_at__gt=self.submitted_at) | Q(submitted_at=self.submitted_at, pk__gt=self.pk)

    def rows_before(self) -> Q:
        return Q(submitted_at__lt=self.submitted_at) | Q(submitted_at=self.submitted_at, pk__lt=self.pk)


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int  # every waiting case the filters let through
    overdue_count: int  # of those, past the decision limit today
    first_position: int  # 1-based position of the first row in the whole filtered queue
    next_cursor: QueueCursor | None  # the key after which the next page starts
    previous_cursor: QueueCursor | None  # the key before which the previous page ends

    @property
    def last_position(self) -> int:
        return self.first_position + len(self.rows) - 1


# What a row of the queue shows; the JSON columns (rule results, the evaluated inputs, the card's
# verification, the house snapshot) stay in the database: the house kind is read out of its snapshot.
_QUEUE_ROW_FIELDS = (
    "business_no",
    "channel",
    "reason",
    "state",
    "review_stage",
    "amount_fen",
    "relation",
    "submitted_at",
    "claimed_by_id",
    "person__name",
    "person__id_number",
    "claimed_by__username",
    "claimed_by__first_name",
    "claimed_by__last_name",
)


def _page_rows(applications: QuerySet[Application], *, limit: int) -> list[Application]:
    return list(
        applications.select_related("person", "claimed_by")
        .only(*_QUEUE_ROW_FIELDS)
        .annotate(queue_house_kind=KT("house_snapshot__kind"))[:limit]
    )


def review_queue(
    *,
    user: AbstractBaseUser,
    filters: QueueFilters,
    after: QueueCursor | None = None,
    before: QueueCursor | None = None,
    page_size: int = QUEUE_PAGE_SIZE,
    today: dt.date | None = None,
) -> QueuePage:
    """One page of the queue, oldest first: the first page, the page after ``after`` (下一页) or
    the page before ``before`` (上一页). The decision deadline of each is N working days after
    submission. Everything here reads the waiting cases only, through their partial index."""
    policy = active_policy()
    today = today or today_shanghai()
    cutoff = overdue_cutoff(today=today, policy=policy)
    waiting = review_queue_qs(user=user, filters=filters)
    if filters.overdue_only:
        waiting = waiting.filter(submitted_at__lt=cutoff)

    # One more row than the page shows: whether there is a page beyond it.
    if before is not None:
        found = _page_rows(
            waiting.filter(before.rows_before()).order_by("-submitted_at", "-pk"), limit=page_size + 1
        )
        if len(found) <= page_size:
            # Back at the head of the queue: show the first page whole, not a short one.
            before = None
            found = _page_rows(waiting, limit=page_size + 1)
            more_after = len(found) > page_size
            more_before = False
        else:
            more_before, more_after = True, True
        found = list(reversed(found[:page_size])) if before is not None else found[:page_size]
    else:
        source = waiting.filter(after.rows_after()) if after is not None else waiting
        found = _page_rows(source, limit=page_size + 1)
        more_after = len(found) > page_size
        more_before = after is not None
        found = found[:page_size]

    # The counts in one statement over the same waiting cases: the whole (filtered) queue, the late
    # ones, and the ones ahead of this page (for "第 51–100 件").
    counted = {"total": Count("pk"), "overdue": Count("pk", filter=Q(submitted_at__lt=cutoff))}
    if found:
        counted["ahead"] = Count("pk", filter=QueueCursor.of(found[0]).rows_before())
    counts = waiting.order_by().aggregate(**counted)
    return QueuePage(
        rows=[
            queue_row(
                application,
                house_kind=str(application.queue_house_kind or ""),  # type: ignore[attr-defined]
                user=user,
                today=today,
                policy=policy,
            )
            for application in found
        ],
        total=counts["total"],
        overdue_count=counts["overdue"],
        first_position=counts.get("ahead", 0) + 1,
        next_cursor=QueueCursor.of(found[-1]) if found and more_after else None,
        previous_cursor=QueueCursor.of(found[0]) if found and more_before else None,
    )


# --- one case --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialView:
    pk: int
    kind: str
    name: str
    content_type: str
    size: int
    uploaded_at: dt.datetime
    uploaded_via: str
    is_current: bool
    is_image: bool


@dataclass(frozen=True)
class DecisionView:
    at: dt.datetime
    reviewer_label: str
    stage_label: str
    decision_label: str
    reason: str
    what_to_fix: list[str]
    round: int


@dataclass(frozen=True)
class CardCheckView:
    label: str
    value: str
    ok: bool | None


@dataclass(frozen=True)
class RequiredMaterialView:
    kind: str
    name: str
    uploaded: bool


@dataclass(frozen=True)
class SubjectFacts:
    """What a reason whose subject is not a house was decided on (a tenancy, a retirement): the
    facts the rules read, each with the stored result of its rule where one decided on it."""

    heading: str
    source: str
    rows: list[CardCheckView]


@dataclass
class CaseFile:
    application: Application
    business_no: str
    reason: str
    reason_name: str
    reason_code: str
    has_house: bool
    state_label: str
    stage_label: str
    channel_label: str
    applicant_name: str
    masked_id_number: str
    masked_phone: str
    account_no: str
    account_status_label: str
    account_closed: bool
    employer_name: str
    balance_fen: int
    frozen_fen: int
    consecutive_months: int
    paid_through: str
    house: dict[str, str]
    house_source: str
    house_looked_up_at: dt.datetime | None
    relation_label: str
    bank_name: str
    masked_card_no: str
    card_checks: list[CardCheckView]
    card_verified_at: dt.datetime | None
    amount_fen: int | None
    submitted_at: dt.datetime | None
    due: dt.date | None
    overdue: bool
    rules: list[RuleLine]
    subject_facts: SubjectFacts | None
    required_materials: list[RequiredMaterialView]
    materials: list[MaterialView]
    earlier_materials: list[MaterialView]
    decisions: list[DecisionView]
    timeline: list[TimelineEntry]
    payouts: list[Payout]
    needs_second_review: bool
    claimed_by_label: str
    claimed_by_me: bool
    what_to_fix_labels: list[str] = field(default_factory=list)


CARD_CLASS_LABELS = {1: "一类账户", 2: "二类账户", 3: "三类账户"}
CARD_TYPE_LABELS = {"debit": "借记卡", "credit": "信用卡"}
CARD_STATUS_LABELS = {"normal": "正常", "frozen": "冻结", "closed": "销户"}


def _card_checks(application: Application, policy: Policy) -> list[CardCheckView]:
    record = application.card_verification or {}
    if not record:
        return []
    found = record.get("found")
    checks = [CardCheckView("银行是否查到此卡", "查到" if found else "未查到", bool(found))]
    if found:
        real_bank = str(record.get("bank") or "")
        checks += [
            CardCheckView(
                "开户银行",
                policy.bank_name(real_bank) if real_bank else "—",
                real_bank == application.bank if real_bank else None,
            ),
            CardCheckView(
                "卡种",
                CARD_TYPE_LABELS.get(str(record.get("card_type")), "—"),
                record.get("card_type") == "debit",
            ),
            CardCheckView(
                "账户类别",
                CARD_CLASS_LABELS.get(record.get("account_class") or 0, "—"),  # type: ignore[arg-type]
                record.get("account_class") == policy.required_account_class,
            ),
            CardCheckView(
                "户名与身份证号",
                "与申请人一致" if record.get("holder_matches") else "与申请人不一致",
                bool(record.get("holder_matches")),
            ),
            CardCheckView(
                "账户状态",
                CARD_STATUS_LABELS.get(str(record.get("status")), "—"),
                record.get("status") == "normal",
            ),
        ]
    return checks


def _material_view(material: Material, policy: Policy) -> MaterialView:
    return MaterialView(
        pk=material.pk,
        kind=material.kind,
        name=policy.material_names.get(material.kind, material.kind),
        content_type=material.content_type,
        size=material.size,
        uploaded_at=to_shanghai(material.uploaded_at),
        uploaded_via=channel_label(material.uploaded_via),
        is_current=material.is_current,
        is_image=material.content_type.startswith("image/"),
    )


def _house_view(snapshot: dict[str, object]) -> dict[str, str]:
    if not snapshot:
        return {}
    buyers = snapshot.get("buyers")
    buyer_text = "、".join(
        f"{buyer.get('name', '')}（{mask_id_number(str(buyer.get('id_number', '')))}）"
        for buyer in (buyers if isinstance(buyers, list) else [])
        if isinstance(buyer, dict)
    )
    price = snapshot.get("total_price_fen")
    return {
        "房屋类型": HOUSE_KIND_NAMES.get(str(snapshot.get("kind") or ""), str(snapshot.get("kind") or "")),
        "备案合同号": str(snapshot.get("contract_no") or "—"),
        "房证新档案号": str(snapshot.get("archive_no") or "—"),
        "房屋坐落": str(snapshot.get("address") or ""),
        "建筑面积": f"{snapshot.get('area_m2') or '—'} 平方米",
        "房屋总价": format_yuan(price) if isinstance(price, int) else "—",
        "备案日期": str(snapshot.get("filed_on") or "—"),
        "登记日期": str(snapshot.get("registered_on") or "—"),
        "备案状态": "有效"
        if snapshot.get("status") == "valid"
        else "已撤销备案"
        if snapshot.get("status")
        else "—",
        "购房人": buyer_text or "—",
    }


def _rule_result(application: Application, rule: str) -> tuple[bool | None, str]:
    """(passed, the stored reason) of one rule; (None, "") when no stored evaluation ran it."""
    for result in application.rule_results or []:
        if result.get("rule") == rule:
            return bool(result.get("passed")), str(result.get("reason") or "")
    return None, ""


def _checked(application: Application, rule: str, *, label: str, when_passed: str) -> CardCheckView:
    ok, reason = _rule_result(application, rule)
    if ok is None:
        return CardCheckView(label, "无核验记录", None)
    return CardCheckView(label, when_passed if ok else reason or "未通过", ok)


def _evaluated_on(application: Application) -> dt.datetime:
    """When the stored rule results were decided (Asia/Shanghai)."""
    moment = application.evaluated_at or application.submitted_at or application.created_at
    return to_shanghai(moment)


def last_rent_before(application: Application) -> tuple[dt.date, str] | None:
    """The last rent withdrawal paid before the application was evaluated, and where it is recorded:
    before this system (the dataset's prior withdrawals) or a paid rent application of this system
    (the application itself left out)."""
    last = last_rent_withdrawal(
        application.person_id, until=_evaluated_on(application), exclude_application_id=application.pk
    )
    if last is None:
        return None
    return last.paid_on, f"本系统业务 {last.business_no}" if last.business_no else "本系统上线前的提取记录"


def _tenancy_facts(application: Application, policy: Policy) -> SubjectFacts:
    rent = policy.rent
    evaluated_on = _evaluated_on(application).date()
    last = last_rent_before(application)
    months = whole_months_between(last[0], evaluated_on) if last else None
    counted = rent_months_capped(policy, months)
    interval = _checked(
        application,
        "rent_interval",
        label="距上次租房提取",
        when_passed=f"{months} 个月（两次租房提取须间隔至少 {rent.min_months_between} 个月）"
        if months is not None
        else "此前未办理过租房提取",
    )
    maximum = (application.evaluated_inputs or {}).get("max_amount_fen")
    months_text = (
        f"{counted} 个月（距上次 {months} 个月，最多计 {rent.max_months} 个月）"
        if months is not None
        else f"{counted} 个月（此前未办理过租房提取）"
    )
    rows = [
        _checked(
            application,
            "owns_house",
            label="名下住房核验",
            when_passed="住房信息系统中本人及配偶名下均无有效住房",
        ),
        CardCheckView(
            "上次租房提取",
            f"{last[0].isoformat()} 支付（{last[1]}）" if last else "无",
            None,
        ),
        interval,
        CardCheckView(
            "每月限额 × 月数",
            f"{format_yuan(rent.monthly_limit_fen)} × {months_text} "
            f"= {format_yuan(rent.monthly_limit_fen * counted)}",
            None,
        ),
        CardCheckView(
            "本次最多可提取",
            f"{format_yuan(maximum)}（每月限额 × 月数，且不超过可用余额）"
            if isinstance(maximum, int)
            else "—",
            None,
        ),
    ]
    return SubjectFacts(
        heading="租房提取核验",
        source=f"来源：住房信息系统（本人及配偶名下住房）、公积金中心提取记录，核验时间 "
        f"{_evaluated_on(application):%Y-%m-%d %H:%M:%S}",
        rows=rows,
    )


def _retirement_facts(application: Application, person: Person, account: FundAccount) -> SubjectFacts:
    retired_on = person.retired_on.isoformat() if person.retired_on else "未查询到退休信息"
    ok, why = _rule_result(application, "retired")
    retired = CardCheckView("退休日期", f"{retired_on}（{why}）" if ok is False and why else retired_on, ok)
    if account.status == AccountStatus.CLOSED:
        parts = [f"{to_shanghai(account.closed_at):%Y-%m-%d %H:%M:%S}" if account.closed_at else ""]
        parts.append(account.closure_reason)
        detail = "，".join(part for part in parts if part)
        closure_row = CardCheckView("账户销户", f"已销户（{detail}）" if detail else "已销户", True)
    else:
        closure_row = CardCheckView(
            "账户销户", f"未销户（当前账户状态：{account.get_status_display()}）", None
        )
    return SubjectFacts(
        heading="离退休提取核验",
        source=f"来源：社保退休数据、公积金中心贷款记录，核验时间 {_evaluated_on(application):%Y-%m-%d %H:%M:%S}",
        rows=[
            retired,
            _checked(
                application,
                "loan_active",
                label="公积金贷款",
                when_passed="无未结清的住房公积金贷款",
            ),
            CardCheckView("提取方式", "一次提取全部余额，支付成功后销户", None),
            closure_row,
        ],
    )


def _subject_facts(
    application: Application, reason: Reason | None, policy: Policy, person: Person, account: FundAccount
) -> SubjectFacts | None:
    if reason is None or reason.subject == SUBJECT_HOUSE:
        return None
    if reason.subject == SUBJECT_TENANCY:
        return _tenancy_facts(application, policy)
    if reason.subject == SUBJECT_RETIREMENT:
        return _retirement_facts(application, person, account)
    return None


def case_file(*, business_no: str, user: AbstractBaseUser, today: dt.date | None = None) -> CaseFile | None:
    application = (
        Application.objects.select_related("person", "account", "account__employer", "claimed_by")
        .filter(business_no=business_no)
        .exclude(state=State.DRAFT)
        .first()
    )
    if application is None:
        return None
    policy = active_policy()
    today = today or today_shanghai()
    person, account = application.person, application.account
    row = queue_row(
        application,
        house_kind=str((application.house_snapshot or {}).get("kind") or ""),
        user=user,
        today=today,
        policy=policy,
    )
    reason = _reason_or_none(application.reason)
    required = required_material_kinds(application, policy) if reason is not None else ()
    order = {kind: index for index, kind in enumerate(required)}
    materials = sorted(
        (
            _material_view(material, policy)
            # A version replaced before it was ever submitted kept no file: no reviewer saw it.
            for material in Material.objects.filter(application=application)
            .exclude(file="")
            .order_by("-uploaded_at")
        ),
        key=lambda view: order.get(view.kind, len(order)),
    )
    decisions = [
        DecisionView(
            at=to_shanghai(decision.at),
            reviewer_label=_user_label(decision.reviewer),
            stage_label="复审" if decision.stage == 2 else "初审",
            decision_label=Decision(decision.decision).label,
            reason=decision.reason,
            what_to_fix=[
                policy.material_names.get(str(key)) or FIX_FIELD_NAMES.get(str(key), str(key))
                for key in decision.what_to_fix or []
            ],
            round=decision.round,
        )
        for decision in ReviewDecision.objects.filter(application=application).select_related("reviewer")
    ]
    current_kinds = {m.kind for m in materials if m.is_current}
    return CaseFile(
        application=application,
        business_no=application.business_no or "",
        reason=application.reason,
        reason_name=row.reason_label,
        reason_code=application.reason_code,
        has_house=reason is not None and reason.subject == SUBJECT_HOUSE,
        state_label=state_label(application.state),
        stage_label=STAGE_LABELS.get(application.review_stage, "")
        if application.state in REVIEW_STATES
        else "",
        channel_label=channel_label(application.channel),
        applicant_name=person.name,
        masked_id_number=mask_id_number(person.id_number),
        masked_phone=mask_phone(person.phone),
        account_no=account.account_no,
        account_status_label=account.get_status_display(),
        account_closed=account.status == AccountStatus.CLOSED,
        employer_name=account.employer.name if account.employer_id else "",
        balance_fen=account.balance_fen,
        frozen_fen=account.frozen_fen,
        consecutive_months=account.consecutive_months,
        paid_through=str(account.paid_through or ""),
        house=_house_view(application.house_snapshot or {}),
        house_source=application.house_source,
        house_looked_up_at=to_shanghai(application.house_looked_up_at)
        if application.house_looked_up_at
        else None,
        relation_label=RELATION_NAMES.get(application.relation, application.relation),
        bank_name=policy.bank_name(application.bank) if application.bank else "",
        masked_card_no=mask_card_number(application.card_no),
        card_checks=_card_checks(application, policy),
        card_verified_at=to_shanghai(application.card_verified_at) if application.card_verified_at else None,
        amount_fen=application.amount_fen,
        submitted_at=row.submitted_at,
        due=row.due if application.state in REVIEW_STATES else None,
        overdue=row.overdue and application.state in REVIEW_STATES,
        rules=application_rule_lines(application=application),
        subject_facts=_subject_facts(application, reason, policy, person, account),
        required_materials=[
            RequiredMaterialView(kind, policy.material_names.get(kind, kind), kind in current_kinds)
            for kind in required
        ],
        materials=[m for m in materials if m.is_current],
        earlier_materials=[m for m in materials if not m.is_current],
        decisions=decisions,
        timeline=application_timeline(application=application),
        payouts=list(Payout.objects.filter(application=application).order_by("created_at")),
        needs_second_review=application.amount_fen is not None
        and application.amount_fen >= policy.four_eyes_threshold_fen,
        claimed_by_label=row.claimed_by_label,
        claimed_by_me=row.claimed_by_me,
    )


def fix_choices(*, application: Application, policy: Policy | None = None) -> list[tuple[str, str]]:
    """What a reviewer may ask to be corrected: this application's materials, then its fields."""
    policy = policy or active_policy()
    reason = _reason_or_none(application.reason)
    materials = [
        (kind, policy.material_names.get(kind, kind))
        for kind in (required_material_kinds(application, policy) if reason is not None else ())
    ]
    fields = [
        # A reason without a house has no house to correct, and a fixed amount (the whole
        # balance) is none the member can change.
        *([("house", "房屋信息")] if reason is None or reason.subject == SUBJECT_HOUSE else []),
        ("bank", "收款银行"),
        ("card_no", "银行卡号码"),
        *([("amount", "提取金额")] if reason is None or not reason.amount_fixed else []),
    ]
    return materials + fields


def reject_reasons_for(*, application: Application, policy: Policy | None = None) -> tuple[str, ...]:
    """The standard 不予通过 reasons a reviewer may choose for this application: its reason's own
    list in the policy."""
    policy = policy or active_policy()
    reason = _reason_or_none(application.reason)
    return reason.reject_reasons(policy) if reason is not None else policy.reject_reasons


def material_for_staff(*, business_no: str, material_id: int) -> Material | None:
    return (
        Material.objects.select_related("application")
        .filter(pk=material_id, application__business_no=business_no)
        .exclude(file="")
        .first()
    )


# --- payouts ---------------------------------------------------------------------------------------


# The payouts filter's value for open payouts that stopped being re-sent by themselves.
NEEDS_MANUAL = "manual"


def payouts_list(*, state: str = "", text: str = "") -> QuerySet[Payout]:
    qs = Payout.objects.select_related("application", "application__person").order_by("-created_at", "-pk")
    if state == "open":
        qs = qs.filter(state__in=OPEN_PAYOUT_STATES)
    elif state == NEEDS_MANUAL:
        qs = qs.filter(state__in=OPEN_PAYOUT_STATES, needs_manual=True)
    elif state:
        qs = qs.filter(state=state)
    text = text.strip()
    if text:
        qs = qs.filter(Q(serial__icontains=text) | Q(application__business_no__icontains=text))
    return qs


def payout_counts() -> dict[str, int]:
    counts = {row["state"]: row["n"] for row in Payout.objects.values("state").annotate(n=Count("pk"))}
    return {state.value: counts.get(state.value, 0) for state in PayoutState}


def payouts_needing_manual_count() -> int:
    return Payout.objects.filter(state__in=OPEN_PAYOUT_STATES, needs_manual=True).count()
