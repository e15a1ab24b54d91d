"""What every page has: Chinese, the hotline 024-12345, a link to the 帮助手册, its stylesheet
served by govsso itself, no scripts from elsewhere."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.govsso.support import page_text

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/login/",
    "/register/",
    "/register/legal-person/",
    "/register/natural/",
    "/register/done/",
    "/password/forgot/",
    "/password/forgot/legal-person/",
    "/password/forgot/natural/",
    "/password/forgot/done/",
    "/help/",
    "/help/register/",
    "/help/password/",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_shows_the_hotline_and_the_help_link(client: Client, path: str) -> None:
    answer = client.get(path)

    assert answer.status_code == 200
    page = page_text(answer)
    assert '<html lang="zh-CN">' in page
    assert "024-12345" in page
    assert '<a href="/help/">帮助手册</a>' in page
    assert '<a class="skip-link" href="#main">跳到主要内容</a>' in page


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_nothing_from_other_sites(client: Client, path: str) -> None:
    page = page_text(client.get(path))

    assert not re.search(r'(src|href)="(https?:)?//', page.replace('href="tel:', ""))
    assert "<script>" not in page  # no inline script: only files served by govsso


@pytest.mark.parametrize("path", PAGES)
def test_every_input_has_a_label(client: Client, path: str) -> None:
    page = page_text(client.get(path))

    for input_id in re.findall(r'<input type="(?:text|password|radio)"[^>]*\bid="([^"]+)"', page):
        assert f'for="{input_id}"' in page, input_id


def test_the_stylesheet_and_script_are_served_without_collectstatic(client: Client) -> None:
    for path in ("/static/govsso/site.css", "/static/govsso/verification-code.js"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert b"".join(answer.streaming_content if answer.streaming else [answer.content])


def test_the_registration_help_page_walks_through_the_steps(client: Client) -> None:
    page = page_text(client.get("/help/register/"))

    assert "注册账号帮助手册" in page
    for step in ("第一步", "第二步", "第三步", "第四步", "第五步", "身份证被占用"):
        assert step in page


def test_an_unknown_page_is_answered_in_chinese(client: Client) -> None:
    answer = client.get("/no-such-page/")

    assert answer.status_code == 404
    assert "页面不存在" in page_text(answer)
    assert "024-12345" in page_text(answer)


def test_a_form_from_an_expired_page_is_explained(db: None) -> None:
    strict = Client(enforce_csrf_checks=True)

    answer = strict.post("/login/", {"username": "13904001234", "password": "x"})

    assert answer.status_code == 403
    assert "页面已过期" in page_text(answer)


def test_health(client: Client) -> None:
    assert client.get("/health").json() == {"status": "ok", "service": "govsso"}
