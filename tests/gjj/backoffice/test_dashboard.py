"""Dashboard selectors over rows with explicit timestamps, counted by Asia/Shanghai days."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string

from gjj.backoffice.charts import EMPTY_TEXT
from gjj.backoffice.dashboard import (
    dashboard_context,
    dashboard_data,
    duration_stats,
    format_duration,
)
from gjj.core.timeutil import SHANGHAI
from gjj.members.models import Person
from gjj.withdrawals.models import (
    ActorKind,
    Application,
    Channel,
    Payout,
    PayoutState,
    State,
    Transition,
)
from tests.gjj.conftest import funded_member

TODAY = dt.date(2026, 11, 27)  # a Friday
WEEK = 7  # 2026-11-21 (Saturday) to 2026-11-27


def at(month_day: str, hh: int = 0, mm: int = 0, ss: int = 0) -> dt.datetime:
    month, day = (int(part) for part in month_day.split("-"))
    return dt.datetime(2026, month, day, hh, mm, ss, tzinfo=SHANGHAI)


# --- formatting: pure -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (dt.timedelta(seconds=20), "不足 1 分"),
        (dt.timedelta(minutes=1), "1 分"),
        (dt.timedelta(minutes=40), "40 分"),
        (dt.timedelta(hours=2, minutes=15, seconds=59), "2 小时 15 分"),
        (dt.timedelta(days=1, hours=3, minutes=59), "1 天 3 小时"),
    ],
)
def test_format_duration(value, text):
    assert format_duration(value) == text


def test_duration_stats_median_p90_and_bucket_edges():
    stats = duration_stats(
        [
            dt.timedelta(minutes=59),
            dt.timedelta(hours=1),  # the first of 1–24小时
            dt.timedelta(hours=24),  # the first of 1–3天
            dt.timedelta(days=3),  # beyond three days
        ]
    )
    assert stats.count == 4
    assert stats.median == dt.timedelta(hours=12, minutes=30)  # between the two middle ones
    assert stats.p90 == dt.timedelta(days=3)
    assert stats.buckets == (("<1小时", 1), ("1–24小时", 1), ("1–3天", 1), (">3天", 1))


# --- selectors over the database -------------------------------------------------------------


@pytest.fixture
def person(db):
    person = funded_member()
    return person


def application(
    person: Person,
    *,
    channel: str,
    state: str,
    submitted_at: dt.datetime | None,
    decided_at: dt.datetime | None = None,
    paid_at: dt.datetime | None = None,
    instant: bool = False,
) -> Application:
    return Application.objects.create(
        person=person,
        account=person.account,
        channel=channel,
        state=state,
        amount_fen=100_000,
        submitted_at=submitted_at,
        decided_at=decided_at,
        paid_at=paid_at,
        instant_approved=instant,
    )


def transition(app: Application, *, to_state: str, moment: dt.datetime, staff: bool = False) -> None:
    Transition.objects.create(
        application=app,
        from_state=State.UNDER_REVIEW if staff else State.SUBMITTED,
        to_state=to_state,
        actor_kind=ActorKind.STAFF if staff else ActorKind.SYSTEM,
        actor_label="审核员" if staff else "系统",
        channel=Channel.BACKOFFICE if staff else Channel.SYSTEM,
        reason="测试",
        at=moment,
    )


def payout(app: Application, *, serial: str, amount_fen: int, state: str, completed_at: dt.datetime) -> None:
    Payout.objects.create(
        application=app,
        serial=serial,
        bank="CCB",
        card_no="6217001376212461799",
        holder_name="张伟",
        amount_fen=amount_fen,
        state=state,
        created_at=completed_at - dt.timedelta(minutes=1),
        completed_at=completed_at,
    )


@pytest.fixture
def week(person):
    """A week of work (see each line); the numbers asserted below are counted from these rows."""
    a = application
    # 11-27: web and wechat; 00:30 Shanghai is still 11-26 in UTC and must count on 11-27.
    a(person, channel=Channel.WEB, state=State.SUBMITTED, submitted_at=at("11-27", 9))
    a(person, channel=Channel.WECHAT, state=State.UNDER_REVIEW, submitted_at=at("11-27", 0, 30))
    # 11-26 23:50 Shanghai: instant approval 30 s later, not yet paying.
    instant = a(
        person,
        channel=Channel.APP,
        state=State.APPROVED,
        submitted_at=at("11-26", 23, 50),
        decided_at=at("11-26", 23, 50, 30),
        instant=True,
    )
    transition(instant, to_state=State.APPROVED, moment=at("11-26", 23, 50, 30))
    # 11-25: one rejected after 2 h 15 min, one returned (no decision time: it comes back).
    rejected = a(
        person,
        channel=Channel.WECHAT,
        state=State.REJECTED,
        submitted_at=at("11-25", 8),
        decided_at=at("11-25", 10, 15),
    )
    transition(rejected, to_state=State.REJECTED, moment=at("11-25", 10, 15), staff=True)
    returned = a(person, channel=Channel.APP, state=State.RETURNED, submitted_at=at("11-25", 9))
    transition(returned, to_state=State.RETURNED, moment=at("11-25", 11), staff=True)
    # 11-24 (Tuesday): due Friday 11-27 = today, so not yet overdue; and a failed instant payout.
    a(person, channel=Channel.API, state=State.UNDER_REVIEW, submitted_at=at("11-24", 10))
    failed = a(
        person,
        channel=Channel.APP,
        state=State.PAYOUT_FAILED,
        submitted_at=at("11-24", 9),
        decided_at=at("11-24", 9, 0, 20),
        instant=True,
    )
    transition(failed, to_state=State.APPROVED, moment=at("11-24", 9, 0, 20))
    payout(
        failed,
        serial="P-FAILED",
        amount_fen=500_000,
        state=PayoutState.FAILED,
        completed_at=at("11-24", 9, 2),
    )
    # 11-23 (Monday): due Thursday 11-26, overdue today.
    a(person, channel=Channel.WEB, state=State.UNDER_REVIEW, submitted_at=at("11-23", 10))
    # 11-22 (Sunday): staff approval after 26 h, paid after 28 h 15 min.
    staff = a(
        person,
        channel=Channel.WEB,
        state=State.PAID,
        submitted_at=at("11-22", 10),
        decided_at=at("11-23", 12),
        paid_at=at("11-23", 14, 15),
    )
    transition(staff, to_state=State.UNDER_REVIEW, moment=at("11-23", 9), staff=True)  # not an outcome
    transition(staff, to_state=State.APPROVED, moment=at("11-23", 12), staff=True)
    payout(
        staff,
        serial="P-STAFF",
        amount_fen=8_642_050,
        state=PayoutState.DONE,
        completed_at=at("11-23", 14, 15),
    )
    # 11-21, first day of the period: instant approval and payment after 5 min.
    first = a(
        person,
        channel=Channel.WEB,
        state=State.PAID,
        submitted_at=at("11-21", 8),
        decided_at=at("11-21", 8, 0, 30),
        paid_at=at("11-21", 8, 5),
        instant=True,
    )
    transition(first, to_state=State.APPROVED, moment=at("11-21", 8, 0, 30))
    payout(
        first, serial="P-FIRST", amount_fen=1_000_000, state=PayoutState.DONE, completed_at=at("11-21", 8, 5)
    )
    # Before the period: 11-20 23:59 Shanghai, still waiting (overdue: due Wednesday 11-25).
    a(person, channel=Channel.WEB, state=State.SUBMITTED, submitted_at=at("11-20", 23, 59))
    # Before the period entirely: decided and paid on 11-20, 23:50 Shanghai.
    old = a(
        person,
        channel=Channel.WECHAT,
        state=State.PAID,
        submitted_at=at("11-19", 9),
        decided_at=at("11-20", 9),
        paid_at=at("11-20", 23, 50),
        instant=True,
    )
    transition(old, to_state=State.APPROVED, moment=at("11-20", 9))
    payout(
        old, serial="P-OLD", amount_fen=7_777_700, state=PayoutState.DONE, completed_at=at("11-20", 23, 50)
    )
    # A draft is neither submitted nor backlog.
    a(person, channel=Channel.WEB, state=State.DRAFT, submitted_at=None)


def test_applications_per_day_by_channel(week):
    data = dashboard_data(today=TODAY, days=WEEK)
    assert (data.start, data.end, data.days) == (dt.date(2026, 11, 21), TODAY, 7)
    assert [c.code for c in data.channels] == ["web", "wechat", "app", "api"]
    assert [c.label for c in data.channels] == ["个人网厅", "微信公众号", "手机APP", "手机APP客户端"]
    assert [(d.label, d.counts, d.total) for d in data.submitted_per_day] == [
        ("11-21", (1, 0, 0, 0), 1),
        ("11-22", (1, 0, 0, 0), 1),
        ("11-23", (1, 0, 0, 0), 1),
        ("11-24", (0, 0, 1, 1), 2),
        ("11-25", (0, 1, 1, 0), 2),
        ("11-26", (0, 0, 1, 0), 1),
        ("11-27", (1, 1, 0, 0), 2),
    ]
    assert data.submitted_by_channel == (4, 2, 3, 1)
    assert data.submitted_total == 10


def test_decision_outcomes_distinguish_instant_from_staff_approval(week):
    data = dashboard_data(today=TODAY, days=WEEK)
    assert [(o.key, o.label, o.count) for o in data.outcomes] == [
        ("instant", "秒批通过", 3),
        ("staff", "人工审批通过", 1),
        ("rejected", "未通过", 1),
        ("returned", "退回补正", 1),
    ]
    assert data.outcomes_total == 6


def test_time_to_decision_and_to_payment(week):
    data = dashboard_data(today=TODAY, days=WEEK)
    # 20 s, 30 s, 30 s, 2 h 15 min, 26 h
    assert data.to_decision.count == 5
    assert data.to_decision.median == dt.timedelta(seconds=30)
    assert data.to_decision.median_text == "不足 1 分"
    assert data.to_decision.p90 == dt.timedelta(hours=26)
    assert data.to_decision.buckets == (("<1小时", 3), ("1–24小时", 1), ("1–3天", 1), (">3天", 0))
    # 5 min and 28 h 15 min: the median is halfway.
    assert data.to_payment.count == 2
    assert data.to_payment.median == dt.timedelta(hours=14, minutes=10)
    assert data.to_payment.median_text == "14 小时 10 分"
    assert data.to_payment.p90_text == "1 天 4 小时"
    assert data.to_payment.buckets == (("<1小时", 1), ("1–24小时", 0), ("1–3天", 1), (">3天", 0))


def test_amounts_paid_per_day_count_only_completed_payouts_in_the_period(week):
    data = dashboard_data(today=TODAY, days=WEEK)
    paid = {p.label: (p.amount_fen, p.count) for p in data.paid_per_day if p.count}
    assert paid == {"11-21": (1_000_000, 1), "11-23": (8_642_050, 1)}
    assert len(data.paid_per_day) == 7
    assert data.paid_total_fen == 9_642_050
    assert data.paid_count == 2
    assert data.paid_total_text == "96,420.50 元"


def test_backlog_by_open_state_with_overdue_against_working_days(week):
    data = dashboard_data(today=TODAY, days=WEEK)
    assert data.decision_limit_days == 3
    assert [(r.state, r.label, r.count, r.overdue) for r in data.backlog] == [
        ("submitted", "已提交", 2, 1),
        ("under_review", "审核中", 3, 1),
        ("approved", "已审批", 1, None),
        ("paying", "支付中", 0, None),
        ("payout_failed", "支付失败", 1, None),
        ("returned", "退回补正", 1, None),
    ]
    assert (data.backlog_total, data.overdue_total) == (8, 2)


def test_overdue_moves_with_today(week):
    # On Monday 11-30 the case of Tuesday 11-24 (due Friday) is late too; Friday 11-27's is not yet.
    rows = {r.state: r.overdue for r in dashboard_data(today=dt.date(2026, 11, 30)).backlog}
    assert rows["submitted"] == 1  # 11-27's is due Wednesday 12-02
    assert rows["under_review"] == 2  # 11-23 and 11-24; 11-27 00:30's is due 12-02


def test_the_decision_limit_comes_from_the_policy(week, settings, tmp_path):
    from pathlib import Path

    import gjj.policy

    text = (Path(gjj.policy.__file__).parent / "default_policy.toml").read_text(encoding="utf-8")
    custom = tmp_path / "policy.toml"
    custom.write_text(text.replace("decision_limit_days = 3", "decision_limit_days = 10"), encoding="utf-8")
    settings.GJJ_POLICY_FILE = str(custom)
    data = dashboard_data(today=TODAY, days=WEEK)
    assert data.decision_limit_days == 10
    assert data.overdue_total == 0


def test_the_partial_shows_the_charts_and_the_same_numbers(week):
    context = dashboard_context(today=TODAY, days=WEEK)
    html = render_to_string("backoffice/_dashboard_body.html", context)
    assert html.count("<svg") == 5
    assert html.count("<figure") == 5 and html.count("<figcaption>") == 5
    assert "backoffice/dashboard.css" in html
    # Chart tooltips and tables carry the same numbers.
    assert "11-27 微信公众号：1" in html
    assert "11-23：86,420.50 元" in html
    assert "96,420.50 元" in html
    assert "14 小时 10 分" in html and "1 天 4 小时" in html
    assert "秒批通过" in html and "人工审批通过" in html
    assert '<tr data-state="submitted" class="overdue">' in html
    assert '<tr data-state="approved">' in html
    assert "超过 3 个工作日未审批" in html
    for svg in context["charts"].values():
        ET.fromstring(str(svg))  # noqa: S314 - our own markup, parsed to prove it is well-formed


def test_an_empty_centre_has_zeros_and_empty_charts(db):
    context = dashboard_context(today=TODAY)
    data = context["dashboard"]
    assert data.days == 30 and data.start == dt.date(2026, 10, 29)
    assert data.submitted_total == 0 and data.paid_total_fen == 0 and data.backlog_total == 0
    assert data.to_decision.median is None and data.to_decision.median_text == "—"
    assert all(EMPTY_TEXT in str(svg) for svg in context["charts"].values())
    html = render_to_string("backoffice/_dashboard_body.html", context)
    assert "0.00 元" in html and "overdue" not in html.replace("dashboard.css", "")
