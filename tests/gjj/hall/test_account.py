"""账户查询: balance, available, frozen, status, account facts, and the ledger newest first, 20 a page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model

from gjj.identity.models import MemberLogin
from gjj.members.models import LedgerEntryKind, Person
from gjj.members.services import ledger_post
from tests.gjj.identity.fixtures import ZHANG_WEI_ID

pytestmark = pytest.mark.django_db


def login(client, person: Person) -> None:
    user = get_user_model().objects.create_user(username=f"member-{person.pk}", first_name=person.name)
    MemberLogin.objects.create(
        user=user, person=person, issuer="http://sso.test/o", subject=f"sub-{person.pk}"
    )
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")


@pytest.fixture
def with_ledger(zhang_wei) -> Person:
    """张伟 with his opening balance and 25 monthly deposits of 2,400.00 元 (26 entries)."""
    start = dt.datetime(2024, 9, 30, 17, 30, tzinfo=dt.UTC)  # 2024-10-01 01:30 in Shanghai
    for month in range(25):
        ledger_post(
            account=zhang_wei.account,
            kind=LedgerEntryKind.DEPOSIT,
            amount_fen=240_000,
            reference=f"deposit:{month}",
            memo=f"汇缴 第{month + 1}期",
            occurred_at=start + dt.timedelta(days=30 * month),
        )
    return Person.objects.select_related("account").get(pk=zhang_wei.pk)


def _rows(page: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    assert body is not None
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def test_account_query_needs_a_login(client):
    response = client.get("/hall/account/")
    assert response.status_code == 302
    assert response["Location"] == "/hall/?next=/hall/account/"


def test_the_account_facts(client, with_ledger):
    login(client, with_ledger)

    response = client.get("/hall/account/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>账户查询</h1>" in page
    assert "2101**********0158" in page and ZHANG_WEI_ID not in page
    assert "2101000012345" in page
    assert "辽宁省测试单位" in page
    assert "正常" in page
    # 100,000.00 + 25 × 2,400.00 = 160,000.00; 13,579.50 frozen.
    assert re.search(r"<dt>账户余额</dt><dd class=\"money\">160,000.00 元</dd>", page)
    assert re.search(r"<dt>可用余额</dt><dd class=\"money\">146,420.50 元</dd>", page)
    assert re.search(r"<dt>冻结金额</dt><dd class=\"money\">13,579.50 元</dd>", page)
    assert "<dt>缴至年月</dt><dd>2026年10月</dd>" in page
    assert "<dt>连续缴存月数</dt><dd>60 个月</dd>" in page
    assert 'aria-current="page">账户查询</a>' in page  # the function bar marks where we are


def test_the_ledger_newest_first_twenty_a_page(client, with_ledger):
    login(client, with_ledger)

    page = client.get("/hall/account/").content.decode()

    rows = _rows(page)
    assert len(rows) == 20
    assert [re.sub(r"<[^>]+>", "", h) for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', page)] == [
        "记账日期",
        "摘要",
        "发生额（元）",
        "余额（元）",
    ]
    assert rows[0][1] == "汇缴 第25期" and rows[0][2] == "+2,400.00" and rows[0][3] == "160,000.00"
    assert rows[1][1] == "汇缴 第24期" and rows[1][3] == "157,600.00"
    # The first deposit: 2024-09-30 17:30 UTC is 2024-10-01 in Shanghai.
    page2 = client.get("/hall/account/", {"page": 2}).content.decode()
    rows2 = _rows(page2)
    assert len(rows2) == 6
    assert rows2[-2] == ["2024-10-01", "汇缴 第1期", "+2,400.00", "102,400.00"]
    assert rows2[-1][1] == "期初余额" and rows2[-1][2] == "+100,000.00"
    assert "共 26 条记录，第 2 / 2 页" in page2


def test_the_page_links_are_real_links(client, with_ledger):
    login(client, with_ledger)

    page = client.get("/hall/account/").content.decode()

    nav = re.search(r'<nav class="pager" aria-label="账户明细分页">(.*?)</nav>', page, re.S)
    assert nav is not None
    assert '<a class="pager__link" href="?page=2">下一页</a>' in nav.group(1)
    assert "上一页" not in nav.group(1)
    assert re.search(r'<a class="pager__current" href="\?page=1" aria-current="page">', nav.group(1))
    page2 = client.get("/hall/account/", {"page": 2}).content.decode()
    assert '<a class="pager__link" href="?page=1">上一页</a>' in page2
    assert "下一页" not in page2


@pytest.mark.parametrize("bad_page", ["99", "abc", "-1"])
def test_a_page_out_of_range_shows_a_real_page(client, with_ledger, bad_page):
    login(client, with_ledger)

    response = client.get("/hall/account/", {"page": bad_page})

    assert response.status_code == 200
    assert len(_rows(response.content.decode())) in (6, 20)


def test_a_member_with_one_entry_has_no_pager(client, zhang_wei):
    login(client, zhang_wei)

    page = client.get("/hall/account/").content.decode()

    assert len(_rows(page)) == 1
    assert "账户明细分页" not in page
