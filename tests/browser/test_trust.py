"""What a member meets of the trust controls, in a real browser: binding WeChat only after
confirming inside WeChat, and the page that says an action was too frequent."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from gjj.wechat.links import link_token
from tests.browser.conftest import DEMO_PASSWORD
from tests.support.accessibility import assert_accessible
from tests.support.browser import screenshot

pytestmark = pytest.mark.browser


def test_a_member_binds_wechat_only_by_confirming_inside_wechat(live_stack, wechat):
    """The link the official account sent (its wx token, signed with the embedded key the live
    stack uses) → the H5 login → the confirmation page → 确认绑定."""
    page = wechat
    page.goto(f"{live_stack.hall}/m/login/?wx={link_token('oBROWSERTEST')}&next=/m/")
    page.get_by_role("link", name="立即登录").click()
    page.get_by_label("身份证号/手机号").fill("210102198803120158")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.wait_for_url(re.compile(r"/m/wechat/bind/"))
    expect(page.get_by_role("heading", name="将此微信号与您的公积金账户绑定")).to_be_visible()
    assert "如果链接是他人转发给您的，请选择“暂不绑定”" in page.inner_text("main")
    assert_accessible(page)
    screenshot(page, "mobile-wechat-bind")

    page.get_by_role("button", name="确认绑定").click()

    expect(page.get_by_role("heading", name="已绑定微信")).to_be_visible()
    page.goto(f"{live_stack.hall}/m/wechat/binding/")
    expect(page.get_by_role("button", name="解除绑定")).to_be_visible()
    page.get_by_role("button", name="解除绑定").click()
    expect(page.get_by_text("已解除绑定")).to_be_visible()


def test_the_page_that_says_an_action_was_too_frequent(live_stack, page):
    """Where an over-limit request from the hall's pages lands (an htmx request is sent here)."""
    response = page.goto(f"{live_stack.hall}/too-many-requests/?wait=1500&what=house_lookup")

    assert response.status == 429
    expect(page.get_by_role("heading", name="操作过于频繁")).to_be_visible()
    assert "查询房屋信息过于频繁，请 25 分钟后再试" in page.inner_text("main")
    assert_accessible(page)
    screenshot(page, "hall-429")
