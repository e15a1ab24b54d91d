"""The centre's dashboard: reads only (HackSoft selectors), by Asia/Shanghai days.

Counts and sums are aggregate queries grouped by Shanghai day; only the durations of the
period's own decisions and payments come back as rows, for the median and the 90th percentile.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils.safestring import mark_safe

from gjj.backoffice.charts import Series, bar_chart, histogram, stacked_bar_chart
from gjj.core.money import format_yuan
from gjj.core.percentiles import Percentile, nearest_rank
from gjj.core.timeutil import SHANGHAI
from gjj.policy.active import active_policy
from gjj.policy.deadlines import latest_overdue_submission_day
from gjj.withdrawals.lifecycle import BACKLOG_STATES
from gjj.withdrawals.lifecycle import REVIEWABLE_STATES as AWAITING_DECISION
from gjj.withdrawals.models import Application, Channel, Payout, PayoutState, State, Transition

# The member-facing channels, always shown (a zero column says something too), in this order.
MAIN_CHANNELS: tuple[str, ...] = (Channel.WEB, Channel.WECHAT, Channel.APP, Channel.API)

# BACKLOG_STATES: open states the back office has to move on, in the order work flows.
# AWAITING_DECISION: only these wait for a decision, so only these can be late against the limit.

OUTCOME_INSTANT = "instant"
OUTCOME_STAFF = "staff"
OUTCOME_REJECTED = "rejected"
OUTCOME_RETURNED = "returned"
OUTCOME_LABELS: dict[str, str] = {
    OUTCOME_INSTANT: "秒批通过",
    OUTCOME_STAFF: "人工审批通过",
    OUTCOME_REJECTED: "未通过",
    OUTCOME_RETURNED: "退回补正",
}

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
# (label, upper bound exclusive); the last bucket takes the rest.
DURATION_BUCKETS: tuple[tuple[str, dt.timedelta | None], ...] = (
    ("<1小时", HOUR),
    ("1–24小时", DAY),
    ("1–3天", 3 * DAY),
    (">3天", None),
)


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class ChannelColumn:
    code: str
    label: str


@dataclass(frozen=True)
class DayChannels:
    day: dt.date
    counts: tuple[int, ...]  # aligned with DashboardData.channels
    total: int

    @property
    def label(self) -> str:
        return f"{self.day:%m-%d}"


@dataclass(frozen=True)
class OutcomeCount:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class DurationStats:
    count: int
    median: dt.timedelta | None
    p90: dt.timedelta | None
    buckets: tuple[tuple[str, int], ...]

    @property
    def median_text(self) -> str:
        return format_duration(self.median)

    @property
    def p90_text(self) -> str:
        return format_duration(self.p90)


@dataclass(frozen=True)
class DayPaid:
    day: dt.date
    amount_fen: int
    count: int

    @property
    def label(self) -> str:
        return f"{self.day:%m-%d}"

    @property
    def amount_text(self) -> str:
        return format_yuan(self.amount_fen)


@dataclass(frozen=True)
class BacklogRow:
    state: str
    label: str
    count: int
    overdue: int | None  # None where the state does not wait for a decision


@dataclass(frozen=True)
class DashboardData:
    start: dt.date
    end: dt.date  # inclusive: ``today``
    decision_limit_days: int
    channels: tuple[ChannelColumn, ...]
    submitted_per_day: tuple[DayChannels, ...]
    submitted_by_channel: tuple[int, ...]  # aligned with channels
    submitted_total: int
    outcomes: tuple[OutcomeCount, ...]
    to_decision: DurationStats
    to_payment: DurationStats
    paid_per_day: tuple[DayPaid, ...]
    paid_total_fen: int
    paid_count: int
    backlog: tuple[BacklogRow, ...]
    backlog_total: int
    overdue_total: int

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def paid_total_text(self) -> str:
        return format_yuan(self.paid_total_fen)

    @property
    def outcomes_total(self) -> int:
        return sum(o.count for o in self.outcomes)


def format_duration(value: dt.timedelta | None) -> str:
    """``2 小时 15 分``, ``1 天 3 小时``, ``40 分``; ``—`` when there is nothing to measure."""
    if value is None:
        return "—"
    if value < dt.timedelta(minutes=1):
        return "不足 1 分"  # instant approvals take seconds; "0 分" would read as not measured
    minutes = max(0, int(value.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} 天 {hours} 小时"
    if hours:
        return f"{hours} 小时 {mins} 分"
    return f"{mins} 分"


def duration_stats(durations: list[dt.timedelta]) -> DurationStats:
    ordered = sorted(durations)
    counts = [0] * len(DURATION_BUCKETS)
    for value in ordered:
        for index, (_, upper) in enumerate(DURATION_BUCKETS):
            if upper is None or value < upper:
                counts[index] += 1
                break
    buckets = tuple((label, counts[i]) for i, (label, _) in enumerate(DURATION_BUCKETS))
    if not ordered:
        return DurationStats(count=0, median=None, p90=None, buckets=buckets)
    median = dt.timedelta(seconds=statistics.median(d.total_seconds() for d in ordered))
    return DurationStats(count=len(ordered), median=median, p90=nearest_rank(ordered, 0.9), buckets=buckets)


def _submitted_per_day(
    *, since: dt.datetime, until: dt.datetime, days: list[dt.date]
) -> tuple[tuple[ChannelColumn, ...], tuple[DayChannels, ...]]:
    rows = (
        Application.objects.filter(submitted_at__gte=since, submitted_at__lt=until)
        .annotate(day=TruncDate("submitted_at", tzinfo=SHANGHAI))
        .values("day", "channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_key = {(row["day"], row["channel"]): row["n"] for row in rows}
    extra = sorted({channel for _, channel in by_key} - set(MAIN_CHANNELS))
    codes = [*MAIN_CHANNELS, *extra]
    channels = tuple(ChannelColumn(code=c, label=_channel_label(c)) for c in codes)
    per_day = []
    for day in days:
        counts = tuple(by_key.get((day, code), 0) for code in codes)
        per_day.append(DayChannels(day=day, counts=counts, total=sum(counts)))
    return channels, tuple(per_day)


def _channel_label(code: str) -> str:
    try:
        return str(Channel(code).label)
    except ValueError:
        return code


def _outcomes(*, since: dt.datetime, until: dt.datetime) -> tuple[OutcomeCount, ...]:
    rows = (
        Transition.objects.filter(
            at__gte=since,
            at__lt=until,
            to_state__in=[State.APPROVED, State.REJECTED, State.RETURNED],
        )
        .values("to_state", "application__instant_approved")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(OUTCOME_LABELS, 0)
    for row in rows:
        if row["to_state"] == State.APPROVED:
            key = OUTCOME_INSTANT if row["application__instant_approved"] else OUTCOME_STAFF
        elif row["to_state"] == State.REJECTED:
            key = OUTCOME_REJECTED
        else:
            key = OUTCOME_RETURNED
        counts[key] += row["n"]
    return tuple(OutcomeCount(key=k, label=OUTCOME_LABELS[k], count=counts[k]) for k in OUTCOME_LABELS)


def _durations(*, end_field: str, since: dt.datetime, until: dt.datetime) -> DurationStats:
    # Measured for what ended in the period: the decision (or payment) day is what the centre controls.
    ended = Application.objects.filter(
        submitted_at__isnull=False, **{f"{end_field}__gte": since, f"{end_field}__lt": until}
    ).order_by()
    if connection.vendor != "postgresql":
        # The embedded SQLite has no percentile aggregate, and a small centre's month of rows.
        return duration_stats([end - start for start, end in ended.values_list("submitted_at", end_field)])
    # On PostgreSQL the month's durations never leave the database: one aggregate over the window
    # of the end-time index (which carries submitted_at too) gives the count, the buckets and both
    # percentiles, however busy the month was.
    took = ExpressionWrapper(F(end_field) - F("submitted_at"), output_field=DurationField())
    bounds = [upper for _, upper in DURATION_BUCKETS]
    buckets: dict[str, Aggregate] = {}
    lower: dt.timedelta | None = None
    for index, upper in enumerate(bounds):
        condition = Q()
        if lower is not None:
            condition &= Q(took__gte=lower)
        if upper is not None:
            condition &= Q(took__lt=upper)
        buckets[f"bucket_{index}"] = Count("pk", filter=condition)
        lower = upper
    found = ended.annotate(took=took).aggregate(
        count=Count("pk"),
        median=Percentile("took", function="percentile_cont", fraction=0.5, output_field=DurationField()),
        p90=Percentile("took", function="percentile_disc", fraction=0.9, output_field=DurationField()),
        **buckets,
    )
    return DurationStats(
        count=found["count"],
        median=found["median"],
        p90=found["p90"],
        buckets=tuple((label, found[f"bucket_{i}"]) for i, (label, _) in enumerate(DURATION_BUCKETS)),
    )


def _paid_per_day(*, since: dt.datetime, until: dt.datetime, days: list[dt.date]) -> tuple[DayPaid, ...]:
    rows = (
        Payout.objects.filter(state=PayoutState.DONE, completed_at__gte=since, completed_at__lt=until)
        .annotate(day=TruncDate("completed_at", tzinfo=SHANGHAI))
        .values("day")
        .annotate(total=Sum("amount_fen"), n=Count("id"))
        .order_by()
    )
    by_day = {row["day"]: (int(row["total"] or 0), row["n"]) for row in rows}
    return tuple(
        DayPaid(day=day, amount_fen=by_day.get(day, (0, 0))[0], count=by_day.get(day, (0, 0))[1])
        for day in days
    )


def _backlog(*, today: dt.date, limit_days: int, holidays: frozenset[dt.date]) -> tuple[BacklogRow, ...]:
    counts = dict(
        Application.objects.filter(state__in=BACKLOG_STATES)
        .values("state")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("state", "n")
    )
    cutoff = _start_of(latest_overdue_submission_day(today=today, days=limit_days, holidays=holidays) + DAY)
    overdue = dict(
        Application.objects.filter(state__in=AWAITING_DECISION, submitted_at__lt=cutoff)
        .values("state")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("state", "n")
    )
    return tuple(
        BacklogRow(
            state=state,
            label=str(State(state).label),
            count=counts.get(state, 0),
            overdue=overdue.get(state, 0) if state in AWAITING_DECISION else None,
        )
        for state in BACKLOG_STATES
    )


def dashboard_data(*, today: dt.date, days: int = 30) -> DashboardData:
    """The ``days`` Shanghai days up to and including ``today``, and the backlog as it stands."""
    if days < 1:
        raise ValueError("统计天数至少为 1 天")
    start = today - dt.timedelta(days=days - 1)
    since, until = _start_of(start), _start_of(today + DAY)
    day_list = [start + dt.timedelta(days=i) for i in range(days)]
    policy = active_policy()
    limit_days = policy.decision_limit_days

    channels, per_day = _submitted_per_day(since=since, until=until, days=day_list)
    by_channel = tuple(sum(d.counts[i] for d in per_day) for i in range(len(channels)))
    paid = _paid_per_day(since=since, until=until, days=day_list)
    backlog = _backlog(today=today, limit_days=limit_days, holidays=policy.holidays)
    return DashboardData(
        start=start,
        end=today,
        decision_limit_days=limit_days,
        channels=channels,
        submitted_per_day=per_day,
        submitted_by_channel=by_channel,
        submitted_total=sum(by_channel),
        outcomes=_outcomes(since=since, until=until),
        to_decision=_durations(end_field="decided_at", since=since, until=until),
        to_payment=_durations(end_field="paid_at", since=since, until=until),
        paid_per_day=paid,
        paid_total_fen=sum(p.amount_fen for p in paid),
        paid_count=sum(p.count for p in paid),
        backlog=backlog,
        backlog_total=sum(row.count for row in backlog),
        overdue_total=sum(row.overdue or 0 for row in backlog),
    )


def dashboard_charts(data: DashboardData) -> dict[str, str]:
    """The SVG of each chart; built from escaped text only, so safe to insert as markup."""
    period = f"{data.start:%Y-%m-%d} 至 {data.end:%Y-%m-%d}"
    submitted = stacked_bar_chart(
        title=f"每日受理申请（按渠道）{period}",
        categories=[d.label for d in data.submitted_per_day],
        series=[
            Series(name=column.label, values=[d.counts[i] for d in data.submitted_per_day])
            for i, column in enumerate(data.channels)
        ],
    )
    outcomes = bar_chart(
        title=f"审批结果 {period}",
        labels=[o.label for o in data.outcomes],
        values=[o.count for o in data.outcomes],
        distinct_colours=True,
    )
    to_decision = histogram(title=f"提交至审批用时 {period}", buckets=list(data.to_decision.buckets))
    to_payment = histogram(title=f"提交至到账用时 {period}", buckets=list(data.to_payment.buckets))
    paid = bar_chart(
        title=f"每日支付金额 {period}",
        labels=[p.label for p in data.paid_per_day],
        values=[p.amount_fen for p in data.paid_per_day],
        value_format=format_yuan,
    )
    charts = {
        "submitted": submitted,
        "outcomes": outcomes,
        "to_decision": to_decision,
        "to_payment": to_payment,
        "paid": paid,
    }
    return {name: mark_safe(svg) for name, svg in charts.items()}  # noqa: S308 - escaped in charts


def dashboard_context(*, today: dt.date, days: int = 30) -> dict[str, Any]:
    """What ``backoffice/_dashboard_body.html`` needs: ``dashboard`` (the data) and ``charts``."""
    data = dashboard_data(today=today, days=days)
    return {"dashboard": data, "charts": dashboard_charts(data)}
