"""JSON plumbing shared by the simulator's views: body parsing, error answers, method checks.

Views stay thin: they parse with these helpers, call a service or selector, and answer JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

View = Callable[..., HttpResponse]


class BadRequest(Exception):
    """The request does not follow the protocol; answered with HTTP 400 and this message."""

    def __init__(self, message: str, *, error: str = "bad_request") -> None:
        super().__init__(message)
        self.message = message
        self.error = error


def json_response(payload: Any, *, status: int = 200) -> JsonResponse:
    # ensure_ascii=False: the protocol is UTF-8 JSON and Chinese messages stay readable on the wire.
    return JsonResponse(payload, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def json_error(*, status: int, error: str, message: str = "") -> JsonResponse:
    payload = {"error": error}
    if message:
        payload["message"] = message
    return json_response(payload, status=status)


def not_found() -> JsonResponse:
    return json_error(status=404, error="not_found")


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The request body as a JSON object; anything else is a ``BadRequest``."""
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest("请求体不是有效的 UTF-8 JSON") from exc
    if not isinstance(payload, dict):
        raise BadRequest("请求体应为 JSON 对象")
    return payload


def required_str(payload: dict[str, Any], field: str, *, max_length: int = 200) -> str:
    value = payload.get(field)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"缺少字段 {field} 或其不是非空字符串")
    value = value.strip()
    if len(value) > max_length:
        raise BadRequest(f"字段 {field} 超过 {max_length} 个字符")
    return value


def optional_str(payload: dict[str, Any], field: str, *, max_length: int = 200) -> str:
    value = payload.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequest(f"字段 {field} 应为字符串")
    if len(value) > max_length:
        raise BadRequest(f"字段 {field} 超过 {max_length} 个字符")
    return value


def api_view(*, methods: Iterable[str]) -> Callable[[View], View]:
    """A JSON endpoint: CSRF-exempt (callers are machines, not browsers), other methods get a
    JSON 405, and a ``BadRequest`` raised anywhere in the view becomes a JSON 400."""
    allowed = frozenset(method.upper() for method in methods)

    def decorator(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                response = json_error(status=405, error="method_not_allowed")
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                return view(request, *args, **kwargs)
            except BadRequest as exc:
                return json_error(status=400, error=exc.error, message=exc.message)

        return wrapper

    return decorator
