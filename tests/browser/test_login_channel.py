"""A login that fails inside WeChat is answered in the H5's layout, and its 重新登录 comes back to
the H5 (not the desktop hall)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, log_in_at_sso
from tests.support.accessibility import assert_accessible
from tests.support.browser import screenshot

pytestmark = pytest.mark.browser


def test_an_old_login_link_in_wechat_says_relogin_in_the_h5_and_returns_there(live_stack, wechat):
    page = wechat
    response = page.goto(f"{live_stack.hall}/oidc/callback/?state=gone&code=old")

    assert response.status == 400
    expect(page.get_by_role("heading", name="请重新登录")).to_be_visible()
    expect(page.locator("main.m-main")).to_be_visible()
    assert page.locator(".function-bar, .topbar").count() == 0
    assert_accessible(page)
    screenshot(page, "mobile-relogin")

    page.get_by_role("link", name="重新登录").click()
    # The SSO's touch page, as for every H5 login.
    expect(page.get_by_role("note")).to_contain_text("本登录页面的注册、忘记密码功能暂未开放")
    log_in_at_sso(page, "210102198803120158", DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/m/$"))
    expect(page.get_by_role("heading", name="业务办理")).to_be_visible()
