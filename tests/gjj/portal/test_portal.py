"""门户网站首页: the centre's name, the 个人网厅 button, two server-side SVG QR codes with captions,
通知公告, nothing from elsewhere."""

from __future__ import annotations

import re

import pytest

from gjj.portal.qr import qr_svg

pytestmark = pytest.mark.django_db


def test_the_portal_home_has_the_centre_and_the_hall_button(client):
    response = client.get("/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-CN">' in page
    assert re.search(r"<h1[^>]*>辽宁省省直住房资金管理中心</h1>", page)
    assert '<a class="portal-hall-button" href="/hall/">个人网厅</a>' in page
    assert "function-bar" not in page


def test_two_qr_codes_as_inline_svg_with_text_captions(client):
    page = client.get("/").content.decode()

    svgs = re.findall(r"<svg [^>]*>", page)
    assert len(svgs) == 2
    assert all('role="img"' in tag for tag in svgs)
    assert 'aria-label="手机APP下载二维码"' in svgs[0]
    assert 'aria-label="微信公众号“辽宁省直公积金”二维码"' in svgs[1]
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", page, re.S)
    assert [c.split("<br>")[0] for c in captions] == ["手机APP下载", "微信公众号“辽宁省直公积金”"]
    assert "<img" not in page  # no text in images, no image files at all


def test_the_app_qr_code_leads_to_the_install_page_of_this_host(client, settings):
    settings.ALLOWED_HOSTS = ["gjj.example.cn"]

    page = client.get("/", HTTP_HOST="gjj.example.cn").content.decode()

    assert qr_svg("http://gjj.example.cn/app/", label="手机APP下载二维码") in page
    install = client.get("/app/", HTTP_HOST="gjj.example.cn")
    assert install.status_code == 200 and "安装" in install.content.decode()


def test_the_wechat_qr_code_leads_to_the_platform_s_follow_page_of_the_account(client, settings):
    """Scanning it in WeChat opens the official account (the platform stand-in's 关注 page, beside
    the platform API the hall is configured with), not the H5."""
    settings.GJJ_WECHAT_API_URL = "http://127.0.0.1:18002/wechat"
    settings.GJJ_WECHAT_APPID = "wxportaltest0001"

    page = client.get("/").content.decode()

    follow = "http://127.0.0.1:18002/wechat/mp/follow?appid=wxportaltest0001"
    assert qr_svg(follow, label="微信公众号“辽宁省直公积金”二维码") in page
    caption = re.findall(r"<figcaption>(.*?)</figcaption>", page, re.S)[1]
    assert "关注公众号" in caption and "绑定" in caption


def test_a_configured_follow_url_is_what_the_wechat_qr_code_encodes(client, settings):
    """On the real platform the account's QR link comes from its console."""
    settings.GJJ_WECHAT_FOLLOW_URL = "http://weixin.qq.com/r/gjj-example"

    page = client.get("/").content.decode()

    assert qr_svg("http://weixin.qq.com/r/gjj-example", label="微信公众号“辽宁省直公积金”二维码") in page


def test_the_qr_svg_has_no_shared_ids_and_no_text():
    svg = qr_svg("http://127.0.0.1:8000/app/", label="手机APP下载二维码")

    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert "id=" not in svg
    assert "<text" not in svg
    assert "<title>手机APP下载二维码</title>" in svg


def test_the_notice_list(client):
    page = client.get("/").content.decode()

    section = re.search(r'<section class="panel portal__notices"(.*?)</section>', page, re.S)
    assert section is not None
    assert ">通知公告</h2>" in section.group(1)
    titles = re.findall(r'<span class="portal-notices__title">(.*?)</span>', section.group(1))
    assert 3 <= len(titles) <= 5
    assert {"购房提取业务线上办理指南", "秒批秒到服务上线", "业务办理时间"} <= set(titles)


def test_everything_is_served_by_the_hall(client):
    page = client.get("/").content.decode()

    assert "http://" not in page and "https://" not in page
    assert re.search(r'<link rel="stylesheet" href="/static/portal/portal\.css">', page)
    assert 'href="#main"' in page and 'id="main"' in page


def test_the_logged_out_page_returns_to_the_portal(client):
    page = client.get("/hall/logged-out/").content.decode()
    assert 'href="/">返回门户网站首页' in page
    assert client.get("/").status_code == 200
