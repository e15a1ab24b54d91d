"""The login's error pages (请重新登录, 未查询到您的公积金账户信息) in the layout of the channel the
login was for, and 重新登录 back to that channel: the H5 for a login that returns to ``/m/`` or a
page inside WeChat, the desktop hall otherwise."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY

from tests.gjj.identity.fixtures import ZHANG_WEI_SUB

pytestmark = pytest.mark.django_db

H5_NEXT = "/m/login/done/?next=/m/withdrawals/purchase/"
WECHAT_UA = "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36 MicroMessenger/8.0.50.2701 NetType/WIFI"
H5_RELOGIN = "/oidc/authenticate/?" + urlencode({"next": "/m/login/done/?next=%2Fm%2F"})
DESKTOP_RELOGIN = "/oidc/authenticate/?" + urlencode({"next": "/hall/home/"})


def _h5_layout(page: str) -> bool:
    return "/static/mobile/mobile.css" in page and 'class="m-main"' in page and "hall/hall.css" not in page


def _desktop_layout(page: str) -> bool:
    return "/static/hall/hall.css" in page and "mobile/mobile.css" not in page


def _relogin_href(page: str) -> str:
    start = page.index('">重新登录</a>')
    return page[page.rindex('href="', 0, start) + len('href="') : start].replace("&amp;", "&")


def test_a_failed_h5_login_says_so_in_the_h5_and_logs_in_again_to_the_h5(walk, client, zhang_wei):
    walk.start(H5_NEXT)

    response = client.get("/oidc/callback/", {"state": "gone", "code": "old"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "请重新登录" in page and _h5_layout(page)
    assert _relogin_href(page) == H5_RELOGIN
    assert SESSION_KEY not in client.session
    # 重新登录: a fresh login, for the SSO's touch page, that comes back through the H5.
    again = client.get(_relogin_href(page))
    assert again.status_code == 302
    query = parse_qs(urlsplit(again["Location"]).query)
    assert query["display"] == ["touch"]


def test_a_failed_desktop_login_keeps_the_desktop_layout(walk, client, zhang_wei):
    walk.start("/hall/home/")

    page = client.get("/oidc/callback/", {"state": "gone", "code": "old"}).content.decode()

    assert "请重新登录" in page and _desktop_layout(page)
    assert _relogin_href(page) == DESKTOP_RELOGIN


def test_inside_wechat_a_callback_without_any_session_is_answered_in_the_h5(client, db):
    """An old callback link opened in WeChat: nothing in the session says where it was going."""
    page = client.get(
        "/oidc/callback/", {"state": "gone", "code": "old"}, HTTP_USER_AGENT=WECHAT_UA
    ).content.decode()

    assert _h5_layout(page)
    assert _relogin_href(page) == H5_RELOGIN


def test_a_desktop_browser_without_any_session_gets_the_desktop_page(client, db):
    page = client.get("/oidc/callback/", {"state": "gone", "code": "old"}).content.decode()

    assert _desktop_layout(page)


def test_the_provider_down_during_an_h5_login(walk, client, zhang_wei):
    callback = walk.callback_url(walk.start(H5_NEXT))
    walk.provider.unreachable = True

    response = client.get(callback)

    assert response.status_code == 503
    page = response.content.decode()
    assert "统一身份认证服务暂时无法访问" in page and _h5_layout(page)
    assert _relogin_href(page) == H5_RELOGIN


def test_no_fund_account_after_an_h5_login_is_told_in_the_h5(walk, client, person_without_account):
    response = walk.login(next_path=H5_NEXT, id_number=person_without_account.id_number, sub="sub-li")

    assert response.status_code == 200
    page = response.content.decode()
    assert "未查询到您的公积金账户信息" in page and _h5_layout(page)
    assert "024-12329" in page
    assert 'href="/m/"' in page  # back to 业务办理
    assert person_without_account.name not in page
    assert "m-tabbar" not in page  # no member menu, no 退出: there is no session
    assert SESSION_KEY not in client.session


def test_no_fund_account_after_a_desktop_login_keeps_the_desktop_page(walk, client, person_without_account):
    response = walk.login(id_number=person_without_account.id_number, sub="sub-li")

    page = response.content.decode()
    assert "未查询到您的公积金账户信息" in page and _desktop_layout(page)


def test_a_successful_h5_login_still_goes_where_it_was_going(walk, client, zhang_wei):
    response = walk.login(next_path=H5_NEXT, sub=ZHANG_WEI_SUB)

    assert response.status_code == 302
    assert response["Location"] == H5_NEXT
