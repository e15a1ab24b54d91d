"""Chinese error pages in the channel's own layout, each with a way back and the hotline."""

from __future__ import annotations

import pytest
from django.test import Client

from gjj.policy.active import active_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing(settings):
    settings.ROOT_URLCONF = "tests.gjj.core.urls_with_failures"
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def _page(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("path", "status", "title"),
    [
        ("/hall/no-such-page/", 404, "页面不存在"),
        ("/fail/500/", 500, "系统繁忙"),
        ("/fail/403/", 403, "没有访问权限"),
        ("/fail/400/", 400, "请求无法处理"),
    ],
)
def test_the_desktop_pages(failing, path, status, title) -> None:
    response = failing.get(path)

    assert response.status_code == status
    page = _page(response)
    assert f"<h1>{title}</h1>" in page and '<html lang="zh-CN">' in page
    assert '<a class="button button--primary" href="/">返回门户网站首页</a>' in page
    assert f'服务热线 <a href="tel:{active_policy().hotline}">' in page
    assert "Not Found" not in page and "Server Error" not in page


@pytest.mark.parametrize(("path", "status"), [("/m/no-such-page/", 404), ("/m/fail/500/", 500)])
def test_the_phone_pages_are_in_the_phone_layout(failing, path, status) -> None:
    page = _page(failing.get(path))

    assert '<header class="m-top">' in page and 'href="/m/">返回业务办理</a>' in page
    assert "topbar" not in page


def test_the_api_answers_json(failing) -> None:
    response = failing.get("/api/no-such-endpoint")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": response.json()["message"]}
    assert response.json()["message"].startswith("您访问的页面不存在")


def test_a_refused_csrf_token_says_the_page_expired() -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post("/backoffice/login/", {"username": "x"})

    assert response.status_code == 403
    page = _page(response)
    assert "<h1>页面已过期</h1>" in page and "刷新后重新提交" in page
