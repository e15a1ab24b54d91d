"""The 个人网厅 shell: notice page, member home, page after 退出, and the layout around them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from tests.gjj.identity.fixtures import ZHANG_WEI_ID

pytestmark = pytest.mark.django_db

LOGIN_LINK = 'href="/oidc/authenticate/?next=%2Fhall%2Fhome%2F"'


def test_the_site_root_is_the_portal_with_the_hall_button(client):
    response = client.get("/")

    assert response.status_code == 200
    assert '<a class="portal-hall-button" href="/hall/">个人网厅</a>' in response.content.decode()


def test_the_notice_page_has_the_notice_and_the_login_button(client):
    response = client.get("/hall/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-CN">' in page
    assert "辽宁省省直住房资金管理中心" in page
    assert "提示信息" in page
    assert re.search(rf'<a class="button button--primary" {re.escape(LOGIN_LINK)}>立即登录</a>', page)
    assert "024-12329" in page  # the footer's hotline
    assert "/hall/logout/" not in page  # nobody is logged in: no 退出 button
    assert "function-bar" not in page


def test_the_notice_page_passes_a_safe_next_on_to_the_login(client):
    page = client.get("/hall/", {"next": "/hall/home/?tab=ledger"}).content.decode()

    assert 'href="/oidc/authenticate/?next=%2Fhall%2Fhome%2F%3Ftab%3Dledger"' in page


@pytest.mark.parametrize("next_url", ["//evil.example", "https://evil.example/", "/\\evil.example"])
def test_the_notice_page_drops_a_foreign_next(client, next_url):
    page = client.get("/hall/", {"next": next_url}).content.decode()

    assert LOGIN_LINK in page
    assert "evil" not in page


def test_the_member_home_needs_a_login(client):
    response = client.get("/hall/home/")

    assert response.status_code == 302
    assert response["Location"] == "/hall/?next=/hall/home/"


def test_a_staff_login_is_not_a_member_login(client, django_user_model):
    staff = django_user_model.objects.create_user(username="chushen", password="x" * 12, is_staff=True)
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")

    response = client.get("/hall/home/")

    assert response.status_code == 302
    assert response["Location"] == "/hall/?next=/hall/home/"


def test_the_member_home_greets_the_member_and_masks_the_id_number(walk, client, zhang_wei):
    walk.login()

    response = client.get("/hall/home/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "您好，张伟" in page
    assert "2101**********0158" in page
    assert ZHANG_WEI_ID not in page
    assert "2101000012345" in page  # 个人账号
    assert "100,000.00 元" in page  # 账户余额
    assert "86,420.50 元" in page  # 可用余额 (13,579.50 元 set aside)
    assert "正常" in page


def test_member_pages_are_never_cached(walk, client, zhang_wei):
    walk.login()

    response = client.get("/hall/home/")

    assert "no-store" in response["Cache-Control"]


def test_the_layout_of_a_logged_in_member(walk, client, zhang_wei):
    walk.login()

    page = client.get("/hall/home/").content.decode()

    # Top bar: the name and 退出 as a POST form with the CSRF token.
    assert "您好，张伟" in page
    logout_form = re.search(r'<form method="post" action="/hall/logout/"[^>]*>(.*?)</form>', page, re.S)
    assert logout_form is not None
    assert 'name="csrfmiddlewaretoken"' in logout_form.group(1)
    assert ">退出</button>" in logout_form.group(1)
    # Left function bar with the items issue 4 fills.
    nav = re.search(r'<nav class="function-bar" aria-label="业务功能">(.*?)</nav>', page, re.S)
    assert nav is not None
    assert "【提取】" in nav.group(1) and "账户查询" in nav.group(1)
    assert 'aria-current="page"' in nav.group(1)
    # Footer with the hotline; a skip link for keyboard users; the hall's own stylesheet.
    assert "服务热线" in page and "024-12329" in page
    assert 'href="#main"' in page and 'id="main"' in page
    assert re.search(r'<link rel="stylesheet" href="/static/hall/hall\.css">', page)
    assert "http://" not in page and "https://" not in page  # no CDN, nothing from elsewhere


def test_the_stylesheet_is_the_halls_own_with_visible_focus_and_reflow():
    path = finders.find("hall/hall.css")
    assert path is not None
    css = Path(path).read_text(encoding="utf-8")

    assert ":focus-visible" in css and "outline: 3px solid" in css
    assert "@import" not in css and "url(http" not in css
    assert "flex-wrap: wrap" in css  # the function bar goes above the content at 200 % zoom


def test_the_logged_out_page(client):
    response = client.get("/hall/logged-out/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "您已安全退出" in page
    assert '<a class="button button--primary" href="/">返回门户网站首页</a>' in page


def test_a_logged_in_member_on_the_notice_page_enters_the_hall(walk, client, zhang_wei):
    walk.login()

    page = client.get("/hall/").content.decode()

    assert '<a class="button button--primary" href="/hall/home/">进入个人网厅</a>' in page
    assert "立即登录" not in page


def test_full_round_trip_from_notice_to_home_and_out(walk, client, zhang_wei):
    notice = client.get("/hall/").content.decode()
    assert LOGIN_LINK in notice

    assert walk.login()["Location"] == "/hall/home/"
    assert "您好，张伟" in client.get("/hall/home/").content.decode()

    logout = client.post("/hall/logout/")
    assert logout["Location"].startswith("http://127.0.0.1:8001/o/logout/?id_token_hint=")
    assert client.get("/hall/home/").status_code == 302
