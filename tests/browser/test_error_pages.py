"""The error pages as a person meets them: Chinese, in the channel's layout, accessible."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.accessibility import assert_accessible
from tests.support.browser import screenshot

pytestmark = pytest.mark.browser


def test_a_missing_page_on_the_desktop(live_stack, page):
    response = page.goto(f"{live_stack.hall}/hall/no-such-page/")

    assert response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.get_by_role("link", name="返回门户网站首页")).to_have_attribute("href", "/")
    assert "服务热线" in page.inner_text("main")
    assert_accessible(page)
    screenshot(page, "error-404-desktop")


def test_a_missing_page_on_the_phone(live_stack, browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    phone = context.new_page()
    try:
        response = phone.goto(f"{live_stack.hall}/m/no-such-page/")

        assert response.status == 404
        expect(phone.get_by_role("heading", name="页面不存在")).to_be_visible()
        expect(phone.get_by_role("link", name="返回业务办理")).to_have_attribute("href", "/m/")
        assert_accessible(phone)
        screenshot(phone, "error-404-phone")
    finally:
        context.close()
