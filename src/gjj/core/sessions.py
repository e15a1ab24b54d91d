"""Idle sessions end SESSION_COOKIE_AGE after the member's last request, without a session write
on every page.

Django's SESSION_SAVE_EVERY_REQUEST pushes the end back by rewriting the session row (and the
cookie) on every request: one UPDATE per page view, and a request that read the session before a
concurrent one changed it writes the older copy back. Here a session is written when it changes
and, otherwise, at most once per ``GJJ_SESSION_REFRESH_SECONDS``: an idle session then ends
between SESSION_COOKIE_AGE − GJJ_SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE after the last
request, never later.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# When the session's expiry was last pushed back (Unix seconds).
REFRESHED_AT_KEY = "_gjj_refreshed_at"


def session_refresh_due(*, refreshed_at: float | None, now: float, interval: float) -> bool:
    return refreshed_at is None or now - refreshed_at >= interval


class SessionIdleExpiryMiddleware:
    """After SessionMiddleware: its response step, which saves a modified session, runs after
    this one's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = request.session
        # An empty session is nobody's: it is neither stored nor refreshed (Django deletes it).
        if session.is_empty():
            return response
        now = time.time()
        if session.modified or session_refresh_due(
            refreshed_at=session.get(REFRESHED_AT_KEY), now=now, interval=settings.GJJ_SESSION_REFRESH_SECONDS
        ):
            session[REFRESHED_AT_KEY] = now
        return response
