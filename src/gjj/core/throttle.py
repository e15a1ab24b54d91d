"""Rate limits per member and per client address, the same for the hall and govsso.

A rule names the requests it counts (method and URL name, or a path prefix) and its limits: per
signed-in user (or, for the JSON API, per bearer token), per client address, and overall, each a
number of requests in a fixed window. Counters live in Django's cache — Redis in production
(atomic), the database cache in the embedded set-up (shared by every worker process) — under a hash
of the key, never the key itself. Over a limit the request is not handled: a Chinese 429 page, or
JSON for the API, saying when to try again (``Retry-After``); an htmx request is sent to that page.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from gjj.core.origin import origin_of
from gjj.core.throttle_rules import ThrottleRule


class Throttled(Exception):
    def __init__(self, rule: ThrottleRule, retry_after: int) -> None:
        super().__init__(rule.scope)
        self.rule = rule
        self.retry_after = retry_after

    @property
    def message(self) -> str:
        return throttled_message(self.rule.label, self.retry_after)


def throttled_message(label: str, seconds: int) -> str:
    return f"{label}过于频繁，请{wait_text(seconds)}后再试"


def wait_text(seconds: int) -> str:
    if seconds < 60:
        return f" {seconds} 秒"
    return f" {math.ceil(seconds / 60)} 分钟"


def throttle_count(*, scope: str, who: str, limit: int, window_seconds: int, now: float | None = None) -> int:
    """Count one more request of ``who`` in ``scope``; the seconds until the window ends when the
    count is over ``limit``, else 0."""
    now = time.time() if now is None else now
    window = int(now // window_seconds)
    digest = hashlib.sha256(f"{scope}|{who}".encode()).hexdigest()[:32]
    key = f"throttle:{scope}:{digest}:{window}"
    if cache.add(key, 1, timeout=window_seconds + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window_seconds + 5)
            count = 1
    if count <= limit:
        return 0
    return max(1, int((window + 1) * window_seconds - now))


def _subjects(request: HttpRequest, rule: ThrottleRule) -> list[tuple[str, int]]:
    subjects: list[tuple[str, int]] = []
    if rule.per_user is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            subjects.append((f"user:{user.pk}", rule.per_user))
        elif request.headers.get("Authorization", "").lower().startswith("bearer "):
            subjects.append((f"token:{request.headers['Authorization'][7:].strip()}", rule.per_user))
    if rule.per_address is not None:
        subjects.append((f"address:{origin_of(request).ip or 'unknown'}", rule.per_address))
    if rule.overall is not None:
        subjects.append(("overall", rule.overall))
    return subjects


def throttle_check(
    request: HttpRequest, rules: tuple[ThrottleRule, ...], *, url_name: str, kwargs: dict[str, Any]
) -> None:
    """Count ``request`` (resolved to ``url_name``) against every rule that applies to it;
    Throttled when over a limit."""
    for rule in rules:
        if not rule.applies(request, url_name, kwargs):
            continue
        for who, limit in _subjects(request, rule):
            wait = throttle_count(scope=rule.scope, who=who, limit=limit, window_seconds=rule.window_seconds)
            if wait:
                raise Throttled(rule, wait)


def throttled_response(request: HttpRequest, throttled: Throttled) -> HttpResponse:
    retry_after = str(throttled.retry_after)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if wants_json or any(request.path.startswith(p) for p in getattr(settings, "THROTTLE_JSON_PREFIXES", ())):
        response: HttpResponse = JsonResponse(
            {"code": "throttled", "message": throttled.message, "retry_after": throttled.retry_after},
            status=429,
        )
    elif request.headers.get("HX-Request") == "true":
        # htmx does not swap an error answer into the page: the whole page says it instead.
        response = HttpResponse(status=429)
        response["HX-Redirect"] = (
            f"{settings.THROTTLE_PAGE_PATH}?wait={retry_after}&what={throttled.rule.scope}"
        )
    else:
        response = render(
            request,
            "429.html",
            {"message": throttled.message, "retry_after": throttled.retry_after},
            status=429,
        )
    response["Retry-After"] = retry_after
    return response


def throttled_page(request: HttpRequest) -> HttpResponse:
    """Where an htmx request over a limit is sent (GET: not counted itself)."""
    rules = {rule.scope: rule for rule in settings.THROTTLE_RULES}
    rule = rules.get(request.GET.get("what", ""))
    try:
        wait = max(1, min(int(request.GET.get("wait", "60")), 24 * 3600))
    except ValueError:
        wait = 60
    label = rule.label if rule else "操作"
    return render(
        request,
        "429.html",
        {"message": throttled_message(label, wait), "retry_after": wait},
        status=429,
    )


class ThrottleMiddleware:
    """Counts in ``process_view``, where Django has already resolved the URL (no second resolve on
    every request); a path that resolves to no view is not counted (it does no work either)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        match = request.resolver_match
        try:
            throttle_check(
                request,
                settings.THROTTLE_RULES,
                url_name=match.view_name if match else "",
                kwargs=view_kwargs,
            )
        except Throttled as throttled:
            return throttled_response(request, throttled)
        return None
