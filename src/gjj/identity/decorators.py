"""Access to member pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import resolve_url
from django.views.decorators.cache import never_cache

from gjj.identity.models import MemberLogin
from gjj.identity.selectors import member_for_request

View = Callable[..., HttpResponseBase]


def member_required(view: View) -> View:
    """Only a logged-in member (not staff, not a visitor) gets the page; anyone else goes to the
    notice page with ``next`` set. Member pages carry personal data: no cache may keep them, so
    the back button after 退出 does not show the balance again."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if member_for_request(request) is None:
            return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
        return view(request, *args, **kwargs)

    return never_cache(guarded)


def current_member(request: HttpRequest) -> MemberLogin:
    """The member of a request that ``member_required`` let through."""
    member = member_for_request(request)
    if member is None:  # only reachable when a view forgot member_required
        raise PermissionDenied("member page without member_required")
    return member
