"""QueueFilters.from_query: what the queue's query string means, and what it names when it cannot read
a value. Pure parsing, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from gjj.backoffice.selectors import QueueFilters
from gjj.policy.reasons import REASONS


def test_good_values_are_read_into_typed_filters():
    filters, problems = QueueFilters.from_query(
        {
            "stage": "2",
            "state": "under_review",
            "channel": "wechat",
            "reason": " rent ",
            "date_from": "2026-11-01",
            "date_to": " 2026-11-27 ",
            "amount_min": "1,000.5",
            "amount_max": "200000.00",
            "house_kind": "resale",
            "relation": "spouse",
            "reviewer": " zhangsan ",
            "overdue": "1",
        }
    )

    assert problems == []
    assert filters == QueueFilters(
        stage=2,
        state="under_review",
        channel="wechat",
        reason="rent",
        date_from=dt.date(2026, 11, 1),
        date_to=dt.date(2026, 11, 27),
        amount_min_fen=100_050,
        amount_max_fen=20_000_000,
        house_kind="resale",
        relation="spouse",
        reviewer="zhangsan",
        overdue_only=True,
    )


@pytest.mark.parametrize("reason", list(REASONS))
def test_every_reason_of_the_registry_is_a_filter(reason):
    assert QueueFilters.from_query({"reason": reason}) == (QueueFilters(reason=reason), [])


def test_an_empty_query_filters_nothing():
    assert QueueFilters.from_query({}) == (QueueFilters(), [])


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ({"date_from": "2026-13-01"}, "提交日期起“2026-13-01”不是有效日期（格式 YYYY-MM-DD）"),
        ({"date_to": "27/11/2026"}, "提交日期止“27/11/2026”不是有效日期（格式 YYYY-MM-DD）"),
        ({"amount_min": "abc"}, "最低金额“abc”不是有效金额"),
        ({"amount_max": "100.123"}, "最高金额“100.123”应为不小于 0、最多两位小数的金额（元）"),
        ({"amount_min": "-5"}, "最低金额“-5”应为不小于 0、最多两位小数的金额（元）"),
        ({"channel": "fax"}, "没有“fax”这个渠道"),
        ({"reason": "lottery"}, "没有“lottery”这个提取原因"),
        ({"state": "paid"}, "状态只能筛选“已提交”或“审核中”"),
        ({"house_kind": "villa"}, "没有“villa”这种房屋类型"),
        ({"relation": "cousin"}, "没有“cousin”这种购房关系"),
    ],
)
def test_a_value_that_cannot_be_read_is_named_and_left_out(query, problem):
    filters, problems = QueueFilters.from_query(query)

    assert problems == [problem]
    assert filters == QueueFilters()  # the unreadable value filters nothing


def test_every_bad_value_is_named_and_the_good_ones_still_apply():
    filters, problems = QueueFilters.from_query(
        {"date_from": "昨天", "amount_max": "1.999", "channel": "app", "amount_min": "10"}
    )

    assert problems == [
        "提交日期起“昨天”不是有效日期（格式 YYYY-MM-DD）",
        "最高金额“1.999”应为不小于 0、最多两位小数的金额（元）",
    ]
    assert (filters.channel, filters.amount_min_fen, filters.date_from, filters.amount_max_fen) == (
        "app",
        1_000,
        None,
        None,
    )


@pytest.mark.parametrize(("text", "stage"), [("1", 1), ("2", 2), ("3", None), ("x", None), ("", None)])
def test_only_stage_one_or_two_is_a_stage(text, stage):
    filters, problems = QueueFilters.from_query({"stage": text})
    assert (filters.stage, problems) == (stage, [])


def test_overdue_is_only_on_with_one_and_the_reviewer_is_bounded():
    assert QueueFilters.from_query({"overdue": "on"})[0].overdue_only is False
    assert QueueFilters.from_query({"reviewer": "x" * 400})[0].reviewer == "x" * 150
