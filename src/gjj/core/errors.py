"""The hall's error pages: 400, 403, 404, 500 and a refused CSRF token, in Chinese, in the layout
of the channel the person is on (the phone's under /m/, JSON under /api/, the desktop's elsewhere),
each with a way back and the hotline.

The pages are rendered without the request's context processors: a 500 may come from the database
itself, and the page must still appear."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

CENTRE_NAME = "辽宁省省直住房资金管理中心"
HOTLINE = "12329"


@dataclass(frozen=True)
class ErrorText:
    code: str
    title: str
    message: str


ERRORS = {
    400: ErrorText(
        "bad_request", "请求无法处理", "您提交的内容无法识别，可能不完整或已过期。请返回上一页后重新操作。"
    ),
    403: ErrorText("forbidden", "没有访问权限", "您没有权限访问此页面。如已登录，请确认使用的是本人账户。"),
    404: ErrorText(
        "not_found", "页面不存在", "您访问的页面不存在或已被移除，请检查地址是否正确，或从首页重新进入。"
    ),
    500: ErrorText(
        "server_error", "系统繁忙", "系统暂时无法处理您的请求，请稍后再试。已填写的内容已自动保存。"
    ),
}
CSRF = ErrorText(
    "csrf_failed", "页面已过期", "为保护您的安全，此页面已过期或来自其他网站。请返回上一页，刷新后重新提交。"
)


def _centre_and_hotline() -> tuple[str, str]:
    try:
        from gjj.policy.active import active_policy

        policy = active_policy()
        return policy.centre_name or CENTRE_NAME, policy.hotline or HOTLINE
    except Exception:  # the policy is what failed: the page still appears
        return CENTRE_NAME, HOTLINE


def error_response(request: HttpRequest, status: int, text: ErrorText) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": text.code, "message": text.message}, status=status)
    mobile = request.path.startswith("/m/")
    centre, hotline = _centre_and_hotline()
    context: dict[str, Any] = {
        "title": text.title,
        "message": text.message,
        "status": status,
        "centre": centre,
        "hotline": hotline,
        "home_url": "/m/" if mobile else "/",
        "home_label": "返回业务办理" if mobile else "返回门户网站首页",
    }
    layout = "errors/mobile.html" if mobile else "errors/desktop.html"
    return HttpResponse(render_to_string(layout, context), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 400, ERRORS[400])


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 403, ERRORS[403])


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 404, ERRORS[404])


def server_error(request: HttpRequest) -> HttpResponse:
    return error_response(request, 500, ERRORS[500])


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    logger.warning("CSRF 校验未通过：%s %s", request.method, request.path)
    return error_response(request, 403, CSRF)
