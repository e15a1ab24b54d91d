"""Scanning the portal's 公众号 QR code in WeChat, on a phone: the platform stand-in's 关注 page →
关注 → the account's welcome (its reply to the signed subscribe event, delivered by the stand-in
to the hall's callback) → its 业务办理 link → the H5 login → 确认绑定 → WeChat messages reach this
phone's openid."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from playwright.sync_api import expect

from gjj.core.identity_numbers import id_number_make
from gjj.portal.qr import qr_svg
from tests.browser.conftest import DEMO_PASSWORD, log_in_at_sso
from tests.browser.test_api_flow import access_token, jpeg
from tests.support.accessibility import assert_accessible
from tests.support.browser import screenshot
from tests.support.members import members_import

pytestmark = pytest.mark.browser

APPID = "wxgjjembedded0001"  # the stack's (embedded) official account
TIMEOUT = 30
# 魏娜: this module's own member (the stack is shared; a member has one open application per house).
WEI_NA = {
    "id_number": id_number_make(area_code="210104", birth=dt.date(1991, 5, 17), sequence=26),
    "name": "魏娜",
    "phone": "13904008803",
    "account_no": "210100008803",
    "balance": "38000.00",
    "house": {"contract_no": "SY202611040008803", "address": "沈阳市大东区东北大马路9号3-1-1"},
    "bank": "CCB",
    "cards": ["6217008803000000011"],
}


@pytest.fixture(scope="module")
def wei_na(live_stack, tmp_path_factory) -> dict:
    members_import(
        live_stack, tmp_path_factory, [WEI_NA], employer=("210100008800", "沈阳手机办理测试有限公司")
    )
    return WEI_NA


def _apply_in_the_app(stack, member: dict) -> None:
    """The member applies through the APP's API: each state change is a WeChat template message."""
    api = f"{stack.hall}/api/v1"
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {access_token(stack, member['id_number'], DEMO_PASSWORD)}"

    def call(method: str, path: str, **kwargs) -> dict:
        answer = http.request(
            method, f"{api}{path}", headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=TIMEOUT, **kwargs
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    app_id = call("POST", "/applications")["id"]
    version = call("GET", "/declaration")["version"]
    call(
        "PATCH",
        f"/applications/{app_id}",
        json={
            "contract_no": member["house"]["contract_no"],
            "bank": member["bank"],
            "card_no": member["cards"][0],
            "declaration_accepted": True,
            "declaration_version": version,
        },
    )
    submitted = call("POST", f"/applications/{app_id}/submit")
    for material in submitted["materials"]["required"]:
        call(
            "POST",
            f"/applications/{app_id}/materials/{material['kind']}",
            files={"file": (f"{material['kind']}.jpg", jpeg(), "image/jpeg")},
        )
    call("POST", f"/applications/{app_id}/final-submit")


def test_a_member_follows_the_account_from_the_portal_and_binds_wechat(live_stack, page, wechat, wei_na):
    # The portal's 公众号 QR code encodes the account's 关注 page on the WeChat platform.
    follow_url = f"{live_stack.sims}/wechat/mp/follow?appid={APPID}"
    page.goto(f"{live_stack.hall}/")
    code = page.get_by_role("img", name="微信公众号“辽宁省直公积金”二维码")
    # The modules drawn are those of a QR code of that URL (the browser re-serialises the markup).
    expected = re.search(r' d="([^"]+)"', qr_svg(follow_url, label="QR")).group(1)
    assert code.locator("path").get_attribute("d") == expected
    expect(page.locator(".portal-qr__item", has=code)).to_contain_text("关注公众号")

    # Scanned in WeChat: the account's page, 关注.
    wechat.goto(follow_url)
    expect(wechat.get_by_role("heading", name="辽宁省直公积金", level=2)).to_be_visible()
    assert_accessible(wechat)
    screenshot(wechat, "wechat-0-follow")
    wechat.get_by_role("button", name="关注公众号").click()

    # The hall's welcome, as a chat line, with its link into the H5 carrying a wx token.
    chat = wechat.locator(".wx-chat")
    expect(chat).to_contain_text("你已关注该公众号")
    expect(chat).to_contain_text("欢迎关注")
    link = chat.get_by_role("link", name="业务办理")
    href = link.get_attribute("href")
    assert href.startswith(f"{live_stack.hall}/m/") and parse_qs(urlsplit(href).query)["wx"]
    # The account's menu (published by the launcher, as the centre does) under the chat.
    menu = wechat.get_by_role("navigation", name="公众号菜单")
    expect(menu.get_by_role("link", name="业务办理")).to_be_visible()
    expect(menu.get_by_role("button", name="办理进度")).to_be_visible()
    assert_accessible(wechat)
    screenshot(wechat, "wechat-1-welcome")
    # Newest first: this phone's follow (other tests of the session follow from their own phones).
    followers = requests.get(f"{live_stack.sims}/wechat/_followers", timeout=TIMEOUT).json()
    assert followers[0]["subscribed"]
    openid = followers[0]["openid"]
    cookie = next(c for c in wechat.context.cookies() if c["name"] == "gjj_sims_wechat_openid")
    assert cookie["value"].startswith(f"{openid}:")  # the signed cookie carries the openid

    # The link → the H5 → 立即登录 → the SSO's touch page → back: asked to confirm the binding.
    link.click()
    wechat.get_by_role("link", name="立即登录").click()  # 业务办理 → the H5 立即登录 page
    wechat.wait_for_url(re.compile(r"/m/login/"))
    wechat.get_by_role("link", name="立即登录").click()  # → the SSO
    log_in_at_sso(wechat, wei_na["id_number"], DEMO_PASSWORD)
    wechat.wait_for_url(re.compile(r"/m/wechat/bind/"))
    expect(wechat.get_by_role("heading", name="将此微信号与您的公积金账户绑定")).to_be_visible()
    wechat.get_by_role("button", name="确认绑定").click()
    expect(wechat.get_by_role("heading", name="已绑定微信")).to_be_visible()

    # The binding is this phone's openid: 魏娜's next state change reaches it in WeChat.
    _apply_in_the_app(live_stack, wei_na)
    messages: list[dict] = []
    for _ in range(60):
        messages = requests.get(
            f"{live_stack.sims}/wechat/_log", params={"openid": openid}, timeout=TIMEOUT
        ).json()
        if messages:
            break
        wechat.wait_for_timeout(500)
    assert messages, "no template message reached the openid that followed"
    assert messages[0]["data"]["first"]["value"] == "您的购房提取申请有新进展"
    newest = urlsplit(messages[0]["url"])
    assert f"{newest.scheme}://{newest.netloc}" == live_stack.hall and newest.path.startswith(
        "/m/applications/"
    )
    assert parse_qs(newest.query)["wx"]
