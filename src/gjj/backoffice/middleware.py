"""Staff sessions end after GJJ_STAFF_IDLE_SECONDS without a request (15 minutes by default)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from gjj.backoffice.access import login_redirect
from gjj.backoffice.auth import staff_logout
from gjj.staff.roles import user_roles

LAST_SEEN_KEY = "gjj_staff_last_seen"


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only the back office's requests: member traffic never loads the user for this.
        if request.path.startswith("/backoffice/") and user_roles(request.user):
            now = timezone.now().timestamp()
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - float(last_seen) > settings.GJJ_STAFF_IDLE_SECONDS:
                staff_logout(request=request, expired=True)
                return login_redirect(request, reason="idle")
            request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
