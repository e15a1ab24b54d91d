"""The review queue's pages: cut on the last row's sort key (submitted_at, pk), not by OFFSET, with
the filters kept, ties on the key neither repeated nor skipped, and the counts of the whole queue.
Rows are written directly with explicit submission times (no walk through the services needed)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gjj.backoffice.selectors import QueueCursor, QueueFilters, review_queue
from gjj.core.timeutil import SHANGHAI
from gjj.staff.roles import StaffRole
from gjj.withdrawals.models import Application, Channel, State
from tests.gjj.conftest import funded_member

TODAY = dt.date(2026, 11, 27)  # a Friday; the 3-working-day limit makes 11-23 10:00 and before late
CASE_ROW = re.compile(r'href="/backoffice/cases/([^/"]+)/"')


def at(month_day: str, hh: int = 10) -> dt.datetime:
    month, day = (int(part) for part in month_day.split("-"))
    return dt.datetime(2026, month, day, hh, tzinfo=SHANGHAI)


@pytest.fixture
def person(db):
    return funded_member()


def waiting(person, number: int, submitted_at: dt.datetime, **fields) -> Application:
    return Application.objects.create(
        business_no=f"TQ2026112{number:05d}",
        person=person,
        account=person.account,
        channel=fields.pop("channel", Channel.WEB),
        state=fields.pop("state", State.SUBMITTED),
        amount_fen=100_000,
        house_snapshot={"kind": "new"},
        rule_results=[{"rule": "amount", "passed": True, "reason": ""}],
        submitted_at=submitted_at,
        **fields,
    )


@pytest.fixture
def seven(person):
    """Seven waiting cases, oldest first; the middle three share one submission moment (a tie)."""
    moments = [at("11-20"), at("11-23"), at("11-24"), at("11-24"), at("11-24"), at("11-25"), at("11-26")]
    cases = [waiting(person, n, moment) for n, moment in enumerate(moments)]
    return [case.business_no for case in cases]


def numbers(page) -> list[str]:
    return [row.business_no for row in page.rows]


def test_next_pages_follow_the_last_rows_key_through_a_tie(seven, staff):
    reviewer = staff[StaffRole.FIRST_REVIEWER].user
    kwargs = {"user": reviewer, "filters": QueueFilters(), "page_size": 3, "today": TODAY}

    first = review_queue(**kwargs)
    second = review_queue(after=first.next_cursor, **kwargs)
    third = review_queue(after=second.next_cursor, **kwargs)

    assert numbers(first) == seven[0:3]
    # The tie (cases 2, 3, 4 at one moment) is split across the pages by pk, nothing repeated or lost.
    assert numbers(second) == seven[3:6]
    assert numbers(third) == seven[6:7]
    assert [first.first_position, second.first_position, third.first_position] == [1, 4, 7]
    assert (second.last_position, third.last_position) == (6, 7)
    assert first.previous_cursor is None and third.next_cursor is None
    assert {page.total for page in (first, second, third)} == {7}


def test_previous_pages_come_back_the_same_and_stop_at_the_head(seven, staff):
    reviewer = staff[StaffRole.FIRST_REVIEWER].user
    kwargs = {"user": reviewer, "filters": QueueFilters(), "page_size": 3, "today": TODAY}
    second = review_queue(after=review_queue(**kwargs).next_cursor, **kwargs)
    third = review_queue(after=second.next_cursor, **kwargs)

    back_to_second = review_queue(before=third.previous_cursor, **kwargs)
    back_to_first = review_queue(before=back_to_second.previous_cursor, **kwargs)

    assert numbers(back_to_second) == seven[3:6]
    assert back_to_second.first_position == 4
    assert back_to_second.next_cursor == second.next_cursor
    assert numbers(back_to_first) == seven[0:3]
    assert back_to_first.previous_cursor is None and back_to_first.first_position == 1


def test_going_back_from_near_the_head_shows_the_first_page_whole(seven, staff):
    reviewer = staff[StaffRole.FIRST_REVIEWER].user
    kwargs = {"user": reviewer, "filters": QueueFilters(), "page_size": 3, "today": TODAY}
    # Before the third case there are only two: the previous page is the first one, whole.
    before_third = QueueCursor.of(Application.objects.get(business_no=seven[2]))

    page = review_queue(before=before_third, **kwargs)

    assert numbers(page) == seven[0:3]
    assert page.previous_cursor is None and page.next_cursor is not None


def test_a_case_decided_between_pages_does_not_shift_the_next_page(seven, staff):
    reviewer = staff[StaffRole.FIRST_REVIEWER].user
    kwargs = {"user": reviewer, "filters": QueueFilters(), "page_size": 3, "today": TODAY}
    first = review_queue(**kwargs)

    Application.objects.filter(business_no=seven[0]).update(state=State.APPROVED)
    second = review_queue(after=first.next_cursor, **kwargs)

    assert numbers(second) == seven[3:6]  # an OFFSET of 3 would have skipped case 3
    assert second.total == 6 and second.first_position == 3


def test_the_filters_hold_on_every_page(person, staff):
    reviewer = staff[StaffRole.FIRST_REVIEWER].user
    channels = [Channel.WECHAT, Channel.WEB, Channel.WECHAT, Channel.WECHAT, Channel.APP, Channel.WECHAT]
    cases = [waiting(person, n, at("11-25", 8 + n), channel=c) for n, c in enumerate(channels)]
    wechat = [case.business_no for case in cases if case.channel == Channel.WECHAT]
    kwargs = {
        "user": reviewer,
        "filters": QueueFilters(channel=Channel.WECHAT),
        "page_size": 2,
        "today": TODAY,
    }

    first = review_queue(**kwargs)
    second = review_queue(after=first.next_cursor, **kwargs)

    assert numbers(first) + numbers(second) == wechat
    assert second.next_cursor is None
    assert (first.total, second.first_position) == (4, 3)


def test_the_counts_cover_the_whole_queue_not_the_page(person, staff):
    reviewer = staff[StaffRole.FIRST_REVIEWER].user
    waiting(person, 1, at("11-20"))  # late (due Wednesday 11-25)
    waiting(person, 2, at("11-23"), state=State.UNDER_REVIEW)  # late (due Thursday 11-26)
    waiting(person, 3, at("11-24"))  # due today
    waiting(person, 4, at("11-26"))
    waiting(person, 5, at("11-19"), state=State.UNDER_REVIEW, review_stage=2)  # 复审: not this reviewer's
    waiting(person, 6, at("11-18"), state=State.APPROVED)  # decided: not waiting

    page = review_queue(user=reviewer, filters=QueueFilters(), page_size=1, today=TODAY)
    late = review_queue(user=reviewer, filters=QueueFilters(overdue_only=True), page_size=1, today=TODAY)
    second_stage = review_queue(
        user=staff[StaffRole.SECOND_REVIEWER].user, filters=QueueFilters(), page_size=1, today=TODAY
    )

    assert (page.total, page.overdue_count, len(page.rows)) == (4, 2, 1)
    assert (late.total, late.overdue_count) == (2, 2)
    assert (second_stage.total, second_stage.overdue_count) == (1, 1)


def test_a_page_reads_its_rows_and_counts_in_two_statements_without_the_json_columns(seven, staff):
    reviewer = staff[StaffRole.FIRST_REVIEWER].user
    first = review_queue(user=reviewer, filters=QueueFilters(), page_size=3, today=TODAY)

    with CaptureQueriesContext(connection) as captured:
        page = review_queue(
            user=reviewer, filters=QueueFilters(), after=first.next_cursor, page_size=3, today=TODAY
        )

    assert len(page.rows) == 3
    statements = [query["sql"] for query in captured.captured_queries]
    application_reads = [sql for sql in statements if "withdrawals_application" in sql]
    assert len(application_reads) == 2  # the page's rows, then the counts
    assert "OFFSET" not in " ".join(statements)
    for column in ("rule_results", "evaluated_inputs", "card_verification"):
        assert column not in application_reads[0], column
    # The snapshot only as the argument of the key's extraction, never as a column of its own.
    assert not re.search(r'"house_snapshot"(, "| FROM)', application_reads[0])
    assert page.rows[0].house_kind_label == "新建商品房"  # read out of the snapshot in the query


@pytest.mark.parametrize("token", ["", "abc", "12.x", "1.2.3", "-5.1", "99999999999999999999999.1"])
def test_a_token_the_queue_did_not_write_is_no_cursor(token):
    assert QueueCursor.parse(token) is None


def test_a_cursor_survives_its_token():
    cursor = QueueCursor(submitted_at=dt.datetime(2026, 11, 24, 2, 0, 0, 123456, tzinfo=dt.UTC), pk=42)
    assert QueueCursor.parse(cursor.token) == cursor


def test_the_pager_links_carry_the_filters_and_the_key(seven, staff, sign_in, monkeypatch):
    from django.test import Client

    from gjj.backoffice import views_review

    monkeypatch.setattr(views_review, "QUEUE_PAGE_SIZE", 3)
    client = Client()
    sign_in(client, staff[StaffRole.FIRST_REVIEWER])

    first = client.get("/backoffice/queue/?channel=web").content.decode()
    assert CASE_ROW.findall(first) == seven[0:3]
    assert "第 1–3 件，共 7 件" in first and "上一页" not in first
    next_query = re.search(r'href="\?(channel=web&amp;after=[0-9.]+)" rel="next">下一页', first)
    assert next_query is not None
    second = client.get("/backoffice/queue/?" + next_query.group(1).replace("&amp;", "&")).content.decode()
    assert CASE_ROW.findall(second) == seven[3:6]
    assert "第 4–6 件，共 7 件" in second
    previous_query = re.search(r'href="\?(channel=web&amp;before=[0-9.]+)" rel="prev">上一页', second)
    assert previous_query is not None
    back = client.get("/backoffice/queue/?" + previous_query.group(1).replace("&amp;", "&")).content.decode()
    assert CASE_ROW.findall(back) == seven[0:3]

    lost = client.get("/backoffice/queue/?after=nonsense").content.decode()
    assert "翻页位置无法识别，已从队列开头显示" in lost
    assert CASE_ROW.findall(lost) == seven[0:3]
